# Sourced by the other scripts: where the tools and the build live, and how a step is shown.
# The cargo target folder sits outside the clone so that every clone on this
# machine (and CI's fresh one) reuses earlier builds; override CARGO_TARGET_DIR to move it.
export KLEIO_CACHE="${KLEIO_CACHE:-$HOME/.cache/kleio}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$KLEIO_CACHE/target}"
# Tools Kleio installs (trunk, wasm-bindgen, cargo-fuzz, wasm-opt) live under the cache
# too, so that an empty cache means a fresh machine (bench/first-run relies on it).
export PATH="$KLEIO_CACHE/tools/bin:$KLEIO_CACHE/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export KLEIO_WEIGHTS="${KLEIO_WEIGHTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/weights}"
# Clippy lints Kleio's own crates while they are compiled, in every build: the
# run path, the tests and the linter then share one build of the workspace
# instead of a `cargo clippy` that would check every dependency a second time.
# Its warnings stay warnings when you run Kleio; the test command fails on any
# (cargo replays them for crates it does not recompile).
export RUSTC_WORKSPACE_WRAPPER="${RUSTC_WORKSPACE_WRAPPER-clippy-driver}"

# step NAME EXPECTED COMMAND...: runs one step, saying up front what it is and
# about how long it takes on 2 cores, and afterwards how long it took. A
# failure names the step. bench/first-run reads the "took" lines.
step() {
  local name="$1" expected="$2" started status
  shift 2
  printf '\033[1m[%s]\033[0m %s (expect %s)\n' "${KLEIO_STEP_SCOPE:-kleio}" "$name" "$expected" >&2
  started=$(date +%s)
  # In a subshell with errexit, so that a failing command inside a function stops the step.
  set +e
  (set -e; "$@")
  status=$?
  set -e
  if [ "$status" -ne 0 ]; then
    printf '\033[1;31m[%s] step failed: %s (exit %s)\033[0m\n' "${KLEIO_STEP_SCOPE:-kleio}" "$name" "$status" >&2
    exit "$status"
  fi
  printf '[%s] took %ss: %s\n' "${KLEIO_STEP_SCOPE:-kleio}" "$(($(date +%s) - started))" "$name" >&2
}
