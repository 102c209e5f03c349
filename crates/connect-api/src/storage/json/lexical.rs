//! A tiny string-aware scan for number tokens in JSON text.
//!
//! Two things need the source text of numbers that serde_json does not hand out:
//!
//! * Jackson, as configured by Kafka, accepts numbers with leading zeros (`0012`); serde_json
//!   rejects them. When a document fails to parse, [`normalize_leading_zeros`] rewrites such
//!   numbers and the caller retries once, so valid input pays nothing.
//! * Without a schema, Kafka maps integral numbers to INT64 and others to FLOAT64, exactly.
//!   serde_json reports `-0` and integers beyond 64 bits as `f64`, and its float parsing is not
//!   always correctly rounded, so the schemaless reader looks the token up with
//!   [`number_tokens`] whenever serde_json gives it a float.
//!
//! Neither function validates JSON: they run on text serde_json has accepted or will re-check.

use std::ops::Range;

/// The byte ranges of the number tokens outside strings, in document order.
pub(crate) fn number_tokens(text: &[u8]) -> Vec<Range<usize>> {
    let mut tokens = Vec::new();
    scan(text, |range| tokens.push(range));
    tokens
}

/// `text` with leading zeros removed from every number (`0012` → `12`, `-00.5` → `-0.5`), or
/// `None` when no number has leading zeros.
pub(crate) fn normalize_leading_zeros(text: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    scan(text, |range| {
        let token = &text[range.clone()];
        let sign = usize::from(token.first() == Some(&b'-'));
        let zeros = token[sign..].iter().take_while(|&&b| b == b'0').count();
        if zeros == 0 {
            return;
        }
        // Keep one zero unless a digit follows the run of zeros.
        let next_is_digit = token.get(sign + zeros).is_some_and(u8::is_ascii_digit);
        let drop = if next_is_digit { zeros } else { zeros - 1 };
        if drop == 0 {
            return;
        }
        let buf = out.get_or_insert_with(|| Vec::with_capacity(text.len()));
        buf.extend_from_slice(&text[copied..range.start + sign]);
        copied = range.start + sign + drop;
    });
    let mut buf = out?;
    buf.extend_from_slice(&text[copied..]);
    Some(buf)
}

/// Whether a number token is integral in JSON syntax (no fraction, no exponent).
pub(crate) fn is_integral_syntax(token: &str) -> bool {
    !token.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
}

fn is_number_byte(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
}

/// Calls `found` with the range of each number token outside strings.
fn scan(text: &[u8], mut found: impl FnMut(Range<usize>)) {
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'"' => {
                i += 1;
                while i < text.len() {
                    match text[i] {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < text.len() && is_number_byte(text[i]) {
                    i += 1;
                }
                found(start..i);
            }
            _ => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(s: &str) -> Option<String> {
        normalize_leading_zeros(s.as_bytes()).map(|v| String::from_utf8(v).unwrap())
    }

    #[test]
    fn removes_leading_zeros_outside_strings() {
        assert_eq!(normalized("0012"), Some("12".into()));
        assert_eq!(
            normalized("[-007, 00.5, 000, 0e1, 00e1]"),
            Some("[-7, 0.5, 0, 0e1, 0e1]".into())
        );
        assert_eq!(
            normalized(r#"{"a\"0012":0012}"#),
            Some(r#"{"a\"0012":12}"#.into())
        );
        assert_eq!(normalized("[0, 10, 1.05, -0.0]"), None);
        assert_eq!(normalized(r#""0012""#), None);
    }

    #[test]
    fn finds_number_tokens_in_order() {
        let text = br#"{"k1":[1,-2.5e3,"x-1"],"n":null,"z":0}"#;
        let tokens: Vec<&[u8]> = number_tokens(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(tokens, vec![&b"1"[..], b"-2.5e3", b"0"]);
        assert!(is_integral_syntax("-12"));
        assert!(!is_integral_syntax("1E5"));
    }
}
