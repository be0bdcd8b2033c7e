//! Seeding from JSON: spaces, members/teams/roles, folders, datasheets with fields, views and
//! records. The format is described in the crate documentation ("Seed format").
//!
//! Order of work: spaces and units, then nodes and datasheets with their plain fields, then link
//! and lookup fields (once every datasheet exists), then records (plain cells, then links, then
//! pinned Formula values), then views (which may name fields and seeded record ids).

use std::collections::HashMap;

use serde_json::{Map, Value as Json, json};

use crate::app::App;
use crate::envelope::ApiError;
use crate::fields::FieldType;
use crate::handlers::datasheets::{NewDatasheet, add_field, create_in, default_view};
use crate::handlers::records::{InsertOptions, RecordsWrite, insert, modify};
use crate::ids;
use crate::store::model::{
    MemberUnit, Role, Space, Team, View, ViewCondition, ViewFilter, ViewSort,
};
use crate::store::{Batch, State};

fn err(e: ApiError) -> String {
    e.message
}

struct PendingSheet {
    id: String,
    spec: Json,
}

/// Applies `seed` to `state` (the default user and space already exist).
pub(crate) fn apply(
    app: &App,
    state: &mut State,
    batch: &mut Batch,
    seed: &Json,
    user_id: &str,
    default_space: &str,
) -> Result<(), String> {
    let mut sheets: Vec<PendingSheet> = Vec::new();
    if let Some(spaces) = seed.get("spaces").and_then(Json::as_array) {
        for (i, sp) in spaces.iter().enumerate() {
            let space_id = if i == 0 {
                if let Some(name) = sp.get("name").and_then(Json::as_str)
                    && let Some(s) = state.spaces.iter_mut().find(|s| s.id == default_space)
                {
                    s.name = name.to_string();
                }
                default_space.to_string()
            } else {
                let id = sp
                    .get("id")
                    .and_then(Json::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(ids::space);
                let owner = state
                    .space(default_space)
                    .and_then(|s| s.member_of_user(user_id))
                    .cloned();
                let mut space = Space {
                    id: id.clone(),
                    name: sp
                        .get("name")
                        .and_then(Json::as_str)
                        .unwrap_or("Space")
                        .to_string(),
                    members: Vec::new(),
                    teams: Vec::new(),
                    roles: Vec::new(),
                };
                if let Some(mut o) = owner {
                    o.id = ids::unit_numeric();
                    o.teams.clear();
                    o.roles.clear();
                    o.member_type = "PrimaryAdmin".into();
                    space.members.push(o);
                }
                state.spaces.push(space);
                id
            };
            seed_units(state, &space_id, sp)?;
            for key in ["nodes", "datasheets", "folders"] {
                if let Some(nodes) = sp.get(key).and_then(Json::as_array) {
                    create_nodes(app, state, batch, &space_id, None, nodes, &mut sheets)?;
                }
            }
        }
    }
    for key in ["nodes", "datasheets", "folders"] {
        if let Some(nodes) = seed.get(key).and_then(Json::as_array) {
            create_nodes(app, state, batch, default_space, None, nodes, &mut sheets)?;
        }
    }
    batch.spaces(state);
    batch.nodes(state);
    // Link and lookup fields, once every datasheet exists.
    let names: HashMap<String, String> = sheets
        .iter()
        .filter_map(|p| Some((p.spec.get("name")?.as_str()?.to_string(), p.id.clone())))
        .collect();
    for kind in [FieldType::TwoWayLink, FieldType::MagicLookUp] {
        for p in &sheets {
            for f in p
                .spec
                .get("fields")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                let t = f
                    .get("type")
                    .and_then(Json::as_str)
                    .and_then(FieldType::from_create_name);
                let matches = match kind {
                    FieldType::TwoWayLink => t.is_some_and(FieldType::is_link),
                    _ => t == Some(FieldType::MagicLookUp),
                };
                if !matches {
                    continue;
                }
                let spec = resolve_refs(state, &p.id, f, &names);
                add_field(app, state, batch, &p.id, &spec).map_err(err)?;
            }
        }
    }
    // Records: plain cells first, then links.
    let mut rec_ids: HashMap<String, String> = HashMap::new();
    let mut link_cells: Vec<(String, String, Map<String, Json>)> = Vec::new();
    let mut formula_cells: Vec<(String, String, Map<String, Json>)> = Vec::new();
    for p in &sheets {
        let Some(records) = p.spec.get("records").and_then(Json::as_array) else {
            continue;
        };
        let ds = &state.datasheets[&p.id];
        let mut items = Vec::new();
        let mut given = Vec::new();
        let mut later = Vec::new();
        for (n, r) in records.iter().enumerate() {
            if let Some(extra) = r
                .as_object()
                .and_then(|o| o.keys().find(|k| *k != "id" && *k != "fields"))
            {
                return Err(format!(
                    "record #{n} of datasheet {:?} has a key {extra:?}: a seed record is \
                     {{\"id\"?: \"…\", \"fields\": {{…}}}}, its cells go under \"fields\"",
                    ds.name
                ));
            }
            let seed_id = r.get("id").and_then(Json::as_str).map(str::to_string);
            let real = seed_id
                .clone()
                .filter(|s| ids::looks_like(s, "rec", 10))
                .unwrap_or_else(ids::record);
            if let Some(s) = &seed_id {
                rec_ids.insert(s.clone(), real.clone());
            }
            rec_ids.insert(real.clone(), real.clone());
            let mut plain = Map::new();
            let mut links = Map::new();
            let mut formulas = Map::new();
            for (k, v) in r
                .get("fields")
                .and_then(Json::as_object)
                .into_iter()
                .flatten()
            {
                let Some(f) = ds
                    .field_by_key(k, false)
                    .or_else(|| ds.field_by_key(k, true))
                else {
                    continue;
                };
                if f.ftype.is_link() {
                    links.insert(f.id.clone(), v.clone());
                } else if f.ftype == FieldType::Formula {
                    formulas.insert(f.id.clone(), v.clone());
                } else if !f.ftype.is_computed() {
                    plain.insert(f.id.clone(), v.clone());
                }
            }
            if plain.is_empty() {
                // An empty record: give it an empty primary cell so it can be created.
                if let Some(pf) = ds.primary() {
                    plain.insert(pf.id.clone(), Json::Null);
                }
            }
            items.push(json!({ "fields": plain }));
            given.push(Some(real.clone()));
            later.push((real, links, formulas));
        }
        insert(
            app,
            state,
            batch,
            RecordsWrite {
                user: user_id,
                dst: &p.id,
                items: &items,
                by_id: true,
            },
            InsertOptions {
                enforce_write_limit: false,
                view_id: None,
            },
            Some(&given),
        )
        .map_err(err)?;
        for (real, links, formulas) in later {
            if !links.is_empty() {
                link_cells.push((p.id.clone(), real.clone(), links));
            }
            if !formulas.is_empty() {
                formula_cells.push((p.id.clone(), real, formulas));
            }
        }
    }
    for (dst, rec, links) in link_cells {
        let mapped: Map<String, Json> = links
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    Json::Array(a) => Json::Array(
                        a.into_iter()
                            .map(|x| match x.as_str().and_then(|s| rec_ids.get(s)) {
                                Some(r) => json!(r),
                                None => x,
                            })
                            .collect(),
                    ),
                    other => other,
                };
                (k, v)
            })
            .collect();
        let item = json!({"recordId": rec, "fields": mapped});
        let write = RecordsWrite {
            user: user_id,
            dst: &dst,
            items: &[item],
            by_id: true,
        };
        modify(app, state, batch, write).map_err(err)?;
    }
    for (dst, rec, cells) in formula_cells {
        if let Some(ds) = state.datasheets.get_mut(&dst)
            && let Some(&i) = ds.index.get(&rec)
        {
            for (k, v) in cells {
                if !v.is_null() {
                    ds.records[i].cells.insert(k, v);
                }
            }
            batch.record(&dst, &ds.records[i]);
        }
    }
    // Views last: they may refer to fields and records by name / seed id.
    for p in &sheets {
        if let Some(views) = p.spec.get("views").and_then(Json::as_array)
            && !views.is_empty()
        {
            if views.len() > app.settings.limits.max_views_per_datasheet {
                return Err(format!(
                    "views must contain no more than {} elements",
                    app.settings.limits.max_views_per_datasheet
                ));
            }
            let mut out = Vec::new();
            for v in views {
                out.push(build_view(state, &p.id, v, &rec_ids)?);
            }
            if let Some(ds) = state.datasheets.get_mut(&p.id) {
                ds.views = out;
                batch.datasheet(ds);
            }
        }
    }
    Ok(())
}

