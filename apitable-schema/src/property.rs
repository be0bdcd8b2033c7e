//! [`NewProperty`]: a field's type and settings as Rust values, for creating fields and for
//! reading the settings of existing ones; [`ViewType`]: the kinds of view.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value, json};

use crate::{FieldSchema, FieldType};

/// A field type with its settings, one variant per type that can be created.
///
/// [`to_json`](Self::to_json) gives the `property` object that creating the field takes;
/// [`FieldSchema::new_property`] reads an existing field's settings back into this form (to
/// copy a datasheet's fields, say).
///
/// ```
/// use apitable_schema::{FieldType, NewProperty, SelectOption};
/// let size = NewProperty::SingleSelect {
///     options: vec![SelectOption::new("Small"), SelectOption::new("Large").color(3)],
/// };
/// assert_eq!(size.field_type(), FieldType::SingleSelect);
/// assert_eq!(
///     size.to_json(),
///     Some(serde_json::json!({"options": [{"name": "Small"}, {"name": "Large", "color": 3}]}))
/// );
/// assert_eq!(NewProperty::Text.to_json(), None); // Text takes no property
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NewProperty {
    /// Multi-line text.
    Text,
    /// Single-line text, with an optional default.
    SingleText {
        /// The value of new records.
        default_value: Option<String>,
    },
    /// An email address.
    Email,
    /// A phone number.
    Phone,
    /// A URL.
    Url,
    /// Files.
    Attachment,
    /// A number.
    Number {
        /// Decimal places, 0–1000.
        precision: u16,
        /// A unit shown after the number.
        symbol: Option<String>,
    },
    /// An amount of money.
    Currency {
        /// Decimal places, 0–10 (the server turns 0 into 2).
        precision: u8,
        /// The currency symbol.
        symbol: String,
        /// Where the symbol goes.
        align: SymbolAlign,
    },
    /// A percentage (cells are fractions: 0.5 is 50%).
    Percent {
        /// Decimal places, 0–10.
        precision: u8,
    },
    /// A rating.
    Rating {
        /// The icon, an emoji slug such as `"star"`.
        icon: String,
        /// The highest rating, 1–10.
        max: u8,
    },
    /// A checkbox.
    Checkbox {
        /// The icon, an emoji slug such as `"white_check_mark"`.
        icon: String,
    },
    /// One option of a list.
    SingleSelect {
        /// The options.
        options: Vec<SelectOption>,
    },
    /// Several options of a list.
    MultiSelect {
        /// The options.
        options: Vec<SelectOption>,
    },
    /// A date, with or without a time.
    DateTime(DateFormat),
    /// When the record was created (computed).
    CreatedTime(DateFormat),
    /// When the record was last changed (computed).
    LastModifiedTime(DateFormat),
    /// Members or teams of the space.
    Member {
        /// Whether a cell may hold several.
        multiple: bool,
        /// Whether members are notified when they are added to a cell.
        notify: bool,
    },
    /// Who created the record (computed).
    CreatedBy,
    /// Who last changed the record (computed).
    LastModifiedBy,
    /// Links to records of another datasheet, seen from this side only.
    OneWayLink(LinkProperty),
    /// Links to records of another datasheet, with a sibling field there.
    TwoWayLink(LinkProperty),
    /// Values looked up through a link field (computed).
    LookUp {
        /// The link field (`fld…`) of this datasheet.
        link_field_id: String,
        /// The field (`fld…`) of the linked datasheet to look up.
        target_field_id: String,
        /// How to combine the values, e.g. `"VALUES"`, `"SUM"`, `"COUNTALL"`.
        rollup: Option<String>,
    },
    /// A formula over the record's fields (computed).
    Formula {
        /// The expression, e.g. `{Price} * {Qty}`.
        expression: String,
    },
    /// A number the server counts up per record (computed).
    AutoNumber,
}

/// An option of a select field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SelectOption {
    /// The option's name (what cells hold).
    pub name: String,
    /// A colour by its number in the server's palette (0–49), or the server's choice.
    pub color: Option<u8>,
}

impl SelectOption {
    /// An option with the server's choice of colour.
    pub fn new(name: impl Into<String>) -> Self {
        SelectOption {
            name: name.into(),
            color: None,
        }
    }

    /// Sets the colour.
    pub fn color(mut self, color: u8) -> Self {
        self.color = Some(color);
        self
    }
}

/// Where a currency symbol goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SymbolAlign {
    /// The server's default for the symbol.
    #[default]
    Default,
    /// Before the amount.
    Left,
    /// After the amount.
    Right,
}

