#!/bin/sh
# Builds the sealed rotation component exactly as the runner's build embeds it, and prints
# its SHA-256. host/build.rs runs this script; auditors run it to rebuild the component and
# compare the digest with `iosxe-rotate inspect`.
#
#   scripts/build-component.sh TARGET_DIR
#
# Source, cargo-home and target paths are remapped, the toolchain is pinned by
# rust-toolchain.toml and dependencies by Cargo.lock, so the bytes do not depend on where
# or by whom the component is built.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
target=${1:?usage: build-component.sh TARGET_DIR}
mkdir -p "$target"
target=$(cd "$target" && pwd)
cargo_home=${CARGO_HOME:-$HOME/.cargo}
flags=$(printf '%s\037%s\037%s' \
  "--remap-path-prefix=$root=/iosxe-rotate" \
  "--remap-path-prefix=$cargo_home=/cargo" \
  "--remap-path-prefix=$target=/target")
cd "$root"
env -u RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS -u RUSTC_WORKSPACE_WRAPPER \
  CARGO_TARGET_DIR="$target" CARGO_ENCODED_RUSTFLAGS="$flags" \
  "${CARGO:-cargo}" build --release --locked --target wasm32-wasip2 -p iosxe-rotate-guest >&2
wasm="$target/wasm32-wasip2/release/iosxe_rotate_guest.wasm"
sha256sum "$wasm" | cut -d' ' -f1
