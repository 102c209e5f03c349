//! The direct encoder against the apache-avro path: the same bytes as encoding
//! `from_connect_data` with apache-avro, decoding back to the same Avro value, and the same errors.

use std::str::FromStr;
use std::sync::Arc;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value as AvroValue;
use apache_avro::writer::datum::GenericDatumWriter;
use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::BigInt;
use connect_api::data::{Schema, SchemaBuilder, Struct, Value, logical};
use proptest::prelude::*;

use super::*;

fn enhanced() -> AvroData {
    AvroData::new(AvroDataConfig {
        enhanced_avro_schema_support: true,
        ..AvroDataConfig::default()
    })
}

/// What apache-avro writes for `from_connect_data`.
fn apache_bytes(data: &AvroData, schema: &Schema, value: &Value) -> (AvroValue, Vec<u8>) {
    let avro = data.from_connect_schema(schema).unwrap();
    let avro_value = data.from_connect_data(schema, value).unwrap();
    let bytes = GenericDatumWriter::builder(avro.schema())
        .build()
        .unwrap()
        .write_value_to_vec(avro_value.clone())
        .unwrap();
    (avro_value, bytes)
}

fn decode(data: &AvroData, schema: &Schema, bytes: &[u8]) -> AvroValue {
    let avro = data.from_connect_schema(schema).unwrap();
    let reader = GenericDatumReader::builder(avro.schema()).build().unwrap();
    let mut input = bytes;
    let decoded = reader.read_value(&mut input).unwrap();
    assert!(input.is_empty(), "{} bytes left over", input.len());
    decoded
}

/// The encoder's bytes, appended after what `out` held.
fn encoded(data: &AvroData, schema: &Schema, value: &Value) -> Vec<u8> {
    let mut out = vec![0xA5, 0x5A];
    data.encode(schema, value, &mut out).unwrap();
    assert_eq!(&out[..2], &[0xA5, 0x5A], "what `out` held is kept");
    out.split_off(2)
}

/// Byte-for-byte what the apache-avro path writes, and decodes to the same Avro value; every
/// way in (the cached encoder, a schema read back from its text) agrees.
fn check_with(data: &AvroData, schema: &Schema, value: &Value) {
    let (avro_value, expected) = apache_bytes(data, schema, value);
    let ours = encoded(data, schema, value);
    assert_eq!(ours, expected, "bytes of {value:?} with {schema:?}");
    assert_eq!(decode(data, schema, &ours), avro_value, "{value:?}");

    let reparsed = AvroSchema::parse_str(data.from_connect_schema(schema).unwrap().text()).unwrap();
    let mut again = Vec::new();
    AvroEncoder::new(schema, &reparsed)
        .unwrap()
        .encode(value, &mut again)
        .unwrap();
    assert_eq!(again, expected, "with the schema read back from its text");
}

fn check(schema: &Schema, value: Value) {
    check_with(&AvroData::default(), schema, &value);
}

/// For maps with several string keys, whose order apache-avro does not keep: the same Avro
/// value decoded.
fn check_decoded(schema: &Schema, value: Value) {
    let data = AvroData::default();
    let (avro_value, _) = apache_bytes(&data, schema, &value);
    assert_eq!(
        decode(&data, schema, &encoded(&data, schema, &value)),
        avro_value
    );
}

fn optional(schema: &Schema) -> Schema {
    SchemaBuilder::from_schema(schema)
        .optional()
        .build()
        .unwrap()
}

fn with_default(schema: &Schema, default: Value) -> Schema {
    SchemaBuilder::from_schema(schema)
        .optional()
        .default_value(default)
        .build()
        .unwrap()
}

fn decimal(text: &str) -> Value {
    Value::Decimal(BigDecimal::from_str(text).unwrap())
}

