//! The direct encoder against the apache-avro path: the same bytes as encoding
//! `from_connect_data` with apache-avro, decoding back to the same Avro value, and the same errors.

use std::sync::Arc;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value as AvroValue;
use apache_avro::writer::datum::GenericDatumWriter;
use connect_api::data::{Schema, SchemaBuilder, Struct, Value, logical};
use proptest::prelude::*;

use super::test_cases::*;
use super::*;

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

#[test]
fn every_primitive_type() {
    for (schema, value) in primitive_cases() {
        check(&schema, value);
    }
}

#[test]
fn logical_types() {
    for (schema, value) in logical_cases() {
        check(&schema, value);
    }
}

#[test]
fn decimals_of_every_scale_and_sign() {
    for (schema, value) in decimal_cases() {
        check(&schema, value);
    }
    // Raw bytes on a Decimal schema are written as they are.
    for value in raw_decimal_bytes() {
        check(&logical::decimal_schema(2), value);
    }
}

#[test]
fn decimals_beyond_128_bits() {
    for (schema, value) in wide_decimal_cases() {
        check(&schema, value);
    }
}

#[test]
fn structs_nested_reused_and_defaulted() {
    for data in [AvroData::default(), enhanced()] {
        for full in full_users() {
            check_with(&data, &user_schema(), &Value::Struct(full));
        }
        for (schema, value) in user_cases() {
            check_with(&data, &schema, &value);
        }
    }
}

#[test]
fn unnamed_structs_and_empty_structs() {
    for (schema, value) in unnamed_struct_cases() {
        check(&schema, value);
    }
}

#[test]
fn enums_are_symbol_indexes() {
    let data = enhanced();
    for (schema, value) in enum_cases() {
        check_with(&data, &schema, &value);
    }
    let mut out = Vec::new();
    data.encode(&color_schema(), &"GREEN".into(), &mut out)
        .unwrap();
    assert_eq!(out, [2], "GREEN is the second symbol");
    // Without enhanced support the same schema is a plain string.
    check(&color_schema(), "GREEN".into());
}

#[test]
fn fixed_bytes_are_written_raw() {
    for (schema, value) in fixed_cases() {
        check(&schema, value);
    }
    let fixed = fixed_schema();
    let mut out = Vec::new();
    AvroData::default()
        .encode(&fixed, &Value::Bytes(vec![1u8, 2, 3, 4].into()), &mut out)
        .unwrap();
    assert_eq!(out, [1, 2, 3, 4]);
    let short = Value::Bytes(vec![1u8].into());
    assert_same_error(&AvroData::default(), &fixed, &short);
}

#[test]
fn arrays_and_maps() {
    for (schema, value) in container_cases() {
        check(&schema, value);
    }
    // apache-avro does not keep the order of several keys.
    let (schema, unsorted, sorted) = multi_key_map();
    check_decoded(&schema, unsorted);
    check_decoded(&schema, sorted);
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