/// How a date field shows its dates.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DateFormat {
    /// The date part: one of `YYYY/MM/DD`, `YYYY-MM-DD`, `DD/MM/YYYY`, `YYYY-MM`, `MM-DD`,
    /// `YYYY`, `MM`, `DD`.
    pub date: String,
    /// The time part, `HH:mm` or `hh:mm`, when the field shows times.
    pub time: Option<String>,
    /// Whether new records get the current time (DateTime fields only).
    pub auto_fill: bool,
}

/// The date formats the server accepts.
pub const DATE_FORMATS: [&str; 8] = [
    "YYYY/MM/DD",
    "YYYY-MM-DD",
    "DD/MM/YYYY",
    "YYYY-MM",
    "MM-DD",
    "YYYY",
    "MM",
    "DD",
];

impl DateFormat {
    /// Dates only, in `format` (one of [`DATE_FORMATS`]).
    pub fn date(format: impl Into<String>) -> Self {
        DateFormat {
            date: format.into(),
            time: None,
            auto_fill: false,
        }
    }

    /// Dates with a 24-hour time.
    pub fn with_time(mut self) -> Self {
        self.time = Some("HH:mm".into());
        self
    }

    /// New records get the current time.
    pub fn auto_fill(mut self) -> Self {
        self.auto_fill = true;
        self
    }
}

/// The target of a link field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LinkProperty {
    /// The linked datasheet (`dst…`).
    pub datasheet: String,
    /// Only records of this view (`viw…`) can be linked.
    pub view: Option<String>,
    /// At most one linked record per cell.
    pub single: bool,
}

impl LinkProperty {
    /// Links to any records of `datasheet`.
    pub fn to(datasheet: impl Into<String>) -> Self {
        LinkProperty {
            datasheet: datasheet.into(),
            view: None,
            single: false,
        }
    }

    /// At most one linked record per cell.
    pub fn single(mut self) -> Self {
        self.single = true;
        self
    }
}

impl NewProperty {
    /// The field type this creates.
    pub fn field_type(&self) -> FieldType {
        use NewProperty as P;
        match self {
            P::Text => FieldType::Text,
            P::SingleText { .. } => FieldType::SingleText,
            P::Email => FieldType::Email,
            P::Phone => FieldType::Phone,
            P::Url => FieldType::Url,
            P::Attachment => FieldType::Attachment,
            P::Number { .. } => FieldType::Number,
            P::Currency { .. } => FieldType::Currency,
            P::Percent { .. } => FieldType::Percent,
            P::Rating { .. } => FieldType::Rating,
            P::Checkbox { .. } => FieldType::Checkbox,
            P::SingleSelect { .. } => FieldType::SingleSelect,
            P::MultiSelect { .. } => FieldType::MultiSelect,
            P::DateTime(_) => FieldType::DateTime,
            P::CreatedTime(_) => FieldType::CreatedTime,
            P::LastModifiedTime(_) => FieldType::LastModifiedTime,
            P::Member { .. } => FieldType::Member,
            P::CreatedBy => FieldType::CreatedBy,
            P::LastModifiedBy => FieldType::LastModifiedBy,
            P::OneWayLink(_) => FieldType::OneWayLink,
            P::TwoWayLink(_) => FieldType::TwoWayLink,
            P::LookUp { .. } => FieldType::MagicLookUp,
            P::Formula { .. } => FieldType::Formula,
            P::AutoNumber => FieldType::AutoNumber,
        }
    }

