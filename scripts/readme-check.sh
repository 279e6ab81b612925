#!/usr/bin/env bash
# Runs every ```sh block of README.md, in order, in a fresh clone of this repository (the committed tree), with
# pipe's defaults (no PIPE_HOME, no PIPE_ARTIFACTS) and a private npm prefix for `npm install -g .`. A block that
# exits non-zero fails the check, which prints the block and its output. The block that runs the tests is left
# out: it is what .ci/run runs before this.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d /tmp/pipe-readme.XXXXXX)
trap 'rm -rf "$work"' EXIT
git clone --quiet "$root" "$work/clone"
export NPM_CONFIG_PREFIX="$work/prefix" PATH="$work/prefix/bin:$PATH"
unset PIPE_HOME PIPE_ARTIFACTS
blocks="$work/blocks"
mkdir -p "$blocks"
awk -v dir="$blocks" '
  /^```sh$/ { n++; file = sprintf("%s/%02d.sh", dir, n); inside = 1; next }
  /^```$/ && inside { inside = 0; close(file); next }
  inside { print > file }
' README.md
ran=0
for block in "$blocks"/*.sh; do
  if grep -q 'npm test' "$block"; then echo "readme: skipping $(basename "$block") (the tests: .ci/run runs them)"; continue; fi
  echo "readme: running $(basename "$block"): $(head -n 1 "$block")"
  if ! (cd "$work/clone" && timeout 900 bash -euo pipefail "$block") > "$work/out" 2>&1; then
    echo "readme: this block failed:" >&2
    sed 's/^/    /' "$block" >&2
    echo "readme: its output:" >&2
    tail -n 40 "$work/out" | sed 's/^/    /' >&2
    exit 1
  fi
  ran=$((ran + 1))
done
echo "readme: $ran blocks ran, 0 failed"
