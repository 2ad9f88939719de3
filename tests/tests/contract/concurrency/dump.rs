//! The world-wide invariants of the state dump (`GET /__stub/worlds/{w}/state`), per
//! service.

use super::*;

pub(super) fn time(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("a timestamp: {value}"))
}

pub(super) fn object(value: &Value) -> &serde_json::Map<String, Value> {
    static EMPTY: std::sync::OnceLock<serde_json::Map<String, Value>> = std::sync::OnceLock::new();
    value
        .as_object()
        .unwrap_or_else(|| EMPTY.get_or_init(serde_json::Map::new))
}

pub(super) fn array(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

pub(super) fn id_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Social friends: links symmetric and never to oneself, within the limit; no request
/// between friends or across a block; at most one live request per pair; ids match keys.
pub(super) fn social_dump_violations(dump: &Value, limit: usize) -> Vec<String> {
    let mut broken = Vec::new();
    let now = time(&dump["now"]);
    let social = &dump["social"];
    let links = object(&social["friends"]["links"]);
    let linked = |a: &str, b: &str| links.get(a).is_some_and(|l| l.get(b).is_some());
    for (owner, friends) in links {
        let friends = object(friends);
        if friends.len() > limit {
            broken.push(format!("social: {owner} has {} friends", friends.len()));
        }
        for friend in friends.keys() {
            if friend == owner {
                broken.push(format!("social: {owner} is their own friend"));
            }
            if !linked(friend, owner) {
                broken.push(format!("social: link {owner} → {friend} is one-sided"));
            }
        }
    }
    let blocks: Vec<(String, String)> = array(&social["blocks"])
        .iter()
        .map(|entry| (id_string(&entry[0][0]), id_string(&entry[0][1])))
        .collect();
    for (blocker, blocked) in &blocks {
        if linked(blocker, blocked) {
            broken.push(format!("social: {blocker} blocks their friend {blocked}"));
        }
    }
    let mut live_pairs = BTreeSet::new();
    for (id, request) in object(&social["friends"]["requests"]) {
        let (sender, recipient) = (
            id_string(&request["sender"]),
            id_string(&request["recipient"]),
        );
        if request["id"].as_str() != Some(id) {
            broken.push(format!("social: request {id} is stored under another id"));
        }
        if linked(&sender, &recipient) {
            broken.push(format!("social: request {id} is pending between friends"));
        }
        if blocks
            .iter()
            .any(|(x, y)| (*x == sender && *y == recipient) || (*x == recipient && *y == sender))
        {
            broken.push(format!("social: request {id} crosses a block"));
        }
        if time(&request["expiresAt"]) > now {
            let pair = (sender.clone().min(recipient.clone()), sender.max(recipient));
            if !live_pairs.insert(pair.clone()) {
                broken.push(format!("social: two live requests between {pair:?}"));
            }
        }
    }
    broken
}

/// Party: each member in exactly the party `memberOf` names, within `maxSize`, the leader a
/// member and a selector, selectors and ready states of members only, invites only to
/// parties that exist and that the invitee is not in.
pub(super) fn party_dump_violations(dump: &Value) -> Vec<String> {
    let mut broken = Vec::new();
    let party = &dump["social"]["party"];
    let parties = object(&party["parties"]);
    let member_of = object(&party["memberOf"]);
    let mut members_seen = BTreeMap::new();
    for (id, p) in parties {
        let members: Vec<String> = array(&p["members"])
            .iter()
            .map(|m| id_string(&m["id"]))
            .collect();
        let set: BTreeSet<&String> = members.iter().collect();
        if set.len() != members.len() {
            broken.push(format!("party {id}: duplicate members {members:?}"));
        }
        if members.is_empty() {
            broken.push(format!("party {id}: no members"));
        }
        if p["maxSize"]
            .as_u64()
            .is_none_or(|max| members.len() as u64 > max)
        {
            broken.push(format!(
                "party {id}: {} members over maxSize",
                members.len()
            ));
        }
        let leader = id_string(&p["leader"]);
        if !set.contains(&leader) {
            broken.push(format!("party {id}: the leader {leader} is no member"));
        }
        let selectors: Vec<String> = array(&p["lobby"]["selectorIds"])
            .iter()
            .map(id_string)
            .collect();
        if !selectors.contains(&leader) || selectors.iter().any(|s| !set.contains(s)) {
            broken.push(format!(
                "party {id}: selectors {selectors:?} vs members {members:?}"
            ));
        }
        if object(&p["lobby"]["ready"])
            .keys()
            .any(|r| !set.contains(r))
        {
            broken.push(format!("party {id}: a ready state of a non-member"));
        }
        for member in &members {
            if member_of.get(member).map(id_string).as_deref() != Some(id.as_str()) {
                broken.push(format!("party {id}: member {member} is not memberOf it"));
            }
            if let Some(other) = members_seen.insert(member.clone(), id.clone()) {
                broken.push(format!("party: {member} is in {other} and {id}"));
            }
        }
    }
    for (player, party_id) in member_of {
        if !members_seen.contains_key(player) {
            broken.push(format!(
                "party: {player} is memberOf {party_id}, which does not list them"
            ));
        }
    }
    for (invitee, by_party) in object(&party["invites"]) {
        for (party_id, invite) in object(by_party) {
            if !parties.contains_key(party_id) {
                broken.push(format!(
                    "party: an invite of {invitee} outlived party {party_id}"
                ));
            }
            if members_seen.get(invitee) == Some(party_id) {
                broken.push(format!("party: {invitee} is invited to their own party"));
            }
            if id_string(&invite["invitee"]) != *invitee
                || id_string(&invite["partyId"]) != *party_id
            {
                broken.push(format!(
                    "party: invite stored under the wrong keys: {invite}"
                ));
            }
        }
    }
    broken
}

/// Roster, per app: friendships symmetric and between existing users other than oneself,
/// never across a block; one application per pair; no pending application between friends.
pub(super) fn roster_dump_violations(dump: &Value) -> Vec<String> {
    let mut broken = Vec::new();
    let now_ms = time(&dump["now"]).timestamp_millis();
    for (app_id, app) in object(&dump["roster"]["apps"]) {
        let friends = object(&app["friends"]);
        let users = object(&app["users"]);
        let linked = |a: &str, b: &str| friends.get(a).is_some_and(|f| f.get(b).is_some());
        for (user, theirs) in friends {
            for friend in object(theirs).keys() {
                if friend == user || !users.contains_key(friend) {
                    broken.push(format!("roster {app_id}: odd friend {user} → {friend}"));
                }
                if !linked(friend, user) {
                    broken.push(format!("roster {app_id}: {user} → {friend} is one-sided"));
                }
            }
        }
        for (blocker, blocked) in object(&app["blocks"]) {
            for blocked in array(blocked).iter().map(id_string) {
                if linked(blocker, &blocked) {
                    broken.push(format!(
                        "roster {app_id}: {blocker} blocks friend {blocked}"
                    ));
                }
            }
        }
        let mut pairs = BTreeSet::new();
        for (seq, application) in object(&app["applications"]) {
            let (from, to) = (
                id_string(&application["from"]),
                id_string(&application["to"]),
            );
            if !pairs.insert((from.clone(), to.clone())) {
                broken.push(format!("roster {app_id}: two applications {from} → {to}"));
            }
            let pending = application["status"] == 0
                && application["expiredTime"]
                    .as_i64()
                    .is_some_and(|t| t > now_ms);
            if pending && linked(&from, &to) {
                broken.push(format!(
                    "roster {app_id}: application {seq} pending between friends"
                ));
            }
            if !matches!(application["status"].as_i64(), Some(0..=2)) {
                broken.push(format!("roster {app_id}: application {seq} status"));
            }
        }
    }
    broken
}

/// Friends v1: friendships symmetric, no request between friends, requests and the
/// incoming index agree, every follow in both the followers and followings index and
/// nothing else there.
pub(super) fn roblox_dump_violations(dump: &Value) -> Vec<String> {
    let mut broken = Vec::new();
    let roblox = &dump["roblox"];
    let friends = object(&roblox["friends"]);
    let linked = |a: &str, b: &str| friends.get(a).is_some_and(|f| f.get(b).is_some());
    for (user, theirs) in friends {
        for friend in object(theirs).keys() {
            if friend == user || !linked(friend, user) {
                broken.push(format!("roblox: friendship {user} → {friend}"));
            }
        }
    }
    let incoming = object(&roblox["incoming"]);
    let requests = array(&roblox["requests"]);
    for entry in requests {
        let (sender, recipient) = (id_string(&entry[0][0]), id_string(&entry[0][1]));
        let request = &entry[1];
        if id_string(&request["sender"]) != sender || id_string(&request["recipient"]) != recipient
        {
            broken.push(format!(
                "roblox: request stored under the wrong key: {entry}"
            ));
        }
        if linked(&sender, &recipient) {
            broken.push(format!(
                "roblox: request {sender} → {recipient} between friends"
            ));
        }
        let indexed = incoming
            .get(&recipient)
            .and_then(|by_seq| by_seq.get(id_string(&request["seq"])))
            .map(id_string);
        if indexed.as_deref() != Some(sender.as_str()) {
            broken.push(format!(
                "roblox: request {sender} → {recipient} not in incoming"
            ));
        }
    }
    let indexed: usize = incoming.values().map(|m| object(m).len()).sum();
    if indexed != requests.len() {
        broken.push(format!(
            "roblox: {indexed} incoming entries for {} requests",
            requests.len()
        ));
    }
    let follows = array(&roblox["follows"]);
    let (followers, followings) = (object(&roblox["followers"]), object(&roblox["followings"]));
    for entry in follows {
        let (follower, followee, seq) = (
            id_string(&entry[0][0]),
            id_string(&entry[0][1]),
            id_string(&entry[1]),
        );
        let by = |index: &serde_json::Map<String, Value>, key: &str| {
            index.get(key).and_then(|m| m.get(&seq)).map(id_string)
        };
        if by(followers, &followee).as_deref() != Some(follower.as_str())
            || by(followings, &follower).as_deref() != Some(followee.as_str())
        {
            broken.push(format!(
                "roblox: follow {follower} → {followee} half-indexed"
            ));
        }
    }
    for (name, index) in [("followers", followers), ("followings", followings)] {
        let total: usize = index.values().map(|m| object(m).len()).sum();
        if total != follows.len() {
            broken.push(format!(
                "roblox: {total} {name} entries for {} follows",
                follows.len()
            ));
        }
    }
    broken
}
