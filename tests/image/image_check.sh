#!/usr/bin/env bash
# Checks a built Grassroots image from its own root filesystem: what it holds
# (no demo generator, no compiler, no apt lists or docs, every shared library
# the binaries load, the data its ENV names, uid 10001), then runs its
# entrypoint service (grassroots-org) chrooted into that filesystem as the
# image's user, with the image's ENV, against a throwaway MariaDB, and checks
# that the gRPC health service reports SERVING, /metrics answers and the
# migrations ran. Root only (chroot, mounts). Run by scripts/build-image.sh.
#
#   tests/image/image_check.sh [IMAGE]
#
# IMAGE: oci-archive:<path> (the exported archive) or a name in buildah's
# storage; default localhost/grassroots:<version of CMakeLists.txt>. The root
# filesystem is that of a fresh buildah container made from IMAGE, never the
# build tree; for an archive, the image's id is matched against the config
# digest its manifest names. Everything started is stopped on any exit, and
# the whole check is bounded (GRASSROOTS_IMAGE_CHECK_TIMEOUT, seconds, default 300).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VERSION="$(sed -n 's/^project(grassroots VERSION \([0-9][0-9.]*\).*/\1/p' "$REPO_ROOT/CMakeLists.txt")"
IMAGE="${1:-localhost/grassroots:$VERSION}"
CHECK_TIMEOUT_SECONDS="${GRASSROOTS_IMAGE_CHECK_TIMEOUT:-300}"
START_TIMEOUT_SECONDS=90   # the first start applies every migration
STOP_TIMEOUT_SECONDS=30
# deploy/Dockerfile's USER: the image must never run as root.
EXPECTED_USER=10001:10001
SERVICE_DB=grassroots_org
SERVICE_DB_USER=grassroots
# Each migration component grassroots-org applies, and where its files are.
MIGRATION_SOURCES=("common $REPO_ROOT/common/db/migrations" "org $REPO_ROOT/services/org/store/migrations")
export BUILDAH_ISOLATION=chroot

log() { printf '[image-check] %s\n' "$*"; }
die() { printf '[image-check] error: %s\n' "$*" >&2; exit 1; }
FAILURES=()
pass() { log "ok    $*"; }
fail() { log "FAIL  $*"; FAILURES+=("$*"); }

[[ $(id -u) -eq 0 ]] || die "run as root: the check chroots into the image and mounts /proc there"
for tool in buildah chroot curl openssl mariadb; do
  command -v "$tool" >/dev/null || die "$tool is missing (GRASSROOTS_DEPS=image scripts/install-deps.sh installs it)"
done

WORK_DIR="$(mktemp -d /tmp/grassroots-image-check.XXXXXX)"
CONTAINER=""
ROOTFS=""
SERVICE_PID=""
MOUNTED=()
SECRETS_IN_IMAGE=/run/grassroots-image-check
WATCHDOG_PID=""

# True once process $1 has exited, false if it still runs after $2 seconds.
exited_within() {
  local pid=$1 deadline=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null; do
    (( SECONDS < deadline )) || return 1
    sleep 0.2
  done
}

cleanup() {
  local status=$? mount_point
  trap - EXIT INT TERM
  if [[ -n $SERVICE_PID ]] && kill -0 "$SERVICE_PID" 2>/dev/null; then
    kill -TERM "$SERVICE_PID" 2>/dev/null || true
    exited_within "$SERVICE_PID" "$STOP_TIMEOUT_SECONDS" || kill -KILL "$SERVICE_PID" 2>/dev/null || true
  fi
  for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
    mount_point=${MOUNTED[i]}
    umount "$mount_point" 2>/dev/null || umount -l "$mount_point" 2>/dev/null || true
  done
  [[ -z $ROOTFS ]] || rm -rf "${ROOTFS:?}$SECRETS_IN_IMAGE"
  if [[ -d $WORK_DIR/mariadb ]]; then
    bash "$REPO_ROOT/scripts/mariadb.sh" stop "$WORK_DIR/mariadb" --purge >/dev/null 2>&1 || true
  fi
  if [[ -n $CONTAINER ]]; then
    buildah umount "$CONTAINER" >/dev/null 2>&1 || true
    buildah rm "$CONTAINER" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK_DIR"
  [[ -z $WATCHDOG_PID ]] || kill "$WATCHDOG_PID" 2>/dev/null || true
  exit "$status"
}
trap cleanup EXIT
trap 'log "interrupted or out of time (${CHECK_TIMEOUT_SECONDS}s)"; exit 124' INT TERM
# The watchdog ends a check that hangs; cleanup still runs (trap). Stopped
# itself, it takes its sleep along.
(
  sleep "$CHECK_TIMEOUT_SECONDS" &
  sleep_pid=$!
  trap 'kill "$sleep_pid" 2>/dev/null; exit 0' TERM
  wait "$sleep_pid" && kill -TERM $$ 2>/dev/null
) &
WATCHDOG_PID=$!

