#!/usr/bin/env bash
# The one run command: builds the services and the CLI, starts a private
# MariaDB and every service that exists, loads the demo committee, prints the
# tree and how to call the API, then stays up until Ctrl-C / SIGTERM and shuts
# everything down cleanly. A second run reuses the data.
#
#   scripts/run.sh            start (foreground)
#   scripts/run.sh stop       stop a run started from another terminal
#   scripts/run.sh status     show what is running
#
# State lives in .grassroots/ of the checkout: mariadb/ (database), secrets/
# (DB password, page-token key, citizen-ID lookup key, admin tokens), keys/
# (dev RS256 key pair, each service's ES256 signing key, jwks.json), logs/,
# run/ (pid files).
#
# Environment: GRASSROOTS_STATE_DIR (default .grassroots of the checkout),
# GRASSROOTS_PORT_OFFSET (default 0: added to every port below, so a second
# run, such as the end-to-end test's, can be up beside yours),
# GRASSROOTS_DB_PORT (default 3307 + offset), GRASSROOTS_RUN_BUILD_DIR
# (default build/run), GRASSROOTS_BUILD_TYPE (default RelWithDebInfo),
# GRASSROOTS_JOBS (default nproc), GRASSROOTS_SKIP_INSTALL=1 (no install-deps),
# GRASSROOTS_SKIP_BUILD=1 (use the binaries already built),
# GRASSROOTS_SKIP_DEMO=1 (do not load the demo committee), GRASSROOTS_DEMO_ARGS
# (options for `grassroots-demo load`, e.g. --skip-meetings).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${GRASSROOTS_STATE_DIR:-$REPO_ROOT/.grassroots}"
DB_DIR="$STATE_DIR/mariadb"
SECRETS_DIR="$STATE_DIR/secrets"
KEYS_DIR="$STATE_DIR/keys"
LOG_DIR="$STATE_DIR/logs"
RUN_DIR="$STATE_DIR/run"
BUILD_DIR="${GRASSROOTS_RUN_BUILD_DIR:-$REPO_ROOT/build/run}"
BUILD_TYPE="${GRASSROOTS_BUILD_TYPE:-RelWithDebInfo}"
JOBS="${GRASSROOTS_JOBS:-$(nproc)}"
PORT_OFFSET="${GRASSROOTS_PORT_OFFSET:-0}"
DB_PORT="${GRASSROOTS_DB_PORT:-$((3307 + PORT_OFFSET))}"
ORG_PORT=$((50051 + PORT_OFFSET))
MEMBERSHIP_PORT=$((50052 + PORT_OFFSET))
INSPECTION_PORT=$((50053 + PORT_OFFSET))
REPORTING_PORT=$((50054 + PORT_OFFSET))
GATEWAY_PORT=$((8080 + PORT_OFFSET))
DB_USER=grassroots
# build/run and build/ci compile the same sources with the same flags: let
# ccache share results between them (paths relative to the checkout).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$REPO_ROOT}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
MARIADB_SH="$REPO_ROOT/scripts/mariadb.sh"
CLI="$BUILD_DIR/services/cli/grassroots"
DEMO="$BUILD_DIR/services/demo/grassroots-demo"
START_TIMEOUT_SECONDS=180   # the first start applies every migration
STOP_TIMEOUT_SECONDS=40     # > drain delay + shutdown grace below
# Local runs have no load balancer to drain from: a short NOT_SERVING period keeps Ctrl-C quick.
DRAIN_DELAY_MS=1000
SHUTDOWN_GRACE_MS=10000

# The services, one line each: name, gRPC port (the gateway's: HTTP), metrics port. The binary is
# services/<name>/grassroots-<name> and the schema grassroots_<name>; a service
# whose binary is not built (yet) is skipped, so a new service only adds a line.
SERVICES=(
  "org $ORG_PORT $((9464 + PORT_OFFSET))"
  "membership $MEMBERSHIP_PORT $((9465 + PORT_OFFSET))"
  "inspection $INSPECTION_PORT $((9466 + PORT_OFFSET))"
  "reporting $REPORTING_PORT $((9467 + PORT_OFFSET))"
  "gateway $GATEWAY_PORT $((9470 + PORT_OFFSET))"
)

