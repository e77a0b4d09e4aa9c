#!/usr/bin/env bash
# A throwaway three-node Galera cluster (MariaDB + galera-4) on 127.0.0.1 for tests;
# no system service, no prompts.
#
#   galera.sh start <dir> [--nodes N]   create (first time) and start an N-node cluster (3 by
#                                       default) under <dir>: node 1 bootstraps it, the others
#                                       join one after the other (state transfer by rsync);
#                                       returns once every node is Synced in one primary
#                                       component of N; reuses a running cluster
#   galera.sh start-node <dir> <n>      (re)start node n (after a crash or kill -9) into the
#                                       running cluster: it recovers its position from its
#                                       data first, so it catches up by IST, not a full copy
#   galera.sh kill-node <dir> <n>       kill -9 node n (what a crashed machine looks like)
#   galera.sh stop <dir> [--purge]      shut every node down; --purge also deletes <dir>
#   galera.sh status <dir>              exit 0 when every node answers, is Synced, and the
#                                       cluster size is N
#
# <dir>/node<n>/ receives: data/ (datadir), mariadbd.log, pid, port (the MariaDB TCP port) and
# ports ("mysql gcomm ist sst"). <dir>/nodes holds N. User root, no password, on 127.0.0.1.
#
# Each node has its own ports for MariaDB, group communication (gmcast.listen_addr), IST and
# SST. The settings Galera needs: binlog_format=ROW, innodb_autoinc_lock_mode=2, InnoDB. Failure
# detection is shortened (a killed node is evicted within seconds rather than the default 15 s)
# so a test's failover is quick; every wait is bounded.
set -euo pipefail

readonly START_TIMEOUT_SECONDS=120
readonly STOP_TIMEOUT_SECONDS=30
readonly MARKER=.grassroots-galera
readonly PROVIDER=/usr/lib/galera/libgalera_smm.so

die() { echo "galera.sh: $*" >&2; exit 1; }

usage() {
  sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -ge 2 ]] || usage
