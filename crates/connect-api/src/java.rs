//! Java's text forms, where Kafka's output depends on them: `Double.toString`,
//! `Float.toString`, `BigDecimal.toString` and `String.trim`.
//!
//! The configuration (`ConfigDef.convertToString`), the data model (`Values`, `toString()` of
//! values) and the JSON converter (Jackson) all print numbers the way Java does, so they share
//! this one implementation.
//!
//! Float digits: Java 19 and later print the shortest decimal that reads back as the same value,
//! the closest such decimal, ties to an even last digit. serde_json's float formatting produces
//! exactly those digits (and fast), so they are taken from it and only the layout is changed.
//! The one extra rule of Java's algorithm (when a single digit suffices, a closer two-digit
//! decimal wins, as in `4.9E-324`) only matters for subnormal numbers and is applied here as
//! well.

use std::fmt::{self, Write as _};
use std::io;

use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::Sign;
use serde_json::ser::{CompactFormatter, Formatter};

/// Java's `String.trim()`: strips every leading and trailing character up to and including
/// U+0020 (spaces and ASCII control characters), and nothing else.
pub(crate) fn trim(text: &str) -> &str {
    text.trim_matches(|c: char| c <= ' ')
}

/// A `f64` that displays as Java's `Double.toString` does: `1.0`, `0.001`, `1.0E7`, `1.0E-4`,
/// `NaN`, `Infinity`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Double(pub(crate) f64);

impl fmt::Display for Double {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = StackText::new();
        write_f64(&mut text, self.0)?;
        f.write_str(text.as_str())
    }
}

/// A `f32` that displays as Java's `Float.toString` does.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Float(pub(crate) f32);

impl fmt::Display for Float {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = StackText::new();
        write_f32(&mut text, self.0)?;
        f.write_str(text.as_str())
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

    fn push(&mut self, bytes: &[u8]) -> fmt::Result {
        let end = self.len + bytes.len();
        let dest = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dest.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s.as_bytes())
    }
}

impl io::Write for StackText {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.push(bytes)
            .map_err(|_| io::Error::other("number text too long"))?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The decimal digits and exponent of a finite float: `d1.d2… × 10^exponent`.
struct DecimalDigits<'a> {
    negative: bool,
    digits: &'a [u8],
    exponent: i32,
}

/// Splits a float rendered by serde_json (`-1.5e-7`, `12.34`, `1e+23`) or by Rust's `{:e}`
/// (`4.9e-324`) into sign, significant digits and the exponent of the first digit.
fn split_float_text<'a>(text: &str, digits: &'a mut [u8; 40]) -> Option<DecimalDigits<'a>> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match rest.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (rest, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut len = 0;
    // Digits before the decimal point, less the leading zeros dropped so far.
    let mut point = int_part.len() as i32;
    for b in int_part.bytes().chain(frac_part.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        if len == 0 && b == b'0' {
            point -= 1;
            continue;
        }
        *digits.get_mut(len)? = b;
        len += 1;
    }
    while len > 1 && digits[len - 1] == b'0' {
        len -= 1;
    }
    if len == 0 {
        digits[0] = b'0';
        return Some(DecimalDigits {
            negative,
            digits: &digits[..1],
            exponent: 0,
        });
    }
    Some(DecimalDigits {
        negative,
        digits: &digits[..len],
        exponent: point - 1 + exponent,
    })
}

/// Writes `Double.toString(value)`; `NaN` and the infinities as Java spells them.
pub(crate) fn write_f64(out: &mut StackText, value: f64) -> fmt::Result {
    if !value.is_finite() {
        return out.push(non_finite_text(value.is_nan(), value > 0.0).as_bytes());
    }
    CompactFormatter
        .write_f64(out, value)
        .map_err(|_| fmt::Error)?;
    if (1e-3..1e7).contains(&value.abs()) && is_plain(out) {
        // serde_json writes this range as Java does: digits, a point, at least one fraction digit.
        return Ok(());
    }
    if value.is_subnormal() {
        prefer_two_digits(out, |two| two.parse::<f64>().ok() == Some(value), value)?;
    }
    relayout(out)
}

