//! The SDK surface emitted next to progenitor's client, from the document:
//! - `DEFAULT_BASE_URL` (the first server, variables at their defaults);
//! - `OPERATIONS`, what the hand-written hooks need per operation (auth scheme from
//!   `security`, whether its `403` hands out an `x-csrf-token`), sorted by id;
//! - `impl IntoFuture` for every request builder, so `client.op().param(x).await` returns
//!   `Result<T, social_sdk::Error>` (for an `x-envelope` document: `data`, with business
//!   codes as errors);
//! - for an `x-envelope` document, `Envelope` impls for its response types;
//! - `Client::drift()`, the client's drift report (`social_sdk::DriftReport`).

use crate::spec::{Operation, Spec, rust_type};
use anyhow::{Context, Result, bail};
use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;
use std::collections::BTreeMap;

/// All the facade tokens for one document.
pub fn emit(spec: &Spec) -> Result<TokenStream> {
    let base_url = default_base_url(spec)?;
    let envelope = Envelope::of(spec)?;
    let mut table = Vec::new();
    let mut futures = TokenStream::new();
    let mut envelopes = BTreeMap::new();
    for op in spec.operations() {
        let id = op.id().to_owned();
        let auth = auth_scheme(spec, &op).with_context(|| format!("{id}: security"))?;
        let csrf = takes_csrf(spec, &op)?;
        let (method, path) = (&op.method, op.path);
        let websocket = op.op.get("x-dropshot-websocket").is_some();
        let auth = format_ident!("{auth}");
        table.push((
            id.clone(),
            quote! {
                crate::meta::OperationMeta {
                    id: #id,
                    method: #method,
                    path: #path,
                    auth: crate::meta::AuthScheme::#auth,
                    csrf: #csrf,
                    websocket: #websocket,
                }
            },
        ));
        if op.op.get("x-dropshot-websocket").is_some() {
            continue; // upgraded connections are the live-stream layer's business
        }
        let builder = format_ident!("{}", id.to_upper_camel_case());
        let success = success_type(spec, &op).with_context(|| format!("{id}: 2xx response"))?;
        let (output, body): (TokenStream, TokenStream) = match (&envelope, &success) {
            (Some(env), Some(name)) => {
                let data = env.data_type(spec, name)?;
                envelopes.insert(name.clone(), data.clone());
                let data_tokens = parse(&data.rust)?;
                let empty = if data.is_list {
                    quote!(Some(::std::vec::Vec::new))
                } else {
                    quote!(None)
                };
                (
                    data_tokens,
                    quote!(crate::call::call_enveloped_data(#id, self.send(), #empty)),
                )
            }
            (None, Some(name)) => (
                parse(name)?,
                quote!(crate::call::call_json(#id, self.send())),
            ),
            (_, None) => (quote!(()), quote!(crate::call::call(#id, self.send()))),
        };
        let doc = " Sends the request: `.await` gives the decoded answer or a `social_sdk::Error`.";
        futures.extend(quote! {
            #[doc = #doc]
            impl<'a> ::std::future::IntoFuture for builder::#builder<'a> {
                type Output = ::std::result::Result<#output, crate::Error>;
                type IntoFuture = ::futures::future::BoxFuture<'a, Self::Output>;
                fn into_future(self) -> Self::IntoFuture {
                    ::std::boxed::Box::pin(#body)
                }
            }
        });
    }
    table.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(w) = table.windows(2).find(|w| w[0].0 == w[1].0) {
        bail!("operationId {} is used twice", w[0].0);
    }
    let rows = table.into_iter().map(|(_, row)| row);
    let mut out = quote! {
        /// The document's server URL (server variables at their defaults).
        pub const DEFAULT_BASE_URL: &str = #base_url;
        /// Every operation of the document, sorted by `operationId`.
        pub const OPERATIONS: &[crate::meta::OperationMeta] = &[#(#rows),*];
        impl Client {
            /// What this client's answers made the SDK tolerate so far (shared with its
            /// clones): see [`crate::DriftReport`].
            pub fn drift(&self) -> crate::DriftReport {
                self.inner.drift()
            }
        }
    };
    out.extend(futures);
    if let Some(env) = &envelope {
        out.extend(env.impls(&envelopes)?);
    }
    Ok(out)
}

fn parse(rust: &str) -> Result<TokenStream> {
    rust.parse().map_err(|e| anyhow::anyhow!("{rust}: {e}"))
}

fn default_base_url(spec: &Spec) -> Result<String> {
    let server = spec
        .raw
        .pointer("/servers/0")
        .context("the document needs a `servers` entry")?;
    let mut url = server["url"].as_str().context("servers[0].url")?.to_owned();
    if let Some(vars) = server.get("variables").and_then(Value::as_object) {
        for (name, var) in vars {
            let default = var["default"].as_str().context("server variable default")?;
            url = url.replace(&format!("{{{name}}}"), default);
        }
    }
    if url.contains('{') {
        bail!("servers[0].url {url} has a variable without a default");
    }
    Ok(url)
}

/// The component (or Rust type) of the operation's 2xx JSON body, `None` when it has none.
fn success_type(spec: &Spec, op: &Operation<'_>) -> Result<Option<String>> {
    let responses = op.op["responses"].as_object().context("responses")?;
    for (status, response) in responses {
        if !status.starts_with('2') {
            continue;
        }
        let response = spec.resolve(response)?;
        let Some(schema) = response.pointer("/content/application~1json/schema") else {
            return Ok(None);
        };
        return rust_type(schema)
            .map(Some)
            .context("name the 2xx schema as a component (or make it a primitive/array)");
    }
    Ok(None)
}

/// Which `AuthScheme` variant the operation's security maps to.
fn auth_scheme(spec: &Spec, op: &Operation<'_>) -> Result<&'static str> {
    let security = op
        .op
        .get("security")
        .or_else(|| spec.raw.get("security"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if security.is_empty() {
        return Ok("None");
    }
    let schemes = spec.raw.pointer("/components/securitySchemes");
    let mut kinds = Vec::new();
    for requirement in &security {
        for name in requirement
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            let scheme = schemes
                .and_then(|s| s.get(name))
                .with_context(|| format!("security scheme {name} is not declared"))?;
            kinds.push((
                scheme["type"].as_str().unwrap_or(""),
                scheme["in"].as_str().unwrap_or(""),
                scheme["name"].as_str().unwrap_or("").to_ascii_lowercase(),
                scheme["scheme"].as_str().unwrap_or("").to_ascii_lowercase(),
            ));
        }
    }
    let server_id = op.parameters().any(|p| {
        spec.resolve(p).ok().is_some_and(|p| {
            p["in"] == "header"
                && p["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case("x-server-id"))
        })
    });
    Ok(
        if kinds.iter().any(|k| k.0 == "apiKey" && k.1 == "cookie") {
            "RobloxSession"
        } else if kinds
            .iter()
            .any(|k| k.0 == "apiKey" && k.2 == "access-token")
        {
            "RosterToken"
        } else if server_id {
            "ServerSecret"
        } else if kinds.iter().any(|k| k.0 == "http" && k.3 == "bearer") {
            "Bearer"
        } else {
            bail!("no supported scheme among {kinds:?}")
        },
    )
}

/// Whether the operation's 403 declares the `x-csrf-token` response header.
fn takes_csrf(spec: &Spec, op: &Operation<'_>) -> Result<bool> {
    let Some(forbidden) = op.op.pointer("/responses/403") else {
        return Ok(false);
    };
    let forbidden = spec.resolve(forbidden)?;
    Ok(forbidden
        .get("headers")
        .and_then(Value::as_object)
        .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("x-csrf-token"))))
}

/// The document's `x-envelope: {code, success, data, message}`.
struct Envelope {
    code: String,
    success: i64,
    data: String,
    message: String,
}

/// What an envelope's `data` field holds.
#[derive(Clone)]
struct DataType {
    rust: String,
    is_list: bool,
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

    fn data_type(&self, spec: &Spec, rust_name: &str) -> Result<DataType> {
        let component = rust_name.trim_start_matches("types::");
        let schema = spec
            .raw
            .pointer(&format!("/components/schemas/{component}"))
            .with_context(|| format!("{component}: an enveloped answer must be a component"))?;
        for field in [&self.code, &self.message] {
            if schema.pointer(&format!("/properties/{field}")).is_none() {
                bail!("{component} has no `{field}` (x-envelope)");
            }
        }
        let data = schema
            .pointer(&format!("/properties/{}", self.data))
            .with_context(|| format!("{component} has no `{}` (x-envelope.data)", self.data))?;
        let rust = rust_type(data).with_context(|| {
            format!("{component}.{}: name its schema as a component", self.data)
        })?;
        Ok(DataType {
            rust,
            is_list: spec.resolve(data)?["type"] == "array",
        })
    }

    fn impls(&self, types: &BTreeMap<String, DataType>) -> Result<TokenStream> {
        let (code, data, message) = (
            format_ident!("{}", heck::ToSnakeCase::to_snake_case(self.code.as_str())),
            format_ident!("{}", heck::ToSnakeCase::to_snake_case(self.data.as_str())),
            format_ident!(
                "{}",
                heck::ToSnakeCase::to_snake_case(self.message.as_str())
            ),
        );
        let success = self.success;
        let mut out = TokenStream::new();
        for (name, data_type) in types {
            let ty = parse(name)?;
            let data_ty = parse(&data_type.rust)?;
            out.extend(quote! {
                impl crate::call::Envelope for #ty {
                    const SUCCESS: i64 = #success;
                    type Data = #data_ty;
                    fn code(&self) -> ::std::option::Option<i64> {
                        self.#code.map(i64::from)
                    }
                    fn message(&self) -> ::std::option::Option<&str> {
                        self.#message.as_deref()
                    }
                    fn into_data(self) -> ::std::option::Option<Self::Data> {
                        crate::call::IntoOption::into_option(self.#data)
                    }
                }
            });
        }
        Ok(out)
    }
}
