#!/usr/bin/env bash
# Schemathesis against the stub: every check, every phase (the stateful one driven by the
# documents' OpenAPI `links`), zero failures allowed.
# usage: .ci/schemathesis.sh <venv> <spec stem>...   (e.g. .venv friends contacts)
#
# Identities. Each document runs as an owner (A). A second identity of the same service (the
# peer, B) is handed to the `PeerIsolation` check of .ci/schemathesis/hooks.py, which acts as
# B on every private resource A gets back (requests, friends, blocks, parties, invites,
# applications, tags) and fails when B can see or change it.
#
# Worlds. Each document runs twice, each time in a fresh stub world with the same fixtures:
# once for the examples, coverage and fuzzing phases, once for the stateful phase. Fuzzing
# reuses ids it saw in responses, so it accepts, declines and removes the fixtures' requests,
# friends, invites and blocks in an arbitrary order; the stateful phase's links (list
# requests -> accept, get party -> accept invite, ...) need them, so it starts from a fresh
# copy. Fixtures use fixed ids so the .toml files can name them in dictionaries (which steer
# part of the generated ids to real users). Each document's settings, and the reason for any
# of them, are in .ci/schemathesis/*.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$1; shift

cargo build --quiet --locked -p social-stub
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
./target/debug/social-stub --addr "127.0.0.1:$port" > target/schemathesis-stub.log 2>&1 &
stub=$!
tmp=$(mktemp -d)
trap 'kill $stub 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
base="http://127.0.0.1:$port"

field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
# post <url> <json, or '' for no body> [header...]
post() {
  local url=$1 body=$2; shift 2
  local args=()
  for h in "$@"; do args+=(-H "$h"); done
  [ -n "$body" ] && args+=(-H 'content-type: application/json' -d "$body")
  curl -sf -X POST "$url" "${args[@]}"
}
# headers_json "Name: value"... -> {"Name": "value", ...}
headers_json() {
  python3 -c 'import json,sys; print(json.dumps(dict(a.split(": ", 1) for a in sys.argv[1:])))' "$@"
}

# A fresh world: sets $ctl (its control plane) and $svc (its service root, + /friends etc.).
world() {
  post "$base/__stub/worlds" "{\"id\":\"$1\"}" >/dev/null
  ctl="$base/__stub/worlds/$1"
  svc="$base/w/$1"
}

# --- fixtures ---------------------------------------------------------------------------------
# Roblox (friends, contacts): owner A 7000001, peer B 7000002, T 7000003 and F 7000005 (A's
# friend) are dictionary targets, S 7000004 and S2 7000006 have sent A a friend request.
# Sets $roblox_a and $roblox_b to "cookie csrf-token".
roblox_user() { # <id> <name> -> "cookie csrf"
  local cookie session csrf
  cookie=$(post "$ctl/roblox/users" "{\"id\":$1,\"name\":\"$2\"}" | field cookie)
  session=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$cookie")
  csrf=$(curl -sf "$ctl/roblox/csrf?session=$session" | field token)
  printf '%s %s' "$cookie" "$csrf"
}
roblox_fixtures() {
  roblox_a=$(roblox_user 7000001 st-owner)
  roblox_b=$(roblox_user 7000002 st-peer)
  roblox_user 7000003 st-target >/dev/null
  roblox_user 7000005 st-friend >/dev/null
  post "$ctl/roblox/friendships" '{"a":7000001,"b":7000005}' >/dev/null
  local id sender
  for id in 7000004 7000006; do
    read -r -a sender <<< "$(roblox_user $id "st-sender-$id")"
    post "$svc/friends/v1/users/7000001/request-friendship" '{}' \
      "Cookie: .ROBLOSECURITY=${sender[0]}" "x-csrf-token: ${sender[1]}" >/dev/null
  done
}
roblox_headers() { # <"cookie csrf"> -> JSON
  local parts; read -r -a parts <<< "$1"
  headers_json "Cookie: .ROBLOSECURITY=${parts[0]}" "x-csrf-token: ${parts[1]}"
}

