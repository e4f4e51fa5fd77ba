/**
 * The text of the error thrown when the native addon cannot be found or loaded: what failed, its
 * cause, and the fix for the causes we know (no OpenSSL 3, no prebuild for the platform, a C
 * runtime older than the prebuild's floor, a musl libc such as Alpine's, which has no tested build
 * yet). Pure functions of their inputs, called on the JavaScript thread by lib/native.ts only
 * after a load failed; the unit tests call them directly.
 * @packageDocumentation
 */

/** The C library this Node runs on: `glibc`, `musl`, or `unknown` (not Linux, or not told). */
export type Libc = 'glibc' | 'musl' | 'unknown';

/** Where the load happens: platform, arch and C library of the running Node. */
export interface LoadRuntime {
  platform: string;
  arch: string;
  libc: Libc;
}

/**
 * The C library of the running Node. On Linux, Node's diagnostic report names the glibc version
 * it runs on, and names none on musl. The report takes tens of milliseconds: call this only on the
 * error path.
 */
export function runtimeLibc(): Libc {
  if (process.platform !== 'linux') return 'unknown';
  try {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    if (report?.header === undefined) return 'unknown';
    return report.header.glibcVersionRuntime === undefined ? 'musl' : 'glibc';
  } catch {
    return 'unknown';
  }
}

/**
 * The message of a load failure: `what` failed (one sentence, no final period), `detail` is the
 * cause's text (the dlopen or node-gyp-build message).
 */
export function loadErrorMessage(what: string, detail: string, runtime: LoadRuntime): string {
  const lines = [`native-ssh: ${what}.`, `  cause: ${detail}`];
  if (runtime.libc === 'musl') {
    lines.push(
      `  This Node runs on musl libc (Alpine Linux or similar): native-ssh does not support it yet.`,
      '  The prebuilt binaries are for glibc Linux (x64, arm64), and no musl build has been tested:',
      '  no musl C++ toolchain, musl OpenSSL or musl Node is available where they are built.',
      '  A build from source may work (untested): apk add build-base python3 linux-headers',
      '  openssl-dev zlib-dev patch xz, give the libssh2 source package files with',
      "  NATIVE_SSH_LIBSSH2_SRC=/dir (see the README's Install section), then",
      '    npm rebuild native-ssh --build-from-source',
    );
  } else if (/libssl\.so\.3|libcrypto\.so\.3/.test(detail)) {
    lines.push(
      '  native-ssh needs OpenSSL 3 (libssl.so.3, libcrypto.so.3). Install it with:',
      '    Debian/Ubuntu: sudo apt-get install libssl3',
      '    RHEL/Fedora:   sudo dnf install openssl-libs',
    );
  } else if (/No native build was found/.test(detail)) {
    lines.push(
      `  No prebuilt binary for ${runtime.platform}-${runtime.arch}, and none was built from source.`,
      '  Build it: apt-get install build-essential libssl-dev zlib1g-dev dpkg-dev, then',
      '    npm rebuild native-ssh --build-from-source',
    );
  } else if (/GLIBC|GLIBCXX/.test(detail)) {
    lines.push("  This system's C or C++ runtime is older than the prebuilt binary needs (glibc 2.34).");
  }
  return lines.join('\n');
}
