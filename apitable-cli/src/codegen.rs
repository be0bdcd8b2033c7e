//! `apitable codegen`: a Rust module with one `#[derive(Table)]` struct per datasheet, and one
//! `#[derive(FieldValue)]` enum per select field with options.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use apitable_schema::{FieldSchema, FieldType, Snapshot, can_be_key, rust_type_for};

use crate::naming::{self, Names, RESERVED_TYPES};

/// How generated structs name their columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum By {
    /// `#[apitable(name = "…")]`: readable; a renamed column breaks the struct.
    #[default]
    Name,
    /// `#[apitable(id = "fld…")]`: survives column renames.
    Id,
}

/// A generated module and what could not be mapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The Rust source.
    pub code: String,
    /// One line per field that was left out, and why.
    pub warnings: Vec<String>,
}

/// Types from `apitable_orm::value` that a type string may mention.
const VALUE_TYPES: &[&str] = &["Attachment", "Computed", "Member", "Url", "User"];

/// One struct field, ready to print.
struct FieldOut {
    docs: Vec<String>,
    attrs: Vec<String>,
    ident: String,
    ty: String,
}

/// One select enum, ready to print.
struct EnumOut {
    name: String,
    doc: String,
    variants: Vec<(String, String)>,
}

/// The Rust module for `snapshots`. `command` is the command line that regenerates it, for the
/// header. `schemas` holds, per snapshot, the path of its file for a
/// `#[apitable(schema = "…")]` attribute (relative to the crate's `Cargo.toml`), which makes the
/// derive check the struct against the file at compile time; missing entries add none.
pub fn generate(
    snapshots: &[Snapshot],
    schemas: &[Option<&str>],
    by: By,
    command: &str,
) -> Generated {
    let mut types = Names::with_reserved(RESERVED_TYPES);
    let mut warnings = Vec::new();
    let mut body = String::new();
    let mut used_types = BTreeSet::new();
    let mut enums: Vec<EnumOut> = Vec::new();

    for (i, snap) in snapshots.iter().enumerate() {
        let struct_name = types.claim(
            &naming::type_name(&snap.datasheet.name, &snap.datasheet.id),
            "",
        );
        let shown = if snap.datasheet.name.is_empty() {
            format!("`{}`", snap.datasheet.id)
        } else {
            format!(
                "{} (`{}`)",
                quoted_doc(&snap.datasheet.name),
                snap.datasheet.id
            )
        };
        let mut fields_out = vec![FieldOut {
            docs: vec!["The record id; `None` for a record not created yet.".to_owned()],
            attrs: vec!["record_id".to_owned()],
            ident: "id".to_owned(),
            ty: "Option<RecordId>".to_owned(),
        }];
        let mut idents = Names::with_reserved(&["id"]);
        let mut comments: Vec<String> = Vec::new();
        for field in &snap.fields {
            if field.field_type == FieldType::Button {
                comments.push(format!(
                    "// The button field {} holds no cell values: not mapped.",
                    comment_text(&field.name)
                ));
                continue;
            }
            if by == By::Name && field.name.ends_with('\\') {
                warnings.push(format!(
                    "{}: field {:?} is left out: its name ends with a backslash, which a formula cannot reference (generate with --by id)",
                    snap.datasheet.id, field.name
                ));
                comments.push(format!(
                    "// The field {} is not mapped: its name ends with a backslash (use --by id).",
                    comment_text(&field.name)
                ));
                continue;
            }
            let ident = idents.claim(&naming::field_name(&field.name, &field.id), "_");
            let options = select_options(field);
            let ty = match options {
                Some(options) => {
                    let enum_name = types.claim(
                        &format!("{struct_name}{}", naming::type_part(&field.name, &field.id)),
                        "",
                    );
                    enums.push(select_enum(&enum_name, &shown, field, &options));
                    if field.field_type == FieldType::MultiSelect {
                        format!("Vec<{enum_name}>")
                    } else {
                        format!("Option<{enum_name}>")
                    }
                }
                None => value_type(field),
            };
            for t in VALUE_TYPES {
                if mentions(&ty, t) {
                    used_types.insert(*t);
                }
            }
            let mut attrs = Vec::new();
            if field.is_primary && field.is_writable() && can_be_key(field) {
                attrs.push("key".to_owned());
            }
            if !field.is_writable() {
                attrs.push("read_only".to_owned());
            }
            match by {
                By::Name => attrs.push(format!("name = {:?}", field.name)),
                By::Id => attrs.push(format!("id = {:?}", field.id)),
            }
            fields_out.push(FieldOut {
                docs: field_docs(field),
                attrs,
                ident: naming::escape(&ident),
                ty,
            });
        }

        let _ = writeln!(body);
        let _ = writeln!(body, "/// A record of the datasheet {shown}.");
        let _ = writeln!(body, "#[derive(Debug, Clone, PartialEq, Table)]");
        let mut args = vec![format!("datasheet = {:?}", snap.datasheet.id)];
        if let Some(path) = schemas.get(i).copied().flatten() {
            args.push(format!("schema = {path:?}"));
        }
        attribute(&mut body, On::Item, &args);
        let _ = writeln!(body, "pub struct {struct_name} {{");
        for f in &fields_out {
            for line in &f.docs {
                if line.is_empty() {
                    let _ = writeln!(body, "    ///");
                } else {
                    let _ = writeln!(body, "    /// {line}");
                }
            }
            attribute(&mut body, On::Field, &f.attrs);
            let line = format!("    pub {}: {},", f.ident, f.ty);
            if width(&line) <= MAX_WIDTH {
                let _ = writeln!(body, "{line}");
            } else {
                // As rustfmt breaks a field too long for a line.
                let _ = writeln!(body, "    pub {}:\n        {},", f.ident, f.ty);
            }
        }
        for c in &comments {
            let _ = writeln!(body, "    {c}");
        }
        let _ = writeln!(body, "}}");
        for e in enums.drain(..) {
            let _ = writeln!(body);
            let _ = writeln!(body, "/// {}", e.doc);
            let _ = writeln!(
                body,
                "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, FieldValue)]"
            );
            let _ = writeln!(body, "pub enum {} {{", e.name);
            for (variant, option) in &e.variants {
                let _ = writeln!(body, "    /// The option {}.", quoted_doc(option));
                if variant != option {
                    attribute(&mut body, On::Variant, &[format!("rename = {option:?}")]);
                }
                let _ = writeln!(body, "    {variant},");
            }
            let _ = writeln!(body, "}}");
        }
    }

    let mut code = String::new();
    let _ = writeln!(
        code,
        "//! Typed tables for APITable datasheets, generated by `apitable codegen`."
    );
    let _ = writeln!(code, "//!");
    let _ = writeln!(
        code,
        "//! Do not edit: change the datasheets, then regenerate with"
    );
    let _ = writeln!(code, "//! `{}`.", command.replace('`', "'"));
    let _ = writeln!(code);
    let _ = writeln!(code, "use apitable_orm::prelude::*;");
    match used_types.len() {
        0 => {}
        1 => {
            let _ = writeln!(
                code,
                "use apitable_orm::value::{};",
                used_types.first().expect("one element")
            );
        }
        _ => {
            let list: Vec<&str> = used_types.into_iter().collect();
            let _ = writeln!(code, "use apitable_orm::value::{{{}}};", list.join(", "));
        }
    }
    code.push_str(&body);
    Generated { code, warnings }
}

