//! The in-memory data model. SQLite (see `db.rs`) persists it write-through.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::fields::FieldType;

/// A user with an API token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    /// uuid-like id (as in CreatedBy cells).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Avatar URL.
    #[serde(default)]
    pub avatar: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// The `usk…` API token.
    pub token: String,
}

/// A member unit of a space.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemberUnit {
    /// Numeric unit id (the `id` of member cells).
    pub id: String,
    /// The original unit id (`unitId` in contacts and member cells).
    pub unit_id: String,
    /// The user behind the member, if it has one.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Name.
    pub name: String,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// `{areaCode, number}`.
    #[serde(default)]
    pub mobile: Option<Json>,
    /// Avatar URL.
    #[serde(default)]
    pub avatar: Option<String>,
    /// 1 = active.
    #[serde(default = "one")]
    pub status: i64,
    /// `PrimaryAdmin`, `SubAdmin` or `Member`.
    pub member_type: String,
    /// Team unit ids.
    #[serde(default)]
    pub teams: Vec<String>,
    /// Role unit ids.
    #[serde(default)]
    pub roles: Vec<String>,
}

fn one() -> i64 {
    1
}

/// A team of a space.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Team {
    /// Numeric unit id.
    pub id: String,
    /// Original unit id.
    pub unit_id: String,
    /// Name.
    pub name: String,
    /// Order among siblings.
    pub sequence: i64,
    /// Parent team unit id, `"0"` for the root.
    pub parent_unit_id: String,
    /// Role unit ids.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// A role of a space.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Role {
    /// Numeric unit id.
    pub id: String,
    /// Original unit id.
    pub unit_id: String,
    /// Name.
    pub name: String,
    /// Order.
    pub sequence: i64,
}

/// A space.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Space {
    /// `spc…`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Members.
    #[serde(default)]
    pub members: Vec<MemberUnit>,
    /// Teams.
    #[serde(default)]
    pub teams: Vec<Team>,
    /// Roles.
    #[serde(default)]
    pub roles: Vec<Role>,
}

impl Space {
    /// The member unit of `user_id`, if the user belongs to the space.
    pub fn member_of_user(&self, user_id: &str) -> Option<&MemberUnit> {
        self.members
            .iter()
            .find(|m| m.user_id.as_deref() == Some(user_id))
    }
}

/// A node of the workbench tree.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Node {
    /// Node id (`dst…`, `fod…`, …).
    pub id: String,
    /// Space.
    pub space_id: String,
    /// Parent folder, `None` at the root.
    #[serde(default)]
    pub parent_id: Option<String>,
    /// `Folder`, `Datasheet`, `Form`, `Dashboard`, `Mirror`, `Automation`.
    pub node_type: String,
    /// Name.
    pub name: String,
    /// Native emoji.
    #[serde(default)]
    pub icon: Option<String>,
    /// Favourite of the user.
    #[serde(default)]
    pub is_fav: bool,
}

/// A field of a datasheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// `fld…`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub ftype: FieldType,
    /// The GET-shape property (`Null` when the type has none).
    #[serde(default)]
    pub property: Json,
    /// Description.
    #[serde(default)]
    pub desc: Option<String>,
}

/// A sort rule of a view.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ViewSort {
    /// Field id.
    pub field_id: String,
    /// Descending.
    pub desc: bool,
}

/// One condition of a view filter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ViewCondition {
    /// Field id.
    pub field_id: String,
    /// `is`, `isNot`, `contains`, `doesNotContain`, `isEmpty`, `isNotEmpty`, `isGreater`,
    /// `isGreaterEqual`, `isLess`, `isLessEqual`.
    pub operator: String,
    /// The operand (ignored by `isEmpty` / `isNotEmpty`).
    #[serde(default)]
    pub value: Json,
}

/// A structured view filter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ViewFilter {
    /// `and` or `or`.
    pub conjunction: String,
    /// The conditions.
    pub conditions: Vec<ViewCondition>,
}

/// A view of a datasheet.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct View {
    /// `viw…`.
    pub id: String,
    /// Name.
    pub name: String,
    /// `Grid`, `Gallery`, …
    pub view_type: String,
    /// Hidden field ids.
    #[serde(default)]
    pub hidden: Vec<String>,
    /// Explicit column order (field ids); fields not listed follow in datasheet order.
    #[serde(default)]
    pub columns: Vec<String>,
    /// A filter, as a formula over the datasheet.
    #[serde(default)]
    pub filter: Option<String>,
    /// A filter as the real views hold it: conditions joined by `and` / `or`.
    #[serde(default)]
    pub conditions: Option<ViewFilter>,
    /// Sort rules.
    #[serde(default)]
    pub sort: Vec<ViewSort>,
    /// Explicit row order (record ids); records not listed follow in creation order.
    #[serde(default)]
    pub row_order: Vec<String>,
}

