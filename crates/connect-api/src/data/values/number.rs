//! Java's `BigDecimal` text and arithmetic that Kafka's `Values` relies on: parsing numbers,
//! their exact or truncated integer value, and their nearest floats.

use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::{BigInt, Sign};
use bigdecimal::num_traits::{ToPrimitive, Zero};

/// Java's `new BigDecimal(String)`: an optional sign, digits with an optional decimal point, and
/// an optional exponent; the resulting scale must fit an `i32`. No whitespace is allowed.
pub(super) fn parse_java_decimal(text: &str) -> Option<BigDecimal> {
    fn digits(bytes: &[u8], from: usize) -> usize {
        bytes[from.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    }
    let bytes = text.as_bytes();
    let (negative, mut i) = match bytes.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let integer_part = text.get(i..i + digits(bytes, i))?;
    i += integer_part.len();
    let mut fraction = "";
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        fraction = text.get(i..i + digits(bytes, i))?;
        i += fraction.len();
    }
    if integer_part.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut exponent: i64 = 0;
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        let negative_exponent = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let exponent_digits = text.get(i..i + digits(bytes, i))?;
        i += exponent_digits.len();
        let significant = exponent_digits.trim_start_matches('0');
        if exponent_digits.is_empty() || significant.len() > 10 {
            return None;
        }
        exponent = if significant.is_empty() {
            0
        } else {
            significant.parse().ok()?
        };
        if negative_exponent {
            exponent = -exponent;
        }
    }
    if i != bytes.len() {
        return None;
    }
    let scale = i64::try_from(fraction.len()).ok()? - exponent;
    if i32::try_from(scale).is_err() {
        return None;
    }
    let unscaled = BigInt::parse_bytes(format!("{integer_part}{fraction}").as_bytes(), 10)?;
    Some(BigDecimal::new(
        if negative { -unscaled } else { unscaled },
        scale,
    ))
}

/// The value of a decimal with no fractional part that fits an `i64` (Kafka's
/// `parseAsExactDecimal`), computed without materialising huge powers of ten.
pub(super) fn exact_long(decimal: &BigDecimal) -> Option<i64> {
    let (unscaled, scale) = decimal.as_bigint_and_exponent();
    if unscaled.is_zero() {
        return Some(0);
    }
    let digits = i64::try_from(decimal.digits()).ok()?;
    let integral = if scale <= 0 {
        // At least 20 digits is at least 10^19, beyond `i64::MAX`.
        if digits.saturating_sub(scale) > 19 {
            return None;
        }
        unscaled * pow10(-scale)?
    } else {
        // A non-zero value with no more digits than its scale has a fractional part.
        if scale >= digits {
            return None;
        }
        let divisor = pow10(scale)?;
        if !(&unscaled % &divisor).is_zero() {
            return None;
        }
        unscaled / divisor
    };
    integral.to_i64()
}

fn pow10(exponent: i64) -> Option<BigInt> {
    Some(bigdecimal::num_traits::pow(
        BigInt::from(10),
        usize::try_from(exponent).ok()?,
    ))
}

/// Java's `BigDecimal.longValue()`: the fraction is dropped and only the low 64 bits are kept.
pub(super) fn decimal_long_value(decimal: &BigDecimal) -> i64 {
    let (unscaled, scale) = decimal.as_bigint_and_exponent();
    let digits = i64::try_from(decimal.digits()).unwrap_or(i64::MAX);
    // The guards come first, so that no huge power of ten is ever computed.
    let integral = if scale >= digits {
        return 0; // all of it is fraction
    } else if scale > 0 {
        match pow10(scale) {
            Some(divisor) => unscaled / divisor,
            None => return 0,
        }
    } else if scale <= -64 {
        // 10^k = 2^k * 5^k: from k = 64 on, the low 64 bits are all zero.
        return 0;
    } else if scale < 0 {
        match pow10(-scale) {
            Some(factor) => unscaled * factor,
            None => return 0,
        }
    } else {
        unscaled
    };
    let low = integral.iter_u64_digits().next().unwrap_or(0);
    let low = if integral.sign() == Sign::Minus {
        low.wrapping_neg()
    } else {
        low
    };
    low as i64
}

/// Java's `BigDecimal.doubleValue()`: the nearest `f64`, infinite when out of range.
pub(super) fn decimal_to_f64(decimal: &BigDecimal) -> f64 {
    scientific_text(decimal).parse().unwrap_or(f64::NAN)
}

/// Java's `BigDecimal.floatValue()`: the nearest `f32` (rounded once, not through `f64`).
pub(super) fn decimal_to_f32(decimal: &BigDecimal) -> f32 {
    scientific_text(decimal).parse().unwrap_or(f32::NAN)
}

/// `<unscaled>e<exponent>`, which Rust's float parsing rounds correctly.
fn scientific_text(decimal: &BigDecimal) -> String {
    let (unscaled, scale) = decimal.as_bigint_and_exponent();
    format!("{unscaled}e{}", -i128::from(scale))
}
