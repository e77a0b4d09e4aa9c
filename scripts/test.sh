#!/usr/bin/env bash
# The one test command: installs missing dependencies, builds everything with
# AddressSanitizer + UndefinedBehaviorSanitizer in build/asan (or, with
# GRASSROOTS_SANITIZE empty, plain in build/ci) and runs every CTest test
# (unit, integration, deploy) there. Integration
# tests start their own throwaway MariaDB (CTest fixture mariadb_start /
# mariadb_stop in tests/CMakeLists.txt), so nothing needs to be running first.
#
#   scripts/test.sh                   # everything
#   scripts/test.sh -L unit           # extra arguments go to ctest
#
# Environment: GRASSROOTS_SANITIZE (-fsanitize= list, default address,undefined;
# set it empty for a plain build), GRASSROOTS_BUILD_DIR (default build/asan, or
# build/ci for a plain build), GRASSROOTS_BUILD_TYPE
# (default RelWithDebInfo), GRASSROOTS_JOBS (default nproc),
# GRASSROOTS_TEST_JOBS (parallel ctest jobs, default twice nproc),
# GRASSROOTS_TEST_TIMEOUT (seconds per test, default 900),
# GRASSROOTS_SKIP_INSTALL=1 to skip scripts/install-deps.sh,
# GRASSROOTS_SKIP_FUZZ=1 to skip the bounded fuzz run after ctest (scripts/fuzz.sh;
# GRASSROOTS_FUZZ_SECONDS per target, default 15 here).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

# Sanitized by default: CI's one build runs the whole suite under ASan and
# UBSan (README, "Sanitizers"). GRASSROOTS_SANITIZE= (empty) gives a plain build.
SANITIZE="${GRASSROOTS_SANITIZE-address,undefined}"
if [[ -n $SANITIZE ]]; then
  BUILD_DIR="${GRASSROOTS_BUILD_DIR:-$REPO_ROOT/build/asan}"
else
  BUILD_DIR="${GRASSROOTS_BUILD_DIR:-$REPO_ROOT/build/ci}"
fi
BUILD_TYPE="${GRASSROOTS_BUILD_TYPE:-RelWithDebInfo}"
JOBS="${GRASSROOTS_JOBS:-$(nproc)}"
# Integration tests mostly wait on the server: twice as many as there are cores.
TEST_JOBS="${GRASSROOTS_TEST_JOBS:-$(( $(nproc) * 2 ))}"
TEST_TIMEOUT="${GRASSROOTS_TEST_TIMEOUT:-900}"
# Where tests/CMakeLists.txt keeps the throwaway MariaDB of the integration tests.
TEST_DB_DIR="$BUILD_DIR/test-mariadb"
TEST_REPLICA_DIR="$BUILD_DIR/test-mariadb-replica"
# A plain build/ci compiles the same sources with the same flags as build/run:
# let ccache share results between them (paths relative to the checkout).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$REPO_ROOT}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"

step() { printf '\n==> %s\n' "$*"; }
elapsed() { printf '%dm%02ds' $(( SECONDS / 60 )) $(( SECONDS % 60 )); }

# ctest stops the test database through its cleanup fixture; this covers an
# interrupted run (Ctrl-C, CI timeout) so no mariadbd outlives the script.
stop_test_database() {
  if [[ -d $TEST_DB_DIR && -x $REPO_ROOT/scripts/mariadb.sh ]]; then
    "$REPO_ROOT/scripts/mariadb.sh" stop "$TEST_DB_DIR" >/dev/null 2>&1 || true
  fi
}
trap stop_test_database EXIT

if [[ ${GRASSROOTS_SKIP_INSTALL:-0} != 1 ]]; then
  step "dependencies ($(elapsed))"
  bash "$REPO_ROOT/scripts/install-deps.sh"
fi

step "configure $BUILD_DIR ($BUILD_TYPE, sanitizers: ${SANITIZE:-none}) ($(elapsed))"
cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DGRASSROOTS_BUILD_TESTS=ON \
  -DGRASSROOTS_SANITIZE="$SANITIZE"

