//! Bytes as Confluent's serializers write them, worked out by hand from the Avro specification
//! (zig-zag varints, length-prefixed strings, union branch indexes), read by the converter, and
//! the converter writing exactly those bytes for the same data.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{converter, read, registry, write};
use connect_api::data::{Schema, SchemaBuilder, Struct, Value};

const USER: &str = r#"{"type":"record","name":"User","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"}]}"#;

const EVENT: &str = r#"{"type":"record","name":"Event","namespace":"com.acme","fields":[{"name":"id","type":"long"},{"name":"note","type":["null","string"],"default":null}]}"#;

fn user_schema(version: Option<i32>) -> Schema {
    let mut builder = SchemaBuilder::struct_()
        .name("User")
        .field("name", Schema::string())
        .field("age", Schema::int32());
    if let Some(version) = version {
        builder = builder.version(version);
    }
    builder.build().unwrap()
}

fn event_schema() -> Schema {
    SchemaBuilder::struct_()
        .name("com.acme.Event")
        .field("id", Schema::int64())
        .field("note", Schema::optional_string())
        .build()
        .unwrap()
}

/// `{name: "Ann", age: 30}` as schema id 1: magic byte, id 1, then "Ann" (length 3, zig-zag
/// 0x06) and 30 (zig-zag 0x3c).
const ANN: [u8; 10] = [0x00, 0x00, 0x00, 0x00, 0x01, 0x06, 0x41, 0x6e, 0x6e, 0x3c];

#[tokio::test]
async fn confluent_bytes_read_as_the_right_connect_data() {
    let registry = registry().await;
    assert_eq!(registry.register("users-value", USER), Ok(1));
    let converter = converter(&registry.url(), false, &[]);
    let back = read(&converter, "users", Some(&ANN)).await.unwrap();
    // The registry's version of the schema under `users-value` becomes the Connect version.
    let schema = user_schema(Some(1));
    assert_eq!(back.schema.as_ref(), Some(&schema));
    let ann = Struct::new(schema)
        .and_then(|s| s.with("name", "Ann"))
        .and_then(|s| s.with("age", 30))
        .unwrap();
    assert_eq!(back.value, Value::Struct(ann));
}

#[tokio::test]
async fn the_converter_writes_confluents_bytes() {
    let registry = registry().await;
    assert_eq!(registry.register("users-value", USER), Ok(1));
    let ann = |schema: &Schema| -> Value {
        Struct::new(schema.clone())
            .and_then(|s| s.with("name", "Ann"))
            .and_then(|s| s.with("age", 30))
            .unwrap()
            .into()
    };
    // Without Connect metadata the generated Avro schema is the registered one: registering it
    // again gives id 1, and so does looking it up without auto-registration.
    for extra in [
        &[("connect.meta.data", "false")][..],
        &[
            ("connect.meta.data", "false"),
            ("auto.register.schemas", "false"),
        ][..],
    ] {
        let converter = converter(&registry.url(), false, extra);
        let schema = user_schema(None);
        let bytes = write(&converter, "users", Some(&schema), &ann(&schema))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(bytes, ANN, "{extra:?}");
    }
    assert_eq!(registry.subject_ids("users-value"), [1]);
}

