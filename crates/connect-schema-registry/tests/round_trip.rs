//! Every Connect type and logical type through the converter and the registry and back, as a
//! value converter and as a key converter.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::str::FromStr;

use bigdecimal::BigDecimal;
use common::{converter, expected, id_of, read, registry, write};
use connect_api::data::{Schema, SchemaBuilder, Struct, Value, logical};

const ENUM: &str = "io.confluent.connect.avro.Enum";

fn color_schema() -> SchemaBuilder {
    // Named after the enum, as AvroData names the Connect schemas of Avro enums.
    SchemaBuilder::string()
        .name("com.acme.Color")
        .parameter(ENUM, "com.acme.Color")
        .parameter(format!("{ENUM}.RED"), "RED")
        .parameter(format!("{ENUM}.GREEN"), "GREEN")
}

fn address_schema() -> Schema {
    SchemaBuilder::struct_()
        .name("com.acme.Address")
        .field("street", Schema::string())
        .field("zip", Schema::optional_int32())
        .build()
        .unwrap()
}

fn address(street: &str, zip: Option<i32>) -> Value {
    Struct::new(address_schema())
        .and_then(|s| s.with("street", street))
        .and_then(|s| s.with("zip", zip.map_or(Value::Null, Value::Int32)))
        .unwrap()
        .into()
}

