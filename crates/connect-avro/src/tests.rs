//! Round trips through Avro, and the JSON of generated schemas compared with what Confluent's
//! AvroData writes for the same Connect schemas.

use std::str::FromStr;
use std::sync::Arc;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value as AvroValue;
use apache_avro::writer::datum::GenericDatumWriter;
use bigdecimal::BigDecimal;
use connect_api::data::{Schema, SchemaBuilder, Struct, Value, logical};
use serde_json::json;

use super::*;

fn avro_data() -> AvroData {
    AvroData::new(AvroDataConfig::default())
}

/// Converts schema and value to Avro, encodes and decodes the value with apache-avro, and
/// converts both back.
fn round_trip(schema: &Schema, value: &Value) -> (Schema, Value) {
    let data = avro_data();
    let avro = data.from_connect_schema(schema).unwrap();
    let avro_value = data.from_connect_data(schema, value).unwrap();
    let writer = GenericDatumWriter::builder(avro.schema()).build().unwrap();
    let bytes = writer.write_value_to_vec(avro_value).unwrap();
    let reader = GenericDatumReader::builder(avro.schema()).build().unwrap();
    let decoded = reader.read_value(&mut &bytes[..]).unwrap();
    // Read the schema back from its text, as a reader of a file or the registry would.
    let reparsed = AvroSchema::parse_str(avro.text()).unwrap();
    let back_schema = data.to_connect_schema(&reparsed).unwrap();
    let back_value = data.to_connect_data(&back_schema, decoded).unwrap();
    (back_schema, back_value)
}

fn assert_round_trip(schema: &Schema, value: Value) {
    let (back_schema, back_value) = round_trip(schema, &value);
    assert_eq!(&back_schema, schema, "schema of {value:?}");
    assert_eq!(back_value, value, "value with {schema:?}");
}

#[test]
fn every_primitive_type_round_trips() {
    let cases: Vec<(Schema, Value)> = vec![
        (Schema::int8(), Value::Int8(-8)),
        (Schema::int16(), Value::Int16(1600)),
        (Schema::int32(), Value::Int32(-32)),
        (Schema::int64(), Value::Int64(1 << 40)),
        (Schema::float32(), Value::Float32(1.5)),
        (Schema::float64(), Value::Float64(-2.25)),
        (Schema::boolean(), Value::Boolean(true)),
        (Schema::string(), Value::from("héllo")),
        (Schema::bytes(), Value::Bytes(vec![0u8, 255, 7].into())),
    ];
    for (schema, value) in cases {
        assert_round_trip(&schema, value.clone());
        let optional = SchemaBuilder::from_schema(&schema)
            .optional()
            .build()
            .unwrap();
        assert_round_trip(&optional, value);
        assert_round_trip(&optional, Value::Null);
    }
}

#[test]
fn logical_types_round_trip() {
    let decimal = logical::decimal_schema(2);
    assert_round_trip(
        &decimal,
        Value::Decimal(BigDecimal::from_str("-123.45").unwrap()),
    );
    let precise = logical::decimal_builder(3)
        .parameter(CONNECT_AVRO_DECIMAL_PRECISION_PROP, "10")
        .build()
        .unwrap();
    assert_round_trip(
        &precise,
        Value::Decimal(BigDecimal::from_str("1.500").unwrap()),
    );
    // A negative scale is not an Avro decimal; Confluent's legacy form still round trips.
    let negative = logical::decimal_schema(-2);
    assert_round_trip(&negative, Value::Decimal(BigDecimal::new(12.into(), -2)));
    assert_round_trip(&logical::date_schema(), Value::Date(19_753));
    assert_round_trip(&logical::time_schema(), Value::Time(45_296_789));
    assert_round_trip(
        &logical::timestamp_schema(),
        Value::Timestamp(1_700_000_000_123),
    );
    let optional_ts = logical::timestamp_builder().optional().build().unwrap();
    assert_round_trip(&optional_ts, Value::Null);
    assert_round_trip(&optional_ts, Value::Timestamp(-5));
}

