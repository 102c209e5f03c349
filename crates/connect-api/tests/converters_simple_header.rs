//! `SimpleHeaderConverter`: Kafka's `SimpleHeaderConverterTest` cases and the types headers
//! regain when read back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::str::FromStr;

use bigdecimal::BigDecimal;
use bytes::Bytes;
use connect_api::config::ConfigMap;
use connect_api::data::{Schema, SchemaAndValue, SchemaBuilder, Struct, Value, logical};
use connect_api::storage::{HeaderConverter, SimpleHeaderConverter};
use proptest::prelude::*;

const TOPIC: &str = "topic";
const HEADER: &str = "header";

fn converter() -> SimpleHeaderConverter {
    let mut converter = SimpleHeaderConverter::new();
    converter.configure(&ConfigMap::new()).unwrap();
    converter
}

fn serialize(schema: Option<&Schema>, value: &Value) -> Option<Bytes> {
    converter()
        .from_connect_header(TOPIC, HEADER, schema, value)
        .unwrap()
}

fn deserialize(data: Option<&[u8]>) -> SchemaAndValue {
    converter().to_connect_header(TOPIC, HEADER, data).unwrap()
}

fn round_trip(schema: Option<&Schema>, value: &Value) -> SchemaAndValue {
    deserialize(serialize(schema, value).as_deref())
}

/// Kafka's `assertRoundTrip`: the value and schema come back, and again from what came back.
fn assert_round_trip(schema: &Schema, value: Value) {
    let result = round_trip(Some(schema), &value);
    if value.is_null() {
        assert_eq!(serialize(Some(schema), &value), None);
        assert_eq!(result, SchemaAndValue::NULL);
        return;
    }
    assert_eq!(
        result,
        SchemaAndValue::new(Some(schema.clone()), value.clone())
    );
    let again = round_trip(result.schema.as_ref(), &result.value);
    assert_eq!(again, result);
}

fn map_schema(value: Schema) -> Schema {
    SchemaBuilder::map(Schema::string(), value).build().unwrap()
}

fn string_map() -> Value {
    Value::Map(vec![
        ("foo".into(), "123".into()),
        ("bar".into(), "baz".into()),
    ])
}

fn short_map() -> Value {
    Value::Map(vec![
        ("foo".into(), Value::Int16(12345)),
        ("bar".into(), Value::Int16(0)),
        ("baz".into(), Value::Int16(-4321)),
    ])
}

fn int_map() -> Value {
    Value::Map(vec![
        ("foo".into(), Value::Int32(1_234_567_890)),
        ("bar".into(), Value::Int32(0)),
        ("baz".into(), Value::Int32(-987_654_321)),
    ])
}

#[test]
fn null_values() {
    assert_round_trip(&Schema::string(), Value::Null);
    assert_round_trip(&Schema::optional_string(), Value::Null);
    assert_eq!(deserialize(None), SchemaAndValue::NULL);
}

