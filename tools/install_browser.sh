#!/usr/bin/env bash
# Install headless Chromium and its WebDriver (Debian's chromium + chromium-driver) for the results
# browser's end-to-end test (tests/downstream/test_browser_e2e.py). Idempotent: does nothing when
# /usr/bin/chromium and /usr/bin/chromedriver are present. Needs root (or sudo) and apt-get; where
# neither is available, or apt-get fails, it says so and exits 0, and the test skips with its reason.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    echo "install_browser: chromium and chromedriver already installed"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser: no apt-get here; install chromium and chromium-driver by hand (the browser test skips)"
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "install_browser: not root and no password-less sudo; install chromium and chromium-driver by hand"
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium chromium-driver; }; then
    echo "install_browser: apt-get could not install chromium chromium-driver (see above); the browser test skips"
    exit 0
fi
echo "install_browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) installed"