#[test]
fn containers_round_trip() {
    let array = SchemaBuilder::array(Schema::optional_int32())
        .build()
        .unwrap();
    assert_round_trip(&array, Value::Array(vec![1.into(), Value::Null, 3.into()]));

    let string_map = SchemaBuilder::map(Schema::string(), Schema::float64())
        .build()
        .unwrap();
    assert_round_trip(
        &string_map,
        Value::Map(vec![("a".into(), 1.0.into()), ("b".into(), 2.0.into())]),
    );

    let int_map = SchemaBuilder::map(Schema::int16(), logical::date_schema())
        .build()
        .unwrap();
    assert_round_trip(
        &int_map,
        Value::Map(vec![
            (Value::Int16(1), Value::Date(3)),
            (Value::Int16(2), Value::Date(4)),
        ]),
    );

    let named_map = SchemaBuilder::map(Schema::optional_string(), Schema::int64())
        .name("com.example.Counts")
        .build()
        .unwrap();
    assert_round_trip(&named_map, Value::Map(vec![("x".into(), Value::Int64(1))]));
}

fn address_schema() -> Schema {
    SchemaBuilder::struct_()
        .name("com.example.Address")
        .field("street", Schema::string())
        .field("zip", Schema::optional_int32())
        .build()
        .unwrap()
}

fn color_schema() -> Schema {
    SchemaBuilder::string()
        .name("com.example.Color")
        .parameter(AVRO_TYPE_ENUM, "com.example.Color")
        .parameter(format!("{AVRO_TYPE_ENUM}.RED"), "RED")
        .parameter(format!("{AVRO_TYPE_ENUM}.GREEN"), "GREEN")
        .build()
        .unwrap()
}

#[test]
fn structs_round_trip_with_metadata_defaults_and_reuse() {
    let address = address_schema();
    let optional_address = SchemaBuilder::from_schema(&address)
        .optional()
        .build()
        .unwrap();
    let schema = SchemaBuilder::struct_()
        .name("com.example.User")
        .version(3)
        .doc("A user")
        .parameter("owner", "team-a")
        .field("id", Schema::int64())
        .field(
            "nick",
            SchemaBuilder::string()
                .optional()
                .default_value("anon")
                .build()
                .unwrap(),
        )
        .field(
            "level",
            SchemaBuilder::int8().default_value(1i8).build().unwrap(),
        )
        .field("home", address.clone())
        .field("work", optional_address)
        .field("color", color_schema())
        .field(
            "tags",
            SchemaBuilder::array(Schema::string())
                .optional()
                .build()
                .unwrap(),
        )
        .field(
            "balance",
            logical::decimal_builder(2).optional().build().unwrap(),
        )
        .build()
        .unwrap();
    let home = Struct::new(address.clone())
        .unwrap()
        .with("street", "Main St")
        .unwrap()
        .with("zip", 12345)
        .unwrap();
    let user = Struct::new(schema.clone())
        .unwrap()
        .with("id", 42i64)
        .unwrap()
        .with("nick", "neo")
        .unwrap()
        .with("level", 3i8)
        .unwrap()
        .with("home", home)
        .unwrap()
        .with("color", "GREEN")
        .unwrap()
        .with("tags", Value::Array(vec!["a".into()]))
        .unwrap()
        .with("balance", BigDecimal::from_str("10.05").unwrap())
        .unwrap();
    let (back_schema, back_value) = round_trip(&schema, &Value::Struct(user.clone()));
    // Fields with a default carry the flag that the default came from an Avro field default
    // only when Avro had no connect.default; here every default survives as connect.default.
    assert_eq!(back_schema, schema);
    assert_eq!(back_value, Value::Struct(user));
}

#[test]
fn unnamed_struct_json_matches_confluent() {
    let inner = SchemaBuilder::struct_()
        .field("x", Schema::int16())
        .build()
        .unwrap();
    let schema = SchemaBuilder::struct_()
        .field("s", Schema::optional_string())
        .field("i", Schema::int8())
        .field("inner", inner)
        .build()
        .unwrap();
    let avro = avro_data().from_connect_schema(&schema).unwrap();
    assert_eq!(
        avro.text(),
        r#"{"type":"record","name":"ConnectDefault","namespace":"io.confluent.connect.avro","fields":[{"name":"s","type":["null","string"],"default":null},{"name":"i","type":{"type":"int","connect.type":"int8"}},{"name":"inner","type":{"type":"record","name":"ConnectDefault2","fields":[{"name":"x","type":{"type":"int","connect.type":"int16"}}]}}]}"#
    );
    // And the unnamed structs come back unnamed.
    assert_eq!(avro_data().to_connect_schema(&avro).unwrap(), schema);
}

