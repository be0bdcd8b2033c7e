//! Stage 1: the syntax of `#[apitable(...)]`, read with darling.
//!
//! These receivers only say what was written. Whether it makes sense (prefixes, conflicts,
//! cross-field rules) is decided in `model` and `check`, so that every mistake in a struct is
//! reported at once.

use darling::util::Flag;
use darling::{FromDeriveInput, FromField, FromVariant};
use syn::{Ident, LitStr, Type, Visibility};

/// `#[apitable(...)]` on a `#[derive(Table)]` struct.
#[derive(FromDeriveInput)]
#[darling(attributes(apitable))]
pub(crate) struct TableAttrs {
    /// `datasheet = "dst…"` (required; checked later so that a missing id is reported with the
    /// other mistakes).
    pub datasheet: Option<LitStr>,
    /// `view = "viw…"`.
    pub view: Option<LitStr>,
    /// `rename_all = "Title Case"`.
    pub rename_all: Option<LitStr>,
    /// `crate = "path"`.
    #[darling(rename = "crate")]
    pub krate: Option<LitStr>,
    /// `schema = "schemas/menu.json"`: a snapshot to check the struct against.
    pub schema: Option<LitStr>,
}

/// `#[apitable(...)]` on one field of a `#[derive(Table)]` struct.
#[derive(FromField)]
#[darling(attributes(apitable))]
pub(crate) struct FieldAttrs {
    pub ident: Option<Ident>,
    pub vis: Visibility,
    pub ty: Type,
    /// `name = "Field name"`.
    pub name: Option<LitStr>,
    /// `id = "fld…"`.
    pub id: Option<LitStr>,
    /// `record_id`: holds the record's id rather than a cell.
    pub record_id: Flag,
    /// `key`: the upsert key.
    pub key: Flag,
    /// `read_only`: never written.
    pub read_only: Flag,
    /// `skip`: not mapped at all.
    pub skip: Flag,
    /// `default`: an empty cell decodes to `Default::default()`.
    pub default: Flag,
    /// `with = "Codec"`.
    pub with: Option<LitStr>,
}

/// The attribute keys [`FieldAttrs`] accepts, for help lines.
pub(crate) const FIELD_KEYS: &str =
    "`name`, `id`, `record_id`, `key`, `read_only`, `skip`, `default`, `with`";

/// The attributes that are flags (no value); every other attribute takes a string.
pub(crate) const FLAGS: [&str; 5] = ["record_id", "key", "read_only", "skip", "default"];

/// The attribute keys [`TableAttrs`] accepts, for help lines.
pub(crate) const TABLE_KEYS: &str = "`datasheet`, `view`, `rename_all`, `crate`, `schema`";

/// `#[apitable(...)]` on a `#[derive(FieldValue)]` enum.
#[derive(FromDeriveInput)]
#[darling(attributes(apitable))]
pub(crate) struct EnumAttrs {
    /// `rename_all = "…"` for the option names.
    pub rename_all: Option<LitStr>,
    /// `crate = "path"`.
    #[darling(rename = "crate")]
    pub krate: Option<LitStr>,
}

/// The attribute keys [`EnumAttrs`] accepts, for help lines.
pub(crate) const ENUM_KEYS: &str = "`rename_all`, `crate`";

/// `#[apitable(...)]` on one variant of a `#[derive(FieldValue)]` enum.
#[derive(FromVariant)]
#[darling(attributes(apitable))]
pub(crate) struct VariantAttrs {
    /// `rename = "Option name"`.
    pub rename: Option<LitStr>,
}

/// The attribute keys [`VariantAttrs`] accepts, for help lines.
pub(crate) const VARIANT_KEYS: &str = "`rename`";
