# The two commands a newcomer needs (see README.md):
#   make sandbox - builds and starts the local USDT gateway (sandbox/README.md)
#   make test    - installs what is missing and runs every test in every language
# Also: make demo - the narrated walk through the whole flow in the terminal
.PHONY: demo test test-rust test-python test-node test-kotlin test-swift test-fuzz readme \
	dist check-versions test-dist sandbox test-sandbox test-examples

demo:
	cargo run -q --locked -p paystate-cli -- demo

test:
	bash scripts/test-all.sh

test-rust:
	bash scripts/test-all.sh rust

test-python:
	bash scripts/test-all.sh python

test-node:
	bash scripts/test-all.sh node

test-kotlin:
	bash scripts/test-all.sh kotlin

test-swift:
	bash scripts/test-all.sh swift

test-fuzz:
	bash scripts/test-all.sh fuzz

test-sandbox:
	bash scripts/test-all.sh sandbox

test-examples:
	bash scripts/test-all.sh examples

# The local USDT gateway (seeds 000-004, test clock, checkout page), on 127.0.0.1:8080 (sandbox/README.md).
sandbox:
	cargo run -q --locked -p paystate-cli -- sandbox --port 8080

# Regenerates the state diagram embedded in README.md (a test fails when it drifts).
readme:
	cargo run -q --locked -p paystate-cli -- states --format mermaid > target/states.mmd
	python3 scripts/embed_diagram.py README.md target/states.mmd

# Release artifacts of every language into dist/ (wheel + sdist, npm tarballs, the jar
# installed into the local Maven repository); see scripts/dist.sh.
dist:
	bash scripts/check-versions.sh
	bash scripts/dist.sh

# Fails naming any manifest whose version differs from the workspace's.
check-versions:
	bash scripts/check-versions.sh

# Installs the artifacts in dist/ without a Rust toolchain and runs them (after `make dist`).
test-dist:
	bash scripts/test-dist.sh
