#!/usr/bin/env bash
# Checks that our C++ (native/: core, binding, unit tests, fuzz drivers; not the fuzz corpora) is
# formatted as .clang-format says. Exit 1 with clang-format's complaints when a file is not.
#
#   bash scripts/format-check.sh          check (CI runs this from .ci/run)
#   bash scripts/format-check.sh --fix    reformat the files in place
# clang-format comes from Debian's clang-format package (scripts/setup.sh installs it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v clang-format >/dev/null || { echo "format-check: clang-format is missing (apt-get install clang-format)" >&2; exit 1; }
mapfile -t files < <(git ls-files -co --exclude-standard -- 'native/*.cc' 'native/*.h' | grep -v '^native/fuzz/corpus/' | sort)
if [[ "${1:-}" == --fix ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}"; then
  echo "format-check: the files above are not formatted; run: bash scripts/format-check.sh --fix" >&2
  exit 1
fi
echo "format-check: ${#files[@]} files formatted"
