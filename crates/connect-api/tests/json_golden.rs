//! The JSON converter against the exact bytes Kafka's `JsonConverter` produces and accepts.
//!
//! Expected outputs are written as literal strings: key order, number text and escapes are part
//! of compatibility. Inputs are Kafka's own test messages (`JsonConverterTest`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::str::FromStr;

use bigdecimal::BigDecimal;
use connect_api::config::ConfigMap;
use connect_api::data::{Schema, SchemaAndValue, SchemaBuilder, Struct, Value, logical};
use connect_api::error::ConnectError;
use connect_api::header::Headers;
use connect_api::storage::json::{JsonConverter, JsonConverterConfig};
use connect_api::storage::{Converter, HeaderConverter};
use futures::executor::block_on;

fn props(pairs: &[(&str, &str)]) -> ConfigMap {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn converter(pairs: &[(&str, &str)]) -> JsonConverter {
    let mut c = JsonConverter::new();
    Converter::configure(&mut c, &props(pairs), false).unwrap();
    c
}

fn encode(c: &JsonConverter, schema: Option<&Schema>, value: impl Into<Value>) -> String {
    let bytes = c
        .encode(schema, &value.into())
        .unwrap()
        .expect("not a tombstone");
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn decode(c: &JsonConverter, json: &str) -> SchemaAndValue {
    c.decode(Some(json.as_bytes())).unwrap()
}

fn decode_err(c: &JsonConverter, json: &[u8]) -> String {
    c.decode(Some(json)).unwrap_err().to_string()
}

fn dec(s: &str) -> BigDecimal {
    BigDecimal::from_str(s).unwrap()
}

/// Writes `value`, checks the exact bytes, and reads them back to the same schema and value.
fn golden(c: &JsonConverter, schema: &Schema, value: impl Into<Value>, want: &str) {
    let value = value.into();
    let got = encode(c, Some(schema), value.clone());
    assert_eq!(got, want);
    let back = decode(c, &got);
    assert_eq!(back.schema.as_ref(), Some(schema), "schema of {want}");
    assert_eq!(back.value, value, "value of {want}");
}

#[test]
fn primitives() {
    let c = JsonConverter::new();
    let cases: Vec<(Schema, Value, &str)> = vec![
        (
            Schema::boolean(),
            true.into(),
            r#"{"schema":{"type":"boolean","optional":false},"payload":true}"#,
        ),
        (
            Schema::boolean(),
            false.into(),
            r#"{"schema":{"type":"boolean","optional":false},"payload":false}"#,
        ),
        (
            Schema::int8(),
            12i8.into(),
            r#"{"schema":{"type":"int8","optional":false},"payload":12}"#,
        ),
        (
            Schema::int16(),
            12i16.into(),
            r#"{"schema":{"type":"int16","optional":false},"payload":12}"#,
        ),
        (
            Schema::int32(),
            12i32.into(),
            r#"{"schema":{"type":"int32","optional":false},"payload":12}"#,
        ),
        (
            Schema::int32(),
            i32::MIN.into(),
            r#"{"schema":{"type":"int32","optional":false},"payload":-2147483648}"#,
        ),
        (
            Schema::int64(),
            4398046511104i64.into(),
            r#"{"schema":{"type":"int64","optional":false},"payload":4398046511104}"#,
        ),
        (
            Schema::int64(),
            i64::MAX.into(),
            r#"{"schema":{"type":"int64","optional":false},"payload":9223372036854775807}"#,
        ),
        (
            Schema::float32(),
            12.34f32.into(),
            r#"{"schema":{"type":"float","optional":false},"payload":12.34}"#,
        ),
        (
            Schema::float32(),
            f32::MAX.into(),
            r#"{"schema":{"type":"float","optional":false},"payload":3.4028235E38}"#,
        ),
        (
            Schema::float64(),
            12.34f64.into(),
            r#"{"schema":{"type":"double","optional":false},"payload":12.34}"#,
        ),
        (
            Schema::float64(),
            1.0f64.into(),
            r#"{"schema":{"type":"double","optional":false},"payload":1.0}"#,
        ),
        (
            Schema::float64(),
            1e10f64.into(),
            r#"{"schema":{"type":"double","optional":false},"payload":1.0E10}"#,
        ),
        (
            Schema::float64(),
            1e-5f64.into(),
            r#"{"schema":{"type":"double","optional":false},"payload":1.0E-5}"#,
        ),
        (
            Schema::float64(),
            (-0.0f64).into(),
            r#"{"schema":{"type":"double","optional":false},"payload":-0.0}"#,
        ),
        (
            Schema::float64(),
            0.001f64.into(),
            r#"{"schema":{"type":"double","optional":false},"payload":0.001}"#,
        ),
        (
            Schema::float64(),
            1234567.5f64.into(),
            r#"{"schema":{"type":"double","optional":false},"payload":1234567.5}"#,
        ),
        (
            Schema::float64(),
            f64::NAN.into(),
            r#"{"schema":{"type":"double","optional":false},"payload":"NaN"}"#,
        ),
        (
            Schema::float64(),
            f64::INFINITY.into(),
            r#"{"schema":{"type":"double","optional":false},"payload":"Infinity"}"#,
        ),
        (
            Schema::float32(),
            f32::NEG_INFINITY.into(),
            r#"{"schema":{"type":"float","optional":false},"payload":"-Infinity"}"#,
        ),
        (
            Schema::bytes(),
            Value::from(&b"test-string"[..]),
            r#"{"schema":{"type":"bytes","optional":false},"payload":"dGVzdC1zdHJpbmc="}"#,
        ),
        (
            Schema::bytes(),
            Value::from(&b""[..]),
            r#"{"schema":{"type":"bytes","optional":false},"payload":""}"#,
        ),
        (
            Schema::string(),
            "test-string".into(),
            r#"{"schema":{"type":"string","optional":false},"payload":"test-string"}"#,
        ),
    ];
    for (schema, value, want) in cases {
        golden(&c, &schema, value, want);
    }
}

#[test]
fn string_escapes_match_jackson() {
    let c = JsonConverter::new();
    golden(
        &c,
        &Schema::string(),
        "q\"b\\s/\u{8}\u{c}\n\r\t\u{0}\u{1f}\u{7f}é€😀",
        "{\"schema\":{\"type\":\"string\",\"optional\":false},\"payload\":\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0000\\u001F\u{7f}é€😀\"}",
    );
}

#[test]
fn containers() {
    let c = JsonConverter::new();
    let array = SchemaBuilder::array(Schema::int32()).build().unwrap();
    golden(
        &c,
        &array,
        Value::Array(vec![1.into(), 2.into(), 3.into()]),
        r#"{"schema":{"type":"array","items":{"type":"int32","optional":false},"optional":false},"payload":[1,2,3]}"#,
    );
    let string_map = SchemaBuilder::map(Schema::string(), Schema::int32())
        .build()
        .unwrap();
    golden(
        &c,
        &string_map,
        Value::Map(vec![("key1".into(), 12.into()), ("key2".into(), 15.into())]),
        r#"{"schema":{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":{"key1":12,"key2":15}}"#,
    );
    let int_map = SchemaBuilder::map(Schema::int32(), Schema::int32())
        .build()
        .unwrap();
    golden(
        &c,
        &int_map,
        Value::Map(vec![(1.into(), 12.into()), (2.into(), 15.into())]),
        r#"{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":[[1,12],[2,15]]}"#,
    );
    let int_string_map = SchemaBuilder::map(Schema::int32(), Schema::string())
        .build()
        .unwrap();
    golden(
        &c,
        &int_string_map,
        Value::Map(vec![(1.into(), "a".into())]),
        r#"{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"string","optional":false},"optional":false},"payload":[[1,"a"]]}"#,
    );
    // A null key of an optional string key schema is written as Jackson's text of null.
    let optional_keys = SchemaBuilder::map(Schema::optional_string(), Schema::int32())
        .build()
        .unwrap();
    assert_eq!(
        encode(
            &c,
            Some(&optional_keys),
            Value::Map(vec![(Value::Null, 1.into())])
        ),
        r#"{"schema":{"type":"map","keys":{"type":"string","optional":true},"values":{"type":"int32","optional":false},"optional":false},"payload":{"null":1}}"#
    );
    let schema = SchemaBuilder::struct_()
        .field("field1", Schema::boolean())
        .field("field2", Schema::string())
        .field("field3", Schema::string())
        .field("field4", Schema::boolean())
        .build()
        .unwrap();
    let value = Struct::new(schema.clone())
        .unwrap()
        .with("field1", true)
        .unwrap()
        .with("field2", "string2")
        .unwrap()
        .with("field3", "string3")
        .unwrap()
        .with("field4", false)
        .unwrap();
    golden(
        &c,
        &schema,
        value,
        concat!(
            r#"{"schema":{"type":"struct","fields":[{"type":"boolean","optional":false,"field":"field1"},"#,
            r#"{"type":"string","optional":false,"field":"field2"},{"type":"string","optional":false,"field":"field3"},"#,
            r#"{"type":"boolean","optional":false,"field":"field4"}],"optional":false},"#,
            r#""payload":{"field1":true,"field2":"string2","field3":"string3","field4":false}}"#
        ),
    );
}

#[test]
fn nested_struct_with_metadata() {
    let c = JsonConverter::new();
    let address = SchemaBuilder::struct_()
        .name("com.example.Address")
        .optional()
        .field("zip", Schema::int32())
        .build()
        .unwrap();
    let schema = SchemaBuilder::struct_()
        .name("com.example.Person")
        .version(3)
        .doc("a person")
        .parameter("b", "2")
        .parameter("a", "1")
        .field("name", Schema::string())
        .field("address", address.clone())
        .field(
            "tags",
            SchemaBuilder::array(Schema::optional_string())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let value = Struct::new(schema.clone())
        .unwrap()
        .with("name", "Ada")
        .unwrap()
        .with(
            "address",
            Struct::new(address).unwrap().with("zip", 1234).unwrap(),
        )
        .unwrap()
        .with("tags", Value::Array(vec!["x".into(), Value::Null]))
        .unwrap();
    golden(
        &c,
        &schema,
        value,
        concat!(
            r#"{"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"name"},"#,
            r#"{"type":"struct","fields":[{"type":"int32","optional":false,"field":"zip"}],"optional":true,"name":"com.example.Address","field":"address"},"#,
            r#"{"type":"array","items":{"type":"string","optional":true},"optional":false,"field":"tags"}],"#,
            r#""optional":false,"name":"com.example.Person","version":3,"doc":"a person","parameters":{"b":"2","a":"1"}},"#,
            r#""payload":{"name":"Ada","address":{"zip":1234},"tags":["x",null]}}"#
        ),
    );
}

#[test]
fn schema_metadata() {
    let c = JsonConverter::new();
    golden(
        &c,
        &Schema::optional_boolean(),
        Value::Null,
        r#"{"schema":{"type":"boolean","optional":true},"payload":null}"#,
    );
    golden(
        &c,
        &SchemaBuilder::boolean()
            .default_value(true)
            .build()
            .unwrap(),
        true,
        r#"{"schema":{"type":"boolean","optional":false,"default":true},"payload":true}"#,
    );
    golden(
        &c,
        &SchemaBuilder::boolean()
            .required()
            .name("bool")
            .version(3)
            .doc("the documentation")
            .parameter("foo", "bar")
            .build()
            .unwrap(),
        true,
        r#"{"schema":{"type":"boolean","optional":false,"name":"bool","version":3,"doc":"the documentation","parameters":{"foo":"bar"}},"payload":true}"#,
    );
}

#[test]
fn logical_types() {
    let c = JsonConverter::new();
    let decimal = |scale| {
        format!(
            r#"{{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{{"scale":"{scale}"}}}}"#
        )
    };
    golden(
        &c,
        &logical::decimal_schema(2),
        dec("1.56"),
        &format!(r#"{{"schema":{},"payload":"AJw="}}"#, decimal(2)),
    );
    golden(
        &c,
        &logical::decimal_schema(2),
        dec("-1.56"),
        &format!(r#"{{"schema":{},"payload":"/2Q="}}"#, decimal(2)),
    );
    golden(
        &c,
        &logical::date_schema(),
        Value::Date(10000),
        r#"{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1},"payload":10000}"#,
    );
    golden(
        &c,
        &logical::time_schema(),
        Value::Time(14400000),
        r#"{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Time","version":1},"payload":14400000}"#,
    );
    golden(
        &c,
        &logical::timestamp_schema(),
        Value::Timestamp(4000000000),
        r#"{"schema":{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1},"payload":4000000000}"#,
    );

    let numeric = converter(&[("decimal.format", "NUMERIC")]);
    for (scale, value, text) in [
        (2, "1.56", "1.56"),
        (4, "1.5600", "1.5600"),
        (2, "-0.05", "-0.05"),
        (17, "1.23456789123456789", "1.23456789123456789"),
        (-3, "1E+3", "1E+3"),
        (10, "0.0000000001", "1E-10"),
        (0, "12345678901234567890123", "12345678901234567890123"),
    ] {
        golden(
            &numeric,
            &logical::decimal_schema(scale),
            dec(value),
            &format!(r#"{{"schema":{},"payload":{text}}}"#, decimal(scale)),
        );
    }
}

#[test]
fn logical_defaults_are_written_as_json() {
    let c = JsonConverter::new();
    let schema = logical::decimal_builder(2)
        .optional()
        .default_value(dec("1.56"))
        .build()
        .unwrap();
    let written = encode(&c, Some(&schema), Value::Null);
    assert_eq!(
        written,
        r#"{"schema":{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"default":"AJw="},"payload":"AJw="}"#
    );
    assert_eq!(
        decode(&c, &written),
        SchemaAndValue::new(Some(schema.clone()), dec("1.56").into())
    );
    let numeric = converter(&[("decimal.format", "numeric")]);
    assert_eq!(
        encode(&numeric, Some(&schema), Value::Null),
        r#"{"schema":{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"default":1.56},"payload":1.56}"#
    );
    let ts = logical::timestamp_builder()
        .default_value(Value::Timestamp(42))
        .build()
        .unwrap();
    golden(
        &c,
        &ts,
        Value::Timestamp(7),
        r#"{"schema":{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"default":42},"payload":7}"#,
    );
}

#[test]
fn null_and_defaults() {
    let on = JsonConverter::new();
    let off = converter(&[("replace.null.with.default", "false")]);
    let schema = SchemaBuilder::string()
        .optional()
        .default_value("default")
        .build()
        .unwrap();
    assert_eq!(
        encode(&on, Some(&schema), Value::Null),
        r#"{"schema":{"type":"string","optional":true,"default":"default"},"payload":"default"}"#
    );
    assert_eq!(
        encode(&off, Some(&schema), Value::Null),
        r#"{"schema":{"type":"string","optional":true,"default":"default"},"payload":null}"#
    );
    let struct_schema = SchemaBuilder::struct_()
        .field("field1", schema.clone())
        .build()
        .unwrap();
    let empty = Struct::new(struct_schema.clone()).unwrap();
    assert_eq!(
        encode(&on, Some(&struct_schema), empty.clone()),
        r#"{"schema":{"type":"struct","fields":[{"type":"string","optional":true,"default":"default","field":"field1"}],"optional":false},"payload":{"field1":"default"}}"#
    );
    assert_eq!(
        encode(&off, Some(&struct_schema), empty.clone()),
        r#"{"schema":{"type":"struct","fields":[{"type":"string","optional":true,"default":"default","field":"field1"}],"optional":false},"payload":{"field1":null}}"#
    );

    // Reading: a null payload or field takes the default only when configured to.
    let null_payload =
        r#"{"schema":{"type":"string","optional":true,"default":"default"},"payload":null}"#;
    assert_eq!(decode(&on, null_payload).value, Value::from("default"));
    assert_eq!(decode(&off, null_payload).value, Value::Null);
    let null_field = r#"{"schema":{"type":"struct","fields":[{"field":"field1","type":"string","optional":true,"default":"default"}],"optional":false},"payload":{"field1":null}}"#;
    let with_default = empty.clone().with("field1", "default").unwrap();
    assert_eq!(decode(&on, null_field).value, Value::Struct(with_default));
    assert_eq!(decode(&off, null_field).value, Value::Struct(empty));

    // A required schema without default cannot hold null.
    let err = on.encode(Some(&Schema::int32()), &Value::Null).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Conversion error: null value for field that is required and has no default value"
    );
    let err = decode_err(&on, br#"{"schema":{"type":"int32"},"payload":null}"#);
    assert_eq!(err, "Invalid null value for required INT32 field");
    let err = decode_err(
        &on,
        br#"{"schema":{"type":"struct","fields":[{"field":"a","type":"int64"}]},"payload":{}}"#,
    );
    assert_eq!(
        err,
        "payload at $.a: Invalid null value for required INT64 field"
    );
}

#[test]
fn tombstones_and_schemaless_output() {
    for enabled in ["true", "false"] {
        let c = converter(&[("schemas.enable", enabled)]);
        assert_eq!(c.encode(None, &Value::Null).unwrap(), None);
        assert_eq!(c.decode(None).unwrap(), SchemaAndValue::NULL);
    }
    let with = JsonConverter::new();
    assert_eq!(
        encode(&with, None, true),
        r#"{"schema":null,"payload":true}"#
    );
    assert_eq!(
        encode(
            &with,
            None,
            Value::Array(vec![1.into(), "string".into(), true.into()])
        ),
        r#"{"schema":null,"payload":[1,"string",true]}"#
    );
    assert_eq!(
        encode(
            &with,
            None,
            Value::Map(vec![
                ("string".into(), 12.into()),
                (52.into(), "string".into()),
                (false.into(), true.into())
            ])
        ),
        r#"{"schema":null,"payload":[["string",12],[52,"string"],[false,true]]}"#
    );

    let without = converter(&[("schemas.enable", "false")]);
    assert_eq!(encode(&without, None, true), "true");
    assert_eq!(
        encode(
            &without,
            None,
            Value::Map(vec![
                ("key1".into(), 12.into()),
                ("key2".into(), 2.5f64.into()),
                ("key3".into(), Value::Null)
            ])
        ),
        r#"{"key1":12,"key2":2.5,"key3":null}"#
    );
    // A null with an optional schema is JSON null, not a tombstone.
    assert_eq!(
        encode(&without, Some(&Schema::optional_int32()), Value::Null),
        "null"
    );
    assert_eq!(encode(&without, Some(&Schema::int32()), 5), "5");
}

#[test]
fn kafka_inputs() {
    let c = JsonConverter::new();
    let cases: Vec<(&str, Option<Schema>, Value)> = vec![
        (
            r#"{ "schema": { "type": "boolean" }, "payload": true }"#,
            Some(Schema::boolean()),
            true.into(),
        ),
        (
            r#"{ "schema": { "type": "boolean", "optional": true }, "payload": null }"#,
            Some(Schema::optional_boolean()),
            Value::Null,
        ),
        (
            r#"{ "schema": { "type": "boolean", "default": true }, "payload": null }"#,
            Some(
                SchemaBuilder::boolean()
                    .default_value(true)
                    .build()
                    .unwrap(),
            ),
            true.into(),
        ),
        (
            r#"{ "schema": { "type": "boolean", "optional": false, "name": "bool", "version": 2, "doc": "the documentation", "parameters": { "foo": "bar" }}, "payload": true }"#,
            Some(
                SchemaBuilder::boolean()
                    .name("bool")
                    .version(2)
                    .doc("the documentation")
                    .parameter("foo", "bar")
                    .build()
                    .unwrap(),
            ),
            true.into(),
        ),
        (
            r#"{ "schema": { "type": "int8" }, "payload": 0012 }"#,
            Some(Schema::int8()),
            12i8.into(),
        ),
        (
            r#"{ "schema": { "type": "int16" }, "payload": 000123 }"#,
            Some(Schema::int16()),
            123i16.into(),
        ),
        (
            r#"{ "schema": { "type": "int32" }, "payload": 000012345 }"#,
            Some(Schema::int32()),
            12345i32.into(),
        ),
        (
            r#"{ "schema": { "type": "int64" }, "payload": 00000123456789 }"#,
            Some(Schema::int64()),
            123456789i64.into(),
        ),
        (
            r#"{ "schema": { "type": "float" }, "payload": 12.34 }"#,
            Some(Schema::float32()),
            12.34f32.into(),
        ),
        (
            r#"{ "schema": { "type": "double" }, "payload": 12.34 }"#,
            Some(Schema::float64()),
            12.34f64.into(),
        ),
        (
            r#"{ "schema": { "type": "double" }, "payload": 12 }"#,
            Some(Schema::float64()),
            12.0f64.into(),
        ),
        (
            r#"{ "schema": { "type": "bytes" }, "payload": "dGVzdC1zdHJpbmc=" }"#,
            Some(Schema::bytes()),
            Value::from(&b"test-string"[..]),
        ),
        (
            r#"{ "schema": { "type": "string" }, "payload": "foo-bar-baz" }"#,
            Some(Schema::string()),
            "foo-bar-baz".into(),
        ),
        (
            r#"{ "schema": { "type": "array", "items": { "type" : "int32" } }, "payload": [1, 2, 3] }"#,
            Some(SchemaBuilder::array(Schema::int32()).build().unwrap()),
            Value::Array(vec![1.into(), 2.into(), 3.into()]),
        ),
        (
            r#"{ "schema": { "type": "map", "keys": { "type" : "string" }, "values": { "type" : "int32" } }, "payload": { "key1": 12, "key2": 15} }"#,
            Some(
                SchemaBuilder::map(Schema::string(), Schema::int32())
                    .build()
                    .unwrap(),
            ),
            Value::Map(vec![("key2".into(), 15.into()), ("key1".into(), 12.into())]),
        ),
        (
            r#"{ "schema": { "type": "map", "keys": { "type" : "int32" }, "values": { "type" : "int32" } }, "payload": [ [1, 12], [2, 15] ] }"#,
            Some(
                SchemaBuilder::map(Schema::int32(), Schema::int32())
                    .build()
                    .unwrap(),
            ),
            Value::Map(vec![(1.into(), 12.into()), (2.into(), 15.into())]),
        ),
        (
            r#"{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": { "scale": "2" } }, "payload": "AJw=" }"#,
            Some(logical::decimal_schema(2)),
            dec("1.56").into(),
        ),
        (
            r#"{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": { "scale": "2" } }, "payload": 1.56 }"#,
            Some(logical::decimal_schema(2)),
            dec("1.56").into(),
        ),
        (
            r#"{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": { "scale": "4" } }, "payload": 1.5600 }"#,
            Some(logical::decimal_schema(4)),
            dec("1.5600").into(),
        ),
        (
            r#"{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": { "scale": "17" } }, "payload": 1.23456789123456789 }"#,
            Some(logical::decimal_schema(17)),
            dec("1.23456789123456789").into(),
        ),
        (
            r#"{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "default": "AJw=", "parameters": { "scale": "2" } }, "payload": null }"#,
            Some(
                logical::decimal_builder(2)
                    .default_value(dec("1.56"))
                    .build()
                    .unwrap(),
            ),
            dec("1.56").into(),
        ),
        (
            r#"{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Date", "version": 1 }, "payload": 10000 }"#,
            Some(logical::date_schema()),
            Value::Date(10000),
        ),
        (
            r#"{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Date", "version": 1, "optional": true, "default": 0 }, "payload": null }"#,
            Some(
                logical::date_builder()
                    .optional()
                    .default_value(Value::Date(0))
                    .build()
                    .unwrap(),
            ),
            Value::Date(0),
        ),
        (
            r#"{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Time", "version": 1 }, "payload": 14400000 }"#,
            Some(logical::time_schema()),
            Value::Time(14400000),
        ),
        (
            r#"{ "schema": { "type": "int64", "name": "org.apache.kafka.connect.data.Timestamp", "version": 1 }, "payload": 4000000000 }"#,
            Some(logical::timestamp_schema()),
            Value::Timestamp(4000000000),
        ),
        (
            r#"{ "schema": { "type": "int64", "name": "org.apache.kafka.connect.data.Timestamp", "version": 1,  "optional": true, "default": 42 }, "payload": null }"#,
            Some(
                logical::timestamp_builder()
                    .optional()
                    .default_value(Value::Timestamp(42))
                    .build()
                    .unwrap(),
            ),
            Value::Timestamp(42),
        ),
        (r#"{ "schema": null, "payload": null }"#, None, Value::Null),
        (r#"{ "schema": null, "payload": true }"#, None, true.into()),
        (r#"{ "schema": null, "payload": 12 }"#, None, 12i64.into()),
        (
            r#"{ "schema": null, "payload": 12.24 }"#,
            None,
            12.24f64.into(),
        ),
        (
            r#"{ "schema": null, "payload": "a string" }"#,
            None,
            "a string".into(),
        ),
        (
            r#"{ "schema": null, "payload": [1, "2", 3] }"#,
            None,
            Value::Array(vec![1i64.into(), "2".into(), 3i64.into()]),
        ),
        (
            r#"{ "schema": null, "payload": { "field1": 1, "field2": 2} }"#,
            None,
            Value::Map(vec![
                ("field1".into(), 1i64.into()),
                ("field2".into(), 2i64.into()),
            ]),
        ),
        // Members may come in any order.
        (
            r#"{"payload":5,"schema":{"type":"int8"}}"#,
            Some(Schema::int8()),
            5i8.into(),
        ),
        (
            r#"{"payload":[1.5],"schema":null}"#,
            None,
            Value::Array(vec![1.5f64.into()]),
        ),
    ];
    for (json, schema, value) in cases {
        assert_eq!(
            decode(&c, json),
            SchemaAndValue::new(schema, value),
            "{json}"
        );
    }
    let struct_json = r#"{ "schema": { "type": "struct", "fields": [{ "field": "field1", "type": "boolean" }, { "field": "field2", "type": "string" }] }, "payload": { "field1": true, "field2": "string" } }"#;
    let schema = SchemaBuilder::struct_()
        .field("field1", Schema::boolean())
        .field("field2", Schema::string())
        .build()
        .unwrap();
    let value = Struct::new(schema.clone())
        .unwrap()
        .with("field1", true)
        .unwrap()
        .with("field2", "string")
        .unwrap();
    assert_eq!(
        decode(&c, struct_json),
        SchemaAndValue::new(Some(schema), value.into())
    );
}

#[test]
fn schemaless_reading() {
    let c = converter(&[("schemas.enable", "false")]);
    assert_eq!(decode(&c, "true"), SchemaAndValue::new(None, true.into()));
    assert_eq!(c.decode(Some(b"")).unwrap(), SchemaAndValue::NULL);
    assert_eq!(decode(&c, "null"), SchemaAndValue::NULL);
    assert_eq!(
        decode(&c, r#"{ "a": "", "b": null}"#).value,
        Value::Map(vec![("a".into(), "".into()), ("b".into(), Value::Null)])
    );
    // Integral numbers are INT64 and exact; others FLOAT64 and correctly rounded.
    assert_eq!(
        decode(&c, "[0, -0, 007, 9223372036854775807, -9223372036854775808, 1e2, 1.0, 0.30000000000000004, 2.2250738585072011e-308]").value,
        Value::Array(vec![
            0i64.into(),
            0i64.into(),
            7i64.into(),
            i64::MAX.into(),
            i64::MIN.into(),
            100.0f64.into(),
            1.0f64.into(),
            (0.1f64 + 0.2).into(),
            Value::Float64("2.2250738585072011e-308".parse().unwrap()),
        ])
    );
    // Repeated keys keep the last value, as in a Java map.
    assert_eq!(
        decode(&c, r#"{"a":1,"b":2,"a":3}"#).value,
        Value::Map(vec![("a".into(), 3i64.into()), ("b".into(), 2i64.into())])
    );
    // Member order is kept.
    let Value::Map(entries) = decode(&c, r#"{"z":1,"y":2,"x":3}"#).value else {
        panic!("not a map")
    };
    let keys: Vec<_> = entries.iter().map(|(k, _)| k.to_string()).collect();
    assert_eq!(keys, ["z", "y", "x"]);
}

#[test]
fn envelope_errors() {
    let c = JsonConverter::new();
    let envelope = "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.";
    for input in [
        &br#"{"payload":1}"#[..],
        br#"{"schema":null}"#,
        br#"{"schema":null,"payload":1,"extra":1}"#,
        br#"{"schema":null,"payload":1,"payload":2}"#,
        br#"{}"#,
        br#"[1,2]"#,
        br#"1"#,
        br#""text""#,
        br#"null"#,
        br#"true"#,
        b"",
        b"  \n",
    ] {
        let err = c.decode(Some(input)).unwrap_err();
        assert_eq!(
            err.to_string(),
            envelope,
            "{}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn type_mismatch_errors() {
    let c = JsonConverter::new();
    let err =
        |schema: &Schema, value: Value| c.encode(Some(schema), &value).unwrap_err().to_string();
    assert_eq!(
        err(&Schema::float64(), true.into()),
        "Invalid type for FLOAT64: boolean"
    );
    assert_eq!(
        err(&Schema::int32(), 1i64.into()),
        "Invalid type for INT32: int64"
    );
    assert_eq!(
        err(&logical::decimal_schema(2), 1i32.into()),
        "Invalid type for Decimal, expected decimal but was int32"
    );
    assert_eq!(
        err(&logical::date_schema(), 1i32.into()),
        "Invalid type for Date, expected date but was int32"
    );
    let other = SchemaBuilder::struct_()
        .field("a", Schema::int8())
        .build()
        .unwrap();
    let schema = SchemaBuilder::struct_()
        .field("b", Schema::int8())
        .build()
        .unwrap();
    assert_eq!(
        err(&schema, Struct::new(other).unwrap().into()),
        "Mismatching schema."
    );
    let nested = SchemaBuilder::struct_()
        .field("xs", SchemaBuilder::array(Schema::int32()).build().unwrap())
        .build()
        .unwrap();
    assert_eq!(
        c.encode(None, &Value::Decimal(dec("1.56")))
            .unwrap_err()
            .to_string(),
        "A decimal value does not have a corresponding schema type and cannot be converted without a schema."
    );
    assert!(
        c.encode(None, &Value::Struct(Struct::new(nested).unwrap()))
            .unwrap_err()
            .to_string()
            .starts_with("Mismatching schema.")
    );
    // With a path where the problem is nested.
    let map_schema = SchemaBuilder::map(
        Schema::string(),
        SchemaBuilder::array(Schema::int32()).build().unwrap(),
    )
    .build()
    .unwrap();
    let value = Value::Map(vec![("k".into(), Value::Array(vec![1.into(), "x".into()]))]);
    assert_eq!(
        c.encode(Some(&map_schema), &value).unwrap_err().to_string(),
        "value at $[\"k\"][1]: Invalid type for INT32: string"
    );

    let read = |json: &str| decode_err(&c, json.as_bytes());
    assert_eq!(
        read(r#"{"schema":{"type":"int32"},"payload":"x"}"#),
        "INT32 values should be encoded as JSON integers, but found STRING"
    );
    assert_eq!(
        read(r#"{"schema":{"type":"int8"},"payload":300}"#),
        "Numeric value (300) out of range of INT8"
    );
    assert_eq!(
        read(r#"{"schema":{"type":"boolean"},"payload":1}"#),
        "BOOLEAN values should be encoded as JSON booleans, but found NUMBER"
    );
    assert_eq!(
        read(r#"{"schema":{"type":"struct","fields":[]},"payload":[]}"#),
        "Structs should be encoded as JSON objects, but found ARRAY"
    );
    assert_eq!(
        read(
            r#"{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int8"}},"payload":[]}"#
        ),
        "Maps with string fields should be encoded as JSON objects, but found ARRAY"
    );
    assert_eq!(
        read(
            r#"{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":{}}"#
        ),
        "Maps with non-string fields should be encoded as JSON array of tuples, but found OBJECT"
    );
    assert_eq!(
        read(
            r#"{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":[[1,2,3]]}"#
        ),
        "payload at $[0]: Found invalid map entry, expected length 2 but found :3"
    );
    assert_eq!(
        read(
            r#"{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":[5]}"#
        ),
        "payload at $[0]: Found invalid map entry instead of array tuple: NUMBER"
    );
    assert_eq!(
        read(
            r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":1.5}"#
        ),
        "Invalid type for Date, underlying representation should be integer but was NUMBER"
    );
    assert_eq!(
        read(
            r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Time"},"payload":86400001}"#
        ),
        "Time values must use number of milliseconds greater than 0 and less than 86400000, got 86400001"
    );
    assert_eq!(
        read(
            r#"{"schema":{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp"},"payload":"1"}"#
        ),
        "Invalid type for Timestamp, underlying representation should be integral but was STRING"
    );
    assert_eq!(
        read(
            r#"{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":true}"#
        ),
        "Invalid type for Decimal, underlying representation should be numeric or bytes but was BOOLEAN"
    );
    assert_eq!(
        read(r#"{"schema":{"type":"x"},"payload":1}"#),
        "Unknown schema type: x"
    );
    assert_eq!(
        read(r#"{"schema":{"optional":true},"payload":1}"#),
        "Schema must contain 'type' field"
    );
}

#[test]
fn header_converter_delegates() {
    let mut c = JsonConverter::new();
    HeaderConverter::configure(&mut c, &ConfigMap::new()).unwrap();
    assert_eq!(
        c.settings().converter_type,
        connect_api::storage::ConverterType::Header
    );
    let bytes = c
        .from_connect_header("topic", "h", Some(&Schema::string()), &"test-string".into())
        .unwrap()
        .unwrap();
    assert_eq!(
        &bytes[..],
        br#"{"schema":{"type":"string","optional":false},"payload":"test-string"}"#
    );
    let back = c
        .to_connect_header(
            "topic",
            "h",
            Some(br#"{ "schema": { "type": "string" }, "payload": "foo-bar-baz" }"#),
        )
        .unwrap();
    assert_eq!(
        back,
        SchemaAndValue::new(Some(Schema::string()), "foo-bar-baz".into())
    );
    assert_eq!(
        c.to_connect_header("topic", "h", None).unwrap(),
        SchemaAndValue::NULL
    );
}

#[test]
fn converter_trait_and_configuration() {
    let mut c = JsonConverter::new();
    Converter::configure(&mut c, &props(&[("schemas.enable", "false")]), true).unwrap();
    assert_eq!(
        c.settings().converter_type,
        connect_api::storage::ConverterType::Key
    );
    let mut headers = Headers::new();
    let bytes = block_on(c.from_connect_data("t", &mut headers, None, &Value::from(5i64)))
        .unwrap()
        .unwrap();
    assert_eq!(&bytes[..], b"5");
    let back = block_on(c.to_connect_data("t", &headers, Some(&bytes))).unwrap();
    assert_eq!(back, SchemaAndValue::new(None, 5i64.into()));

    let err =
        Converter::configure(&mut c, &props(&[("decimal.format", "hex")]), false).unwrap_err();
    assert!(matches!(err, ConnectError::Config(_)));
    assert_eq!(
        err.to_string(),
        "Invalid value hex for configuration decimal.format: String must be one of (case insensitive): NUMERIC, BASE64"
    );
    let err =
        Converter::configure(&mut c, &props(&[("schemas.enable", "maybe")]), false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Invalid value maybe for configuration schemas.enable: Expected value to be either true or false"
    );
    assert!(matches!(
        block_on(c.to_connect_data("t", &headers, Some(b"{"))),
        Err(ConnectError::Data(_))
    ));
}

#[test]
fn schema_caches() {
    let c = JsonConverter::new();
    assert_eq!(c.schema_cache_sizes(), (0, 0));
    c.encode(
        Some(&SchemaBuilder::boolean().build().unwrap()),
        &true.into(),
    )
    .unwrap();
    c.encode(
        Some(&SchemaBuilder::boolean().build().unwrap()),
        &true.into(),
    )
    .unwrap();
    assert_eq!(c.schema_cache_sizes().0, 1);
    c.encode(
        Some(&SchemaBuilder::boolean().optional().build().unwrap()),
        &true.into(),
    )
    .unwrap();
    assert_eq!(c.schema_cache_sizes().0, 2);

    for json in [
        r#"{ "schema": { "type": "boolean" }, "payload": true }"#,
        r#"{ "schema": { "type": "boolean" }, "payload": true }"#,
        r#"{ "schema": { "type": "boolean", "optional": true }, "payload": true }"#,
        r#"{ "schema": { "type": "boolean", "optional": false }, "payload": true }"#,
    ] {
        decode(&c, json);
    }
    assert_eq!(c.schema_cache_sizes().1, 3);

    let small = JsonConverter::with_config(JsonConverterConfig {
        schemas_cache_size: 1,
        ..JsonConverterConfig::default()
    });
    decode(&small, r#"{"schema":{"type":"int8"},"payload":1}"#);
    decode(&small, r#"{"schema":{"type":"int16"},"payload":1}"#);
    assert_eq!(small.schema_cache_sizes().1, 1);
    let none = converter(&[("schemas.cache.size", "0")]);
    decode(&none, r#"{"schema":{"type":"int8"},"payload":1}"#);
    assert_eq!(none.schema_cache_sizes(), (0, 0));
}

#[test]
fn public_schema_translation() {
    let c = JsonConverter::new();
    let schema = SchemaBuilder::map(Schema::int64(), logical::decimal_schema(3))
        .optional()
        .build()
        .unwrap();
    let json = c.as_json_schema(&schema).unwrap();
    assert_eq!(
        json,
        r#"{"type":"map","keys":{"type":"int64","optional":false},"values":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"3"}},"optional":true}"#
    );
    assert_eq!(c.as_connect_schema(&json).unwrap(), Some(schema));
    assert_eq!(c.as_connect_schema("null").unwrap(), None);
}

/// A map holding a key twice is written as Kafka's object node holds it: the key once, at its
/// first position, with the last value.
#[test]
fn repeated_map_keys_are_written_once() {
    let c = converter(&[("schemas.enable", "false")]);
    let repeated = Value::Map(vec![
        ("a".into(), Value::Int32(1)),
        ("b".into(), Value::Int32(2)),
        ("a".into(), Value::Int32(3)),
    ]);
    let schema = SchemaBuilder::map(Schema::string(), Schema::int32())
        .build()
        .unwrap();
    assert_eq!(
        encode(&c, Some(&schema), repeated.clone()),
        r#"{"a":3,"b":2}"#
    );
    assert_eq!(encode(&c, None, repeated), r#"{"a":3,"b":2}"#);
    let int_keys = SchemaBuilder::map(Schema::int32(), Schema::string())
        .build()
        .unwrap();
    let pairs = Value::Map(vec![
        (Value::Int32(1), "x".into()),
        (Value::Int32(1), "y".into()),
    ]);
    assert_eq!(encode(&c, Some(&int_keys), pairs), r#"[[1,"y"]]"#);
}
