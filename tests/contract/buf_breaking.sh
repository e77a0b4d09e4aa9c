#!/usr/bin/env bash
# contract.buf_breaking: the v1 packages are what portal teams build against, so
# `buf breaking` compares every proto with the commit that froze v1
# (proto/v1-frozen-at), file by file (buf's FILE rules: wire, JSON names and
# generated code). New fields, messages and methods pass; a removal, rename,
# renumbering or type change fails, and needs a v2 package instead.
#   buf_breaking.sh <repo root> <protoc> <googleapis proto dir> [--self-test]
# --self-test renames one field in a copy of the protos and expects the check
# to fail, so the check is shown to bite.
set -euo pipefail
repo=$1 protoc=$2 googleapis=$3 mode=${4:-}
version=$(sed -n 's/^BUF_VERSION="\(.*\)"$/\1/p' "$repo/scripts/install-deps.sh")
buf=${GRASSROOTS_TOOLS_DIR:-$repo/.grassroots/tools}/buf-$version/buf
[[ -x $buf ]] || { echo "buf is not installed: run scripts/install-deps.sh" >&2; exit 1; }
frozen=$(tr -d '[:space:]' <"$repo/proto/v1-frozen-at")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The frozen protos, from git history (a CI clone has it).
mkdir -p "$work/frozen" "$work/current"
if ! git -C "$repo" archive "$frozen" proto/grassroots | tar -x -C "$work/frozen"; then
  echo "cannot read commit $frozen from git: a shallow clone? (git fetch --unshallow)" >&2
  exit 1
fi
cp -r "$repo/proto/grassroots" "$work/current/"

if [[ $mode == --self-test ]]; then
  # A rename of a field every portal reads: the check must refuse it.
  sed -i 's/^  string display_name = 3;/  string title = 3;/' "$work/current/grassroots/org/v1/organization.proto"
  grep -q '^  string title = 3;' "$work/current/grassroots/org/v1/organization.proto" ||
    { echo "self-test: the edit did not apply (Organization.display_name moved?)" >&2; exit 1; }
fi

image() {  # <proto root> <out>
  local root=$1 out=$2 protos
  mapfile -t protos < <(cd "$root" && find grassroots -name '*.proto' | sort)
  "$protoc" -I "$root" -I "$googleapis" --include_imports --include_source_info --descriptor_set_out="$out" "${protos[@]}"
}
image "$work/frozen/proto" "$work/frozen.binpb"
image "$work/current" "$work/current.binpb"

if "$buf" breaking "$work/current.binpb" --against "$work/frozen.binpb" --config "$repo/proto/buf.yaml" \
    >"$work/findings" 2>&1; then
  if [[ $mode == --self-test ]]; then
    echo "self-test: buf breaking accepted a renamed field" >&2
    exit 1
  fi
  echo "buf breaking: no breaking change since $frozen"
else
  cat "$work/findings"
  if [[ $mode == --self-test ]] && grep -q 'display_name' "$work/findings"; then
    echo "self-test: the renamed field was refused, as it must be"
    exit 0
  fi
  exit 1
fi