/// Writes `Float.toString(value)`; `NaN` and the infinities as Java spells them.
pub(crate) fn write_f32(out: &mut StackText, value: f32) -> fmt::Result {
    if !value.is_finite() {
        return out.push(non_finite_text(value.is_nan(), value > 0.0).as_bytes());
    }
    CompactFormatter
        .write_f32(out, value)
        .map_err(|_| fmt::Error)?;
    if (1e-3..1e7).contains(&value.abs()) && is_plain(out) {
        return Ok(());
    }
    if value.is_subnormal() {
        prefer_two_digits(out, |two| two.parse::<f32>().ok() == Some(value), value)?;
    }
    relayout(out)
}

/// Plain notation with a fraction: `12.34`, `100.0`.
fn is_plain(text: &StackText) -> bool {
    let bytes = text.as_bytes();
    bytes.contains(&b'.') && !bytes.contains(&b'e') && bytes.last() != Some(&b'.')
}

/// Rewrites the float text in `text` in Java's layout.
fn relayout(text: &mut StackText) -> fmt::Result {
    let mut digits = [0u8; 40];
    let decimal = split_float_text(text.as_str(), &mut digits).ok_or(fmt::Error)?;
    let mut out = StackText::new();
    write_decimal(&mut out, &decimal)?;
    *text = out;
    Ok(())
}

