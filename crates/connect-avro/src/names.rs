//! Avro names: splitting Connect's dotted names into namespace and name, and scrubbing
//! characters Avro does not allow, as Confluent's AvroData does.

/// Whether `name` is a valid Avro name: `[A-Za-z_][A-Za-z0-9_]*`.
pub(crate) fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Confluent's `doScrubName`: a valid name is kept; otherwise the name is URL-encoded (as
/// Java's `URLEncoder` does), given an `x` prefix if it starts with a digit, and every character
/// still not allowed becomes `_`.
pub(crate) fn scrub_name(name: &str) -> String {
    if name.is_empty() {
        return String::new();
    }
    let ok = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        return name.to_string();
    }
    let mut encoded = url_encode(name);
    if encoded.starts_with(|c: char| c.is_ascii_digit()) {
        encoded.insert(0, 'x');
    }
    encoded
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Java's `URLEncoder.encode(s, "UTF-8")`.
fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Splits a dotted full name into namespace and name, scrubbing each part when asked.
pub(crate) fn split_name(full: &str, scrub: bool) -> (Option<String>, String) {
    let fix = |part: &str| {
        if scrub {
            scrub_name(part)
        } else {
            part.to_string()
        }
    };
    match full.rsplit_once('.') {
        Some((namespace, name)) => {
            let namespace = namespace.split('.').map(fix).collect::<Vec<_>>().join(".");
            (Some(namespace), fix(name))
        }
        None => (None, fix(full)),
    }
}

/// The full name of `name` in `namespace`.
pub(crate) fn full_name(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) if !ns.is_empty() => format!("{ns}.{name}"),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubbing_matches_confluent() {
        assert_eq!(scrub_name("abc_1"), "abc_1");
        assert_eq!(scrub_name("1abc"), "x1abc");
        assert_eq!(scrub_name("a-b"), "a_b");
        assert_eq!(scrub_name("a b"), "a_b");
        assert_eq!(scrub_name("a$b"), "a_24b");
        assert_eq!(scrub_name("é"), "_C3_A9");
        assert_eq!(scrub_name(""), "");
    }

    #[test]
    fn names_split_on_the_last_dot() {
        assert_eq!(
            split_name("com.example.User", false),
            (Some("com.example".to_string()), "User".to_string())
        );
        assert_eq!(split_name("User", false), (None, "User".to_string()));
        assert_eq!(
            split_name("com.my-co.1User", true),
            (Some("com.my_co".to_string()), "x1User".to_string())
        );
        assert!(is_valid_name("_a1"));
        assert!(!is_valid_name("1a"));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("a-b"));
    }
}
