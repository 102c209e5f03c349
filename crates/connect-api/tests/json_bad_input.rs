//! Input the JSON converter must reject with a data error that names the problem, never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use connect_api::config::ConfigMap;
use connect_api::data::{Schema, SchemaBuilder, Value};
use connect_api::error::ConnectError;
use connect_api::header::Headers;
use connect_api::storage::Converter;
use connect_api::storage::json::JsonConverter;
use futures::executor::block_on;

fn converter(schemas_enable: bool) -> JsonConverter {
    let mut c = JsonConverter::new();
    let props: ConfigMap = [("schemas.enable".to_string(), schemas_enable.to_string())].into();
    Converter::configure(&mut c, &props, false).unwrap();
    c
}

/// Reads `input` through the `Converter` trait and returns the data error's message.
fn error_of(c: &JsonConverter, input: &[u8]) -> String {
    match block_on(c.to_connect_data("topic", &Headers::new(), Some(input))) {
        Err(ConnectError::Data(e)) => e.to_string(),
        other => panic!(
            "expected a data error for {:?}, got {other:?}",
            String::from_utf8_lossy(&input[..input.len().min(80)])
        ),
    }
}

fn assert_error(c: &JsonConverter, input: &[u8], expected_part: &str) {
    let message = error_of(c, input);
    assert!(
        message.contains(expected_part),
        "error for {:?} was {message:?}, expected it to mention {expected_part:?}",
        String::from_utf8_lossy(&input[..input.len().min(80)])
    );
}

const SERIALIZATION: &str =
    "Converting byte[] to Kafka Connect data failed due to serialization error";

#[test]
fn malformed_json() {
    for schemas in [true, false] {
        let c = converter(schemas);
        for input in [
            &b"{"[..],
            b"{\"schema\":",
            b"{\"schema\":null,\"payload\":[1,]}",
            b"{'schema':null}",
            b"[1 2]",
            b"tru",
            b"{\"a\":1} {\"b\":2}",
            b"NaN",
            b"-",
            b"01.",
            b"\"\\x\"",
        ] {
            assert_error(&c, input, SERIALIZATION);
        }
    }
    let c = converter(false);
    assert_error(&c, b"[1,]", "trailing comma");
    assert_error(&c, b"true false", "trailing characters");
    assert_error(&c, b"\"a\x01b\"", "control character");
    // Rust strings cannot hold a lone surrogate, which Java strings can.
    assert_error(&c, b"\"\\ud800\"", "hex escape");
}

#[test]
fn invalid_utf8() {
    let c = converter(false);
    assert_error(&c, b"\"caf\xc3\"", "invalid unicode code point");
    assert_error(&c, b"[\"\xff\xfe\"]", "invalid unicode code point");
    assert_error(&c, b"\xff", SERIALIZATION);
    let c = converter(true);
    assert_error(
        &c,
        b"{\"schema\":{\"type\":\"string\"},\"payload\":\"\xe2\x82\"}",
        "invalid unicode code point",
    );
    assert_error(
        &c,
        b"{\"schema\":{\"type\":\"string\",\"doc\":\"\xc0\"},\"payload\":\"x\"}",
        "invalid unicode code point",
    );
}

#[test]
fn deep_nesting_is_an_error() {
    let deep = |open: &str, close: &str, n: usize| {
        let mut s = open.repeat(n);
        s.push_str(&close.repeat(n));
        s.into_bytes()
    };
    let schemaless = converter(false);
    assert_error(
        &schemaless,
        &deep("[", "]", 100_000),
        "recursion limit exceeded",
    );
    assert_error(
        &schemaless,
        &deep("{\"a\":", "}", 100_000),
        "recursion limit exceeded",
    );
    assert_error(
        &schemaless,
        &"[".repeat(100_000).into_bytes(),
        "recursion limit exceeded",
    );

    let with = converter(true);
    let mut payload = b"{\"schema\":null,\"payload\":".to_vec();
    payload.extend(deep("[", "]", 100_000));
    payload.push(b'}');
    assert_error(&with, &payload, "recursion limit exceeded");

    // A deeply nested schema.
    let mut schema = String::from("{\"schema\":");
    for _ in 0..50_000 {
        schema.push_str("{\"type\":\"array\",\"items\":");
    }
    schema.push_str("{\"type\":\"int8\"}");
    schema.push_str(&"}".repeat(50_000));
    schema.push_str(",\"payload\":[]}");
    assert_error(&with, schema.as_bytes(), "recursion limit exceeded");

    // Deep data under a struct member that the schema does not know is skipped without
    // recursion, and read fine.
    let mut ignored =
        b"{\"schema\":{\"type\":\"struct\",\"fields\":[]},\"payload\":{\"x\":".to_vec();
    ignored.extend(deep("[", "]", 100_000));
    ignored.extend(b"}}");
    assert!(with.decode(Some(&ignored)).is_ok());

    // Writing refuses data nested beyond the limit instead of overflowing the stack.
    let mut value = Value::Null;
    for _ in 0..10_000 {
        value = Value::Array(vec![value]);
    }
    let err = schemaless.encode(None, &value).unwrap_err();
    assert!(err.to_string().contains("maximum of 100 levels"), "{err}");
    // Dropping a value that deep is the data model's business; keep the test about the
    // converter by unwinding it iteratively.
    while let Value::Array(mut items) = value {
        value = items.pop().unwrap_or(Value::Null);
    }
}

