//! The rules a derive input must follow. Each rule is one function (or one block in
//! [`fields`]) with a comment saying why it exists; each error points at the offending tokens
//! and says how to fix it.

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::token::Comma;
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Path, Type, Variant};

use crate::attr::FieldAttrs;
use crate::errors::Errors;
use crate::model::{Draft, DraftKind, KeyMode};
use crate::naming::{self, RenameRule};

/// Whether `value` is `prefix` followed by one or more ASCII letters and digits, the shape of
/// every APITable id.
fn is_id(value: &str, prefix: &str) -> bool {
    value
        .strip_prefix(prefix)
        .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// A table is a struct with named fields and no generic parameters.
///
/// Tuple and unit structs have no field names to map to columns; enums and unions have no
/// fixed set of columns. Generic parameters would make the field types (and so the cell
/// codecs) unknown when the derive runs, and lifetimes would mean borrowing from a response
/// that is gone once decoding ends. The fields are returned even when the struct is generic,
/// so that their own mistakes are reported too.
pub(crate) fn table_shape<'a>(
    input: &'a DeriveInput,
    errors: &mut Errors,
) -> Option<&'a Punctuated<syn::Field, Comma>> {
    let name = &input.ident;
    let fields = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => Some(&named.named),
            Fields::Unnamed(unnamed) => {
                errors.at(
                    unnamed,
                    "`#[derive(Table)]` needs named fields; tuple structs cannot be mapped to a datasheet",
                    format!(
                        "name each field, since a field's name is its column's default name: `struct {name} {{ title: String }}`"
                    ),
                );
                None
            }
            Fields::Unit => {
                errors.at(
                    name,
                    format!("`#[derive(Table)]` needs named fields; `{name}` has none"),
                    format!("add one field per column: `struct {name} {{ title: String }}`"),
                );
                None
            }
        },
        Data::Enum(e) => {
            errors.at(
                e.enum_token,
                "`#[derive(Table)]` works on structs, not enums",
                "for a single-select field, derive `FieldValue` on the enum and use it as the type of a field of a table struct",
            );
            None
        }
        Data::Union(u) => {
            errors.at(
                u.union_token,
                "`#[derive(Table)]` works on structs, not unions",
                format!("use a struct with named fields: `struct {name} {{ title: String }}`"),
            );
            None
        }
    };
    let generics = &input.generics;
    if let Some(first) = generics.params.first() {
        let (what, help) = match first {
            syn::GenericParam::Lifetime(_) => (
                "lifetime parameters",
                "records are decoded into owned values: use `String` instead of `&str` and remove the lifetime",
            ),
            syn::GenericParam::Type(_) => (
                "type parameters",
                "a datasheet has one fixed set of field types: replace the parameter with a concrete type (define one struct per datasheet)",
            ),
            syn::GenericParam::Const(_) => (
                "const parameters",
                "a datasheet has one fixed set of field types: remove the const parameter",
            ),
        };
        errors.at(
            generics,
            format!("`#[derive(Table)]` does not support {what}"),
            help,
        );
    } else if let Some(clause) = &generics.where_clause {
        errors.at(
            clause,
            "`#[derive(Table)]` does not support `where` clauses",
            "remove the `where` clause",
        );
    }
    fields
}

/// `crate = "path"`: the path generated code uses for `apitable_orm` (for crates that
/// re-export it). Defaults to `::apitable_orm`.
pub(crate) fn crate_path(lit: Option<&LitStr>, errors: &mut Errors) -> Option<Path> {
    match lit {
        None => Some(syn::parse_quote!(::apitable_orm)),
        Some(lit) => match lit.parse::<Path>() {
            Ok(path) => Some(path),
            Err(_) => {
                errors.at(
                    lit,
                    format!("`crate = \"{}\"` is not a path", lit.value()),
                    "write the path under which your crate re-exports `apitable_orm`, e.g. `crate = \"my_crate::apitable_orm\"`",
                );
                None
            }
        },
    }
}

/// `datasheet = "dst…"` is required and must look like a datasheet id: requests go to
/// `/datasheets/{id}/records`, and a typo there only shows up as a 404 at run time.
pub(crate) fn datasheet(name: &Ident, lit: Option<&LitStr>, errors: &mut Errors) -> Option<String> {
    let Some(lit) = lit else {
        errors.at(
            name,
            format!("`{name}` does not say which datasheet it maps"),
            "add `#[apitable(datasheet = \"dst…\")]` above the struct, with the id from the datasheet's URL",
        );
        return None;
    };
    let value = lit.value();
    if is_id(&value, "dst") {
        Some(value)
    } else {
        errors.at(
            lit,
            format!("datasheet id `{value}` must start with `dst` followed by letters and digits"),
            "copy the id from the datasheet's URL (`…/workbench/dst…/viw…`); a datasheet's name is not its id",
        );
        None
    }
}

