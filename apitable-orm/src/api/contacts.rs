//! Contacts: members, teams and roles of a space.

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::api::Space;
use crate::error::{Error, Result};
use crate::ids::UnitId;
use crate::page::Page;
use crate::transport::{Call, Seg};

/// A member's phone number.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Mobile {
    /// Country calling code.
    pub area_code: String,
    /// The number.
    pub number: String,
}

/// A role.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Role {
    /// Its unit id.
    pub unit_id: UnitId,
    /// Its name.
    pub name: String,
    /// Its position in the list.
    #[serde(default)]
    pub sequence: i64,
}

/// A team.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Team {
    /// Its unit id.
    pub unit_id: UnitId,
    /// Its name.
    pub name: String,
    /// Its position among its siblings.
    #[serde(default)]
    pub sequence: i64,
    /// The parent team (`"0"` is the root).
    #[serde(default)]
    pub parent_unit_id: Option<UnitId>,
    /// Its roles.
    #[serde(default)]
    pub roles: Vec<Role>,
}

/// A member of the space, as the contacts API describes it (to put one in a member cell:
/// `value::Member::from(&space_member)`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SpaceMember {
    /// Its unit id.
    pub unit_id: UnitId,
    /// Its name.
    pub name: String,
    /// Avatar URL.
    #[serde(default)]
    pub avatar: Option<String>,
    /// Email (with `sensitiveData`).
    #[serde(default)]
    pub email: Option<String>,
    /// Phone (with `sensitiveData`).
    #[serde(default)]
    pub mobile: Option<Mobile>,
    /// Activation status.
    #[serde(default)]
    pub status: Option<i64>,
    /// `PrimaryAdmin`, `SubAdmin` or `Member`.
    #[serde(default, rename = "type")]
    pub member_type: Option<String>,
    /// Its teams.
    #[serde(default)]
    pub teams: Vec<Team>,
    /// Its roles.
    #[serde(default)]
    pub roles: Vec<Role>,
}

/// Changes to a member; unset parts stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct MemberUpdate {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New teams (unit ids).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teams: Option<Vec<UnitId>>,
    /// New roles (unit ids).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<UnitId>>,
}

impl MemberUpdate {
    /// Renames the member.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the member's teams.
    pub fn teams(mut self, teams: Vec<UnitId>) -> Self {
        self.teams = Some(teams);
        self
    }

    /// Sets the member's roles.
    pub fn roles(mut self, roles: Vec<UnitId>) -> Self {
        self.roles = Some(roles);
        self
    }
}

/// A role to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NewRole {
    /// Its name.
    pub name: String,
    /// Its position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<i64>,
}

impl NewRole {
    /// A role with this name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            sequence: None,
        }
    }
}

/// Changes to a role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RoleUpdate {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<i64>,
}

impl RoleUpdate {
    /// Renames the role.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// A team to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewTeam {
    /// Its name.
    pub name: String,
    /// Its position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<i64>,
    /// Its parent (default: the root team, `"0"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_unit_id: Option<UnitId>,
    /// Its roles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<UnitId>>,
}

impl NewTeam {
    /// A root-level team with this name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            sequence: None,
            parent_unit_id: None,
            roles: None,
        }
    }

    /// Places it under this team.
    pub fn parent(mut self, parent: UnitId) -> Self {
        self.parent_unit_id = Some(parent);
        self
    }
}

/// Changes to a team.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TeamUpdate {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<i64>,
    /// New parent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_unit_id: Option<UnitId>,
    /// New roles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<UnitId>>,
}