/// One struct with a field of every kind, named and unnamed nested structs included.
fn everything() -> (Schema, Value) {
    let schema = SchemaBuilder::struct_()
        .name("com.acme.Everything")
        .doc("one field of every kind")
        .field("i8", Schema::int8())
        .field("i16", Schema::int16())
        .field("i32", Schema::int32())
        .field("i64", Schema::int64())
        .field("f32", Schema::float32())
        .field("f64", Schema::float64())
        .field("flag", Schema::boolean())
        .field("text", Schema::string())
        .field("raw", Schema::bytes())
        .field("price", logical::decimal_schema(2))
        .field(
            "price_or_none",
            logical::decimal_builder(4).optional().build().unwrap(),
        )
        .field("day", logical::date_schema())
        .field("at", logical::time_schema())
        .field("when", logical::timestamp_schema())
        .field("maybe_text", Schema::optional_string())
        .field("maybe_long", Schema::optional_int64())
        .field(
            "with_default",
            SchemaBuilder::int32().default_value(42).build().unwrap(),
        )
        .field("color", color_schema().build().unwrap())
        .field("home", address_schema())
        .field(
            "work",
            SchemaBuilder::from_schema(&address_schema())
                .optional()
                .build()
                .unwrap(),
        )
        .field(
            "tags",
            SchemaBuilder::array(Schema::string()).build().unwrap(),
        )
        .field(
            "scores",
            SchemaBuilder::array(Schema::optional_float64())
                .build()
                .unwrap(),
        )
        .field(
            "counts",
            SchemaBuilder::map(Schema::string(), Schema::int64())
                .build()
                .unwrap(),
        )
        .field(
            "names_by_id",
            SchemaBuilder::map(Schema::int32(), Schema::string())
                .build()
                .unwrap(),
        )
        .field(
            "places",
            SchemaBuilder::array(address_schema()).build().unwrap(),
        )
        .field(
            "anonymous",
            SchemaBuilder::struct_()
                .field("x", Schema::int32())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let anonymous = Struct::new(schema.field("anonymous").unwrap().schema().clone())
        .and_then(|s| s.with("x", 7))
        .unwrap();
    let value = Struct::new(schema.clone())
        .and_then(|s| s.with("i8", Value::Int8(-8)))
        .and_then(|s| s.with("i16", Value::Int16(1600)))
        .and_then(|s| s.with("i32", -32))
        .and_then(|s| s.with("i64", 1i64 << 40))
        .and_then(|s| s.with("f32", 1.5f32))
        .and_then(|s| s.with("f64", -2.25f64))
        .and_then(|s| s.with("flag", true))
        .and_then(|s| s.with("text", "héllo ✓"))
        .and_then(|s| s.with("raw", Value::Bytes(vec![0u8, 255, 7].into())))
        .and_then(|s| {
            s.with(
                "price",
                Value::Decimal(BigDecimal::from_str("-12.34").unwrap()),
            )
        })
        .and_then(|s| s.with("price_or_none", Value::Null))
        .and_then(|s| s.with("day", Value::Date(19_000)))
        .and_then(|s| s.with("at", Value::Time(3_600_000)))
        .and_then(|s| s.with("when", Value::Timestamp(1_700_000_000_123)))
        .and_then(|s| s.with("maybe_text", Value::Null))
        .and_then(|s| s.with("maybe_long", 5i64))
        .and_then(|s| s.with("with_default", 1))
        .and_then(|s| s.with("color", "GREEN"))
        .and_then(|s| s.with("home", address("1 Main St", Some(12345))))
        .and_then(|s| s.with("work", Value::Null))
        .and_then(|s| s.with("tags", Value::Array(vec!["a".into(), "b".into()])))
        .and_then(|s| {
            s.with(
                "scores",
                Value::Array(vec![Value::Float64(0.5), Value::Null]),
            )
        })
        .and_then(|s| s.with("counts", Value::Map(vec![("a".into(), Value::Int64(1))])))
        .and_then(|s| {
            s.with(
                "names_by_id",
                Value::Map(vec![
                    (Value::Int32(2), "two".into()),
                    (Value::Int32(1), "one".into()),
                ]),
            )
        })
        .and_then(|s| {
            s.with(
                "places",
                Value::Array(vec![address("a", None), address("b", Some(2))]),
            )
        })
        .and_then(|s| s.with("anonymous", Value::Struct(anonymous)))
        .unwrap();
    (schema, value.into())
}

/// Every kind of schema at the top level, with a value.
fn cases() -> Vec<(&'static str, Schema, Value)> {
    let decimal = BigDecimal::from_str("1234.5678").unwrap();
    let (everything_schema, everything_value) = everything();
    vec![
        ("int8", Schema::int8(), Value::Int8(-8)),
        ("int16", Schema::int16(), Value::Int16(1600)),
        ("int32", Schema::int32(), Value::Int32(-32)),
        ("int64", Schema::int64(), Value::Int64(1 << 40)),
        ("float32", Schema::float32(), Value::Float32(1.5)),
        ("float64", Schema::float64(), Value::Float64(-2.25)),
        ("boolean", Schema::boolean(), Value::Boolean(false)),
        ("string", Schema::string(), Value::from("héllo")),
        (
            "bytes",
            Schema::bytes(),
            Value::Bytes(vec![1u8, 2, 3].into()),
        ),
        ("optional", Schema::optional_string(), Value::from("x")),
        (
            "decimal",
            logical::decimal_schema(4),
            Value::Decimal(decimal),
        ),
        ("date", logical::date_schema(), Value::Date(-1)),
        ("time", logical::time_schema(), Value::Time(86_399_999)),
        (
            "timestamp",
            logical::timestamp_schema(),
            Value::Timestamp(-1_000),
        ),
        (
            "array",
            SchemaBuilder::array(Schema::int32()).build().unwrap(),
            Value::Array(vec![Value::Int32(1), Value::Int32(2), Value::Int32(3)]),
        ),
        (
            "string_map",
            SchemaBuilder::map(Schema::string(), Schema::optional_string())
                .build()
                .unwrap(),
            Value::Map(vec![("k".into(), Value::Null)]),
        ),
        (
            "long_map",
            SchemaBuilder::map(Schema::int64(), Schema::boolean())
                .build()
                .unwrap(),
            Value::Map(vec![
                (Value::Int64(3), Value::Boolean(true)),
                (Value::Int64(-3), Value::Boolean(false)),
            ]),
        ),
        ("enum", color_schema().build().unwrap(), Value::from("RED")),
        ("address", address_schema(), address("2 High St", None)),
        ("everything", everything_schema, everything_value),
    ]
}

async fn round_trip_all(is_key: bool, extra: &[(&str, &str)]) {
    let registry = registry().await;
    let converter = converter(&registry.url(), is_key, extra);
    let part = if is_key { "key" } else { "value" };
    for (name, schema, value) in cases() {
        let topic = format!("t-{name}");
        let bytes = write(&converter, &topic, Some(&schema), &value)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .expect("not a tombstone");
        let id = id_of(&bytes);
        assert_eq!(
            registry.subject_ids(&format!("{topic}-{part}")),
            [id],
            "{name}: registered under the topic's {part} subject"
        );
        let back = read(&converter, &topic, Some(&bytes))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let read_schema = back.schema.clone().expect("a schema");
        let (want_schema, want_value) = expected(&schema, &value, &read_schema, 1);
        assert_eq!(read_schema, want_schema, "{name}: schema");
        assert_eq!(back.value, want_value, "{name}: value");
        // Writing what was read gives the same bytes: the versioned schema is registered as
        // another version of the subject only if it differs.
        let again = write(&converter, &topic, back.schema.as_ref(), &back.value)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again[5..], bytes[5..], "{name}: same body");
    }
}

#[tokio::test]
async fn every_type_round_trips_as_a_value() {
    round_trip_all(false, &[]).await;
}

#[tokio::test]
async fn every_type_round_trips_as_a_key() {
    round_trip_all(true, &[]).await;
}

