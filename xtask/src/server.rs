//! The stub's side of a document: `server-stub/src/generated/<module>.rs`.
//!
//! For each document this emits, over the SDK's own generated types (so client and server
//! cannot drift):
//! - one `<Op>Input` struct per operation (path, query and header parameters, and the body),
//!   deserialised from what `crate::http` has already validated against the document;
//! - one `<Service>Api` trait with one method per operation (no default bodies: leaving an
//!   operation out is a compile error) plus `invalid_input`, the service's answer to input
//!   the document rejects;
//! - `router()`, which routes every path (path parameters renamed positionally, since axum's
//!   router refuses two names at one position), extracts, validates and dispatches through
//!   `crate::http::handle`.
//!
//! Live (`x-dropshot-websocket`) operations are trait methods too: the service answers who
//! may follow which snapshot (`crate::http::LiveFeed`) and `crate::http::live` upgrades the
//! connection and writes the frames.
//!
//! For an `x-envelope` document (every answer HTTP 200 with `{code, data, message}`), a
//! method returns its success as `Ok` with the envelope's `data` (or, when the envelope has
//! more fields, such as `cursor` and `version`, an `<Op>Output` struct with `data` and those
//! fields), and the router writes the envelope: `{code: <success>, data, message: null}`,
//! then each further field that is set, in the document's order. The answer goes through
//! the error path of `crate::http::handle`, as the business errors (still `Err`) do, so it
//! is sent as built, without the completion of absent nullable fields.

use crate::spec::{Spec, rust_type};
use anyhow::{Context, Result, bail};
use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;
use std::collections::BTreeMap;

/// One operation, as the server side needs it.
struct ServerOp {
    id: String,
    method: String,
    path: String,
    summary: String,
    success: u16,
    output: TokenStream,
    fields: Vec<TokenStream>,
    websocket: bool,
    /// A `GET` without `x-side-effects`: its answers may come from the world's cache.
    cacheable: bool,
    /// How the router writes an enveloped success (`x-envelope` documents).
    enveloped: Option<TokenStream>,
}

/// The document's `x-envelope: {code, success, data, message}`.
struct Envelope {
    code: String,
    success: i64,
    data: String,
    message: String,
}

impl Envelope {
    fn of(spec: &Spec) -> Result<Option<Self>> {
        let Some(ext) = spec.raw.get("x-envelope") else {
            return Ok(None);
        };
        let field = |name: &str| {
            ext[name]
                .as_str()
                .map(str::to_owned)
                .with_context(|| format!("x-envelope.{name}"))
        };
        Ok(Some(Self {
            code: field("code")?,
            success: ext["success"].as_i64().context("x-envelope.success")?,
            data: field("data")?,
            message: field("message")?,
        }))
    }
}