impl TeamUpdate {
    /// Renames the team.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// The teams and members that hold a role.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct RoleUnits {
    /// Teams with the role.
    #[serde(default)]
    pub teams: Vec<Team>,
    /// Members with the role.
    #[serde(default)]
    pub members: Vec<SpaceMember>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPage<T> {
    #[serde(default)]
    page_num: u64,
    #[serde(default)]
    total: u64,
    #[serde(alias = "roles", alias = "teams", alias = "members")]
    items: Vec<T>,
}

/// The `data` of an answer about one unit: `{"member": …}`, `{"role": …}` or `{"team": …}`.
#[derive(Deserialize)]
struct One<T> {
    #[serde(alias = "member", alias = "role", alias = "team")]
    unit: T,
}

fn paging(page_num: u64, page_size: u64) -> Result<Vec<(String, String)>> {
    if page_num < 1 {
        return Err(Error::InvalidRequest(format!(
            "pageNum must be at least 1, got {page_num}"
        )));
    }
    if !(1..=1000).contains(&page_size) {
        return Err(Error::InvalidRequest(format!(
            "pageSize must be between 1 and 1000, got {page_size}"
        )));
    }
    Ok(vec![
        ("pageNum".to_owned(), page_num.to_string()),
        ("pageSize".to_owned(), page_size.to_string()),
    ])
}

/// One of the space's unit collections: the path segment after the space and the routes of
/// the collection and of one unit in it.
#[derive(Clone, Copy)]
struct Units {
    lit: &'static str,
    all: &'static str,
    one: &'static str,
}

const MEMBERS: Units = Units {
    lit: "members",
    all: "/fusion/v1/spaces/{spaceId}/members",
    one: "/fusion/v1/spaces/{spaceId}/members/{unitId}",
};

const ROLES: Units = Units {
    lit: "roles",
    all: "/fusion/v1/spaces/{spaceId}/roles",
    one: "/fusion/v1/spaces/{spaceId}/roles/{unitId}",
};

const TEAMS: Units = Units {
    lit: "teams",
    all: "/fusion/v1/spaces/{spaceId}/teams",
    one: "/fusion/v1/spaces/{spaceId}/teams/{unitId}",
};

impl Space<'_> {
    fn unit_call(&self, method: Method, route: &'static str, tail: &[Seg<'_>]) -> Call {
        let mut segs = vec![Seg::Lit("spaces"), Seg::Id(self.id.as_str())];
        segs.extend(tail.iter().map(|s| match s {
            Seg::Lit(l) => Seg::Lit(l),
            Seg::Id(i) => Seg::Id(i),
        }));
        Call::v1(self.client.transport(), method, route, &segs)
    }

    /// A call on a whole collection.
    fn all_call(&self, method: Method, units: Units) -> Call {
        self.unit_call(method, units.all, &[Seg::Lit(units.lit)])
    }

    /// A call on one unit of a collection.
    fn one_call(&self, method: Method, units: Units, unit: &UnitId) -> Call {
        self.unit_call(
            method,
            units.one,
            &[Seg::Lit(units.lit), Seg::Id(unit.as_str())],
        )
    }

    /// A GET of what stands below one unit: `/{below}` after the unit, at `route`.
    fn below_call(
        &self,
        units: Units,
        unit: &UnitId,
        below: &'static str,
        route: &'static str,
    ) -> Call {
        let tail = [Seg::Lit(units.lit), Seg::Id(unit.as_str()), Seg::Lit(below)];
        self.unit_call(Method::GET, route, &tail)
    }

    /// The unit in the server's `data` for `call`.
    async fn unit<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        Ok(self.client.call::<One<T>>(call).await?.unit)
    }

    /// One unit of a collection.
    async fn get_unit<T: DeserializeOwned>(&self, units: Units, unit: &UnitId) -> Result<T> {
        self.unit(self.one_call(Method::GET, units, unit)).await
    }

    /// Creates a unit in a collection and returns it.
    async fn create_unit<T: DeserializeOwned>(
        &self,
        units: Units,
        body: &impl Serialize,
    ) -> Result<T> {
        let call = self
            .all_call(Method::POST, units)
            .json(body)?
            .create(vec![]);
        self.unit(call).await
    }

    /// Changes a unit and returns it.
    async fn update_unit<T: DeserializeOwned>(
        &self,
        units: Units,
        unit: &UnitId,
        body: &impl Serialize,
    ) -> Result<T> {
        let call = self.one_call(Method::PUT, units, unit).json(body)?;
        self.unit(call).await
    }

    /// Deletes a unit.
    async fn delete_unit(&self, units: Units, unit: &UnitId) -> Result<()> {
        let call = self.one_call(Method::DELETE, units, unit);
        self.client.send(call).await.map(drop)
    }

    /// Page `page_num` of `page_size` entries for the GET `call`, with `query` before the
    /// paging parameters. The server's `pageSize` counts the entries in the page; the page
    /// keeps the size that was asked for.
    async fn page<T: DeserializeOwned>(
        &self,
        call: Call,
        query: &[(String, String)],
        page_num: u64,
        page_size: u64,
    ) -> Result<Page<T>> {
        let mut query = query.to_vec();
        query.extend(paging(page_num, page_size)?);
        let raw: RawPage<T> = self.client.call(call.query(&query)).await?;
        Ok(Page {
            total: raw.total,
            number: raw.page_num,
            requested_size: page_size,
            items: raw.items,
        })
    }

    /// One member.
    pub async fn member(&self, unit: &UnitId) -> Result<SpaceMember> {
        self.get_unit(MEMBERS, unit).await
    }

    /// Changes a member's name, teams or roles.
    pub async fn update_member(&self, unit: &UnitId, update: &MemberUpdate) -> Result<SpaceMember> {
        self.update_unit(MEMBERS, unit, update).await
    }

    /// Removes a member from the space.
    pub async fn delete_member(&self, unit: &UnitId) -> Result<()> {
        self.delete_unit(MEMBERS, unit).await
    }

    /// One page of the space's roles.
    pub async fn roles(&self, page_num: u64, page_size: u64) -> Result<Page<Role>> {
        let call = self.all_call(Method::GET, ROLES);
        self.page(call, &[], page_num, page_size).await
    }

    /// Creates a role.
    pub async fn create_role(&self, role: &NewRole) -> Result<Role> {
        self.create_unit(ROLES, role).await
    }

    /// Changes a role.
    pub async fn update_role(&self, unit: &UnitId, update: &RoleUpdate) -> Result<Role> {
        self.update_unit(ROLES, unit, update).await
    }

    /// Deletes a role.
    pub async fn delete_role(&self, unit: &UnitId) -> Result<()> {
        self.delete_unit(ROLES, unit).await
    }

    /// The teams and members holding a role.
    pub async fn role_units(&self, unit: &UnitId) -> Result<RoleUnits> {
        let route = "/fusion/v1/spaces/{spaceId}/roles/{unitId}/units";
        self.client
            .call(self.below_call(ROLES, unit, "units", route))
            .await
    }

    /// Creates a team.
    pub async fn create_team(&self, team: &NewTeam) -> Result<Team> {
        self.create_unit(TEAMS, team).await
    }

    /// Changes a team.
    pub async fn update_team(&self, unit: &UnitId, update: &TeamUpdate) -> Result<Team> {
        self.update_unit(TEAMS, unit, update).await
    }

    /// Deletes an empty team.
    pub async fn delete_team(&self, unit: &UnitId) -> Result<()> {
        self.delete_unit(TEAMS, unit).await
    }

    /// One page of a team's sub-teams (the root team is `"0"`).
    pub async fn team_children(
        &self,
        unit: &UnitId,
        page_num: u64,
        page_size: u64,
    ) -> Result<Page<Team>> {
        let route = "/fusion/v1/spaces/{spaceId}/teams/{unitId}/children";
        let call = self.below_call(TEAMS, unit, "children", route);
        self.page(call, &[], page_num, page_size).await
    }

    /// One page of a team's members; `sensitive_data` adds emails and phone numbers.
    pub async fn team_members(
        &self,
        unit: &UnitId,
        sensitive_data: bool,
        page_num: u64,
        page_size: u64,
    ) -> Result<Page<SpaceMember>> {
        let route = "/fusion/v1/spaces/{spaceId}/teams/{unitId}/members";
        let call = self.below_call(TEAMS, unit, "members", route);
        let query = [("sensitiveData".to_owned(), sensitive_data.to_string())];
        self.page(call, &query, page_num, page_size).await
    }
}
