#!/usr/bin/env bash
# Builds the production container image without a Docker daemon or a registry:
# a Debian 12 base made by debootstrap (cached), the runtime packages the
# binaries load installed into it, the binaries (stripped, the demo generator
# left out) and the data, committed by buildah into its local storage and
# exported as an OCI archive; then tests/image/image_check.sh runs a service
# from the image against a throwaway MariaDB. Root only (debootstrap, chroot).
#
#   scripts/build-image.sh
#
# The image has the interface of deploy/Dockerfile, read from its runtime stage
# (ENV, EXPOSE, USER, ENTRYPOINT, the data it copies, the uid it creates), so
# the two cannot drift apart.
#
# Environment:
#   GRASSROOTS_IMAGE_BUILD_DIR   build tree (default build/image: Release, no tests); may name
#                                an existing one, e.g. build/ci, whose binaries are then reused
#                                (only the image's targets are brought up to date)
#   GRASSROOTS_BUILD_LOCK        a file to flock around the compile (a tree others build in too)
#   GRASSROOTS_JOBS              compile jobs (default nproc)
#   GRASSROOTS_IMAGE_DIR         cache and output (default .grassroots/image)
#   GRASSROOTS_IMAGE_NAME        image name in buildah's storage (default localhost/grassroots)
#   GRASSROOTS_IMAGE_SERVICE     the binary the entrypoint runs (default: the Dockerfile's SERVICE)
#   GRASSROOTS_DEBIAN_MIRROR     Debian mirror (default: the one apt uses here for bookworm)
#   GRASSROOTS_DEBIAN_SECURITY_MIRROR   security mirror (default: apt's for bookworm-security)
#   GRASSROOTS_IMAGE_REFRESH_BASE=1     debootstrap the base again instead of reusing the cache
#   GRASSROOTS_SKIP_INSTALL=1    do not run scripts/install-deps.sh
#   GRASSROOTS_SKIP_IMAGE_CHECK=1  do not run tests/image/image_check.sh
#
# buildah runs with BUILDAH_ISOLATION=chroot (no user namespace, no OCI
# runtime: as root that needs nothing from the kernel beyond chroot and
# mounts) and its configured storage driver (overlay here, kernel overlayfs as
# root; set STORAGE_DRIVER=vfs where overlay cannot be mounted, e.g. inside an
# unprivileged container).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGE_DIR="${GRASSROOTS_IMAGE_DIR:-$REPO_ROOT/.grassroots/image}"
BUILD_DIR="${GRASSROOTS_IMAGE_BUILD_DIR:-$REPO_ROOT/build/image}"
[[ $BUILD_DIR == /* ]] || BUILD_DIR="$REPO_ROOT/$BUILD_DIR"
JOBS="${GRASSROOTS_JOBS:-$(nproc)}"
IMAGE_NAME="${GRASSROOTS_IMAGE_NAME:-localhost/grassroots}"
DOCKERFILE="$REPO_ROOT/deploy/Dockerfile"
SUITE=bookworm
BASE_ROOTFS="$IMAGE_DIR/base/$SUITE-minbase"
BASE_STAMP="$BASE_ROOTFS.complete"
# Downloaded .deb files, kept between builds so a rebuild downloads only updates.
APT_ARCHIVES="$IMAGE_DIR/apt-archives"
STAGE_DIR="$IMAGE_DIR/stage"
RUNTIME_USER_NAME=grassroots
export BUILDAH_ISOLATION=chroot
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$REPO_ROOT}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"

log() { printf '[build-image] %s\n' "$*"; }
die() { printf '[build-image] error: %s\n' "$*" >&2; exit 1; }
elapsed() { echo "$((SECONDS - $1))s"; }

[[ $(id -u) -eq 0 ]] || die "run as root: debootstrap and the chroot the packages are installed in need it"

# ---- the Dockerfile's runtime stage, the image's specification ------------------
runtime_stage() { sed -n '/^FROM .* AS runtime/,$p' "$DOCKERFILE"; }
dockerfile_env() { runtime_stage | sed -n 's/^ENV \([A-Z_][A-Z0-9_]*=.*\)$/\1/p'; }
dockerfile_ports() { runtime_stage | sed -n 's/^EXPOSE //p'; }
dockerfile_user() { runtime_stage | sed -n 's/^USER //p'; }
dockerfile_entrypoint() { runtime_stage | sed -n 's/^ENTRYPOINT //p'; }
dockerfile_service() { runtime_stage | sed -n 's/^ARG SERVICE=//p'; }
# "data/rules/ /usr/share/grassroots/rules/" for each COPY of the repository's data.
dockerfile_data_copies() { runtime_stage | sed -n 's/^COPY \(data\/[^ ]*\) \(\/[^ ]*\)$/\1 \2/p'; }

# The Debian mirror apt uses here for suite $1 (deb822 sources first, then one-line sources.list).
apt_mirror_for_suite() {
  local suite=$1 file uri
  for file in /etc/apt/sources.list.d/*.sources; do
    [[ -f $file ]] || continue
    uri=$(awk -v suite="$suite" '
      /^$/ {uri=""; next}
      /^URIs:/ {uri=$2}
      /^Suites:/ {for (i = 2; i <= NF; i++) if ($i == suite && uri != "") {print uri; exit}}' "$file")
    [[ -n $uri ]] && { echo "$uri"; return; }
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $file ]] || continue
    uri=$(awk -v suite="$suite" '$1 == "deb" && $3 == suite {print $2; exit}' "$file")
    [[ -n $uri ]] && { echo "$uri"; return; }
  done
  return 1
}

MIRROR="${GRASSROOTS_DEBIAN_MIRROR:-$(apt_mirror_for_suite "$SUITE" || echo http://deb.debian.org/debian)}"
SECURITY_MIRROR="${GRASSROOTS_DEBIAN_SECURITY_MIRROR:-$(apt_mirror_for_suite "$SUITE-security" ||
  echo http://deb.debian.org/debian-security)}"
VERSION="$(sed -n 's/^project(grassroots VERSION \([0-9][0-9.]*\).*/\1/p' "$REPO_ROOT/CMakeLists.txt")"
[[ -n $VERSION ]] || die "no project(grassroots VERSION x.y.z) in CMakeLists.txt"
# The commit, marked -dirty when tracked files differ from it (the binaries are built from the working tree).
REVISION="$(git -C "$REPO_ROOT" describe --always --dirty --abbrev=40)"
IMAGE_REF="$IMAGE_NAME:$VERSION"
ARCHIVE="$IMAGE_DIR/grassroots-$VERSION.oci.tar"
SERVICE="${GRASSROOTS_IMAGE_SERVICE:-$(dockerfile_service)}"
RUNTIME_USER="$(dockerfile_user)"
RUNTIME_UID="${RUNTIME_USER%%:*}"
RUNTIME_GID="${RUNTIME_USER##*:}"
[[ $RUNTIME_UID =~ ^[0-9]+$ && $RUNTIME_GID =~ ^[0-9]+$ ]] || die "deploy/Dockerfile has no numeric USER uid:gid"

# ---- 1. tools -----------------------------------------------------------------------
install_tools() {
  if [[ ${GRASSROOTS_SKIP_INSTALL:-0} == 1 ]]; then return; fi
  GRASSROOTS_DEPS=image bash "$REPO_ROOT/scripts/install-deps.sh"
}

# ---- 2. binaries ----------------------------------------------------------------------
# Every executable the services define, except the demo generator (it writes fictional data).
image_targets() {
  sed -n 's/^add_executable(\(grassroots[-a-z]*\) .*/\1/p' "$REPO_ROOT"/services/*/CMakeLists.txt |
    grep -vx grassroots-demo | sort -u
}

build_binaries() {
  local targets=() build=()
  mapfile -t targets < <(image_targets)
  [[ ${#targets[@]} -gt 0 ]] || die "no grassroots executables found in services/*/CMakeLists.txt"
  if [[ ! -f $BUILD_DIR/CMakeCache.txt ]]; then
    log "configuring $BUILD_DIR (Release, no tests)"
    cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGRASSROOTS_BUILD_TESTS=OFF >/dev/null
  fi
  log "building ${targets[*]} in $BUILD_DIR ($(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD_DIR/CMakeCache.txt"))"
  [[ -z ${GRASSROOTS_BUILD_LOCK:-} ]] || build=(flock "$GRASSROOTS_BUILD_LOCK")
  "${build[@]}" cmake --build "$BUILD_DIR" --target "${targets[@]}" -j"$JOBS"
}

