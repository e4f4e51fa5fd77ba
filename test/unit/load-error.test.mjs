// A binary that cannot load (here: OpenSSL 3 shadowed by a broken libcrypto.so.3 / libssl.so.3 on
// LD_LIBRARY_PATH) makes the package throw one error naming the cause and the fix. The message for
// a musl Node (Alpine), where no build is tested, is checked through the message function itself.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';

it('without a usable libcrypto.so.3 / libssl.so.3, requiring the package throws the documented message', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-nossl-'));
  try {
    for (const name of ['libcrypto.so.3', 'libssl.so.3']) fs.writeFileSync(path.join(dir, name), 'not a library');
    const script = `try { require(${JSON.stringify(path.resolve('dist/index.js'))}).versions(); console.log('LOADED'); } catch (e) { console.log(e.message); }`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: dir } });
    assert.equal(run.status, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /LOADED/);
    assert.match(run.stdout, /^native-ssh: cannot load .*native.*\.node\./m);
    assert.match(run.stdout, /libcrypto\.so\.3/);
    assert.match(run.stdout, /native-ssh needs OpenSSL 3 \(libssl\.so\.3, libcrypto\.so\.3\)/);
    assert.match(run.stdout, /apt-get install libssl3/);
    assert.match(run.stdout, /dnf install openssl-libs/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const { loadErrorMessage, runtimeLibc } = createRequire(import.meta.url)('../../dist/load-error.js');

it('on a musl Node (Alpine) the load error says musl is not supported yet and names the source build', () => {
  // What loading the glibc prebuild on Alpine reports (musl's dynamic loader).
  const detail = 'Error relocating /app/node_modules/native-ssh/prebuilds/linux-x64/native-ssh.node: __memcpy_chk: symbol not found';
  const text = loadErrorMessage('cannot load /app/node_modules/native-ssh/prebuilds/linux-x64/native-ssh.node', detail,
    { platform: 'linux', arch: 'x64', libc: 'musl' });
  assert.match(text, /^native-ssh: cannot load \/app\/.*native-ssh\.node\.$/m);
  assert.match(text, /cause: Error relocating .*__memcpy_chk: symbol not found/);
  assert.match(text, /musl libc \(Alpine Linux or similar\): native-ssh does not support it yet/);
  assert.match(text, /prebuilt binaries are for glibc Linux/);
  assert.match(text, /npm rebuild native-ssh --build-from-source/);
  assert.match(text, /apk add build-base/);
  assert.match(text, /NATIVE_SSH_LIBSSH2_SRC=/);
  // Even when the cause names libcrypto, the advice on musl is not Debian's or RHEL's package.
  const ssl = loadErrorMessage('cannot load x.node', 'Error loading shared library libcrypto.so.3: No such file or directory',
    { platform: 'linux', arch: 'arm64', libc: 'musl' });
  assert.match(ssl, /does not support it yet/);
  assert.doesNotMatch(ssl, /apt-get install libssl3/);
});

it('on glibc the load error has no musl text; this Node is detected as glibc', () => {
  const text = loadErrorMessage('no native binary fits this platform', 'No native build was found for platform=linux arch=riscv64',
    { platform: 'linux', arch: 'riscv64', libc: 'glibc' });
  assert.doesNotMatch(text, /musl/);
  assert.match(text, /No prebuilt binary for linux-riscv64/);
  assert.match(text, /npm rebuild native-ssh --build-from-source/);
  assert.equal(runtimeLibc(), 'glibc');
});