#[test]
fn huge_numbers() {
    let schemaless = converter(false);
    assert_error(
        &schemaless,
        b"123456789012345678901234567890",
        "Numeric value (123456789012345678901234567890) out of range of INT64",
    );
    assert_error(
        &schemaless,
        b"[-9223372036854775809]",
        "out of range of INT64",
    );
    assert_error(&schemaless, b"9223372036854775808", "out of range of INT64");
    assert_error(&schemaless, b"1e400", "number out of range");
    let long_fraction = format!("0.{}", "1".repeat(5_000));
    assert_error(
        &schemaless,
        long_fraction.as_bytes(),
        "exceeds the maximum allowed (1000)",
    );

    let c = converter(true);
    let with =
        |schema: &str, payload: &str| format!(r#"{{"schema":{schema},"payload":{payload}}}"#);
    assert_error(
        &c,
        with(r#"{"type":"int64"}"#, "9223372036854775808").as_bytes(),
        "out of range of INT64",
    );
    assert_error(
        &c,
        with(r#"{"type":"int32"}"#, "2147483648").as_bytes(),
        "Numeric value (2147483648) out of range of INT32",
    );
    assert_error(
        &c,
        with(r#"{"type":"int16"}"#, "-32769").as_bytes(),
        "out of range of INT16",
    );
    assert_error(
        &c,
        with(r#"{"type":"int8"}"#, "1.5").as_bytes(),
        "INT8 values should be encoded as JSON integers, but found 1.5",
    );
    assert_error(
        &c,
        with(
            r#"{"type":"int32","name":"org.apache.kafka.connect.data.Date"}"#,
            "2147483648",
        )
        .as_bytes(),
        "out of range of Date",
    );
    let decimal = r#"{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"0"}}"#;
    assert_error(
        &c,
        with(decimal, &"9".repeat(5_000)).as_bytes(),
        "Number value length (5000) exceeds the maximum allowed (1000)",
    );
    assert_error(
        &c,
        with(decimal, "1e99999999999999999999").as_bytes(),
        "Invalid number for Decimal field",
    );
    // Huge exponents are kept symbolic rather than expanded.
    let read = c
        .decode(Some(with(decimal, "1e-999999999").as_bytes()))
        .unwrap();
    assert!(read.value.to_string().len() < 100);
    // A decimal read from base64 can be written as a longer number than readers accept; Jackson
    // has the same limit.
    let digits = "7".repeat(1_100);
    let big = Value::Decimal(format!("{digits}.000").parse().unwrap());
    let schema = connect_api::data::logical::decimal_schema(3);
    let base64 = JsonConverter::new();
    let bytes = base64.encode(Some(&schema), &big).unwrap().unwrap();
    assert_eq!(base64.decode(Some(&bytes)).unwrap().value, big);
    let numeric = JsonConverter::with_config(connect_api::storage::json::JsonConverterConfig {
        decimal_format: connect_api::storage::json::DecimalFormat::Numeric,
        ..Default::default()
    });
    let bytes = numeric.encode(Some(&schema), &big).unwrap().unwrap();
    assert_error(
        &numeric,
        &bytes,
        "Number value length (1104) exceeds the maximum allowed (1000)",
    );
    // Floats beyond their range become infinite, as in Java.
    let read = c
        .decode(Some(with(r#"{"type":"float"}"#, "1e39").as_bytes()))
        .unwrap();
    assert_eq!(read.value, Value::Float32(f32::INFINITY));
}

#[test]
fn invalid_base64() {
    let c = converter(true);
    assert_error(
        &c,
        br#"{"schema":{"type":"bytes"},"payload":"!!!!"}"#,
        "Invalid bytes field",
    );
    assert_error(
        &c,
        br#"{"schema":{"type":"bytes"},"payload":"AJw"}"#,
        "Invalid bytes field",
    );
    assert_error(
        &c,
        br#"{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":"A=Jw"}"#,
        "Invalid bytes for Decimal field",
    );
    assert_error(
        &c,
        br#"{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":""}"#,
        "Invalid bytes for Decimal field",
    );
    assert_error(
        &c,
        br#"{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal"},"payload":"AJw="}"#,
        "scale parameter not found",
    );
    assert_error(
        &c,
        br#"{"schema":{"type":"struct","fields":[{"field":"b","type":"bytes"}]},"payload":{"b":"%%"}}"#,
        "payload at $.b: Invalid bytes field",
    );
}

#[test]
fn type_mismatches_name_the_place() {
    let c = converter(true);
    let schema = r#"{"type":"struct","fields":[{"field":"items","type":"array","items":{"type":"map","keys":{"type":"string"},"values":{"type":"double"}}}]}"#;
    let json = format!(r#"{{"schema":{schema},"payload":{{"items":[{{"a":1.5}},{{"b":true}}]}}}}"#);
    assert_eq!(
        error_of(&c, json.as_bytes()),
        r#"payload at $.items[1]["b"]: FLOAT64 values should be encoded as JSON numbers, but found BOOLEAN"#
    );
    let json = r#"{"schema":{"type":"float"},"payload":"fast"}"#;
    assert_eq!(
        error_of(&c, json.as_bytes()),
        "FLOAT32 values should be encoded as JSON numbers, but found STRING"
    );
    assert_eq!(
        error_of(&c, br#"{"schema":{"type":"string"},"payload":{"a":1}}"#),
        "STRING values should be encoded as JSON strings, but found OBJECT"
    );
    assert_eq!(
        error_of(
            &c,
            br#"{"schema":{"type":"array","items":{"type":"int8"}},"payload":"[]"}"#
        ),
        "Arrays should be encoded as JSON arrays, but found STRING"
    );
}

#[test]
fn bad_schemas() {
    let c = converter(true);
    let with = |schema: &str| format!(r#"{{"schema":{schema},"payload":null}}"#);
    for (schema, expected) in [
        (r#"{"type":"int7"}"#, "Unknown schema type: int7"),
        (r#"{"type":5}"#, "Schema must contain 'type' field"),
        (r#"[]"#, "Schema must contain 'type' field"),
        (r#""int8""#, "Schema must contain 'type' field"),
        (
            r#"{"type":"array","items":null}"#,
            "Array schema did not specify the element type",
        ),
        (
            r#"{"type":"struct","fields":{}}"#,
            "Struct schema's \"fields\" argument is not an array.",
        ),
        (
            r#"{"type":"struct","fields":[{"field":"a","type":"int8"},{"field":"a","type":"int8"}]}"#,
            "Cannot create field because of field name duplication a",
        ),
        (
            r#"{"type":"int8","parameters":{"p":["x"]}}"#,
            "Schema parameters must have string values.",
        ),
        (
            r#"{"type":"int8","version":4294967296}"#,
            "does not fit in a 32-bit integer",
        ),
        (
            r#"{"type":"int8","default":"7"}"#,
            "schema at $.default: INT8 values should be encoded as JSON integers",
        ),
        (
            r#"{"type":"struct","fields":[{"field":"s","type":"struct","fields":[{"field":"x","type":"int8"}],"default":{"x":"no"}}]}"#,
            "schema at $.fields[0].default.x: INT8 values should be encoded as JSON integers, but found STRING",
        ),
        (
            r#"{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","default":"AJw="}"#,
            "scale parameter not found",
        ),
    ] {
        assert_error(&c, with(schema).as_bytes(), expected);
    }
}

#[test]
fn write_errors_are_data_errors() {
    let c = converter(true);
    let mut headers = Headers::new();
    let schema = SchemaBuilder::struct_()
        .field("t", connect_api::data::logical::time_schema())
        .build()
        .unwrap();
    let value =
        connect_api::data::Struct::from_values(schema.clone(), vec![Value::Time(-1)]).unwrap();
    match block_on(c.from_connect_data("t", &mut headers, Some(&schema), &value.into())) {
        Err(ConnectError::Data(e)) => assert_eq!(
            e.to_string(),
            "value at $.t: Time values must use number of milliseconds greater than 0 and less than 86400000, got -1"
        ),
        other => panic!("{other:?}"),
    }
    match block_on(c.from_connect_data("t", &mut headers, Some(&Schema::int8()), &Value::from("x")))
    {
        Err(ConnectError::Data(e)) => assert_eq!(e.to_string(), "Invalid type for INT8: string"),
        other => panic!("{other:?}"),
    }
}