fn seed_units(state: &mut State, space_id: &str, sp: &Json) -> Result<(), String> {
    let Some(space) = state.spaces.iter_mut().find(|s| s.id == space_id) else {
        return Err("space vanished".into());
    };
    for r in sp
        .get("roles")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        space.roles.push(Role {
            id: ids::unit_numeric(),
            unit_id: r
                .get("unitId")
                .and_then(Json::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| ids::alnum(32).to_lowercase()),
            name: r
                .get("name")
                .and_then(Json::as_str)
                .unwrap_or("Role")
                .into(),
            sequence: space.roles.len() as i64 + 1,
        });
    }
    for t in sp
        .get("teams")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let parent = t
            .get("parent")
            .and_then(Json::as_str)
            .and_then(|p| space.teams.iter().find(|x| x.name == p || x.unit_id == p))
            .map(|x| x.unit_id.clone())
            .unwrap_or_else(|| "0".into());
        space.teams.push(Team {
            id: ids::unit_numeric(),
            unit_id: t
                .get("unitId")
                .and_then(Json::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| ids::alnum(32).to_lowercase()),
            name: t
                .get("name")
                .and_then(Json::as_str)
                .unwrap_or("Team")
                .into(),
            sequence: space.teams.len() as i64 + 1,
            parent_unit_id: parent,
            roles: Vec::new(),
        });
    }
    for m in sp
        .get("members")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let names = |key: &str, teams: bool| -> Vec<String> {
            m.get(key)
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .filter_map(|n| {
                    if teams {
                        space
                            .teams
                            .iter()
                            .find(|t| t.name == n)
                            .map(|t| t.unit_id.clone())
                    } else {
                        space
                            .roles
                            .iter()
                            .find(|r| r.name == n)
                            .map(|r| r.unit_id.clone())
                    }
                })
                .collect()
        };
        let teams = names("teams", true);
        let roles = names("roles", false);
        space.members.push(MemberUnit {
            id: m
                .get("id")
                .and_then(Json::as_str)
                .map(str::to_string)
                .unwrap_or_else(ids::unit_numeric),
            unit_id: m
                .get("unitId")
                .and_then(Json::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| ids::alnum(32).to_lowercase()),
            user_id: None,
            name: m
                .get("name")
                .and_then(Json::as_str)
                .unwrap_or("Member")
                .into(),
            email: m.get("email").and_then(Json::as_str).map(str::to_string),
            mobile: m.get("mobile").cloned(),
            avatar: m.get("avatar").and_then(Json::as_str).map(str::to_string),
            status: 1,
            member_type: m
                .get("type")
                .and_then(Json::as_str)
                .unwrap_or("Member")
                .to_string(),
            teams,
            roles,
        });
    }
    Ok(())
}