/// The widest line rustfmt leaves alone (its default `max_width`).
const MAX_WIDTH: usize = 100;

/// Columns a line takes as rustfmt counts them: two for wide East Asian characters and
/// emoji, one for the rest.
fn width(line: &str) -> usize {
    line.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x1F300..=0x1F64F
            | 0x1F900..=0x1F9FF
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

/// How wide the arguments of an attribute with several of them may be on one line
/// (rustfmt's `attr_fn_like_width`).
const ATTR_ARGS_WIDTH: usize = 70;

/// Where an attribute stands: rustfmt leaves a struct field's attribute one column less.
#[derive(Clone, Copy, PartialEq, Eq)]
enum On {
    Item,
    Variant,
    Field,
}

/// An `#[apitable(…)]` attribute, laid out as rustfmt would: on one line when it fits, else
/// one argument per line.
fn attribute(out: &mut String, on: On, args: &[String]) {
    let indent = if on == On::Item { "" } else { "    " };
    let max = if on == On::Field {
        MAX_WIDTH - 1
    } else {
        MAX_WIDTH
    };
    let joined = args.join(", ");
    let one_line = format!("{indent}#[apitable({joined})]");
    if width(&one_line) <= max && (args.len() == 1 || width(&joined) <= ATTR_ARGS_WIDTH) {
        let _ = writeln!(out, "{one_line}");
    } else {
        let _ = writeln!(out, "{indent}#[apitable(");
        let _ = writeln!(
            out,
            "{indent}    {}",
            args.join(&format!(",\n{indent}    "))
        );
        let _ = writeln!(out, "{indent})]");
    }
}

/// Whether the type string names `ty` (as a whole word).
fn mentions(type_string: &str, ty: &str) -> bool {
    type_string
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != ':')
        .any(|word| word == ty)
}

