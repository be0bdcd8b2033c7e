//! `#[apitable(schema = "…")]`: the struct checked against a committed snapshot of its
//! datasheet, at compile time and without any network.
//!
//! What the derive can see in tokens (a field's name, whether it is written, a type it
//! recognises by name) is checked here, with errors at the field. What only the compiler knows
//! (the shape of any other type, the variants of a select enum) becomes a constant assertion in
//! the generated code, evaluated with the same table (`apitable_schema::fits`).

use std::path::PathBuf;

use apitable_schema::{FieldSchema, FieldType, Kind, Shape, Snapshot, can_be_key, rust_type_for};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{GenericArgument, LitStr, PathArguments, Type};

use crate::errors::Errors;
use crate::model::{Cell, Field, KeyMode, Table};

/// What the generated code must still check, and the file it depends on.
pub(crate) struct SchemaChecks {
    /// The snapshot's absolute path, for `include_bytes!` (so cargo rebuilds on change).
    pub path: String,
    /// One assertion per field whose type the derive cannot judge from its tokens.
    pub asserts: Vec<TokenStream>,
}

/// Reads the snapshot named by `lit` (relative to the crate's manifest directory).
fn load(lit: &LitStr, errors: &mut Errors) -> Option<(Snapshot, PathBuf)> {
    let relative = lit.value();
    let base = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let path = match base {
        Some(dir) => dir.join(&relative),
        None => PathBuf::from(&relative),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            errors.at(
                lit,
                format!("cannot read the schema snapshot `{relative}`: {e}"),
                "the path is relative to the directory of the crate's Cargo.toml; write a snapshot \
                 with `apitable schema pull --datasheet dst… -o <dir>`",
            );
            return None;
        }
    };
    match Snapshot::from_json(&text) {
        Ok(snap) => Some((snap, path)),
        Err(e) => {
            errors.at(
                lit,
                format!("cannot read the schema snapshot `{relative}`: {e}"),
                "pull it again with `apitable schema pull`, or fix the JSON by hand",
            );
            None
        }
    }
}

/// The shape of a type, judged from its tokens: `Option<…>` is looked through, `Vec<…>`
/// makes a list and `Computed<…>` a computed value. `None` when the name is not one of the
/// value types this crate provides (a select enum, a type of the user's, …).
fn shape_of(ty: &Type) -> Option<Shape> {
    let Type::Path(p) = ty else {
        return None;
    };
    if p.qself.is_some() {
        return None;
    }
    let last = p.path.segments.last()?;
    let inner = || match &last.arguments {
        PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    };
    let name = last.ident.to_string();
    Some(match name.as_str() {
        "Option" => return shape_of(inner()?),
        "Vec" => {
            let s = shape_of(inner()?)?;
            if s.list || s.computed {
                return None;
            }
            s.list()
        }
        "Computed" => shape_of(inner()?)?.computed(),
        _ if !last.arguments.is_empty() => return None,
        "String" => Shape::of(Kind::Text),
        "f64" | "f32" => Shape::of(Kind::Float),
        "i64" | "i32" | "i16" | "u64" | "u32" | "u16" | "u8" => Shape::of(Kind::Integer),
        "bool" => Shape::of(Kind::Bool),
        "Timestamp" => Shape::of(Kind::Timestamp),
        "Url" => Shape::of(Kind::Url),
        "Attachment" => Shape::of(Kind::Attachment),
        "Member" => Shape::of(Kind::Member),
        "RecordId" => Shape::of(Kind::RecordId),
        "User" => Shape::of(Kind::User),
        "Value" => Shape::of(Kind::Json),
        _ => return None,
    })
}

