#!/usr/bin/env bash
# scripts/mariadb.sh keeps a server that dies of a signal running (as mysqld_safe
# does) and records the death; a stop, even one during a restart, leaves nothing
# behind; --expect-running fails for a server that died for good.
set -euo pipefail
mariadb_sh="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/mariadb.sh"
work="$(mktemp -d /tmp/grassroots-supervision.XXXXXX)"
dir="$work/db"
cleanup() { bash "$mariadb_sh" stop "$dir" --purge >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# Processes of this server (mariadbd or its supervisor), zombies aside.
live_processes() {
  local pid count=0
  for pid in $(pgrep -f -- "$dir" || true); do
    [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) =~ ^[RSD]$ ]] && count=$((count + 1))
  done
  echo "$count"
}
wait_until() {  # wait_until <seconds> <command...>
  local limit=$(( $1 * 5 )) n=0
  shift
  until "$@"; do
    (( ++n < limit )) || return 1
    sleep 0.2
  done
}
answers_on() { mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$1" -u root -e "SELECT 1" >/dev/null 2>&1; }

bash "$mariadb_sh" start "$dir" >/dev/null
port=$(cat "$dir/port")
first=$(cat "$dir/mariadbd.pid")

echo "1. kill -9: the server comes back on its port, and the death is recorded"
kill -9 "$first"
wait_until 30 answers_on "$port" || fail "no server on $port 30 s after kill -9"
second=$(cat "$dir/mariadbd.pid")
[[ $second != "$first" ]] || fail "the pid file still names the killed server"
grep -q "mariadbd (pid $first) in $dir died of signal 9; restart 1" "$dir.restarts.log" ||
  fail "no restart recorded: $(cat "$dir.restarts.log" 2>/dev/null)"
bash "$mariadb_sh" status "$dir" || fail "status does not see the restarted server"

echo "2. a stop while a restart is under way leaves no process behind"
kill -9 "$second"
bash "$mariadb_sh" stop "$dir" >/dev/null 2>&1 || true
sleep 2   # longer than the supervisor's pause before a restart
[[ $(live_processes) -eq 0 ]] || fail "$(live_processes) process(es) of $dir still run after the stop"
answers_on "$port" && fail "a server answers on $port after the stop"

echo "3. a clean stop with --expect-running succeeds"
bash "$mariadb_sh" start "$dir" >/dev/null
bash "$mariadb_sh" stop "$dir" --expect-running >/dev/null || fail "a clean stop failed with --expect-running"

echo "4. a server dead for good fails --expect-running, with its log"
bash "$mariadb_sh" start "$dir" >/dev/null
kill -9 "$(cat "$dir/supervisor.pid")"
kill -9 "$(cat "$dir/mariadbd.pid")"
wait_until 10 bash -c "! bash '$mariadb_sh' status '$dir'" || fail "status still reports the killed server"
set +e
output=$(bash "$mariadb_sh" stop "$dir" --purge --expect-running 2>&1)
rc=$?
set -e
[[ $rc -ne 0 ]] || fail "--expect-running succeeded for a server that had died"
grep -q "had exited before this stop" <<<"$output" || fail "the stop did not say the server had died: $output"
grep -q "last lines of" <<<"$output" || fail "the stop did not show the server's log: $output"
[[ ! -d $dir ]] || fail "--purge left $dir"
echo "OK"
