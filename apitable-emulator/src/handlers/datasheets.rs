//! Views list and datasheet creation.

use serde_json::{Value as Json, json};

use super::fields::{apply_field, build_field};
use crate::app::{App, datasheet, member_space, now_ms, visible_datasheet};
use crate::envelope::{ApiError, ApiResult, Success, tips};
use crate::ids;
use crate::params::Query;
use crate::store::model::{Datasheet, Node, View};
use crate::store::{Batch, State};

/// GET /fusion/v1/datasheets/{dstId}/views
pub(crate) fn views(app: &App, user: &str, dst: &str, _q: &Query) -> ApiResult {
    let state = app.store.read();
    let ds = visible_datasheet(&state, user, dst)?;
    let out: Vec<Json> = ds
        .views
        .iter()
        .map(|v| json!({"id": v.id, "name": v.name, "type": v.view_type}))
        .collect();
    Ok(Success::ok(json!({ "views": out })))
}

/// A fresh default grid view.
pub(crate) fn default_view() -> View {
    View {
        id: ids::view(),
        name: "Grid view".into(),
        view_type: "Grid".into(),
        hidden: Vec::new(),
        columns: Vec::new(),
        filter: None,
        conditions: None,
        sort: Vec::new(),
        row_order: Vec::new(),
    }
}

/// What a datasheet is created with.
pub(crate) struct NewDatasheet<'a> {
    pub space_id: &'a str,
    pub name: &'a str,
    pub folder_id: Option<&'a str>,
    pub pre_node_id: Option<&'a str>,
    /// Field specs `{name, type, property?}`; `None` = the default fields.
    pub fields: Option<&'a [Json]>,
    /// A fixed id (seeding).
    pub id: Option<&'a str>,
}

/// Creates a datasheet (validating everything first). Returns its id.
pub(crate) fn create_in(
    app: &App,
    state: &mut State,
    batch: &mut Batch,
    nd: NewDatasheet<'_>,
) -> Result<String, ApiError> {
    if let Some(f) = nd.folder_id {
        let ok = state
            .node(f)
            .is_some_and(|n| n.space_id == nd.space_id && n.node_type == "Folder");
        if !ok {
            return Err(tips::invalid_value("folderId"));
        }
    }
    if let Some(p) = nd.pre_node_id {
        let ok = state.node(p).is_some_and(|n| {
            n.space_id == nd.space_id
                && (nd.folder_id.is_none() || n.parent_id.as_deref() == nd.folder_id)
        });
        if !ok {
            return Err(tips::invalid_value("preNodeId"));
        }
    }
    let default_specs = [
        json!({"name": "Title", "type": "Text"}),
        json!({"name": "Options", "type": "MultiSelect", "property": {"options": []}}),
        json!({"name": "Attachments", "type": "Attachment"}),
    ];
    let specs: &[Json] = nd.fields.unwrap_or(&default_specs);
    if specs.len() > app.settings.limits.max_fields_per_datasheet {
        return Err(tips::max_count(
            "fields",
            app.settings.limits.max_fields_per_datasheet,
        ));
    }
    if let Some(first) = specs.first() {
        let t = first.get("type").and_then(Json::as_str).unwrap_or("");
        if let Some(ft) = crate::fields::FieldType::from_create_name(t)
            && !ft.can_be_primary()
        {
            return Err(tips::invalid_primary_type(t));
        }
    }
    let id = nd
        .id
        .filter(|i| !state.datasheets.contains_key(*i))
        .map(str::to_string)
        .unwrap_or_else(ids::datasheet);
    let mut ds = Datasheet {
        id: id.clone(),
        space_id: nd.space_id.to_string(),
        name: nd.name.to_string(),
        created_at: now_ms(),
        fields: Vec::new(),
        views: vec![default_view()],
        next_seq: 1,
        next_auto: 1,
        deleted: Vec::new(),
        records: Vec::new(),
        index: Default::default(),
    };
    let mut brothers = Vec::new();
    for spec in specs {
        if !spec.is_object() {
            return Err(tips::invalid_value("fields"));
        }
        let nf = build_field(app, state, &ds, spec)?;
        ds.fields.push(nf.field);
        if let Some(b) = nf.brother {
            brothers.push(b);
        }
    }
    // Mutations start here.
    let node = Node {
        id: id.clone(),
        space_id: nd.space_id.to_string(),
        parent_id: nd.folder_id.map(str::to_string),
        node_type: "Datasheet".into(),
        name: nd.name.to_string(),
        icon: None,
        is_fav: false,
    };
    match nd
        .pre_node_id
        .and_then(|p| state.nodes.iter().position(|n| n.id == p))
    {
        Some(pos) => state.nodes.insert(pos + 1, node),
        None => state.nodes.push(node),
    }
    batch.datasheet(&ds);
    state.datasheets.insert(id.clone(), ds);
    for (fid, b) in brothers {
        if let Some(f) = state.datasheets.get_mut(&fid) {
            f.fields.push(b);
            batch.datasheet(f);
        }
    }
    batch.nodes(state);
    Ok(id)
}