log() { printf '[run] %s\n' "$*"; }
die() { printf '[run] error: %s\n' "$*" >&2; exit 1; }

# ---- CLI commands (services/cli): every invocation in one place -------------
admin_token_file() { echo "$SECRETS_DIR/admin.token"; }
# Runs $1 (the CLI or the demo program) with the admin token and the local targets.
with_local_targets() {
  GRASSROOTS_TOKEN="$(cat "$(admin_token_file)" 2>/dev/null || true)" \
  GRASSROOTS_ORG_TARGET="127.0.0.1:$ORG_PORT" GRASSROOTS_MEMBERSHIP_TARGET="127.0.0.1:$MEMBERSHIP_PORT" \
  GRASSROOTS_INSPECTION_TARGET="127.0.0.1:$INSPECTION_PORT" GRASSROOTS_REPORTING_TARGET="127.0.0.1:$REPORTING_PORT" \
    "$@"
}
cli() { with_local_targets "$CLI" "$@"; }
cli_mint_admin_token() {
  "$CLI" token mint --key "$KEYS_DIR/private.pem" --role admin --scope-org 1 --ttl 12h
}
# Services mint their own short-lived tokens for one another (their signing
# keys, below); this one is for run.sh itself, acting as $1's service for $2 only.
cli_mint_service_token() {
  "$CLI" token mint --key "$(service_signing_key "$1")" --role service --scope-org 1 --subject "$1-service" \
    --ttl 5m --audience "grassroots.$2"
}
# The JWKS every service verifies tokens with: the operator key and each
# service's signing key, by kid (RFC 7638 thumbprint). Services re-read it when
# it changes, so adding a key needs no restart.
cli_write_jwks() {
  local keys=(--key "$KEYS_DIR/public.pem") entry name
  for entry in "${SERVICES[@]}"; do
    read -r name _ <<<"$entry"
    keys+=(--key "$(service_signing_key "$name")")
  done
  "$CLI" keys jwks "${keys[@]}"
}
# Answers once the org service serves requests (database reachable, migrations applied).
cli_org_answers() { cli org list >/dev/null 2>&1; }
# Inspection's writes (the demo's caseload) need the inspector role: the admin token only reads them.
inspector_token_file() { echo "$SECRETS_DIR/inspector.token"; }
cli_mint_inspector_token() {
  "$CLI" token mint --key "$KEYS_DIR/private.pem" --role inspector --scope-org 1 --subject demo-inspector --ttl 12h
}
# The demo generator is its own program (services/demo), never in the production image.
cli_load_demo() {
  [[ -x $DEMO ]] || die "the demo program was not built: $DEMO"
  # GRASSROOTS_DEMO_ARGS: options of `grassroots-demo load` (e.g. --skip-meetings), word-split.
  # shellcheck disable=SC2086
  GRASSROOTS_INSPECTOR_TOKEN="$(cat "$(inspector_token_file)" 2>/dev/null || true)" with_local_targets "$DEMO" load \
    ${GRASSROOTS_DEMO_ARGS:-}
}
cli_print_tree() { cli org tree; }
# The demo committee's scorecard for a year, as the Standing Committee reads it.
cli_print_scorecard() { cli report scorecard --org organizations/1 --year "$1"; }
# The head of service $1's change feed, at port $2 (needs a service token naming it).
cli_feed_head() {
  "$CLI" call grassroots.feed.v1.ChangeFeedService.GetFeedHead '{}' --target "127.0.0.1:$2" \
    --token "$(cli_mint_service_token reporting "$1")" 2>/dev/null |
    sed -n 's/.*"last_sequence": *"\{0,1\}\([0-9]*\).*/\1/p'
}

# ---- helpers ------------------------------------------------------------------
service_binary() { echo "$BUILD_DIR/services/$1/grassroots-$1"; }
pid_file() { echo "$RUN_DIR/$1.pid"; }

