#!/usr/bin/env bash
# Schemathesis against the stub, all checks, zero failures allowed.
# usage: .ci/schemathesis.sh <venv> <spec stem>...   (e.g. .venv friends contacts)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$1; shift

cargo build --quiet --locked -p social-stub
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
./target/debug/social-stub --addr "127.0.0.1:$port" > target/schemathesis-stub.log 2>&1 &
stub=$!
trap 'kill $stub 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
base="http://127.0.0.1:$port"

# A Roblox session for the authenticated operations, and its CSRF token.
user=$(curl -sf -X POST "$base/__stub/worlds/default/roblox/users" -H 'content-type: application/json' -d '{"name":"schemathesis"}')
cookie=$(printf '%s' "$user" | python3 -c 'import json,sys; print(json.load(sys.stdin)["cookie"])')
session=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$cookie")
csrf=$(curl -sf "$base/__stub/worlds/default/roblox/csrf?session=$session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

status=0
for stem in "$@"; do
  case $stem in
    friends|contacts) config=.ci/schemathesis/roblox.toml; prefix=/$stem
      auth=(-H "Cookie: .ROBLOSECURITY=$cookie" -H "x-csrf-token: $csrf") ;;
    *) echo "no schemathesis setup for $stem" >&2; exit 2 ;;
  esac
  echo "--- schemathesis: openapi/$stem.yaml"
  "$venv/bin/st" --config-file "$config" run "openapi/$stem.yaml" --url "$base$prefix" \
    --checks all "${auth[@]}" --workers 2 || status=1
done
exit $status
