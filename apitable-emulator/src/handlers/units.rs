//! Contacts: members, teams and roles of a space, in a simple in-DB model.
//!
//! These paths are enterprise-only on the real server; their shapes come from the SDKs.

use serde_json::{Value as Json, json};

use crate::app::{App, member_space};
use crate::envelope::{ApiError, ApiResult, Success, tips};
use crate::ids;
use crate::params::{Query, int};
use crate::store::model::{MemberUnit, Role, Space, State, Team};

/// A request to the contacts paths of the space `spc`: who sends it, with what method, query
/// and body.
pub(crate) struct UnitsRequest<'a> {
    pub app: &'a App,
    pub user: &'a str,
    pub spc: &'a str,
    pub method: &'a str,
    pub q: &'a Query,
    pub body: &'a Json,
}

fn member_json(space: &Space, m: &MemberUnit, sensitive: bool) -> Json {
    let teams: Vec<Json> = m
        .teams
        .iter()
        .filter_map(|t| space.teams.iter().find(|x| &x.unit_id == t))
        .map(|t| json!({"unitId": t.unit_id, "name": t.name, "sequence": t.sequence, "parentUnitId": t.parent_unit_id}))
        .collect();
    let roles = roles_json(space, &m.roles);
    let mut o = json!({
        "unitId": m.unit_id,
        "name": m.name,
        "avatar": m.avatar.clone().unwrap_or_default(),
        "status": m.status,
        "type": m.member_type,
        "teams": teams,
        "roles": roles,
    });
    if sensitive {
        if let Some(e) = &m.email {
            o["email"] = json!(e);
        }
        if let Some(mb) = &m.mobile {
            o["mobile"] = mb.clone();
        }
    }
    o
}

fn role_json(r: &Role) -> Json {
    json!({"unitId": r.unit_id, "name": r.name, "sequence": r.sequence})
}

/// The roles of the space with these unit ids, in the order given; unknown ids are skipped.
fn roles_json(space: &Space, ids: &[String]) -> Vec<Json> {
    ids.iter()
        .filter_map(|r| space.roles.iter().find(|x| &x.unit_id == r))
        .map(role_json)
        .collect()
}

fn team_json(space: &Space, t: &Team) -> Json {
    let roles = roles_json(space, &t.roles);
    json!({"unitId": t.unit_id, "name": t.name, "sequence": t.sequence,
           "parentUnitId": t.parent_unit_id, "roles": roles})
}

fn paging(app: &App, q: &Query) -> Result<(usize, usize), ApiError> {
    let size = match q.scalar("pageSize") {
        None => 100,
        Some(v) => match int(v) {
            Some(n) if n < 1 => return Err(tips::pagesize_min()),
            Some(n) if n > app.settings.limits.max_page_size => {
                return Err(tips::pagesize_max(app.settings.limits.max_page_size));
            }
            Some(n) => n as usize,
            None => return Err(tips::pagesize_min()),
        },
    };
    let num = match q.scalar("pageNum") {
        None => 1,
        Some(v) => match int(v) {
            Some(n) if n >= 1 => n as usize,
            _ => return Err(tips::pagenum_min()),
        },
    };
    Ok((num, size))
}

fn page<T: Clone>(items: &[T], num: usize, size: usize) -> Vec<T> {
    items
        .iter()
        .skip((num - 1).saturating_mul(size))
        .take(size)
        .cloned()
        .collect()
}

/// A page of `all` as the listing answers it, the entries under `key`.
fn page_answer(key: &str, all: &[Json], num: usize, size: usize) -> ApiResult {
    let items = page(all, num, size);
    let mut out = json!({"pageNum": num, "pageSize": items.len(), "total": all.len()});
    out[key] = Json::Array(items);
    Ok(Success::ok(out))
}

/// The answer to a POST (created) or another write.
fn write_answer(created: bool, out: Json) -> ApiResult {
    Ok(if created {
        Success::created(out)
    } else {
        Success::ok(out)
    })
}

