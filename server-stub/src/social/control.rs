//! Control-plane routes of the social world, under `/__stub/worlds/{world}/social`.

use axum::Router;

/// The routes.
pub fn router() -> Router {
    Router::new()
}