#[test]
fn every_primitive_type() {
    let cases: Vec<(Schema, Vec<Value>)> = vec![
        (
            Schema::int8(),
            vec![Value::Int8(0), Value::Int8(-128), Value::Int8(127)],
        ),
        (
            Schema::int16(),
            vec![Value::Int16(i16::MIN), Value::Int16(-1), Value::Int16(1600)],
        ),
        (
            Schema::int32(),
            vec![
                Value::Int32(i32::MIN),
                Value::Int32(63),
                Value::Int32(64),
                Value::Int32(i32::MAX),
            ],
        ),
        (
            Schema::int64(),
            vec![
                Value::Int64(i64::MIN),
                Value::Int64(-65),
                Value::Int64(1 << 40),
                Value::Int64(i64::MAX),
            ],
        ),
        (
            Schema::float32(),
            vec![
                Value::Float32(1.5),
                Value::Float32(-0.0),
                Value::Float32(f32::INFINITY),
            ],
        ),
        (
            Schema::float64(),
            vec![
                Value::Float64(-2.25),
                Value::Float64(f64::MIN_POSITIVE),
                Value::Float64(1e300),
            ],
        ),
        (
            Schema::boolean(),
            vec![Value::Boolean(true), Value::Boolean(false)],
        ),
        (
            Schema::string(),
            vec![
                Value::from(""),
                Value::from("héllo"),
                Value::from("x".repeat(300)),
            ],
        ),
        (
            Schema::bytes(),
            vec![
                Value::Bytes(vec![].into()),
                Value::Bytes(vec![0u8, 255, 7].into()),
            ],
        ),
    ];
    for (schema, values) in cases {
        let optional = optional(&schema);
        check(&optional, Value::Null);
        // A non-null default puts the type first in the union: `[T, "null"]`.
        let defaulted = with_default(&schema, values[0].clone());
        check(&defaulted, Value::Null);
        for value in values {
            check(&schema, value.clone());
            check(&optional, value.clone());
            check(&defaulted, value.clone());
        }
    }
}

#[test]
fn logical_types() {
    for (schema, value) in [
        (logical::date_schema(), Value::Date(19_753)),
        (logical::date_schema(), Value::Date(-1)),
        (logical::time_schema(), Value::Time(45_296_789)),
        (logical::time_schema(), Value::Time(0)),
        (
            logical::timestamp_schema(),
            Value::Timestamp(1_700_000_000_000),
        ),
        (logical::timestamp_schema(), Value::Timestamp(-1)),
    ] {
        check(&schema, value.clone());
        check(&optional(&schema), value.clone());
        check(&optional(&schema), Value::Null);
        check(&with_default(&schema, value.clone()), Value::Null);
    }
}

#[test]
fn decimals_of_every_scale_and_sign() {
    let cases: &[(i32, &[&str])] = &[
        (
            0,
            &[
                "0",
                "1",
                "-1",
                "127",
                "128",
                "-128",
                "-129",
                "255",
                "256",
                "-32768",
                "99999999999999999999999999999999999999999",
            ],
        ),
        (
            2,
            &[
                "0.00",
                "1.56",
                "-1.56",
                "-123.45",
                "0.01",
                "-0.01",
                "1.28",
                "-1.28",
                "170141183460469231731687303715884105727.00",
            ],
        ),
        (
            5,
            &[
                "3.14159",
                "-0.00001",
                "-170141183460469231731687303715884105728.00000",
                "12345678901234567890.12345",
            ],
        ),
        (
            10,
            &[
                "-0.0000000001",
                "1.0000000000",
                "-98765432109876543210.9876543210",
            ],
        ),
    ];
    for &(scale, values) in cases {
        let schema = logical::decimal_schema(scale);
        let precise = logical::decimal_builder(scale)
            .parameter(CONNECT_AVRO_DECIMAL_PRECISION_PROP, "50")
            .build()
            .unwrap();
        for text in values {
            let value = decimal(text);
            check(&schema, value.clone());
            check(&precise, value.clone());
            check(&optional(&schema), value.clone());
            check(&with_default(&schema, value.clone()), value.clone());
        }
        check(&optional(&schema), Value::Null);
    }
    // Raw bytes on a Decimal schema are written as they are.
    check(
        &logical::decimal_schema(2),
        Value::Bytes(vec![0x00, 0x00, 0x9C].into()),
    );
    check(&logical::decimal_schema(2), Value::Bytes(vec![0xFF].into()));
}

