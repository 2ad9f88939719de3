#!/usr/bin/env bash
# Schemathesis with its defaults against the demo stub: no config file, no per-operation
# settings, no hooks, no excluded checks; only a fixed `--seed` so a failure reproduces.
# This is the run a newcomer gets from `st run <document> --url ...`; it must pass as well as
# the tuned one (.ci/schemathesis.sh).
# usage: .ci/schemathesis-defaults.sh <venv>
#
# Each document gets a FRESH `--demo` stub (the demo world, player token `demo-alex`), since
# fuzzing changes the world. Schemathesis looks for a `schemathesis.toml` in the cwd and every
# parent up to a directory holding a `.git` DIRECTORY (a worktree's `.git` is a file, so the
# search can leave the repository): `--config-file` points it at an empty file instead, so no
# stray config is read. There is deliberately no schemathesis.toml at the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$1
seed=${ST_SEED:-20260101}

cargo build --quiet --locked -p social-stub
target=${CARGO_TARGET_DIR:-target}
tmp=$(mktemp -d)
stub=
trap '[ -n "$stub" ] && kill "$stub" 2>/dev/null; rm -rf "$tmp"' EXIT
: > "$tmp/empty.toml"

status=0
for pair in social-friends:social party:party; do
  stem=${pair%%:*} root=${pair#*:}
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
  "$target/debug/social-stub" --demo --addr "127.0.0.1:$port" > "$target/schemathesis-defaults-$stem.log" 2>&1 &
  stub=$!
  for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
  done
  echo "--- schemathesis (defaults): openapi/$stem.yaml"
  start=$SECONDS
  # The live WebSocket operations are in openapi/<stem>.live.yaml, not here: an HTTP fuzzer
  # cannot send a WebSocket handshake, and its default positive_data_acceptance check counts
  # both the 101 and the documented 426 as a rejected valid request. The tuned run
  # (.ci/schemathesis.sh, live.toml) covers their HTTP answers.
  "$venv/bin/st" --config-file "$tmp/empty.toml" run "openapi/$stem.yaml" \
    --url "http://127.0.0.1:$port/$root" -H "Authorization: Bearer demo-alex" \
    --seed "$seed" || status=1
  echo "--- openapi/$stem.yaml (defaults) took $((SECONDS - start))s"
  kill "$stub" 2>/dev/null || true
  wait "$stub" 2>/dev/null || true
  stub=
done
exit $status
