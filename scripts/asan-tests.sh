#!/usr/bin/env bash
# The integration suites against an AddressSanitizer + UndefinedBehaviorSanitizer build of the addon.
#
#   bash scripts/asan-tests.sh                       every suite npm test runs (test/{unit,integration,lifecycle,hostile}/*.test.mjs)
#   bash scripts/asan-tests.sh test/integration/90-faults.test.mjs  only these suites (e.g. test/hostile/*.test.mjs)
#
# What it does:
#   1. builds the addon with -DNSSH_SANITIZE=ON through cmake-js into build-asan/build/Release/
#      (never into build/Release: the normal build stays as it is);
#   2. runs node --test with
#        LD_PRELOAD=<gcc's libasan.so>   the ASan runtime must come first in a process that is
#                                        not itself instrumented (node);
#        NATIVE_SSH_NO_DEEPBIND=1        ASan does not support RTLD_DEEPBIND (lib/native.ts);
#        NATIVE_SSH_PREBUILD=build-asan  node-gyp-build's own override (<NAME>_PREBUILD): it then
#                                        looks in build-asan/build/Release first;
#        a --require guard               keeps LD_PRELOAD away from every child that is not node
#                                        (sshd's seccomp sandbox kills a process in which
#                                        LeakSanitizer stops the world; ssh-keygen and danted have
#                                        no reason to carry the runtime either) and puts it back
#                                        for node children (node --test's workers, the lifecycle
#                                        children);
#        ASAN_OPTIONS / UBSAN_OPTIONS    reports go to files under build-asan/logs/; an ASan error
#                                        aborts the process (the suite fails), leaks do not change
#                                        the exit status (they are sorted out below);
#   3. reads every report: ASan errors and UBSan "runtime error"s anywhere count, and so do leaks
#      with a frame in native_ssh.node (our code, libssh2, or OpenSSL called from them). Leaks
#      whose stacks never touch the addon are V8's and Node's own (they free little at exit) and
#      are only counted.
# Exit status: 0 when the suites passed and no report is ours.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

OUT="$ROOT/build-asan"
LOGS="$OUT/logs"
ADDON="$OUT/build/Release/native_ssh.node"

bash scripts/setup.sh >/dev/null || { echo "asan: scripts/setup.sh failed" >&2; exit 1; }

# ---- 1. build ---------------------------------------------------------------------------------
# cmake-js wants Node's headers; use the ones installed with node when they are there (no download).
NODE_PREFIX="$(dirname "$(dirname "$(command -v node)")")"
if [[ -f "$NODE_PREFIX/include/node/node.h" ]]; then export npm_config_nodedir="$NODE_PREFIX"; fi
# shellcheck source=stale.sh
source scripts/stale.sh
if stale "$ADDON" "${ADDON_SOURCES[@]}"; then
  echo "asan: building the sanitized addon into $OUT/build (cmake-js, -DNSSH_SANITIZE=ON)"
  mkdir -p "$OUT"
  npx cmake-js compile -O "$OUT/build" -p 2 --CDNSSH_SANITIZE=ON -l warn >"$OUT/build.log" 2>&1 \
    || { tail -40 "$OUT/build.log" >&2; echo "asan: build failed ($OUT/build.log)" >&2; exit 1; }
fi
[[ -f $ADDON ]] || { echo "asan: $ADDON was not built" >&2; exit 1; }

ASAN_LIB="$(gcc -print-file-name=libasan.so)"
[[ -f $ASAN_LIB ]] || { echo "asan: gcc has no libasan.so ($ASAN_LIB)" >&2; exit 1; }
# grep reads all of ldd's output: with pipefail, `grep -q` could stop early and ldd die of SIGPIPE.
if ! ldd "$ADDON" | grep libasan >/dev/null; then
  echo "asan: $ADDON is not linked with libasan (was it built with -DNSSH_SANITIZE=ON?)" >&2
  exit 1
fi

# ---- 2. run -----------------------------------------------------------------------------------
cat >"$OUT/asan-guard.cjs" <<'EOF'
'use strict';
// Loaded into every node process of the sanitizer run (NODE_OPTIONS=--require). Keeps the ASan
// runtime out of children that are not node, and gives it back to node children.
const childProcess = require('node:child_process');
const path = require('node:path');
const preload = process.env.NSSH_ASAN_PRELOAD;
delete process.env.LD_PRELOAD;
const spawn = childProcess.ChildProcess.prototype.spawn;
childProcess.ChildProcess.prototype.spawn = function spawnWithoutAsan(options) {
  if (options && Array.isArray(options.envPairs)) {
    const file = String(options.file ?? '');
    const isNode = file === process.execPath || path.basename(file) === 'node';
    options.envPairs = options.envPairs.filter((pair) => !pair.startsWith('LD_PRELOAD='));
    if (isNode && preload) options.envPairs.push(`LD_PRELOAD=${preload}`);
  }
  return spawn.call(this, options);
};
// spawnSync does not go through ChildProcess: give node children the runtime here.
const spawnSync = childProcess.spawnSync;
childProcess.spawnSync = function spawnSyncWithAsan(file, args, options) {
  const isNode = file === process.execPath || path.basename(String(file)) === 'node';
  if (!isNode || !preload) return spawnSync.apply(this, arguments);
  if (!Array.isArray(args)) { options = args; args = []; }
  const env = { ...((options && options.env) || process.env), LD_PRELOAD: preload };
  return spawnSync.call(this, file, args, { ...options, env });
};
EOF