#[test]
fn decimals_beyond_128_bits() {
    let huge = format!("-{}.5", "9".repeat(60));
    check(&logical::decimal_schema(1), decimal(&huge));
    check(
        &logical::decimal_schema(0),
        Value::Decimal(BigDecimal::new(BigInt::from(i128::MIN) * 2, 0)),
    );
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
        .parameter(format!("{AVRO_TYPE_ENUM}.BLUE"), "BLUE")
        .build()
        .unwrap()
}

fn address(street: &str, zip: Option<i32>) -> Struct {
    address_of(address_schema(), street, zip)
}

fn address_of(schema: Schema, street: &str, zip: Option<i32>) -> Struct {
    Struct::new(schema)
        .unwrap()
        .with("street", street)
        .unwrap()
        .with("zip", zip)
        .unwrap()
}

fn user_schema() -> Schema {
    SchemaBuilder::struct_()
        .name("com.example.User")
        .version(3)
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
        .field("home", address_schema())
        .field("work", optional(&address_schema()))
        .field("color", color_schema())
        .field(
            "tags",
            SchemaBuilder::array(Schema::optional_string())
                .optional()
                .build()
                .unwrap(),
        )
        .field(
            "balance",
            logical::decimal_builder(2).optional().build().unwrap(),
        )
        .field(
            "previous",
            SchemaBuilder::array(address_schema()).build().unwrap(),
        )
        .build()
        .unwrap()
}

fn user(id: i64) -> Struct {
    Struct::new(user_schema())
        .unwrap()
        .with("id", id)
        .unwrap()
        .with("home", address("Main St", Some(12345)))
        .unwrap()
        .with(
            "color",
            ["RED", "GREEN", "BLUE"][id.unsigned_abs() as usize % 3],
        )
        .unwrap()
        .with("previous", Value::Array(vec![]))
        .unwrap()
}

#[test]
fn structs_nested_reused_and_defaulted() {
    for data in [AvroData::default(), enhanced()] {
        let schema = user_schema();
        // Unset fields with defaults are written as their defaults.
        check_with(&data, &schema, &Value::Struct(user(1)));
        let full = user(-2)
            .with("nick", "neo")
            .unwrap()
            .with("level", 3i8)
            .unwrap()
            .with(
                "work",
                address_of(optional(&address_schema()), "Side St", None),
            )
            .unwrap()
            .with(
                "tags",
                Value::Array(vec!["a".into(), Value::Null, "c".into()]),
            )
            .unwrap()
            .with("balance", BigDecimal::from_str("-10.05").unwrap())
            .unwrap()
            .with(
                "previous",
                Value::Array(vec![
                    address("Old St", Some(1)).into(),
                    address("Older St", None).into(),
                ]),
            )
            .unwrap();
        check_with(&data, &schema, &Value::Struct(full));
        check_with(&data, &optional(&schema), &Value::Null);
        let optional_user = optional(&schema);
        let value = Struct::from_values(
            optional_user.clone(),
            user(3).with("level", 2i8).unwrap().into_values(),
        )
        .unwrap();
        check_with(&data, &optional_user, &Value::Struct(value));
    }
}

#[test]
fn unnamed_structs_and_empty_structs() {
    let inner = SchemaBuilder::struct_()
        .field("x", Schema::int32())
        .build()
        .unwrap();
    let outer = SchemaBuilder::struct_()
        .field("a", inner.clone())
        .field("b", optional(&inner))
        .field("empty", SchemaBuilder::struct_().build().unwrap())
        .build()
        .unwrap();
    let a = Struct::new(inner.clone()).unwrap().with("x", 5).unwrap();
    let empty = Struct::new(outer.field("empty").unwrap().schema().clone()).unwrap();
    let value = Struct::new(outer.clone())
        .unwrap()
        .with("a", a.clone())
        .unwrap()
        .with("empty", empty)
        .unwrap();
    check(&outer, Value::Struct(value.clone()));
    let b = Struct::new(optional(&inner))
        .unwrap()
        .with("x", -5)
        .unwrap();
    check(&outer, Value::Struct(value.with("b", b).unwrap()));
}

