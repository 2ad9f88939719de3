use social_sdk::paged::types as types;
/// Inputs of `list_items` (`GET /items/{ownerId}`), validated against the document.
#[derive(Debug, Clone, ::serde::Deserialize)]
pub struct ListItemsInput {
    /// `ownerId` (path).
    #[serde(rename = "ownerId")]
    pub owner_id: i64,
    /// `cursor` (query).
    #[serde(rename = "cursor", default)]
    pub cursor: ::std::option::Option<::std::string::String>,
    /// `sortOrder` (query).
    #[serde(rename = "sortOrder", default)]
    pub sort_order: ::std::option::Option<::std::string::String>,
}
/// Every operation of `openapi/paged.yaml`. Implement all of them: there are no defaults.
pub trait PagedApi: Send + Sync + 'static {
    /// The service's own answer to input the document rejects.
    fn invalid_input(
        &self,
        ctx: &crate::http::RequestContext,
        problem: &crate::spec::Invalid,
    ) -> crate::http::StubError;
    /// `GET /items/{ownerId}`:
    fn list_items(
        &self,
        ctx: crate::http::RequestContext,
        input: ListItemsInput,
    ) -> impl ::std::future::Future<
        Output = ::std::result::Result<types::ItemPage, crate::http::StubError>,
    > + Send;
}
/// Routes every operation of the document to `api`.
pub fn router<S: PagedApi>(api: ::std::sync::Arc<S>) -> ::axum::Router {
    ::axum::Router::new()
        .route(
            "/items/{p0}",
            ::axum::routing::MethodRouter::new()
                .get({
                    let api = api.clone();
                    move |raw: crate::http::RawRequest| {
                        let api = api.clone();
                        async move {
                            crate::http::handle(
                                    &OP_LIST_ITEMS,
                                    raw,
                                    |ctx, problem| api.invalid_input(ctx, problem),
                                    |ctx, input| api.list_items(ctx, input),
                                )
                                .await
                        }
                    }
                }),
        )
}
static OP_LIST_ITEMS: crate::spec::Operation = crate::spec::Operation {
    spec: "paged",
    id: "list_items",
    method: "GET",
    success: 200u16,
    cacheable: true,
};
