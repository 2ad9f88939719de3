//! Awaiting a request builder: `client.op().param(x).await` sends it through progenitor's
//! `send()` and turns the outcome into the crate's [`Error`]. The generated code implements
//! `IntoFuture` for every builder with these functions.

use crate::error::Error;
use crate::transport::{CAPTURE, CaptureSlot, Captured};
use progenitor_client::ResponseValue;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::sync::Arc;

type Sent<T, E> = Result<ResponseValue<T>, progenitor_client::Error<E>>;

/// Sends and returns the decoded body.
pub(crate) async fn call<T, E: Serialize>(
    operation: &'static str,
    send: impl Future<Output = Sent<T, E>>,
) -> Result<T, Error> {
    call_then(operation, send, |_| ()).await
}

/// Like [`call`] for a JSON answer, whose drift (`crate::drift`) goes to the client's
/// report before the answer is returned.
pub(crate) async fn call_json<T: DeserializeOwned, E: Serialize>(
    operation: &'static str,
    send: impl Future<Output = Sent<T, E>>,
) -> Result<T, Error> {
    call_then(operation, send, |captured| {
        if let (Some(body), Some(log)) = (&captured.success_body, &captured.drift) {
            let absorbed = captured.absorbed;
            if absorbed || log.sample_unknown_fields(operation) {
                log.record(operation, crate::drift::find::<T>(body, absorbed));
            }
        }
    })
    .await
}

async fn call_then<T, E: Serialize>(
    operation: &'static str,
    send: impl Future<Output = Sent<T, E>>,
    on_success: impl FnOnce(&Captured),
) -> Result<T, Error> {
    let slot = CaptureSlot::default();
    let result = CAPTURE.scope(Arc::clone(&slot), send).await;
    let captured = slot.lock().map(|c| c.clone()).unwrap_or_default();
    match result {
        Ok(value) => {
            on_success(&captured);
            Ok(value.into_inner())
        }
        Err(error) => Err(convert(operation, error, captured).await),
    }
}

/// Sends a call of an enveloped service (`x-envelope`) and returns the whole envelope when
/// its code is the success code; any other code is [`Error::Service`] with that code.
pub(crate) async fn call_enveloped<T: Envelope + DeserializeOwned, E: Serialize>(
    operation: &'static str,
    send: impl Future<Output = Sent<T, E>>,
) -> Result<T, Error> {
    let envelope = call_json(operation, send).await?;
    if envelope.code() == Some(T::SUCCESS) {
        return Ok(envelope);
    }
    let body = serde_json::to_vec(&envelope).unwrap_or_default().into();
    Err(Error::Service(Box::new(crate::error::ServiceError {
        operation,
        status: reqwest::StatusCode::OK,
        code: envelope.code().map(crate::ErrorCode::Number),
        message: envelope.message().map(str::to_owned),
        body,
        retry_after: None,
    })))
}

/// Like [`call_enveloped`], returning only `data`. `empty` is what a success without
/// `data` means (an empty list); without it, a success without `data` is an error.
pub(crate) async fn call_enveloped_data<T: Envelope + DeserializeOwned, E: Serialize>(
    operation: &'static str,
    send: impl Future<Output = Sent<T, E>>,
    empty: Option<fn() -> T::Data>,
) -> Result<T::Data, Error> {
    let envelope = call_enveloped(operation, send).await?;
    let body = serde_json::to_vec(&envelope).unwrap_or_default();
    match (envelope.into_data(), empty) {
        (Some(data), _) => Ok(data),
        (None, Some(empty)) => Ok(empty()),
        (None, None) => Err(Error::Decode {
            operation,
            status: Some(reqwest::StatusCode::OK),
            body: body.into(),
            source: <serde_json::Error as serde::de::Error>::missing_field("data"),
        }),
    }
}

/// A response wrapped in `{code, data, message}` (roster), implemented by the generated
/// code for every response type of an enveloped document.
pub(crate) trait Envelope: Serialize {
    /// The code that means success.
    const SUCCESS: i64;
    /// What `data` holds.
    type Data;
    /// The business code.
    fn code(&self) -> Option<i64>;
    /// The business message.
    fn message(&self) -> Option<&str>;
    /// `data`, when present.
    fn into_data(self) -> Option<Self::Data>;
}

/// Fields the generated models may hold as `Option<T>` or as a plain `Vec<T>`.
pub(crate) trait IntoOption<T> {
    /// The value, `None` when absent.
    fn into_option(self) -> Option<T>;
}

impl<T> IntoOption<T> for Option<T> {
    fn into_option(self) -> Option<T> {
        self
    }
}

impl<T> IntoOption<Vec<T>> for Vec<T> {
    fn into_option(self) -> Option<Vec<T>> {
        Some(self)
    }
}

async fn convert<E: Serialize>(
    operation: &'static str,
    error: progenitor_client::Error<E>,
    captured: Captured,
) -> Error {
    use progenitor_client::Error as P;
    let error_status = captured
        .status
        .filter(|s| s.is_client_error() || s.is_server_error());
    match error {
        P::InvalidRequest(message) | P::Custom(message) => {
            Error::InvalidRequest { operation, message }
        }
        P::CommunicationError(e) | P::InvalidUpgrade(e) | P::ResponseBodyError(e) => {
            Error::from_reqwest(operation, e)
        }
        P::ErrorResponse(value) => {
            let status = value.status();
            let body = match captured.body {
                Some(body) => body,
                None => serde_json::to_vec(&value.into_inner())
                    .unwrap_or_default()
                    .into(),
            };
            Error::from_error_response(operation, status, &captured.headers, body, true)
        }
        P::InvalidResponsePayload(body, source) => match error_status {
            // A documented error status whose body is not the documented shape (an HTML
            // page from a proxy, say): still the service's error, with the raw body.
            Some(status) => {
                Error::from_error_response(operation, status, &captured.headers, body, true)
            }
            None => Error::Decode {
                operation,
                status: captured.status,
                body,
                source,
            },
        },
        P::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            let body = match captured.body {
                Some(body) => body,
                None => match response.bytes().await {
                    Ok(body) => body,
                    Err(e) => return Error::from_reqwest(operation, e),
                },
            };
            if status.is_client_error() || status.is_server_error() {
                Error::from_error_response(operation, status, &headers, body, false)
            } else {
                Error::UnexpectedResponse {
                    operation,
                    status,
                    body,
                }
            }
        }
    }
}
