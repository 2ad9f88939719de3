//! progenitor's `ClientHooks` for every generated client (it must be implemented in the
//! crate that holds them): the glue between the generated code and [`crate::transport`].

use crate::context::ClientContext;
use crate::meta::Service;
use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};

macro_rules! impl_hooks {
    ($($module:ident => $service:expr),* $(,)?) => {$(
        impl ClientHooks<ClientContext> for crate::$module::Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &OperationInfo,
            ) -> Result<(), Error<E>> {
                crate::transport::prepare($service, self.inner(), request, info)
                    .map_err(Error::InvalidRequest)
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                info: &OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                crate::transport::execute($service, self.client(), self.inner(), request, info).await
            }
        }
    )*};
}

impl_hooks!(
    friends => Service::Friends,
    contacts => Service::Contacts,
    roster => Service::Roster,
    social_friends => Service::SocialFriends,
    party => Service::Party,
);
