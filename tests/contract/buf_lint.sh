#!/usr/bin/env bash
# contract.buf_lint: `buf lint` over every public proto with proto/buf.yaml.
# Debian's protoc builds the descriptor image (with the googleapis protos from
# the Debian packages, laid out by the build), so buf needs neither the network nor its registry.
#   buf_lint.sh <repo root> <protoc> <googleapis proto dir> [buf]
set -euo pipefail
repo=$1 protoc=$2 googleapis=$3
# The version scripts/install-deps.sh pins, not whichever buf is lying around.
version=$(sed -n 's/^BUF_VERSION="\(.*\)"$/\1/p' "$repo/scripts/install-deps.sh")
buf=${4:-${GRASSROOTS_TOOLS_DIR:-$repo/.grassroots/tools}/buf-$version/buf}
if [[ -z $buf || ! -x $buf ]]; then
  echo "buf is not installed: run scripts/install-deps.sh (it fetches the pinned buf from npm)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mapfile -t protos < <(cd "$repo/proto" && find grassroots -name '*.proto' | sort)
"$protoc" -I "$repo/proto" -I "$googleapis" --include_imports --include_source_info \
  --descriptor_set_out="$work/image.binpb" "${protos[@]}"
"$buf" lint "$work/image.binpb" --config "$repo/proto/buf.yaml"
echo "buf lint: ${#protos[@]} files, no findings outside the exceptions in proto/buf.yaml"
