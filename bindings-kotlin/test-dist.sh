#!/usr/bin/env bash
# Proves the installed jar as a user would (issue: install without a Rust toolchain): with
# cargo and rustc hidden (PATH without them, `command -v cargo` fails), a new Maven project
# in a temporary directory depends on dev.paystate:paystate from the local Maven repository
# (put there by bindings-kotlin/dist.sh) and runs a JUnit smoke (verify a signed webhook,
# pay an invoice) with no jna.library.path: JNA loads the library from inside the jar.
# Usage: bindings-kotlin/test-dist.sh               (from anywhere, after dist.sh)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$here/pom.xml" | head -1)"
kotlin_version="$(sed -n 's:.*<kotlin.version>\(.*\)</kotlin.version>.*:\1:p' "$here/pom.xml")"
junit_version="$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' "$here/pom.xml")"

# A PATH with no directory that holds cargo, rustc or rustup; mvn and java must stay.
mvn_bin="$(command -v mvn)"; java_bin="$(command -v java)"
clean_path=""
IFS=: read -r -a dirs <<<"$PATH"
for d in "${dirs[@]}"; do
  [[ -z $d || -e $d/cargo || -e $d/rustc || -e $d/rustup ]] && continue
  clean_path="${clean_path:+$clean_path:}$d"
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$here/dist-smoke/." "$work/"
sed -i "s/@PAYSTATE_VERSION@/$version/; s/@KOTLIN_VERSION@/$kotlin_version/; s/@JUNIT_VERSION@/$junit_version/" "$work/pom.xml"

cd "$work"
env -i HOME="$HOME" PATH="$clean_path" JAVA_HOME="${JAVA_HOME:-}" LANG=C.UTF-8 bash -c '
  set -euo pipefail
  if command -v cargo >/dev/null 2>&1 || command -v rustc >/dev/null 2>&1; then
    echo "test-dist.sh: the Rust toolchain is still visible" >&2; exit 1
  fi
  [[ -z "${CARGO_TARGET_DIR:-}" && -z "${RUSTUP_HOME:-}" ]]
  echo "test-dist.sh: no cargo, no rustc; PATH=$PATH"
  exec "$0" -B -ntp test
' "$mvn_bin"
echo "test-dist.sh: the installed jar dev.paystate:paystate:$version passed its smoke with no Rust toolchain"