#[test]
fn enums_are_symbol_indexes() {
    let data = enhanced();
    for symbol in ["RED", "GREEN", "BLUE"] {
        check_with(&data, &color_schema(), &symbol.into());
        check_with(&data, &optional(&color_schema()), &symbol.into());
    }
    check_with(&data, &optional(&color_schema()), &Value::Null);
    let mut out = Vec::new();
    data.encode(&color_schema(), &"GREEN".into(), &mut out)
        .unwrap();
    assert_eq!(out, [2], "GREEN is the second symbol");
    // Without enhanced support the same schema is a plain string.
    check(&color_schema(), "GREEN".into());
}

#[test]
fn fixed_bytes_are_written_raw() {
    let fixed = SchemaBuilder::bytes()
        .name("com.example.Hash")
        .parameter(CONNECT_AVRO_FIXED_SIZE_PROP, "4")
        .build()
        .unwrap();
    let value = Value::Bytes(vec![1u8, 2, 3, 4].into());
    check(&fixed, value.clone());
    check(&optional(&fixed), value.clone());
    let mut out = Vec::new();
    AvroData::default()
        .encode(&fixed, &value, &mut out)
        .unwrap();
    assert_eq!(out, [1, 2, 3, 4]);
    let short = Value::Bytes(vec![1u8].into());
    assert_same_error(&AvroData::default(), &fixed, &short);
}

