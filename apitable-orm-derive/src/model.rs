//! Stage 2: the checked model of a derive input. `expand` reads only these types.
//!
//! Lowering goes attribute syntax (`attr`) -> per-item checks -> cross-field checks
//! (`check`). Every error is collected; a field whose attributes are malformed is reported and
//! left out, so the rest of the struct is still checked.

use darling::{FromDeriveInput, FromField, FromVariant};
use proc_macro2::Span;
use quote::format_ident;
use syn::ext::IdentExt;
use syn::{DeriveInput, Ident, Path, Type, Visibility};

use crate::attr::{
    ENUM_KEYS, EnumAttrs, FIELD_KEYS, FieldAttrs, TABLE_KEYS, TableAttrs, VARIANT_KEYS,
    VariantAttrs,
};
use crate::check;
use crate::errors::Errors;
use crate::naming::{self, RenameRule};

/// How a table's cells are keyed in requests and formulas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyMode {
    /// By field name (`fieldKey=name`, the server's default).
    Name,
    /// By field id (`fieldKey=id`), when every mapped field has `id = "fld…"`.
    Id,
}

/// A `#[derive(Table)]` struct.
pub(crate) struct Table {
    pub ident: Ident,
    pub krate: Path,
    pub datasheet: String,
    pub view: Option<String>,
    pub key_mode: KeyMode,
    /// Every field of the struct, in declaration order.
    pub fields: Vec<Field>,
    /// `schema = "…"`: what the generated code must check against the snapshot.
    pub schema: Option<crate::snapshot::SchemaChecks>,
}

/// One field of a table struct.
pub(crate) struct Field {
    /// The field as written (possibly raw, `r#type`).
    pub member: Ident,
    /// The field's name without `r#`.
    pub rust_name: String,
    pub vis: Visibility,
    pub ty: Type,
    pub role: Role,
}

/// What a field holds.
pub(crate) enum Role {
    /// One cell of the datasheet.
    Cell(Cell),
    /// The record's id (`record_id`).
    RecordId,
    /// Nothing: `skip`, filled with `Default::default()`.
    Skip,
}

/// A field mapped to a column.
pub(crate) struct Cell {
    /// Position in `Table::FIELDS`.
    pub index: usize,
    /// The field name or `fld…` id used in requests.
    pub key: String,
    /// `read_only` was written (the codec may also be read-only; that is decided at compile
    /// time of the user's crate).
    pub read_only: bool,
    /// `default`.
    pub default: bool,
    /// `with = "Codec"`.
    pub codec: Option<Box<Type>>,
    /// `key`.
    pub is_key: bool,
    /// The column constant, `TITLE`.
    pub const_name: Ident,
}

/// Where a cell maps, before the cross-field checks.
#[derive(Clone)]
pub(crate) struct Target {
    pub by_id: bool,
    pub key: String,
    /// Whether the name came from the Rust field (no `name`/`id` written).
    pub implicit: bool,
    /// Where to point errors about this target.
    pub span: Span,
}

/// A field after its own checks, before the cross-field ones.
pub(crate) struct Draft {
    pub attrs: FieldAttrs,
    pub member: Ident,
    pub rust_name: String,
    pub kind: DraftKind,
}

pub(crate) enum DraftKind {
    Cell {
        target: Target,
        codec: Option<Box<Type>>,
    },
    RecordId,
    Skip,
}

impl Table {
    /// Reads and checks a `#[derive(Table)]` input; every problem is reported.
    pub(crate) fn from_input(input: &DeriveInput) -> syn::Result<Table> {
        let mut errors = Errors::new();
        let table = Self::lower(input, &mut errors);
        errors
            .finish_with(())
            .map(|()| table.expect("no errors means a complete model"))
    }

    /// The model, or `None` when something was reported to `errors`.
    pub(crate) fn lower(input: &DeriveInput, errors: &mut Errors) -> Option<Table> {
        let attrs = errors.darling(
            TableAttrs::from_derive_input(input),
            "`#[apitable]` struct",
            TABLE_KEYS,
        );
        let named = check::table_shape(input, errors);

        let mut krate = None;
        let mut datasheet = None;
        let mut view = None;
        let mut rename = None;
        let schema_lit = attrs.as_ref().and_then(|a| a.schema.clone());
        if let Some(attrs) = &attrs {
            krate = check::crate_path(attrs.krate.as_ref(), errors);
            datasheet = check::datasheet(&input.ident, attrs.datasheet.as_ref(), errors);
            view = attrs.view.as_ref().map(|lit| check::view_id(lit, errors));
            rename = attrs
                .rename_all
                .as_ref()
                .map(|lit| check::rename_rule(lit, errors));
        }
        let rename = rename.flatten();

        let mut drafts = Vec::new();
        for field in named.into_iter().flatten() {
            let Some(attrs) = errors.darling(
                FieldAttrs::from_field(field),
                "`#[apitable]` field",
                FIELD_KEYS,
            ) else {
                continue;
            };
            if let Some(draft) = lower_field(attrs, rename, errors) {
                drafts.push(draft);
            }
        }
        let key_mode = check::fields(&input.ident, named.is_some(), &drafts, errors);

        if !errors.is_empty() {
            return None;
        }
        let mut index = 0;
        let fields = drafts
            .into_iter()
            .map(|d| {
                let role = match d.kind {
                    DraftKind::Cell { target, codec } => {
                        let cell = Cell {
                            index,
                            key: target.key,
                            read_only: d.attrs.read_only.is_present(),
                            default: d.attrs.default.is_present(),
                            codec,
                            is_key: d.attrs.key.is_present(),
                            const_name: format_ident!("{}", naming::const_name(&d.rust_name)),
                        };
                        index += 1;
                        Role::Cell(cell)
                    }
                    DraftKind::RecordId => Role::RecordId,
                    DraftKind::Skip => Role::Skip,
                };
                Field {
                    member: d.member,
                    rust_name: d.rust_name,
                    vis: d.attrs.vis,
                    ty: d.attrs.ty,
                    role,
                }
            })
            .collect();
        let mut table = Table {
            ident: input.ident.clone(),
            krate: krate?,
            datasheet: datasheet?,
            view: view.flatten(),
            key_mode,
            fields,
            schema: None,
        };
        if let Some(lit) = &schema_lit {
            table.schema = crate::snapshot::check(&table, lit, errors);
            if !errors.is_empty() {
                return None;
            }
        }
        Some(table)
    }