command=$1
dir=$2
shift 2
node_count=3
purge=0
target_node=""
if [[ $command == start-node || $command == kill-node ]]; then
  [[ $# -ge 1 && $1 =~ ^[0-9]+$ ]] || die "$command needs a node number"
  target_node=$1
  shift
fi
while [[ $# -gt 0 ]]; do
  case $1 in
    --nodes) [[ $# -ge 2 && $2 =~ ^[0-9]+$ && $2 -ge 1 ]] || die "--nodes needs a positive number"; node_count=$2; shift 2 ;;
    --purge) purge=1; shift ;;
    *) die "unknown argument: $1" ;;
  esac
done

PATH=$PATH:/usr/sbin
for tool in mariadbd mariadb-install-db mariadb-admin mariadb rsync; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found; install it with: apt-get install -y mariadb-server rsync"
done
[[ -f $PROVIDER ]] || die "$PROVIDER not found; install it with: apt-get install -y galera-4"

if [[ $command == start ]]; then
  mkdir -p "$dir"
elif [[ ! -d $dir ]]; then
  echo "galera.sh: no cluster directory $dir; nothing to do"
  [[ $command != status ]] || exit 1
  exit 0
fi
dir=$(cd "$dir" && pwd)
if [[ $command == start && $(id -u) -eq 0 ]] && ! runuser -u mysql -- test -x "$dir"; then
  die "the mysql user cannot enter $dir; make it and its parents traversable (chmod o+x)"
fi
if [[ $command != start && -f $dir/nodes ]]; then node_count=$(cat "$dir/nodes"); fi
if [[ -n $target_node ]] && (( target_node < 1 || target_node > node_count )); then
  die "no node $target_node (the cluster has $node_count)"
fi

# Started by root, the servers run as the mysql user: the joiner's rsync daemon (SST) would
# otherwise drop to nobody and could not write the root-owned data directory.
run_as=()
server_user=""
if [[ $(id -u) -eq 0 ]]; then
  server_user=mysql
  id "$server_user" >/dev/null 2>&1 || die "no user $server_user (the mariadb-server package creates it)"
  run_as=(--user="$server_user")
fi
# Hands node $1's directory to the server's user (when started by root).
own_node_dir() {
  [[ -n $server_user ]] || return 0
  chown -R "$server_user:" "$(node_dir "$1")"
}

node_dir() { echo "$dir/node$1"; }
# Unix socket paths are limited to ~107 bytes; deep directories fall back to /tmp.
node_socket() {
  local socket
  socket=$(node_dir "$1")/mysqld.sock
  if [[ ${#socket} -gt 100 ]]; then
    socket=/tmp/grassroots-galera-$(printf '%s' "$dir" | md5sum | cut -c1-12)-$1.sock
  fi
  echo "$socket"
}
sql() {
  mariadb --no-defaults --socket="$(node_socket "$1")" --user=root --connect-timeout=2 --batch --skip-column-names \
    -e "$2"
}
status_value() { sql "$1" "SHOW GLOBAL STATUS LIKE '$2'" 2>/dev/null | awk '{print $2}'; }

node_pid() {
  local pidfile pid
  pidfile=$(node_dir "$1")/pid
  [[ -f $pidfile ]] || return 1
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# Synced, ready, and in a primary component of the expected size.
node_synced() {
  [[ $(status_value "$1" wsrep_local_state_comment) == Synced &&
     $(status_value "$1" wsrep_ready) == ON &&
     $(status_value "$1" wsrep_cluster_status) == Primary &&
     $(status_value "$1" wsrep_cluster_size) == "$2" ]]
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Ports are picked below the kernel's range for outgoing connections: a joiner binds its
# MariaDB port only after its state transfer, seconds after the pick, and an outgoing
# connection (rsync, a test's client) could take a port from that range meanwhile.
read -r ephemeral_low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || ephemeral_low=32768
port_low=20000
port_span=$(( ephemeral_low - port_low ))
if (( port_span < 2000 )); then port_low=10000; port_span=$(( ephemeral_low > 12000 ? ephemeral_low - port_low : 10000 )); fi

# Four distinct free ports (mysql, gcomm, ist, sst), none already given to another node.
pick_ports() {
  local picked=() port attempt taken
  taken=" $(cat "$dir"/node*/ports 2>/dev/null | tr '\n' ' ') "
  for attempt in $(seq 1 200); do
    port=$(( port_low + RANDOM % port_span ))
    [[ $taken == *" $port "* ]] && continue
    port_in_use "$port" && continue
    picked+=("$port")
    taken+="$port "
    [[ ${#picked[@]} -eq 4 ]] && { echo "${picked[*]}"; return 0; }
  done
  return 1
}

cluster_address() {
  local n addresses=()
  for n in $(seq 1 "$node_count"); do
    addresses+=("127.0.0.1:$(cut -d' ' -f2 "$(node_dir "$n")/ports")")
  done
  local IFS=,
  echo "gcomm://${addresses[*]}"
}

fail_with_log() {
  local log=$2
  echo "galera.sh: $1" >&2
  if [[ -f $log ]]; then
    echo "---- last lines of $log ----" >&2
    tail -n 40 "$log" >&2
  fi
  exit 1
}

# The server options of node $1 (everything but the role-specific ones).
server_options() {
  local n=$1 node ports mysql_port gcomm_port ist_port sst_port
  node=$(node_dir "$n")
  read -r mysql_port gcomm_port ist_port sst_port <"$node/ports"
  local provider_options="gmcast.listen_addr=tcp://127.0.0.1:$gcomm_port; base_host=127.0.0.1; base_port=$gcomm_port"
  provider_options+="; ist.recv_addr=127.0.0.1:$ist_port; gcache.size=64M"
  # A killed node is declared dead after ~3 s (defaults: suspect 5 s, inactive 15 s).
  provider_options+="; evs.keepalive_period=PT0.5S; evs.suspect_timeout=PT3S; evs.inactive_timeout=PT6S"
  provider_options+="; evs.inactive_check_period=PT0.5S; evs.install_timeout=PT6S"
  printf '%s\n' \
    "--no-defaults" "${run_as[@]}" \
    "--datadir=$node/data" "--socket=$(node_socket "$n")" "--pid-file=$node/mariadbd.pid" \
    "--log-error=$node/mariadbd.log" "--bind-address=127.0.0.1" "--port=$mysql_port" "--skip-name-resolve" \
    "--character-set-server=utf8mb4" "--collation-server=utf8mb4_unicode_ci" \
    "--innodb-buffer-pool-size=128M" "--innodb-log-file-size=32M" "--innodb-flush-log-at-trx-commit=2" \
    "--max-connections=300" "--secure-file-priv=$node" \
    "--default-storage-engine=InnoDB" "--binlog-format=ROW" "--innodb-autoinc-lock-mode=2" \
    "--wsrep-on=ON" "--wsrep-provider=$PROVIDER" "--wsrep-cluster-name=$(cat "$dir/cluster-name")" \
    "--wsrep-cluster-address=$(cluster_address)" "--wsrep-node-name=node$n" \
    "--wsrep-node-address=127.0.0.1" "--wsrep-node-incoming-address=127.0.0.1:$mysql_port" \
    "--wsrep-sst-method=rsync" "--wsrep-sst-receive-address=127.0.0.1:$sst_port" \
    "--wsrep-provider-options=$provider_options"
}

# Starts node $1 with the extra options after it and waits (bounded) until it is Synced in a
# cluster of $2 nodes. Returns 3 when one of its ports was taken meanwhile.
launch() {
  local n=$1 expected_size=$2 node pid waited=0 options=()
  shift 2
  node=$(node_dir "$n")
  mapfile -t options < <(server_options "$n")
  : >"$node/mariadbd.log"
  own_node_dir "$n"
  setsid mariadbd "${options[@]}" "$@" </dev/null >>"$node/mariadbd.log" 2>&1 &
  pid=$!
  echo "$pid" >"$node/pid"
  while (( waited < START_TIMEOUT_SECONDS * 5 )); do
    if node_synced "$n" "$expected_size"; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      if grep -q "Address already in use" "$node/mariadbd.log"; then return 3; fi
      fail_with_log "node $n exited during start-up" "$node/mariadbd.log"
    fi
    sleep 0.2
    waited=$(( waited + 1 ))
  done
  kill -9 "$pid" 2>/dev/null || true
  fail_with_log "node $n was not Synced in a cluster of $expected_size within ${START_TIMEOUT_SECONDS}s" \
    "$node/mariadbd.log"
}

# launch, with fresh ports for the node when one of its own was taken meanwhile (the
# others find it through their own addresses in the cluster address).
launch_with_retry() {
  local n=$1 attempt rc node
  node=$(node_dir "$n")
  for attempt in 1 2 3; do
    rc=0
    launch "$@" || rc=$?
    [[ $rc -eq 3 ]] || return $rc
    echo "galera.sh: a port of node $n was taken while it started; retrying on other ports" >&2
    pick_ports >"$node/ports.tmp" || die "found no free TCP ports"
    mv "$node/ports.tmp" "$node/ports"
    cut -d' ' -f1 "$node/ports" >"$node/port"
  done
  fail_with_log "node $n could not bind its ports after 3 attempts" "$node/mariadbd.log"
}

# The position node $1's data holds (uuid:seqno), read by a recovery run of the server, so
# that it rejoins by incremental state transfer.
recovered_position() {
  local n=$1 node options=() position
  node=$(node_dir "$n")
  mapfile -t options < <(server_options "$n")
  : >"$node/recover.log"
  own_node_dir "$n"
  mariadbd "${options[@]}" --log-error="$node/recover.log" --wsrep-recover </dev/null >/dev/null 2>&1 || true
  position=$(sed -n 's/.*WSREP: Recovered position: *\([0-9a-f-]*:-\{0,1\}[0-9]*\).*/\1/p' "$node/recover.log" | tail -n 1)
  echo "$position"
}

running_size() {
  local n
  for n in $(seq 1 "$node_count"); do
    if node_pid "$n" >/dev/null && [[ $(status_value "$n" wsrep_cluster_status) == Primary ]]; then
      status_value "$n" wsrep_cluster_size
      return 0
    fi
  done
  echo 0
}

start() {
  touch "$dir/$MARKER"
  if [[ -f $dir/nodes ]] && cluster_up; then
    echo "galera.sh: reusing the cluster in $dir ($(cat "$dir/nodes") nodes)"
    return 0
  fi
  local n node
  for n in $(seq 1 "$node_count"); do
    node_pid "$n" >/dev/null && die "node $n in $dir is running but the cluster is not healthy; stop it first"
  done
  echo "$node_count" >"$dir/nodes"
  [[ -f $dir/cluster-name ]] || echo "grassroots-test-$$-$RANDOM" >"$dir/cluster-name"
  for n in $(seq 1 "$node_count"); do
    node=$(node_dir "$n")
    mkdir -p "$node"
    if [[ ! -f $node/ports ]]; then
      pick_ports >"$node/ports.tmp" || die "found no free TCP ports"
      mv "$node/ports.tmp" "$node/ports"
    fi
    cut -d' ' -f1 "$node/ports" >"$node/port"
  done
  node=$(node_dir 1)
  if [[ ! -d $node/data/mysql ]]; then
    rm -rf "$node/data"
    mkdir -p "$node/data"
    own_node_dir 1
    mariadb-install-db --no-defaults "${run_as[@]}" --auth-root-authentication-method=normal \
      --datadir="$node/data" --skip-test-db >"$node/install.log" 2>&1 ||
      fail_with_log "mariadb-install-db failed" "$node/install.log"
  fi
  # The first node founds a new cluster; the others copy its data (SST) as they join.
  launch_with_retry 1 1 --wsrep-new-cluster
  for n in $(seq 2 "$node_count"); do
    mkdir -p "$(node_dir "$n")/data"
    launch_with_retry "$n" "$n"
  done
  echo "galera.sh: $node_count-node Galera cluster running in $dir on 127.0.0.1, MariaDB ports:" \
    "$(cat "$dir"/node*/port | tr '\n' ' ')"
}

start_node() {
  local n=$1 position size
  node_pid "$n" >/dev/null && die "node $n is already running"
  size=$(running_size)
  [[ $size -ge 1 ]] || die "no node of the cluster in $dir is running in a primary component; nothing to join"
  position=$(recovered_position "$n")
  if [[ -n $position ]]; then
    launch_with_retry "$n" $(( size + 1 )) --wsrep-start-position="$position"
  else
    launch_with_retry "$n" $(( size + 1 ))
  fi
  echo "galera.sh: node $n rejoined at ${position:-no recovered position}; cluster size $(( size + 1 ))"
}

kill_node() {
  local pid
  pid=$(node_pid "$1") || die "node $1 is not running"
  kill -9 "$pid"
  echo "galera.sh: killed node $1 (pid $pid)"
}

stop_node() {
  local n=$1 pid waited=0
  pid=$(node_pid "$n") || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && (( waited < STOP_TIMEOUT_SECONDS * 5 )); do
    sleep 0.2
    waited=$(( waited + 1 ))
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "galera.sh: clean shutdown of node $n timed out; killing $pid" >&2
    kill -9 "$pid" 2>/dev/null || true
  fi
}

stop() {
  local n
  # The last node stops last, so the others leave a cluster that still has a member.
  for n in $(seq "$node_count" -1 1); do stop_node "$n"; done
  for n in $(seq 1 "$node_count"); do rm -f "$(node_dir "$n")/pid"; done
  echo "galera.sh: stopped the cluster in $dir"
  if [[ $purge -eq 1 ]]; then
    # Only ever delete a directory this script set up.
    [[ -f $dir/$MARKER ]] || die "refusing to purge $dir: it was not created by galera.sh"
    for n in $(seq 1 "$node_count"); do rm -f "$(node_socket "$n")"; done
    rm -rf "$dir"
    echo "galera.sh: purged $dir"
  fi
}

cluster_up() {
  local n
  for n in $(seq 1 "$node_count"); do
    node_pid "$n" >/dev/null && node_synced "$n" "$node_count" || return 1
  done
}

case $command in
  start) start ;;
  start-node) start_node "$target_node" ;;
  kill-node) kill_node "$target_node" ;;
  stop) stop ;;
  status) cluster_up ;;
  *) usage ;;
esac
