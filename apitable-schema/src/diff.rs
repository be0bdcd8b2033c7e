//! What changed between two snapshots of one datasheet: for `schema check` in CI.

use std::fmt;

use crate::{FieldSchema, FieldType, Snapshot};

/// One difference between a committed snapshot and the live datasheet.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// A field the snapshot does not have.
    Added {
        /// Its name.
        name: String,
        /// Its type.
        field_type: FieldType,
    },
    /// A field of the snapshot that is gone.
    Removed {
        /// Its name in the snapshot.
        name: String,
    },
    /// The same field id under another name.
    Renamed {
        /// The name in the snapshot.
        from: String,
        /// The name now.
        to: String,
    },
    /// The same field with another type.
    Retyped {
        /// The field's name now.
        name: String,
        /// The type in the snapshot.
        from: FieldType,
        /// The type now.
        to: FieldType,
    },
    /// A select field whose options changed.
    OptionsChanged {
        /// The field's name now.
        name: String,
        /// Options the snapshot lacks.
        added: Vec<String>,
        /// Options of the snapshot that are gone.
        removed: Vec<String>,
    },
    /// Any other change of a field's settings (precision, link target, formula, …).
    PropertyChanged {
        /// The field's name now.
        name: String,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Added { name, field_type } => {
                write!(f, "+ field {name:?} ({field_type}) was added")
            }
            Change::Removed { name } => write!(f, "- field {name:?} was removed"),
            Change::Renamed { from, to } => write!(f, "~ field {from:?} was renamed to {to:?}"),
            Change::Retyped { name, from, to } => {
                write!(f, "~ field {name:?} changed type from {from} to {to}")
            }
            Change::OptionsChanged {
                name,
                added,
                removed,
            } => {
                write!(f, "~ field {name:?} options changed")?;
                if !added.is_empty() {
                    write!(f, "; added {added:?}")?;
                }
                if !removed.is_empty() {
                    write!(f, "; removed {removed:?}")?;
                }
                Ok(())
            }
            Change::PropertyChanged { name } => write!(f, "~ field {name:?} settings changed"),
        }
    }
}

/// A field's settings without the parts that are data rather than schema: the member and user
/// lists the server keeps in the property of Member, CreatedBy and LastModifiedBy fields, the
/// sibling field of a two-way link, and select options (compared by name on their own).
fn settings(field: &FieldSchema) -> Option<serde_json::Value> {
    let mut property = field.property.clone()?;
    if let Some(map) = property.as_object_mut() {
        match field.field_type {
            FieldType::Member
            | FieldType::CreatedBy
            | FieldType::LastModifiedBy
            | FieldType::SingleSelect
            | FieldType::MultiSelect => {
                map.remove("options");
            }
            FieldType::TwoWayLink => {
                map.remove("brotherFieldId");
            }
            _ => {}
        }
    }
    Some(property)
}

fn options(field: &FieldSchema) -> Vec<String> {
    field
        .select_options()
        .unwrap_or_default()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// The changes from `old` (a committed snapshot) to `new` (the datasheet now), fields matched
/// by id. Views are not compared, nor the parts of a field's settings that are data (the
/// members a member field has seen, a two-way link's sibling field).
///
/// ```
/// use apitable_schema::{diff, Change, DatasheetRef, FieldSchema, FieldType, Snapshot};
/// let ds = DatasheetRef::new("dstA", "Menu");
/// let old = Snapshot::new(ds.clone(), vec![FieldSchema::new("fld1", "Price", FieldType::Number)], vec![]);
/// let new = Snapshot::new(ds, vec![FieldSchema::new("fld1", "Cost", FieldType::Currency)], vec![]);
/// let changes = diff(&old, &new);
/// assert_eq!(changes.len(), 2);
/// assert_eq!(changes[0].to_string(), r#"~ field "Price" was renamed to "Cost""#);
/// assert_eq!(changes[1].to_string(), r#"~ field "Cost" changed type from Number to Currency"#);
/// ```
pub fn diff(old: &Snapshot, new: &Snapshot) -> Vec<Change> {
    let mut changes = Vec::new();
    for before in &old.fields {
        let Some(now) = new.fields.iter().find(|f| f.id == before.id) else {
            changes.push(Change::Removed {
                name: before.name.clone(),
            });
            continue;
        };
        if now.name != before.name {
            changes.push(Change::Renamed {
                from: before.name.clone(),
                to: now.name.clone(),
            });
        }
        if now.field_type != before.field_type {
            changes.push(Change::Retyped {
                name: now.name.clone(),
                from: before.field_type.clone(),
                to: now.field_type.clone(),
            });
            continue;
        }
        let (was, is) = (options(before), options(now));
        if was != is {
            changes.push(Change::OptionsChanged {
                name: now.name.clone(),
                added: is.iter().filter(|o| !was.contains(o)).cloned().collect(),
                removed: was.iter().filter(|o| !is.contains(o)).cloned().collect(),
            });
        } else if settings(now) != settings(before) {
            changes.push(Change::PropertyChanged {
                name: now.name.clone(),
            });
        }
    }
    for now in &new.fields {
        if !old.fields.iter().any(|f| f.id == now.id) {
            changes.push(Change::Added {
                name: now.name.clone(),
                field_type: now.field_type.clone(),
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasheetRef;
    use serde_json::json;

    fn snap(fields: Vec<FieldSchema>) -> Snapshot {
        Snapshot::new(DatasheetRef::new("dstA", "A"), fields, vec![])
    }

    #[test]
    fn data_in_settings_is_not_drift() {
        let member = |opts: serde_json::Value| {
            FieldSchema::new("fldM", "Cooks", FieldType::Member)
                .with_property(json!({"isMulti": true, "options": opts}))
        };
        let old = snap(vec![member(json!([]))]);
        let new = snap(vec![member(json!([{"id": "1", "name": "Ana"}]))]);
        assert!(diff(&old, &new).is_empty());
        let link = |brother: &str| {
            FieldSchema::new("fldL", "Topic", FieldType::TwoWayLink)
                .with_property(json!({"foreignDatasheetId": "dstB", "brotherFieldId": brother}))
        };
        assert!(diff(&snap(vec![link("fld1")]), &snap(vec![link("fld2")])).is_empty());
        let retargeted = FieldSchema::new("fldL", "Topic", FieldType::TwoWayLink)
            .with_property(json!({"foreignDatasheetId": "dstC"}));
        assert_eq!(
            diff(&snap(vec![link("fld1")]), &snap(vec![retargeted])),
            [Change::PropertyChanged {
                name: "Topic".into()
            }]
        );
    }
}