/// The closest field name, for "did you mean".
fn closest<'a>(key: &str, snap: &'a Snapshot, by_id: bool) -> Option<&'a str> {
    snap.fields
        .iter()
        .map(|f| {
            if by_id {
                f.id.as_str()
            } else {
                f.name.as_str()
            }
        })
        .map(|candidate| (strsim::jaro_winkler(key, candidate), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn kind_tokens(kind: Kind) -> TokenStream {
    let name = format!("{kind:?}");
    let ident = syn::Ident::new(&name, Span::call_site());
    quote!(_p::Kind::#ident)
}

fn field_type_tokens(t: &FieldType) -> TokenStream {
    let variant = format!("{t:?}");
    let ident = syn::Ident::new(&variant, Span::call_site());
    quote!(_p::FieldType::#ident)
}

/// Checks `table` against the snapshot `lit` names; returns what generated code must check.
pub(crate) fn check(table: &Table, lit: &LitStr, errors: &mut Errors) -> Option<SchemaChecks> {
    let (snap, path) = load(lit, errors)?;
    let relative = lit.value();
    if snap.datasheet.id != table.datasheet {
        errors.at(
            lit,
            format!(
                "`{relative}` is a snapshot of datasheet {} ({:?}), but `{}` maps datasheet {}",
                snap.datasheet.id, snap.datasheet.name, table.ident, table.datasheet
            ),
            "point `schema` at the snapshot of this struct's datasheet, or fix `datasheet`",
        );
        return None;
    }
    let by_id = table.key_mode == KeyMode::Id;
    let mut asserts = Vec::new();
    for (field, cell) in table.cells() {
        let Some(schema) = snap.field_by_key(&cell.key, by_id) else {
            let what = if by_id { "id" } else { "name" };
            let help = match closest(&cell.key, &snap, by_id) {
                Some(near) => format!(
                    "did you mean `{near}`? Or pull the snapshot again if the field was added since"
                ),
                None => format!(
                    "the fields of {:?} are {}",
                    snap.datasheet.name,
                    snap.fields
                        .iter()
                        .map(|f| format!("`{}`", if by_id { &f.id } else { &f.name }))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            errors.at(
                &field.member,
                format!(
                    "datasheet {:?} has no field with the {what} `{}` (snapshot `{relative}`)",
                    snap.datasheet.name, cell.key
                ),
                help,
            );
            continue;
        };
        check_field(field, cell, schema, &relative, errors, &mut asserts);
    }
    Some(SchemaChecks {
        path: path.to_string_lossy().into_owned(),
        asserts,
    })
}

fn check_field(
    field: &Field,
    cell: &Cell,
    schema: &FieldSchema,
    relative: &str,
    errors: &mut Errors,
    asserts: &mut Vec<TokenStream>,
) {
    let ty = &field.ty;
    let shape = if cell.codec.is_some() {
        Some(Shape::UNKNOWN)
    } else {
        shape_of(ty)
    };
    let computed_type = shape.is_some_and(|s| s.computed || s.kind == Kind::User);
    if !cell.read_only && !computed_type && !schema.is_writable() {
        errors.at(
            &field.member,
            format!(
                "field `{}` is {} (snapshot `{relative}`), but `{}` would write it",
                schema.name,
                if schema.field_type.is_read_only() {
                    format!("a {} field, computed by the server", schema.field_type)
                } else {
                    "not editable".to_owned()
                },
                field.rust_name
            ),
            "mark it `#[apitable(read_only)]`",
        );
    }
    if cell.is_key && !can_be_key(schema) {
        errors.at(
            &field.member,
            format!(
                "field `{}` is a {} field, which an upsert cannot look up by value",
                schema.name, schema.field_type
            ),
            "put `key` on a text, number, date or single-select field",
        );
    }
    match shape {
        Some(shape) => {
            if let Err(m) = shape.check(schema) {
                let help = match rust_type_for(schema) {
                    Some(t) => format!("use {t}"),
                    None => "use serde_json::Value".to_owned(),
                };
                errors.at(
                    ty,
                    format!(
                        "`{}` is {}, which cannot hold cells of type {} (field `{}`, snapshot `{relative}`)",
                        field.rust_name, m.rust, m.field_type, schema.name
                    ),
                    help,
                );
            }
        }
        None => asserts.push(shape_assert(field, cell, schema, relative)),
    }
    if let Some(options) = schema.select_options() {
        asserts.push(options_assert(field, cell, schema, &options, relative));
    }
}

/// A constant assertion that the type's `SHAPE` fits the field.
fn shape_assert(field: &Field, cell: &Cell, schema: &FieldSchema, relative: &str) -> TokenStream {
    let ty = &field.ty;
    let codec = crate::expand::codec_of(field, cell);
    let field_type = if matches!(schema.field_type, FieldType::Other(_)) {
        return TokenStream::new();
    } else {
        field_type_tokens(&schema.field_type)
    };
    let computed = match schema.value_type().and_then(Kind::of_value_type) {
        Some((kind, list)) => {
            let kind = kind_tokens(kind);
            quote!(_p::Some((#kind, #list)))
        }
        None => quote!(_p::None),
    };
    let message = format!(
        "the type of `{}` cannot hold cells of type {} (field `{}`, snapshot `{relative}`); {}",
        field.rust_name,
        schema.field_type,
        schema.name,
        rust_type_for(schema).map_or("use serde_json::Value".to_owned(), |t| format!("use {t}"))
    );
    quote_spanned! {ty.span()=>
        const _: () = ::core::assert!(
            _p::fits(<#codec as _p::FieldCodec<#ty>>::SHAPE, &#field_type, #computed),
            #message
        );
    }
}

/// A constant assertion that a select enum's variants are exactly the field's options.
fn options_assert(
    field: &Field,
    cell: &Cell,
    schema: &FieldSchema,
    options: &[&str],
    relative: &str,
) -> TokenStream {
    let ty = &field.ty;
    let codec = crate::expand::codec_of(field, cell);
    let message = format!(
        "the variants of the enum of `{}` are not the options of field `{}` in snapshot `{relative}`: \
         the options are {}",
        field.rust_name,
        schema.name,
        options
            .iter()
            .map(|o| format!("{o:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    quote_spanned! {ty.span()=>
        const _: () = ::core::assert!(
            _p::same_options(<#codec as _p::FieldCodec<#ty>>::OPTIONS, &[#(#options),*]),
            #message
        );
    }
}
