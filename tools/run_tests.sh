#!/usr/bin/env bash
# THE test command: installs whatever is missing (cached environment, see tools/setup_env.sh),
# then runs the whole test suite. Extra arguments go to pytest (e.g. -k dtw, -x).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENV="$(bash "$ROOT/tools/setup_env.sh" | tail -n 1)"
cd "$ROOT"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export MPLBACKEND=Agg
exec "$ENV/bin/python" -m pytest tests -q -ra "$@"