/// The non-empty `name` a create requires.
fn required_name(body: &Json) -> Result<&str, ApiError> {
    body.get("name")
        .and_then(Json::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad("the parameter name is required"))
}

/// The body's `sequence`, or `default`.
fn sequence_or(body: &Json, default: usize) -> i64 {
    body.get("sequence")
        .and_then(Json::as_i64)
        .unwrap_or(default as i64)
}

/// Applies the body's `name` and `sequence`, where given.
fn rename(body: &Json, name: &mut String, sequence: &mut i64) {
    if let Some(n) = body.get("name").and_then(Json::as_str) {
        *name = n.to_string();
    }
    if let Some(s) = body.get("sequence").and_then(Json::as_i64) {
        *sequence = s;
    }
}

/// A member, team or role, known by its unit id.
trait Unit {
    fn unit_id(&self) -> &str;
}

impl Unit for MemberUnit {
    fn unit_id(&self) -> &str {
        &self.unit_id
    }
}

impl Unit for Team {
    fn unit_id(&self) -> &str {
        &self.unit_id
    }
}

impl Unit for Role {
    fn unit_id(&self) -> &str {
        &self.unit_id
    }
}

/// Where the unit `unit` stands in `units`; "unit not exists" when it is not there.
fn unit_index<T: Unit>(units: &[T], unit: &str) -> Result<usize, ApiError> {
    units
        .iter()
        .position(|x| x.unit_id() == unit)
        .ok_or_else(tips::unit_not_exists)
}

/// Whether `units` holds the unit `unit`.
fn has_unit<T: Unit>(units: &[T], unit: &str) -> bool {
    units.iter().any(|x| x.unit_id() == unit)
}

/// Fails with "unit not exists" when one of the `given` unit ids is not in `known`.
fn ensure_known<T: Unit>(given: &Option<Vec<String>>, known: &[T]) -> Result<(), ApiError> {
    match given {
        Some(ids) if ids.iter().any(|id| !has_unit(known, id)) => Err(tips::unit_not_exists()),
        _ => Ok(()),
    }
}

/// The index of the space `spc` in the state, once `user` is known to be its member.
fn space_index(state: &State, user: &str, spc: &str) -> Result<usize, ApiError> {
    member_space(state, user, spc)?;
    Ok(state.spaces.iter().position(|s| s.id == spc).unwrap_or(0))
}

fn str_list(v: Option<&Json>) -> Option<Vec<String>> {
    v.and_then(Json::as_array).map(|a| {
        a.iter()
            .filter_map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .or_else(|| x.get("unitId").and_then(Json::as_str).map(str::to_string))
            })
            .collect()
    })
}

/// The answer to a write of the space's teams or roles: `change` applied to the space and
/// stored when it succeeds, answered as created for a POST.
fn write_units(
    rq: &UnitsRequest<'_>,
    change: impl FnOnce(&mut Space) -> Result<Json, ApiError>,
) -> ApiResult {
    let out = rq.app.store.write(|state, batch| {
        let sidx = space_index(state, rq.user, rq.spc)?;
        let out = change(&mut state.spaces[sidx])?;
        batch.spaces(state);
        Ok(out)
    })?;
    write_answer(rq.method == "POST", out)
}

/// What a new team or role starts with: the body's required `name` (checked first), fresh ids,
/// and the body's `sequence` or `next`.
struct NewUnit {
    id: String,
    unit_id: String,
    name: String,
    sequence: i64,
}

/// The start of the team or role a POST with `body` creates, `next` its default sequence.
fn new_unit(body: &Json, next: usize) -> Result<NewUnit, ApiError> {
    let name = required_name(body)?.to_string();
    Ok(NewUnit {
        id: ids::unit_numeric(),
        unit_id: ids::alnum(32).to_lowercase(),
        name,
        sequence: sequence_or(body, next),
    })
}

