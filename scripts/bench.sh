#!/usr/bin/env bash
# Service benchmarks: starts a throwaway MariaDB, runs a bench binary against it
# (loopback only) and prints its report; the server and its data are removed on
# exit, whatever happens.
#
#   scripts/bench.sh [org] [bench flags...]      org service reads (about 1-2 minutes),
#                                                e.g. --seconds 5 --threads 1,16 --districts 50
#   scripts/bench.sh membership [bench flags...] membership at 100,000 members: GetMember, search,
#                                                durable CreateMember, import rows/s, each against
#                                                the raw MariaDB baseline, and GetMember goodput when
#                                                offered twice its capacity (about 5-10 minutes),
#                                                e.g. --members 100000 --seconds 5 --threads 1,16
#                                                (--cases search measures only search; --replica
#                                                first: searches read a replica of the server, with
#                                                read-your-writes, see docs/scale-out.md; cases: get,
#                                                search, create, import, overload);
#                                                with --reporting-seconds S it measures instead the
#                                                reporting service on those feeds: a full rebuild,
#                                                then write-to-scorecard lag under CreateMember load
#                                                (--reporting-rate 1000 --reporting-writers 16)
#   scripts/bench.sh gateway [bench flags...]    GetMember over HTTP/JSON through the gateway beside the
#                                                direct gRPC call and the raw select, at 20,000 members
#                                                (the membership bench's get and http cases), e.g.
#                                                --seconds 5 --threads 1,16
#   scripts/bench.sh sync [bench flags...]       a member's mobile sync (SyncMyRecord: the first, the whole copy,
#                                                and an idle one) beside the raw SQL an idle sync runs and
#                                                GetMember, at 20,000 members, e.g. --seconds 5 --threads 1,16
#   scripts/bench.sh dues [bench flags...]       a cell's dues collection sheet (GetCollectionSheet) and a
#                                                member's ledger (GetDuesLedger) over a year of payments,
#                                                each beside the raw SQL reads it makes
#   scripts/bench.sh reporting [bench flags...]  GetScorecard for a commune, a province and the
#                                                nation over a generated read model (5.6 million
#                                                members at --scale 1), beside the raw SQL floor,
#                                                e.g. --scale 0.03 --iterations 5
#   scripts/bench.sh feed [bench flags...]       the change feed: durable writes with RecordChange against a
#                                                raw one-row insert and the former head-lock protocol, then
#                                                write-to-consumer lag on the same and another replica,
#                                                e.g. --seconds 5 --threads 1,16 --lag-writers 16
#   scripts/bench.sh audit [bench flags...]      verifying the audit hash chain (common/feed/audit_chain.h)
#                                                over --entries 1000000 bulk-loaded entries
#
#   scripts/bench.sh all [--seconds S]            org, membership and feed in one run on one server, each
#                                                beside its raw baseline: the tables on the terminal and
#                                                bench-results.json (BENCH_RESULTS overrides the path), one
#                                                record per case: name, service, raw, ratio, p50_ms, p99_ms
#
# BUILD_DIR selects the build tree (default build/bench, configured RelWithDebInfo
# on first use; only the bench target is built). BENCH_BIN overrides the binary.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build/bench}
target=grassroots-org-bench
all=false
replica=false
case ${1:-} in
  all) all=true; shift ;;
  org) shift ;;
  membership) target=grassroots-membership-bench; shift ;;
  # The gateway's cost: GetMember over HTTP/JSON through the gateway against the
  # direct gRPC call and the raw select, at 20,000 members (membership bench).
  gateway) target=grassroots-membership-bench; gateway=true; shift ;;
  # A member's mobile sync, first and idle, against the SQL an idle sync runs (membership bench).
  sync) target=grassroots-membership-bench; sync=true; shift ;;
  # A cell's dues collection sheet and a member's dues ledger against the reads they make (membership bench).
  dues) target=grassroots-membership-bench; dues=true; shift ;;
  reporting) target=grassroots-reporting-bench; shift ;;
  audit) target=grassroots-audit-bench; shift ;;
  feed) target=grassroots-feed-bench; shift ;;
esac
if [[ ${1:-} == --replica ]]; then
  [[ $target == grassroots-membership-bench ]] || { echo "bench.sh: --replica is a membership option" >&2; exit 2; }
  replica=true
  shift
fi
bench=${BENCH_BIN:-$build/tests/bench/$target}

if $all; then
  seconds=5
  [[ ${1:-} == --seconds ]] && seconds=$2
  bin=${BENCH_BIN_DIR:-$build/tests/bench}
  if [[ -z ${BENCH_BIN_DIR:-} ]]; then
    [[ -f $build/CMakeCache.txt ]] || cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$build" -j"${JOBS:-2}" --target grassroots-org-bench grassroots-membership-bench grassroots-feed-bench
  fi
fi

if ! $all && [[ -z ${BENCH_BIN:-} ]]; then
  if [[ ! -f $build/CMakeCache.txt ]]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  cmake --build "$build" -j"${JOBS:-2}" --target "$target"
fi
$all || [[ -x $bench ]] || { echo "bench.sh: $bench not found" >&2; exit 1; }

db_dir=$(mktemp -d "${TMPDIR:-/tmp}/grassroots-bench-db.XXXXXX")
replica_dir=$db_dir/replica
cleanup() {
  "$root/scripts/mariadb.sh" stop "$replica_dir" --purge >/dev/null 2>&1 || true
  "$root/scripts/mariadb.sh" stop "$db_dir" --purge >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

"$root/scripts/mariadb.sh" start "$db_dir" >/dev/null
if $replica; then
  "$root/scripts/mariadb.sh" start-replica "$replica_dir" --primary "$db_dir" >/dev/null
  GRASSROOTS_TEST_DB_REPLICA_PORT=$(cat "$replica_dir/port")
  export GRASSROOTS_TEST_DB_REPLICA_PORT
fi
# shellcheck disable=SC1091
source "$db_dir/env"
export GRASSROOTS_TEST_DB_HOST GRASSROOTS_TEST_DB_PORT GRASSROOTS_TEST_DB_USER GRASSROOTS_TEST_DB_PASSWORD

if $all; then
  results=${BENCH_RESULTS:-$PWD/bench-results.json}
  lines=$db_dir/results.jsonl
  echo "bench all: $(uname -m), $(nproc) CPU(s), MariaDB $(mariadbd --version 2>/dev/null | awk '{print $3}' || true) on 127.0.0.1:$GRASSROOTS_TEST_DB_PORT"
  status=0
  "$bin/grassroots-org-bench" --seconds "$seconds" --threads 1,16 --districts 20 --results-json "$lines" || status=1
  "$bin/grassroots-membership-bench" --seconds "$seconds" --threads 1,16 --members 20000 --import-rows 5000 \
    --results-json "$lines" || status=1
  "$bin/grassroots-feed-bench" --seconds "$seconds" --threads 1,16 --results-json "$lines" || status=1
  { echo "["; paste -sd, "$lines"; echo "]"; } > "$results"
  echo "bench all: $(wc -l < "$lines") records in $results"
  exit $status
fi
if ${gateway:-false}; then
  set -- --members 20000 --cases get,http "$@"
fi
if ${sync:-false}; then
  set -- --members 20000 --cases get,sync "$@"
fi
if ${dues:-false}; then
  set -- --members 20000 --cases dues "$@"
fi
echo "$target: $(uname -m), $(nproc) CPU(s), MariaDB $(mariadbd --version 2>/dev/null | awk '{print $3}' || true) on 127.0.0.1:$GRASSROOTS_TEST_DB_PORT, binary $bench"
"$bench" "$@"
