//! Identifier generators in the formats of the real server.

use rand::Rng;

const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `n` random characters from `[0-9A-Za-z]`.
pub(crate) fn alnum(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| ALNUM[rng.random_range(0..ALNUM.len())] as char)
        .collect()
}

/// `prefix` followed by `n` random alphanumerics.
pub(crate) fn with_prefix(prefix: &str, n: usize) -> String {
    format!("{prefix}{}", alnum(n))
}

/// A record id, `rec` + 10.
pub(crate) fn record() -> String {
    with_prefix("rec", 10)
}

/// A field id, `fld` + 10.
pub(crate) fn field() -> String {
    with_prefix("fld", 10)
}

/// A view id, `viw` + 10.
pub(crate) fn view() -> String {
    with_prefix("viw", 10)
}

/// A select option id, `opt` + 10.
pub(crate) fn option() -> String {
    with_prefix("opt", 10)
}

/// A datasheet id, `dst` + 15.
pub(crate) fn datasheet() -> String {
    with_prefix("dst", 15)
}

/// A space id, `spc` + 10.
pub(crate) fn space() -> String {
    with_prefix("spc", 10)
}

/// An attachment cell id, `atc` + 10.
pub(crate) fn attachment() -> String {
    with_prefix("atc", 10)
}

/// An API token, `usk` + 20.
pub(crate) fn token() -> String {
    with_prefix("usk", 20)
}

/// A node id for non-datasheet nodes (`fod…` folders and so on), prefix + 15.
pub(crate) fn node(node_type: &str) -> String {
    let prefix = match node_type {
        "Folder" => "fod",
        "Form" => "fom",
        "Dashboard" => "dsb",
        "Mirror" => "mir",
        "Automation" => "aut",
        _ => "dst",
    };
    with_prefix(prefix, 15)
}

/// A user id in uuid form (32 hex digits).
pub(crate) fn user() -> String {
    let mut rng = rand::rng();
    (0..32)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

/// A numeric unit id (as the real server's `unit` table ids: decimal strings).
pub(crate) fn unit_numeric() -> String {
    let mut rng = rand::rng();
    format!(
        "{}",
        rng.random_range(1_000_000_000_000_000u64..9_000_000_000_000_000u64)
    )
}

/// Whether `s` looks like an id with `prefix` and exactly `n` trailing alphanumerics.
pub(crate) fn looks_like(s: &str, prefix: &str, n: usize) -> bool {
    s.len() == prefix.len() + n
        && s.starts_with(prefix)
        && s[prefix.len()..].bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(looks_like(&record(), "rec", 10));
        assert!(looks_like(&field(), "fld", 10));
        assert!(looks_like(&view(), "viw", 10));
        assert!(looks_like(&option(), "opt", 10));
        assert!(looks_like(&datasheet(), "dst", 15));
        assert!(looks_like(&space(), "spc", 10));
        assert!(looks_like(&attachment(), "atc", 10));
        assert!(looks_like(&token(), "usk", 20));
    }
}
