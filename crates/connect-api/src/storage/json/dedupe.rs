//! Duplicate map keys.
//!
//! Kafka holds maps as Java maps (reading) and JSON object nodes (writing), where a repeated key
//! keeps the last value. A Connect [`Value::Map`] is a list of entries, so the reader and the
//! writer apply the same rule explicitly: the first position of a key is kept with the last
//! value given for it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use crate::data::Value;

/// Below this size a quadratic scan is cheaper than hashing.
const LINEAR_LIMIT: usize = 16;

/// Removes repeated keys, keeping each key's first position and last value.
pub(crate) fn dedupe_entries(entries: &mut Vec<(Value, Value)>) {
    if entries.len() < 2 {
        return;
    }
    if entries.len() <= LINEAR_LIMIT {
        let mut i = 1;
        while i < entries.len() {
            match entries[..i].iter().position(|(k, _)| *k == entries[i].0) {
                Some(first) => {
                    let (_, value) = entries.remove(i);
                    entries[first].1 = value;
                }
                None => i += 1,
            }
        }
        return;
    }
    let mut positions: HashMap<u64, Vec<usize>> = HashMap::with_capacity(entries.len());
    let mut kept: Vec<(Value, Value)> = Vec::with_capacity(entries.len());
    for (key, value) in entries.drain(..) {
        let bucket = positions.entry(key_hash(&key)).or_default();
        match bucket.iter().copied().find(|&p| kept[p].0 == key) {
            Some(p) => kept[p].1 = value,
            None => {
                bucket.push(kept.len());
                kept.push((key, value));
            }
        }
    }
    *entries = kept;
}

/// The entries with repeated keys removed as [`dedupe_entries`] does; borrowed, with no copy,
/// in the usual case where every key is distinct.
pub(crate) fn unique_entries(entries: &[(Value, Value)]) -> Cow<'_, [(Value, Value)]> {
    let repeated = if entries.len() <= LINEAR_LIMIT {
        entries
            .iter()
            .enumerate()
            .any(|(i, (key, _))| entries[..i].iter().any(|(k, _)| k == key))
    } else {
        let mut positions: HashMap<u64, Vec<usize>> = HashMap::with_capacity(entries.len());
        entries.iter().enumerate().any(|(i, (key, _))| {
            let bucket = positions.entry(key_hash(key)).or_default();
            let seen = bucket.iter().any(|&p| entries[p].0 == *key);
            bucket.push(i);
            seen
        })
    };
    if repeated {
        let mut owned = entries.to_vec();
        dedupe_entries(&mut owned);
        Cow::Owned(owned)
    } else {
        Cow::Borrowed(entries)
    }
}

fn key_hash(key: &Value) -> u64 {
    let mut hasher = DefaultHasher::new();
    hash_value(key, &mut hasher);
    hasher.finish()
}

/// A hash consistent with `Value`'s equality: floats by bits (all NaNs alike), maps whatever
/// their entry order, structs by their values.
fn hash_value<H: Hasher>(value: &Value, h: &mut H) {
    std::mem::discriminant(value).hash(h);
    match value {
        Value::Null => {}
        Value::Int8(v) => v.hash(h),
        Value::Int16(v) => v.hash(h),
        Value::Int32(v) | Value::Date(v) | Value::Time(v) => v.hash(h),
        Value::Int64(v) | Value::Timestamp(v) => v.hash(h),
        Value::Float32(v) => (if v.is_nan() { f32::NAN } else { *v }).to_bits().hash(h),
        Value::Float64(v) => (if v.is_nan() { f64::NAN } else { *v }).to_bits().hash(h),
        Value::Boolean(v) => v.hash(h),
        Value::String(v) => v.hash(h),
        Value::Bytes(v) => v.hash(h),
        Value::Array(items) => {
            items.len().hash(h);
            items.iter().for_each(|item| hash_value(item, h));
        }
        Value::Map(entries) => {
            let combined = entries.iter().fold(0u64, |acc, (k, v)| {
                let mut entry = DefaultHasher::new();
                hash_value(k, &mut entry);
                hash_value(v, &mut entry);
                acc.wrapping_add(entry.finish())
            });
            combined.hash(h);
        }
        Value::Struct(s) => s.values().iter().for_each(|v| hash_value(v, h)),
        Value::Decimal(d) => d.as_bigint_and_exponent().hash(h),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_value_wins_at_first_position() {
        let mut small = vec![
            ("a".into(), Value::Int64(1)),
            ("b".into(), Value::Int64(2)),
            ("a".into(), Value::Int64(3)),
        ];
        dedupe_entries(&mut small);
        assert_eq!(
            small
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<Vec<_>>(),
            vec![
                ("a".to_string(), Value::Int64(3)),
                ("b".to_string(), Value::Int64(2))
            ]
        );

        let mut large: Vec<(Value, Value)> = (0..40)
            .map(|i| (Value::Int32(i % 20), Value::Int32(i)))
            .collect();
        dedupe_entries(&mut large);
        assert_eq!(large.len(), 20);
        assert_eq!(large[3], (Value::Int32(3), Value::Int32(23)));
        let mut nans: Vec<(Value, Value)> = (0..20)
            .map(|i| (Value::Float64(f64::NAN), Value::Int32(i)))
            .collect();
        dedupe_entries(&mut nans);
        assert_eq!(nans, vec![(Value::Float64(f64::NAN), Value::Int32(19))]);
    }

    #[test]
    fn unique_entries_copies_only_when_a_key_repeats() {
        let distinct: Vec<(Value, Value)> = (0..40)
            .map(|i| (Value::Int32(i), Value::Int32(i)))
            .collect();
        assert!(matches!(unique_entries(&distinct), Cow::Borrowed(_)));
        for len in [3, 40] {
            let mut repeated = distinct[..len - 1].to_vec();
            repeated.push((Value::Int32(0), Value::Int32(-1)));
            let unique = unique_entries(&repeated);
            assert_eq!(unique.len(), len - 1);
            assert_eq!(unique[0], (Value::Int32(0), Value::Int32(-1)));
        }
    }
}