#[test]
fn arrays_and_maps() {
    let ints = SchemaBuilder::array(Schema::optional_int32())
        .build()
        .unwrap();
    check(&ints, Value::Array(vec![]));
    check(
        &ints,
        Value::Array(vec![1.into(), Value::Null, (-3).into()]),
    );
    check(&ints, Value::Array((0..300).map(Value::Int32).collect()));

    let string_map = SchemaBuilder::map(Schema::string(), Schema::float64())
        .build()
        .unwrap();
    check(&string_map, Value::Map(vec![]));
    check(&string_map, Value::Map(vec![("a".into(), 1.0.into())]));
    check_decoded(
        &string_map,
        Value::Map(vec![
            ("a".into(), 1.0.into()),
            ("b".into(), 2.0.into()),
            ("c".into(), (-3.5).into()),
        ]),
    );
    let optional_values = SchemaBuilder::map(Schema::string(), optional(&address_schema()))
        .optional()
        .build()
        .unwrap();
    check(&optional_values, Value::Null);
    check(
        &optional_values,
        Value::Map(vec![("k".into(), Value::Null)]),
    );
    check(
        &optional_values,
        Value::Map(vec![(
            "k".into(),
            address_of(optional(&address_schema()), "A", Some(1)).into(),
        )]),
    );

    // Maps without required string keys are arrays of MapEntry records.
    let int_map = SchemaBuilder::map(Schema::int16(), logical::date_schema())
        .build()
        .unwrap();
    check(&int_map, Value::Map(vec![]));
    check(
        &int_map,
        Value::Map(vec![
            (Value::Int16(1), Value::Date(3)),
            (Value::Int16(-2), Value::Date(4)),
            (Value::Int16(1), Value::Date(5)),
        ]),
    );
    let named_map = SchemaBuilder::map(Schema::optional_string(), Schema::int64())
        .name("com.example.Counts")
        .build()
        .unwrap();
    check(
        &named_map,
        Value::Map(vec![
            ("x".into(), Value::Int64(1)),
            (Value::Null, Value::Int64(2)),
        ]),
    );
    let struct_keys = SchemaBuilder::map(address_schema(), Schema::optional_boolean())
        .build()
        .unwrap();
    check(
        &struct_keys,
        Value::Map(vec![
            (address("A", None).into(), true.into()),
            (address("B", Some(2)).into(), Value::Null),
        ]),
    );

    // Containers in containers, the entry record reused by reference.
    let nested = SchemaBuilder::struct_()
        .name("com.example.Nested")
        .field(
            "grid",
            SchemaBuilder::array(SchemaBuilder::array(Schema::int64()).build().unwrap())
                .build()
                .unwrap(),
        )
        .field("first", int_map.clone())
        .field("second", optional(&int_map))
        .field(
            "by_name",
            SchemaBuilder::map(Schema::string(), ints.clone())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let value = Struct::new(nested.clone())
        .unwrap()
        .with(
            "grid",
            Value::Array(vec![
                Value::Array(vec![1i64.into(), 2i64.into()]),
                Value::Array(vec![]),
            ]),
        )
        .unwrap()
        .with("first", Value::Map(vec![(Value::Int16(7), Value::Date(1))]))
        .unwrap()
        .with(
            "second",
            Value::Map(vec![(Value::Int16(8), Value::Date(2))]),
        )
        .unwrap()
        .with(
            "by_name",
            Value::Map(vec![("n".into(), Value::Array(vec![Value::Null]))]),
        )
        .unwrap();
    check(&nested, Value::Struct(value));
}

#[test]
fn connect_unions_write_the_branch_of_their_set_field() {
    let data = AvroData::default();
    let avro = AvroSchema::parse_str(
        r#"{"type":"record","name":"Event","namespace":"com.acme","fields":[
            {"name":"choice","type":["null","int","string"]},
            {"name":"either","type":["long",{"type":"record","name":"Pair","fields":[
                {"name":"a","type":"int"}]}]}
        ]}"#,
    )
    .unwrap();
    let schema = data.to_connect_schema(&avro).unwrap();
    let choice_schema = schema.field("choice").unwrap().schema().clone();
    let either_schema = schema.field("either").unwrap().schema().clone();
    let pair_schema = either_schema.fields()[1].schema().clone();
    let pair_value = Struct::new(pair_schema).unwrap().with("a", 9).unwrap();
    let cases = [
        (
            Value::Null,
            Struct::new(either_schema.clone())
                .unwrap()
                .with(either_schema.fields()[0].name(), 5i64)
                .unwrap(),
        ),
        (
            Struct::new(choice_schema.clone())
                .unwrap()
                .with("string", "x")
                .unwrap()
                .into(),
            Struct::new(either_schema.clone())
                .unwrap()
                .with(either_schema.fields()[1].name(), pair_value.clone())
                .unwrap(),
        ),
        (
            Struct::new(choice_schema.clone())
                .unwrap()
                .with("int", 3)
                .unwrap()
                .into(),
            Struct::new(either_schema.clone())
                .unwrap()
                .with(either_schema.fields()[0].name(), -1i64)
                .unwrap(),
        ),
    ];
    for (choice, either) in cases {
        let value = Struct::new(schema.clone())
            .unwrap()
            .with("choice", choice)
            .unwrap()
            .with("either", either)
            .unwrap();
        let value = Value::Struct(value);
        let expected = data.from_connect_data_with(&schema, &avro, &value).unwrap();
        let expected_bytes = GenericDatumWriter::builder(avro.schema())
            .build()
            .unwrap()
            .write_value_to_vec(expected)
            .unwrap();
        let mut out = Vec::new();
        data.encode_with(&schema, &avro, &value, &mut out).unwrap();
        assert_eq!(out, expected_bytes, "{value:?}");
    }
}

/// The encoder fails where the apache-avro path fails, with the same error, and leaves `out`
/// as it was.
fn assert_same_error(data: &AvroData, schema: &Schema, value: &Value) -> AvroDataError {
    let expected = data.from_connect_data(schema, value).unwrap_err();
    let mut out = vec![7u8];
    let err = data.encode(schema, value, &mut out).unwrap_err();
    assert_eq!(err, expected, "{value:?}");
    assert_eq!(out, [7], "a failed encoding leaves nothing behind");
    err
}

