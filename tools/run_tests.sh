#!/usr/bin/env bash
# THE test command: installs whatever is missing (cached environment, see tools/setup_env.sh; the
# browser for the results-browser test, tools/install_browser.sh), then runs the whole test suite.
# Extra arguments go to pytest (e.g. -k dtw, -x).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENV="$(bash "$ROOT/tools/setup_env.sh" | tail -n 1)"
# headless Chromium + chromedriver for the results browser's end-to-end test (Debian packages, where
# apt-get and root are available; elsewhere that test skips and says why)
bash "$ROOT/tools/install_browser.sh" >&2 || echo "run_tests: could not install chromium (the browser test will skip)" >&2
cd "$ROOT"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export MPLBACKEND=Agg
exec "$ENV/bin/python" -m pytest tests -q -ra "$@"
