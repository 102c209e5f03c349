//! What the converter tests share: a registry, configured converters, expected schemas.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use connect_api::config::ConfigMap;
use connect_api::data::{Schema, SchemaAndValue, SchemaBuilder, Struct, Value};
use connect_api::error::ConnectError;
use connect_api::header::Headers;
use connect_api::storage::Converter;
use connect_schema_registry::AvroConverter;
use connect_testkit::schema_registry::TestRegistry;

pub async fn registry() -> TestRegistry {
    TestRegistry::start()
        .await
        .expect("the test registry starts")
}

/// Converter properties: the URL, fast retries, and `extra`.
pub fn props(url: &str, extra: &[(&str, &str)]) -> ConfigMap {
    let mut props = ConfigMap::from([
        ("schema.registry.url".to_owned(), url.to_owned()),
        ("max.retries".to_owned(), "2".to_owned()),
        ("retries.wait.ms".to_owned(), "5".to_owned()),
        ("retries.max.wait.ms".to_owned(), "20".to_owned()),
    ]);
    props.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    props
}

/// A converter configured through the `Converter` trait, as the runtime does.
pub fn converter(url: &str, is_key: bool, extra: &[(&str, &str)]) -> AvroConverter {
    let mut converter = AvroConverter::new();
    Converter::configure(&mut converter, &props(url, extra), is_key).expect("configures");
    converter
}

pub async fn write(
    converter: &AvroConverter,
    topic: &str,
    schema: Option<&Schema>,
    value: &Value,
) -> Result<Option<Vec<u8>>, ConnectError> {
    converter
        .from_connect_data(topic, &mut Headers::new(), schema, value)
        .await
        .map(|b| b.map(|b| b.to_vec()))
}

pub async fn read(
    converter: &AvroConverter,
    topic: &str,
    data: Option<&[u8]>,
) -> Result<SchemaAndValue, ConnectError> {
    converter
        .to_connect_data(topic, &Headers::new(), data)
        .await
}

/// The schema id in wire-format bytes.
pub fn id_of(bytes: &[u8]) -> u32 {
    assert_eq!(bytes[0], 0, "magic byte");
    u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]])
}

/// What reading back gives for `schema` and `value` when the registry holds the schema as
/// `version` of its subject: the top-level schema gets that version unless it has one, and
/// structs are rebuilt with the versioned schema. Schemas without a place for a version (Avro
/// unions) are kept as they are when `read` says so.
pub fn expected(schema: &Schema, value: &Value, read: &Schema, version: i32) -> (Schema, Value) {
    if schema.version().is_some() || read.version().is_none() {
        return (schema.clone(), value.clone());
    }
    assert_eq!(read.version(), Some(version), "version from the registry");
    let versioned = SchemaBuilder::from_schema(schema)
        .version(version)
        .build()
        .unwrap();
    let value = match value {
        Value::Struct(s) => {
            Value::Struct(Struct::from_values(versioned.clone(), s.values().to_vec()).unwrap())
        }
        other => other.clone(),
    };
    (versioned, value)
}
