//! Java-compatible text for numbers and strings.
//!
//! Kafka's `JsonConverter` writes JSON with Jackson, which formats floating point numbers with
//! Java's `Double.toString` / `Float.toString`, decimals with `BigDecimal.toString`, and escapes
//! control characters as `\u00XX` with upper-case hex digits. serde_json differs on all three
//! (`1e10` rather than `1.0E10`, lower-case hex), so [`JavaFormatter`] overrides those parts of
//! serde_json's compact formatter to produce the same bytes as Kafka.
//!
//! Float digits: Java 19 and later print the shortest decimal that reads back as the same value,
//! choosing the closest such decimal; that is what Rust's `{:e}` formatting produces too. The one
//! extra rule of Java's algorithm (when a single digit suffices, a closer two-digit decimal wins,
//! as in `4.9E-324`) only matters for subnormal numbers and is applied here as well.

use std::fmt::{self, Write as _};
use std::io;

use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::Sign;
use serde_json::ser::{CharEscape, Formatter};

/// serde_json's compact formatter with Jackson's number and escape formatting.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct JavaFormatter;

impl Formatter for JavaFormatter {
    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        let mut text = StackText::new();
        write_java_f32(&mut text, value).map_err(|_| io::Error::other("float formatting"))?;
        writer.write_all(text.as_bytes())
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        let mut text = StackText::new();
        write_java_f64(&mut text, value).map_err(|_| io::Error::other("float formatting"))?;
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

/// A small fixed buffer for formatting one number without allocating.
pub(crate) struct StackText {
    buf: [u8; 48],
    len: usize,
}

impl StackText {
    pub(crate) fn new() -> Self {
        Self {
            buf: [0; 48],
            len: 0,
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII is ever written into the buffer.
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    fn clear(&mut self) {
        self.len = 0;
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let dest = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dest.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The decimal digits and exponent of a finite float: `value = 0.d1d2… × 10^(exponent + 1)`,
/// i.e. `d1.d2… × 10^exponent`.
struct DecimalDigits<'a> {
    negative: bool,
    digits: &'a [u8],
    exponent: i32,
}

/// Splits Rust's `{:e}` output (`-1.2345e-7`) into sign, digits and exponent.
fn parse_exponential(text: &str, digits: &mut [u8; 24]) -> Option<(bool, usize, i32)> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = rest.split_once('e')?;
    let mut len = 0;
    for b in mantissa.bytes().filter(u8::is_ascii_digit) {
        *digits.get_mut(len)? = b;
        len += 1;
    }
    Some((negative, len, exponent.parse().ok()?))
}

/// Writes `Double.toString(value)`; `NaN` and the infinities as Java spells them.
pub(crate) fn write_java_f64(out: &mut impl fmt::Write, value: f64) -> fmt::Result {
    if !value.is_finite() {
        return out.write_str(non_finite_text(value.is_nan(), value > 0.0));
    }
    let mut text = StackText::new();
    write!(text, "{value:e}")?;
    if value.is_subnormal() && single_digit(text.as_str()) {
        // Java prefers a closer two-digit decimal when one digit would do (4.9E-324, not 5E-324).
        let mut two = StackText::new();
        write!(two, "{value:.1e}")?;
        if two.as_str().parse::<f64>().ok() == Some(value) {
            text.clear();
            text.write_str(two.as_str())?;
        }
    }
    write_java_layout(out, text.as_str())
}

/// Writes `Float.toString(value)`; `NaN` and the infinities as Java spells them.
pub(crate) fn write_java_f32(out: &mut impl fmt::Write, value: f32) -> fmt::Result {
    if !value.is_finite() {
        return out.write_str(non_finite_text(value.is_nan(), value > 0.0));
    }
    let mut text = StackText::new();
    write!(text, "{value:e}")?;
    if value.is_subnormal() && single_digit(text.as_str()) {
        let mut two = StackText::new();
        write!(two, "{value:.1e}")?;
        if two.as_str().parse::<f32>().ok() == Some(value) {
            text.clear();
            text.write_str(two.as_str())?;
        }
    }
    write_java_layout(out, text.as_str())
}

/// `NaN`, `Infinity` or `-Infinity`: how Java prints non-finite numbers, and how Jackson quotes
/// them in JSON.
pub(crate) fn non_finite_text(nan: bool, positive: bool) -> &'static str {
    match (nan, positive) {
        (true, _) => "NaN",
        (false, true) => "Infinity",
        (false, false) => "-Infinity",
    }
}

fn single_digit(exponential: &str) -> bool {
    let mantissa = exponential.split('e').next().unwrap_or("");
    mantissa.bytes().filter(u8::is_ascii_digit).count() == 1
}

/// Lays out shortest digits the way `Double.toString` does: plain notation with at least one
/// fraction digit for magnitudes in [10^-3, 10^7), computerized scientific notation otherwise.
fn write_java_layout(out: &mut impl fmt::Write, exponential: &str) -> fmt::Result {
    let mut buf = [0u8; 24];
    let Some((negative, len, exponent)) = parse_exponential(exponential, &mut buf) else {
        return Err(fmt::Error);
    };
    // Drop trailing zeros ("5.0e-324" from the two-digit form), keeping at least one digit.
    let mut len = len;
    while len > 1 && buf[len - 1] == b'0' {
        len -= 1;
    }
    let decimal = DecimalDigits {
        negative,
        digits: &buf[..len],
        exponent,
    };
    write_decimal(out, &decimal)
}

fn write_digits(out: &mut impl fmt::Write, digits: &[u8]) -> fmt::Result {
    for &d in digits {
        out.write_char(char::from(d))?;
    }
    Ok(())
}

fn write_zeros(out: &mut impl fmt::Write, count: usize) -> fmt::Result {
    for _ in 0..count {
        out.write_char('0')?;
    }
    Ok(())
}

fn write_decimal(out: &mut impl fmt::Write, d: &DecimalDigits<'_>) -> fmt::Result {
    if d.negative {
        out.write_char('-')?;
    }
    let digits = d.digits;
    if (-3..7).contains(&d.exponent) {
        if d.exponent >= 0 {
            let int_len = d.exponent as usize + 1;
            if digits.len() <= int_len {
                write_digits(out, digits)?;
                write_zeros(out, int_len - digits.len())?;
                out.write_str(".0")
            } else {
                write_digits(out, &digits[..int_len])?;
                out.write_char('.')?;
                write_digits(out, &digits[int_len..])
            }
        } else {
            out.write_str("0.")?;
            write_zeros(out, (-d.exponent - 1) as usize)?;
            write_digits(out, digits)
        }
    } else {
        write_digits(out, &digits[..1])?;
        out.write_char('.')?;
        if digits.len() > 1 {
            write_digits(out, &digits[1..])?;
        } else {
            out.write_char('0')?;
        }
        write!(out, "E{}", d.exponent)
    }
}

/// `BigDecimal.toString()` in Java: plain notation when the scale is not negative and the
/// adjusted exponent is at least -6, scientific notation (`1E+3`, `1.5E-10`) otherwise. This is
/// what Jackson writes for decimals in `decimal.format=NUMERIC`.
pub(crate) fn java_big_decimal(value: &BigDecimal) -> String {
    let (unscaled, scale) = value.as_bigint_and_exponent();
    let coefficient = unscaled.magnitude().to_string();
    let negative = unscaled.sign() == Sign::Minus;
    let mut out = String::with_capacity(coefficient.len() + 8);
    if negative {
        out.push('-');
    }
    let len = coefficient.len() as i128;
    let adjusted = -i128::from(scale) + (len - 1);
    if scale == 0 {
        out.push_str(&coefficient);
    } else if scale > 0 && adjusted >= -6 {
        let pad = i128::from(scale) - len;
        if pad >= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', pad as usize));
            out.push_str(&coefficient);
        } else {
            let int_len = (-pad) as usize;
            out.push_str(&coefficient[..int_len]);
            out.push('.');
            out.push_str(&coefficient[int_len..]);
        }
    } else {
        out.push_str(&coefficient[..1]);
        if coefficient.len() > 1 {
            out.push('.');
            out.push_str(&coefficient[1..]);
        }
        if adjusted != 0 {
            out.push('E');
            if adjusted > 0 {
                out.push('+');
            }
            out.push_str(&adjusted.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn f64_text(v: f64) -> String {
        let mut s = String::new();
        write_java_f64(&mut s, v).unwrap();
        s
    }

    fn f32_text(v: f32) -> String {
        let mut s = String::new();
        write_java_f32(&mut s, v).unwrap();
        s
    }

    #[test]
    fn doubles_match_java() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (-1.5, "-1.5"),
            (12.34, "12.34"),
            (100.0, "100.0"),
            (1234567.0, "1234567.0"),
            (1e7, "1.0E7"),
            (1e10, "1.0E10"),
            (1.0e-5, "1.0E-5"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (123456.789, "123456.789"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e23, "1.0E23"),
            (f64::MAX, "1.7976931348623157E308"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
            (5e-324, "4.9E-324"),
            (1e-323, "9.9E-324"),
            (-1.25e-7, "-1.25E-7"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for &(v, want) in cases {
            assert_eq!(f64_text(v), want, "{v:e}");
        }
    }

    #[test]
    fn floats_match_java() {
        let cases: &[(f32, &str)] = &[
            (12.34, "12.34"),
            (1.0, "1.0"),
            (f32::MAX, "3.4028235E38"),
            (f32::MIN_POSITIVE, "1.1754944E-38"),
            (f32::from_bits(1), "1.4E-45"),
            (1e7, "1.0E7"),
            (0.001, "0.001"),
            (-0.0, "-0.0"),
        ];
        for &(v, want) in cases {
            assert_eq!(f32_text(v), want, "{v:e}");
        }
    }

    #[test]
    fn float_text_reads_back() {
        for bits in [1u64, 2, 3, 17, 1 << 20, 0x000F_FFFF_FFFF_FFFF, 0x3FB9_9999_9999_999A] {
            let v = f64::from_bits(bits);
            assert_eq!(f64_text(v).parse::<f64>().unwrap(), v);
        }
    }

    #[test]
    fn big_decimals_match_java() {
        let cases = [
            ("1.56", "1.56"),
            ("1.5600", "1.5600"),
            ("-1.56", "-1.56"),
            ("1E+3", "1E+3"),
            ("0.00", "0.00"),
            ("0E+3", "0E+3"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1E-7"),
            ("1.23E-10", "1.23E-10"),
            ("123", "123"),
            ("12.3E+5", "1.23E+6"),
            ("-0.05", "-0.05"),
        ];
        for (input, want) in cases {
            let d = BigDecimal::from_str(input).unwrap();
            assert_eq!(java_big_decimal(&d), want, "{input}");
        }
    }

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
