#!/usr/bin/env bash
# contract.openapi_valid: the gateway's OpenAPI document (built by
# services/gateway/openapi, embedded in the gateway) is a valid OpenAPI 3.1
# document by the official JSON schema, with the pinned validator
# scripts/install-deps.sh installs from npm; and, which that schema cannot
# say, every operationId is unique, every $ref resolves and every path's
# parameters match its template.
#   openapi_validate.sh <openapi.json> [validate-api]
set -euo pipefail
document=$1
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# The version scripts/install-deps.sh pins, not whichever validator is lying around.
version=$(sed -n 's/^OPENAPI_VALIDATOR_VERSION="\(.*\)"$/\1/p' "$repo/scripts/install-deps.sh")
validator=${2:-${GRASSROOTS_TOOLS_DIR:-$repo/.grassroots/tools}/openapi-validator-$version/node_modules/.bin/validate-api}
if [[ ! -s $document ]]; then
  echo "$document is missing: build it (cmake --build <build dir> --target gateway_openapi_embedded)" >&2
  exit 1
fi
if [[ -z $version || ! -x $validator ]]; then
  echo "the OpenAPI validator is not installed: run scripts/install-deps.sh (it installs the pinned one from npm)" >&2
  exit 1
fi

# Prints {"valid": true} or the schema errors, and exits non-zero on any.
"$validator" "$document"

python3 - "$document" <<'PY'
import json
import re
import sys

with open(sys.argv[1], encoding="utf-8") as f:
    document = json.load(f)
problems = []

operation_ids = {}
methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
shapes = {}
for path, item in document.get("paths", {}).items():
    template = re.findall(r"\{([^}]*)\}", path)
    shape = re.sub(r"\{[^}]*\}", "{}", path)
    if shapes.setdefault(shape, path) != path:
        problems.append(f"{path} and {shapes[shape]} differ only in parameter names")
    for method, operation in item.items():
        if method not in methods:
            continue
        where = f"{method.upper()} {path}"
        operation_id = operation.get("operationId")
        if not operation_id:
            problems.append(f"{where}: no operationId")
        elif operation_id in operation_ids:
            problems.append(f"{where}: operationId {operation_id} is also {operation_ids[operation_id]}'s")
        else:
            operation_ids[operation_id] = where
        declared = [p["name"] for p in item.get("parameters", []) + operation.get("parameters", [])
                    if p.get("in") == "path"]
        if sorted(declared) != sorted(template):
            problems.append(f"{where}: path parameters {declared} do not match the template's {template}")


def resolve(pointer):
    if not pointer.startswith("#/"):
        return False
    node = document
    for token in pointer[2:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False
    return True


refs = 0
pending = [("#", document)]
while pending:
    where, node = pending.pop()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            refs += 1
            if not resolve(ref):
                problems.append(f"{where}: $ref {ref} resolves to nothing")
        pending.extend((f"{where}/{key}", value) for key, value in node.items())
    elif isinstance(node, list):
        pending.extend((f"{where}/{i}", value) for i, value in enumerate(node))

for problem in problems:
    print(f"openapi: {problem}", file=sys.stderr)
if problems:
    sys.exit(1)
schemas = len(document.get("components", {}).get("schemas", {}))
print(f"openapi: {len(document.get('paths', {}))} paths, {len(operation_ids)} operations, {schemas} schemas; "
      f"operationIds unique, all {refs} $refs resolve, path parameters match their templates")
PY