step "build with $JOBS jobs ($(elapsed))"
cmake --build "$BUILD_DIR" -j "$JOBS"

step "ctest ($(elapsed))"
CTEST_LOG="$BUILD_DIR/ctest-output.log"
set +e
# A test that fails is run once more (--repeat until-pass:2): a test that failed
# and then passed is listed below as flaky, so it is seen and not hidden.
rm -f "$TEST_DB_DIR.restarts.log" "$TEST_REPLICA_DIR.restarts.log"
ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error --repeat until-pass:2 \
  --parallel "$TEST_JOBS" --timeout "$TEST_TIMEOUT" "$@" 2>&1 | tee "$CTEST_LOG"
ctest_status=${PIPESTATUS[0]}
set -e

# The fuzz targets for a bounded time (clang build in build/fuzz); a crash
# fails the run like a failing test.
fuzz_status=0
if [[ ${GRASSROOTS_SKIP_FUZZ:-0} != 1 ]]; then
  step "fuzz ($(elapsed))"
  GRASSROOTS_FUZZ_SECONDS="${GRASSROOTS_FUZZ_SECONDS:-15}" GRASSROOTS_JOBS="$JOBS" \
    bash "$REPO_ROOT/scripts/fuzz.sh" || fuzz_status=$?
fi

step "summary ($(elapsed))"
# ctest's closing line, e.g. "100% tests passed, 0 tests failed out of 212".
summary="$(grep -E '^[0-9]+% tests passed' "$CTEST_LOG" | tail -n 1 || true)"
printf '%s\n' "${summary:-ctest printed no summary line (see $CTEST_LOG)}"
# Tests that failed once and passed when run again.
flaky="$(awk 'match($0, /Test +#[0-9]+: [^ ]+/) {
    name = substr($0, RSTART, RLENGTH); sub(/.*: /, "", name)
    if (/\*\*\*/) failed[name] = 1; else if (/ Passed / && (name in failed)) print name
  }' "$CTEST_LOG" | sort -u)"
if [[ -n $flaky ]]; then
  printf 'FLAKY (failed, then passed when run again):\n%s\n' "$flaky"
fi
# "Skipped": gtest_discover_tests takes "[  SKIPPED ]" in a test's output for a
# skip, and GoogleTest prints it for each test of a suite whose SetUpTestSuite
# failed, with exit code 1. No test here skips on purpose, so each is a failure.
skipped="$(awk 'match($0, /Test +#[0-9]+: [^ ]+/) && /\*\*\*Skipped/ {
    name = substr($0, RSTART, RLENGTH); sub(/.*: /, "", name); print name
  }' "$CTEST_LOG" | sort -u)"
if [[ -n $skipped ]]; then
  printf 'FAILED AS SKIPPED (their suite set-up failed; see their output in %s):\n%s\n' \
    "$BUILD_DIR/Testing/Temporary/LastTest.log" "$skipped"
  [[ $ctest_status -ne 0 ]] || ctest_status=1
fi
# A test server's supervisor restarted it after it died (scripts/mariadb.sh).
for server_dir in "$TEST_DB_DIR" "$TEST_REPLICA_DIR"; do
  if [[ -s $server_dir.restarts.log ]]; then
    printf 'A TEST DATABASE DIED during the run and was restarted (%s):\n' "$server_dir"
    cat "$server_dir.restarts.log"
  fi
done
if [[ $ctest_status -ne 0 ]]; then
  printf 'FAILED: ctest exited with status %d after %s\n' "$ctest_status" "$(elapsed)" >&2
  exit "$ctest_status"
fi
if [[ $fuzz_status -ne 0 ]]; then
  printf 'FAILED: scripts/fuzz.sh exited with status %d after %s (see its output above)\n' "$fuzz_status" \
    "$(elapsed)" >&2
  exit "$fuzz_status"
fi
printf 'OK: all tests passed in %s\n' "$(elapsed)"