/// `view = "viw…"` must look like a view id, for the same reason as the datasheet.
pub(crate) fn view_id(lit: &LitStr, errors: &mut Errors) -> Option<String> {
    let value = lit.value();
    if is_id(&value, "viw") {
        Some(value)
    } else {
        errors.at(
            lit,
            format!("view id `{value}` must start with `viw` followed by letters and digits"),
            "copy the id from the view's URL (`…/workbench/dst…/viw…`), or remove `view` to read without a default view",
        );
        None
    }
}

/// `rename_all` takes one of the usual case names; a near miss gets a suggestion.
pub(crate) fn rename_rule(lit: &LitStr, errors: &mut Errors) -> Option<RenameRule> {
    match RenameRule::parse(&lit.value()) {
        Ok(rule) => Some(rule),
        Err(suggestion) => {
            let help = match suggestion {
                Some(s) => format!("did you mean `rename_all = \"{s}\"`?"),
                None => format!("use one of {}", naming::rule_list()),
            };
            errors.at(
                lit,
                format!("unknown `rename_all` rule `{}`", lit.value()),
                help,
            );
            None
        }
    }
}

/// The attributes of one field must agree with each other. Returns whether they do.
pub(crate) fn field_attrs(attrs: &FieldAttrs, errors: &mut Errors) -> bool {
    let before = errors.len();
    let field = attrs
        .ident
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();

    // A field maps to one column: by name or by id, never both (which one would win?).
    if let (Some(_), Some(id)) = (&attrs.name, &attrs.id) {
        errors.at(
            id,
            format!("field `{field}` has both `name` and `id`"),
            "keep one: `id = \"fld…\"` (survives column renames) or `name = \"…\"`",
        );
    }

    // The upsert key is looked up and written like any cell, so it must be a writable,
    // mapped column.
    if attrs.key.is_present() {
        let why = if attrs.read_only.is_present() {
            Some((
                "a `read_only` field",
                "upsert writes the key of every new record, so the key must be writable: remove `read_only`, or put `key` on another field",
            ))
        } else if attrs.skip.is_present() {
            Some((
                "a `skip` field",
                "a skipped field is not a column: put `key` on a mapped field",
            ))
        } else if attrs.record_id.is_present() {
            Some((
                "the `record_id` field",
                "upsert matches records by a column's value; to write by record id, use `sheet.update(&row)` or `sheet.save(&mut row)`",
            ))
        } else {
            None
        };
        if let Some((what, help)) = why {
            errors.at_span(attrs.key.span(), format!("`key` cannot be on {what}"), help);
        }
    }

    // `skip` means "not mapped": every other attribute would be silently ignored.
    if attrs.skip.is_present() {
        for (present, span, other) in others(attrs) {
            if present && other != "key" && other != "skip" {
                errors.at_span(
                    span,
                    format!("`skip` cannot be combined with `{other}`"),
                    format!("a skipped field is not mapped: remove `{other}`, or remove `skip` to map the field"),
                );
            }
        }
    } else if attrs.record_id.is_present() {
        // The record id is not a cell: it has no name, is never written and is never empty.
        for (present, span, other) in others(attrs) {
            if present && other != "key" && other != "record_id" {
                errors.at_span(
                    span,
                    format!("`record_id` cannot be combined with `{other}`"),
                    format!("the record id is not a cell: remove `{other}`"),
                );
            }
        }
    }
    errors.len() == before
}

