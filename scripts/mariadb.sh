#!/usr/bin/env bash
# A throwaway MariaDB server for tests and local runs; no system service, no prompts.
#
#   mariadb.sh start <dir> [--port N]   create (first time) and start a server under <dir>,
#                                       on 127.0.0.1 and a free port (or N); reuse it if running
#   mariadb.sh start-replica <dir> --primary <primary-dir> [--port N] [--only-databases PATTERN]
#                                       the same, as a read-only replica of the server
#                                       running in <primary-dir> (GTID replication); with
#                                       --only-databases, only databases whose names match
#                                       the LIKE pattern are copied (replicate_wild_do_table)
#   mariadb.sh stop <dir> [--purge] [--expect-running]
#                                       shut it down cleanly; --purge also deletes <dir>;
#                                       --expect-running fails (with the end of the server's
#                                       log) when the server had already exited on its own
#   mariadb.sh status <dir>             exit 0 when it answers (a replica: and replicates)
#
# <dir> receives: data/ (datadir), mariadbd.log, mariadbd.pid, port (the TCP port), env
# (GRASSROOTS_TEST_DB_HOST/PORT/USER/PASSWORD/TLS_CA lines, sourceable) and tls/ (a CA of
# its own and the server's certificate for 127.0.0.1 and localhost: the server accepts TLS,
# and clients verify it with tls/ca.pem). User root, no password.
#
# Every server writes a row-based binary log with GTIDs (server_id 1 for `start`), so a
# replica can follow it at any time; sync_binlog=0, since a throwaway server need not
# survive a power cut and the binary log then costs no extra fsync per commit. A replica
# (server_id from its port, read_only, its own binary log) starts at the primary's
# position when it is first started: it holds what is written from then on.
set -euo pipefail

# Internal: `mariadb.sh __supervise <dir> <mariadbd command...>` runs the server
# and, like mysqld_safe, starts it again when it dies of a signal (a crash, the
# OOM killer, a stray kill -9) unless a stop was asked for: one lost server
# would otherwise fail every test after it. Each restart is recorded beside
# <dir> (<dir>.restarts.log, kept after a purge) with the end of the server's
# log; scripts/test.sh prints it. A clean exit (shutdown, SIGTERM) or a failed
# start (e.g. the port was taken) ends the supervision.
if [[ ${1:-} == __supervise ]]; then
  supervised_dir=$2
  shift 2
  restarts=0
  while true; do
    "$@" </dev/null >>"$supervised_dir/mariadbd.log" 2>&1 &
    server=$!
    rc=0
    wait "$server" || rc=$?
    if (( rc < 128 )) || [[ -f $supervised_dir/stopping ]] || (( restarts >= 5 )); then exit "$rc"; fi
    restarts=$(( restarts + 1 ))
    {
      echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) mariadbd (pid $server) in $supervised_dir died of signal" \
        "$(( rc - 128 )); restart $restarts of at most 5. The end of its log:"
      tail -n 40 "$supervised_dir/mariadbd.log"
      echo
    } >>"$supervised_dir.restarts.log" 2>&1
    sleep 0.2
    [[ ! -f $supervised_dir/stopping ]] || exit "$rc"   # a stop came during the pause
  done
fi

readonly SELF="$(readlink -f "${BASH_SOURCE[0]}")"
readonly START_TIMEOUT_SECONDS=60
readonly STOP_TIMEOUT_SECONDS=30
readonly MARKER=.grassroots-mariadb

die() { echo "mariadb.sh: $*" >&2; exit 1; }

usage() {
  sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -ge 2 ]] || usage
