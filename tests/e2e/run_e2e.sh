#!/usr/bin/env bash
# End-to-end: the whole system as scripts/run.sh starts it (private MariaDB,
# every service, the gateway, the demo committee), in a state folder of its own
# and on ports shifted by an offset, so it runs beside a developer's own run.
# Then each check runs against the gateway over HTTP, and everything stops.
#
#   run_e2e.sh <build dir> <check>...     a check is an executable; it gets
#     GATEWAY (http://127.0.0.1:<port>), ADMIN_TOKEN_FILE, STATE_DIR,
#     PORT_OFFSET and BUILD_DIR in its environment.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build_dir=$1
shift
export PORT_OFFSET="${GRASSROOTS_E2E_PORT_OFFSET:-1000}"
export STATE_DIR
STATE_DIR="$(mktemp -d /tmp/grassroots-e2e.XXXXXX)"
export BUILD_DIR="$build_dir"
export GATEWAY="http://127.0.0.1:$((8080 + PORT_OFFSET))"
export ADMIN_TOKEN_FILE="$STATE_DIR/secrets/admin.token"
# The example portal is served from this origin by the portal check.
export PORTAL_ORIGIN_PORT=$((8090 + PORT_OFFSET))
run_log="$STATE_DIR/run.log"

run_sh() {
  GRASSROOTS_STATE_DIR="$STATE_DIR" GRASSROOTS_PORT_OFFSET="$PORT_OFFSET" GRASSROOTS_SKIP_INSTALL=1 \
    GRASSROOTS_SKIP_BUILD=1 GRASSROOTS_RUN_BUILD_DIR="$build_dir" \
    GRASSROOTS_CORS_ALLOWED_ORIGINS="http://127.0.0.1:$PORTAL_ORIGIN_PORT" \
    GRASSROOTS_DEMO_ARGS="${GRASSROOTS_E2E_DEMO_ARGS---skip-meetings --members-2020-only}" \
    "$REPO_ROOT/scripts/run.sh" "$@"
}

finish() {
  local code=$?
  run_sh stop >>"$run_log" 2>&1 || true
  if [[ $code -ne 0 ]]; then
    echo "---- last lines of run.sh ($run_log) ----"
    tail -n 40 "$run_log" || true
    for log in "$STATE_DIR"/logs/*.log; do
      [[ -f $log ]] || continue
      echo "---- last lines of $log ----"
      tail -n 15 "$log"
    done
  fi
  [[ -n ${GRASSROOTS_E2E_KEEP_STATE:-} ]] || rm -rf "$STATE_DIR"
  exit "$code"
}
trap finish EXIT

echo "e2e: starting the system in $STATE_DIR (ports +$PORT_OFFSET)"
run_sh start >"$run_log" 2>&1 &
run_pid=$!
started=0
for _ in $(seq 1 1800); do   # 15 minutes at most (the demo load under sanitizers is the long part)
  if grep -q "Grassroots is running" "$run_log" 2>/dev/null; then started=1; break; fi
  if ! kill -0 "$run_pid" 2>/dev/null; then break; fi
  sleep 0.5
done
if [[ $started -ne 1 ]]; then
  echo "e2e: the system did not come up" >&2
  exit 1
fi
echo "e2e: up after ${SECONDS}s; gateway $GATEWAY"

failed=0
for check in "$@"; do
  echo "==== e2e check: $(basename "$check")"
  if ! "$check"; then
    echo "==== FAILED: $(basename "$check")"
    failed=$((failed + 1))
  fi
done
echo "e2e: $(( $# - failed )) of $# checks passed"
[[ $failed -eq 0 ]]
