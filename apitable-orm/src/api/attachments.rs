//! Attachment upload.

use std::path::Path;

use bytes::Bytes;
use reqwest::Method;
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::api::Datasheet;
use crate::error::{Error, Result};
use crate::transport::{Call, FilePart, Seg};
use crate::value::Attachment;

/// A file to upload. The bytes are held in memory so that a retry can send them again.
///
/// ```
/// use apitable_orm::api::Upload;
/// let upload = Upload::from_bytes("menu.txt", b"Soup 4.50".to_vec()).mime("text/plain");
/// assert_eq!(upload.len(), 9);
/// ```
#[derive(Debug, Clone)]
pub struct Upload {
    part: FilePart,
}

impl Upload {
    /// A file from memory.
    pub fn from_bytes(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Self {
            part: FilePart {
                file_name: file_name.into(),
                mime: None,
                bytes: bytes.into(),
            },
        }
    }

    /// Reads a file from disk; its name is the path's last component.
    pub async fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                Error::InvalidRequest(format!("{} does not name a file", path.display()))
            })?;
        let bytes = tokio::fs::read(path).await.map_err(|e| {
            Error::InvalidRequest(format!("could not read {}: {e}", path.display()))
        })?;
        Ok(Self::from_bytes(name, bytes))
    }

    /// Reads a file from any async reader to its end.
    pub async fn from_reader<R: AsyncRead + Unpin>(
        file_name: impl Into<String>,
        mut reader: R,
    ) -> Result<Self> {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| Error::InvalidRequest(format!("could not read the upload: {e}")))?;
        Ok(Self::from_bytes(file_name, bytes))
    }

    /// Sets the MIME type (otherwise the server guesses).
    pub fn mime(mut self, mime: impl Into<String>) -> Self {
        self.part.mime = Some(mime.into());
        self
    }

    /// The size in bytes.
    pub fn len(&self) -> usize {
        self.part.bytes.len()
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.part.bytes.is_empty()
    }
}

impl Datasheet<'_> {
    /// Uploads one file for use in this datasheet's attachment cells; put the result in an
    /// attachment cell (a `Vec<Attachment>` field, or `[{"token", "name"}]` in raw JSON).
    pub async fn upload_attachment(&self, upload: Upload) -> Result<Attachment> {
        if upload.part.file_name.trim().is_empty() {
            return Err(Error::InvalidRequest("an upload needs a file name".into()));
        }
        let call = Call::v1(
            self.client.transport(),
            Method::POST,
            "/fusion/v1/datasheets/{dstId}/attachments",
            &[
                Seg::Lit("datasheets"),
                Seg::Id(self.id.as_str()),
                Seg::Lit("attachments"),
            ],
        )
        .file(upload.part);
        self.client.call(call).await
    }
}
