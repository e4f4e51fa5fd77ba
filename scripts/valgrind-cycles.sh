#!/usr/bin/env bash
# valgrind memcheck of a node process doing connect / exec / close cycles against a real sshd,
# directly and through a SOCKS5 proxy (dante), with failed logins, command timeouts, streamed
# output and connections left to the garbage collector (test/lifecycle/cycles.mjs).
#
#   bash scripts/valgrind-cycles.sh          200 cycles
#   bash scripts/valgrind-cycles.sh 1000     more
#
# The fixtures run in a separate, ordinary node process (test/lifecycle/serve-fixtures.mjs); only
# the workload runs under valgrind, with the normal build (build/Release, loaded with
# RTLD_DEEPBIND as in production). node runs with --jitless, so valgrind never sees code that V8
# writes and rewrites at run time.
#
# Node and V8 free little at exit, and a few of their blocks show as lost. What counts is what our
# code allocated: a loss record or an error is ours when a frame of its stack is in
# native_ssh.node (our code, libssh2, or OpenSSL and zlib called from them). Those are listed in
# full; the others are only counted.
# Exit status: 0 when the workload succeeded and nothing is ours.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CYCLES="${1:-200}"
OUT="$ROOT/build-valgrind"

command -v valgrind >/dev/null || {
  if [[ $(id -u) -eq 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >/dev/null
  else
    echo "valgrind-cycles: valgrind is not installed (apt-get install valgrind)" >&2
    exit 1
  fi
}
bash scripts/setup.sh >/dev/null || { echo "valgrind-cycles: scripts/setup.sh failed" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT"

# ---- fixtures (outside valgrind) --------------------------------------------------------------
coproc FIXTURES { exec node test/lifecycle/serve-fixtures.mjs; }
fixtures_pid=$FIXTURES_PID
stop_fixtures() { kill -TERM "$fixtures_pid" 2>/dev/null; wait "$fixtures_pid" 2>/dev/null; }
trap stop_fixtures EXIT
if ! read -r -t 60 target <&"${FIXTURES[0]}"; then
  echo "valgrind-cycles: the fixtures did not start" >&2
  exit 1
fi
export NSSH_LIFECYCLE="$target"

# ---- the workload under memcheck --------------------------------------------------------------
echo "valgrind-cycles: $CYCLES cycles under memcheck (log: $OUT/memcheck.<pid>.log)"
started=$(date +%s)
valgrind --tool=memcheck \
  --leak-check=full --show-leak-kinds=definite,indirect,possible \
  --errors-for-leak-kinds=definite,indirect \
  --num-callers=40 --error-limit=no \
  --log-file="$OUT/memcheck.%p.log" \
  node --jitless --expose-gc test/lifecycle/cycles.mjs "$CYCLES"
workload_rc=$?
echo "valgrind-cycles: workload finished in $(( $(date +%s) - started )) s, exit status $workload_rc"

# ---- attribution ------------------------------------------------------------------------------
node - "$OUT" <<'EOF'
const fs = require('node:fs');
const path = require('node:path');
const dir = process.argv[2];
const ours = (stack) => /native_ssh\.node|native_ssh::|libssh2_|_libssh2_/.test(stack);
const summary = { ourLost: { definite: [0, 0], indirect: [0, 0], possible: [0, 0] }, otherLost: { definite: [0, 0], indirect: [0, 0], possible: [0, 0] }, ourErrors: 0, otherErrors: 0 };
const shown = [];
for (const file of fs.readdirSync(dir).filter((f) => f.startsWith('memcheck.'))) {
  const text = fs.readFileSync(path.join(dir, file), 'utf8');
  // Blocks of a report are separated by "==pid== " followed by an empty line.
  const blocks = text.split(/\n==\d+== \n/);
  for (const block of blocks) {
    const lost = block.match(/([\d,]+) (?:\([\d,]+ direct, [\d,]+ indirect\) )?bytes in ([\d,]+) blocks are (definitely|indirectly|possibly) lost/);
    if (lost) {
      const kind = { definitely: 'definite', indirectly: 'indirect', possibly: 'possible' }[lost[3]];
      const bytes = Number(lost[1].replace(/,/g, ''));
      const blocksCount = Number(lost[2].replace(/,/g, ''));
      const bucket = ours(block) ? summary.ourLost : summary.otherLost;
      bucket[kind][0] += bytes;
      bucket[kind][1] += blocksCount;
      if (ours(block) && kind !== 'possible') shown.push(block);
      continue;
    }
    if (/Invalid (read|write|free)|Mismatched free|uninitialised|Source and destination overlap|Syscall param|Argument .* of function/.test(block)) {
      if (ours(block)) {
        summary.ourErrors += 1;
        shown.push(block);
      } else {
        summary.otherErrors += 1;
      }
    }
  }
}
const fmt = (b) => `definitely lost ${b.definite[0]} bytes in ${b.definite[1]} blocks, indirectly lost ${b.indirect[0]} bytes in ${b.indirect[1]} blocks, possibly lost ${b.possible[0]} bytes in ${b.possible[1]} blocks`;
console.log(`valgrind-cycles: attributable to native_ssh.node/libssh2: ${fmt(summary.ourLost)}; memcheck error contexts: ${summary.ourErrors}`);
console.log(`valgrind-cycles: Node/V8's own (not ours):             ${fmt(summary.otherLost)}; memcheck error contexts: ${summary.otherErrors}`);
for (const block of shown.slice(0, 20)) console.log(`\n----\n${block}`);
process.exitCode = summary.ourErrors + summary.ourLost.definite[1] + summary.ourLost.indirect[1] > 0 ? 2 : 0;
EOF
attribution_rc=$?
grep -h "LEAK SUMMARY" -A 5 "$OUT"/memcheck.*.log | sed 's/^==[0-9]*== /valgrind-cycles:   /'
if ((workload_rc != 0)); then echo "valgrind-cycles: FAILED: the workload failed (exit $workload_rc)"; exit 1; fi
if ((attribution_rc != 0)); then echo "valgrind-cycles: FAILED: leaks or errors in native_ssh.node (above)"; exit 2; fi
echo "valgrind-cycles: OK"
