#!/usr/bin/env bash
# make demo: what a new team does on day one, on a fresh ops repository under demo/.
# Later features extend this walk until it ends with the weekly Ops Review pack.
set -euo pipefail
cd "$(dirname "$0")/.."

ops="$PWD/.build/debug/ops"
repo="$PWD/demo/ops"
# Bold step lines only on a terminal, and never with NO_COLOR.
if [ -t 2 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold="" plain=""; fi
step() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain" >&2; }

rm -rf demo
mkdir -p demo
# The demo signs its commits as people from the example team, never as you.
export OPS_USER=alice

step ops init demo/ops --example
"$ops" init demo/ops --example

cd "$repo"
step git log --stat --format='%an <%ae>  %s%n%(trailers)'
git --no-pager log --stat --format='%an <%ae>  %s%n%(trailers)'

step ops lint
"$ops" lint

step "ops init (again: nothing changes)"
"$ops" init

step "a hand edit that breaks ops.yaml, then ops lint"
sed -i 's/^timezone: .*/timezone: Europe\/Berlinn/' ops.yaml
"$ops" lint || echo "(exit $?: lint found a problem, as it should)" >&2
git checkout -q -- ops.yaml

printf '\nThe demo repository is %s\n' "$repo" >&2