/// POST /fusion/v1/spaces/{spaceId}/datasheets
pub(crate) fn create(app: &App, user: &str, spc: &str, body: &Json) -> ApiResult {
    let name = match body.get("name") {
        Some(Json::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(tips::empty("name").dto()),
    };
    if name.chars().count() > 100 {
        return Err(tips::max_length("name", 100));
    }
    if let Some(d) = body.get("description") {
        match d {
            Json::Null => {}
            Json::String(s) if s.chars().count() <= 500 => {}
            Json::String(_) => return Err(tips::max_length("description", 500)),
            _ => return Err(tips::invalid_value("description")),
        }
    }
    let opt_str = |k: &str| -> Result<Option<String>, ApiError> {
        match body.get(k) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(s)) if s.is_empty() => Ok(None),
            Some(Json::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(tips::invalid_value(k)),
        }
    };
    let folder = opt_str("folderId")?;
    let pre = opt_str("preNodeId")?;
    let fields: Option<Vec<Json>> = match body.get("fields") {
        None | Some(Json::Null) => None,
        Some(Json::Array(a)) => {
            let mut names: Vec<&str> = Vec::new();
            for f in a {
                if let Some(n) = f.get("name").and_then(Json::as_str) {
                    if names.contains(&n) {
                        return Err(tips::must_unique("name"));
                    }
                    names.push(n);
                }
            }
            if a.is_empty() { None } else { Some(a.clone()) }
        }
        Some(_) => return Err(tips::invalid_value("fields")),
    };
    let (id, created_at, out_fields) = app.store.write(|state, batch| {
        member_space(state, user, spc)?;
        let id = create_in(
            app,
            state,
            batch,
            NewDatasheet {
                space_id: spc,
                name: &name,
                folder_id: folder.as_deref(),
                pre_node_id: pre.as_deref(),
                fields: fields.as_deref(),
                id: None,
            },
        )?;
        let ds = &state.datasheets[&id];
        let fl: Vec<Json> = ds
            .fields
            .iter()
            .map(|f| json!({"id": f.id, "name": f.name}))
            .collect();
        Ok((id, ds.created_at, fl))
    })?;
    Ok(Success::created(
        json!({"id": id, "createdAt": created_at, "fields": out_fields}),
    ))
}

/// Adds a field to an existing datasheet outside HTTP (programmatic API and seeding).
pub(crate) fn add_field(
    app: &App,
    state: &mut State,
    batch: &mut Batch,
    dst: &str,
    spec: &Json,
) -> Result<(String, String), ApiError> {
    let ds = datasheet(state, dst)?;
    let nf = build_field(app, state, ds, spec)?;
    let out = (nf.field.id.clone(), nf.field.name.clone());
    apply_field(state, batch, dst, nf);
    Ok(out)
}