# ---- the image's root filesystem ---------------------------------------------------
CONTAINER="$(buildah from --quiet --pull-never --name "grassroots-image-check-$$" "$IMAGE" 2>/dev/null ||
  buildah from --quiet --name "grassroots-image-check-$$" "$IMAGE")"
ROOTFS="$(buildah mount "$CONTAINER")"
IMAGE_ID="$(buildah inspect --type container --format '{{.FromImageID}}' "$CONTAINER")"
log "image $IMAGE (id ${IMAGE_ID:0:12}) mounted from a fresh container at $ROOTFS"
if [[ $IMAGE == oci-archive:* ]]; then
  archive=${IMAGE#oci-archive:}
  archive=${archive%%:*}
  manifest_digest="$(tar -xOf "$archive" index.json | grep -o '"digest":"sha256:[0-9a-f]*"' | head -n 1 | cut -d'"' -f4)"
  config_digest="$(tar -xOf "$archive" "blobs/sha256/${manifest_digest#sha256:}" |
    grep -o '"config":{[^}]*}' | grep -o 'sha256:[0-9a-f]*')"
  if [[ ${config_digest#sha256:} == "$IMAGE_ID" ]]; then
    pass "the root filesystem is the archive's image (manifest $manifest_digest, config $config_digest)"
  else
    fail "the container's image $IMAGE_ID is not the archive's (config $config_digest)"
  fi
fi
case $ROOTFS in
  "$REPO_ROOT"/build/*) fail "the root filesystem $ROOTFS lies in the build tree" ;;
esac

image_config() { buildah inspect --type image --format "$1" "$IMAGE_ID"; }
IMAGE_USER="$(image_config '{{.OCIv1.Config.User}}')"
mapfile -t IMAGE_ENV < <(image_config '{{range .OCIv1.Config.Env}}{{println .}}{{end}}' | sed '/^$/d')
mapfile -t ENTRYPOINT < <(image_config '{{range .OCIv1.Config.Entrypoint}}{{println .}}{{end}}' | sed '/^$/d')
# shellcheck disable=SC2016 # Go templates, not shell expansions
log "config: user $IMAGE_USER, entrypoint ${ENTRYPOINT[*]}, ports $(image_config \
  '{{range $port, $_ := .OCIv1.Config.ExposedPorts}}{{$port}} {{end}}')"
# shellcheck disable=SC2016 # Go templates, not shell expansions
log "labels: $(image_config '{{range $name, $value := .OCIv1.Config.Labels}}{{$name}}={{$value}} {{end}}')"

# ---- what the image holds ------------------------------------------------------------
in_image() { chroot "$ROOTFS" "$@"; }

if [[ $IMAGE_USER == "$EXPECTED_USER" ]]; then pass "runs as $IMAGE_USER"; else fail "runs as '$IMAGE_USER', not $EXPECTED_USER"; fi
if in_image getent passwd "${EXPECTED_USER%%:*}" >/dev/null; then
  pass "uid ${EXPECTED_USER%%:*} is a user of the image ($(in_image getent passwd "${EXPECTED_USER%%:*}" | cut -d: -f1))"
else
  fail "uid ${EXPECTED_USER%%:*} has no /etc/passwd entry"
fi
if [[ ${#ENTRYPOINT[@]} -gt 0 ]] && in_image test -x "${ENTRYPOINT[0]}"; then
  pass "entrypoint ${ENTRYPOINT[0]} -> $(in_image readlink -f "${ENTRYPOINT[0]}")"
else
  fail "the entrypoint '${ENTRYPOINT[*]}' is not an executable of the image"
fi

demo="$(find "$ROOTFS" -xdev -name 'grassroots-demo*' | sed "s|^$ROOTFS||")"
if [[ -z $demo ]]; then pass "no grassroots-demo"; else fail "grassroots-demo shipped: $demo"; fi

compiler_files="$(find "$ROOTFS/usr/bin" "$ROOTFS/usr/local/bin" -xdev \( -name cc -o -name 'c++' -o -name 'gcc*' \
  -o -name 'g++*' -o -name 'cpp*' -o -name 'clang*' -o -name '*-linux-gnu-gcc*' -o -name ld -o -name ld.bfd \
  -o -name ld.gold -o -name 'ld.lld*' -o -name as \) | sed "s|^$ROOTFS||")"
# shellcheck disable=SC2016 # ${Package} is dpkg-query's field, not the shell's
mapfile -t packages < <(in_image dpkg-query -W -f '${Package}\n')
compiler_packages="$(printf '%s\n' "${packages[@]}" | grep -E '^((gcc|g\+\+|cpp|clang|llvm)(-[0-9]+)?|binutils.*)$' || true)"
if [[ -z $compiler_files && -z $compiler_packages ]]; then
  pass "no compiler, assembler or linker (${#packages[@]} packages in all)"
else
  fail "build tools in the image: $(echo "$compiler_files $compiler_packages" | tr '\n' ' ')"
fi

apt_leftovers="$(find "$ROOTFS/var/lib/apt/lists" "$ROOTFS/var/cache/apt" -type f ! -name lock | sed "s|^$ROOTFS||")"
if [[ -z $apt_leftovers ]]; then pass "no apt lists or caches"; else fail "apt lists/caches left: $(echo "$apt_leftovers" | head -n 5 | tr '\n' ' ')"; fi
docs="$(find "$ROOTFS/usr/share/man" "$ROOTFS/usr/share/info" "$ROOTFS/usr/share/doc" -type f ! -name copyright 2>/dev/null | wc -l)"
if [[ $docs -eq 0 ]]; then pass "no man pages or docs (licences kept)"; else fail "$docs man/doc files left"; fi

missing_libraries=""
for binary in "$ROOTFS"/usr/local/bin/*; do
  [[ -f $binary && ! -L $binary ]] || continue
  missing="$(in_image ldd "${binary#"$ROOTFS"}" | awk '/not found/ {print $1}' | tr '\n' ' ')"
  [[ -z $missing ]] || missing_libraries+="$(basename "$binary"): $missing; "
done
binaries="$(find "$ROOTFS/usr/local/bin" -type f -printf '%f ')"
if [[ -z $missing_libraries ]]; then
  pass "every shared library loads (ldd in the image): $binaries"
else
  fail "missing shared libraries: $missing_libraries"
fi

for variable in "${IMAGE_ENV[@]}"; do
  name=${variable%%=*} value=${variable#*=}
  if [[ $name == GRASSROOTS_*_FILE || $name == GRASSROOTS_*_DIR ]]; then
    if in_image test -r "$value"; then pass "$name=$value is in the image"; else fail "$name names $value, absent from the image"; fi
  fi
done
label_version="$(image_config '{{index .OCIv1.Config.Labels "org.opencontainers.image.version"}}')"
label_revision="$(image_config '{{index .OCIv1.Config.Labels "org.opencontainers.image.revision"}}')"
if [[ $label_version == "$VERSION" && $label_revision =~ ^[0-9a-f]{40}(-dirty)?$ ]]; then
  pass "labels: version $label_version, revision $label_revision"
else
  fail "labels: version '$label_version' (want $VERSION), revision '$label_revision'"
fi

# ---- the service, from the image --------------------------------------------------------
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    port_in_use "$port" || { echo "$port"; return 0; }
  done
  return 1
}

# The status grpc.health.v1.Health/Check gives for service $2 ("" = the server)
# on plaintext port $1: SERVING, NOT_SERVING, ... or the error. curl speaks
# HTTP/2 without TLS (prior knowledge); the request and response are
# length-prefixed protobuf messages with one field each (1: service, 1: status).
grpc_health_status() {
  local port=$1 service=$2 body grpc_status status_byte
  {
    printf '\0\0\0\0'
    if [[ -z $service ]]; then
      printf '\0'
    else
      # shellcheck disable=SC2059 # the format is built from the lengths on purpose
      printf "\\x$(printf %02x $((${#service} + 2)))\\x0a\\x$(printf %02x ${#service})%s" "$service"
    fi
  } >"$WORK_DIR/health-request"
  if ! curl -sS --http2-prior-knowledge --max-time 3 -X POST -H 'content-type: application/grpc' -H 'te: trailers' \
      --data-binary @"$WORK_DIR/health-request" -D "$WORK_DIR/health-headers" -o "$WORK_DIR/health-response" \
      "http://127.0.0.1:$port/grpc.health.v1.Health/Check" 2>"$WORK_DIR/health-error"; then
    echo "unreachable ($(tr -d '\n' <"$WORK_DIR/health-error"))"
    return
  fi
  grpc_status="$(tr -d '\r' <"$WORK_DIR/health-headers" | sed -n 's/^grpc-status: *//Ip' | tail -n 1)"
  if [[ $grpc_status != 0 ]]; then
    echo "grpc-status ${grpc_status:-missing} $(tr -d '\r' <"$WORK_DIR/health-headers" | sed -n 's/^grpc-message: *//Ip')"
    return
  fi
  body="$(od -An -v -tx1 "$WORK_DIR/health-response" | tr -d ' \n')"
  # 5-byte prefix, then field 1 (tag 08) and its value; an empty message is UNKNOWN (0).
  status_byte=0
  [[ ${body:10:2} == 08 ]] && status_byte=$((16#${body:12:2}))
  case $status_byte in
    0) echo UNKNOWN ;; 1) echo SERVING ;; 2) echo NOT_SERVING ;; 3) echo SERVICE_UNKNOWN ;; *) echo "status $status_byte" ;;
  esac
}

