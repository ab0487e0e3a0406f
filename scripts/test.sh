#!/usr/bin/env bash
# The whole test suite (unit, API and browser tests). Extra arguments go to pytest.
source "$(dirname "$0")/_venv.sh"
if [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "Installing Debian's chromium and fonts-noto-cjk for the browser tests…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) >/dev/null
  else
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    echo "!!! /usr/bin/chromium is missing and apt-get is unavailable:        !!!" >&2
    echo "!!! BROWSER TESTS WILL BE SKIPPED. Install Debian's chromium.       !!!" >&2
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    export SKIP_BROWSER_TESTS=1
  fi
fi
exec python -m pytest "$@"