    /// The mapped fields with their cells.
    pub(crate) fn cells(&self) -> impl Iterator<Item = (&Field, &Cell)> {
        self.fields.iter().filter_map(|f| match &f.role {
            Role::Cell(c) => Some((f, c)),
            _ => None,
        })
    }
}

/// One field's own checks, and where it maps.
fn lower_field(
    attrs: FieldAttrs,
    rename: Option<RenameRule>,
    errors: &mut Errors,
) -> Option<Draft> {
    // Named fields always have an ident (tuple structs were rejected by `table_shape`).
    let member = attrs.ident.clone()?;
    let rust_name = member.unraw().to_string();
    if !check::field_attrs(&attrs, errors) {
        return None;
    }
    let kind = if attrs.skip.is_present() {
        DraftKind::Skip
    } else if attrs.record_id.is_present() {
        DraftKind::RecordId
    } else {
        let target = if let Some(id) = &attrs.id {
            Target {
                by_id: true,
                key: check::field_id(id, errors)?,
                implicit: false,
                span: id.span(),
            }
        } else if let Some(name) = &attrs.name {
            Target {
                by_id: false,
                key: check::field_name(name, errors)?,
                implicit: false,
                span: name.span(),
            }
        } else {
            Target {
                by_id: false,
                key: rename.map_or_else(|| rust_name.clone(), |r| r.apply(&rust_name)),
                implicit: true,
                span: member.span(),
            }
        };
        let codec = match &attrs.with {
            Some(lit) => Some(Box::new(check::codec_type(lit, errors)?)),
            None => None,
        };
        DraftKind::Cell { target, codec }
    };
    Some(Draft {
        attrs,
        member,
        rust_name,
        kind,
    })
}

/// A `#[derive(FieldValue)]` enum of single-select options.
pub(crate) struct SelectEnum {
    pub ident: Ident,
    pub krate: Path,
    /// Each variant and its option name, in declaration order.
    pub options: Vec<(Ident, String)>,
}

impl SelectEnum {
    /// Reads and checks a `#[derive(FieldValue)]` input; every problem is reported.
    pub(crate) fn from_input(input: &DeriveInput) -> syn::Result<SelectEnum> {
        let mut errors = Errors::new();
        let model = Self::lower(input, &mut errors);
        errors
            .finish_with(())
            .map(|()| model.expect("no errors means a complete model"))
    }

    pub(crate) fn lower(input: &DeriveInput, errors: &mut Errors) -> Option<SelectEnum> {
        let attrs = errors.darling(
            EnumAttrs::from_derive_input(input),
            "`#[apitable]` enum",
            ENUM_KEYS,
        );
        let variants = check::enum_shape(input, errors);
        let mut krate = None;
        let mut rename = None;
        if let Some(attrs) = &attrs {
            krate = check::crate_path(attrs.krate.as_ref(), errors);
            rename = attrs
                .rename_all
                .as_ref()
                .and_then(|lit| check::rename_rule(lit, errors));
        }
        let mut options: Vec<(Ident, String, Span)> = Vec::new();
        for variant in variants.into_iter().flatten() {
            let Some(v) = errors.darling(
                VariantAttrs::from_variant(variant),
                "`#[apitable]` variant",
                VARIANT_KEYS,
            ) else {
                continue;
            };
            if !check::unit_variant(variant, errors) {
                continue;
            }
            let ident = variant.ident.clone();
            let (name, span) = match &v.rename {
                Some(lit) => match check::option_name(lit, errors) {
                    Some(name) => (name, lit.span()),
                    None => continue,
                },
                None => {
                    let raw = ident.unraw().to_string();
                    (
                        rename.map_or_else(|| raw.clone(), |r| r.apply(&raw)),
                        ident.span(),
                    )
                }
            };
            options.push((ident, name, span));
        }
        check::distinct_options(&options, errors);
        if !errors.is_empty() {
            return None;
        }
        Some(SelectEnum {
            ident: input.ident.clone(),
            krate: krate?,
            options: options.into_iter().map(|(i, n, _)| (i, n)).collect(),
        })
    }
}
