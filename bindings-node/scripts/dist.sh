#!/usr/bin/env bash
# Builds the npm artifacts of a release, as `npm pack` tarballs, into DIR (default
# <repo>/dist), in the napi-rs v3 layout:
#   paystate-<version>.tgz                 the main package: JavaScript, types, the
#                                          conformance bin, and optionalDependencies on
#                                          every per-platform package;
#   paystate-<platform>-<version>.tgz      the platform package of this machine
#                                          (here linux-x64-gnu) holding the RELEASE .node.
# The main package never holds a binary; a debug binary is refused.
# Usage: bindings-node/scripts/dist.sh [DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/.." && pwd)"
out="${1:-$repo/dist}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$here"
[ -x node_modules/.bin/napi ] || npm ci --no-audit --no-fund
npm run --silent build
node="$(ls paystate.*.node | head -n 1)"
platform="${node#paystate.}"
platform="${platform%.node}"
profile="$(node -e "process.stdout.write(require('./$node').buildProfile())")"
[ "$profile" = release ] || { echo "dist: $node is a $profile build; refusing to package it" >&2; exit 1; }
[ -d "npm/$platform" ] || { echo "dist: no npm/$platform package template" >&2; exit 1; }
version="$(node -p "require('./package.json').version")"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

# The platform package: its template from npm/<platform>, the release binary.
mkdir "$stage/platform"
cp "npm/$platform/package.json" "npm/$platform/README.md" "$stage/platform/"
cp "$node" "$stage/platform/"
node -e '
  const fs = require("fs"); const f = process.argv[1]
  const p = JSON.parse(fs.readFileSync(f, "utf8"))
  if (p.version !== process.argv[2]) throw new Error(`npm/${p.name}: version ${p.version}, package.json ${process.argv[2]}`)
' "$stage/platform/package.json" "$version"
(cd "$stage/platform" && npm pack --silent --pack-destination "$out" >/dev/null)

# The main package: the files it lists, and optionalDependencies on every platform package
# (written here, at packaging time, as napi-rs's prepublish does: a development checkout
# never fetches them).
mkdir "$stage/main"
cp -R index.js index.d.ts types.d.ts vocabulary.d.ts grammar.json native.js native.d.ts bin README.md package.json "$stage/main/"
node -e '
  const fs = require("fs"); const f = process.argv[1]
  const p = JSON.parse(fs.readFileSync(f, "utf8"))
  const opt = {}
  for (const d of fs.readdirSync("npm").sort()) opt[JSON.parse(fs.readFileSync(`npm/${d}/package.json`, "utf8")).name] = p.version
  p.optionalDependencies = opt
  delete p.devDependencies
  delete p.scripts
  fs.writeFileSync(f, JSON.stringify(p, null, 2) + "\n")
' "$stage/main/package.json"
(cd "$stage/main" && npm pack --silent --pack-destination "$out" >/dev/null)

ls -l "$out/paystate-$version.tgz" "$out/paystate-$platform-$version.tgz"
echo "dist: $node is $(stat -c %s "$node") bytes ($profile)"