#[test]
fn errors_match_the_apache_avro_path_and_name_the_field() {
    let data = enhanced();
    let err = assert_same_error(&data, &Schema::int32(), &Value::Null);
    assert!(
        err.to_string()
            .contains("null value for non-optional INT32"),
        "{err}"
    );
    assert_same_error(&data, &Schema::int64(), &"x".into());
    assert_same_error(&data, &Schema::int32(), &Value::Int64(1));
    assert_same_error(&data, &color_schema(), &"PURPLE".into());
    assert_same_error(&data, &logical::decimal_schema(2), &decimal("1.5"));
    assert_same_error(&data, &Schema::bytes(), &decimal("1.5"));

    let lines = SchemaBuilder::array(Schema::int32()).build().unwrap();
    let err = assert_same_error(&data, &lines, &Value::Array(vec![1.into(), "two".into()]));
    assert_eq!(err.path(), Some("[1]"));

    let string_map = SchemaBuilder::map(Schema::string(), Schema::int32())
        .build()
        .unwrap();
    let err = assert_same_error(
        &data,
        &string_map,
        &Value::Map(vec![("k".into(), Value::Null)]),
    );
    assert_eq!(err.path(), Some("<k>"));
    let int_map = SchemaBuilder::map(Schema::int32(), Schema::int32())
        .build()
        .unwrap();
    let err = assert_same_error(&data, &int_map, &Value::Map(vec![(Value::Null, 1.into())]));
    assert_eq!(err.path(), Some("<key>"));

    // Nested: the struct's own put validates, so build a struct of a lenient schema and encode
    // it with the strict one.
    let strict = user_schema();
    let err = assert_same_error(
        &data,
        &strict,
        &Value::Struct(user(1).with("color", "PURPLE").unwrap()),
    );
    assert_eq!(err.path(), Some("color"));
    // The struct's schema is not the field's: rejected as the apache-avro path does.
    let err = assert_same_error(&data, &strict, &Value::Struct(address("x", None)));
    assert!(
        err.to_string().contains("Mismatching struct schema"),
        "{err}"
    );
}

#[test]
fn encoders_are_built_once_per_schema() {
    let data = AvroData::default();
    let schema = user_schema();
    let first = data.encoder(&schema).unwrap();
    let second = data.encoder(&schema).unwrap();
    assert!(Arc::ptr_eq(&first, &second));
    let avro = data.from_connect_schema(&schema).unwrap();
    assert!(Arc::ptr_eq(&first, &avro.encoder(&schema).unwrap()));
    assert!(first.schema().ptr_eq(&schema));
    // An equal schema of its own gets an encoder whose struct checks are pointer checks.
    let equal = user_schema();
    let third = data.encoder(&equal).unwrap();
    assert!(third.schema().ptr_eq(&equal));
    let mut a = Vec::new();
    let mut b = Vec::new();
    first.encode(&Value::Struct(user(5)), &mut a).unwrap();
    third.encode(&Value::Struct(user(5)), &mut b).unwrap();
    assert_eq!(a, b);
}

#[test]
fn mismatched_avro_schemas_are_refused_up_front() {
    let avro = AvroSchema::parse_str(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}"#,
    )
    .unwrap();
    let schema = SchemaBuilder::struct_()
        .name("R")
        .field("a", Schema::int32())
        .build()
        .unwrap();
    let err = AvroEncoder::new(&schema, &avro).unwrap_err();
    assert_eq!(err.path(), Some("a"));
}

