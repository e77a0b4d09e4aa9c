#!/usr/bin/env bash
# e2e check: property-based requests to every operation of the gateway's OpenAPI
# document, with the checks Schemathesis runs by default (api_properties.mjs says
# which). Run by tests/e2e/run_e2e.sh, which exports GATEWAY and ADMIN_TOKEN_FILE.
# The libraries are the ones scripts/install-deps.sh pins and installs under
# .grassroots/tools/api-properties-<version>/ (fast-check, json-schema-faker, ajv, ajv-formats).
#
# Reproduce a run: API_PROPERTIES_SEED=<the seed it printed>; one operation:
# API_PROPERTIES_OPERATIONS='^OrganizationService_GetOrganization$'. Other knobs
# (examples, time limit, write cap) are listed at the top of api_properties.mjs.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# The version install-deps.sh pins, not whatever is lying around.
version=$(sed -n 's/^API_PROPERTIES_VERSION="\(.*\)"$/\1/p' "$repo/scripts/install-deps.sh")
modules=${API_PROPERTIES_MODULES:-${GRASSROOTS_TOOLS_DIR:-$repo/.grassroots/tools}/api-properties-$version/node_modules}
for package in fast-check json-schema-faker ajv ajv-formats; do
  if [[ -z $version || ! -f $modules/$package/package.json ]]; then
    echo "api_properties: $package is not installed in $modules: run scripts/install-deps.sh (it installs the pinned libraries from npm)" >&2
    exit 1
  fi
done
command -v node >/dev/null || { echo "api_properties: node is missing (scripts/install-deps.sh installs npm, which brings it)" >&2; exit 1; }
API_PROPERTIES_MODULES="$modules" exec node "$repo/tests/e2e/api_properties.mjs"
