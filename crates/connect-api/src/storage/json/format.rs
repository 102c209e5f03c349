//! Jackson's number and escape formatting for the JSON converter.
//!
//! Kafka's `JsonConverter` writes JSON with Jackson, which formats floating point numbers with
//! Java's `Double.toString` / `Float.toString`, decimals with `BigDecimal.toString`, and escapes
//! control characters as `\u00XX` with upper-case hex digits. serde_json differs on all three
//! (`1e10` rather than `1.0E10`, lower-case hex), so [`JavaFormatter`] overrides those parts of
//! serde_json's compact formatter to produce the same bytes as Kafka; the Java number text
//! itself comes from [`crate::java`].

use std::io;

use serde_json::ser::{CharEscape, Formatter};

use crate::java::{self, StackText};

/// serde_json's compact formatter with Jackson's number and escape formatting.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct JavaFormatter;

impl Formatter for JavaFormatter {
    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        let mut text = StackText::new();
        java::write_f32(&mut text, value).map_err(|_| io::Error::other("float formatting"))?;
        writer.write_all(text.as_bytes())
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        let mut text = StackText::new();
        java::write_f64(&mut text, value).map_err(|_| io::Error::other("float formatting"))?;
        writer.write_all(text.as_bytes())
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        char_escape: CharEscape,
    ) -> io::Result<()> {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let short = match char_escape {
            CharEscape::Quote => b'"',
            CharEscape::ReverseSolidus => b'\\',
            CharEscape::Solidus => b'/',
            CharEscape::Backspace => b'b',
            CharEscape::FormFeed => b'f',
            CharEscape::LineFeed => b'n',
            CharEscape::CarriageReturn => b'r',
            CharEscape::Tab => b't',
            CharEscape::AsciiControl(byte) => {
                let escaped = [
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 0xF)],
                ];
                return writer.write_all(&escaped);
            }
        };
        writer.write_all(&[b'\\', short])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_use_upper_case_hex() {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, JavaFormatter);
        serde::Serialize::serialize("a\u{1f}\n\t\"\\/é\u{7f}", &mut ser).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a\\u001F\\n\\t\\\"\\\\/é\u{7f}\""
        );
    }
}
