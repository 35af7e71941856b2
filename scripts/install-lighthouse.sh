#!/usr/bin/env bash
# Lighthouse for `python tasks.py bench pages`, from the npm registry, pinned, into
# .cache/node/ (git-ignored, never committed). It drives the system Chromium
# (CHROME_PATH=/usr/bin/chromium); no browser is downloaded. Lighthouse 12 runs on Node 18+.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=12.8.2
PREFIX=.cache/node
if [ -x "$PREFIX/node_modules/.bin/lighthouse" ] && \
   [ "$("$PREFIX/node_modules/.bin/lighthouse" --version 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "npm is missing: install Node.js 18+ (e.g. apt-get install nodejs npm)" >&2; exit 1; }
mkdir -p "$PREFIX"
npm install --prefix "$PREFIX" --no-save --no-audit --no-fund --loglevel=error "lighthouse@$VERSION" >&2
"$PREFIX/node_modules/.bin/lighthouse" --version