/// Java's rule for one-digit results: the closest two-digit decimal that still reads back as the
/// value wins (`4.9E-324` rather than `5E-324`).
fn prefer_two_digits(
    text: &mut StackText,
    reads_back: impl Fn(&str) -> bool,
    value: impl fmt::LowerExp,
) -> fmt::Result {
    let mut digits = [0u8; 40];
    let single = split_float_text(text.as_str(), &mut digits).is_some_and(|d| d.digits.len() == 1);
    if !single {
        return Ok(());
    }
    let mut two = StackText::new();
    write!(two, "{value:.1e}")?;
    if reads_back(two.as_str()) {
        text.clear();
        text.write_str(two.as_str())?;
    }
    Ok(())
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

/// Lays out shortest digits the way `Double.toString` does: plain notation with at least one
/// fraction digit for magnitudes in [10^-3, 10^7), computerized scientific notation otherwise.
fn write_decimal(out: &mut StackText, d: &DecimalDigits<'_>) -> fmt::Result {
    const ZEROS: &[u8; 8] = b"00000000";
    if d.negative {
        out.push(b"-")?;
    }
    let digits = d.digits;
    if (-3..7).contains(&d.exponent) {
        if d.exponent >= 0 {
            let int_len = d.exponent as usize + 1;
            if digits.len() <= int_len {
                out.push(digits)?;
                out.push(&ZEROS[..int_len - digits.len()])?;
                out.push(b".0")
            } else {
                out.push(&digits[..int_len])?;
                out.push(b".")?;
                out.push(&digits[int_len..])
            }
        } else {
            out.push(b"0.")?;
            out.push(&ZEROS[..(-d.exponent - 1) as usize])?;
            out.push(digits)
        }
    } else {
        out.push(&digits[..1])?;
        out.push(b".")?;
        out.push(if digits.len() > 1 { &digits[1..] } else { b"0" })?;
        write!(out, "E{}", d.exponent)
    }
}

/// Java's `BigDecimal.toString()`: plain notation when the scale is not negative and the
/// adjusted exponent is at least -6, scientific notation (`1E+3`, `1.5E-10`) otherwise. This is
/// also what Jackson writes for decimals in `decimal.format=NUMERIC`.
pub(crate) fn big_decimal_to_string(value: &BigDecimal) -> String {
    let (unscaled, scale) = value.as_bigint_and_exponent();
    let coefficient = unscaled.magnitude().to_string();
    let negative = unscaled.sign() == Sign::Minus;
    let mut out = String::with_capacity(coefficient.len() + 8);
    if negative {
        out.push('-');
    }
    let len = coefficient.len() as i64;
    // Java's scale is an `i32`; a wider one saturates rather than overflows.
    let adjusted = (len - 1).saturating_sub(scale);
    if scale == 0 {
        out.push_str(&coefficient);
    } else if scale > 0 && adjusted >= -6 {
        let pad = scale - len;
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
        let mut s = StackText::new();
        write_f64(&mut s, v).unwrap();
        s.as_str().to_string()
    }

    fn f32_text(v: f32) -> String {
        let mut s = StackText::new();
        write_f32(&mut s, v).unwrap();
        s.as_str().to_string()
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
    fn doubles_are_written_like_java() {
        let cases = [
            (1.0, "1.0"),
            (0.5, "0.5"),
            (-2.25, "-2.25"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (0.001, "0.001"),
            (1234567.5, "1234567.5"),
            (1e7, "1.0E7"),
            (1.5e10, "1.5E10"),
            (1e-4, "1.0E-4"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (value, expected) in cases {
            assert_eq!(Double(value).to_string(), expected, "{value}");
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
            // An exact tie between two shortest candidates goes to the even digit.
            (f32::from_bits(0x3E85_0000), "0.25976562"),
        ];
        for &(v, want) in cases {
            assert_eq!(f32_text(v), want, "{v:e}");
            assert_eq!(Float(v).to_string(), want, "{v:e}");
        }
    }

    #[test]
    fn exact_ties_go_to_the_even_digit() {
        // 600478776243158.25 lies exactly between the two shortest candidates ...158.2 and
        // ...158.3; Java 19+ (like serde_json) picks the even one, where Rust's `{:e}` rounds up.
        let tie = f64::from_bits(0x4301_110E_E139_9EB2);
        assert_eq!(Double(tie).to_string(), "6.004787762431582E14");
    }

    #[test]
    fn float_layout_from_any_rendering() {
        for text in [
            "12.34",
            "1.234e1",
            "1234e-2",
            "0.001234e4",
            "-0.0",
            "0e0",
            "1e+23",
            "0.000",
        ] {
            let mut buf = [0u8; 40];
            let d = split_float_text(text, &mut buf).unwrap();
            let mut out = StackText::new();
            write_decimal(&mut out, &d).unwrap();
            let out = out.as_str();
            let want = match text {
                "-0.0" => "-0.0",
                "0e0" | "0.000" => "0.0",
                "1e+23" => "1.0E23",
                _ => "12.34",
            };
            assert_eq!(out, want, "{text}");
        }
    }

    #[test]
    fn fast_and_general_layouts_agree() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Spread the values over the plain-notation range and its edges.
            let v = f64::from_bits(x >> 12 | 0x3F40_0000_0000_0000) * 10f64.powi((x % 12) as i32);
            let mut fast = StackText::new();
            write_f64(&mut fast, v).unwrap();
            let mut general = StackText::new();
            CompactFormatter.write_f64(&mut general, v).unwrap();
            relayout(&mut general).unwrap();
            assert_eq!(fast.as_str(), general.as_str(), "{v:e}");
            let f = v as f32;
            let mut fast = StackText::new();
            write_f32(&mut fast, f).unwrap();
            let mut general = StackText::new();
            CompactFormatter.write_f32(&mut general, f).unwrap();
            relayout(&mut general).unwrap();
            assert_eq!(fast.as_str(), general.as_str(), "{f:e}");
        }
    }

    #[test]
    fn float_text_reads_back() {
        for bits in [
            1u64,
            2,
            3,
            17,
            1 << 20,
            0x000F_FFFF_FFFF_FFFF,
            0x3FB9_9999_9999_999A,
        ] {
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
            assert_eq!(big_decimal_to_string(&d), want, "{input}");
        }
    }

    #[test]
    fn java_trim_removes_control_characters_but_not_unicode_spaces() {
        assert_eq!(trim("\u{1} a \t\n"), "a");
        assert_eq!(trim("\u{A0}a\u{A0}"), "\u{A0}a\u{A0}");
    }
}