rm -rf "$LOGS"
mkdir -p "$LOGS"
if (($#)); then
  SUITES=("$@")
else
  mapfile -t SUITES < <(for dir in unit integration lifecycle hostile; do ls test/$dir/*.test.mjs | sort; done)
fi
echo "asan: running ${#SUITES[@]} suite(s) against $ADDON"
started=$(date +%s)
env \
  LD_PRELOAD="$ASAN_LIB" \
  NSSH_ASAN_PRELOAD="$ASAN_LIB" \
  NODE_OPTIONS="--require $OUT/asan-guard.cjs ${NODE_OPTIONS:-}" \
  NATIVE_SSH_NO_DEEPBIND=1 \
  NATIVE_SSH_PREBUILD="$OUT" \
  NATIVE_SSH_SANITIZED=1 \
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:exitcode=0:log_path=$LOGS/asan:log_exe_name=1:malloc_context_size=30:check_initialization_order=1:strict_init_order=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=0:log_path=$LOGS/ubsan:log_exe_name=1" \
  node --test --test-concurrency=1 "${SUITES[@]}"
tests_rc=$?
echo "asan: suites finished in $(( $(date +%s) - started )) s, exit status $tests_rc"

# ---- 3. reports -------------------------------------------------------------------------------
node - "$LOGS" <<'EOF'
const fs = require('node:fs');
const path = require('node:path');
const dir = process.argv[2];
const files = fs.readdirSync(dir).map((f) => path.join(dir, f));
let errors = 0;
let ubsan = 0;
let ourLeaks = 0;
let otherLeaks = 0;
let otherLeakBytes = 0;
const shown = [];
const leakSites = new Map();
// Ours: a frame in native_ssh.node (our code, libssh2), reached from the allocator without
// passing through V8, Node, libuv or node-addon-api internals (those are V8's allocations that our
// calls merely triggered, e.g. napi_define_class). OpenSSL frames in between are fine: without
// RTLD_DEEPBIND, libssh2's crypto calls land in the OpenSSL that node exports.
function allocatedByUs(stack) {
  const frames = stack.split('\n').filter((line) => /^\s+#\d+/.test(line)).slice(1);
  const first = frames.findIndex((frame) => /native_ssh\.node|\/native\/(core|binding)\/|\/deps\/libssh2\//.test(frame));
  if (first < 0) return false;
  return !frames.slice(0, first).some((frame) => /v8::|node::|napi_|Napi::|cppgc::|Builtins_|uv_/.test(frame));
}
for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^.*ERROR: AddressSanitizer:.*$/gm)) {
    errors += 1;
    shown.push(`${path.basename(file)}: ${m[0]}\n${text.slice(m.index, m.index + 3000)}`);
  }
  for (const m of text.matchAll(/^.*runtime error:.*$/gm)) {
    ubsan += 1;
    shown.push(`${path.basename(file)}: ${m[0]}\n${text.slice(m.index, m.index + 2000)}`);
  }
  // Each leak record: "Direct leak of N byte(s) in K object(s) allocated from:" + frames + blank line.
  for (const m of text.matchAll(/^(Direct|Indirect) leak of (\d+) byte\(s\)[^\n]*\n((?:\s+#\d+[^\n]*\n?)*)/gm)) {
    if (allocatedByUs(m[3])) {
      ourLeaks += 1;
      // Grouped by the first frame of ours (function and line), one example stack per group.
      const site = (m[3].split('\n').find((f) => /\/native\/(core|binding)\/|\/deps\/libssh2\//.test(f)) ?? '?')
        .replace(/^\s+#\d+ 0x[0-9a-f]+ in /, '').trim();
      const group = leakSites.get(site) ?? { records: 0, bytes: 0, example: `${path.basename(file)}: ${m[0]}` };
      group.records += 1;
      group.bytes += Number(m[2]);
      leakSites.set(site, group);
    } else {
      otherLeaks += 1;
      otherLeakBytes += Number(m[2]);
    }
  }
}
console.log(`asan: ${files.length} report file(s); ASan errors: ${errors}; UBSan runtime errors: ${ubsan}; ` +
  `leaks through native_ssh.node: ${ourLeaks}; other (Node/V8) leak records: ${otherLeaks} (${otherLeakBytes} bytes)`);
for (const s of shown.slice(0, 20)) console.log(`\n----\n${s}`);
if (leakSites.size > 0) {
  console.log('\nasan: leaks through native_ssh.node, by allocation site (records, bytes):');
  for (const [site, group] of leakSites) console.log(`  ${group.records} x, ${group.bytes} B  ${site}`);
  for (const [, group] of [...leakSites].slice(0, 12)) console.log(`\n----\n${group.example}`);
}
process.exitCode = errors + ubsan + ourLeaks > 0 ? 2 : 0;
EOF
reports_rc=$?
if ((tests_rc != 0)); then echo "asan: FAILED: the suites failed (exit $tests_rc)"; exit 1; fi
if ((reports_rc != 0)); then echo "asan: FAILED: sanitizer reports above"; exit 2; fi
echo "asan: OK"