/// Each attribute of a field: whether it is present, where, and its name.
fn others(attrs: &FieldAttrs) -> [(bool, Span, &'static str); 8] {
    let lit = |l: &Option<LitStr>| {
        (
            l.is_some(),
            l.as_ref().map_or_else(Span::call_site, LitStr::span),
        )
    };
    let (name, name_span) = lit(&attrs.name);
    let (id, id_span) = lit(&attrs.id);
    let (with, with_span) = lit(&attrs.with);
    [
        (name, name_span, "name"),
        (id, id_span, "id"),
        (with, with_span, "with"),
        (attrs.key.is_present(), attrs.key.span(), "key"),
        (
            attrs.read_only.is_present(),
            attrs.read_only.span(),
            "read_only",
        ),
        (attrs.default.is_present(), attrs.default.span(), "default"),
        (
            attrs.record_id.is_present(),
            attrs.record_id.span(),
            "record_id",
        ),
        (attrs.skip.is_present(), attrs.skip.span(), "skip"),
    ]
}

/// `id = "fld…"` must look like a field id: ids are what make a program survive column
/// renames, and a wrong one silently reads nothing.
pub(crate) fn field_id(lit: &LitStr, errors: &mut Errors) -> Option<String> {
    let value = lit.value();
    if is_id(&value, "fld") {
        Some(value)
    } else {
        errors.at(
            lit,
            format!("field id `{value}` must start with `fld` followed by letters and digits"),
            "copy the id from the field's settings in APITable, or map by name with `name = \"…\"` on every field",
        );
        None
    }
}

/// `name = "…"` must be a name a formula can reference: `{name}` in a formula escapes `{`, `}`
/// and `\` with a backslash, so a name ending in `\` would escape the closing brace.
pub(crate) fn field_name(lit: &LitStr, errors: &mut Errors) -> Option<String> {
    let value = lit.value();
    if value.trim().is_empty() {
        errors.at(
            lit,
            "a field name cannot be empty",
            "write the column's name as APITable shows it, e.g. `name = \"Title\"`",
        );
        None
    } else if value.ends_with('\\') {
        errors.at(
            lit,
            format!("field name `{value}` ends with a backslash, which a formula cannot reference"),
            "rename the column in APITable, or map every field by id (`id = \"fld…\"`)",
        );
        None
    } else {
        Some(value)
    }
}

/// `with = "Codec"` names a type.
pub(crate) fn codec_type(lit: &LitStr, errors: &mut Errors) -> Option<Type> {
    match lit.parse::<Type>() {
        Ok(ty) => Some(ty),
        Err(_) => {
            errors.at(
                lit,
                format!("`with = \"{}\"` does not name a type", lit.value()),
                "name a type implementing `apitable_orm::FieldCodec<FieldType>`, e.g. `with = \"my_codecs::Words\"`",
            );
            None
        }
    }
}

/// The rules across fields. Returns how the table keys its cells.
pub(crate) fn fields(
    name: &Ident,
    has_fields: bool,
    drafts: &[Draft],
    errors: &mut Errors,
) -> KeyMode {
    let cells: Vec<_> = drafts
        .iter()
        .filter_map(|d| match &d.kind {
            DraftKind::Cell { target, .. } => Some((d, target)),
            _ => None,
        })
        .collect();

    // A table reads its own fields only; with none there is nothing to read.
    if has_fields && cells.is_empty() && errors.is_empty() {
        errors.at(
            name,
            format!("`{name}` maps no fields"),
            "add a field for a column, or remove `skip` from one",
        );
    }

    // All by id or all by name: requests carry one `fieldKey`, and the keys of the response
    // cells follow it. The first mapped field decides; the first field that differs is the
    // error.
    let mode = match cells.first() {
        Some((_, t)) if t.by_id => KeyMode::Id,
        _ => KeyMode::Name,
    };
    if let Some((first, _)) = cells.first()
        && let Some((d, t)) = cells.iter().find(|(_, t)| t.by_id != (mode == KeyMode::Id))
    {
        let (this, other) = if t.by_id {
            ("id", "name")
        } else {
            ("name", "id")
        };
        let help = if t.by_id {
            format!(
                "a table maps every field by id (`fieldKey=id`) or every field by name: add `id = \"fld…\"` to `{}` and the other named fields, or remove `id` from `{}`",
                first.rust_name, d.rust_name
            )
        } else {
            format!(
                "a table maps every field by id (`fieldKey=id`) or every field by name: add `id = \"fld…\"` to `{}`, or remove the ids and map by name",
                d.rust_name
            )
        };
        errors.at_span(
            t.span,
            format!(
                "field `{}` is mapped by {this}, but `{}` is mapped by {other}",
                d.rust_name, first.rust_name
            ),
            help,
        );
    }

    // One column, one field: two fields on the same column would each decode the cell and
    // race on writes.
    for (i, (d, t)) in cells.iter().enumerate() {
        if let Some((prev, _)) = cells[..i]
            .iter()
            .find(|(_, p)| p.by_id == t.by_id && p.key == t.key)
        {
            let what = if t.by_id { "field id" } else { "column" };
            let help = if t.implicit {
                format!(
                    "each column maps to one field: map `{}` to another column with `name = \"…\"`, or mark it `#[apitable(skip)]`",
                    d.rust_name
                )
            } else {
                "each column maps to one field: change one of them, or mark one `#[apitable(skip)]`"
                    .to_owned()
            };
            errors.at_span(
                t.span,
                format!(
                    "fields `{}` and `{}` both map to the {what} `{}`",
                    prev.rust_name, d.rust_name, t.key
                ),
                help,
            );
        }
    }

    // One column constant per field: `a_b` and `aB` would both be `A_B`.
    for (i, (d, _)) in cells.iter().enumerate() {
        let mine = naming::const_name(&d.rust_name);
        if let Some((prev, _)) = cells[..i]
            .iter()
            .find(|(p, _)| naming::const_name(&p.rust_name) == mine)
        {
            errors.at(
                &d.member,
                format!(
                    "fields `{}` and `{}` would both get the column constant `{name}::{mine}`",
                    prev.rust_name, d.rust_name
                ),
                "rename one of the Rust fields (keep the column with `name = \"…\"`)",
            );
        }
    }

    // `upsert` matches on one column.
    let keys: Vec<_> = drafts.iter().filter(|d| d.attrs.key.is_present()).collect();
    if let [first, rest @ ..] = keys.as_slice() {
        for d in rest {
            errors.at_span(
                d.attrs.key.span(),
                format!(
                    "`key` is on two fields, `{}` and `{}`",
                    first.rust_name, d.rust_name
                ),
                format!(
                    "upsert matches records on one column: keep `key` on one field, and call `sheet.upsert_by({name}::{}, …)` to match on the other",
                    naming::const_name(&d.rust_name)
                ),
            );
        }
    }

    // A record has one id.
    let ids: Vec<_> = drafts
        .iter()
        .filter(|d| matches!(d.kind, DraftKind::RecordId))
        .collect();
    if let [first, rest @ ..] = ids.as_slice() {
        for d in rest {
            errors.at_span(
                d.attrs.record_id.span(),
                format!(
                    "`record_id` is on two fields, `{}` and `{}`",
                    first.rust_name, d.rust_name
                ),
                "a record has one id: remove `record_id` from one of them",
            );
        }
    }
    mode
}

/// `#[derive(FieldValue)]` maps a fieldless enum to the options of a single-select field.
pub(crate) fn enum_shape<'a>(
    input: &'a DeriveInput,
    errors: &mut Errors,
) -> Option<&'a Punctuated<Variant, Comma>> {
    let name = &input.ident;
    if !input.generics.params.is_empty() {
        errors.at(
            &input.generics,
            "`#[derive(FieldValue)]` does not support generic parameters",
            "a single-select field has a fixed list of options: remove the parameters",
        );
    }
    match &input.data {
        Data::Enum(e) if e.variants.is_empty() => {
            errors.at(
                name,
                format!("`{name}` has no variants, so no option could be decoded"),
                "add one variant per option of the single-select field",
            );
            None
        }
        Data::Enum(e) => Some(&e.variants),
        Data::Struct(s) => {
            errors.at(
                s.struct_token,
                "`#[derive(FieldValue)]` works on enums whose variants are the options of a single-select field",
                "for a struct, implement `apitable_orm::FieldValue` by hand, or use `#[apitable(with = \"…\")]` on the table field",
            );
            None
        }
        Data::Union(u) => {
            errors.at(
                u.union_token,
                "`#[derive(FieldValue)]` works on enums, not unions",
                "declare an enum with one variant per option",
            );
            None
        }
    }
}

