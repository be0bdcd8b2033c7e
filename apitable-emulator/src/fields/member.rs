//! Member cells: arrays of units (members or teams) of the datasheet's space.

use serde_json::{Value as Json, json};

use super::WriteEnv;
use super::text::truthy;
use crate::envelope::ApiError;
use crate::store::model::{Field, Space};

/// The stored (= json read) form of a member unit.
pub(crate) fn member_json(space: &Space, id: &str) -> Option<Json> {
    if let Some(m) = space.members.iter().find(|m| m.id == id) {
        let mut v = json!({"id": m.id, "unitId": m.unit_id, "type": "Member", "name": m.name});
        if let Some(a) = &m.avatar {
            v["avatar"] = json!(a);
        }
        return Some(v);
    }
    space
        .teams
        .iter()
        .find(|t| t.id == id)
        .map(|t| json!({"id": t.id, "unitId": t.unit_id, "type": "Team", "name": t.name}))
}

/// Member writes.
pub(super) fn write(
    field: &mut Field,
    value: &Json,
    label: &str,
    env: &WriteEnv<'_>,
) -> Result<Option<Json>, ApiError> {
    let Some(arr) = super::array_cell(value, label, "Member")? else {
        return Ok(None);
    };
    let multi = super::flag(field, "isMulti");
    if !multi && arr.len() > 1 {
        return Err(ApiError::bad(
            "The Member field was set to receive one unit only",
        ));
    }
    for item in arr {
        let id = item.get("id");
        let unit_id = item.get("unitId");
        if (truthy(id) && !id.is_some_and(Json::is_string))
            || (truthy(unit_id) && !unit_id.is_some_and(Json::is_string))
        {
            return Err(ApiError::bad(format!(
                "field:{label} Member ID must be string\n"
            )));
        }
        if !truthy(id) && !truthy(unit_id) {
            if !truthy(item.get("name")) {
                return Err(ApiError::bad("Member name can't be null"));
            }
            if !truthy(item.get("type")) {
                return Err(ApiError::bad("Member type can't be null"));
            }
        }
    }
    let space = env.state.space(env.space_id);
    let mut out: Vec<Json> = Vec::new();
    for item in arr {
        let id = item
            .get("id")
            .and_then(Json::as_str)
            .filter(|s| !s.is_empty());
        let unit_id = item
            .get("unitId")
            .and_then(Json::as_str)
            .filter(|s| !s.is_empty());
        let found: Option<Json> =
            if let Some(id) = id {
                Some(space.and_then(|s| member_json(s, id)).ok_or_else(|| {
                    ApiError::bad("The unit specified by the unit ID does not exist")
                })?)
            } else if let Some(uid) = unit_id {
                let m = space.and_then(|s| s.members.iter().find(|m| m.unit_id == uid));
                Some(
                    m.and_then(|m| space.and_then(|s| member_json(s, &m.id)))
                        .ok_or_else(|| {
                            ApiError::bad("The unit specified by the unit ID does not exist")
                        })?,
                )
            } else {
                let name = item
                    .get("name")
                    .map(super::plain_string)
                    .unwrap_or_default();
                let is_team = match item.get("type") {
                    Some(Json::String(t)) => t == "Team",
                    Some(Json::Number(n)) => n.as_i64() == Some(1),
                    _ => false,
                };
                let unit = space.and_then(|s| {
                    if is_team {
                        s.teams
                            .iter()
                            .find(|t| t.name == name)
                            .map(|t| t.id.clone())
                    } else {
                        s.members
                            .iter()
                            .find(|m| m.name == name)
                            .map(|m| m.id.clone())
                    }
                });
                Some(
                    unit.and_then(|u| space.and_then(|s| member_json(s, &u)))
                        .ok_or_else(|| {
                            ApiError::bad("The unit specified by the unit Name does not exist")
                        })?,
                )
            };
        if let Some(v) = found
            && !out.iter().any(|o| o["id"] == v["id"])
        {
            out.push(v);
        }
    }
    if out.is_empty() {
        return Ok(None);
    }
    // Remember the units in the field's options, as the real property lists them.
    if !field.property.is_object() {
        field.property =
            json!({"options": [], "isMulti": false, "shouldSendMsg": false, "subscription": false});
    }
    let mut opts = field
        .property
        .get("options")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    for u in &out {
        if !opts.iter().any(|o| o["id"] == u["id"]) {
            let mut o = json!({"id": u["id"], "name": u["name"], "type": u["type"]});
            if let Some(a) = u.get("avatar") {
                o["avatar"] = a.clone();
            }
            opts.push(o);
        }
    }
    field.property["options"] = Json::Array(opts);
    Ok(Some(Json::Array(out)))
}
