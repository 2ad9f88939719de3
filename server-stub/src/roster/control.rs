//! Control-plane routes of the roster world, under `/__stub/worlds/{world}/roster`.

use axum::Router;

/// The routes.
pub fn router() -> Router {
    Router::new()
}
