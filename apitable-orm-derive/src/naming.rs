//! Naming rules: `rename_all`, and the names of the generated column constants.

use heck::{
    ToKebabCase, ToLowerCamelCase, ToShoutySnakeCase, ToSnakeCase, ToTitleCase, ToUpperCamelCase,
};

/// A `rename_all` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RenameRule {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    Title,
}

/// The rules as users write them.
pub(crate) const RULES: [(&str, RenameRule); 8] = [
    ("lowercase", RenameRule::Lower),
    ("UPPERCASE", RenameRule::Upper),
    ("PascalCase", RenameRule::Pascal),
    ("camelCase", RenameRule::Camel),
    ("snake_case", RenameRule::Snake),
    ("SCREAMING_SNAKE_CASE", RenameRule::ScreamingSnake),
    ("kebab-case", RenameRule::Kebab),
    ("Title Case", RenameRule::Title),
];

/// Letters and digits only, lowercased: "Title Case", "title_case" and "TitleCase" agree.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl RenameRule {
    /// The rule named `s`, or the spelling the user probably meant.
    pub(crate) fn parse(s: &str) -> Result<Self, Option<&'static str>> {
        if let Some((_, rule)) = RULES.iter().find(|(name, _)| *name == s) {
            return Ok(*rule);
        }
        let squashed = squash(s);
        Err(RULES
            .iter()
            .find(|(name, _)| squash(name) == squashed)
            .map(|(name, _)| *name))
    }

    /// `name` (a Rust field or variant name) under this rule.
    pub(crate) fn apply(self, name: &str) -> String {
        match self {
            RenameRule::Lower => name.to_lowercase(),
            RenameRule::Upper => name.to_uppercase(),
            RenameRule::Pascal => name.to_upper_camel_case(),
            RenameRule::Camel => name.to_lower_camel_case(),
            RenameRule::Snake => name.to_snake_case(),
            RenameRule::ScreamingSnake => name.to_shouty_snake_case(),
            RenameRule::Kebab => name.to_kebab_case(),
            RenameRule::Title => name.to_title_case(),
        }
    }
}

/// The list of rules, for help lines.
pub(crate) fn rule_list() -> String {
    RULES
        .iter()
        .map(|(name, _)| format!("\"{name}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The column constant of a Rust field: `estimate_hours` -> `ESTIMATE_HOURS`.
pub(crate) fn const_name(rust_name: &str) -> String {
    let name = rust_name.to_shouty_snake_case();
    if name.is_empty() {
        // `_` alone or only underscores: keep something valid and distinct.
        format!("FIELD_{}", rust_name.len())
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("F{name}")
    } else {
        name
    }
}