fn create_nodes(
    app: &App,
    state: &mut State,
    batch: &mut Batch,
    space_id: &str,
    parent: Option<&str>,
    nodes: &[Json],
    sheets: &mut Vec<PendingSheet>,
) -> Result<(), String> {
    for n in nodes {
        let ntype = n.get("type").and_then(Json::as_str).unwrap_or("Datasheet");
        let name = n
            .get("name")
            .and_then(Json::as_str)
            .ok_or("every seeded node needs a name")?;
        if ntype == "Datasheet" {
            let specs: Vec<Json> = n
                .get("fields")
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter(|f| {
                            let t = f
                                .get("type")
                                .and_then(Json::as_str)
                                .and_then(FieldType::from_create_name);
                            !t.is_some_and(|t| t.is_link() || t == FieldType::MagicLookUp)
                        })
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            let id = create_in(
                app,
                state,
                batch,
                NewDatasheet {
                    space_id,
                    name,
                    folder_id: parent,
                    pre_node_id: None,
                    fields: if n.get("fields").is_some() {
                        Some(&specs)
                    } else {
                        None
                    },
                    id: n.get("id").and_then(Json::as_str),
                },
            )
            .map_err(|e| format!("datasheet {name}: {}", e.message))?;
            if let Some(icon) = n.get("icon").and_then(Json::as_str)
                && let Some(node) = state.nodes.iter_mut().find(|x| x.id == id)
            {
                node.icon = Some(icon.to_string());
            }
            sheets.push(PendingSheet {
                id,
                spec: n.clone(),
            });
        } else {
            let id = n
                .get("id")
                .and_then(Json::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| ids::node(ntype));
            state.nodes.push(crate::store::model::Node {
                id: id.clone(),
                space_id: space_id.to_string(),
                parent_id: parent.map(str::to_string),
                node_type: ntype.to_string(),
                name: name.to_string(),
                icon: n.get("icon").and_then(Json::as_str).map(str::to_string),
                is_fav: false,
            });
            if let Some(children) = n.get("children").and_then(Json::as_array) {
                create_nodes(app, state, batch, space_id, Some(&id), children, sheets)?;
            }
        }
    }
    Ok(())
}

