#!/usr/bin/env bash
# Builds the libFuzzer targets of the proxy handshakes (native/fuzz) with clang, ASan and UBSan,
# and runs each of them for a number of seconds, printing the executions per target.
#
# Usage: scripts/fuzz.sh [seconds per target, default 10] [target ...]
#   targets: fuzz_socks4 fuzz_socks5 fuzz_http_connect fuzz_known_hosts (default: all four)
# Environment:
#   NSSH_FUZZ_SOURCE_DIR  CMake source dir (default: the repository root)
#   NSSH_FUZZ_BUILD_DIR   build dir (default: <repo>/build-fuzz)
#
# Seeds are read from native/fuzz/corpus/<target>/ (committed); new inputs found during the run go
# to <build dir>/corpus/<target>/ (not committed), crashes to <build dir>/artifacts/. Exits non-zero
# when a target crashes or breaks an invariant.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-10}"
if [[ $# -gt 0 ]]; then shift; fi
if [[ ! "$seconds" =~ ^[0-9]+$ ]] || [[ "$seconds" -lt 1 ]]; then
  echo "usage: $0 [seconds per target] [target ...]" >&2
  exit 2
fi
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(fuzz_socks4 fuzz_socks5 fuzz_http_connect fuzz_known_hosts)
fi
source_dir="${NSSH_FUZZ_SOURCE_DIR:-$root}"
build_dir="${NSSH_FUZZ_BUILD_DIR:-$root/build-fuzz}"

mkdir -p "$build_dir"
cmake -S "$source_dir" -B "$build_dir" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DNSSH_FUZZ=ON >"$build_dir/configure.log" 2>&1 || {
  cat "$build_dir/configure.log" >&2
  exit 1
}
cmake --build "$build_dir" --target "${targets[@]}" -j "$(nproc 2>/dev/null || echo 2)"

failed=0
mkdir -p "$build_dir/artifacts"
for target in "${targets[@]}"; do
  seeds="$root/native/fuzz/corpus/$target"
  work="$build_dir/corpus/$target"
  log="$build_dir/$target.log"
  mkdir -p "$work" "$seeds"
  # 4 KiB inputs suffice: fuzz_http_connect expands filler chunks past the 16 KiB header limit.
  status=0
  "$build_dir/$target" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="$build_dir/artifacts/$target-" "$work" "$seeds" >"$log" 2>&1 || status=$?
  execs="$(awk '/stat::number_of_executed_units:/ {print $2}' "$log" | tail -n 1)"
  if [[ $status -eq 0 ]]; then
    printf '%-20s %12s executions in %ss, corpus %s files\n' "$target" "${execs:-?}" "$seconds" \
      "$(find "$work" -type f | wc -l)"
  else
    failed=1
    printf '%-20s FAILED (exit %s), %s executions; log: %s\n' "$target" "$status" "${execs:-?}" "$log"
    grep -E 'ERROR|invariant broken|SUMMARY|artifact' "$log" | head -n 20 >&2 || true
  fi
done
exit "$failed"
