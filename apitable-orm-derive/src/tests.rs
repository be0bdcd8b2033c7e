//! Unit tests of the model and check stages, on `parse_quote!` input (no compiler needed).

use syn::{DeriveInput, parse_quote};

use crate::errors::Errors;
use crate::model::{KeyMode, Role, SelectEnum, Table};
use crate::naming::{RenameRule, const_name};

/// The model, or the error messages (first lines only).
fn table(input: DeriveInput) -> Result<Table, Vec<String>> {
    let mut errors = Errors::new();
    let model = Table::lower(&input, &mut errors);
    let messages = errors.messages();
    match model {
        Some(model) if messages.is_empty() => Ok(model),
        _ => {
            assert!(!messages.is_empty(), "no model and no error");
            Err(messages
                .iter()
                .map(|m| m.lines().next().unwrap().to_owned())
                .collect())
        }
    }
}

fn select(input: DeriveInput) -> Result<SelectEnum, Vec<String>> {
    let mut errors = Errors::new();
    let model = SelectEnum::lower(&input, &mut errors);
    let messages = errors.messages();
    match model {
        Some(model) if messages.is_empty() => Ok(model),
        _ => Err(messages
            .iter()
            .map(|m| m.lines().next().unwrap().to_owned())
            .collect()),
    }
}

fn select_errors(input: DeriveInput) -> Vec<String> {
    match select(input) {
        Ok(_) => panic!("expected errors"),
        Err(errors) => errors,
    }
}

fn errors_of(input: DeriveInput) -> Vec<String> {
    match table(input) {
        Ok(_) => panic!("expected errors"),
        Err(errors) => errors,
    }
}

#[test]
fn names_come_from_idents_through_rename_all() {
    let model = table(parse_quote! {
        #[apitable(datasheet = "dstTasks0001", rename_all = "Title Case")]
        pub struct Task {
            #[apitable(record_id)]
            id: Option<RecordId>,
            #[apitable(key)]
            estimate_hours: f64,
            r#type: String,
            #[apitable(name = "Owner (main)")]
            owner: String,
            #[apitable(skip)]
            selected: bool,
        }
    })
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(model.datasheet, "dstTasks0001");
    assert_eq!(model.key_mode, KeyMode::Name);
    let cells: Vec<_> = model
        .cells()
        .map(|(f, c)| {
            (
                f.rust_name.as_str(),
                c.key.as_str(),
                c.index,
                c.const_name.to_string(),
            )
        })
        .collect();
    assert_eq!(
        cells,
        [
            (
                "estimate_hours",
                "Estimate Hours",
                0,
                "ESTIMATE_HOURS".to_owned()
            ),
            ("type", "Type", 1, "TYPE".to_owned()),
            ("owner", "Owner (main)", 2, "OWNER".to_owned()),
        ]
    );
    assert!(matches!(model.fields[0].role, Role::RecordId));
    assert!(matches!(model.fields[4].role, Role::Skip));
    assert!(model.cells().next().unwrap().1.is_key);
}

#[test]
fn all_ids_means_field_key_id() {
    let model = table(parse_quote! {
        #[apitable(datasheet = "dstTasks0001", view = "viwOpen0001")]
        struct Task {
            #[apitable(id = "fldTitle0001")]
            title: String,
            #[apitable(id = "fldDone00001", read_only, default)]
            done: bool,
        }
    })
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(model.key_mode, KeyMode::Id);
    assert_eq!(model.view.as_deref(), Some("viwOpen0001"));
    let (_, done) = model.cells().nth(1).unwrap();
    assert_eq!(done.key, "fldDone00001");
    assert!(done.read_only && done.default);
}