# The pid in $1 if that process is alive and its command line names $2 (e.g.
# grassroots-org), so a recycled pid is never signalled.
live_pid() {
  local file=$1 program=$2 pid
  [[ -f $file ]] || return 1
  pid="$(cat "$file" 2>/dev/null)" || return 1
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$program" || return 1
  echo "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Linux gives outgoing connections local ports from 32768-60999, and it walks
# that range in a fixed order per destination: a service started earlier (its
# database pool, its feed streams) can hold 50054 as its own end of a connection
# when reporting comes to listen there. Reserving the fixed ports keeps them out
# of that range (root only; elsewhere the start may fail with "Address already in use").
reserve_service_ports() {
  local file=/proc/sys/net/ipv4/ip_local_reserved_ports entry name grpc_port metrics_port wanted=() current
  for entry in "${SERVICES[@]}"; do
    read -r name grpc_port metrics_port <<<"$entry"
    wanted+=("$grpc_port" "$metrics_port")
  done
  if [[ ! -w $file ]]; then
    log "cannot reserve the service ports ($file is not writable): a port already taken by an outgoing connection makes a start fail"
    return 0
  fi
  current="$(cat "$file")"
  printf '%s\n' "${current:+$current,}$(IFS=,; echo "${wanted[*]}")" >"$file" ||
    log "could not reserve the service ports in $file"
}

service_signing_key() { echo "$KEYS_DIR/$1-service.pem"; }

# Writes a token file atomically (a running service may be reading the old one).
write_token() {
  local file=$1
  shift
  (umask 077 && "$@" >"$file.tmp") && mv "$file.tmp" "$file"
  chmod 0600 "$file"
}

# Generates a random secret into $1 once; never overwrites it.
ensure_secret() {
  local file=$1 bytes=$2
  if [[ ! -s $file ]]; then
    (umask 077 && openssl rand -hex "$bytes" >"$file")
    log "generated $(basename "$file")"
  fi
  chmod 0600 "$file"
}

ensure_keyring() {
  local file=$1
  if [[ ! -s $file ]]; then
    (umask 077 && printf '1 %s\ncurrent 1\n' "$(openssl rand -hex 32)" >"$file")
    log "generated $(basename "$file")"
  fi
  chmod 0600 "$file"
}

ensure_keys() {
  mkdir -p "$KEYS_DIR"
  chmod 0700 "$KEYS_DIR"
  if [[ ! -s $KEYS_DIR/private.pem || ! -s $KEYS_DIR/public.pem ]]; then
    (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$KEYS_DIR/private.pem" 2>/dev/null)
    openssl pkey -in "$KEYS_DIR/private.pem" -pubout -out "$KEYS_DIR/public.pem"
    log "generated the dev RS256 key pair in $KEYS_DIR"
  fi
  chmod 0600 "$KEYS_DIR/private.pem"
  local entry name key
  for entry in "${SERVICES[@]}"; do
    read -r name _ <<<"$entry"
    key="$(service_signing_key "$name")"
    if [[ ! -s $key ]]; then
      (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$key" 2>/dev/null)
      log "generated $name's ES256 service signing key"
    fi
    chmod 0600 "$key"
  done
}

sql_as_root() {
  mariadb --no-defaults --protocol=TCP -h 127.0.0.1 -P "$DB_PORT" -u root --batch
}

# One schema per service and one application user allowed on each schema.
ensure_database() {
  local schema=$1 password
  password="$(cat "$SECRETS_DIR/db-password")"
  # Passwords go through stdin, never the command line (visible in ps).
  sql_as_root <<SQL
CREATE DATABASE IF NOT EXISTS \`$schema\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$password';
ALTER USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$password';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON \`$schema\`.* TO '$DB_USER'@'127.0.0.1', '$DB_USER'@'localhost';
SQL
}

start_service() {
  local name=$1 grpc_port=$2 metrics_port=$3 binary
  binary="$(service_binary "$name")"
  port_in_use "$grpc_port" && die "port $grpc_port (gRPC of $name) is already in use; is another run up? (scripts/run.sh stop)"
  port_in_use "$metrics_port" && die "port $metrics_port (metrics of $name) is already in use"
  log "starting $name on 127.0.0.1:$grpc_port$([[ $name == gateway ]] && echo ' (HTTP)') (metrics 127.0.0.1:$metrics_port), log $LOG_DIR/$name.log"
  printf '\n==== %s: run.sh starts %s ====\n' "$(date -Is)" "$binary" >>"$LOG_DIR/$name.log"
  local environment=(
    GRASSROOTS_DB_HOST=127.0.0.1
    GRASSROOTS_DB_PORT="$DB_PORT"
    GRASSROOTS_DB_USER="$DB_USER"
    GRASSROOTS_DB_PASSWORD_FILE="$SECRETS_DIR/db-password"
    GRASSROOTS_DB_DATABASE="grassroots_$name"
    GRASSROOTS_AUTH_JWKS_FILE="$KEYS_DIR/jwks.json"
    GRASSROOTS_SERVICE_SIGNING_KEY_FILE="$(service_signing_key "$name")"
    GRASSROOTS_PAGE_TOKEN_SECRET_FILE="$SECRETS_DIR/page-token-secret"
    GRASSROOTS_GRPC_ADDRESS="127.0.0.1:$grpc_port"
    GRASSROOTS_METRICS_ADDRESS="127.0.0.1:$metrics_port"
    GRASSROOTS_DRAIN_DELAY_MS="$DRAIN_DELAY_MS"
    GRASSROOTS_SHUTDOWN_GRACE_MS="$SHUTDOWN_GRACE_MS"
    # The demo loader makes some 36,000 calls with one admin token; the limit
    # stays on, set out of its way (services default to 100/s per caller).
    GRASSROOTS_CALLER_RATE_PER_SECOND="${GRASSROOTS_CALLER_RATE_PER_SECOND:-5000}"
    GRASSROOTS_CALLER_BURST="${GRASSROOTS_CALLER_BURST:-10000}"
  )
  # What a service needs beyond the common options.
  case $name in
    org)
      # Org confirms with membership that a residential unit's head is a member.
      environment+=(
        GRASSROOTS_MEMBERSHIP_TARGET="127.0.0.1:$MEMBERSHIP_PORT"
      )
      ;;
    membership)
      environment+=(
        GRASSROOTS_ORG_TARGET="127.0.0.1:$ORG_PORT"
        GRASSROOTS_CITIZEN_ID_LOOKUP_KEY_FILE="$SECRETS_DIR/citizen-id-lookup-key"
        GRASSROOTS_SENSITIVE_KEYRING_FILE="$SECRETS_DIR/sensitive-keyring"
        GRASSROOTS_AUDIT_CHECKPOINT_KEY_FILE="$SECRETS_DIR/audit-checkpoint-key"
      )
      ;;
    inspection)
      # Follows org's and membership's feeds; applies discipline effects in both.
      environment+=(
        GRASSROOTS_ORG_TARGET="127.0.0.1:$ORG_PORT"
        GRASSROOTS_MEMBERSHIP_TARGET="127.0.0.1:$MEMBERSHIP_PORT"
      )
      ;;
    reporting)
      # Its read model is built from the three change feeds.
      environment+=(
        GRASSROOTS_ORG_TARGET="127.0.0.1:$ORG_PORT"
        GRASSROOTS_MEMBERSHIP_TARGET="127.0.0.1:$MEMBERSHIP_PORT"
        GRASSROOTS_INSPECTION_TARGET="127.0.0.1:$INSPECTION_PORT"
      )
      ;;
    gateway)
      # HTTP/JSON in front of the four services; the example portal page may
      # call it from a local static server (examples/portal/README.md).
      environment+=(
        GRASSROOTS_HTTP_ADDRESS="127.0.0.1:$grpc_port"
        GRASSROOTS_ORG_TARGET="127.0.0.1:$ORG_PORT"
        GRASSROOTS_MEMBERSHIP_TARGET="127.0.0.1:$MEMBERSHIP_PORT"
        GRASSROOTS_INSPECTION_TARGET="127.0.0.1:$INSPECTION_PORT"
        GRASSROOTS_REPORTING_TARGET="127.0.0.1:$REPORTING_PORT"
        GRASSROOTS_CORS_ALLOWED_ORIGINS="${GRASSROOTS_CORS_ALLOWED_ORIGINS:-http://127.0.0.1:8090,http://localhost:8090}"
      )
      ;;
  esac
  # Own session, so Ctrl-C reaches only this script, which then stops services
  # in order. The inner shell writes its pid, then becomes the service (exec).
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
  env "${environment[@]}" setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$(pid_file "$name")" "$binary" \
    </dev/null >>"$LOG_DIR/$name.log" 2>&1 &
}

# Waits until the service answers: /metrics first (the process is up), then a
# real call for services the CLI can reach.
wait_until_serving() {
  local name=$1 metrics_port=$2 waited=0
  while (( waited < START_TIMEOUT_SECONDS * 2 )); do
    if ! live_pid "$(pid_file "$name")" "grassroots-$name" >/dev/null; then
      sleep 0.5  # the pid file may not be written yet
      if ! live_pid "$(pid_file "$name")" "grassroots-$name" >/dev/null; then
        printf '[run] %s exited during start-up; last lines of %s:\n' "$name" "$LOG_DIR/$name.log" >&2
        tail -n 30 "$LOG_DIR/$name.log" >&2
        return 1
      fi
    fi
    if curl -fsS -o /dev/null "http://127.0.0.1:$metrics_port/metrics" 2>/dev/null; then
      if [[ $name != org ]] || cli_org_answers; then
        log "$name is serving"
        return 0
      fi
    fi
    sleep 0.5
    waited=$(( waited + 1 ))
  done
  printf '[run] %s did not answer within %ss; see %s\n' "$name" "$START_TIMEOUT_SECONDS" "$LOG_DIR/$name.log" >&2
  return 1
}

# Waits until reporting's read model has applied everything org, membership
# and inspection have written (the demo, just loaded), so the scorecard
# printed next counts all of it.
wait_for_read_model() {
  local source port head applied waited
  for entry in "org $ORG_PORT" "membership $MEMBERSHIP_PORT" "inspection $INSPECTION_PORT"; do
    read -r source port <<<"$entry"
    head="$(cli_feed_head "$source" "$port")"
    [[ -n $head ]] || { log "cannot read the $source feed head; the scorecard may be partial"; continue; }
    waited=0
    while :; do
      applied="$(curl -fsS "http://127.0.0.1:$((9467 + PORT_OFFSET))/metrics" 2>/dev/null |
        sed -n "s/^feed_consumer_last_applied_sequence{source=\"$source\"} \([0-9.e+]*\)$/\1/p")"
      if [[ -n $applied ]] && awk -v a="$applied" -v h="$head" 'BEGIN { exit !(a + 0 >= h + 0) }'; then break; fi
      if (( waited >= 600 )); then
        log "reporting has not caught up with the $source feed (head $head) after 120 s; the scorecard may be partial"
        break
      fi
      sleep 0.2
      waited=$(( waited + 1 ))
    done
  done
  log "reporting's read model has caught up with the three feeds"
}

# SIGTERM to every service, wait for each (they drain, then stop), then the database.
stop_everything() {
  local entry name pid waited
  for entry in "${SERVICES[@]}"; do
    read -r name _ _ <<<"$entry"
    if pid="$(live_pid "$(pid_file "$name")" "grassroots-$name")"; then
      log "stopping $name (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  for entry in "${SERVICES[@]}"; do
    read -r name _ _ <<<"$entry"
    if pid="$(live_pid "$(pid_file "$name")" "grassroots-$name")"; then
      waited=0
      while kill -0 "$pid" 2>/dev/null && (( waited < STOP_TIMEOUT_SECONDS * 5 )); do
        sleep 0.2
        waited=$(( waited + 1 ))
      done
      if kill -0 "$pid" 2>/dev/null; then
        log "$name did not stop within ${STOP_TIMEOUT_SECONDS}s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
      else
        log "$name stopped"
      fi
    fi
    rm -f "$(pid_file "$name")"
  done
  if [[ -d $DB_DIR ]]; then
    "$MARIADB_SH" stop "$DB_DIR" | sed 's/^/[run] /'
  fi
}

print_usage_help() {
  local entry name grpc_port metrics_port
  cat <<EOF

================================================================================
Grassroots is running. Data: $STATE_DIR (reused by the next run).

Call the API with the CLI (in another terminal, from $REPO_ROOT):
  export PATH="$BUILD_DIR/services/cli:\$PATH"
  export GRASSROOTS_TOKEN="\$(cat .grassroots/secrets/admin.token)"   # admin, valid 12 h
  grassroots org tree
  grassroots org list
  grassroots call OrganizationService.GetOrganization '{"name": "organizations/1"}'
EOF
  if [[ -x $(service_binary membership) ]]; then
    cat <<'EOF'
  grassroots member search "nguyen van"
  grassroots call MemberService.CountMembers '{"organizations": ["organizations/1"], "include_subtree": true}'
EOF
  fi
  cat <<EOF
  grassroots --help

The same over HTTP/JSON (the gateway; OpenAPI document at http://127.0.0.1:$GATEWAY_PORT/openapi.json):
  curl -s -H "Authorization: Bearer \$(cat $SECRETS_DIR/admin.token)" http://127.0.0.1:$GATEWAY_PORT/v1/organizations/1
  curl -s -H "Authorization: Bearer \$(cat $SECRETS_DIR/admin.token)" 'http://127.0.0.1:$GATEWAY_PORT/v1/members:search?query=nguyen%20van'

Services:
EOF
  for entry in "${SERVICES[@]}"; do
    read -r name grpc_port metrics_port <<<"$entry"
    [[ -x $(service_binary "$name") ]] || continue
    printf '  %-11s %-4s 127.0.0.1:%s   metrics http://127.0.0.1:%s/metrics   log %s\n' \
      "$name" "$([[ $name == gateway ]] && echo HTTP || echo gRPC)" "$grpc_port" "$metrics_port" "$LOG_DIR/$name.log"
  done
  cat <<EOF
  mariadb     127.0.0.1:$DB_PORT (user $DB_USER, password in .grassroots/secrets/db-password)

Metrics:  curl -s http://127.0.0.1:$((9464 + PORT_OFFSET))/metrics | grep grpc_server_handled_total
          curl -s http://127.0.0.1:$((9465 + PORT_OFFSET))/metrics | grep feed_consumer   # membership's org-tree projection
          curl -s http://127.0.0.1:$((9466 + PORT_OFFSET))/metrics | grep discipline_effects   # inspection's effects outbox
New token: $CLI token mint --key .grassroots/keys/private.pem --role admin --scope-org 1 --ttl 12h
Stop:      Ctrl-C here, or scripts/run.sh stop
================================================================================
EOF
}

cmd_status() {
  local entry name grpc_port pid any=0
  if pid="$(live_pid "$RUN_DIR/run.pid" run.sh)"; then log "run.sh is up (pid $pid)"; any=1; fi
  for entry in "${SERVICES[@]}"; do
    read -r name grpc_port _ <<<"$entry"
    if pid="$(live_pid "$(pid_file "$name")" "grassroots-$name")"; then
      log "$name is up (pid $pid, gRPC 127.0.0.1:$grpc_port)"
      any=1
    fi
  done
  if [[ -d $DB_DIR ]] && "$MARIADB_SH" status "$DB_DIR" >/dev/null 2>&1; then
    log "mariadb is up (127.0.0.1:$(cat "$DB_DIR/port" 2>/dev/null))"
    any=1
  fi
  [[ $any -eq 1 ]] || log "nothing is running"
}

cmd_stop() {
  local pid waited=0
  if pid="$(live_pid "$RUN_DIR/run.pid" run.sh)"; then
    # The foreground run cleans up itself on SIGTERM; wait for it.
    log "asking the run (pid $pid) to stop"
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null && (( waited < (STOP_TIMEOUT_SECONDS + 30) * 5 )); do
      sleep 0.2
      waited=$(( waited + 1 ))
    done
  fi
  # Whatever is left (e.g. the run was killed with SIGKILL).
  stop_everything
  rm -f "$RUN_DIR/run.pid"
}

cmd_start() {
  if pid="$(live_pid "$RUN_DIR/run.pid" run.sh)"; then
    die "a run is already up (pid $pid); use scripts/run.sh stop first"
  fi
  if [[ ${GRASSROOTS_SKIP_INSTALL:-0} != 1 ]]; then
    # helm is only for the chart test; a run does not need it.
    GRASSROOTS_SKIP_HELM=1 bash "$REPO_ROOT/scripts/install-deps.sh"
  fi
  if [[ ${GRASSROOTS_SKIP_BUILD:-0} != 1 ]]; then
    log "building in $BUILD_DIR ($BUILD_TYPE, $JOBS jobs)"
    cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DGRASSROOTS_BUILD_TESTS=OFF >/dev/null
    cmake --build "$BUILD_DIR" -j "$JOBS"
  fi
  [[ -x $CLI ]] || die "the CLI was not built: $CLI"

  mkdir -p "$STATE_DIR" "$SECRETS_DIR" "$LOG_DIR" "$RUN_DIR"
  chmod 0700 "$STATE_DIR" "$SECRETS_DIR"
  echo $$ >"$RUN_DIR/run.pid"
  # Once stopping has begun, further Ctrl-C / SIGTERM must not cut the clean-up short.
  trap 'trap "" INT TERM; stop_everything; rm -f "$RUN_DIR/run.pid"' EXIT
  trap 'trap "" INT TERM; log "stopping..."; exit 0' INT TERM

  ensure_secret "$SECRETS_DIR/db-password" 24
  ensure_secret "$SECRETS_DIR/page-token-secret" 32
  # The key of membership's citizen-ID lookup index: made once and kept, since
  # lookups of stored citizen IDs need the key they were indexed with.
  ensure_secret "$SECRETS_DIR/citizen-id-lookup-key" 32
  # Membership's keyring sealing citizen IDs, ethnicity and religion: one key, kept (README, Configuration).
  ensure_keyring "$SECRETS_DIR/sensitive-keyring"
  # The HMAC key signing membership's audit-chain checkpoints (grassroots audit verify --checkpoint-key-file).
  ensure_secret "$SECRETS_DIR/audit-checkpoint-key" 32
  ensure_keys

  # Tokens are short-lived; a fresh admin token every run (the org readiness check uses it).
  write_token "$(admin_token_file)" cli_mint_admin_token
  write_token "$(inspector_token_file)" cli_mint_inspector_token
  write_token "$KEYS_DIR/jwks.json" cli_write_jwks
  chmod 0644 "$KEYS_DIR/jwks.json"  # public keys only

  reserve_service_ports
  "$MARIADB_SH" start "$DB_DIR" --port "$DB_PORT" | sed 's/^/[run] /'
  # One after the other, in SERVICES order: each waits until the one before
  # serves (membership checks cells with org and follows org's change feed).
  local entry name grpc_port metrics_port started=()
  for entry in "${SERVICES[@]}"; do
    read -r name grpc_port metrics_port <<<"$entry"
    if [[ ! -x $(service_binary "$name") ]]; then
      log "skipping $name: $(service_binary "$name") is not built (yet)"
      continue
    fi
    [[ $name == gateway ]] || ensure_database "grassroots_$name"   # the gateway keeps no data
    start_service "$name" "$grpc_port" "$metrics_port"
    started+=("$name $metrics_port")
    wait_until_serving "$name" "$metrics_port"
  done
  [[ ${#started[@]} -gt 0 ]] || die "no service binary is built under $BUILD_DIR/services"

  if [[ ${GRASSROOTS_SKIP_DEMO:-0} != 1 ]]; then
    log "loading the demo committee (idempotent)"
    cli_load_demo
  fi
  log "organization tree:"
  cli_print_tree
  if [[ -x $(service_binary reporting) ]]; then
    wait_for_read_model
    cli_print_scorecard 2025 || log "the scorecard could not be read (see $LOG_DIR/reporting.log)"
  fi
  print_usage_help

  # Stay up; leave if a service dies on its own.
  while true; do
    for entry in "${started[@]}"; do
      read -r name _ <<<"$entry"
      if ! live_pid "$(pid_file "$name")" "grassroots-$name" >/dev/null; then
        printf '[run] %s exited unexpectedly; last lines of %s:\n' "$name" "$LOG_DIR/$name.log" >&2
        tail -n 20 "$LOG_DIR/$name.log" >&2
        exit 1
      fi
    done
    # sleep in the background so a signal interrupts the wait at once.
    sleep 2 &
    wait $! || true
  done
}

case "${1:-start}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  -h|--help|help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command: $1 (start, stop, status)" ;;
esac
