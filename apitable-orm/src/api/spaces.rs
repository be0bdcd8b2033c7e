//! Spaces and nodes.

use reqwest::Method;
use serde::Deserialize;

use crate::api::Space;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{NodeId, SpaceId};
use crate::transport::{Call, Seg};

/// A space the token's user belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SpaceInfo {
    /// The space id.
    pub id: SpaceId,
    /// Its name.
    pub name: String,
    /// Whether the user administers it.
    #[serde(default)]
    pub is_admin: bool,
}

/// A node type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub enum NodeType {
    /// A folder.
    Folder,
    /// A datasheet.
    Datasheet,
    /// A form.
    Form,
    /// A dashboard.
    Dashboard,
    /// A mirror.
    Mirror,
    /// An automation.
    Automation,
    /// What the server calls `"ERROR NODE TYPE"`, or a type this version does not know.
    #[serde(other)]
    Unknown,
}

impl NodeType {
    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeType::Folder => "Folder",
            NodeType::Datasheet => "Datasheet",
            NodeType::Form => "Form",
            NodeType::Dashboard => "Dashboard",
            NodeType::Mirror => "Mirror",
            NodeType::Automation => "Automation",
            NodeType::Unknown => "ERROR NODE TYPE",
        }
    }
}

/// A node in a listing or search.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NodeSummary {
    /// The node id.
    pub id: NodeId,
    /// Its name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub node_type: NodeType,
    /// Its emoji icon; `None` when it has none (the server sends `""`, older versions `null`).
    #[serde(default, deserialize_with = "empty_as_none")]
    pub icon: Option<String>,
    /// Whether the user starred it.
    #[serde(default)]
    pub is_fav: bool,
    /// 0 manager, 1 editor, 2 update-only, 3 read-only, -1 unknown.
    #[serde(default)]
    pub permission: Option<i32>,
    /// The parent folder (search results only).
    #[serde(default)]
    pub parent_id: Option<NodeId>,
}

/// A node with its children (one level).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NodeDetail {
    /// The node itself.
    #[serde(flatten)]
    pub node: NodeSummary,
    /// Its children, for folders.
    #[serde(default)]
    pub children: Vec<NodeSummary>,
}

/// A v2 node search. The type is required.
///
/// ```
/// use apitable_orm::api::{NodeSearch, NodeType};
/// let search = NodeSearch::new(NodeType::Datasheet).permissions([0, 1]).query("menu");
/// assert_eq!(search.to_query().unwrap(), vec![
///     ("type".to_string(), "Datasheet".to_string()),
///     ("permissions".to_string(), "0,1".to_string()),
///     ("query".to_string(), "menu".to_string()),
/// ]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSearch {
    node_type: NodeType,
    permissions: Vec<u8>,
    query: Option<String>,
}

impl NodeSearch {
    /// Searches nodes of this type.
    pub fn new(node_type: NodeType) -> Self {
        Self {
            node_type,
            permissions: Vec::new(),
            query: None,
        }
    }

    /// Only nodes where the user has one of these permission levels (0..=3).
    pub fn permissions(mut self, levels: impl IntoIterator<Item = u8>) -> Self {
        self.permissions.extend(levels);
        self
    }

    /// Only nodes whose name contains this text.
    pub fn query(mut self, text: impl Into<String>) -> Self {
        self.query = Some(text.into());
        self
    }

    /// The query pairs sent.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        if self.node_type == NodeType::Unknown {
            return Err(Error::InvalidRequest(
                "a node search needs a concrete node type".into(),
            ));
        }
        if let Some(bad) = self.permissions.iter().find(|p| **p > 3) {
            return Err(Error::InvalidRequest(format!(
                "permission levels are 0 to 3, got {bad}"
            )));
        }
        let mut q = vec![("type".to_owned(), self.node_type.as_str().to_owned())];
        if !self.permissions.is_empty() {
            let list: Vec<String> = self.permissions.iter().map(u8::to_string).collect();
            q.push(("permissions".to_owned(), list.join(",")));
        }
        if let Some(text) = &self.query {
            q.push(("query".to_owned(), text.clone()));
        }
        Ok(q)
    }
}

#[derive(Deserialize)]
struct SpaceList {
    spaces: Vec<SpaceInfo>,
}

#[derive(Deserialize)]
struct NodeList {
    nodes: Vec<NodeSummary>,
}

impl Client {
    /// The spaces the token's user belongs to.
    pub async fn spaces(&self) -> Result<Vec<SpaceInfo>> {
        let call = Call::v1(
            self.transport(),
            Method::GET,
            "/fusion/v1/spaces",
            &[Seg::Lit("spaces")],
        );
        Ok(self.call::<SpaceList>(call).await?.spaces)
    }

    /// One node with its children.
    pub async fn node(&self, id: &NodeId) -> Result<NodeDetail> {
        let call = Call::v1(
            self.transport(),
            Method::GET,
            "/fusion/v1/nodes/{nodeId}",
            &[Seg::Lit("nodes"), Seg::Id(id.as_str())],
        );
        self.call(call).await
    }
}

impl Space<'_> {
    /// The space's root-level nodes.
    pub async fn nodes(&self) -> Result<Vec<NodeSummary>> {
        let call = Call::v1(
            self.client.transport(),
            Method::GET,
            "/fusion/v1/spaces/{spaceId}/nodes",
            &[
                Seg::Lit("spaces"),
                Seg::Id(self.id.as_str()),
                Seg::Lit("nodes"),
            ],
        );
        Ok(self.client.call::<NodeList>(call).await?.nodes)
    }

    /// Searches the space's nodes (v2 API).
    pub async fn search_nodes(&self, search: &NodeSearch) -> Result<Vec<NodeSummary>> {
        let call = Call::v2(
            self.client.transport(),
            Method::GET,
            "/fusion/v2/spaces/{spaceId}/nodes",
            &[
                Seg::Lit("spaces"),
                Seg::Id(self.id.as_str()),
                Seg::Lit("nodes"),
            ],
        )
        .query(&search.to_query()?);
        Ok(self.client.call::<NodeList>(call).await?.nodes)
    }
}

/// `""` and `null` both mean "none".
fn empty_as_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value: Option<String> = Deserialize::deserialize(d)?;
    Ok(value.filter(|s| !s.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_icon_is_none() {
        let node = |icon: &str| -> NodeSummary {
            serde_json::from_str(&format!(
                r#"{{"id": "dstA1", "name": "Menu", "type": "Datasheet", "icon": {icon}}}"#
            ))
            .unwrap()
        };
        assert_eq!(node("\"\"").icon, None);
        assert_eq!(node("null").icon, None);
        assert_eq!(node("\"🍲\"").icon.as_deref(), Some("🍲"));
    }
}
