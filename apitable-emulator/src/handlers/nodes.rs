//! Spaces and nodes and v2 node search.

use serde_json::{Value as Json, json};

use crate::app::{App, member_space};
use crate::envelope::{ApiError, ApiResult, Success, tips};
use crate::params::Query;
use crate::store::State;
use crate::store::model::Node;

fn permission(state: &State, space_id: &str, user: &str) -> i64 {
    match state
        .space(space_id)
        .and_then(|s| s.member_of_user(user))
        .map(|m| m.member_type.as_str())
    {
        Some("PrimaryAdmin") | Some("SubAdmin") => 0,
        Some(_) => 1,
        None => -1,
    }
}

fn node_json(state: &State, n: &Node, user: &str) -> Json {
    json!({
        "id": n.id,
        "name": n.name,
        "type": n.node_type,
        // The real server sends "" (never null) for a node without an icon.
        "icon": n.icon.as_deref().unwrap_or(""),
        "isFav": n.is_fav,
        "permission": permission(state, &n.space_id, user),
    })
}

/// GET /fusion/v1/spaces
pub(crate) fn spaces(app: &App, user: &str) -> ApiResult {
    let state = app.store.read();
    let out: Vec<Json> = state
        .spaces
        .iter()
        .filter_map(|s| {
            let m = s.member_of_user(user)?;
            let mut o = json!({"id": s.id, "name": s.name});
            if m.member_type == "PrimaryAdmin" || m.member_type == "SubAdmin" {
                o["isAdmin"] = json!(true);
            }
            Some(o)
        })
        .collect();
    Ok(Success::ok(json!({ "spaces": out })))
}

/// GET /fusion/v1/spaces/{spaceId}/nodes
pub(crate) fn space_nodes(app: &App, user: &str, spc: &str) -> ApiResult {
    let state = app.store.read();
    member_space(&state, user, spc)?;
    let out: Vec<Json> = state
        .nodes
        .iter()
        .filter(|n| n.space_id == spc && n.parent_id.is_none())
        .map(|n| node_json(&state, n, user))
        .collect();
    Ok(Success::ok(json!({ "nodes": out })))
}

/// GET /fusion/v1/nodes/{nodeId} and /fusion/v1/spaces/{spaceId}/nodes/{nodeId}
pub(crate) fn node_detail(app: &App, user: &str, spc: Option<&str>, node: &str) -> ApiResult {
    let state = app.store.read();
    if let Some(s) = spc {
        member_space(&state, user, s)?;
    }
    let n = state
        .node(node)
        .filter(|n| spc.is_none_or(|s| n.space_id == s))
        .ok_or_else(tips::datasheet_not_exist)?;
    if !state.is_member(&n.space_id, user) {
        return Err(ApiError::not_in_space());
    }
    let mut out = node_json(&state, n, user);
    if n.node_type == "Folder" {
        let children: Vec<Json> = state
            .nodes
            .iter()
            .filter(|c| c.parent_id.as_deref() == Some(&n.id))
            .map(|c| node_json(&state, c, user))
            .collect();
        out["children"] = json!(children);
    }
    Ok(Success::ok(out))
}

const NODE_TYPES: [&str; 6] = [
    "Folder",
    "Datasheet",
    "Form",
    "Dashboard",
    "Mirror",
    "Automation",
];

/// GET /fusion/v2/spaces/{spaceId}/nodes?type=&permissions=&query=
pub(crate) fn search(app: &App, user: &str, spc: &str, q: &Query) -> ApiResult {
    let ntype = match q.scalar("type") {
        Some(t) if NODE_TYPES.contains(&t) => t.to_string(),
        _ => return Err(tips::node_type_value()),
    };
    let perms: Option<Vec<i64>> = match q.array("permissions") {
        None => None,
        Some(list) => {
            let mut out = Vec::new();
            for p in list {
                match p.trim().parse::<i64>() {
                    Ok(n) if (0..=3).contains(&n) => out.push(n),
                    _ => return Err(tips::node_permission_value()),
                }
            }
            Some(out)
        }
    };
    let query = q.scalar("query").map(str::to_lowercase);
    let state = app.store.read();
    member_space(&state, user, spc)?;
    let out: Vec<Json> = state
        .nodes
        .iter()
        .filter(|n| n.space_id == spc && n.node_type == ntype)
        .filter(|n| {
            query
                .as_ref()
                .is_none_or(|qq| n.name.to_lowercase().contains(qq))
        })
        .filter(|_| {
            perms
                .as_ref()
                .is_none_or(|p| p.contains(&permission(&state, spc, user)))
        })
        .map(|n| {
            let mut o = node_json(&state, n, user);
            if let Some(p) = &n.parent_id {
                o["parentId"] = json!(p);
            }
            o
        })
        .collect();
    Ok(Success::ok(json!({ "nodes": out })))
}
