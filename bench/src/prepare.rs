//! The load-test world: a Roblox user with 200 friends (`GET /v1/users/{id}/friends`) and a
//! social player with 250 friends (`GET /v1/social/friends`), seeded in bulk; each answer is
//! captured once so the baseline can serve the same bytes.

use anyhow::Result;
use serde::{Deserialize, Serialize};
use social_stub::control::Control;
use social_stub::control::bulk::{Hub, RobloxBulk, SocialBulk};
use std::path::Path;

/// One endpoint under load.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Target {
    /// Short name (`roblox-friends`, `social-friends`).
    pub(crate) name: String,
    /// What it is, for the report.
    pub(crate) label: String,
    /// Path on the stub and on the baseline.
    pub(crate) path: String,
    /// The OpenAPI document Prism mocks for it (file stem under `openapi/`).
    pub(crate) prism_spec: String,
    /// Path on Prism (the document's own path, no service prefix or world).
    pub(crate) prism_path: String,
    /// Request headers (`Name: value`), the same for every server.
    pub(crate) headers: Vec<String>,
    /// The captured answer.
    pub(crate) body_file: String,
    /// Its size.
    pub(crate) bytes: usize,
}

/// The prepared world.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Prepared {
    pub(crate) world: String,
    pub(crate) targets: Vec<Target>,
}

pub(crate) async fn run(stub: &str, out: &Path) -> Result<Prepared> {
    std::fs::create_dir_all(out)?;
    let world = Control::new(stub).create_world().await?;
    world
        .bulk_roblox(&RobloxBulk {
            users: 201,
            first_id: Some(1),
            friends_of: Some(Hub { id: 1, count: 200 }),
            ..RobloxBulk::default()
        })
        .await?;
    let hub = world
        .create_player(serde_json::json!({"name": "bench-hub", "presence": "ONLINE"}))
        .await?;
    world
        .bulk_social(&SocialBulk {
            players: 250,
            friends_of: Some(Hub {
                id: hub.id,
                count: 250,
            }),
        })
        .await?;
    let http = crate::http()?;
    let base = stub.trim_end_matches('/');
    let mut targets = Vec::new();
    for (name, label, service, doc_path, prism_spec, headers) in [
        (
            "roblox-friends",
            "Friends v1 `GET /v1/users/{id}/friends`, a user with 200 friends",
            "friends",
            "/v1/users/1/friends".to_owned(),
            "friends",
            Vec::new(),
        ),
        (
            "social-friends",
            "social friends `GET /v1/social/friends`, a player with 250 friends",
            "social-friends",
            "/v1/social/friends".to_owned(),
            "social-friends",
            vec![("authorization".to_owned(), format!("Bearer {}", hub.token))],
        ),
    ] {
        let url = format!("{}{doc_path}", world.service_url(service));
        let body = crate::get_ok(&http, &url, &headers).await?;
        let file = out.join(format!("{name}.json"));
        std::fs::write(&file, &body)?;
        targets.push(Target {
            name: name.to_owned(),
            label: label.to_owned(),
            path: url[base.len()..].to_owned(),
            prism_spec: prism_spec.to_owned(),
            prism_path: doc_path,
            headers: headers
                .iter()
                .map(|(name, value)| format!("{name}: {value}"))
                .collect(),
            body_file: file.display().to_string(),
            bytes: body.len(),
        });
    }
    Ok(Prepared {
        world: world.id,
        targets,
    })
}