# Social (social-friends, party): uuids 5ca1ab1e-57a7-4e55-8000-0000000000NN (not the
# near-zero uuids Hypothesis likes to draw, so a random id does not hit the peer), tokens
# st-token-NN. Owner A 0a, peer B 0b, T 01 and K 02 are dictionary targets (requests and
# invites go to T, blocks to K), S 03 and S2 06 have sent A a friend request, F 04 is A's
# friend, A blocks K, P 05 leads a party that has invited A.
sid() { printf '5ca1ab1e-57a7-4e55-8000-0000000000%s' "$1"; }
bearer() { printf 'Authorization: Bearer st-token-%s' "$1"; }
social_fixtures() {
  local p n id s="$svc/social/v1/social/friends"
  for p in 0a:st-owner 0b:st-peer 01:st-target 02:st-blocked 03:st-sender 04:st-friend \
    05:st-host 06:st-sender-2; do
    n=${p%%:*}
    post "$ctl/social/players" \
      "{\"id\":\"$(sid "$n")\",\"name\":\"${p#*:}\",\"token\":\"st-token-$n\"}" >/dev/null
  done
  post "$ctl/social/servers" '{"id":"schemathesis"}' >/dev/null
  post "$s/requests" "{\"targetId\":\"$(sid 0a)\"}" "$(bearer 03)" >/dev/null
  post "$s/requests" "{\"targetId\":\"$(sid 0a)\"}" "$(bearer 06)" >/dev/null
  id=$(post "$s/requests" "{\"targetId\":\"$(sid 0a)\"}" "$(bearer 04)" | field id)
  post "$s/requests/$id/accept" '' "$(bearer 0a)" >/dev/null
  post "$s/blocks" "{\"targetId\":\"$(sid 02)\"}" "$(bearer 0a)" >/dev/null
  post "$svc/party/v1/social/party/invites" "{\"targetId\":\"$(sid 0a)\"}" "$(bearer 05)" >/dev/null
}

# Roster, app "st-app": owner A 710101 (auth_mode 1, so applications wait for A), peer B
# 710102, T 710103 (auth_mode 1) and Z 710104 (auth_mode 0) are dictionary targets, S 710105
# and S2 710106 have applied to A, F 710107 is A's friend, K 710108 is on A's blacklist.
# Tokens in $tmp/roster-<id>. (Ids far from the small integers Hypothesis likes to draw, so a
# random id does not hit the peer.)
roster_fixtures() {
  local r="$ctl/roster/apps/st-app" id mode
  post "$ctl/roster/apps" '{"appId":"st-app"}' >/dev/null
  for id in 710101 710102 710103 710104 710105 710106 710107 710108; do
    mode=0; case $id in 710101|710103) mode=1 ;; esac
    post "$r/users" "{\"id\":$id,\"username\":\"st-$id\",\"authMode\":$mode}" \
      | field token > "$tmp/roster-$id"
  done
  for id in 710105 710106; do
    post "$svc/roster/roster/apply" '{"user_id":710101,"reason":"fixture"}' \
      "access-token: $(cat "$tmp/roster-$id")" "app_id: st-app" >/dev/null
  done
  post "$r/friendships" '{"a":710101,"b":710107}' >/dev/null
  post "$r/blocks" '{"blocker":710101,"blocked":710108}' >/dev/null
}

# run <config> <spec> <service root> <phases> [st args...]. With PEER_HEADERS set,
# PeerIsolation is on (PEER_EXPECT: resource kinds it must reach, checked in the stateful run,
# whose links lead to them; fuzzing may consume the fixtures before it lists them).
run() {
  local config=$1 stem=$2 url=$3 phases=$4; shift 4
  local expect=; [ "$phases" = stateful ] && expect=${PEER_EXPECT:-}
  echo "--- schemathesis: openapi/$stem.yaml ($phases) $*"
  local start=$SECONDS
  ST_PEER_BASE=${PEER_HEADERS:+$url} ST_PEER_HEADERS=${PEER_HEADERS:-} \
  ST_OWNER_HEADERS=${OWNER_HEADERS:-} ST_OWNER_ID=${OWNER_ID:-} \
  ST_PEER_SERVICE=$stem ST_PEER_EXPECT=$expect \
    "$venv/bin/st" --config-file "$config" run "openapi/$stem.yaml" --url "$url" \
      --checks all --workers 2 --phases "$phases" "$@" || status=1
  echo "--- openapi/$stem.yaml ($phases) took $((SECONDS - start))s"
}