fn resolve_refs(state: &State, dst: &str, f: &Json, names: &HashMap<String, String>) -> Json {
    let mut f = f.clone();
    let Some(p) = f.get_mut("property").and_then(Json::as_object_mut) else {
        return f;
    };
    if let Some(Json::String(fd)) = p.get("foreignDatasheetId").cloned()
        && !state.datasheets.contains_key(&fd)
        && let Some(id) = names.get(&fd)
    {
        p.insert("foreignDatasheetId".into(), json!(id));
    }
    let ds = &state.datasheets[dst];
    if let Some(Json::String(l)) = p.get("relatedLinkFieldId").cloned() {
        let link = ds
            .field_by_key(&l, true)
            .or_else(|| ds.field_by_key(&l, false));
        if let Some(link) = link {
            p.insert("relatedLinkFieldId".into(), json!(link.id));
            let foreign = link
                .property
                .get("foreignDatasheetId")
                .and_then(Json::as_str)
                .and_then(|x| state.datasheets.get(x));
            if let (Some(foreign), Some(Json::String(t))) =
                (foreign, p.get("targetFieldId").cloned())
                && let Some(tf) = foreign
                    .field_by_key(&t, true)
                    .or_else(|| foreign.field_by_key(&t, false))
            {
                p.insert("targetFieldId".into(), json!(tf.id));
            }
        }
    }
    f
}

/// Builds a view from its seed description.
pub(crate) fn build_view(
    state: &State,
    dst: &str,
    v: &Json,
    rec_ids: &HashMap<String, String>,
) -> Result<View, String> {
    let ds = &state.datasheets[dst];
    let field_id = |k: &str| -> Result<String, String> {
        ds.field_by_key(k, false)
            .or_else(|| ds.field_by_key(k, true))
            .map(|f| f.id.clone())
            .ok_or_else(|| format!("view refers to unknown field {k}"))
    };
    let list = |key: &str| -> Result<Vec<String>, String> {
        v.get(key)
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .map(field_id)
            .collect()
    };
    let mut view = default_view();
    if let Some(id) = v.get("id").and_then(Json::as_str) {
        view.id = id.to_string();
    }
    if let Some(n) = v.get("name").and_then(Json::as_str) {
        view.name = n.to_string();
    }
    if let Some(t) = v.get("type").and_then(Json::as_str) {
        view.view_type = t.to_string();
    }
    view.hidden = list("hidden")?;
    view.columns = list("columns")?;
    match v.get("filter") {
        Some(Json::String(f)) => view.filter = Some(f.clone()),
        Some(Json::Object(o)) => {
            let mut conditions = Vec::new();
            for c in o
                .get("conditions")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                let f = c
                    .get("field")
                    .or_else(|| c.get("fieldId"))
                    .and_then(Json::as_str)
                    .unwrap_or("");
                conditions.push(ViewCondition {
                    field_id: field_id(f)?,
                    operator: c
                        .get("operator")
                        .and_then(Json::as_str)
                        .unwrap_or("is")
                        .to_string(),
                    value: c.get("value").cloned().unwrap_or(Json::Null),
                });
            }
            view.conditions = Some(ViewFilter {
                conjunction: o
                    .get("conjunction")
                    .and_then(Json::as_str)
                    .unwrap_or("and")
                    .to_ascii_lowercase(),
                conditions,
            });
        }
        _ => {}
    }
    for s in v.get("sort").and_then(Json::as_array).into_iter().flatten() {
        let f = s.get("field").and_then(Json::as_str).unwrap_or("");
        view.sort.push(ViewSort {
            field_id: field_id(f)?,
            desc: s.get("desc").and_then(Json::as_bool).unwrap_or(false)
                || s.get("order").and_then(Json::as_str) == Some("desc"),
        });
    }
    view.row_order = v
        .get("rowOrder")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .map(|r| rec_ids.get(r).cloned().unwrap_or_else(|| r.to_string()))
        .collect();
    Ok(view)
}