/// Emits the server module for a document.
pub fn emit(spec: &Spec, stem: &str, module: &str) -> Result<TokenStream> {
    let envelope = Envelope::of(spec)?;
    let mut ops = Vec::new();
    let mut outputs = TokenStream::new();
    for op in spec.operations() {
        let id = op.id().to_owned();
        let websocket = op.op.get("x-dropshot-websocket").is_some();
        let mut fields = Vec::new();
        for param in op.parameters() {
            let param = spec.resolve(param)?;
            if param.get("x-sdk-injected").and_then(Value::as_bool) == Some(true) {
                continue; // auth, read by the service from the request context
            }
            let name = param["name"].as_str().context("parameter name")?;
            let schema = &param["schema"];
            let ty = rust_type(schema)
                .with_context(|| format!("{id}: parameter {name}: name its schema"))?;
            let ty: TokenStream = ty.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
            let required = param["required"].as_bool().unwrap_or(false)
                || spec.resolve(schema)?.get("default").is_some();
            let field = format_ident!("{}", field_name(name));
            let doc = format!(" `{name}` ({}).", param["in"].as_str().unwrap_or("?"));
            fields.push(if required {
                quote! { #[doc = #doc] #[serde(rename = #name)] pub #field: #ty }
            } else {
                quote! { #[doc = #doc] #[serde(rename = #name, default)] pub #field: ::std::option::Option<#ty> }
            });
        }
        if let Some(body) = op.op.get("requestBody") {
            let body = spec.resolve(body)?;
            let schema = body
                .pointer("/content/application~1json/schema")
                .with_context(|| format!("{id}: only JSON request bodies are supported"))?;
            let ty: TokenStream = rust_type(schema)
                .with_context(|| format!("{id}: name the request body schema"))?
                .parse()
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let doc = " The JSON body.";
            fields.push(if body["required"].as_bool().unwrap_or(false) {
                quote! { #[doc = #doc] #[serde(rename = "$body")] pub body: #ty }
            } else {
                quote! { #[doc = #doc] #[serde(rename = "$body", default)] pub body: ::std::option::Option<#ty> }
            });
        }
        let (success, mut output, schema) = success(spec, &op.op["responses"])?;
        let mut enveloped = None;
        if let (Some(env), Some(schema), false) = (&envelope, schema, websocket) {
            let (ok, wrap, extra) = envelope_of(spec, env, &id, success, schema)?;
            output = ok;
            enveloped = Some(wrap);
            outputs.extend(extra);
        }
        let cacheable = op.method == "GET" && !websocket && op.op.get("x-side-effects").is_none();
        ops.push(ServerOp {
            cacheable,
            id,
            method: op.method.clone(),
            path: op.path.to_owned(),
            summary: op.op["summary"].as_str().unwrap_or("").to_owned(),
            success,
            output,
            fields,
            websocket,
            enveloped,
        });
    }

    let service = module.to_upper_camel_case();
    let trait_name = format_ident!("{service}Api");
    let types_path: TokenStream = format!("social_sdk::{module}::types")
        .parse()
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    let mut inputs = TokenStream::new();
    let mut methods = TokenStream::new();
    let mut statics = TokenStream::new();
    for op in ops.iter().filter(|o| o.websocket) {
        let method = format_ident!("{}", op.id);
        let doc = format!(
            " `{} {}` (WebSocket): {}. Grants the caller a live feed, or answers its error; \
             `params` are the operation's query and header parameters, checked.",
            op.method, op.path, op.summary
        );
        methods.extend(quote! {
            #[doc = #doc]
            fn #method(
                &self,
                ctx: &crate::http::RequestContext,
                params: ::std::result::Result<
                    ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                    crate::spec::Invalid,
                >,
            ) -> ::std::result::Result<crate::http::LiveFeed, crate::http::StubError>;
        });
    }
    for op in ops.iter().filter(|o| !o.websocket) {
        let input = format_ident!("{}Input", op.id.to_upper_camel_case());
        let method = format_ident!("{}", op.id);
        let fields = &op.fields;
        let output = &op.output;
        let input_doc = format!(
            " Inputs of `{}` (`{} {}`), validated against the document.",
            op.id, op.method, op.path
        );
        inputs.extend(quote! {
            #[doc = #input_doc]
            #[derive(Debug, Clone, ::serde::Deserialize)]
            pub struct #input { #(#fields,)* }
        });
        let doc = format!(" `{} {}`: {}", op.method, op.path, op.summary);
        methods.extend(quote! {
            #[doc = #doc]
            fn #method(
                &self,
                ctx: crate::http::RequestContext,
                input: #input,
            ) -> impl ::std::future::Future<Output = ::std::result::Result<#output, crate::http::StubError>> + Send;
        });
    }
    for op in &ops {
        let name = format_ident!("OP_{}", op.id.to_shouty_snake_case());
        let (id, success, method, cacheable) = (&op.id, op.success, &op.method, op.cacheable);
        statics.extend(quote! {
            static #name: crate::spec::Operation = crate::spec::Operation {
                spec: #stem,
                id: #id,
                method: #method,
                success: #success,
                cacheable: #cacheable,
            };
        });
    }

    // Routes: one MethodRouter per path, path parameters renamed {p0}, {p1}, ….
    let mut by_path: BTreeMap<String, Vec<&ServerOp>> = BTreeMap::new();
    for op in &ops {
        by_path.entry(positional(&op.path)).or_default().push(op);
    }
    let mut routes = TokenStream::new();
    for (path, path_ops) in &by_path {
        let mut chain = quote!(::axum::routing::MethodRouter::new());
        for op in path_ops {
            let verb = format_ident!("{}", op.method.to_lowercase());
            let statik = format_ident!("OP_{}", op.id.to_shouty_snake_case());
            let handler = if op.websocket {
                let method = format_ident!("{}", op.id);
                quote! {
                    {
                        let api = api.clone();
                        move |request: ::axum::extract::Request| {
                            let api = api.clone();
                            async move {
                                crate::http::live(&#statik, request, |ctx, params| {
                                    api.#method(ctx, params)
                                })
                                .await
                            }
                        }
                    }
                }
            } else {
                let method = format_ident!("{}", op.id);
                let call = match &op.enveloped {
                    None => quote! { |ctx, input| api.#method(ctx, input) },
                    Some(wrap) => quote! {
                        |ctx, input| {
                            let answer = api.#method(ctx, input);
                            async move {
                                answer
                                    .await
                                    .and_then(|output| ::std::result::Result::<(), _>::Err(#wrap))
                            }
                        }
                    },
                };
                quote! {
                    {
                        let api = api.clone();
                        move |raw: crate::http::RawRequest| {
                            let api = api.clone();
                            async move {
                                crate::http::handle(
                                    &#statik,
                                    raw,
                                    |ctx, problem| api.invalid_input(ctx, problem),
                                    #call,
                                )
                                .await
                            }
                        }
                    }
                }
            };
            chain = quote!(#chain.#verb(#handler));
        }
        routes.extend(quote! { .route(#path, #chain) });
    }

    let mut trait_doc = format!(
        " Every operation of `openapi/{stem}.yaml`. Implement all of them: there are no \
         defaults."
    );
    let mut helpers = TokenStream::new();
    if let Some(env) = &envelope {
        trait_doc.push_str(&format!(
            " A success is `Ok` with the envelope's `{}`, which the router wraps; a business \
             error is `Err`, its whole envelope built by the service.",
            env.data
        ));
        let (code, data, message) = (&env.code, &env.data, &env.message);
        let success = env.success;
        helpers.extend(quote! {
            /// The `x-envelope` of a success: `{code, data, message: null}`, then each further
            /// field that is set, as the operation's success status.
            fn envelope(
                status: u16,
                data: impl ::serde::Serialize,
                extra: ::std::vec::Vec<(&'static str, ::std::option::Option<::serde_json::Value>)>,
            ) -> crate::http::StubError {
                let data = ::serde_json::to_value(data).unwrap_or(::serde_json::Value::Null);
                let mut body = ::serde_json::Map::new();
                body.insert(#code.to_owned(), ::serde_json::Value::from(#success));
                body.insert(#data.to_owned(), data);
                body.insert(#message.to_owned(), ::serde_json::Value::Null);
                for (name, field) in extra {
                    if let ::std::option::Option::Some(field) = field {
                        body.insert(name.to_owned(), field);
                    }
                }
                crate::http::StubError::new(
                    ::axum::http::StatusCode::from_u16(status)
                        .unwrap_or(::axum::http::StatusCode::OK),
                    ::serde_json::Value::Object(body),
                )
            }
        });
        if !outputs.is_empty() {
            helpers.extend(quote! {
                /// A further envelope field, as JSON (`None`: left out).
                fn field(
                    value: ::std::option::Option<impl ::serde::Serialize>,
                ) -> ::std::option::Option<::serde_json::Value> {
                    value.map(|v| ::serde_json::to_value(v).unwrap_or(::serde_json::Value::Null))
                }
            });
        }
    }
    Ok(quote! {
        use #types_path as types;

        #inputs

        #outputs

        #[doc = #trait_doc]
        pub trait #trait_name: Send + Sync + 'static {
            /// The service's own answer to input the document rejects.
            fn invalid_input(
                &self,
                ctx: &crate::http::RequestContext,
                problem: &crate::spec::Invalid,
            ) -> crate::http::StubError;
            #methods
        }

        /// Routes every operation of the document to `api`.
        pub fn router<S: #trait_name>(api: ::std::sync::Arc<S>) -> ::axum::Router {
            ::axum::Router::new() #routes
        }

        #statics

        #helpers
    })
}

/// `/v1/users/{userId}/friends` → `/v1/users/{p0}/friends`.
pub fn positional(path: &str) -> String {
    let mut out = String::new();
    let mut index = 0;
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&format!("{{p{index}}}"));
        index += 1;
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

fn field_name(name: &str) -> String {
    let snake = name.to_snake_case();
    match snake.as_str() {
        "type" | "match" | "ref" | "self" | "mod" | "use" | "fn" | "in" | "body" => {
            format!("{snake}_")
        }
        _ => snake,
    }
}

/// The status, Rust type and JSON schema of an operation's success.
fn success<'a>(
    spec: &'a Spec,
    responses: &'a Value,
) -> Result<(u16, TokenStream, Option<&'a Value>)> {
    let responses = responses.as_object().context("responses")?;
    for (status, response) in responses {
        let Ok(code) = status.parse::<u16>() else {
            continue;
        };
        if !(101..300).contains(&code) {
            continue;
        }
        let response = spec.resolve(response)?;
        return Ok(
            match response.pointer("/content/application~1json/schema") {
                None => (code, quote!(()), None),
                Some(schema) => {
                    let ty = rust_type(schema).context("name the success schema")?;
                    let ty = ty.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
                    (code, ty, Some(schema))
                }
            },
        );
    }
    bail!("no success response")
}

/// For an enveloped success schema: the `Ok` type of the trait method, the expression the
/// router answers `output` (that `Ok` value) with, and the `<Op>Output` struct when the
/// envelope has fields besides code, data and message.
fn envelope_of(
    spec: &Spec,
    env: &Envelope,
    id: &str,
    status: u16,
    schema: &Value,
) -> Result<(TokenStream, TokenStream, TokenStream)> {
    let schema = spec.resolve(schema)?;
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .with_context(|| format!("{id}: an enveloped answer needs properties"))?;
    for field in [&env.code, &env.message] {
        if !properties.contains_key(field) {
            bail!("{id}: the success schema has no `{field}` (x-envelope)");
        }
    }
    let data = properties.get(&env.data).with_context(|| {
        format!(
            "{id}: the success schema has no `{}` (x-envelope)",
            env.data
        )
    })?;
    let data_ty: TokenStream = rust_type(data)
        .with_context(|| format!("{id}.{}: name its schema", env.data))?
        .parse()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let extras: Vec<(&String, &Value)> = properties
        .iter()
        .filter(|(name, _)| ![&env.code, &env.data, &env.message].contains(name))
        .collect();
    if extras.is_empty() {
        let wrap = quote!(envelope(#status, output, ::std::vec::Vec::new()));
        return Ok((data_ty, wrap, TokenStream::new()));
    }
    let name = format_ident!("{}Output", id.to_upper_camel_case());
    let data_field = format_ident!("{}", field_name(&env.data));
    let data_doc = format!(" `{}`.", env.data);
    let mut fields = vec![quote! { #[doc = #data_doc] pub #data_field: #data_ty }];
    let mut pushes = Vec::new();
    for (json, property) in extras {
        let ty: TokenStream = rust_type(property)
            .with_context(|| format!("{id}.{json}: name its schema"))?
            .parse()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let field = format_ident!("{}", field_name(json));
        let doc = format!(" `{json}` (left out when `None`).");
        fields.push(quote! { #[doc = #doc] pub #field: ::std::option::Option<#ty> });
        pushes.push(quote! {
            (#json, field(self.#field))
        });
    }
    let doc = format!(
        " The success of `{id}`: the envelope's `{}` and its further fields.",
        env.data
    );
    let output = quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name { #(#fields,)* }

        impl #name {
            /// The envelope the router answers with.
            fn into_envelope(self, status: u16) -> crate::http::StubError {
                envelope(status, self.#data_field, ::std::vec::Vec::from([#(#pushes),*]))
            }
        }
    };
    let wrap = quote!(output.into_envelope(#status));
    Ok((quote!(#name), wrap, output))
}
