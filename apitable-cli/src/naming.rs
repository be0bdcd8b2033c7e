//! Rust names from APITable names: `snake_case` fields, `UpperCamelCase` types and variants,
//! keywords escaped, collisions resolved with numeric suffixes.

use std::collections::HashSet;

/// Words the 2024 edition reserves: strict and reserved keywords.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers (`r#self` is not allowed).
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate"];

/// Type names the generated code uses or imports; a generated type must not shadow them.
pub(crate) const RESERVED_TYPES: &[&str] = &[
    "Attachment",
    "Box",
    "Client",
    "Computed",
    "Err",
    "Error",
    "FieldValue",
    "Filter",
    "Keyed",
    "Member",
    "None",
    "Ok",
    "Option",
    "RecordId",
    "Result",
    "Self",
    "Some",
    "String",
    "Table",
    "Timestamp",
    "Url",
    "User",
    "Vec",
];

/// Latin letters with diacritics, as their plain ASCII spelling: a lower-case letter (or
/// `ß`) by the table in `fold_lower`, an upper-case one as the upper-case spelling of its
/// lower-case form.
fn fold(c: char) -> Option<String> {
    if let Some(ascii) = fold_lower(c) {
        return Some(ascii.to_string());
    }
    if c == 'İ' {
        // Its lower-case form is two characters, `i` and a combining dot above.
        return Some("I".to_string());
    }
    let lower = single(c.to_lowercase())?;
    // Only the letter that is the upper-case form of `lower` (not, say, the Ångström sign).
    if single(lower.to_uppercase()) != Some(c) {
        return None;
    }
    fold_lower(lower).map(str::to_ascii_uppercase)
}

/// The one character of a case mapping, `None` when it has none or more than one.
fn single(mut chars: impl Iterator<Item = char>) -> Option<char> {
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

/// Lower-case Latin letters with diacritics, and `ß`, as their plain ASCII spelling.
fn fold_lower(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' | 'ľ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ť' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        _ => return None,
    })
}

