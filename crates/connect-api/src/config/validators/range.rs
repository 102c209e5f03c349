//! Numeric ranges.

use std::cmp::Ordering;
use std::fmt;

use super::{Validator, invalid_value};
use crate::config::value::ConfigValue;
use crate::error::ConfigError;
use crate::java;

/// One end of a [`Range`]: an integer or a double, written the way Kafka writes the `Number` it
/// was given (`1`, `0.5`, `1.0`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RangeBound {
    /// An integer bound, for `INT`, `SHORT` and `LONG` keys (and usable for `DOUBLE` keys).
    Integer(i64),
    /// A floating point bound.
    Double(f64),
}

impl RangeBound {
    /// Compares a numeric value with this bound, exactly for two integers and as doubles
    /// otherwise (Kafka compares `doubleValue()`s). `None` for a value that is not a number.
    fn compare(self, value: &ConfigValue) -> Option<Ordering> {
        match (value.as_integer(), self) {
            (Some(integer), RangeBound::Integer(bound)) => Some(integer.cmp(&bound)),
            _ => {
                let number = value
                    .as_double()
                    .or_else(|| value.as_integer().map(|integer| integer as f64))?;
                let bound = match self {
                    RangeBound::Integer(bound) => bound as f64,
                    RangeBound::Double(bound) => bound,
                };
                // NaN compares neither below nor above, as in Java.
                Some(number.partial_cmp(&bound).unwrap_or(Ordering::Equal))
            }
        }
    }
}

impl fmt::Display for RangeBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RangeBound::Integer(bound) => write!(f, "{bound}"),
            RangeBound::Double(bound) => write!(f, "{}", java::Double(*bound)),
        }
    }
}

impl From<i16> for RangeBound {
    fn from(bound: i16) -> Self {
        RangeBound::Integer(i64::from(bound))
    }
}

impl From<i32> for RangeBound {
    fn from(bound: i32) -> Self {
        RangeBound::Integer(i64::from(bound))
    }
}

impl From<i64> for RangeBound {
    fn from(bound: i64) -> Self {
        RangeBound::Integer(bound)
    }
}

impl From<f64> for RangeBound {
    fn from(bound: f64) -> Self {
        RangeBound::Double(bound)
    }
}

/// A number within inclusive bounds (Kafka's `ConfigDef.Range`). Null values are rejected with
/// "Value must be non-null".
///
/// ```
/// use connect_api::config::{ConfigValue, Range, Validator};
/// let range = Range::between(1, 10);
/// assert!(range.ensure_valid("tasks.max", Some(&ConfigValue::Int(10))).is_ok());
/// assert_eq!(
///     range.ensure_valid("tasks.max", Some(&ConfigValue::Int(0))).unwrap_err().to_string(),
///     "Invalid value 0 for configuration tasks.max: Value must be at least 1"
/// );
/// assert_eq!(
///     range.ensure_valid("tasks.max", Some(&ConfigValue::Int(11))).unwrap_err().to_string(),
///     "Invalid value 11 for configuration tasks.max: Value must be no more than 10"
/// );
/// assert_eq!(range.to_string(), "[1,...,10]");
/// assert_eq!(Range::at_least(0.5).to_string(), "[0.5,...]");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    min: Option<RangeBound>,
    max: Option<RangeBound>,
}

impl Range {
    /// At least `min`.
    pub fn at_least(min: impl Into<RangeBound>) -> Self {
        Self {
            min: Some(min.into()),
            max: None,
        }
    }

    /// Between `min` and `max`, both included.
    pub fn between(min: impl Into<RangeBound>, max: impl Into<RangeBound>) -> Self {
        Self {
            min: Some(min.into()),
            max: Some(max.into()),
        }
    }

    /// The lower bound, if any.
    pub fn min(&self) -> Option<RangeBound> {
        self.min
    }

    /// The upper bound, if any.
    pub fn max(&self) -> Option<RangeBound> {
        self.max
    }
}

impl Validator for Range {
    fn ensure_valid(&self, name: &str, value: Option<&ConfigValue>) -> Result<(), ConfigError> {
        let Some(number) = value else {
            return Err(invalid_value(name, None, "Value must be non-null"));
        };
        let compare = |bound: RangeBound| {
            bound
                .compare(number)
                .ok_or_else(|| invalid_value(name, value, "Value must be a number"))
        };
        if let Some(min) = self.min
            && compare(min)? == Ordering::Less
        {
            return Err(invalid_value(
                name,
                value,
                format!("Value must be at least {min}"),
            ));
        }
        if let Some(max) = self.max
            && compare(max)? == Ordering::Greater
        {
            return Err(invalid_value(
                name,
                value,
                format!("Value must be no more than {max}"),
            ));
        }
        Ok(())
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (None, None) => f.write_str("[...]"),
            (None, Some(max)) => write!(f, "[...,{max}]"),
            (Some(min), None) => write!(f, "[{min},...]"),
            (Some(min), Some(max)) => write!(f, "[{min},...,{max}]"),
        }
    }
}
