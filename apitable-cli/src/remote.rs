//! Reading a datasheet's schema from the server.

use std::io::Write;

use apitable_orm::api::FieldInfo;
use apitable_orm::{Client, DatasheetId, Error, NodeId};
use apitable_schema::{DatasheetRef, FieldSchema, Snapshot, ViewSchema};

use crate::Failure;

/// Parses a datasheet id given on the command line.
pub(crate) fn datasheet_id(text: &str) -> Result<DatasheetId, Failure> {
    text.trim()
        .parse()
        .map_err(|e| Failure::new(format!("--datasheet {text:?}: {e}")))
}

/// The fields of a datasheet, in the order of its first view.
pub(crate) async fn fields(
    client: &Client,
    dst: &DatasheetId,
) -> Result<Vec<FieldSchema>, Failure> {
    let fields = client
        .datasheet(dst)
        .fields(None)
        .await
        .map_err(|e| Failure::api(dst, "reading the fields", &e))?;
    Ok(fields.into_iter().map(FieldInfo::into_schema).collect())
}

/// A snapshot of the datasheet as it is now. The datasheet's name comes from its node; when
/// the server does not tell it, the snapshot has no name (and a warning is printed).
pub(crate) async fn snapshot(
    client: &Client,
    dst: &DatasheetId,
    err: &mut dyn Write,
) -> Result<Snapshot, Failure> {
    let fields = fields(client, dst).await?;
    let views = client
        .datasheet(dst)
        .views()
        .await
        .map_err(|e| Failure::api(dst, "reading the views", &e))?
        .into_iter()
        .map(|v| ViewSchema::new(v.id.to_string(), v.name, v.view_type))
        .collect();
    let name = match client.node(&NodeId::from(dst.clone())).await {
        Ok(node) => node.node.name,
        Err(e @ Error::Api(_)) => {
            let _ = writeln!(
                err,
                "apitable: warning: {dst}: the datasheet's name is unknown ({}); naming it after its id",
                crate::one_line(&e.to_string())
            );
            String::new()
        }
        Err(e) => return Err(Failure::api(dst, "reading the datasheet's name", &e)),
    };
    Ok(Snapshot::new(
        DatasheetRef::new(dst.to_string(), name),
        fields,
        views,
    ))
}