#[tokio::test]
async fn every_type_round_trips_with_enhanced_schemas_and_without_metadata() {
    round_trip_all(false, &[("enhanced.avro.schema.support", "true")]).await;
    let registry = registry().await;
    let plain = converter(&registry.url(), false, &[("connect.meta.data", "false")]);
    // Without Connect metadata, names and types survive but versions, docs and parameters
    // do not: compare the values field by field.
    let (schema, value) = everything();
    let bytes = write(&plain, "t", Some(&schema), &value)
        .await
        .unwrap()
        .unwrap();
    let back = read(&plain, "t", Some(&bytes)).await.unwrap();
    let back_schema = back.schema.unwrap();
    assert_eq!(back_schema.name(), Some("com.acme.Everything"));
    assert_eq!(back_schema.version(), Some(1), "the registry's version");
    assert_eq!(back_schema.doc(), None);
    let (Value::Struct(got), Value::Struct(want)) = (&back.value, &value) else {
        panic!("structs expected");
    };
    for field in ["i8", "i32", "text", "home", "names_by_id", "color"] {
        assert_eq!(
            got.get(field).unwrap().to_string(),
            want.get(field).unwrap().to_string(),
            "{field}"
        );
    }
}

#[tokio::test]
async fn enums_are_avro_enums_with_enhanced_schema_support() {
    let registry = registry().await;
    let enhanced = converter(
        &registry.url(),
        false,
        &[("enhanced.avro.schema.support", "true")],
    );
    let schema = color_schema().build().unwrap();
    let bytes = write(&enhanced, "colors", Some(&schema), &"GREEN".into())
        .await
        .unwrap()
        .unwrap();
    // An Avro enum is written as the symbol's index.
    assert_eq!(bytes[5..], [0x02]);
    let registered = registry.schema(id_of(&bytes)).unwrap();
    assert!(registered.contains("\"type\":\"enum\""), "{registered}");
    let plain = converter(&registry.url(), false, &[]);
    let bytes = write(&plain, "colors2", Some(&schema), &"GREEN".into())
        .await
        .unwrap()
        .unwrap();
    // Without enhanced support, a string carrying the enum's parameters.
    assert_eq!(bytes[5..], [0x0a, b'G', b'R', b'E', b'E', b'N']);
}

#[tokio::test]
async fn string_maps_keep_every_entry() {
    let registry = registry().await;
    let converter = converter(&registry.url(), false, &[]);
    let schema = SchemaBuilder::map(Schema::string(), Schema::int32())
        .build()
        .unwrap();
    let entries: Vec<(Value, Value)> = (0..20)
        .map(|i| (Value::from(format!("k{i}")), Value::Int32(i)))
        .collect();
    let bytes = write(&converter, "m", Some(&schema), &Value::Map(entries.clone()))
        .await
        .unwrap()
        .unwrap();
    let back = read(&converter, "m", Some(&bytes)).await.unwrap();
    let mut got = back.value.as_map().unwrap().to_vec();
    got.sort_by_key(|(k, _)| k.to_string());
    let mut want = entries;
    want.sort_by_key(|(k, _)| k.to_string());
    assert_eq!(got, want);
}

#[tokio::test]
async fn tombstones_are_nulls_both_ways_without_the_registry() {
    let registry = registry().await;
    for is_key in [false, true] {
        let converter = converter(&registry.url(), is_key, &[]);
        let schema = address_schema();
        assert_eq!(
            write(&converter, "t", Some(&schema), &Value::Null)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            write(&converter, "t", None, &Value::Null).await.unwrap(),
            None
        );
        let back = read(&converter, "t", None).await.unwrap();
        assert_eq!(back.schema, None);
        assert_eq!(back.value, Value::Null);
    }
    assert_eq!(registry.request_count(), 0);
    assert!(registry.subjects().is_empty());
}

#[tokio::test]
async fn values_without_a_schema_are_refused() {
    let registry = registry().await;
    let converter = converter(&registry.url(), false, &[]);
    let err = write(&converter, "t", None, &Value::Int32(1))
        .await
        .unwrap_err();
    assert!(err.is_data());
    let message = err.to_string();
    assert!(message.contains("without a schema"), "{message}");
    assert!(message.contains("topic 't'"), "{message}");
}

#[tokio::test]
async fn values_that_do_not_match_their_schema_register_nothing() {
    let registry = registry().await;
    let converter = converter(&registry.url(), false, &[]);
    let err = write(&converter, "t", Some(&Schema::int32()), &Value::from("x"))
        .await
        .unwrap_err();
    assert!(err.is_data(), "{err}");
    assert!(registry.subjects().is_empty());
}
