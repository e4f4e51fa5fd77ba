#!/usr/bin/env bash
# Builds the libFuzzer targets (native/fuzz) with clang, ASan and UBSan, and runs each of them for
# a number of seconds, printing the executions, coverage and features per target: the proxy
# handshakes, the known_hosts parser, and fuzz_session, a whole libssh2 client session driven by
# a fuzzed server (libssh2 itself compiled with the fuzzer's instrumentation, see
# cmake/session-fuzz.cmake).
#
# Usage: scripts/fuzz.sh [seconds per target, default 10] [target ...]
#   targets: fuzz_socks4 fuzz_socks5 fuzz_http_connect fuzz_known_hosts fuzz_session
#            (default: all five)
# Environment:
#   NSSH_FUZZ_SOURCE_DIR  CMake source dir (default: the repository root)
#   NSSH_FUZZ_BUILD_DIR   build dir (default: <repo>/build-fuzz)
#   NSSH_FUZZ_DETECT_LEAKS  fuzz_session's -detect_leaks (default 1; libssh2 1.11.1 leaked the
#                         server's host key whenever a key exchange failed after parsing it,
#                         fixed by patches/libssh2/0020; 0 turns leak detection off)
#
# Seeds are read from native/fuzz/corpus/<target>/ (committed); new inputs found during the run go
# to <build dir>/corpus/<target>/ (not committed), crashes to <build dir>/artifacts/. Inputs are at
# most 4 KiB (fuzz_http_connect expands filler chunks past the 16 KiB header limit), 64 KiB for
# fuzz_session (a whole session); fuzz_session also fails on any input that runs over 5 s
# (-timeout=5: a hang is a failure). Exits non-zero when a target crashes, hangs or breaks an
# invariant.
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
  targets=(fuzz_socks4 fuzz_socks5 fuzz_http_connect fuzz_known_hosts fuzz_session)
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
  options=(-max_len=4096)
  asan_options="${ASAN_OPTIONS:-}"
  if [[ "$target" == fuzz_session ]]; then
    leaks="${NSSH_FUZZ_DETECT_LEAKS:-1}"
    options=(-max_len=65536 -timeout=5 -detect_leaks="$leaks")
    # Without leak detection per input, none at exit either (the leaks of all inputs add up).
    if [[ "$leaks" == 0 ]]; then asan_options="detect_leaks=0${asan_options:+:$asan_options}"; fi
  fi
  status=0
  ASAN_OPTIONS="$asan_options" \
    "$build_dir/$target" -max_total_time="$seconds" "${options[@]}" -print_final_stats=1 \
    -artifact_prefix="$build_dir/artifacts/$target-" "$work" "$seeds" >"$log" 2>&1 || status=$?
  execs="$(awk '/stat::number_of_executed_units:/ {print $2}' "$log" | tail -n 1)"
  # The last status line: "#N <event> cov: C ft: F corp: ..."
  cov="$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1 || true)"
  if [[ $status -eq 0 ]]; then
    printf '%-20s %12s executions in %ss, %s, corpus %s files\n' "$target" "${execs:-?}" \
      "$seconds" "${cov:-cov: ?}" "$(find "$work" -type f | wc -l)"
  else
    failed=1
    printf '%-20s FAILED (exit %s), %s executions; log: %s\n' "$target" "$status" "${execs:-?}" "$log"
    grep -E 'ERROR|invariant broken|SUMMARY|artifact' "$log" | head -n 20 >&2 || true
  fi
done
exit "$failed"
