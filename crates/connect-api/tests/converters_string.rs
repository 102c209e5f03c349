//! `StringConverter`: Java `toString()` output, character sets, the encoding overrides Kafka's
//! serializers honour, and errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::str::FromStr;

use bigdecimal::BigDecimal;
use connect_api::config::ConfigMap;
use connect_api::data::{Schema, SchemaAndValue, SchemaBuilder, Struct, Value};
use connect_api::error::ConnectError;
use connect_api::header::Headers;
use connect_api::storage::{Converter, HeaderConverter, StringConverter};
use futures::executor::block_on;

const TOPIC: &str = "topic";

fn configs(entries: &[(&str, &str)]) -> ConfigMap {
    entries
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn configured(entries: &[(&str, &str)], is_key: bool) -> StringConverter {
    let mut converter = StringConverter::new();
    Converter::configure(&mut converter, &configs(entries), is_key).unwrap();
    converter
}

fn write(converter: &StringConverter, value: &Value) -> Option<Vec<u8>> {
    let mut headers = Headers::new();
    block_on(converter.from_connect_data(TOPIC, &mut headers, None, value))
        .unwrap()
        .map(|b| b.to_vec())
}

fn read(converter: &StringConverter, data: Option<&[u8]>) -> Result<SchemaAndValue, ConnectError> {
    block_on(converter.to_connect_data(TOPIC, &Headers::new(), data))
}

fn written_text(value: Value) -> String {
    String::from_utf8(write(&StringConverter::new(), &value).unwrap()).unwrap()
}

#[test]
fn strings_are_written_as_utf8() {
    let converter = configured(&[], false);
    assert_eq!(write(&converter, &"a string".into()).unwrap(), b"a string");
    assert_eq!(
        write(&converter, &"héllo ✓".into()).unwrap(),
        "héllo ✓".as_bytes()
    );
}

#[test]
fn null_is_written_as_null_and_read_as_a_null_string() {
    let converter = configured(&[], false);
    assert_eq!(write(&converter, &Value::Null), None);
    assert_eq!(
        read(&converter, None).unwrap(),
        SchemaAndValue::new(Some(Schema::optional_string()), Value::Null)
    );
}

#[test]
fn the_schema_is_ignored_on_write() {
    let converter = configured(&[], false);
    let mut headers = Headers::new();
    let written = block_on(converter.from_connect_data(
        TOPIC,
        &mut headers,
        Some(&Schema::int32()),
        &Value::Int32(42),
    ))
    .unwrap();
    assert_eq!(written.as_deref(), Some(&b"42"[..]));
}

#[test]
fn other_values_are_written_as_java_to_string() {
    assert_eq!(written_text(Value::Int32(-7)), "-7");
    assert_eq!(written_text(Value::Boolean(true)), "true");
    assert_eq!(written_text(Value::Float64(1e10)), "1.0E10");
    assert_eq!(written_text(Value::Float32(1.5)), "1.5");
    assert_eq!(
        written_text(Value::Decimal(BigDecimal::from_str("1.50").unwrap())),
        "1.50"
    );
    assert_eq!(
        written_text(Value::Array(vec![Value::Int8(1), "a".into()])),
        "[1, a]"
    );
    assert_eq!(
        written_text(Value::Map(vec![("k".into(), Value::Int64(2))])),
        "{k=2}"
    );
    assert_eq!(
        written_text(Value::Timestamp(1_706_704_496_789)),
        "Wed Jan 31 12:34:56 UTC 2024"
    );
    let schema = SchemaBuilder::struct_()
        .field("a", Schema::int32())
        .field("b", Schema::optional_string())
        .build()
        .unwrap();
    let s = Struct::new(schema).unwrap().with("a", 1).unwrap();
    assert_eq!(written_text(Value::Struct(s)), "Struct{a=1}");
}

#[test]
fn bytes_are_read_as_an_optional_string() {
    let converter = configured(&[], true);
    assert_eq!(
        read(&converter, Some("a string ✓".as_bytes())).unwrap(),
        SchemaAndValue::new(Some(Schema::optional_string()), "a string ✓".into())
    );
    assert_eq!(read(&converter, Some(b"")).unwrap().value, Value::from(""));
}

#[test]
fn invalid_utf8_is_a_data_error_naming_the_topic() {
    let err = read(&configured(&[], false), Some(&[0x66, 0xFF, 0x6F])).unwrap_err();
    assert!(err.is_data());
    assert_eq!(
        err.to_string(),
        "Failed to deserialize string: the data on topic 'topic' is not valid UTF-8"
    );
}

#[test]
fn iso_8859_1() {
    let converter = configured(&[("converter.encoding", "ISO-8859-1")], false);
    assert_eq!(write(&converter, &"é".into()).unwrap(), vec![0xE9]);
    // Characters the set cannot hold become '?', as Java's encoder does.
    assert_eq!(write(&converter, &"€1".into()).unwrap(), b"?1");
    assert_eq!(
        read(&converter, Some(&[0xE9, 0xFF])).unwrap().value,
        Value::from("éÿ")
    );
}

#[test]
fn us_ascii() {
    let converter = configured(&[("converter.encoding", "US-ASCII")], false);
    assert_eq!(write(&converter, &"aé".into()).unwrap(), b"a?");
    assert_eq!(
        read(&converter, Some(b"abc")).unwrap().value,
        Value::from("abc")
    );
    assert!(read(&converter, Some(&[0xE9])).unwrap_err().is_data());
}

#[test]
fn utf_16_variants() {
    let utf16 = configured(&[("converter.encoding", "UTF-16")], false);
    assert_eq!(
        write(&utf16, &"a€".into()).unwrap(),
        vec![0xFE, 0xFF, 0x00, 0x61, 0x20, 0xAC]
    );
    assert_eq!(
        read(&utf16, Some(&[0xFE, 0xFF, 0x00, 0x61])).unwrap().value,
        Value::from("a")
    );
    assert_eq!(
        read(&utf16, Some(&[0xFF, 0xFE, 0x61, 0x00])).unwrap().value,
        Value::from("a")
    );
    assert_eq!(
        read(&utf16, Some(&[0x00, 0x61])).unwrap().value,
        Value::from("a")
    );
    assert!(read(&utf16, Some(&[0x00])).is_err());

    let be = configured(&[("converter.encoding", "UTF-16BE")], false);
    assert_eq!(write(&be, &"a".into()).unwrap(), vec![0x00, 0x61]);
    let le = configured(&[("converter.encoding", "utf-16le")], false);
    assert_eq!(write(&le, &"a".into()).unwrap(), vec![0x61, 0x00]);
    assert_eq!(
        read(&le, Some(&[0x61, 0x00])).unwrap().value,
        Value::from("a")
    );
    // An unpaired surrogate is not text.
    assert!(read(&le, Some(&[0x00, 0xD8])).is_err());
}

#[test]
fn encoding_names_are_case_insensitive_aliases_and_trimmed() {
    for name in ["utf8", "UTF-8", " UTF-8 ", "unicode-1-1-utf-8"] {
        let converter = configured(&[("converter.encoding", name)], false);
        assert_eq!(
            write(&converter, &"é".into()).unwrap(),
            "é".as_bytes(),
            "{name}"
        );
    }
    for name in ["latin1", "ISO8859_1", "cp819"] {
        let converter = configured(&[("converter.encoding", name)], false);
        assert_eq!(
            write(&converter, &"é".into()).unwrap(),
            vec![0xE9],
            "{name}"
        );
    }
}

#[test]
fn unsupported_encodings_are_configuration_errors() {
    let mut converter = StringConverter::new();
    let err = Converter::configure(
        &mut converter,
        &configs(&[("converter.encoding", "EBCDIC-XYZ")]),
        false,
    )
    .unwrap_err();
    assert!(matches!(err, ConnectError::Config(_)));
    assert_eq!(err.to_string(), "Unsupported encoding EBCDIC-XYZ");
}

#[test]
fn serializer_specific_encodings_take_precedence() {
    let entries = [
        ("converter.encoding", "UTF-8"),
        ("value.serializer.encoding", "ISO-8859-1"),
        ("key.deserializer.encoding", "ISO-8859-1"),
    ];
    let value_converter = configured(&entries, false);
    assert_eq!(write(&value_converter, &"é".into()).unwrap(), vec![0xE9]);
    assert!(read(&value_converter, Some(&[0xE9])).is_err()); // still UTF-8 for reading
    let key_converter = configured(&entries, true);
    assert_eq!(write(&key_converter, &"é".into()).unwrap(), "é".as_bytes());
    assert_eq!(
        read(&key_converter, Some(&[0xE9])).unwrap().value,
        Value::from("é")
    );
}

#[test]
fn as_a_header_converter() {
    let mut converter = StringConverter::new();
    HeaderConverter::configure(
        &mut converter,
        &configs(&[
            ("converter.type", "header"),
            ("converter.encoding", "UTF-16BE"),
        ]),
    )
    .unwrap();
    let bytes = converter
        .from_connect_header(TOPIC, "h", None, &Value::Int16(5))
        .unwrap()
        .unwrap();
    assert_eq!(&bytes[..], &[0x00, 0x35]);
    assert_eq!(
        converter
            .to_connect_header(TOPIC, "h", Some(&bytes))
            .unwrap(),
        SchemaAndValue::new(Some(Schema::optional_string()), "5".into())
    );
    assert_eq!(
        converter
            .from_connect_header(TOPIC, "h", None, &Value::Null)
            .unwrap(),
        None
    );
    // Without converter.type, a header converter is configured as one.
    HeaderConverter::configure(&mut converter, &ConfigMap::new()).unwrap();
}

#[test]
fn converter_type_must_be_valid_for_a_header_converter() {
    let mut converter = StringConverter::new();
    let err = HeaderConverter::configure(&mut converter, &configs(&[("converter.type", "bogus")]))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Invalid value bogus for configuration converter.type: String must be one of: key, value, header"
    );
}

#[test]
fn version_and_config() {
    let converter = StringConverter::default();
    assert_eq!(Converter::version(&converter), connect_api::VERSION);
    let _ = Converter::config(&converter);
    let _ = HeaderConverter::config(&converter);
}
