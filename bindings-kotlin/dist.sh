#!/usr/bin/env bash
# Builds the Kotlin/JVM release artifact: `mvn install` (which runs the release cargo build
# of paystate-ffi and the UniFFI generation itself, then packs libpaystate_ffi.so into the
# jar under JNA's resource path) into the local Maven repository, and copies the jar to
# <repo>/dist/. Tests are skipped here (bindings-kotlin/ci.sh runs them); pass --with-tests
# to run them too. Prints the jar's size.
# Usage: bindings-kotlin/dist.sh [--with-tests]        (from anywhere; called by `make dist`)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
skip=(-DskipTests)
for arg in "$@"; do
  case "$arg" in
    --with-tests) skip=() ;;
    *) echo "dist.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
command -v mvn >/dev/null || { apt-get update -qq && apt-get install -y -q --no-install-recommends maven; }
mvn -B -ntp -f "$root/bindings-kotlin" "${skip[@]}" install
version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$root/bindings-kotlin/pom.xml" | head -1)"
jar="$root/bindings-kotlin/target/paystate-$version.jar"
[[ -f $jar ]] || { echo "dist.sh: $jar was not built" >&2; exit 1; }
# The listing is read whole first: `unzip | grep -q` under pipefail fails at random when
# grep stops early and unzip gets SIGPIPE.
listing="$(unzip -l "$jar")"
grep -q ' linux-x86-64/libpaystate_ffi.so$' <<< "$listing" || {
  echo "dist.sh: $jar does not carry linux-x86-64/libpaystate_ffi.so" >&2; exit 1; }
mkdir -p "$root/dist"
cp "$jar" "$root/dist/"
echo "dist: dist/paystate-$version.jar ($(stat -c %s "$jar") bytes; installed as dev.paystate:paystate:$version in the local Maven repository)"