command=$1
dir=$2
shift 2
fixed_port=""
purge=0
expect_running=0
primary_dir=""
only_databases=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --port) [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "--port needs a number"; fixed_port=$2; shift 2 ;;
    --purge) purge=1; shift ;;
    --expect-running) expect_running=1; shift ;;
    --primary) [[ $# -ge 2 ]] || die "--primary needs the primary's server directory"; primary_dir=$2; shift 2 ;;
    --only-databases) [[ $# -ge 2 ]] || die "--only-databases needs a LIKE pattern"; only_databases=$2; shift 2 ;;
    *) die "unknown argument: $1" ;;
  esac
done

for tool in mariadbd mariadb-install-db mariadb-admin mariadb; do
  command -v "$tool" >/dev/null 2>&1 || [[ -x /usr/sbin/$tool ]] ||
    die "$tool not found; install it with: apt-get install -y mariadb-server"
done
PATH=$PATH:/usr/sbin

if [[ $command == start-replica ]]; then
  [[ -n $primary_dir ]] || die "start-replica needs --primary <primary-dir>"
  [[ -f $primary_dir/port ]] || die "no primary running in $primary_dir (start it with: mariadb.sh start $primary_dir)"
  primary_port=$(cat "$primary_dir/port")
fi
if [[ $command == start || $command == start-replica ]]; then
  mkdir -p "$dir"
elif [[ ! -d $dir ]]; then
  echo "mariadb.sh: no server directory $dir; nothing to do"
  [[ $command != status ]] || exit 1
  exit 0
fi
dir=$(cd "$dir" && pwd)
data=$dir/data
log=$dir/mariadbd.log
pidfile=$dir/mariadbd.pid
socket=$dir/mysqld.sock
# Unix socket paths are limited to ~107 bytes; deep build trees fall back to /tmp.
if [[ ${#socket} -gt 100 ]]; then
  socket=/tmp/grassroots-mariadb-$(printf '%s' "$dir" | md5sum | cut -c1-16).sock
fi

run_as=()
if [[ $(id -u) -eq 0 ]]; then run_as=(--user=root); fi

admin() { mariadb-admin --no-defaults --socket="$socket" --user=root --connect-timeout=2 "$@"; }
sql() { mariadb --no-defaults --socket="$socket" --user=root --connect-timeout=2 --batch --skip-column-names -e "$1"; }
is_replica() { [[ -f $dir/replica-of ]]; }

# Running, not a zombie: a server whose parent is gone may wait unreaped for a
# PID 1 that never reaps (containers), and kill -0 still succeeds on it.
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
  [[ $state != Z ]]
}

server_pid() {
  [[ -f $pidfile ]] || return 1
  local pid
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  echo "$pid"
}

answers() { admin ping >/dev/null 2>&1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_free_port() {
  local attempt port
  for attempt in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 30000 ))
    if ! port_in_use "$port"; then echo "$port"; return 0; fi
  done
  return 1
}

write_env() {
  local port=$1
  echo "$port" >"$dir/port.tmp" && mv "$dir/port.tmp" "$dir/port"
  cat >"$dir/env" <<EOF
GRASSROOTS_TEST_DB_HOST=127.0.0.1
GRASSROOTS_TEST_DB_PORT=$port
GRASSROOTS_TEST_DB_USER=root
GRASSROOTS_TEST_DB_PASSWORD=
GRASSROOTS_TEST_DB_TLS_CA=$dir/tls/ca.pem
EOF
}

# A throwaway CA and a server certificate it signs (EC P-256, 10 years), made
# once per server directory.
make_tls() {
  local tls=$dir/tls
  [[ -f $tls/server.pem && -f $tls/server-key.pem && -f $tls/ca.pem ]] && return 0
  command -v openssl >/dev/null 2>&1 || die "openssl not found; install it with: apt-get install -y openssl"
  mkdir -p "$tls"
  (
    umask 077
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
      -subj "/CN=grassroots test MariaDB CA" -keyout "$tls/ca-key.pem" -out "$tls/ca.pem"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -subj "/CN=localhost" -keyout "$tls/server-key.pem" -out "$tls/server.csr"
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$tls/server.ext"
    openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca-key.pem" -CAcreateserial \
      -days 3650 -extfile "$tls/server.ext" -out "$tls/server.pem"
  ) >"$dir/tls.log" 2>&1 || { cat "$dir/tls.log" >&2; die "could not make the TLS certificates (log: $dir/tls.log)"; }
  chmod 644 "$tls/ca.pem" "$tls/server.pem"
}

fail_with_log() {
  echo "mariadb.sh: $1" >&2
  if [[ -f $log ]]; then
    echo "---- last lines of $log ----" >&2
    tail -n 30 "$log" >&2
  fi
  exit 1
}

# Starts mariadbd on $1 and waits until it answers. Returns 3 when the port was
# taken in the meantime (so an automatically picked port can be retried).
launch() {
  local port=$1 pid waited=0 role=()
  if is_replica; then
    # A server id no primary in this script has (1), different for each replica.
    role=(--server-id=$(( 1000 + port )) --read-only=1 --skip-slave-start --innodb-buffer-pool-size=128M)
    if [[ -s $dir/replica-databases ]]; then
      role+=(--replicate-wild-do-table="$(cat "$dir/replica-databases").%")
    fi
  else
    role=(--server-id=1)
  fi
  : >"$log"
  rm -f "$dir/stopping"
  setsid bash "$SELF" __supervise "$dir" mariadbd --no-defaults "${run_as[@]}" \
    --datadir="$data" --socket="$socket" --pid-file="$pidfile" --log-error="$log" \
    --bind-address=127.0.0.1 --port="$port" --skip-name-resolve \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=1 \
    --max-connections=500 --secure-file-priv="$dir" \
    --ssl-ca="$dir/tls/ca.pem" --ssl-cert="$dir/tls/server.pem" --ssl-key="$dir/tls/server-key.pem" \
    --log-bin="$data/binlog" --binlog-format=ROW --sync-binlog=0 --gtid-strict-mode=1 \
    --log-bin-trust-function-creators=1 "${role[@]}" \
    </dev/null >>"$log" 2>&1 &
  # The supervisor's pid; mariadbd writes its own to $pidfile once it is up.
  pid=$!
  echo "$pid" >"$dir/supervisor.pid"
  while (( waited < START_TIMEOUT_SECONDS * 5 )); do
    if answers && server_pid >/dev/null; then
      return 0
    fi
    if ! alive "$pid"; then
      if grep -q "Address already in use\|Can't start server: Bind" "$log"; then return 3; fi
      fail_with_log "mariadbd exited during start-up"
    fi
    sleep 0.2
    waited=$(( waited + 1 ))
  done
  touch "$dir/stopping"
  local server
  if server=$(server_pid); then kill -9 "$server" 2>/dev/null || true; fi
  kill -9 "$pid" 2>/dev/null || true
  fail_with_log "mariadbd did not answer within ${START_TIMEOUT_SECONDS}s"
}

start() {
  touch "$dir/$MARKER"
  if server_pid >/dev/null && answers; then
    local port
    port=$(cat "$dir/port" 2>/dev/null || true)
    if [[ -n $fixed_port && $port != "$fixed_port" ]]; then
      die "a server is already running in $dir on port $port (asked for $fixed_port); stop it first"
    fi
    echo "mariadb.sh: reusing the server in $dir on port $port"
    return 0
  fi
  rm -f "$pidfile"
  if [[ ! -d $data/mysql ]]; then
    # Once in a while mariadb-install-db fails for no reason it states (seen
    # once in CI, not reproduced): show the server's own errors and try once
    # more on an empty data directory before giving up.
    local install_attempt
    for install_attempt in 1 2; do
      rm -rf "$data"
      mkdir -p "$data"
      if mariadb-install-db --no-defaults "${run_as[@]}" --auth-root-authentication-method=normal \
        --datadir="$data" --skip-test-db >"$dir/install.log" 2>&1; then
        break
      fi
      echo "mariadb.sh: mariadb-install-db failed (attempt $install_attempt); the server's errors:" >&2
      grep -E '\[(ERROR|Warning)\]|ERROR' "$dir/install.log" | head -n 20 >&2 || true
      if [[ $install_attempt -eq 2 ]]; then
        tail -n 30 "$dir/install.log" >&2
        die "mariadb-install-db failed (log: $dir/install.log)"
      fi
      sleep 2
    done
  fi
  make_tls
  local port rc attempt
  for attempt in 1 2 3 4 5; do
    if [[ -n $fixed_port ]]; then
      port_in_use "$fixed_port" && die "port $fixed_port on 127.0.0.1 is already in use by another process"
      port=$fixed_port
    else
      port=$(pick_free_port) || die "found no free TCP port"
    fi
    rc=0
    launch "$port" || rc=$?
    if [[ $rc -eq 0 ]]; then
      if is_replica; then follow_primary; fi
      write_env "$port"
      echo "mariadb.sh: MariaDB running in $dir on 127.0.0.1:$port (socket $socket)"
      return 0
    fi
    [[ -z $fixed_port ]] || fail_with_log "port $fixed_port was taken while starting"
  done
  fail_with_log "could not bind a free port after 5 attempts"
}

# Points the replica at the primary (first start: from the primary's present
# position, so a replica started late in a test run applies what is written
# from then on, not the run's history; later starts go on from the replica's
# own gtid_slave_pos) and waits until both replication threads run.
follow_primary() {
  local primary_port waited=0 state start_pos
  primary_port=$(cat "$dir/replica-of")
  if [[ -z $(sql "SELECT @@gtid_slave_pos") ]]; then
    start_pos=$(mariadb --no-defaults --protocol=tcp --host=127.0.0.1 --port="$primary_port" --user=root \
                  --connect-timeout=2 --batch --skip-column-names -e "SELECT @@gtid_binlog_pos") ||
      fail_with_log "cannot read the position of the primary on 127.0.0.1:$primary_port"
    sql "SET GLOBAL gtid_slave_pos='$start_pos'" || fail_with_log "cannot set the replica's start position"
  fi
  sql "STOP SLAVE; CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$primary_port, MASTER_USER='root',
       MASTER_PASSWORD='', MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos; START SLAVE;" ||
    fail_with_log "could not start replicating from 127.0.0.1:$primary_port"
  while (( waited < START_TIMEOUT_SECONDS * 5 )); do
    state=$(replication_state)
    [[ $state == "Yes Yes" ]] && return 0
    sleep 0.2
    waited=$(( waited + 1 ))
  done
  fail_with_log "the replica did not start replicating from 127.0.0.1:$primary_port (threads: $state)"
}

# "Yes Yes" when the IO and SQL threads both run.
replication_state() {
  mariadb --no-defaults --socket="$socket" --user=root --connect-timeout=2 -e "SHOW SLAVE STATUS\G" 2>/dev/null |
    awk '/Slave_IO_Running:/ {io=$2} /Slave_SQL_Running:/ {sql_thread=$2} END {print io, sql_thread}'
}

stop() {
  local pid waited=0 exited_on_its_own=0 supervisor
  # First, so the supervisor starts no server again, even one it is about to restart.
  touch "$dir/stopping"
  if pid=$(server_pid); then
    admin shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    while alive "$pid" && (( waited < STOP_TIMEOUT_SECONDS * 5 )); do
      sleep 0.2
      waited=$(( waited + 1 ))
    done
    if alive "$pid"; then
      echo "mariadb.sh: clean shutdown timed out; killing $pid" >&2
      kill -9 "$pid" 2>/dev/null || true
    fi
    echo "mariadb.sh: stopped the server in $dir"
  else
    echo "mariadb.sh: no server running in $dir"
    # A pid file without its process: the server crashed or was killed. Keep its
    # last words before a purge deletes them (a test run's clean-up fixture).
    if [[ -f $pidfile ]]; then
      exited_on_its_own=1
      echo "mariadb.sh: the server in $dir (pid $(cat "$pidfile" 2>/dev/null)) had exited before this stop" >&2
      if [[ -f $log ]]; then
        echo "---- last lines of $log ----" >&2
        tail -n 60 "$log" >&2
      fi
    fi
  fi
  # The supervisor ends once its server has, and starts none after the stop
  # file exists; a short wait is enough.
  if supervisor=$(cat "$dir/supervisor.pid" 2>/dev/null) && [[ $supervisor =~ ^[0-9]+$ ]]; then
    waited=0
    while alive "$supervisor" && (( waited < 25 )); do
      # A server it launched just before the stop file appeared: stop that one too.
      if pid=$(server_pid); then admin shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true; fi
      sleep 0.2
      waited=$(( waited + 1 ))
    done
    alive "$supervisor" && kill -9 "$supervisor" 2>/dev/null
  fi
  rm -f "$pidfile" "$dir/port" "$dir/env" "$dir/stopping" "$dir/supervisor.pid"
  if [[ $purge -eq 1 ]]; then
    # Only ever delete a directory this script set up.
    [[ -f $dir/$MARKER ]] || die "refusing to purge $dir: it was not created by mariadb.sh"
    rm -rf "$dir"
    [[ $socket == /tmp/grassroots-mariadb-* ]] && rm -f "$socket"
    echo "mariadb.sh: purged $dir"
  fi
  if [[ $expect_running -eq 1 && $exited_on_its_own -eq 1 ]]; then exit 1; fi
}

case $command in
  start) rm -f "$dir/replica-of"; start ;;
  start-replica)
    if [[ -f $dir/replica-of && $(cat "$dir/replica-of") != "$primary_port" ]] && server_pid >/dev/null; then
      die "the server in $dir replicates from port $(cat "$dir/replica-of"), not $primary_port; stop it first"
    fi
    echo "$primary_port" >"$dir/replica-of"
    printf '%s' "$only_databases" >"$dir/replica-databases"
    start
    ;;
  stop) stop ;;
  status)
    server_pid >/dev/null && answers || exit 1
    if is_replica; then [[ $(replication_state) == "Yes Yes" ]]; fi
    ;;
  *) usage ;;
esac
