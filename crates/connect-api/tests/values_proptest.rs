//! Properties of `values`: parsing never panics and always gives a value valid for its schema,
//! and the values Kafka writes as text read back as themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use connect_api::data::values::{self, convert_to_string, parse_string};
use connect_api::data::{Schema, SchemaAndValue, SchemaBuilder, Type, Value, logical};
use proptest::prelude::*;

const DAY: i64 = 86_400_000;
/// 9999-12-31, the last day with a four-digit year.
const LAST_DAY: i32 = 2_932_896;

fn text(value: &Value) -> String {
    convert_to_string(None, value).unwrap()
}

/// Text made of the characters the parser cares about, to reach its corners more often than
/// arbitrary strings do.
fn tricky_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("[".to_string()),
            Just("]".to_string()),
            Just("{".to_string()),
            Just("}".to_string()),
            Just(":".to_string()),
            Just(",".to_string()),
            Just("\"".to_string()),
            Just("\\".to_string()),
            Just(" ".to_string()),
            Just("null".to_string()),
            Just("true".to_string()),
            Just("-".to_string()),
            Just(".".to_string()),
            Just("e".to_string()),
            Just("T".to_string()),
            Just("Z".to_string()),
            "[0-9]{1,4}",
            "[a-z]{1,3}",
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

/// Values that `convert_to_string` can write: primitives, logical values, arrays and maps.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<i8>().prop_map(Value::Int8),
        any::<i16>().prop_map(Value::Int16),
        any::<i32>().prop_map(Value::Int32),
        any::<i64>().prop_map(Value::Int64),
        any::<f32>().prop_map(Value::Float32),
        any::<f64>().prop_map(Value::Float64),
        any::<bool>().prop_map(Value::Boolean),
        ".*".prop_map(Value::String),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(Value::from),
        any::<i32>().prop_map(Value::Date),
        any::<i32>().prop_map(Value::Time),
        any::<i64>().prop_map(Value::Timestamp),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((inner.clone(), inner), 0..4).prop_map(Value::Map),
        ]
    })
}

fn assert_well_formed(input: &str, result: &SchemaAndValue) {
    match &result.schema {
        Some(_) => assert!(result.validate().is_ok(), "{input:?} gave {result:?}"),
        None => assert!(
            matches!(result.value, Value::Null | Value::Array(_) | Value::Map(_)),
            "{input:?} gave {result:?}"
        ),
    }
}

fn smallest_integer_type(v: i64) -> Type {
    if i8::try_from(v).is_ok() {
        Type::Int8
    } else if i16::try_from(v).is_ok() {
        Type::Int16
    } else if i32::try_from(v).is_ok() {
        Type::Int32
    } else {
        Type::Int64
    }
}

proptest! {
    #[test]
    fn parsing_arbitrary_text_never_panics(input in ".*") {
        let result = parse_string(&input);
        assert_well_formed(&input, &result);
    }

    #[test]
    fn parsing_tricky_text_never_panics(input in tricky_text()) {
        let result = parse_string(&input);
        assert_well_formed(&input, &result);
        prop_assert_eq!(parse_string(&input), result);
    }

    #[test]
    fn writing_and_reading_any_value_never_panics(value in any_value()) {
        if let Some(written) = convert_to_string(None, &value) {
            let result = parse_string(&written);
            assert_well_formed(&written, &result);
        }
    }

    #[test]
    fn integers_read_back_in_the_smallest_type(v in any::<i64>()) {
        let result = parse_string(&v.to_string());
        prop_assert_eq!(result.value.as_i64(), Some(v));
        prop_assert_eq!(result.schema.map(|s| s.type_()), Some(smallest_integer_type(v)));
    }

    #[test]
    fn integers_with_a_zero_fraction_read_back_as_integers(v in any::<i32>()) {
        let result = parse_string(&format!("{v}.000"));
        prop_assert_eq!(result.value.as_i64(), Some(i64::from(v)));
    }

    #[test]
    fn doubles_round_trip_through_text(v in any::<f64>().prop_filter("finite", |v| v.is_finite())) {
        let written = text(&Value::Float64(v));
        prop_assert_eq!(values::convert_to_double(None, &written.into()).unwrap(), Some(v));
    }

    #[test]
    fn floats_round_trip_through_text(v in any::<f32>().prop_filter("finite", |v| v.is_finite())) {
        let written = text(&Value::Float32(v));
        prop_assert_eq!(values::convert_to_float(None, &written.into()).unwrap(), Some(v));
    }

    #[test]
    fn booleans_round_trip(v in any::<bool>()) {
        prop_assert_eq!(
            parse_string(&text(&Value::Boolean(v))),
            SchemaAndValue::new(Some(Schema::boolean()), Value::Boolean(v))
        );
    }

    #[test]
    fn dates_round_trip(days in 1..=LAST_DAY) {
        prop_assert_eq!(
            parse_string(&text(&Value::Date(days))),
            SchemaAndValue::new(Some(logical::date_schema()), Value::Date(days))
        );
    }

    #[test]
    fn times_round_trip(millis in 0..86_400_000i32) {
        prop_assert_eq!(
            parse_string(&text(&Value::Time(millis))),
            SchemaAndValue::new(Some(logical::time_schema()), Value::Time(millis))
        );
    }

    #[test]
    fn timestamps_round_trip(
        millis in (DAY + 1..=i64::from(LAST_DAY) * DAY + DAY - 1)
            .prop_filter("not midnight", |m| m % DAY != 0)
    ) {
        prop_assert_eq!(
            parse_string(&text(&Value::Timestamp(millis))),
            SchemaAndValue::new(Some(logical::timestamp_schema()), Value::Timestamp(millis))
        );
    }

    #[test]
    fn strings_are_written_as_they_are(s in ".*") {
        prop_assert_eq!(text(&Value::String(s.clone())), s);
    }

    #[test]
    fn integer_lists_round_trip(items in proptest::collection::vec(any::<i32>(), 1..16)) {
        let list = Value::Array(items.iter().copied().map(Value::Int32).collect());
        let back = values::convert_to_list(None, &text(&list).into()).unwrap();
        let back: Vec<_> = back.iter().map(Value::as_i64).collect();
        let expected: Vec<_> = items.iter().map(|&v| Some(i64::from(v))).collect();
        prop_assert_eq!(back, expected);
    }

    #[test]
    fn string_maps_round_trip(entries in proptest::collection::btree_map("[a-z0-9]{1,8}", "[a-zA-Z0-9_.]{1,12}", 1..8)) {
        let map = Value::Map(
            entries.iter().map(|(k, v)| (Value::from(k.as_str()), Value::from(v.as_str()))).collect(),
        );
        let expected_schema = SchemaBuilder::map(Schema::string(), Schema::string()).build().unwrap();
        prop_assert_eq!(parse_string(&text(&map)), SchemaAndValue::new(Some(expected_schema), map));
    }

    #[test]
    fn int_maps_round_trip(entries in proptest::collection::btree_map(any::<i16>(), any::<i16>(), 1..8)) {
        let map = Value::Map(
            entries.iter().map(|(&k, &v)| (Value::Int16(k), Value::Int16(v))).collect(),
        );
        let back = values::convert_to_map(None, &text(&map).into()).unwrap();
        let back: BTreeMap<_, _> = back
            .iter()
            .map(|(k, v)| (k.as_i64().unwrap(), v.as_i64().unwrap()))
            .collect();
        let expected: BTreeMap<_, _> = entries.iter().map(|(&k, &v)| (i64::from(k), i64::from(v))).collect();
        prop_assert_eq!(back, expected);
    }
}