/// The schema of the property test: every type, logical type and container.
fn everything_schema() -> Schema {
    let inner = SchemaBuilder::struct_()
        .name("com.example.Inner")
        .field("n", Schema::optional_int64())
        .field("s", Schema::string())
        .build()
        .unwrap();
    SchemaBuilder::struct_()
        .name("com.example.Everything")
        .field("i8", Schema::int8())
        .field("i16", Schema::optional_int16())
        .field("i32", Schema::int32())
        .field("i64", Schema::int64())
        .field("f32", Schema::float32())
        .field("f64", Schema::optional_float64())
        .field("flag", Schema::boolean())
        .field("text", Schema::optional_string())
        .field("raw", Schema::bytes())
        .field(
            "dec",
            logical::decimal_builder(3).optional().build().unwrap(),
        )
        .field("date", logical::date_schema())
        .field("time", logical::time_builder().optional().build().unwrap())
        .field("ts", logical::timestamp_schema())
        .field(
            "defaulted",
            SchemaBuilder::int32()
                .optional()
                .default_value(42)
                .build()
                .unwrap(),
        )
        .field("inner", optional(&inner))
        .field(
            "list",
            SchemaBuilder::array(Schema::optional_int32())
                .build()
                .unwrap(),
        )
        .field(
            "one_entry",
            SchemaBuilder::map(Schema::string(), inner.clone())
                .build()
                .unwrap(),
        )
        .field(
            "entries",
            SchemaBuilder::map(Schema::int32(), Schema::optional_string())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

fn inner_value(schema: &Schema) -> impl Strategy<Value = Value> + use<> {
    let schema = schema.clone();
    (proptest::option::of(any::<i64>()), ".{0,8}").prop_map(move |(n, s)| {
        Value::Struct(
            Struct::new(schema.clone())
                .unwrap()
                .with("n", n)
                .unwrap()
                .with("s", s)
                .unwrap(),
        )
    })
}

fn everything_value() -> impl Strategy<Value = Value> {
    let schema = everything_schema();
    let inner = schema
        .field("one_entry")
        .unwrap()
        .schema()
        .value_schema()
        .unwrap()
        .clone();
    let numbers = (
        any::<i8>(),
        proptest::option::of(any::<i16>()),
        any::<i32>(),
        any::<i64>(),
        any::<f32>(),
        proptest::option::of(any::<f64>()),
        any::<bool>(),
        proptest::option::of(".{0,20}"),
        proptest::collection::vec(any::<u8>(), 0..20),
    );
    let logical = (
        proptest::option::of(prop_oneof![
            any::<i64>().prop_map(BigInt::from),
            any::<i128>().prop_map(BigInt::from),
            (any::<i128>(), any::<i128>()).prop_map(|(a, b)| BigInt::from(a) * BigInt::from(b)),
        ]),
        any::<i32>(),
        proptest::option::of(0..=86_400_000i32),
        any::<i64>(),
        proptest::option::of(any::<i32>()),
    );
    let containers = (
        proptest::option::of(inner_value(&optional(&inner))),
        proptest::collection::vec(proptest::option::of(any::<i32>()), 0..5),
        proptest::option::of((".{0,5}", inner_value(&inner))),
        proptest::collection::vec((any::<i32>(), proptest::option::of("[a-z]{0,3}")), 0..4),
    );
    (numbers, logical, containers).prop_map(move |(n, l, c)| {
        let values = vec![
            Value::Int8(n.0),
            n.1.map_or(Value::Null, Value::Int16),
            Value::Int32(n.2),
            Value::Int64(n.3),
            Value::Float32(n.4),
            n.5.map_or(Value::Null, Value::Float64),
            Value::Boolean(n.6),
            Value::from(n.7),
            Value::Bytes(n.8.into()),
            l.0.map_or(Value::Null, |unscaled| {
                Value::Decimal(BigDecimal::new(unscaled, 3))
            }),
            Value::Date(l.1),
            l.2.map_or(Value::Null, Value::Time),
            Value::Timestamp(l.3),
            l.4.map_or(Value::Null, Value::Int32),
            c.0.unwrap_or(Value::Null),
            Value::Array(c.1.into_iter().map(Value::from).collect()),
            Value::Map(c.2.into_iter().map(|(k, v)| (Value::from(k), v)).collect()),
            Value::Map(
                c.3.into_iter()
                    .map(|(k, v)| (Value::Int32(k), Value::from(v)))
                    .collect(),
            ),
        ];
        Value::Struct(Struct::from_values(schema.clone(), values).unwrap())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_values_encode_as_apache_avro_does(value in everything_value()) {
        let data = AvroData::default();
        let schema = everything_schema();
        let (avro_value, expected) = apache_bytes(&data, &schema, &value);
        let ours = encoded(&data, &schema, &value);
        prop_assert_eq!(&ours, &expected);
        prop_assert_eq!(decode(&data, &schema, &ours), avro_value);
    }
}