    /// The `property` object that creating the field takes (`None` for types that must have
    /// none).
    pub fn to_json(&self) -> Option<Value> {
        use NewProperty as P;
        Some(match self {
            P::Text
            | P::Email
            | P::Phone
            | P::Url
            | P::Attachment
            | P::CreatedBy
            | P::AutoNumber => {
                return None;
            }
            P::SingleText { default_value } => match default_value {
                Some(v) => json!({"defaultValue": v}),
                None => json!({}),
            },
            P::Number { precision, symbol } => {
                let mut p = json!({"precision": precision});
                if let Some(s) = symbol {
                    p["symbol"] = json!(s);
                }
                p
            }
            P::Currency {
                precision,
                symbol,
                align,
            } => json!({"precision": precision, "symbol": symbol, "symbolAlign": match align {
                SymbolAlign::Default => "Default",
                SymbolAlign::Left => "Left",
                SymbolAlign::Right => "Right",
            }}),
            P::Percent { precision } => json!({"precision": precision}),
            P::Rating { icon, max } => json!({"icon": icon, "max": max}),
            P::Checkbox { icon } => json!({"icon": icon}),
            P::SingleSelect { options } | P::MultiSelect { options } => {
                let options: Vec<Value> = options
                    .iter()
                    .map(|o| {
                        let mut v = json!({"name": o.name});
                        if let Some(c) = o.color {
                            v["color"] = json!(c);
                        }
                        v
                    })
                    .collect();
                json!({ "options": options })
            }
            P::DateTime(f) | P::CreatedTime(f) | P::LastModifiedTime(f) => {
                let mut p = Map::new();
                p.insert("dateFormat".into(), json!(f.date));
                if let Some(t) = &f.time {
                    p.insert("timeFormat".into(), json!(t));
                    p.insert("includeTime".into(), json!(true));
                }
                if f.auto_fill && matches!(self, P::DateTime(_)) {
                    p.insert("autoFill".into(), json!(true));
                }
                Value::Object(p)
            }
            P::Member { multiple, notify } => {
                json!({"isMulti": multiple, "shouldSendMsg": notify})
            }
            P::LastModifiedBy => json!({}),
            P::OneWayLink(link) | P::TwoWayLink(link) => {
                let mut p = json!({"foreignDatasheetId": link.datasheet});
                if let Some(v) = &link.view {
                    p["limitToViewId"] = json!(v);
                }
                if link.single {
                    p["limitSingleRecord"] = json!(true);
                }
                p
            }
            P::LookUp {
                link_field_id,
                target_field_id,
                rollup,
            } => {
                let mut p =
                    json!({"relatedLinkFieldId": link_field_id, "targetFieldId": target_field_id});
                if let Some(r) = rollup {
                    p["rollupFunction"] = json!(r);
                }
                p
            }
            P::Formula { expression } => json!({ "expression": expression }),
        })
    }
}

impl FieldSchema {
    /// The field's type and settings in the form that creates such a field, read from the
    /// settings the server reports; `None` for types that cannot be created (Cascader, Button,
    /// WorkDoc, unknown types). Select colours and lookup filters are not carried over.
    ///
    /// ```
    /// use apitable_schema::{FieldSchema, FieldType, NewProperty};
    /// let price = FieldSchema::new("fldP", "Price", FieldType::Currency)
    ///     .with_property(serde_json::json!({"precision": 2, "symbol": "€", "symbolAlign": "Right"}));
    /// let again = price.new_property().unwrap();
    /// assert_eq!(again.field_type(), FieldType::Currency);
    /// assert_eq!(again.to_json().unwrap()["symbol"], "€");
    /// ```
    pub fn new_property(&self) -> Option<NewProperty> {
        use NewProperty as P;
        let empty = Value::Object(Map::new());
        let p = self.property.as_ref().unwrap_or(&empty);
        let text = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_owned);
        let num = |k: &str| p.get(k).and_then(Value::as_u64);
        let flag = |k: &str| p.get(k).and_then(Value::as_bool).unwrap_or(false);
        let date = || DateFormat {
            date: text("format")
                .and_then(|f| f.split(' ').next().map(str::to_owned))
                .unwrap_or_else(|| "YYYY/MM/DD".into()),
            time: flag("includeTime").then(|| {
                text("format")
                    .and_then(|f| f.split_once(' ').map(|(_, t)| t.to_owned()))
                    .unwrap_or_else(|| "HH:mm".into())
            }),
            auto_fill: flag("autoFill"),
        };
        let options = || {
            self.select_options()
                .unwrap_or_default()
                .into_iter()
                .map(SelectOption::new)
                .collect()
        };
        let link = || LinkProperty {
            datasheet: text("foreignDatasheetId").unwrap_or_default(),
            view: text("limitToViewId"),
            single: flag("limitSingleRecord"),
        };
        Some(match self.field_type {
            FieldType::Text => P::Text,
            FieldType::SingleText => P::SingleText {
                default_value: text("defaultValue"),
            },
            FieldType::Email => P::Email,
            FieldType::Phone => P::Phone,
            FieldType::Url => P::Url,
            FieldType::Attachment => P::Attachment,
            FieldType::Number => P::Number {
                precision: num("precision").unwrap_or(0).min(1000) as u16,
                symbol: text("symbol"),
            },
            FieldType::Currency => P::Currency {
                precision: num("precision").unwrap_or(2).min(10) as u8,
                symbol: text("symbol").unwrap_or_else(|| "$".into()),
                align: match text("symbolAlign").as_deref() {
                    Some("Left") => SymbolAlign::Left,
                    Some("Right") => SymbolAlign::Right,
                    _ => SymbolAlign::Default,
                },
            },
            FieldType::Percent => P::Percent {
                precision: num("precision").unwrap_or(0).min(10) as u8,
            },
            FieldType::Rating => P::Rating {
                // The server reports the emoji itself; creating takes a slug.
                icon: "star".into(),
                max: num("max").unwrap_or(5).min(10) as u8,
            },
            FieldType::Checkbox => P::Checkbox {
                icon: "white_check_mark".into(),
            },
            FieldType::SingleSelect => P::SingleSelect { options: options() },
            FieldType::MultiSelect => P::MultiSelect { options: options() },
            FieldType::DateTime => P::DateTime(date()),
            FieldType::CreatedTime => P::CreatedTime(date()),
            FieldType::LastModifiedTime => P::LastModifiedTime(date()),
            FieldType::Member => P::Member {
                multiple: flag("isMulti"),
                notify: flag("shouldSendMsg"),
            },
            FieldType::CreatedBy => P::CreatedBy,
            FieldType::LastModifiedBy => P::LastModifiedBy,
            FieldType::OneWayLink => P::OneWayLink(link()),
            FieldType::TwoWayLink => P::TwoWayLink(link()),
            FieldType::MagicLookUp => P::LookUp {
                link_field_id: text("relatedLinkFieldId")?,
                target_field_id: text("targetFieldId")?,
                rollup: text("rollupFunction"),
            },
            FieldType::Formula => P::Formula {
                expression: text("expression").unwrap_or_default(),
            },
            FieldType::AutoNumber => P::AutoNumber,
            _ => return None,
        })
    }
}