sql_as_root() { mariadb --no-defaults --protocol=TCP -h 127.0.0.1 -P "$DB_PORT" -u root --batch --skip-column-names "$@"; }

bash "$REPO_ROOT/scripts/mariadb.sh" start "$WORK_DIR/mariadb" | sed 's/^/[image-check] /'
DB_PORT="$(cat "$WORK_DIR/mariadb/port")"
DB_PASSWORD="$(openssl rand -hex 16)"
# As scripts/run.sh creates them: the service's schema and a user allowed on it only.
sql_as_root <<SQL
CREATE DATABASE $SERVICE_DB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER '$SERVICE_DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON $SERVICE_DB.* TO '$SERVICE_DB_USER'@'127.0.0.1';
SQL

# The secrets a deployment mounts, here in the container's own /run, readable by its user only.
secrets="$ROOTFS$SECRETS_IN_IMAGE"
mkdir -p "$secrets"
(
  umask 077
  printf '%s' "$DB_PASSWORD" >"$secrets/db-password"
  openssl rand -hex 32 >"$secrets/page-token-secret"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK_DIR/auth-private.pem" 2>/dev/null
  openssl pkey -in "$WORK_DIR/auth-private.pem" -pubout -out "$secrets/auth-public.pem"
)
chown -R "$EXPECTED_USER" "$secrets"
chmod 0700 "$secrets"

