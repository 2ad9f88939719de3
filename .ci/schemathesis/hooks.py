"""Schemathesis hooks for every run (`hooks` in each .ci/schemathesis/*.toml).

1. `PeerIsolation`, a check that uses a second identity ("the peer") for authorization.
2. A lock around `ast.parse` (a CPython 3.11 race, below; not about the stub).
3. The stateful phase uses its whole budget instead of stopping at the first "inconsistent
   data generation" from Hypothesis (below; not about the stub).

PeerIsolation
=============
Schemathesis sends every request as the run's identity ("the owner", A). Whenever the owner
gets a 2xx answer that names one of its private resources, this check immediately acts on
that resource as a second identity of the same service (the peer, B) and fails when the peer
gets a 2xx that reveals or changes the owner's data. `.ci/schemathesis.sh` creates both
identities and passes them in the environment:

    ST_PEER_BASE     base URL of the document under test (the run's `--url`)
    ST_PEER_HEADERS  JSON object: the peer's credentials (cookie + CSRF token, player token,
                     roster access-token + app_id)
    ST_OWNER_HEADERS JSON object: the owner's credentials (to read back the owner's data)
    ST_OWNER_ID      the owner's user / player id
    ST_PEER_SERVICE  which document: friends, contacts, roster, social-friends or party
    ST_PEER_EXPECT   comma-separated resource kinds the run must reach (see below)

Without ST_PEER_BASE (the server-route runs: the server secret acts for any `actorId` by
design, so there is no second identity to compare) the check does nothing.

The peer is a bystander: no fixture, dictionary or link ever relates it to anybody, so every
one of its attempts below has exactly one right outcome, a refusal (non-2xx; for roster, whose
answers are all HTTP 200, a business code other than 200), and its own lists stay empty
(but for the marker tags it sets in contacts). Nothing but this check acts as the peer, so the
peer's state cannot race with the owner's requests on the other worker: with a correct stub
the check never fails, whatever the timing.

What it covers (resource: where the owner's id comes from -> what the peer tries):

social-friends (user routes)
  friend request: send / list requests -> accept, decline, cancel (DELETE) it; list requests
                  (must not show it)
  friend link:    friends snapshot / PATCH friend -> PATCH and DELETE that friend; list friends
  block:          block / list blocks -> DELETE the block; list blocks (must not show it)
  (reports have no route that reads or acts on one by id, so there is nothing to try.)
party (user routes)
  party:          any snapshot with `party`, invite -> accept / decline an invite from that
                  party; GET the peer's snapshot (must not be in it or hold an invite from it)
  invite to A:    any snapshot's `invites` -> accept / decline it as the peer; peer snapshot
roster
  application to A: list applications -> accept / decline it; peer's application list
  A's application:  apply -> accept / decline "an application from A" as the peer
  friend:         list friends / accept -> delete it, update its extension; peer's friend list
  blacklist:      block / blacklist -> peer's blacklist (must not show it)
  (unblocking someone you do not block succeeds by design, so it proves nothing and is not
  tried.)
contacts
  tag:            set tag / get tags -> the peer reads its tags for that user (must not get
                  the owner's), sets its own tag there (allowed), and the owner's tag must
                  not have become the peer's marker
friends (Roblox)
  request to A:   list requests -> accept / decline it; peer's request list
  A's request:    request-friendship -> accept / decline "a request from A" as the peer

After the run the check also fails when it never reached a resource kind listed in
ST_PEER_EXPECT, so broken fixtures or links cannot make it pass by testing nothing.

Each resource is tried once (at most 40 per kind and run, which bounds the time it adds);
shrinking and replay call `after_response` again for the same response, and a resource that
failed fails again on every later call.
"""

from __future__ import annotations

import ast
import json
import os
import sys
import threading
from typing import Any

import requests
import schemathesis

# ---------------------------------------------------------------------------------------------
# CPython 3.11 `ast.parse` race.
#
# Not about the stub. CPython 3.11 keeps the AST constructor's recursion counter in
# interpreter-wide state, so two threads building ASTs at once can corrupt it ("SystemError:
# AST constructor recursion depth mismatch", python/cpython#106905). Hypothesis parses source
# files to describe filter lambdas, and `.ci/schemathesis.sh` runs `--workers 2`; two workers
# can describe the same filter at once (seen on party.yaml and roster.yaml), so most runs on
# Python 3.11 ended with a Runtime Error although every check passed. One lock around
# `ast.parse` removes the race; newer Pythons do not need it.
_AST_LOCK = threading.Lock()
_PARSE = ast.parse


