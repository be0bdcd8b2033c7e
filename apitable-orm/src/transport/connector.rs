//! The one place a request meets the network. Tests swap in an in-memory server, so that
//! retry and pacing logic can run on tokio's paused clock without real sockets.

use bytes::{Bytes, BytesMut};
use reqwest::header::HeaderMap;
use tokio::time::Instant;

use crate::error::{Error, ResponseTooLarge, TransportError};

/// A function standing in for the server in unit tests.
#[cfg(test)]
pub(crate) type FakeServer = std::sync::Arc<
    dyn Fn(reqwest::Request) -> futures_util::future::BoxFuture<'static, Result<Response, Error>>
        + Send
        + Sync,
>;

/// What came back: the status, the headers and the whole body.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// When the headers arrived: the server had counted the request by then, and the time
    /// spent reading the body says nothing about the way there.
    pub(crate) heard: Instant,
}

/// Sends a built request and reads the whole response.
pub(crate) enum Connector {
    /// The real thing.
    Http(reqwest::Client),
    /// An in-memory server for unit tests.
    #[cfg(test)]
    Fake(FakeServer),
}

/// Memory reserved up front for a body, whatever its `Content-Length` says (a server can claim
/// a length it never sends).
const MAX_PREALLOCATION: u64 = 1 << 20;

impl Connector {
    /// Sends `request` and reads the response, failing with [`Error::ResponseTooLarge`] as soon
    /// as its `Content-Length`, or the bytes read so far, exceed `limit`.
    pub(crate) async fn exchange(
        &self,
        request: reqwest::Request,
        limit: u64,
    ) -> Result<Response, Error> {
        match self {
            Connector::Http(http) => {
                let mut resp = http
                    .execute(request)
                    .await
                    .map_err(|e| Error::Transport(TransportError::from_reqwest(e)))?;
                let heard = Instant::now();
                let status = resp.status().as_u16();
                let too_large = |declared| {
                    Error::ResponseTooLarge(ResponseTooLarge {
                        status,
                        limit,
                        declared,
                    })
                };
                let declared = resp.content_length();
                if let Some(n) = declared.filter(|&n| n > limit) {
                    return Err(too_large(Some(n)));
                }
                let headers = std::mem::take(resp.headers_mut());
                let capacity = declared.unwrap_or(0).min(MAX_PREALLOCATION);
                let mut body = BytesMut::with_capacity(capacity as usize);
                while let Some(chunk) = resp
                    .chunk()
                    .await
                    .map_err(|e| Error::Transport(TransportError::from_reqwest(e)))?
                {
                    if (body.len() + chunk.len()) as u64 > limit {
                        // Dropping the response closes the connection: nothing more is read.
                        return Err(too_large(None));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(Response {
                    status,
                    headers,
                    body: body.freeze(),
                    heard,
                })
            }
            #[cfg(test)]
            Connector::Fake(server) => {
                let resp = server(request).await?;
                if resp.body.len() as u64 > limit {
                    return Err(Error::ResponseTooLarge(ResponseTooLarge {
                        status: resp.status,
                        limit,
                        declared: None,
                    }));
                }
                Ok(resp)
            }
        }
    }
}