# What a container runtime provides: /proc, and a /dev with the usual devices only.
mount -t proc proc "$ROOTFS/proc" && MOUNTED+=("$ROOTFS/proc")
mount -t tmpfs -o mode=0755,nosuid dev "$ROOTFS/dev" && MOUNTED+=("$ROOTFS/dev")
for device in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" "urandom 1 9"; do
  read -r name major minor <<<"$device"
  mknod -m 0666 "$ROOTFS/dev/$name" c "$major" "$minor"
done
ln -s /proc/self/fd "$ROOTFS/dev/fd"

GRPC_PORT="$(free_port)"
HEALTH_PORT="$(free_port)"
METRICS_PORT="$(free_port)"
environment=(
  "${IMAGE_ENV[@]}"
  GRASSROOTS_DB_HOST=127.0.0.1
  GRASSROOTS_DB_PORT="$DB_PORT"
  GRASSROOTS_DB_USER="$SERVICE_DB_USER"
  GRASSROOTS_DB_PASSWORD_FILE="$SECRETS_IN_IMAGE/db-password"
  GRASSROOTS_DB_DATABASE="$SERVICE_DB"
  GRASSROOTS_AUTH_PUBLIC_KEY_FILE="$SECRETS_IN_IMAGE/auth-public.pem"
  GRASSROOTS_PAGE_TOKEN_SECRET_FILE="$SECRETS_IN_IMAGE/page-token-secret"
  GRASSROOTS_GRPC_ADDRESS="127.0.0.1:$GRPC_PORT"
  GRASSROOTS_HEALTH_ADDRESS="127.0.0.1:$HEALTH_PORT"
  GRASSROOTS_METRICS_ADDRESS="127.0.0.1:$METRICS_PORT"
  GRASSROOTS_HEALTH_CHECK_INTERVAL_MS=200
  GRASSROOTS_DRAIN_DELAY_MS=200
)
log "starting ${ENTRYPOINT[*]} in the image as $IMAGE_USER: gRPC :$GRPC_PORT, health :$HEALTH_PORT, metrics :$METRICS_PORT"
# setsid and chroot exec in turn, so $! is the service itself.
env -i "${environment[@]}" setsid chroot --userspec="$IMAGE_USER" "$ROOTFS" "${ENTRYPOINT[@]}" \
  </dev/null >"$WORK_DIR/service.log" 2>&1 &