/// A record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    /// `rec…`.
    pub id: String,
    /// Creation sequence number within the datasheet.
    pub seq: i64,
    /// Stored cells by field id (empty cells absent).
    pub cells: Map<String, Json>,
    /// Epoch ms.
    pub created_at: i64,
    /// Epoch ms.
    pub updated_at: i64,
    /// User id.
    pub created_by: String,
    /// User id.
    pub updated_by: String,
    /// AutoNumber value.
    pub auto_number: i64,
}

/// A datasheet with its records.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Datasheet {
    /// `dst…`.
    pub id: String,
    /// Space.
    pub space_id: String,
    /// Name (kept equal to the node name).
    pub name: String,
    /// Epoch ms.
    pub created_at: i64,
    /// Fields, in the first view's column order; the first is primary.
    pub fields: Vec<Field>,
    /// Views; the first is the default.
    pub views: Vec<View>,
    /// Next record sequence number.
    pub next_seq: i64,
    /// Next AutoNumber value.
    pub next_auto: i64,
    /// Ids of deleted records (for `GET /fusion/v1/timemachine/{dstId}`).
    #[serde(default)]
    pub deleted: Vec<String>,
    /// Records in creation order.
    #[serde(skip)]
    pub records: Vec<Record>,
    /// Record id → index into `records`.
    #[serde(skip)]
    pub index: HashMap<String, usize>,
}

impl Datasheet {
    /// Rebuilds `index` from `records`.
    pub fn reindex(&mut self) {
        self.index = self
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
    }

    /// The record with id `id`.
    pub fn record(&self, id: &str) -> Option<&Record> {
        self.index.get(id).map(|&i| &self.records[i])
    }

    /// The field with id `id`.
    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// The field with name or id `key`, per `by_id`.
    pub fn field_by_key(&self, key: &str, by_id: bool) -> Option<&Field> {
        if by_id {
            self.fields.iter().find(|f| f.id == key)
        } else {
            self.fields.iter().find(|f| f.name == key)
        }
    }

    /// The view with id `id`.
    pub fn view(&self, id: &str) -> Option<&View> {
        self.views.iter().find(|v| v.id == id)
    }

    /// The primary field.
    pub fn primary(&self) -> Option<&Field> {
        self.fields.first()
    }

    /// The columns of `view` in order, hidden ones included or not.
    pub fn view_fields(&self, view: &View, include_hidden: bool) -> Vec<&Field> {
        let mut out: Vec<&Field> = Vec::with_capacity(self.fields.len());
        if let Some(p) = self.primary() {
            out.push(p);
        }
        for id in &view.columns {
            if let Some(f) = self.field(id)
                && !out.iter().any(|o| o.id == f.id)
            {
                out.push(f);
            }
        }
        for f in &self.fields {
            if !out.iter().any(|o| o.id == f.id) {
                out.push(f);
            }
        }
        if !include_hidden {
            out.retain(|f| {
                !view.hidden.contains(&f.id) || Some(&f.id) == self.primary().map(|p| &p.id)
            });
        }
        out
    }
}

/// An uploaded attachment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Asset {
    /// `space/YYYY/MM/DD/<hash>`.
    pub token: String,
    /// Original file name.
    pub name: String,
    /// Bytes.
    pub size: u64,
    /// MIME type.
    pub mime_type: String,
    /// Image width.
    #[serde(default)]
    pub width: Option<u32>,
    /// Image height.
    #[serde(default)]
    pub height: Option<u32>,
}

/// Everything the emulator knows.
#[derive(Debug, Default, Clone)]
pub struct State {
    /// Users with tokens.
    pub users: Vec<User>,
    /// Spaces.
    pub spaces: Vec<Space>,
    /// Nodes (folders and datasheets).
    pub nodes: Vec<Node>,
    /// Datasheets by id.
    pub datasheets: HashMap<String, Datasheet>,
    /// Uploaded assets by token (bytes live in SQLite only).
    pub assets: HashMap<String, Asset>,
}

impl State {
    /// The user owning `token`.
    pub fn user_by_token(&self, token: &str) -> Option<&User> {
        self.users.iter().find(|u| u.token == token)
    }

    /// The user with id `id`.
    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// The space with id `id`.
    pub fn space(&self, id: &str) -> Option<&Space> {
        self.spaces.iter().find(|s| s.id == id)
    }

    /// The node with id `id`.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// Whether `user_id` is a member of `space_id`.
    pub fn is_member(&self, space_id: &str, user_id: &str) -> bool {
        self.space(space_id)
            .is_some_and(|s| s.member_of_user(user_id).is_some())
    }
}
