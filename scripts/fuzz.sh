#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang in build/fuzz and runs
# each for a bounded time on a scratch copy of its seed corpus
# (tests/fuzz/corpus/<target>; the committed seeds are never modified).
# Exits non-zero when any target crashes, naming the input that did it.
#
#   scripts/fuzz.sh                       # every target, 30 s each
#   scripts/fuzz.sh token_fuzz            # only the named targets
#
# Environment: GRASSROOTS_FUZZ_SECONDS (per target, default 30),
# GRASSROOTS_FUZZ_RSS_MB (memory limit per target, default 2048),
# GRASSROOTS_FUZZ_BUILD_DIR (default build/fuzz), GRASSROOTS_JOBS (default nproc),
# CC / CXX (default clang-14 / clang++-14).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

BUILD_DIR="${GRASSROOTS_FUZZ_BUILD_DIR:-$REPO_ROOT/build/fuzz}"
SECONDS_EACH="${GRASSROOTS_FUZZ_SECONDS:-30}"
RSS_MB="${GRASSROOTS_FUZZ_RSS_MB:-2048}"
JOBS="${GRASSROOTS_JOBS:-$(nproc)}"
CC_BIN="${CC:-clang-14}"
CXX_BIN="${CXX:-clang++-14}"
ALL_TARGETS=(validate_member_fuzz token_fuzz page_token_fuzz member_csv_fuzz portal_payments_fuzz cli_json_fuzz)
TARGETS=("${@:-${ALL_TARGETS[@]}}")
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$REPO_ROOT}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"

step() { printf '\n==> [fuzz] %s\n' "$*"; }
command -v "$CXX_BIN" >/dev/null || { echo "fuzz: $CXX_BIN not found (scripts/install-deps.sh installs clang-14)" >&2; exit 2; }

step "configure $BUILD_DIR with $CXX_BIN (${SECONDS}s)"
# -O1 and line tables: fast to build, and sanitizer reports name file:line.
cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER="$CC_BIN" -DCMAKE_CXX_COMPILER="$CXX_BIN" \
  -DCMAKE_CXX_FLAGS_RELEASE="-O1 -gline-tables-only" -DCMAKE_C_FLAGS_RELEASE="-O1" \
  -DGRASSROOTS_BUILD_TESTS=OFF -DGRASSROOTS_BUILD_FUZZERS=ON >/dev/null

step "build ${TARGETS[*]} with $JOBS jobs (${SECONDS}s)"
cmake --build "$BUILD_DIR" -j "$JOBS" --target "${TARGETS[@]}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
WORK="$BUILD_DIR/fuzz-work"
failed=()
for target in "${TARGETS[@]}"; do
  seeds="$REPO_ROOT/tests/fuzz/corpus/${target%_fuzz}"
  corpus="$WORK/$target/corpus"
  artifacts="$WORK/$target/artifacts"
  rm -rf "$WORK/$target"
  mkdir -p "$corpus" "$artifacts"
  cp -r "$seeds"/. "$corpus"/
  dict=()
  [[ -f $REPO_ROOT/tests/fuzz/${target%_fuzz}.dict ]] && dict=(-dict="$REPO_ROOT/tests/fuzz/${target%_fuzz}.dict")
  step "run $target for ${SECONDS_EACH}s (${SECONDS}s)"
  log="$WORK/$target/fuzz.log"
  set +e
  "$BUILD_DIR/tests/fuzz/$target" "${dict[@]}" -max_total_time="$SECONDS_EACH" -rss_limit_mb="$RSS_MB" \
    -timeout=10 -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1
  status=$?
  set -e
  # The last status line: "#N DONE cov: C ft: F corp: ... exec/s: E".
  grep -E '^#[0-9]+' "$log" | tail -n 1 || true
  if [[ $status -ne 0 ]]; then
    crash="$(ls -t "$artifacts" 2>/dev/null | head -n 1 || true)"
    tail -n 40 "$log" >&2
    printf 'FAILED: %s exited with %d; input: %s (log %s)\n' "$target" "$status" \
      "${crash:+$artifacts/$crash}" "$log" >&2
    failed+=("$target")
  fi
done

step "done (${SECONDS}s)"
if [[ ${#failed[@]} -ne 0 ]]; then
  printf 'fuzz: %d target(s) crashed: %s\n' "${#failed[@]}" "${failed[*]}" >&2
  exit 1
fi
printf 'fuzz: %d target(s) ran %ss each without a crash\n' "${#TARGETS[@]}" "$SECONDS_EACH"