impl NewUnit {
    /// The new role.
    fn role(self) -> Role {
        Role {
            id: self.id,
            unit_id: self.unit_id,
            name: self.name,
            sequence: self.sequence,
        }
    }

    /// The new team, under `parent_unit_id`, with these role unit ids.
    fn team(self, parent_unit_id: String, roles: Vec<String>) -> Team {
        Team {
            id: self.id,
            unit_id: self.unit_id,
            name: self.name,
            sequence: self.sequence,
            parent_unit_id,
            roles,
        }
    }
}

/// The answer to a DELETE of `units[idx]`, one of the space's `kind` ("teams" or "roles"):
/// removes it, or fails with the business error `code` while it is still `in_use`.
fn remove_unit<T>(
    units: &mut Vec<T>,
    idx: usize,
    in_use: bool,
    code: i64,
    kind: &str,
) -> Result<Json, ApiError> {
    if in_use {
        let message = format!("Only empty {kind} can be deleted");
        return Err(ApiError::business(code, message));
    }
    units.remove(idx);
    Ok(json!({}))
}

/// GET / PUT / DELETE /fusion/v1/spaces/{spaceId}/members/{unitId}
pub(crate) fn member(rq: &UnitsRequest<'_>, unit: &str) -> ApiResult {
    if rq.method == "GET" {
        let state = rq.app.store.read();
        let space = member_space(&state, rq.user, rq.spc)?;
        let m = &space.members[unit_index(&space.members, unit)?];
        let sensitive = rq.q.scalar("sensitiveData") == Some("true");
        return Ok(Success::ok(
            json!({"member": member_json(space, m, sensitive)}),
        ));
    }
    rq.app.store.write(|state, batch| {
        let space = member_space(state, rq.user, rq.spc)?;
        let idx = unit_index(&space.members, unit)?;
        let sidx = state
            .spaces
            .iter()
            .position(|s| s.id == rq.spc)
            .unwrap_or(0);
        if rq.method == "DELETE" {
            if space.members[idx].member_type == "PrimaryAdmin" {
                return Err(ApiError::business(
                    1504,
                    "The primary admin can't be removed",
                ));
            }
            state.spaces[sidx].members.remove(idx);
            batch.spaces(state);
            return Ok(Success::ok(json!({})));
        }
        let name = rq
            .body
            .get("name")
            .and_then(Json::as_str)
            .map(str::to_string);
        let teams = str_list(rq.body.get("teams"));
        let roles = str_list(rq.body.get("roles"));
        ensure_known(&teams, &space.teams)?;
        ensure_known(&roles, &space.roles)?;
        let space = &mut state.spaces[sidx];
        let m = &mut space.members[idx];
        if let Some(n) = name {
            m.name = n;
        }
        if let Some(t) = teams {
            m.teams = t;
        }
        if let Some(r) = roles {
            m.roles = r;
        }
        let out = member_json(space, &space.members[idx], true);
        batch.spaces(state);
        Ok(Success::ok(json!({ "member": out })))
    })
}