SERVICE_PID=$!

health="not asked yet"
deadline=$((SECONDS + START_TIMEOUT_SECONDS))
while (( SECONDS < deadline )); do
  if ! kill -0 "$SERVICE_PID" 2>/dev/null; then
    log "the service exited during start-up; its log:"
    tail -n 30 "$WORK_DIR/service.log" >&2
    fail "the service did not start"
    break
  fi
  health="$(grpc_health_status "$HEALTH_PORT" "")"
  [[ $health == SERVING ]] && break
  sleep 0.5
done

if kill -0 "$SERVICE_PID" 2>/dev/null; then
  executable="$(readlink "/proc/$SERVICE_PID/exe")"
  ids="$(awk '/^Uid:/ {printf "uid %s ", $2} /^Gid:/ {printf "gid %s", $2}' "/proc/$SERVICE_PID/status")"
  if [[ $executable == "$ROOTFS"/* && $ids == "uid ${EXPECTED_USER%%:*} gid ${EXPECTED_USER##*:}" ]]; then
    pass "pid $SERVICE_PID runs ${executable#"$ROOTFS"} of the image as $ids"
  else
    fail "pid $SERVICE_PID runs $executable as $ids"
  fi
  if [[ $health == SERVING ]]; then pass "health port: grpc.health.v1 reports SERVING"; else fail "health: $health after ${START_TIMEOUT_SECONDS}s"; fi
  liveness="$(grpc_health_status "$HEALTH_PORT" grassroots.liveness)"
  if [[ $liveness == SERVING ]]; then pass "health port: grassroots.liveness SERVING"; else fail "liveness: $liveness"; fi
  main_port_health="$(grpc_health_status "$GRPC_PORT" "")"
  if [[ $main_port_health == SERVING ]]; then pass "gRPC port: health SERVING"; else fail "gRPC port health: $main_port_health"; fi

  if curl -fsS --max-time 5 "http://127.0.0.1:$METRICS_PORT/metrics" -o "$WORK_DIR/metrics"; then
    families="$(grep -c '^# TYPE ' "$WORK_DIR/metrics" || true)"
    if grep -q '^grpc_server_rate_limited_total' "$WORK_DIR/metrics"; then
      pass "/metrics answers: $families metric families"
    else
      fail "/metrics answers without grpc_server_rate_limited_total ($families families)"
    fi
  else
    fail "/metrics does not answer on :$METRICS_PORT"
  fi

  for source in "${MIGRATION_SOURCES[@]}"; do
    read -r component directory <<<"$source"
    expected="$(find "$directory" -maxdepth 1 -name 'V*.sql' | wc -l)"
    applied="$(sql_as_root -e "SELECT COUNT(*) FROM $SERVICE_DB.schema_migrations WHERE component = '$component'")"
    if [[ $applied -eq $expected && $applied -gt 0 ]]; then
      pass "migrations: $applied of $component applied (schema_migrations)"
    else
      fail "migrations: $applied of $component applied, the repository has $expected"
    fi
  done
  log "tables in $SERVICE_DB: $(sql_as_root -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$SERVICE_DB'")"

  kill -TERM "$SERVICE_PID"
  if ! exited_within "$SERVICE_PID" "$STOP_TIMEOUT_SECONDS"; then
    fail "the service did not stop within ${STOP_TIMEOUT_SECONDS}s of SIGTERM"
  else
    exit_code=0
    wait "$SERVICE_PID" || exit_code=$?
    SERVICE_PID=""
    if [[ $exit_code -eq 0 ]]; then pass "SIGTERM: the service stopped cleanly (exit 0)"; else fail "SIGTERM: exit code $exit_code"; fi
  fi
fi

if [[ ${#FAILURES[@]} -gt 0 ]]; then
  log "service log (last lines):"
  tail -n 20 "$WORK_DIR/service.log" >&2 || true
  log "${#FAILURES[@]} check(s) failed (${SECONDS}s)"
  exit 1
fi
log "all checks passed in ${SECONDS}s"