/// The kind of a view.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ViewType {
    /// A spreadsheet grid.
    Grid,
    /// Cards.
    Gallery,
    /// Columns by a select field.
    Kanban,
    /// A timeline.
    Gantt,
    /// A calendar.
    Calendar,
    /// An organisation chart.
    Architecture,
    /// A kind this version does not know.
    Other(String),
}

const VIEW_NAMES: [(&str, ViewType); 6] = [
    ("Grid", ViewType::Grid),
    ("Gallery", ViewType::Gallery),
    ("Kanban", ViewType::Kanban),
    ("Gantt", ViewType::Gantt),
    ("Calendar", ViewType::Calendar),
    ("Architecture", ViewType::Architecture),
];

impl ViewType {
    /// Reads the API's name of a view kind.
    ///
    /// ```
    /// use apitable_schema::ViewType;
    /// assert_eq!(ViewType::parse("Kanban"), ViewType::Kanban);
    /// assert_eq!(ViewType::parse("Hologram").as_str(), "Hologram");
    /// ```
    pub fn parse(name: &str) -> ViewType {
        VIEW_NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| ViewType::Other(name.to_owned()))
    }

    /// The API's name.
    pub fn as_str(&self) -> &str {
        match self {
            ViewType::Other(name) => name,
            known => VIEW_NAMES
                .iter()
                .find(|(_, t)| t == known)
                .map_or("Grid", |(n, _)| n),
        }
    }
}

impl fmt::Display for ViewType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ViewType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ViewType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(ViewType::parse(&String::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every creatable type: its settings survive a trip through the server's read shape.
    #[test]
    fn settings_read_back_as_they_were_created() {
        let cases = [
            NewProperty::SingleText {
                default_value: Some("x".into()),
            },
            NewProperty::Number {
                precision: 3,
                symbol: Some("kg".into()),
            },
            NewProperty::Percent { precision: 1 },
            NewProperty::SingleSelect {
                options: vec![SelectOption::new("A"), SelectOption::new("B")],
            },
            NewProperty::Member {
                multiple: true,
                notify: false,
            },
            NewProperty::OneWayLink(LinkProperty::to("dstB").single()),
            NewProperty::Formula {
                expression: "{A} & \"!\"".into(),
            },
            NewProperty::Text,
        ];
        for want in cases {
            let field = FieldSchema {
                property: want.to_json(),
                ..FieldSchema::new("fldA", "A", want.field_type())
            };
            assert_eq!(field.new_property(), Some(want.clone()), "{want:?}");
        }
    }

    #[test]
    fn date_settings_read_from_the_reported_format() {
        let field = FieldSchema::new("fldD", "When", FieldType::DateTime).with_property(
            json!({"format": "YYYY-MM-DD HH:mm", "includeTime": true, "autoFill": true}),
        );
        let Some(NewProperty::DateTime(f)) = field.new_property() else {
            panic!("a date field");
        };
        assert_eq!(f, DateFormat::date("YYYY-MM-DD").with_time().auto_fill());
        assert_eq!(
            NewProperty::DateTime(f).to_json(),
            Some(
                json!({"dateFormat": "YYYY-MM-DD", "timeFormat": "HH:mm", "includeTime": true, "autoFill": true})
            )
        );
    }
}