#[test]
fn logical_type_json_matches_confluent() {
    let data = avro_data();
    let cases = [
        (
            logical::decimal_schema(2),
            r#"{"type":"bytes","scale":2,"precision":64,"connect.version":1,"connect.parameters":{"scale":"2"},"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}"#,
        ),
        (
            logical::date_schema(),
            r#"{"type":"int","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Date","logicalType":"date"}"#,
        ),
        (
            logical::time_schema(),
            r#"{"type":"int","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Time","logicalType":"time-millis"}"#,
        ),
        (
            logical::timestamp_schema(),
            r#"{"type":"long","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Timestamp","logicalType":"timestamp-millis"}"#,
        ),
        (
            logical::timestamp_builder().optional().build().unwrap(),
            r#"["null",{"type":"long","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Timestamp","logicalType":"timestamp-millis"}]"#,
        ),
        (Schema::int32(), r#""int""#),
        (Schema::optional_bytes(), r#"["null","bytes"]"#),
    ];
    for (schema, expected) in cases {
        assert_eq!(data.from_connect_schema(&schema).unwrap().text(), expected);
    }
}

#[test]
fn named_struct_json_matches_confluent() {
    let address = address_schema();
    let schema = SchemaBuilder::struct_()
        .name("com.example.User")
        .version(2)
        .doc("a user")
        .field(
            "n",
            SchemaBuilder::int32()
                .optional()
                .default_value(5)
                .build()
                .unwrap(),
        )
        .field("home", address.clone())
        .field("work", address)
        .field("color", color_schema())
        .field(
            "scores",
            SchemaBuilder::map(Schema::int32(), Schema::string())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let avro = avro_data().from_connect_schema(&schema).unwrap();
    let expected = json!({
        "type": "record",
        "name": "User",
        "namespace": "com.example",
        "fields": [
            {"name": "n", "type": [{"type": "int", "connect.default": 5}, "null"], "default": 5},
            {"name": "home", "type": {
                "type": "record",
                "name": "Address",
                "fields": [
                    {"name": "street", "type": "string"},
                    {"name": "zip", "type": ["null", "int"], "default": null}
                ],
                "connect.name": "com.example.Address"
            }},
            {"name": "work", "type": "Address"},
            {"name": "color", "type": {
                "type": "enum",
                "name": "Color",
                "symbols": ["RED", "GREEN"],
                "connect.parameters": {
                    "io.confluent.connect.avro.Enum": "com.example.Color",
                    "io.confluent.connect.avro.Enum.RED": "RED",
                    "io.confluent.connect.avro.Enum.GREEN": "GREEN"
                },
                "connect.name": "com.example.Color"
            }},
            {"name": "scores", "type": {
                "type": "array",
                "items": {
                    "type": "record",
                    "name": "MapEntry",
                    "namespace": "io.confluent.connect.avro",
                    "fields": [
                        {"name": "key", "type": "int"},
                        {"name": "value", "type": "string"}
                    ]
                }
            }}
        ],
        "connect.doc": "a user",
        "connect.version": 2,
        "connect.name": "com.example.User"
    });
    assert_eq!(avro.json(), &expected);
    assert!(avro.text().starts_with(
        r#"{"type":"record","name":"User","namespace":"com.example","fields":[{"name":"n","#
    ));
}

#[test]
fn without_metadata_only_the_avro_shape_remains() {
    let data = AvroData::new(AvroDataConfig {
        connect_meta_data: false,
        ..AvroDataConfig::default()
    });
    let avro = data
        .from_connect_schema(&logical::decimal_schema(2))
        .unwrap();
    assert_eq!(
        avro.text(),
        r#"{"type":"bytes","scale":2,"precision":64,"logicalType":"decimal"}"#
    );
    let avro = data.from_connect_schema(&Schema::int16()).unwrap();
    assert_eq!(avro.text(), r#""int""#);
}

#[test]
fn enums_are_strings_without_enhanced_support() {
    let data = AvroData::new(AvroDataConfig {
        enhanced_avro_schema_support: false,
        ..AvroDataConfig::default()
    });
    let avro = data.from_connect_schema(&color_schema()).unwrap();
    assert_eq!(avro.json()["type"], "string");
    let value = data
        .from_connect_data(&color_schema(), &"RED".into())
        .unwrap();
    assert_eq!(value, AvroValue::String("RED".into()));
}

#[test]
fn plain_avro_schemas_read_as_confluent_does() {
    let avro = AvroSchema::parse_str(
        r#"{"type":"record","name":"Event","namespace":"com.acme","doc":"an event","fields":[
            {"name":"id","type":"long","doc":"the id"},
            {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B"]}},
            {"name":"note","type":["null","string"],"default":null},
            {"name":"count","type":"int","default":7},
            {"name":"attrs","type":{"type":"map","values":"string"}},
            {"name":"choice","type":["null","int","string"]}
        ]}"#,
    )
    .unwrap();
    let data = avro_data();
    let schema = data.to_connect_schema(&avro).unwrap();
    let expected = SchemaBuilder::struct_()
        .name("com.acme.Event")
        .parameter(AVRO_RECORD_DOC_PROP, "an event")
        .parameter(format!("{AVRO_FIELD_DOC_PREFIX_PROP}id"), "the id")
        .field("id", Schema::int64())
        .field(
            "kind",
            SchemaBuilder::string()
                .name("com.acme.Kind")
                .parameter(AVRO_TYPE_ENUM, "com.acme.Kind")
                .parameter(format!("{AVRO_TYPE_ENUM}.A"), "A")
                .parameter(format!("{AVRO_TYPE_ENUM}.B"), "B")
                .build()
                .unwrap(),
        )
        .field("note", Schema::optional_string())
        .field(
            "count",
            SchemaBuilder::int32()
                .parameter(AVRO_FIELD_DEFAULT_FLAG_PROP, "true")
                .default_value(7)
                .build()
                .unwrap(),
        )
        .field(
            "attrs",
            SchemaBuilder::map(Schema::string(), Schema::string())
                .build()
                .unwrap(),
        )
        .field(
            "choice",
            SchemaBuilder::struct_()
                .name(AVRO_TYPE_UNION)
                .optional()
                .field("int", Schema::optional_int32())
                .field("string", Schema::optional_string())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    assert_eq!(schema, expected);

    // A union member lands in the field of its type, and comes back out through the union.
    let record = AvroValue::Record(vec![
        ("id".into(), AvroValue::Long(1)),
        ("kind".into(), AvroValue::Enum(1, "B".into())),
        (
            "note".into(),
            AvroValue::Union(0, Box::new(AvroValue::Null)),
        ),
        ("count".into(), AvroValue::Int(7)),
        ("attrs".into(), AvroValue::Map(Default::default())),
        (
            "choice".into(),
            AvroValue::Union(2, Box::new(AvroValue::String("x".into()))),
        ),
    ]);
    let value = data.to_connect_data(&schema, record.clone()).unwrap();
    let Value::Struct(s) = &value else {
        panic!("{value:?}")
    };
    let choice = s.get("choice").unwrap().as_struct().unwrap();
    assert_eq!(choice.get("string").unwrap(), &Value::from("x"));
    assert_eq!(choice.get("int").unwrap(), &Value::Null);
    let again = data.from_connect_data_with(&schema, &avro, &value).unwrap();
    assert_eq!(again, record);
}

#[test]
fn invalid_names_fail_or_are_scrubbed() {
    let schema = SchemaBuilder::struct_()
        .name("com.my-co.Thing")
        .field("ok", Schema::int32())
        .build()
        .unwrap();
    let err = avro_data().from_connect_schema(&schema).unwrap_err();
    assert!(
        err.to_string()
            .contains("\"com.my-co.Thing\" is not a valid Avro name"),
        "{err}"
    );

    let bad_field = SchemaBuilder::struct_()
        .name("Thing")
        .field(
            "inner",
            SchemaBuilder::struct_()
                .name("Inner")
                .field("user-id", Schema::int32())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let err = avro_data().from_connect_schema(&bad_field).unwrap_err();
    assert_eq!(err.path(), Some("inner.user-id"));
    assert!(err.to_string().contains("scrub.invalid.names"), "{err}");

    let scrubbing = AvroData::new(AvroDataConfig {
        scrub_invalid_names: true,
        ..AvroDataConfig::default()
    });
    let avro = scrubbing.from_connect_schema(&bad_field).unwrap();
    assert_eq!(
        avro.json()["fields"][0]["type"]["fields"][0]["name"],
        "user_id"
    );
    let avro = scrubbing.from_connect_schema(&schema).unwrap();
    assert_eq!(avro.json()["namespace"], "com.my_co");
    // Values follow the scrubbed names.
    let inner_schema = bad_field.field("inner").unwrap().schema().clone();
    let inner = Struct::new(inner_schema)
        .unwrap()
        .with("user-id", 5)
        .unwrap();
    let value = Value::Struct(
        Struct::new(bad_field.clone())
            .unwrap()
            .with("inner", inner)
            .unwrap(),
    );
    let avro_value = scrubbing.from_connect_data(&bad_field, &value).unwrap();
    let back = scrubbing.to_connect_data(&bad_field, avro_value).unwrap();
    assert_eq!(back, value);
}

#[test]
fn value_errors_name_the_field() {
    let schema = SchemaBuilder::struct_()
        .name("Order")
        .field(
            "lines",
            SchemaBuilder::array(Schema::int32()).build().unwrap(),
        )
        .build()
        .unwrap();
    // Struct::put validates, so build the bad value by hand through a lenient schema.
    let data = avro_data();
    let avro = data.from_connect_schema(&schema).unwrap();
    let lines_schema = schema.field("lines").unwrap().schema();
    let err = from_connect::value_to_avro(
        &avro,
        lines_schema,
        match avro.schema() {
            apache_avro::Schema::Record(r) => &r.fields[0].schema,
            other => panic!("{other:?}"),
        },
        &Value::Array(vec![1.into(), "two".into()]),
    )
    .unwrap_err();
    assert_eq!(err.path(), Some("[1]"));
    assert_eq!(
        err.to_string(),
        "Cannot convert Connect value to Avro at `[1]`: Expected a INT32 value for schema Schema{INT32}, got a string value"
    );

    let err = data
        .from_connect_data(&Schema::int32(), &Value::Null)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("null value for non-optional INT32"),
        "{err}"
    );

    let err = data
        .to_connect_data(
            &schema,
            AvroValue::Record(vec![(
                "lines".into(),
                AvroValue::Array(vec![AvroValue::Long(1)]),
            )]),
        )
        .unwrap_err();
    assert_eq!(err.path(), Some("lines[0]"));

    let err = data
        .from_connect_data(&color_schema(), &"BLUE".into())
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("\"BLUE\" is not a symbol of Avro enum com.example.Color"),
        "{err}"
    );
}

#[test]
fn schemas_are_cached() {
    let data = avro_data();
    let schema = address_schema();
    let first = data.from_connect_schema(&schema).unwrap();
    let second = data.from_connect_schema(&schema).unwrap();
    assert!(Arc::ptr_eq(&first, &second));
    // An equal schema built separately hits the cache too.
    let third = data.from_connect_schema(&address_schema()).unwrap();
    assert!(Arc::ptr_eq(&first, &third));
    let back = data.to_connect_schema(&first).unwrap();
    assert!(data.to_connect_schema(&first).unwrap().ptr_eq(&back));
}

#[test]
fn conflicting_names_are_rejected() {
    let a = SchemaBuilder::struct_()
        .name("X")
        .field("a", Schema::int32())
        .build()
        .unwrap();
    let b = SchemaBuilder::struct_()
        .name("X")
        .field("b", Schema::int32())
        .build()
        .unwrap();
    let schema = SchemaBuilder::struct_()
        .name("Top")
        .field("a", a)
        .field("b", b)
        .build()
        .unwrap();
    let err = avro_data().from_connect_schema(&schema).unwrap_err();
    assert_eq!(err.path(), Some("b"));
    assert!(
        err.to_string().contains("Avro names must be unique"),
        "{err}"
    );
}

#[test]
fn standalone_null_and_recursion_are_rejected() {
    let data = avro_data();
    let null = AvroSchema::parse_str(r#""null""#).unwrap();
    assert!(
        data.to_connect_schema(&null)
            .unwrap_err()
            .to_string()
            .contains("Standalone null")
    );
    let recursive = AvroSchema::parse_str(
        r#"{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"]}]}"#,
    )
    .unwrap();
    let err = data.to_connect_schema(&recursive).unwrap_err();
    assert_eq!(err.path(), Some("next"));
    assert!(
        err.to_string().contains("Recursive Avro type Node"),
        "{err}"
    );
}