# Stripped copies of the binaries in $STAGE_DIR/bin, and the Debian packages
# providing the shared libraries they load in $STAGE_DIR/runtime-packages.txt
# (ldd + dpkg -S, as deploy/Dockerfile derives them).
stage_binaries() {
  local target binary lib
  rm -rf "$STAGE_DIR"
  mkdir -p "$STAGE_DIR/bin"
  while read -r target; do
    binary="$(find "$BUILD_DIR/services" -type f -perm -u+x -name "$target" | head -n 1)"
    [[ -n $binary ]] || die "$target was not built in $BUILD_DIR"
    strip --strip-unneeded -o "$STAGE_DIR/bin/$target" "$binary"
    chmod 0755 "$STAGE_DIR/bin/$target"
  done < <(image_targets)
  [[ ! -e $STAGE_DIR/bin/grassroots-demo ]] || die "grassroots-demo must not be staged"
  for lib in $(ldd "$STAGE_DIR"/bin/* | awk '/=> \// {print $3}' | sort -u); do
    dpkg -S "$lib" 2>/dev/null || dpkg -S "$(realpath "$lib")" 2>/dev/null || dpkg -S "/usr$lib"
  done | cut -d: -f1 | sort -u >"$STAGE_DIR/runtime-packages.txt"
  log "staged: $(du -ch "$STAGE_DIR"/bin/* | tail -n 1 | cut -f1) of stripped binaries ($(find "$STAGE_DIR/bin" -type f -printf '%f '))"
  log "runtime packages: $(tr '\n' ' ' <"$STAGE_DIR/runtime-packages.txt")"
}

# ---- 3. the base ------------------------------------------------------------------------
# debootstrap once; later builds copy the cached tree. The stamp is written
# only after a complete run, so an interrupted one is redone.
ensure_base() {
  if [[ -f $BASE_STAMP && ${GRASSROOTS_IMAGE_REFRESH_BASE:-0} != 1 ]]; then
    log "reusing the $SUITE minbase base from $(cat "$BASE_STAMP")"
    return
  fi
  local started=$SECONDS
  rm -rf "$BASE_ROOTFS" "$BASE_STAMP"
  mkdir -p "$(dirname "$BASE_ROOTFS")"
  log "debootstrap --variant=minbase $SUITE from $MIRROR (log: $BASE_ROOTFS.log)"
  debootstrap --variant=minbase "$SUITE" "$BASE_ROOTFS" "$MIRROR" >"$BASE_ROOTFS.log" 2>&1 ||
    { tail -n 20 "$BASE_ROOTFS.log" >&2; die "debootstrap failed (log: $BASE_ROOTFS.log)"; }
  echo "$(date -u +%FT%TZ) ($MIRROR)" >"$BASE_STAMP"
  log "base ready in $(elapsed "$started"): $(du -sh "$BASE_ROOTFS" | cut -f1)"
}

# ---- 4. the image --------------------------------------------------------------------------
CONTAINER=""
remove_container() {
  if [[ -n $CONTAINER ]] && buildah inspect --type container "$CONTAINER" >/dev/null 2>&1; then
    buildah rm "$CONTAINER" >/dev/null || true
  fi
}

# Apt sources with the security suite (the image gets its fixes) and dpkg
# excludes, so the packages installed next bring no documentation.
configure_packaging() {
  local rootfs=$1
  rm -f "$rootfs/etc/apt/sources.list"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # The licences (copyright files) stay.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/grassroots-no-docs" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
  # No init system in a container: nothing a package installs may start.
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
}

install_runtime_packages() {
  local packages
  packages="$(tr '\n' ' ' <"$STAGE_DIR/runtime-packages.txt")"
  mkdir -p "$APT_ARCHIVES/partial"
  # shellcheck disable=SC2016,SC2086 # $1.. belong to the inner shell; the list is word-split
  buildah run --isolation chroot --volume "$APT_ARCHIVES:/var/cache/apt/archives" "$CONTAINER" -- \
    env DEBIAN_FRONTEND=noninteractive sh -euc '
      user=$1 uid=$2 gid=$3
      shift 3
      apt-get update -q
      apt-get upgrade -y -q
      apt-get install -y -q --no-install-recommends "$@"
      groupadd --system --gid "$gid" "$user"
      useradd --system --uid "$uid" --gid "$gid" --no-create-home --shell /usr/sbin/nologin "$user"
    ' sh "$RUNTIME_USER_NAME" "$RUNTIME_UID" "$RUNTIME_GID" $packages 2>&1 | sed 's/^/[build-image]   /'
}

# What the packages and the base leave behind that a running service never reads.
clean_rootfs() {
  local rootfs=$1
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/* \
    "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/lib/dpkg/*-old "$rootfs"/var/log/* \
    "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/groff/* \
    "$rootfs"/usr/share/lintian/* "$rootfs"/usr/share/linda/* "$rootfs"/usr/share/locale/* \
    "$rootfs/usr/sbin/policy-rc.d" "$rootfs"/tmp/* "$rootfs"/var/tmp/*
  find "$rootfs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  # The container runtime mounts /dev; the device nodes debootstrap made are not shipped.
  rm -rf "${rootfs:?}"/dev/*
  mkdir -p "$rootfs/var/cache/apt/archives/partial" "$rootfs/var/lib/apt/lists/partial"
}

install_grassroots() {
  local rootfs=$1 source target
  install -m 0755 "$STAGE_DIR"/bin/* "$rootfs/usr/local/bin/"
  while read -r source target; do
    mkdir -p "$rootfs$target"
    cp -r "$REPO_ROOT/$source." "$rootfs$target"
    chmod -R u=rwX,go=rX "$rootfs$target"
  done < <(dockerfile_data_copies)
  [[ -x $rootfs/usr/local/bin/$SERVICE ]] || die "the image has no $SERVICE to run"
  ln -sfn "/usr/local/bin/$SERVICE" "$rootfs/usr/local/bin/grassroots-service"
}

configure_image() {
  local settings=() variable port
  while read -r variable; do settings+=(--env "$variable"); done < <(dockerfile_env)
  for port in $(dockerfile_ports); do settings+=(--port "$port"); done
  buildah config "${settings[@]}" \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --user "$RUNTIME_USER" --workingdir / \
    --entrypoint "$(dockerfile_entrypoint)" --stop-signal SIGTERM \
    --os linux --arch amd64 \
    --label org.opencontainers.image.title=grassroots \
    --label "org.opencontainers.image.description=Grassroots services and CLI; entrypoint $SERVICE" \
    --label "org.opencontainers.image.version=$VERSION" \
    --label "org.opencontainers.image.revision=$REVISION" \
    --label "org.opencontainers.image.created=$(date -u +%FT%TZ)" \
    --label "org.opencontainers.image.base.name=debian:$SUITE (debootstrap --variant=minbase)" \
    "$CONTAINER"
}

build_image() {
  local rootfs previous_id image_id digest
  CONTAINER="$(buildah from --name "grassroots-image-build-$$" scratch)"
  trap remove_container EXIT
  rootfs="$(buildah mount "$CONTAINER")"
  log "copying the base into working container $CONTAINER"
  cp -a "$BASE_ROOTFS/." "$rootfs/"
  configure_packaging "$rootfs"
  log "installing the runtime packages (buildah run --isolation chroot)"
  install_runtime_packages
  clean_rootfs "$rootfs"
  install_grassroots "$rootfs"
  buildah umount "$CONTAINER" >/dev/null
  configure_image
  previous_id="$(buildah images --noheading --format '{{.ID}}' "$IMAGE_REF" 2>/dev/null || true)"
  buildah commit --quiet --format oci --rm "$CONTAINER" "$IMAGE_REF" >/dev/null
  CONTAINER=""
  image_id="$(buildah images --noheading --no-trunc --format '{{.ID}}' "$IMAGE_REF")"
  # The image this one replaced under the tag, unless something still uses it.
  if [[ -n $previous_id && $image_id != *"$previous_id"* ]]; then
    buildah rmi "$previous_id" >/dev/null 2>&1 || true
  fi
  rm -f "$ARCHIVE"
  buildah push --quiet "$IMAGE_REF" "oci-archive:$ARCHIVE:$IMAGE_REF" >/dev/null
  digest="$(tar -xOf "$ARCHIVE" index.json | grep -o '"digest":"sha256:[0-9a-f]*"' | head -n 1 | cut -d'"' -f4)"
  log "image $IMAGE_REF in buildah's storage: id ${image_id#sha256:}, $(buildah images --noheading --format '{{.Size}}' "$IMAGE_REF")"
  log "OCI archive $ARCHIVE: $(du -h "$ARCHIVE" | cut -f1) ($(stat -c %s "$ARCHIVE") bytes), manifest digest $digest"
}

main() {
  local started=$SECONDS step
  log "grassroots $VERSION ($REVISION), image $IMAGE_REF, base $SUITE from $MIRROR"
  step=$SECONDS; install_tools; log "tools ready in $(elapsed "$step")"
  step=$SECONDS; build_binaries; stage_binaries; log "binaries ready in $(elapsed "$step")"
  step=$SECONDS; ensure_base; log "base ready in $(elapsed "$step")"
  step=$SECONDS; build_image; log "image built in $(elapsed "$step")"
  log "built in $(elapsed "$started") (before the check)"
  if [[ ${GRASSROOTS_SKIP_IMAGE_CHECK:-0} != 1 ]]; then
    bash "$REPO_ROOT/tests/image/image_check.sh" "oci-archive:$ARCHIVE"
  fi
  log "done in $(elapsed "$started")"
}

main "$@"