/// An option is a plain name: variants carry no data.
pub(crate) fn unit_variant(variant: &Variant, errors: &mut Errors) -> bool {
    if matches!(variant.fields, Fields::Unit) {
        return true;
    }
    let name = &variant.ident;
    errors.at(
        &variant.fields,
        format!("variant `{name}` has fields, but a single-select option is just a name"),
        format!("remove the fields (`{name},`), or implement `apitable_orm::FieldValue` by hand"),
    );
    false
}

/// `rename = "…"` on a variant is an option name.
pub(crate) fn option_name(lit: &LitStr, errors: &mut Errors) -> Option<String> {
    let value = lit.value();
    if value.is_empty() {
        errors.at(
            lit,
            "an option name cannot be empty",
            "write the option as APITable shows it, e.g. `rename = \"In progress\"`",
        );
        None
    } else {
        Some(value)
    }
}

/// Two variants with one option name could not be told apart when decoding.
pub(crate) fn distinct_options(options: &[(Ident, String, Span)], errors: &mut Errors) {
    for (i, (ident, name, span)) in options.iter().enumerate() {
        if let Some((prev, _, _)) = options[..i].iter().find(|(_, n, _)| n == name) {
            errors.at_span(
                *span,
                format!("variants `{prev}` and `{ident}` both map to the option `{name}`"),
                "give one of them another option name with `#[apitable(rename = \"…\")]`",
            );
        }
    }
}
