#!/usr/bin/env bash
# Org service read benchmark: starts a throwaway MariaDB, runs grassroots-org-bench
# against it (loopback only, about 1-2 minutes) and prints its report; the server
# and its data are removed on exit, whatever happens.
#
#   scripts/bench.sh [bench flags...]      e.g. --seconds 5 --threads 1,16 --districts 50
#
# BUILD_DIR selects the build tree (default build/bench, configured RelWithDebInfo
# on first use; only the bench target is built). BENCH_BIN overrides the binary.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build/bench}
bench=${BENCH_BIN:-$build/tests/bench/grassroots-org-bench}

if [[ -z ${BENCH_BIN:-} ]]; then
  if [[ ! -f $build/CMakeCache.txt ]]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  cmake --build "$build" -j"${JOBS:-2}" --target grassroots-org-bench
fi
[[ -x $bench ]] || { echo "bench.sh: $bench not found" >&2; exit 1; }

db_dir=$(mktemp -d "${TMPDIR:-/tmp}/grassroots-bench-db.XXXXXX")
cleanup() { "$root/scripts/mariadb.sh" stop "$db_dir" --purge >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM

"$root/scripts/mariadb.sh" start "$db_dir" >/dev/null
# shellcheck disable=SC1091
source "$db_dir/env"
export GRASSROOTS_TEST_DB_HOST GRASSROOTS_TEST_DB_PORT GRASSROOTS_TEST_DB_USER GRASSROOTS_TEST_DB_PASSWORD

echo "grassroots-org-bench: $(uname -m), $(nproc) CPU(s), MariaDB $(mariadbd --version 2>/dev/null | awk '{print $3}' || true) on 127.0.0.1:$GRASSROOTS_TEST_DB_PORT, binary $bench"
"$bench" "$@"