/// The option names of a select field that has any, without duplicates or empty names.
fn select_options(field: &FieldSchema) -> Option<Vec<String>> {
    let mut seen = BTreeSet::new();
    let options: Vec<String> = field
        .select_options()?
        .into_iter()
        .filter(|o| !o.is_empty() && seen.insert(o.to_string()))
        .map(str::to_owned)
        .collect();
    (!options.is_empty()).then_some(options)
}

fn select_enum(name: &str, sheet: &str, field: &FieldSchema, options: &[String]) -> EnumOut {
    let mut variants = Names::default();
    EnumOut {
        name: name.to_owned(),
        doc: format!(
            "The options of the field {} of {sheet}.",
            quoted_doc(&field.name)
        ),
        variants: options
            .iter()
            .enumerate()
            .map(|(i, option)| {
                let wanted = naming::variant_name(option, i + 1);
                (variants.claim(&wanted, ""), option.clone())
            })
            .collect(),
    }
}

/// The Rust type of a field that is not a select with options: what
/// [`apitable_schema::rust_type_for`] suggests, in an `Option` unless the type has an empty
/// value of its own (`Vec`, `bool`, JSON).
fn value_type(field: &FieldSchema) -> String {
    let base = rust_type_for(field)
        .map(|t| t.split(" (").next().unwrap_or(t).trim().to_owned())
        .unwrap_or_else(|| "serde_json::Value".to_owned());
    if base.starts_with("Vec<") || base == "bool" || base == "serde_json::Value" {
        base
    } else {
        format!("Option<{base}>")
    }
}

fn field_docs(field: &FieldSchema) -> Vec<String> {
    let mut docs = Vec::new();
    if let Some(desc) = field.desc.as_deref().filter(|d| !d.trim().is_empty()) {
        let lines: Vec<&str> = desc.lines().map(str::trim).collect();
        let start = lines.iter().position(|l| !l.is_empty()).unwrap_or(0);
        let end = lines
            .iter()
            .rposition(|l| !l.is_empty())
            .map_or(0, |i| i + 1);
        for line in &lines[start..end] {
            docs.push(doc_text(line));
        }
        docs.push(String::new());
    }
    let mut what = format!(
        "The field {} ({})",
        quoted_doc(&field.name),
        doc_text(field.field_type.as_str())
    );
    if field.is_primary {
        what.push_str(", the primary field");
    }
    if field.field_type.is_read_only() {
        what.push_str(", computed by the server");
    } else if !field.editable {
        what.push_str(", not editable with this token");
    }
    what.push('.');
    docs.push(what);
    docs
}

/// `"name"` for a doc comment.
fn quoted_doc(name: &str) -> String {
    format!("\"{}\"", doc_text(name))
}

/// Text safe in a `///` line: control characters become spaces, and Markdown punctuation is
/// escaped so that descriptions show as written (no code blocks, which would be doctests; no
/// links or HTML, which rustdoc checks).
fn doc_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            c if c.is_control() => out.push(' '),
            '\\' | '`' | '[' | ']' | '<' | '>' | '*' | '_' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.trim_end().to_owned()
}

