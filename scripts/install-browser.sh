#!/usr/bin/env bash
# Install what the end-to-end tests need from Debian's packages: Chromium and ChromeDriver
# (playwright drives /usr/bin/chromium; no browser is ever downloaded by a test tool) and
# a Java runtime for the Nu HTML Checker, and npm for the web editor's packages. `make browser` and .ci/run call this.
set -euo pipefail
packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium chromium-driver)
command -v java >/dev/null 2>&1 || packages+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || packages+=(npm)  # the web editor's test: scripts/install-decap.sh
if [ ${#packages[@]} -eq 0 ]; then
  echo "test tools present: $(/usr/bin/chromium --version 2>/dev/null || true); $(java -version 2>&1 | head -n 1)"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing ${packages[*]} (Debian packages)…"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
/usr/bin/chromium --version
java -version 2>&1 | head -n 1