status=0
for stem in "$@"; do
  for phases in examples,coverage,fuzzing stateful; do
    # The live documents have no links: no stateful run.
    [[ $stem == *.live && $phases == stateful ]] && continue
    world "${stem//./-}-${phases##*,}"
    case $stem in
      friends|contacts)
        roblox_fixtures
        read -r -a owner <<< "$roblox_a"
        expect=incoming,outgoing; [ "$stem" = contacts ] && expect=tag
        PEER_HEADERS=$(roblox_headers "$roblox_b") OWNER_HEADERS=$(roblox_headers "$roblox_a") \
        OWNER_ID=7000001 PEER_EXPECT=$expect \
          run .ci/schemathesis/roblox.toml "$stem" "$svc/$stem" "$phases" \
            -H "Cookie: .ROBLOSECURITY=${owner[0]}" -H "x-csrf-token: ${owner[1]}" ;;
      social-friends|party)
        # User routes with A's player token; server routes with the server secret and a
        # registered X-Server-Id (one Authorization header cannot serve both). The server
        # secret acts for any `actorId` by design, so the server routes have no peer.
        #
        # ensure_resource_availability (ST302) is excluded for the server routes only. It
        # reports a 404 from a linked operation unless a DELETE (or a POST to the same
        # path) removed the resource in between. On the server routes one scenario acts for
        # every player, and the documented ways a friend request or a party invite goes away
        # are POSTs to other paths: the recipient accepts or declines, the sender cancels,
        # the last member leaves the party. So "send -> accept" after "send -> decline" of
        # the same request answers the documented 404 "Friend request not found." and is
        # reported as a created resource gone missing (seen: a send that accepted the
        # target's own pending request instead, `201` with `status: ACCEPTED`, then the
        # decline link for it). The check only judges linked steps, so this costs nothing in
        # the other phases. The user routes keep it: what their POST links lead to (the
        # owner's request, block or party) goes away only by a DELETE or by the same POST
        # again (leave), which the check understands.
        social_fixtures
        url=$svc/social; expect=request,friend,block
        [ "$stem" = party ] && { url=$svc/party; expect=party,invite; }
        PEER_HEADERS=$(headers_json "$(bearer 0b)") OWNER_HEADERS=$(headers_json "$(bearer 0a)") \
        OWNER_ID=$(sid 0a) PEER_EXPECT=$expect \
          run ".ci/schemathesis/$stem.toml" "$stem" "$url" "$phases" \
            --exclude-path-regex '/server' -H "$(bearer 0a)"
        run ".ci/schemathesis/$stem.toml" "$stem" "$url" "$phases" --include-path-regex '/server' \
          --exclude-checks ensure_resource_availability \
          -H "Authorization: Bearer stub-server-secret" -H "X-Server-Id: schemathesis" ;;
      social-friends.live|party.live)
        # The WebSocket handshake documents (openapi/*.live.yaml): auth, `interval` and the
        # answers before the upgrade. Schemathesis speaks plain HTTP, so a request that passes
        # them gets the documented 426 (live.toml says why that counts as acceptance here).
        social_fixtures
        url=$svc/social; [ "$stem" = party.live ] && url=$svc/party
        run .ci/schemathesis/live.toml "$stem" "$url" "$phases" -H "$(bearer 0a)" ;;
      roster)
        roster_fixtures
        # ignored_auth expects 401/403; roster answers bad credentials with HTTP 200 and a
        # business code (see roster.toml), so that one check is excluded for this document.
        PEER_HEADERS=$(headers_json "access-token: $(cat "$tmp/roster-710102")" "app_id: st-app") \
        OWNER_HEADERS=$(headers_json "access-token: $(cat "$tmp/roster-710101")" "app_id: st-app") \
        OWNER_ID=710101 PEER_EXPECT=application,outgoing,friend,block \
          run .ci/schemathesis/roster.toml roster "$svc/roster" "$phases" \
            --exclude-checks ignored_auth \
            -H "access-token: $(cat "$tmp/roster-710101")" -H "app_id: st-app" ;;
      *) echo "no schemathesis setup for $stem" >&2; exit 2 ;;
    esac
  done
done
exit $status