def _serialised_parse(*args, **kwargs):
    with _AST_LOCK:
        return _PARSE(*args, **kwargs)


ast.parse = _serialised_parse

# ---------------------------------------------------------------------------------------------
# The stateful phase keeps going after Hypothesis reports "inconsistent data generation".
#
# Not about the stub either. The stateful phase is a Hypothesis state machine whose choices
# depend on the API's answers (which links can be followed depends on what a list returned).
# Hypothesis remembers the choices of earlier scenarios and, when it starts a new one from the
# same prefix, expects the same choices to be offered. Here every scenario changes the world
# (it accepts the request a list showed, removes the friend, leaves the party), so a later
# scenario with an earlier prefix meets different answers and Hypothesis raises
# `FlakyStrategyDefinition`. Schemathesis 4.32.5 then ends the stateful phase without an
# error, after as few as 11 scenarios out of a budget of 100 (seen on friends.yaml and
# social-friends.yaml), so how much of the phase ran was down to luck. When a suite ends that
# way with nothing found, this starts a new suite (fresh seed, empty Hypothesis memory, the
# world as it is now) until the phase's `max-examples` scenarios have run; it gives up after
# `_MAX_SUITES` suites. Failures, errors and interrupts are classified exactly as before.
_MAX_SUITES = 20


def _keep_stateful_phase_going() -> None:
    from hypothesis.errors import Flaky

    from schemathesis.engine import Status
    from schemathesis.engine.errors import is_inconsistent_replay
    from schemathesis.engine.run.stateful import _executor

    classify = _executor._classify_suite_error
    suites = threading.local()

    def classify_suite_error(exc, *, ctx, engine, state, settings):
        outcome = classify(exc, ctx=ctx, engine=engine, state=state, settings=settings)
        status, retry, events = outcome
        inconsistent = isinstance(exc, Flaky) or is_inconsistent_replay(exc)
        if inconsistent and status == Status.SUCCESS and not retry and not events:
            suites.count = getattr(suites, "count", 0) + 1
            budget_left = ctx.completed_scenarios < settings.max_examples
            retry = suites.count < _MAX_SUITES and budget_left
        return status, retry, events

    _executor._classify_suite_error = classify_suite_error


_keep_stateful_phase_going()

# ---------------------------------------------------------------------------------------------
# PeerIsolation

# At most this many resources of one kind are tried per run (keeps the run's time bounded).
_PER_KIND = 40
# A marker tag the peer sets; the owner's own requests never generate it.
_MARK = "peer-probe"
_TIMEOUT = 10


class _Violation(AssertionError):
    pass


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


