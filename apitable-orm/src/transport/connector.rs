//! The one place a request meets the network. Tests swap in an in-memory server, so that
//! retry and pacing logic can run on tokio's paused clock without real sockets.

use bytes::Bytes;

use crate::error::{Error, TransportError};

/// A function standing in for the server in unit tests.
#[cfg(test)]
pub(crate) type FakeServer = std::sync::Arc<
    dyn Fn(
            reqwest::Request,
        ) -> futures_util::future::BoxFuture<'static, Result<(u16, Bytes), Error>>
        + Send
        + Sync,
>;

/// Sends a built request and reads the whole response.
pub(crate) enum Connector {
    /// The real thing.
    Http(reqwest::Client),
    /// An in-memory server for unit tests.
    #[cfg(test)]
    Fake(FakeServer),
}

impl Connector {
    pub(crate) async fn exchange(&self, request: reqwest::Request) -> Result<(u16, Bytes), Error> {
        match self {
            Connector::Http(http) => {
                let resp = http
                    .execute(request)
                    .await
                    .map_err(|e| Error::Transport(TransportError::from_reqwest(&e)))?;
                let status = resp.status().as_u16();
                let body = resp
                    .bytes()
                    .await
                    .map_err(|e| Error::Transport(TransportError::from_reqwest(&e)))?;
                Ok((status, body))
            }
            #[cfg(test)]
            Connector::Fake(server) => server(request).await,
        }
    }
}
