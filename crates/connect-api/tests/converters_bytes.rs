//! `ByteArrayConverter`: Kafka's `ByteArrayConverterTest` cases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bytes::Bytes;
use connect_api::config::ConfigMap;
use connect_api::data::{Schema, SchemaAndValue, Value, logical};
use connect_api::header::Headers;
use connect_api::storage::{ByteArrayConverter, Converter, HeaderConverter};
use futures::executor::block_on;

const TOPIC: &str = "topic";
const SAMPLE: &[u8] = b"sample string";

fn write(schema: Option<&Schema>, value: &Value) -> connect_api::error::Result<Option<Bytes>> {
    let mut converter = ByteArrayConverter::new();
    Converter::configure(&mut converter, &ConfigMap::new(), false)?;
    block_on(converter.from_connect_data(TOPIC, &mut Headers::new(), schema, value))
}

#[test]
fn bytes_pass_through_with_or_without_a_bytes_schema() {
    let value = Value::from(SAMPLE.to_vec());
    assert_eq!(
        write(Some(&Schema::bytes()), &value).unwrap().as_deref(),
        Some(SAMPLE)
    );
    assert_eq!(
        write(Some(&Schema::optional_bytes()), &value)
            .unwrap()
            .as_deref(),
        Some(SAMPLE)
    );
    assert_eq!(write(None, &value).unwrap().as_deref(), Some(SAMPLE));
}

#[test]
fn null_passes_through() {
    assert_eq!(
        write(Some(&Schema::optional_bytes()), &Value::Null).unwrap(),
        None
    );
    assert_eq!(write(None, &Value::Null).unwrap(), None);
}

#[test]
fn other_schema_types_are_rejected() {
    let err = write(Some(&Schema::int32()), &Value::from(SAMPLE.to_vec())).unwrap_err();
    assert!(err.is_data());
    assert_eq!(
        err.to_string(),
        "Invalid schema type for ByteArrayConverter: INT32"
    );
}

#[test]
fn other_values_are_rejected() {
    let err = write(Some(&Schema::bytes()), &"not bytes".into()).unwrap_err();
    assert!(err.is_data());
    assert_eq!(
        err.to_string(),
        "ByteArrayConverter is not compatible with objects of type class java.lang.String"
    );
    // A Decimal schema is BYTES underneath, but its values are decimals.
    let decimal = Value::Decimal(bigdecimal::BigDecimal::from(1));
    assert_eq!(
        write(Some(&logical::decimal_schema(0)), &decimal)
            .unwrap_err()
            .to_string(),
        "ByteArrayConverter is not compatible with objects of type class java.math.BigDecimal"
    );
}

#[test]
fn reading_gives_optional_bytes() {
    let converter = ByteArrayConverter::new();
    let read = |data| block_on(converter.to_connect_data(TOPIC, &Headers::new(), data)).unwrap();
    assert_eq!(
        read(Some(SAMPLE)),
        SchemaAndValue::new(Some(Schema::optional_bytes()), SAMPLE.to_vec().into())
    );
    assert_eq!(
        read(None),
        SchemaAndValue::new(Some(Schema::optional_bytes()), Value::Null)
    );
    assert_eq!(read(Some(&[])).value, Value::from(Vec::<u8>::new()));
}

#[test]
fn as_a_header_converter() {
    let mut converter = ByteArrayConverter::new();
    HeaderConverter::configure(&mut converter, &ConfigMap::new()).unwrap();
    let value = Value::from(SAMPLE.to_vec());
    let bytes = converter
        .from_connect_header(TOPIC, "h", None, &value)
        .unwrap();
    assert_eq!(bytes.as_deref(), Some(SAMPLE));
    assert_eq!(
        converter
            .to_connect_header(TOPIC, "h", bytes.as_deref())
            .unwrap()
            .value,
        value
    );
    assert!(
        converter
            .from_connect_header(TOPIC, "h", None, &Value::Int8(1))
            .is_err()
    );
    let _ = HeaderConverter::config(&converter);
}
