//! The hand-written behaviour every generated client shares, through progenitor's
//! `ClientHooks` (which must be implemented in the crate that holds the generated clients).

use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};

/// Settings shared by a generated client (its `inner` value). Cloned with the client.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ClientContext {}

/// Runs before every request of every service.
fn pre_request(_context: &ClientContext, request: &mut reqwest::Request, _info: &OperationInfo) {
    // progenitor sends the document's `info.version` as `api-version` on every request;
    // none of the services asks for it, so it is noise on the wire.
    request.headers_mut().remove("api-version");
}

macro_rules! impl_hooks {
    ($($service:ident),* $(,)?) => {$(
        impl ClientHooks<ClientContext> for crate::$service::Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &OperationInfo,
            ) -> Result<(), Error<E>> {
                pre_request(self.inner(), request, info);
                Ok(())
            }
        }
    )*};
}

impl_hooks!(friends, contacts, roster, social_friends, party);