#[test]
fn strings() {
    assert_round_trip(&Schema::string(), "simple".into());
    assert_round_trip(&Schema::string(), "".into());
    assert_round_trip(&Schema::string(), r#"three"blind\"mice"#.into());
    assert_round_trip(
        &Schema::string(),
        r#"string with delimiters: <>?,./\=+-!@#$%^&*(){}[]|;':"#.into(),
    );
}

#[test]
fn maps_with_string_keys() {
    assert_round_trip(&map_schema(Schema::string()), string_map());
    assert_round_trip(&map_schema(Schema::int16()), short_map());
    assert_round_trip(&map_schema(Schema::int32()), int_map());
}

#[test]
fn map_text_is_read_as_a_map() {
    for (text, schema, value) in [
        (
            "{\"foo\":\"123\",\"bar\":\"baz\"}",
            map_schema(Schema::string()),
            string_map(),
        ),
        (
            "{ \"foo\" : \"123\", \n\"bar\" : \"baz\" } ",
            map_schema(Schema::string()),
            string_map(),
        ),
        (
            "{\"foo\":12345,\"bar\":0,\"baz\":-4321}",
            map_schema(Schema::int16()),
            short_map(),
        ),
        (
            " { \"foo\" :  12345 , \"bar\" : 0,  \"baz\" : -4321 }  ",
            map_schema(Schema::int16()),
            short_map(),
        ),
        (
            "{\"foo\":1234567890,\"bar\":0,\"baz\":-987654321}",
            map_schema(Schema::int32()),
            int_map(),
        ),
        (
            " { \"foo\" :  1234567890 , \"bar\" : 0,  \"baz\" : -987654321 }  ",
            map_schema(Schema::int32()),
            int_map(),
        ),
    ] {
        let result = round_trip(Some(&Schema::string()), &text.into());
        assert_eq!(result, SchemaAndValue::new(Some(schema), value), "{text}");
    }
}

#[test]
fn lists() {
    let strings = Value::Array(vec!["foo".into(), "bar".into()]);
    assert_round_trip(
        &SchemaBuilder::array(Schema::string()).build().unwrap(),
        strings,
    );
    let ints = Value::Array(vec![
        Value::Int32(1_234_567_890),
        Value::Int32(-987_654_321),
    ]);
    assert_round_trip(
        &SchemaBuilder::array(Schema::int32()).build().unwrap(),
        ints,
    );
}

#[test]
fn mixed_and_empty_collections_come_back_without_a_schema() {
    // Kafka gives these MAP/ARRAY schemas without value schemas.
    let mixed_map = Value::Map(vec![
        ("foo".into(), "bar".into()),
        ("baz".into(), Value::Int16(3456)),
    ]);
    assert_eq!(
        round_trip(None, &mixed_map),
        SchemaAndValue::new(None, mixed_map)
    );
    let mixed_list = Value::Array(vec!["foo".into(), Value::Int16(13344)]);
    assert_eq!(
        round_trip(None, &mixed_list),
        SchemaAndValue::new(None, mixed_list)
    );
    for empty in [Value::Map(vec![]), Value::Array(vec![])] {
        assert_eq!(
            round_trip(None, &empty),
            SchemaAndValue::new(None, empty.clone())
        );
    }
}

#[test]
fn primitives_come_back_in_their_narrowest_type() {
    assert_eq!(
        round_trip(None, &Value::Int64(12345)),
        SchemaAndValue::new(Some(Schema::int16()), Value::Int16(12345))
    );
    assert_eq!(
        round_trip(None, &Value::Boolean(true)),
        SchemaAndValue::new(Some(Schema::boolean()), Value::Boolean(true))
    );
    assert_eq!(
        round_trip(None, &Value::Float64(2.5)),
        SchemaAndValue::new(Some(Schema::float32()), Value::Float32(2.5))
    );
    assert_eq!(
        round_trip(None, &Value::Decimal(BigDecimal::from_str("1.50").unwrap())),
        SchemaAndValue::new(Some(Schema::float32()), Value::Float32(1.5))
    );
    // Bytes are written in base64 and come back as that text.
    assert_eq!(
        serialize(None, &Value::Bytes(Bytes::from_static(&[1, 2, 3]))).as_deref(),
        Some(&b"AQID"[..])
    );
}

#[test]
fn temporal_values_come_back_as_themselves() {
    for (schema, value) in [
        (logical::date_schema(), Value::Date(19_753)),
        (logical::time_schema(), Value::Time(45_296_789)),
        (
            logical::timestamp_schema(),
            Value::Timestamp(1_706_704_496_789),
        ),
    ] {
        assert_round_trip(&schema, value);
    }
}

#[test]
fn structs_are_written_as_maps() {
    let schema = SchemaBuilder::struct_()
        .field("a", Schema::int32())
        .field("b", Schema::string())
        .build()
        .unwrap();
    let s = Struct::new(schema.clone())
        .unwrap()
        .with("a", 1)
        .unwrap()
        .with("b", "x")
        .unwrap();
    let bytes = serialize(Some(&schema), &Value::Struct(s)).unwrap();
    assert_eq!(&bytes[..], br#"{"a":1,"b":"x"}"#);
    assert_eq!(
        deserialize(Some(&bytes)).value,
        Value::Map(vec![("a".into(), Value::Int8(1)), ("b".into(), "x".into()),])
    );
}

#[test]
fn bytes_that_are_not_utf8_come_back_as_bytes() {
    let data = [0x66, 0xFF, 0xFE];
    assert_eq!(
        deserialize(Some(&data)),
        SchemaAndValue::new(Some(Schema::bytes()), Value::from(data.to_vec()))
    );
}

#[test]
fn version_and_config() {
    let converter = converter();
    assert_eq!(converter.version(), connect_api::VERSION);
    let _ = converter.config();
}

proptest! {
    #[test]
    fn reading_any_bytes_never_fails(data in proptest::collection::vec(any::<u8>(), 0..64)) {
        let result = converter().to_connect_header(TOPIC, HEADER, Some(&data));
        prop_assert!(result.is_ok());
    }

    #[test]
    fn string_lists_round_trip(items in proptest::collection::vec("[a-zA-Z0-9_.]{1,10}", 1..6)) {
        let list = Value::Array(items.into_iter().map(Value::String).collect());
        let schema = SchemaBuilder::array(Schema::string()).build().unwrap();
        prop_assert_eq!(round_trip(None, &list), SchemaAndValue::new(Some(schema), list));
    }
}