#[tokio::test]
async fn optional_fields_and_longs_by_hand() {
    let registry = registry().await;
    assert_eq!(registry.register("events-value", EVENT), Ok(1));
    let converter = converter(&registry.url(), false, &[("connect.meta.data", "false")]);
    let schema = event_schema();
    let event = |id: i64, note: Option<&str>| -> Value {
        Struct::new(schema.clone())
            .and_then(|s| s.with("id", id))
            .and_then(|s| s.with("note", note.map_or(Value::Null, Value::from)))
            .unwrap()
            .into()
    };
    let cases: [(Value, &[u8]); 4] = [
        // 150 → zig-zag 300 → varint ac 02; note null → branch 0.
        (event(150, None), &[0xac, 0x02, 0x00]),
        // -1 → zig-zag 1; note "hi" → branch 1, length 2, "hi".
        (event(-1, Some("hi")), &[0x01, 0x02, 0x04, b'h', b'i']),
        // 64 → zig-zag 128 → varint 80 01; an empty note.
        (event(64, Some("")), &[0x80, 0x01, 0x02, 0x00]),
        // i64::MIN → zig-zag u64::MAX → ten bytes.
        (
            event(i64::MIN, None),
            &[
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00,
            ],
        ),
    ];
    for (value, body) in cases {
        let mut wire = vec![0, 0, 0, 0, 1];
        wire.extend_from_slice(body);
        let bytes = write(&converter, "events", Some(&schema), &value)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(bytes, wire, "{value}");
        let back = read(&converter, "events", Some(&wire)).await.unwrap();
        let back_value = back.value.as_struct().unwrap();
        let want = value.as_struct().unwrap();
        assert_eq!(back_value.values(), want.values(), "{value}");
        let back_schema = back.schema.unwrap();
        assert_eq!(back_schema.name(), Some("com.acme.Event"));
        assert_eq!(back_schema.version(), Some(1));
        assert!(back_schema.field("note").unwrap().schema().is_optional());
    }
}

#[tokio::test]
async fn primitive_keys_by_hand() {
    let registry = registry().await;
    assert_eq!(registry.register("users-key", "\"string\""), Ok(1));
    assert_eq!(
        registry.register("counters-key", "{\"type\":\"long\"}"),
        Ok(2)
    );
    let converter = converter(&registry.url(), true, &[("connect.meta.data", "false")]);
    // A string key: length 2 (zig-zag 0x04), "k1".
    let wire = [0, 0, 0, 0, 1, 0x04, b'k', b'1'];
    let back = read(&converter, "users", Some(&wire)).await.unwrap();
    assert_eq!(
        back.schema,
        Some(SchemaBuilder::string().version(1).build().unwrap())
    );
    assert_eq!(back.value, Value::from("k1"));
    assert_eq!(
        write(&converter, "users", Some(&Schema::string()), &"k1".into())
            .await
            .unwrap()
            .unwrap(),
        wire
    );
    // A long key, registered as `{"type":"long"}`, which is the schema `"long"`.
    let wire = [0, 0, 0, 0, 2, 0x80, 0x01];
    let back = read(&converter, "counters", Some(&wire)).await.unwrap();
    assert_eq!(back.value, Value::Int64(64));
    assert_eq!(
        write(
            &converter,
            "counters",
            Some(&Schema::int64()),
            &Value::Int64(64)
        )
        .await
        .unwrap()
        .unwrap(),
        wire
    );
    assert_eq!(registry.subject_ids("counters-key"), [2]);
}

#[tokio::test]
async fn an_avro_enum_written_elsewhere_reads_as_a_connect_string() {
    let registry = registry().await;
    let color = r#"{"type":"record","name":"Paint","fields":[{"name":"color","type":{"type":"enum","name":"Color","symbols":["RED","GREEN","BLUE"]}}]}"#;
    assert_eq!(registry.register("paints-value", color), Ok(1));
    let converter = converter(&registry.url(), false, &[]);
    // BLUE is symbol 2: zig-zag 0x04.
    let back = read(&converter, "paints", Some(&[0, 0, 0, 0, 1, 0x04]))
        .await
        .unwrap();
    let field = back
        .value
        .as_struct()
        .unwrap()
        .get("color")
        .unwrap()
        .clone();
    assert_eq!(field, Value::from("BLUE"));
    let schema = back.schema.unwrap();
    let color_schema = schema.field("color").unwrap().schema();
    assert_eq!(
        color_schema.parameter("io.confluent.connect.avro.Enum"),
        Some("Color")
    );
    assert_eq!(
        color_schema.parameter("io.confluent.connect.avro.Enum.BLUE"),
        Some("BLUE")
    );
}