/// Text safe in a `//` comment on one line.
fn comment_text(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("{cleaned:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use apitable_schema::DatasheetRef;
    use serde_json::json;

    fn snapshot(name: &str, fields: Vec<FieldSchema>) -> Snapshot {
        Snapshot::new(DatasheetRef::new("dstTest000000001", name), fields, vec![])
    }

    fn select(id: &str, name: &str, t: FieldType, options: &[&str]) -> FieldSchema {
        let opts: Vec<_> = options
            .iter()
            .map(|o| json!({"id": "optX", "name": o}))
            .collect();
        FieldSchema::new(id, name, t).with_property(json!({ "options": opts }))
    }

    #[test]
    fn select_options_become_variants_with_renames_where_needed() {
        let snap = snapshot(
            "Menu",
            vec![select(
                "fldA",
                "Course",
                FieldType::SingleSelect,
                &["Main", "Dessert & sweets", "main", "1", "🍕", "Main"],
            )],
        );
        let code = generate(&[snap], &[], By::Name, "apitable codegen").code;
        assert!(code.contains("pub course: Option<MenuCourse>,"), "{code}");
        assert!(code.contains("    Main,\n"), "{code}");
        assert!(code.contains("#[apitable(rename = \"Dessert & sweets\")]\n    DessertSweets,"));
        // "main" collides with "Main" after conversion.
        assert!(
            code.contains("#[apitable(rename = \"main\")]\n    Main2,"),
            "{code}"
        );
        assert!(
            code.contains("#[apitable(rename = \"1\")]\n    Option1,"),
            "{code}"
        );
        assert!(
            code.contains("#[apitable(rename = \"🍕\")]\n    Option5,"),
            "{code}"
        );
        // The duplicate "Main" is listed once.
        assert_eq!(code.matches("The option \"Main\".").count(), 1, "{code}");
    }

    #[test]
    fn empty_selects_are_strings_and_fields_get_escaped_names() {
        let mut name = FieldSchema::new("fldName", "type", FieldType::SingleText);
        name.is_primary = true;
        let snap = snapshot(
            "String",
            vec![
                name,
                select("fldTags", "Tags", FieldType::MultiSelect, &[]),
                FieldSchema::new("fldId", "ID", FieldType::AutoNumber),
                FieldSchema::new("fldSelf", "Self", FieldType::Cascader),
                FieldSchema::new("fldBtn", "Go", FieldType::Button),
                FieldSchema::new("fldBack", "Odd\\", FieldType::Text),
            ],
        );
        let generated = generate(&[snap], &[], By::Name, "apitable codegen");
        let code = generated.code;
        assert!(code.contains("pub struct StringTable {"), "{code}");
        assert!(
            code.contains("#[apitable(key, name = \"type\")]\n    pub r#type: Option<String>,")
        );
        assert!(code.contains("pub tags: Vec<String>,"), "{code}");
        assert!(code.contains("#[apitable(read_only, name = \"ID\")]\n    pub id_2: Option<u32>,"));
        assert!(code.contains("pub self_: Option<String>,"), "{code}");
        assert!(!code.contains("name = \"Go\""), "{code}");
        assert!(!code.contains("name = \"Odd"), "{code}");
        assert_eq!(generated.warnings.len(), 1);
        assert!(generated.warnings[0].contains("backslash"));
    }

    #[test]
    fn by_id_maps_every_field_by_id_and_backslashes_are_fine() {
        let snap = snapshot(
            "Menu",
            vec![FieldSchema::new("fldBack0001", "Odd\\", FieldType::Text)],
        );
        let generated = generate(&[snap], &[], By::Id, "apitable codegen");
        assert!(
            generated
                .code
                .contains("#[apitable(id = \"fldBack0001\")]\n    pub odd: Option<String>,")
        );
        assert!(generated.warnings.is_empty());
    }

    #[test]
    fn descriptions_become_escaped_doc_comments() {
        let mut f = FieldSchema::new("fldA", "Notes", FieldType::Text);
        f.desc = Some("  First line\n\n```rust\npanic!()\n``` [link] <b>\n".into());
        let code = generate(&[snapshot("Menu", vec![f])], &[], By::Name, "x").code;
        assert!(
            code.contains("    /// First line\n    ///\n    /// \\`\\`\\`rust\n"),
            "{code}"
        );
        assert!(code.contains(" \\[link\\] \\<b\\>\n"), "{code}");
        assert!(!code.contains("/// ```"), "{code}");
    }

    #[test]
    fn two_datasheets_with_one_name_get_distinct_types() {
        let a = snapshot(
            "Menu",
            vec![select("fldA", "Kind", FieldType::SingleSelect, &["A"])],
        );
        let mut b = a.clone();
        b.datasheet.id = "dstTest000000002".into();
        let code = generate(&[a, b], &[], By::Name, "x").code;
        assert!(code.contains("pub struct Menu {"));
        assert!(code.contains("pub struct Menu2 {"));
        assert!(code.contains("pub enum MenuKind {"));
        assert!(code.contains("pub enum Menu2Kind {"));
    }

    /// The generated code is what rustfmt makes of it, so a committed module stays as
    /// generated under `cargo fmt` (long attributes are broken up the same way).
    #[test]
    fn output_is_formatted_as_rustfmt_formats_it() {
        let long = "A field name long enough that its attribute no longer fits on one line";
        let mut key = FieldSchema::new("fldKey", long, FieldType::SingleText);
        key.is_primary = true;
        let snap = snapshot(
            "Menu",
            vec![
                key,
                FieldSchema::new(
                    "fldWide",
                    "菜单名称很长的字段名字菜单名称很长的字段名字菜单名称很长的字段名字菜单名称很长",
                    FieldType::Text,
                ),
                FieldSchema::new("fldAuto", long, FieldType::AutoNumber),
                select(
                    "fldSel",
                    "Kind",
                    FieldType::SingleSelect,
                    &[
                        "An option name long enough that its attribute no longer fits on a line of code",
                        "short",
                    ],
                ),
            ],
        );
        // Around every boundary: names and options of many lengths, narrow and wide.
        let mut sweep = snapshot("Sweep", vec![]);
        let mut options = Vec::new();
        for n in 50..95 {
            let name = format!("{}{}", "n".repeat(n), n);
            sweep.fields.push(FieldSchema::new(
                format!("fldA{n}"),
                name.clone(),
                FieldType::Text,
            ));
            sweep.fields.push(FieldSchema::new(
                format!("fldB{n}"),
                name,
                FieldType::Formula,
            ));
            sweep.fields.push(FieldSchema::new(
                format!("fldC{n}"),
                format!("{}{n}", "名".repeat(n / 2)),
                FieldType::Text,
            ));
            options.push(format!("{} {n}", "o".repeat(n)));
        }
        let options: Vec<&str> = options.iter().map(String::as_str).collect();
        sweep.fields.push(select(
            "fldSweep",
            "Sweep",
            FieldType::MultiSelect,
            &options,
        ));
        let schema = "schemas/a-rather-long-directory-name/dstTest000000001.json";
        let code = generate(&[snap, sweep], &[Some(schema)], By::Name, "x").code;
        assert!(code.contains("#[apitable(\n    datasheet"), "{code}");
        assert!(
            code.contains("    #[apitable(\n        key,\n        name = "),
            "{code}"
        );
        assert!(
            code.contains("    #[apitable(\n        rename = "),
            "{code}"
        );
        let mut child = std::process::Command::new("rustfmt")
            .args(["--edition", "2024"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("rustfmt runs (rustup component add rustfmt)");
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(code.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        let formatted = String::from_utf8(out.stdout).unwrap();
        let ours: Vec<&str> = code.lines().collect();
        let theirs: Vec<&str> = formatted.lines().collect();
        if let Some(i) = (0..ours.len().max(theirs.len())).find(|&i| ours.get(i) != theirs.get(i)) {
            let from = i.saturating_sub(3);
            panic!(
                "rustfmt changes line {}:\nours:\n{}\nrustfmt:\n{}",
                i + 1,
                ours[from..(i + 3).min(ours.len())].join("\n"),
                theirs[from..(i + 3).min(theirs.len())].join("\n")
            );
        }
    }

    #[test]
    fn only_used_value_types_are_imported() {
        let code = generate(
            &[snapshot(
                "Menu",
                vec![FieldSchema::new("fldA", "Name", FieldType::SingleText)],
            )],
            &[],
            By::Name,
            "x",
        )
        .code;
        assert!(!code.contains("apitable_orm::value"), "{code}");
        let code = generate(
            &[snapshot(
                "Menu",
                vec![
                    FieldSchema::new("fldA", "Site", FieldType::Url),
                    FieldSchema::new("fldB", "By", FieldType::CreatedBy),
                ],
            )],
            &[],
            By::Name,
            "x",
        )
        .code;
        assert!(
            code.contains("use apitable_orm::value::{Url, User};"),
            "{code}"
        );
    }
}