/// GET / POST /fusion/v1/spaces/{spaceId}/roles, PUT / DELETE …/roles/{unitId},
/// GET …/roles/{unitId}/units
pub(crate) fn roles(rq: &UnitsRequest<'_>, unit: Option<&str>, units: bool) -> ApiResult {
    if rq.method == "GET" {
        let state = rq.app.store.read();
        let space = member_space(&state, rq.user, rq.spc)?;
        if let (Some(u), true) = (unit, units) {
            if !has_unit(&space.roles, u) {
                return Err(tips::unit_not_exists());
            }
            let teams: Vec<Json> = space
                .teams
                .iter()
                .filter(|t| t.roles.iter().any(|r| r == u))
                .map(|t| team_json(space, t))
                .collect();
            let members: Vec<Json> = space
                .members
                .iter()
                .filter(|m| m.roles.iter().any(|r| r == u))
                .map(|m| member_json(space, m, false))
                .collect();
            return Ok(Success::ok(json!({"teams": teams, "members": members})));
        }
        let (num, size) = paging(rq.app, rq.q)?;
        let all: Vec<Json> = space.roles.iter().map(role_json).collect();
        return page_answer("roles", &all, num, size);
    }
    write_units(rq, |space| match (rq.method, unit) {
        ("POST", None) => {
            let r = new_unit(rq.body, space.roles.len() + 1)?.role();
            let out = json!({"role": role_json(&r)});
            space.roles.push(r);
            Ok(out)
        }
        (m, Some(u)) => {
            let idx = unit_index(&space.roles, u)?;
            if m == "DELETE" {
                let in_use = space.members.iter().any(|x| x.roles.iter().any(|r| r == u))
                    || space.teams.iter().any(|x| x.roles.iter().any(|r| r == u));
                return remove_unit(&mut space.roles, idx, in_use, 1517, "roles");
            }
            let r = &mut space.roles[idx];
            rename(rq.body, &mut r.name, &mut r.sequence);
            Ok(json!({"role": role_json(r)}))
        }
        _ => Err(ApiError::not_found()),
    })
}

/// POST …/teams, PUT / DELETE …/teams/{unitId}, GET …/teams/{unitId}/children,
/// GET …/teams/{unitId}/members
pub(crate) fn teams(rq: &UnitsRequest<'_>, unit: Option<&str>, sub: Option<&str>) -> ApiResult {
    if rq.method == "GET" {
        let unit = unit.unwrap_or("0");
        let state = rq.app.store.read();
        let space = member_space(&state, rq.user, rq.spc)?;
        if unit != "0" && !has_unit(&space.teams, unit) {
            return Err(tips::unit_not_exists());
        }
        let (num, size) = paging(rq.app, rq.q)?;
        if sub == Some("children") {
            let all: Vec<Json> = space
                .teams
                .iter()
                .filter(|t| t.parent_unit_id == unit)
                .map(|t| team_json(space, t))
                .collect();
            return page_answer("teams", &all, num, size);
        }
        let sensitive = rq.q.scalar("sensitiveData") == Some("true");
        let all: Vec<Json> = space
            .members
            .iter()
            .filter(|m| unit == "0" || m.teams.iter().any(|t| t == unit))
            .map(|m| member_json(space, m, sensitive))
            .collect();
        return page_answer("members", &all, num, size);
    }
    write_units(rq, |space| {
        let roles = str_list(rq.body.get("roles"));
        ensure_known(&roles, &space.roles)?;
        let parent = rq
            .body
            .get("parentUnitId")
            .and_then(Json::as_str)
            .map(str::to_string);
        if let Some(p) = &parent
            && p != "0"
            && !has_unit(&space.teams, p)
        {
            return Err(ApiError::bad(
                "The unit specified by the parentUnitId does not exist",
            ));
        }
        match (rq.method, unit) {
            ("POST", None) => {
                let t = new_unit(rq.body, space.teams.len() + 1)?.team(
                    parent.unwrap_or_else(|| "0".into()),
                    roles.unwrap_or_default(),
                );
                space.teams.push(t);
                Ok(json!({"team": team_json(space, space.teams.last().expect("pushed"))}))
            }
            (m, Some(u)) => {
                let idx = unit_index(&space.teams, u)?;
                if m == "DELETE" {
                    let in_use = space.members.iter().any(|x| x.teams.iter().any(|t| t == u))
                        || space.teams.iter().any(|t| t.parent_unit_id == u);
                    return remove_unit(&mut space.teams, idx, in_use, 1516, "teams");
                }
                let t = &mut space.teams[idx];
                rename(rq.body, &mut t.name, &mut t.sequence);
                if let Some(p) = parent {
                    t.parent_unit_id = p;
                }
                if let Some(r) = roles {
                    t.roles = r;
                }
                Ok(json!({"team": team_json(space, &space.teams[idx])}))
            }
            _ => Err(ApiError::not_found()),
        }
    })
}
