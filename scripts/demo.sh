#!/usr/bin/env bash
# `npm run demo`: installs and builds what is missing (scripts/setup.sh), then runs the demo.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh >&2
exec node scripts/demo.mjs
