# Sourced by the other scripts: where the tools and the build live.
# The cargo target folder sits outside the clone so that every clone on this
# machine (and CI's fresh one) reuses earlier builds; override CARGO_TARGET_DIR to move it.
export KLEIO_CACHE="${KLEIO_CACHE:-$HOME/.cache/kleio}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$KLEIO_CACHE/target}"
export PATH="$KLEIO_CACHE/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export KLEIO_WEIGHTS="${KLEIO_WEIGHTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/weights}"