#[test]
fn custom_crate_and_codec() {
    let model = table(parse_quote! {
        #[apitable(datasheet = "dstTasks0001", crate = "my::orm")]
        struct Task {
            #[apitable(with = "codecs::Words")]
            words: Vec<String>,
        }
    })
    .unwrap_or_else(|e| panic!("{e:?}"));
    let krate = &model.krate;
    assert_eq!(quote::quote!(#krate).to_string(), "my :: orm");
    assert!(model.cells().next().unwrap().1.codec.is_some());
}

#[test]
fn mixed_ids_and_names_are_reported_on_the_first_field_that_differs() {
    let errors = errors_of(parse_quote! {
        #[apitable(datasheet = "dstTasks0001")]
        struct Task {
            #[apitable(id = "fldTitle0001")]
            title: String,
            notes: String,
            more: String,
        }
    });
    assert_eq!(
        errors,
        ["field `notes` is mapped by name, but `title` is mapped by id"]
    );
}

#[test]
fn every_error_is_collected() {
    let errors = errors_of(parse_quote! {
        #[apitable(datasheet = "Tasks", view = "Open", rename_all = "Title case")]
        struct Task {
            #[apitable(nme = "x")]
            a: String,
            #[apitable(name = "B", id = "fldB")]
            b: String,
            #[apitable(key, read_only)]
            c: String,
            #[apitable(key)]
            d: String,
            #[apitable(skip, default)]
            e: String,
            #[apitable(name = "End\\")]
            f: String,
            #[apitable(record_id)]
            g: Option<RecordId>,
            #[apitable(record_id)]
            h: Option<RecordId>,
        }
    });
    assert_eq!(
        errors,
        [
            "datasheet id `Tasks` must start with `dst` followed by letters and digits",
            "view id `Open` must start with `viw` followed by letters and digits",
            "unknown `rename_all` rule `Title case`",
            "unknown `#[apitable]` field attribute `nme`",
            "field `b` has both `name` and `id`",
            "`key` cannot be on a `read_only` field",
            "`skip` cannot be combined with `default`",
            "field name `End\\` ends with a backslash, which a formula cannot reference",
            // `c` is left out once its own attributes conflict, so `d` is the only key.
            "`record_id` is on two fields, `g` and `h`",
        ]
    );
}

#[test]
fn unknown_attributes_get_suggestions() {
    let mut errors = Errors::new();
    let input: DeriveInput = parse_quote! {
        #[apitable(datasheet = "dstTasks0001")]
        struct Task { #[apitable(red_only)] a: String }
    };
    assert!(Table::lower(&input, &mut errors).is_none());
    let message = &errors.messages()[0];
    assert!(message.contains("did you mean `read_only`?"), "{message}");
}

#[test]
fn duplicate_targets_and_constants() {
    assert_eq!(
        errors_of(parse_quote! {
            #[apitable(datasheet = "dstTasks0001", rename_all = "lowercase")]
            struct Task { title: String, #[apitable(name = "title")] heading: String }
        }),
        ["fields `title` and `heading` both map to the column `title`"]
    );
    assert_eq!(
        errors_of(parse_quote! {
            #[apitable(datasheet = "dstTasks0001")]
            struct Task { #[apitable(id = "fldA")] a: String, #[apitable(id = "fldA")] b: String }
        }),
        ["fields `a` and `b` both map to the field id `fldA`"]
    );
    assert_eq!(
        errors_of(parse_quote! {
            #[apitable(datasheet = "dstTasks0001")]
            #[allow(non_snake_case)]
            struct Task { a_b: String, aB: String }
        }),
        ["fields `a_b` and `aB` would both get the column constant `Task::A_B`"]
    );
}

#[test]
fn shapes() {
    assert_eq!(
        errors_of(parse_quote! { #[apitable(datasheet = "dstA")] struct Task(String); }),
        ["`#[derive(Table)]` needs named fields; tuple structs cannot be mapped to a datasheet"]
    );
    assert_eq!(
        errors_of(parse_quote! { #[apitable(datasheet = "dstA")] struct Task; }),
        ["`#[derive(Table)]` needs named fields; `Task` has none"]
    );
    assert_eq!(
        errors_of(parse_quote! { #[apitable(datasheet = "dstA")] enum Task { A } }),
        ["`#[derive(Table)]` works on structs, not enums"]
    );
    assert_eq!(
        errors_of(parse_quote! { #[apitable(datasheet = "dstA")] struct Task<'a> { a: &'a str } }),
        ["`#[derive(Table)]` does not support lifetime parameters"]
    );
    assert_eq!(
        errors_of(parse_quote! { #[apitable(datasheet = "dstA")] struct Task<T> { a: T } }),
        ["`#[derive(Table)]` does not support type parameters"]
    );
    assert_eq!(
        errors_of(parse_quote! { struct Task { a: String } }),
        ["`Task` does not say which datasheet it maps"]
    );
    assert_eq!(
        errors_of(
            parse_quote! { #[apitable(datasheet = "dstA")] struct Task { #[apitable(skip)] a: String } }
        ),
        ["`Task` maps no fields"]
    );
}

#[test]
fn field_attribute_conflicts() {
    assert_eq!(
        errors_of(parse_quote! {
            #[apitable(datasheet = "dstA")]
            struct Task { a: String, #[apitable(skip, key)] b: String }
        }),
        ["`key` cannot be on a `skip` field"]
    );
    assert_eq!(
        errors_of(parse_quote! {
            #[apitable(datasheet = "dstA")]
            struct Task { #[apitable(record_id, key)] id: RecordId, a: String }
        }),
        ["`key` cannot be on the `record_id` field"]
    );
    assert_eq!(
        errors_of(parse_quote! {
            #[apitable(datasheet = "dstA")]
            struct Task { #[apitable(record_id, with = "X", default)] id: RecordId, a: String }
        }),
        [
            "`record_id` cannot be combined with `with`",
            "`record_id` cannot be combined with `default`"
        ]
    );
    assert_eq!(
        errors_of(parse_quote! {
            #[apitable(datasheet = "dstA")]
            struct Task { #[apitable(id = "fld")] a: String, #[apitable(id = "fld-x1")] b: String }
        }),
        [
            "field id `fld` must start with `fld` followed by letters and digits",
            "field id `fld-x1` must start with `fld` followed by letters and digits"
        ]
    );
    assert_eq!(
        errors_of(parse_quote! {
            #[apitable(datasheet = "dstA")]
            struct Task { #[apitable(with = "not a type!")] a: String }
        }),
        ["`with = \"not a type!\"` does not name a type"]
    );
}

#[test]
fn errors_carry_a_help_line() {
    let mut errors = Errors::new();
    let input: DeriveInput = parse_quote! {
        #[apitable(datasheet = "dstA")]
        struct Task { #[apitable(key)] a: String, #[apitable(key)] b: String }
    };
    assert!(Table::lower(&input, &mut errors).is_none());
    let message = &errors.messages()[0];
    assert!(
        message.contains("\n= help: upsert matches records on one column")
            && message.contains("sheet.upsert_by(Task::B, …)"),
        "{message}"
    );
}

#[test]
fn select_enums() {
    let Ok(model) = select(parse_quote! {
        #[apitable(rename_all = "Title Case")]
        enum Status { ToDo, InProgress, #[apitable(rename = "Done ✓")] Done, r#Box }
    }) else {
        panic!("a valid enum")
    };
    let options: Vec<_> = model.options.iter().map(|(_, o)| o.as_str()).collect();
    assert_eq!(options, ["To Do", "In Progress", "Done ✓", "Box"]);

    assert_eq!(
        select_errors(parse_quote! { enum S { A, #[apitable(rename = "A")] B, C(u8) } }),
        [
            "variant `C` has fields, but a single-select option is just a name",
            "variants `A` and `B` both map to the option `A`",
        ]
    );
    assert_eq!(
        select_errors(parse_quote! { struct S { a: u8 } }),
        [
            "`#[derive(FieldValue)]` works on enums whose variants are the options of a single-select field"
        ]
    );
    assert_eq!(
        select_errors(parse_quote! { enum S<T> { A, B } }),
        ["`#[derive(FieldValue)]` does not support generic parameters"]
    );
    assert_eq!(
        select_errors(parse_quote! { enum S {} }),
        ["`S` has no variants, so no option could be decoded"]
    );
    assert_eq!(
        select_errors(parse_quote! { #[apitable(renam_all = "lowercase")] enum S { A } }),
        ["unknown `#[apitable]` enum attribute `renam_all`"]
    );
}

#[test]
fn rename_rules() {
    let cases = [
        ("lowercase", "estimate_hours", "estimate_hours"),
        ("UPPERCASE", "estimate_hours", "ESTIMATE_HOURS"),
        ("PascalCase", "estimate_hours", "EstimateHours"),
        ("camelCase", "estimate_hours", "estimateHours"),
        ("snake_case", "InProgress", "in_progress"),
        ("SCREAMING_SNAKE_CASE", "estimate_hours", "ESTIMATE_HOURS"),
        ("kebab-case", "estimate_hours", "estimate-hours"),
        ("Title Case", "estimate_hours", "Estimate Hours"),
        ("Title Case", "InProgress", "In Progress"),
        ("lowercase", "InProgress", "inprogress"),
    ];
    for (rule, input, output) in cases {
        assert_eq!(
            RenameRule::parse(rule).unwrap().apply(input),
            output,
            "{rule} {input}"
        );
    }
    assert_eq!(RenameRule::parse("title case"), Err(Some("Title Case")));
    assert_eq!(RenameRule::parse("SCREAMING-SNAKE"), Err(None));
    assert_eq!(const_name("estimateHours"), "ESTIMATE_HOURS");
    assert_eq!(const_name("type"), "TYPE");
}

#[test]
fn malformed_attribute_values_say_what_to_write() {
    let mut errors = Errors::new();
    let input: DeriveInput = parse_quote! {
        #[apitable(datasheet = "dstA")]
        struct Task {
            #[apitable(key = "yes")]
            a: String,
            #[apitable(name = 5)]
            b: String,
            #[apitable]
            c: String,
        }
    };
    assert!(Table::lower(&input, &mut errors).is_none());
    assert_eq!(
        errors.messages(),
        [
            "`key` takes no value\n= help: write it alone: `#[apitable(key)]`",
            "`name` takes a string\n= help: write `#[apitable(name = \"…\")]`",
        ]
    );
}

/// Generated code names prelude items only through `_p::`, so user items that shadow them
/// cannot change its meaning; and it stays small.
#[test]
fn expansion_is_hygienic_and_small() {
    let input: DeriveInput = parse_quote! {
        #[apitable(datasheet = "dstTasks0001", view = "viwOpen0001")]
        pub struct Task {
            #[apitable(record_id)]
            id: Id,
            #[apitable(key)]
            price: f64,
            #[apitable(read_only, default)]
            done: bool,
            #[apitable(with = "Words")]
            words: Words,
            #[apitable(skip)]
            local: u8,
        }
    };
    let model = Table::from_input(&input).unwrap_or_else(|e| panic!("{e}"));
    let code = crate::expand::table(&model).to_string();
    let tokens: Vec<&str> = code.split_whitespace().collect();
    let guarded = [
        "Option", "Some", "None", "Result", "Ok", "Err", "Default", "String", "Vec", "str", "usize",
    ];
    for (i, t) in tokens.iter().enumerate() {
        if guarded.contains(t) {
            assert!(
                i >= 2 && tokens[i - 2] == "_p" && tokens[i - 1] == "::",
                "unqualified `{t}` in: {}",
                tokens[i.saturating_sub(8)..(i + 3).min(tokens.len())].join(" ")
            );
        }
    }
    assert!(code.contains("use :: apitable_orm as _apitable"));
    // `read_only` fields are not encoded; `skip` fields are neither decoded nor encoded.
    assert_eq!(code.matches("_p :: encode ::").count(), 2);
    assert_eq!(code.matches("_p :: decode_cell ::").count(), 3);
    assert_eq!(code.matches("_p :: finish_default ::").count(), 1);
    assert!(code.contains("impl _p :: Keyed for Task"));
    assert!(
        tokens.len() < 1100,
        "the expansion grew to {} tokens",
        tokens.len()
    );
}