/// The ASCII words of a name: runs of letters and digits, split where the case changes
/// (`firstName`, `HTTPServer`, `Covid19Cases`). Other characters separate words.
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut ascii = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            ascii.push(c);
        } else if let Some(s) = fold(c) {
            ascii.push_str(&s);
        } else {
            ascii.push(' ');
        }
    }
    let chars: Vec<char> = ascii.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if let Some(&prev) = current.chars().last().as_ref() {
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            let boundary = c.is_ascii_uppercase()
                && (prev.is_ascii_lowercase()
                    || ((prev.is_ascii_uppercase() || prev.is_ascii_digit()) && next_lower));
            if boundary {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `snake_case` of a name, or `None` when it has no ASCII letters or digits. May start with a
/// digit.
fn snake(name: &str) -> Option<String> {
    let words = words(name);
    (!words.is_empty()).then(|| {
        words
            .iter()
            .map(|w| w.to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join("_")
    })
}

/// `UpperCamelCase` of a name, or `None` when it has no ASCII letters or digits. May start
/// with a digit.
fn upper_camel(name: &str) -> Option<String> {
    let words = words(name);
    (!words.is_empty()).then(|| {
        words
            .iter()
            .map(|w| {
                let lower = w.to_ascii_lowercase();
                let mut chars = lower.chars();
                match chars.next() {
                    Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                    None => String::new(),
                }
            })
            .collect()
    })
}

/// A name as it may appear in code: keywords become raw identifiers (`r#type`), and the
/// keywords that cannot be raw get a trailing underscore (`self_`).
pub(crate) fn escape(ident: &str) -> String {
    if NOT_RAW.contains(&ident) {
        format!("{ident}_")
    } else if KEYWORDS.contains(&ident) {
        format!("r#{ident}")
    } else {
        ident.to_owned()
    }
}

/// A set of names already taken in one namespace; [`Names::claim`] returns a free variant of
/// a wanted name (`name`, `name_2`, `name_3`, … or `Name`, `Name2`, …).
#[derive(Debug, Default)]
pub(crate) struct Names {
    taken: HashSet<String>,
}

impl Names {
    /// A namespace where `reserved` are already taken.
    pub(crate) fn with_reserved(reserved: &[&str]) -> Self {
        Names {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Takes `wanted`, or the first free name with a numeric suffix (`sep` before it).
    pub(crate) fn claim(&mut self, wanted: &str, sep: &str) -> String {
        let mut name = wanted.to_owned();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{wanted}{sep}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }
}

/// The Rust field name for an APITable field (unescaped; see [`escape`]).
pub(crate) fn field_name(name: &str, field_id: &str) -> String {
    match snake(name) {
        Some(s) if s.starts_with(|c: char| c.is_ascii_digit()) => format!("field_{s}"),
        Some(s) => s,
        None => {
            let id = field_id.strip_prefix("fld").unwrap_or(field_id);
            match snake(id) {
                Some(s) => format!("field_{}", s.replace('_', "")),
                None => "field".to_owned(),
            }
        }
    }
}

/// The Rust type name for a datasheet.
pub(crate) fn type_name(name: &str, datasheet_id: &str) -> String {
    match upper_camel(name).or_else(|| upper_camel(datasheet_id)) {
        Some(s) if s.starts_with(|c: char| c.is_ascii_digit()) => format!("Table{s}"),
        Some(s) if RESERVED_TYPES.contains(&s.as_str()) => format!("{s}Table"),
        Some(s) => s,
        None => "Datasheet".to_owned(),
    }
}

/// The `UpperCamelCase` part a field contributes to its enum's name.
pub(crate) fn type_part(name: &str, field_id: &str) -> String {
    upper_camel(name)
        .or_else(|| upper_camel(field_id))
        .unwrap_or_else(|| "Field".to_owned())
}

/// The variant name for a select option, the `index`th (from 1).
pub(crate) fn variant_name(option: &str, index: usize) -> String {
    match upper_camel(option) {
        Some(s) if s.starts_with(|c: char| c.is_ascii_digit()) => format!("Option{s}"),
        Some(s) if s == "Self" => "Self_".to_owned(),
        Some(s) => s,
        None => format!("Option{index}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The upper-case letters `fold` spells, and their spelling, as its table listed them.
    const UPPER: &[(&str, &str)] = &[
        ("ÀÁÂÃÄÅĀĂĄ", "A"),
        ("ÇĆČ", "C"),
        ("ĎĐ", "D"),
        ("ÈÉÊËĒĖĘĚ", "E"),
        ("Ğ", "G"),
        ("ÌÍÎÏĪĮİ", "I"),
        ("ŁĽ", "L"),
        ("ÑŃŇ", "N"),
        ("ÒÓÔÕÖØŌŐ", "O"),
        ("Ř", "R"),
        ("ŚŠŞ", "S"),
        ("ŤŢ", "T"),
        ("ÙÚÛÜŪŮŰŲ", "U"),
        ("ÝŸ", "Y"),
        ("ŹŻŽ", "Z"),
        ("Æ", "AE"),
        ("Œ", "OE"),
    ];

    #[test]
    fn upper_case_letters_fold_as_the_table_had_them() {
        for (letters, ascii) in UPPER {
            for c in letters.chars() {
                assert_eq!(fold(c).as_deref(), Some(*ascii), "{c}");
            }
        }
    }

    /// A char that is neither in `fold_lower`'s table nor listed in `UPPER` folds to nothing.
    #[test]
    fn no_other_char_folds() {
        let listed = |c: char| UPPER.iter().any(|(letters, _)| letters.contains(c));
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            if fold_lower(c).is_none() && !listed(c) {
                assert_eq!(fold(c), None, "{c:?}");
            }
        }
    }

    #[test]
    fn words_split_on_separators_and_case_changes() {
        assert_eq!(words("firstName"), ["first", "Name"]);
        assert_eq!(words("HTTPServer"), ["HTTP", "Server"]);
        assert_eq!(words("Covid19Cases"), ["Covid19", "Cases"]);
        assert_eq!(words("3D model"), ["3D", "model"]);
        assert_eq!(words("Price (€) / unit"), ["Price", "unit"]);
        assert_eq!(words("Café crème"), ["Cafe", "creme"]);
        assert!(words("名前 🍕").is_empty());
    }

    #[test]
    fn field_names_are_snake_case_and_safe() {
        assert_eq!(field_name("Created By", "fldA"), "created_by");
        assert_eq!(field_name("2nd course", "fldA"), "field_2nd_course");
        assert_eq!(field_name("名前", "fldAbC12"), "field_abc12");
        assert_eq!(escape(&field_name("type", "fldA")), "r#type");
        assert_eq!(escape(&field_name("Self", "fldA")), "self_");
        assert_eq!(escape(&field_name("gen", "fldA")), "r#gen");
        assert_eq!(escape(&field_name("union", "fldA")), "union");
    }

    #[test]
    fn type_and_variant_names_are_upper_camel_case() {
        assert_eq!(type_name("dish list", "dstA"), "DishList");
        assert_eq!(type_name("2024 budget", "dstA"), "Table2024Budget");
        assert_eq!(type_name("String", "dstA"), "StringTable");
        assert_eq!(type_name("菜单", "dstAbc"), "DstAbc");
        assert_eq!(variant_name("Dessert & sweets", 1), "DessertSweets");
        assert_eq!(variant_name("1", 4), "Option1");
        assert_eq!(variant_name("🍕", 4), "Option4");
        assert_eq!(variant_name("self", 1), "Self_");
    }

    #[test]
    fn claims_never_repeat_a_name() {
        let mut names = Names::with_reserved(&["id"]);
        assert_eq!(names.claim("id", "_"), "id_2");
        assert_eq!(names.claim("name", "_"), "name");
        assert_eq!(names.claim("name", "_"), "name_2");
        assert_eq!(names.claim("name", "_"), "name_3");
    }
}