class _Client:
    def __init__(self, base: str, peer: dict, owner: dict, owner_id: str):
        self.base = base.rstrip("/")
        self.peer = peer
        self.owner = owner
        self.owner_id = owner_id

    def send(self, who: str, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = dict(self.peer if who == "peer" else self.owner)
        url = self.base + path
        return requests.request(method, url, headers=headers, timeout=_TIMEOUT, **kwargs)


def _ok(response: requests.Response, roster: bool) -> bool:
    """Whether the service carried the call out (2xx; roster: business code 200)."""
    if not 200 <= response.status_code < 300:
        return False
    if roster:
        return _dict(_json(response)).get("code") == 200
    return True


def _describe(response: requests.Response) -> str:
    request = response.request
    body = response.text if len(response.text) < 400 else response.text[:400] + "…"
    return f"{request.method} {request.url} -> {response.status_code} {body}"


class _Probe:
    """The peer's attempts on one resource of the owner."""

    def __init__(self, client: _Client, roster: bool = False):
        self.c = client
        self.roster = roster

    def refused(self, what: str, method: str, path: str, **kwargs: Any) -> None:
        """The peer tries `what`; the service must refuse."""
        response = self.c.send("peer", method, path, **kwargs)
        if _ok(response, self.roster):
            raise _Violation(f"the peer could {what}, which is the owner's: {_describe(response)}")

    def hidden(self, what: str, path: str, leaks, method: str = "GET", **kwargs: Any) -> None:
        """The peer reads its own `what`; `leaks(body)` must be false."""
        response = self.c.send("peer", method, path, **kwargs)
        if _ok(response, self.roster) and leaks(_json(response)):
            raise _Violation(f"the peer's {what} shows the owner's data: {_describe(response)}")


def _items(body: Any, *keys: str) -> list[dict]:
    """The objects listed under `keys` of `body` (all of them concatenated)."""
    found = []
    for key in keys:
        found += [item for item in _list(_dict(body).get(key)) if isinstance(item, dict)]
    return found


# --- social-friends -----------------------------------------------------------------------------


def _social_request(p: _Probe, rid: str) -> None:
    path = f"/v1/social/friends/requests/{rid}"
    p.refused(f"accept friend request {rid}", "POST", f"{path}/accept")
    p.refused(f"decline friend request {rid}", "POST", f"{path}/decline")
    p.refused(f"cancel friend request {rid}", "DELETE", path)
    p.hidden(
        "friend requests",
        "/v1/social/friends/requests",
        lambda b: any(r.get("id") == rid for r in _items(b, "incoming", "outgoing")),
    )


def _social_friend(p: _Probe, friend: str) -> None:
    path = f"/v1/social/friends/{friend}"
    p.refused(f"update friend {friend}", "PATCH", path, json={"favorite": True})
    p.refused(f"remove friend {friend}", "DELETE", path)
    p.hidden(
        "friend list",
        "/v1/social/friends",
        lambda b: any(f.get("friendId") == friend for f in _items(b, "friends")),
    )


def _social_block(p: _Probe, blocked: str) -> None:
    p.refused(f"remove the block of {blocked}", "DELETE", f"/v1/social/friends/blocks/{blocked}")
    p.hidden(
        "block list",
        "/v1/social/friends/blocks",
        lambda b: any(x.get("blockedUserId") == blocked for x in _items(b, "blocks")),
    )


def _social_friends_resources(op: str, body: Any, case: Any) -> list[tuple[str, str]]:
    one = _dict(body)
    if op == "send_social_friend_request" and one.get("status") == "PENDING" and one.get("id"):
        return [("request", one["id"])]
    if op == "list_social_friend_requests":
        return [("request", r["id"]) for r in _items(body, "incoming", "outgoing") if r.get("id")]
    if op == "get_social_friends":
        return [("friend", f["friendId"]) for f in _items(body, "friends") if f.get("friendId")]
    if op == "update_social_friend" and one.get("friendId"):
        return [("friend", one["friendId"])]
    if op == "block_player" and one.get("blockedUserId"):
        return [("block", one["blockedUserId"])]
    if op == "list_blocks":
        blocks = _items(body, "blocks")
        return [("block", b["blockedUserId"]) for b in blocks if b.get("blockedUserId")]
    return []


# --- party --------------------------------------------------------------------------------------


def _party(p: _Probe, party: str) -> None:
    path = f"/v1/social/party/invites/{party}"
    p.refused(f"accept an invite from party {party}", "POST", f"{path}/accept")
    p.refused(f"decline an invite from party {party}", "POST", f"{path}/decline")

    def leaks(b: Any) -> bool:
        invites = [i.get("partyId") for i in _items(b, "invites")]
        return _dict(_dict(b).get("party")).get("id") == party or party in invites

    p.hidden("party snapshot", "/v1/social/party", leaks)


# The user routes that answer the caller's snapshot (`PartyOverview`).
_PARTY_SNAPSHOTS = {
    "get_party",
    "create_party",
    "leave_party",
    "accept_party_invite",
    "set_party_lobby_selection",
    "set_party_lobby_selectors",
    "set_party_ready",
}


def _party_resources(op: str, body: Any, case: Any) -> list[tuple[str, str]]:
    found = []
    if op in _PARTY_SNAPSHOTS:
        party = _dict(_dict(body).get("party")).get("id")
        if party:
            found.append(("party", party))
        found += [("invite", i["partyId"]) for i in _items(body, "invites") if i.get("partyId")]
    if op == "invite_to_party" and _dict(body).get("partyId"):
        found.append(("party", body["partyId"]))
    return found


# --- roster -------------------------------------------------------------------------------------


def _roster_application(p: _Probe, applicant: Any) -> None:
    what = f"the application of {applicant} to the owner"
    p.refused(f"accept {what}", "PUT", "/roster/accept", params={"user_id": applicant})
    p.refused(f"decline {what}", "PUT", "/roster/decline", json={"user_id": applicant})
    p.hidden(
        "application list",
        "/roster/apply/list",
        lambda b: any(a.get("user_id") == applicant for a in _items(b, "data")),
    )


def _roster_outgoing(p: _Probe, invitee: Any) -> None:
    owner = int(p.c.owner_id)
    what = f"the owner's application to {invitee}"
    p.refused(f"accept {what}", "PUT", "/roster/accept", params={"user_id": owner})
    p.refused(f"decline {what}", "PUT", "/roster/decline", json={"user_id": owner})


def _roster_friend(p: _Probe, friend: Any) -> None:
    what = f"the owner's friend {friend}"
    p.refused(f"delete {what}", "DELETE", "/roster/delete", params={"user_id": friend})
    p.refused(f"update {what}", "PUT", "/roster/ext", json={"user_id": friend, "alias": _MARK})
    p.hidden("friend list", "/roster/list", lambda b: friend in _list(_dict(b).get("data")))


def _roster_block(p: _Probe, blocked: Any) -> None:
    p.hidden("blacklist", "/roster/blocked_list", lambda b: blocked in _list(_dict(b).get("data")))


_ROSTER_ACCEPT = ("accept_roster_application", "accept_roster_application_via_post")
_ROSTER_BLOCK = ("block_roster_user", "block_roster_user_via_post")


def _roster_resources(op: str, body: Any, case: Any) -> list[tuple[str, Any]]:
    if _dict(body).get("code") != 200:
        return []
    queried = (case.query or {}).get("user_id")
    applied = _dict(case.body).get("user_id")
    ids = [i for i in _list(_dict(body).get("data")) if isinstance(i, int)]
    if op == "list_roster_applications":
        pending = [a for a in _items(body, "data") if a.get("status") == 0]
        return [("application", a["user_id"]) for a in pending if isinstance(a.get("user_id"), int)]
    if op == "list_roster_friend_ids":
        return [("friend", f) for f in ids]
    if op in _ROSTER_ACCEPT and isinstance(queried, int):
        return [("friend", queried)]
    if op in _ROSTER_BLOCK and isinstance(queried, int):
        return [("block", queried)]
    if op == "list_roster_blocked":
        return [("block", b) for b in ids]
    if op == "apply_roster_friend" and isinstance(applied, int):
        return [("outgoing", applied)]
    return []


# --- contacts -----------------------------------------------------------------------------------


def _contacts_tag(p: _Probe, key: str) -> None:
    target, tag = json.loads(key)
    request = {"targetUserIds": [target]}

    def tags_of(b: Any) -> list[Any]:
        return [t.get("targetUserTag") for t in _list(b) if _dict(t).get("targetUserId") == target]

    def leaks(b: Any) -> bool:
        return tag in tags_of(b)

    p.hidden(f"tags for {target}", "/v1/user/get-tags", leaks, method="POST", json=request)
    # The peer tags the same user (its own tag, allowed); the owner's tag must not change.
    p.c.send("peer", "POST", "/v1/user/tag", json={"targetUserId": target, "userTag": _MARK})
    response = p.c.send("owner", "POST", "/v1/user/get-tags", json=request)
    if _ok(response, False) and _MARK in tags_of(_json(response)):
        raise _Violation(f"the peer's tag for {target} replaced the owner's: {_describe(response)}")


def _tag(target: Any, tag: Any) -> list[tuple[str, str]]:
    if isinstance(target, int) and isinstance(tag, str) and tag and tag != _MARK:
        return [("tag", json.dumps([target, tag]))]
    return []


def _contacts_resources(op: str, body: Any, case: Any) -> list[tuple[str, str]]:
    if op == "set_user_tag" and _dict(body).get("status") == "Success":
        sent = _dict(case.body)
        return _tag(sent.get("targetUserId"), sent.get("userTag"))
    if op == "get_user_tags":
        found = []
        for t in _list(body):
            found += _tag(_dict(t).get("targetUserId"), _dict(t).get("targetUserTag"))
        return found
    return []


# --- friends (Roblox) ---------------------------------------------------------------------------


def _roblox_incoming(p: _Probe, sender: Any) -> None:
    what = f"the request of {sender} to the owner"
    p.refused(f"accept {what}", "POST", f"/v1/users/{sender}/accept-friend-request")
    p.refused(f"decline {what}", "POST", f"/v1/users/{sender}/decline-friend-request")
    p.hidden("friend requests", "/v1/my/friends/requests", lambda b: sender in _senders(b))


def _roblox_outgoing(p: _Probe, target: Any) -> None:
    owner = p.c.owner_id
    what = f"the owner's request to {target}"
    p.refused(f"accept {what}", "POST", f"/v1/users/{owner}/accept-friend-request")
    p.refused(f"decline {what}", "POST", f"/v1/users/{owner}/decline-friend-request")


def _senders(body: Any) -> list[Any]:
    return [_dict(r.get("friendRequest")).get("senderId") for r in _items(body, "data")]


def _friends_resources(op: str, body: Any, case: Any) -> list[tuple[str, Any]]:
    if op == "get_my_friend_requests":
        return [("incoming", s) for s in _senders(body) if isinstance(s, int)]
    target = (case.path_parameters or {}).get("targetUserId")
    if op == "request_friendship" and isinstance(target, int):
        return [("outgoing", target)]
    return []


# --- dispatch -----------------------------------------------------------------------------------

# service -> (the owner's resources in a 2xx answer, the peer's attempts per kind, roster?).
# operationIds are unique across the five documents (openapi/README.md).
_SERVICES = {
    "social-friends": (
        _social_friends_resources,
        {"request": _social_request, "friend": _social_friend, "block": _social_block},
        False,
    ),
    "party": (_party_resources, {"party": _party, "invite": _party}, False),
    "roster": (
        _roster_resources,
        {
            "application": _roster_application,
            "outgoing": _roster_outgoing,
            "friend": _roster_friend,
            "block": _roster_block,
        },
        True,
    ),
    "contacts": (_contacts_resources, {"tag": _contacts_tag}, False),
    "friends": (
        _friends_resources,
        {"incoming": _roblox_incoming, "outgoing": _roblox_outgoing},
        False,
    ),
}


@schemathesis.check
class PeerIsolation:
    """A second identity must not read or change the owner's private resources (module docs)."""

    def __init__(self) -> None:
        self.service = os.environ.get("ST_PEER_SERVICE", "")
        self.expect = [kind for kind in os.environ.get("ST_PEER_EXPECT", "").split(",") if kind]
        self.lock = threading.Lock()
        self.tried: dict[str, set[str]] = {}
        self.failed: dict[tuple[str, str], str] = {}
        base = os.environ.get("ST_PEER_BASE")
        self.client = None
        if base and self.service in _SERVICES:
            self.client = _Client(
                base,
                json.loads(os.environ["ST_PEER_HEADERS"]),
                json.loads(os.environ.get("ST_OWNER_HEADERS", "{}")),
                os.environ.get("ST_OWNER_ID", ""),
            )

    def after_response(self, ctx: Any, response: Any, case: Any) -> None:
        if self.client is None or not 200 <= response.status_code < 300:
            return
        resources, probes, roster = _SERVICES[self.service]
        op = case.operation.definition.raw.get("operationId", "")
        for kind, value in resources(op, _json(response), case):
            key = str(value)
            with self.lock:
                previous = self.failed.get((kind, key))
                seen = self.tried.setdefault(kind, set())
                fresh = key not in seen and len(seen) < _PER_KIND
                if fresh:
                    seen.add(key)
            if previous is not None:
                raise AssertionError(previous)
            if not fresh:
                continue
            try:
                probes[kind](_Probe(self.client, roster), value)
            except _Violation as exc:
                message = f"{op} gave the owner {kind} {key}; {exc}"
                with self.lock:
                    self.failed[(kind, key)] = message
                raise AssertionError(message) from None

    def after_run(self, ctx: Any) -> None:
        if self.client is None:
            return
        tried = ", ".join(f"{len(v)} {k}" for k, v in sorted(self.tried.items())) or "nothing"
        summary = f"PeerIsolation ({self.service}): the peer tried the owner's {tried}"
        print(summary, file=sys.stderr)
        missing = [kind for kind in self.expect if not self.tried.get(kind)]
        if missing:
            raise AssertionError(
                f"PeerIsolation never reached an owner's {', '.join(missing)} (tried: {tried}); "
                "check the fixtures in .ci/schemathesis.sh and the links in the document"
            )
