#!/usr/bin/env bash
# Runs every ```sh block of docs/api-http.md, in order, against the gateway the
# e2e harness started (GATEWAY, ADMIN_TOKEN_FILE, STATE_DIR and BUILD_DIR for
# minting a member's token), so the documented curl calls stay true. Fails on
# the first failing command, and checks what the prose promises: the
# revalidations answer 304 and the bad create 400 with the field named.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
doc="$REPO_ROOT/docs/api-http.md"
script="$(mktemp)"
output="$(mktemp)"
trap 'rm -f "$script" "$output"' EXIT
{
  echo 'set -euo pipefail'
  awk '/^```sh$/ {inside=1; next} /^```$/ {inside=0; next} inside {print}' "$doc"
} >"$script"
blocks=$(grep -c '^```sh$' "$doc")
TOKEN="$(cat "$ADMIN_TOKEN_FILE")" GATEWAY="$GATEWAY" CLI="$BUILD_DIR/services/cli/grassroots" STATE_DIR="$STATE_DIR" \
  bash "$script" >"$output" 2>&1 || {
  echo "curl examples failed; output:"
  cat "$output"
  exit 1
}
cat "$output"
grep -qx '304' "$output" || { echo "the If-None-Match example did not answer 304"; exit 1; }
grep -qx 'idle sync: 304' "$output" || { echo "the idle mobile sync did not answer 304"; exit 1; }
grep -q '^HTTP 400$' "$output" || { echo "the bad create did not answer 400"; exit 1; }
grep -q 'google.rpc.BadRequest' "$output" || { echo "the bad create named no field"; exit 1; }
echo "curl examples: $blocks blocks of docs/api-http.md ran"
