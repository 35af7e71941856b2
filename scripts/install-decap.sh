#!/usr/bin/env bash
# Install the web editor's pinned npm packages (versions in scripts/decap/package.json):
#   - the Decap CMS bundle (decap-cms, its dist/ only, checked against the pinned sha512)
#     into .cache/decap/decap-cms/, which the build copies to /admin/;
#   - decap-server, Decap's local backend (for `python tasks.py editor` and the tests),
#     with `npm ci` from scripts/decap/package-lock.json into .cache/decap/server/.
# Needs node and npm (the npm registry only). `make editor` and .ci/run call it.
# Without it the site builds as before, with no /admin/.
#
# Update: edit the versions in scripts/decap/package.json, then
#   bash scripts/install-decap.sh --update   (pins the new integrity and lockfile)
set -euo pipefail
cd "$(dirname "$0")/.."
pins=scripts/decap
target="${NETROOTS_CACHE:-.cache}/decap"
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "node and npm are not installed: the web editor (/admin/) needs them once, to fetch Decap CMS" >&2
  echo "from the npm registry (Debian: apt-get install npm). The site builds without /admin/ until then." >&2
  exit 1
fi
pin() { node -p "require('./$pins/package.json').netroots['$1']"; }
version="$(pin decap-cms)"
if [ "${1:-}" = "--update" ]; then
  integrity="$(npm view "decap-cms@$version" dist.integrity)"
  node -e '
    const fs = require("fs"), file = process.argv[1], data = JSON.parse(fs.readFileSync(file));
    data.netroots["decap-cms-integrity"] = process.argv[2];
    fs.writeFileSync(file, JSON.stringify(data, null, 2) + "\n");' "$pins/package.json" "$integrity"
  (cd "$pins" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund)
  rm -rf "$target/decap-cms/VERSION"
  echo "pinned decap-cms@$version ($integrity) and refreshed $pins/package-lock.json"
fi
integrity="$(pin decap-cms-integrity)"

bundle="$target/decap-cms"
if [ "$(cat "$bundle/VERSION" 2>/dev/null)" != "$version" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack "decap-cms@$version" --silent >/dev/null)
  archive="$work/decap-cms-$version.tgz"
  actual="$(node -e '
    const hash = require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1]));
    process.stdout.write("sha512-" + hash.digest("base64"));' "$archive")"
  if [ "$actual" != "$integrity" ]; then
    echo "decap-cms@$version does not match its pinned integrity ($actual, expected $integrity); nothing installed" >&2
    exit 1
  fi
  tar -xzf "$archive" -C "$work"
  rm -rf "$bundle.new" && mkdir -p "$bundle.new"
  cp "$work"/package/dist/decap-cms.js "$work"/package/dist/*.decap-cms.js "$work"/package/dist/*.wasm "$bundle.new/"
  cp "$work/package/dist/decap-cms.js.LICENSE.txt" "$bundle.new/THIRD-PARTY-LICENSES.txt"
  cat > "$bundle.new/LICENSE.txt" <<LICENSE
Decap CMS $version (https://github.com/decaporg/decap-cms), from the npm package decap-cms,
is released under the MIT License: Copyright (c) 2016 Netlify, Inc. and Decap CMS contributors.
The licences of the libraries bundled into decap-cms.js are in THIRD-PARTY-LICENSES.txt.
LICENSE
  echo "$version" > "$bundle.new/VERSION"
  rm -rf "$bundle" && mv "$bundle.new" "$bundle"
  echo "installed decap-cms@$version into $bundle"
fi

server="$target/server"
if ! cmp -s "$pins/package-lock.json" "$server/package-lock.json" || [ ! -d "$server/node_modules/decap-server" ]; then
  mkdir -p "$server"
  cp "$pins/package.json" "$pins/package-lock.json" "$server/"
  (cd "$server" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "installed decap-server into $server"
fi
