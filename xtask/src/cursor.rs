//! Page streams from the `x-cursor` extension.
//!
//! progenitor's own pagination only fits dropshot's `items/next_page/page_token` shape, so
//! for every operation with `x-cursor: {param, items, next}` this emits
//! - `impl crate::paging::CursorPage for types::<Page>` (items + next cursor), once per type;
//! - `impl builder::<Op> { pub fn stream(self) -> crate::paging::PageStream<…> }`, which
//!   repeats every filter set on the builder and only changes the cursor.

use crate::spec::{Spec, ref_name, rust_type};
use anyhow::{Context, Result, bail};
use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;
use std::collections::BTreeSet;

/// One cursor-paged operation, as the extension and the response schema describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CursorOp {
    /// `operationId`.
    pub operation_id: String,
    /// Query parameter that takes the cursor.
    pub param: String,
    /// Response field holding the items.
    pub items: String,
    /// Response field holding the next cursor.
    pub next: String,
    /// Component name of the 200 response.
    pub page_type: String,
    /// Rust type of one item, as tokens relative to the generated module.
    pub item_type: String,
    /// Whether the document wraps answers in an `x-envelope` (the stream checks its code).
    pub enveloped: bool,
}

/// Finds every `x-cursor` operation of a document and checks it against its schemas.
pub fn cursor_ops(spec: &Spec) -> Result<Vec<CursorOp>> {
    let mut out = Vec::new();
    for op in spec.operations() {
        let Some(ext) = op.op.get("x-cursor") else {
            continue;
        };
        let field = |name: &str| -> Result<String> {
            ext.get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .with_context(|| format!("{}: x-cursor needs a string `{name}`", op.id()))
        };
        let (param, items, next) = (field("param")?, field("items")?, field("next")?);
        if !op.parameters().any(|p| {
            spec.resolve(p)
                .ok()
                .and_then(|p| p.get("name"))
                .and_then(Value::as_str)
                == Some(param.as_str())
        }) {
            bail!(
                "{}: x-cursor.param `{param}` is not a parameter of the operation",
                op.id()
            );
        }
        let ok = op
            .op
            .pointer("/responses/200/content/application~1json/schema")
            .with_context(|| format!("{}: a cursor-paged operation needs a JSON 200", op.id()))?;
        let page_type = ref_name(ok)
            .with_context(|| format!("{}: the 200 schema must be a named component", op.id()))?;
        let page = spec.resolve(ok)?;
        let props = page
            .get("properties")
            .with_context(|| format!("{page_type}: no properties"))?;
        let items_schema = props
            .get(&items)
            .with_context(|| format!("{page_type} has no field `{items}` (x-cursor.items)"))?;
        if props.get(&next).is_none() {
            bail!("{page_type} has no field `{next}` (x-cursor.next)");
        }
        let item = spec
            .resolve(items_schema)?
            .get("items")
            .with_context(|| format!("{page_type}.{items} must be an array"))?;
        let item_type = rust_type(item)
            .with_context(|| format!("{page_type}.{items}: unsupported item schema"))?;
        out.push(CursorOp {
            operation_id: op.id().to_owned(),
            param,
            items,
            next,
            page_type,
            item_type,
            enveloped: spec.raw.get("x-envelope").is_some(),
        });
    }
    Ok(out)
}

/// The tokens appended to a generated client module.
pub fn emit(ops: &[CursorOp]) -> Result<TokenStream> {
    let mut out = TokenStream::new();
    let mut pages_done = BTreeSet::new();
    for op in ops {
        let page = format_ident!("{}", op.page_type.to_upper_camel_case());
        let item: TokenStream = op.item_type.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
        let items = format_ident!("{}", op.items.to_snake_case());
        let next = format_ident!("{}", op.next.to_snake_case());
        if pages_done.insert(op.page_type.clone()) {
            let doc = format!(
                " A page of [`types::{page}`]: items in `{}`, next cursor in `{}`.",
                op.items, op.next
            );
            out.extend(quote! {
                #[doc = #doc]
                impl crate::paging::CursorPage for types::#page {
                    type Item = #item;
                    fn into_page(self) -> crate::paging::Page<Self::Item> {
                        crate::paging::Page {
                            items: crate::paging::IntoItems::into_items(self.#items),
                            next: self.#next,
                        }
                    }
                }
            });
        }
        let builder = format_ident!("{}", op.operation_id.to_upper_camel_case());
        let param = format_ident!("{}", op.param.to_snake_case());
        let id = &op.operation_id;
        // Both report drift (`social_sdk::drift`) for every page.
        let call = if op.enveloped {
            quote!(call_enveloped)
        } else {
            quote!(call_json)
        };
        let doc = format!(
            " Every item of every page, fetched lazily: the next page is requested only when the \
             previous one has been consumed. Every filter set on this builder is sent again with \
             each page; only `{}` changes. The stream ends when `{}` is absent or empty and fails \
             with `Error::CursorLoop` if the server repeats a cursor. Stop early with \
             `StreamExt::take`.",
            op.param, op.next
        );
        out.extend(quote! {
            impl<'a> builder::#builder<'a> {
                #[doc = #doc]
                pub fn stream(self) -> crate::paging::PageStream<'a, #item> {
                    crate::paging::cursor_stream(#id, self, |builder, cursor| async move {
                        let builder = match cursor {
                            Some(cursor) => builder.#param(cursor),
                            None => builder,
                        };
                        crate::call::#call(#id, builder.send()).await
                    })
                }
            }
        });
    }
    Ok(out)
}
