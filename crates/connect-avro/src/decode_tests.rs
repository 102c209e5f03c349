//! The direct decoder against the apache-avro path: the same Connect value as
//! `to_connect_data` of what apache-avro decodes, the encoder's bytes back, and errors (never
//! panics) on malformed data.

use std::str::FromStr;
use std::sync::Arc;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value as AvroValue;
use apache_avro::writer::datum::GenericDatumWriter;
use bigdecimal::BigDecimal;
use connect_api::data::{Schema, SchemaBuilder, Value, logical};
use proptest::prelude::*;

use super::test_cases::*;
use super::*;

/// What the apache-avro path gives: apache-avro's decoding, then `to_connect_data`.
fn apache_path(data: &AvroData, connect: &Schema, avro: &AvroSchema, bytes: &[u8]) -> Value {
    let reader = GenericDatumReader::builder(avro.schema()).build().unwrap();
    let decoded = reader.read_value(&mut &bytes[..]).unwrap();
    data.to_connect_data(connect, decoded).unwrap()
}

/// Decodes `bytes` of `avro` both ways and checks they agree, that the whole datum is read, and
/// (when `reencode`) that the encoder writes the decoded value back as the same bytes.
fn check_bytes(data: &AvroData, avro: &AvroSchema, bytes: &[u8], reencode: bool) -> Value {
    let connect = data.to_connect_schema(avro).unwrap();
    let expected = apache_path(data, &connect, avro, bytes);
    let decoder = avro.decoder(&connect).unwrap();
    let mut input = bytes;
    let ours = decoder.decode_from(&mut input).unwrap();
    assert!(input.is_empty(), "{} bytes left over", input.len());
    assert_eq!(ours, expected, "{bytes:?} with {avro}");
    // Trailing bytes are ignored, as apache-avro ignores them.
    let mut longer = bytes.to_vec();
    longer.extend_from_slice(&[1, 2, 3]);
    assert_eq!(decoder.decode(&longer).unwrap(), expected);
    // Every shorter prefix is an error, not a panic.
    for len in 0..bytes.len() {
        assert!(decoder.decode(&bytes[..len]).is_err(), "prefix of {len}");
    }
    if reencode {
        let mut again = Vec::new();
        AvroEncoder::new(&connect, avro)
            .unwrap()
            .encode(&ours, &mut again)
            .unwrap();
        assert_eq!(again, bytes, "{ours:?} encoded back");
    }
    ours
}

/// A Connect value through the encoder and back; `reencode` unless it holds a map of several
/// string keys (whose order the decoded form sorts).
fn check_with(data: &AvroData, schema: &Schema, value: &Value, reencode: bool) -> Value {
    let (_, bytes) = apache_bytes(data, schema, value);
    let avro = data.from_connect_schema(schema).unwrap();
    let decoded = check_bytes(data, &avro, &bytes, reencode);
    // The schema read back from its text decodes the same.
    let reparsed = AvroSchema::parse_str(avro.text()).unwrap();
    let connect = data.to_connect_schema(&reparsed).unwrap();
    assert_eq!(
        AvroDecoder::new(&connect, &reparsed)
            .unwrap()
            .decode(&bytes)
            .unwrap(),
        decoded
    );
    decoded
}

fn check(schema: &Schema, value: Value) {
    check_with(&AvroData::default(), schema, &value, true);
}

/// Avro values of an Avro schema given as text, written by apache-avro.
fn check_avro(data: &AvroData, text: &str, values: Vec<AvroValue>) -> Vec<Value> {
    let avro = AvroSchema::parse_str(text).unwrap();
    values
        .into_iter()
        .map(|value| {
            let bytes = GenericDatumWriter::builder(avro.schema())
                .build()
                .unwrap()
                .write_value_to_vec(value)
                .unwrap();
            check_bytes(data, &avro, &bytes, false)
        })
        .collect()
}

#[test]
fn every_primitive_type() {
    for (schema, value) in primitive_cases() {
        check(&schema, value);
    }
}

#[test]
fn logical_types() {
    let cases = logical_cases()
        .into_iter()
        .chain(decimal_cases())
        .chain(wide_decimal_cases());
    for (schema, value) in cases {
        check(&schema, value);
    }
    // Raw bytes on a Decimal schema, with leading sign bytes (written back without them).
    for value in raw_decimal_bytes() {
        check_with(
            &AvroData::default(),
            &logical::decimal_schema(2),
            &value,
            false,
        );
    }
}

#[test]
fn avro_logical_types_as_to_connect_data_maps_them() {
    let data = AvroData::default();
    let text = r#"{"type":"record","name":"Times","fields":[
        {"name":"d","type":{"type":"int","logicalType":"date"}},
        {"name":"tm","type":{"type":"int","logicalType":"time-millis"}},
        {"name":"tu","type":{"type":"long","logicalType":"time-micros"}},
        {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
        {"name":"tsu","type":{"type":"long","logicalType":"timestamp-micros"}},
        {"name":"lts","type":{"type":"long","logicalType":"local-timestamp-millis"}},
        {"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":3}},
        {"name":"decf","type":{"type":"fixed","name":"D","size":5,"logicalType":"decimal","precision":10,"scale":2,"connect.name":"org.apache.kafka.connect.data.Decimal"}},
        {"name":"opt_tsu","type":["null",{"type":"long","logicalType":"timestamp-micros"}]}
    ]}"#;
    let record = |dec: &[u8], decf: [u8; 5]| {
        AvroValue::Record(vec![
            ("d".into(), AvroValue::Date(-3)),
            ("tm".into(), AvroValue::TimeMillis(1_000)),
            ("tu".into(), AvroValue::TimeMicros(1_000_000)),
            ("ts".into(), AvroValue::TimestampMillis(1_700_000_000_000)),
            ("tsu".into(), AvroValue::TimestampMicros(-1)),
            ("lts".into(), AvroValue::LocalTimestampMillis(5)),
            ("dec".into(), AvroValue::Decimal(dec.to_vec().into())),
            ("decf".into(), AvroValue::Decimal(decf.to_vec().into())),
            (
                "opt_tsu".into(),
                AvroValue::Union(1, Box::new(AvroValue::TimestampMicros(7))),
            ),
        ])
    };
    let values = check_avro(
        &data,
        text,
        vec![
            record(&[0x01, 0x00], [0; 5]),
            record(&[0xFF], [0xFF, 0xFF, 0xFF, 0xFF, 0x9C]),
        ],
    );
    let Value::Struct(first) = &values[0] else {
        panic!("{values:?}")
    };
    assert_eq!(first.get("d").unwrap(), &Value::Date(-3));
    assert_eq!(first.get("tm").unwrap(), &Value::Time(1_000));
    assert_eq!(first.get("tu").unwrap(), &Value::Int64(1_000_000));
    assert_eq!(
        first.get("ts").unwrap(),
        &Value::Timestamp(1_700_000_000_000)
    );
    assert_eq!(first.get("tsu").unwrap(), &Value::Int64(-1));
    assert_eq!(
        first.get("dec").unwrap(),
        &Value::Decimal(BigDecimal::from_str("0.256").unwrap())
    );
    let Value::Struct(second) = &values[1] else {
        panic!("{values:?}")
    };
    assert_eq!(
        second.get("decf").unwrap(),
        &Value::Decimal(BigDecimal::from_str("-1.00").unwrap())
    );
}

#[test]
fn structs_nested_reused_and_defaulted() {
    for data in [AvroData::default(), enhanced()] {
        for full in full_users() {
            let decoded = check_with(&data, &user_schema(), &Value::Struct(full.clone()), true);
            // The schema survives the round trip, so does the value.
            if data.config().enhanced_avro_schema_support {
                assert_eq!(decoded, Value::Struct(full));
            }
        }
        for (schema, value) in user_cases() {
            check_with(&data, &schema, &value, true);
        }
    }
}

#[test]
fn unnamed_and_empty_structs() {
    for (schema, value) in unnamed_struct_cases() {
        check(&schema, value);
    }
}

#[test]
fn enums_with_and_without_enhanced_support() {
    let data = enhanced();
    for (schema, value) in enum_cases() {
        check_with(&data, &schema, &value, true);
    }
    check(&color_schema(), "GREEN".into());
    // An Avro enum read without enhanced support is a string with the enum's parameters.
    let text = r#"{"type":"enum","name":"Suit","namespace":"cards","symbols":["S","H","D","C"]}"#;
    for data in [AvroData::default(), enhanced()] {
        let values = check_avro(
            &data,
            text,
            vec![
                AvroValue::Enum(0, "S".into()),
                AvroValue::Enum(3, "C".into()),
            ],
        );
        assert_eq!(values, vec![Value::from("S"), Value::from("C")]);
        let avro = AvroSchema::parse_str(text).unwrap();
        let err = data.decoder(&avro).unwrap().decode(&[8]).unwrap_err();
        assert!(err.to_string().contains("symbol 4 does not exist"), "{err}");
    }
}

#[test]
fn fixed_bytes() {
    for (schema, value) in fixed_cases() {
        check(&schema, value);
    }
}

#[test]
fn arrays_and_maps() {
    for (schema, value) in container_cases() {
        check(&schema, value);
    }
    let (schema, unsorted, sorted) = multi_key_map();
    for value in [unsorted, sorted.clone()] {
        let decoded = check_with(&AvroData::default(), &schema, &value, false);
        assert_eq!(
            decoded, sorted,
            "sorted by key, as to_connect_data sorts them"
        );
    }
}

#[test]
fn avro_blocks_with_byte_sizes_and_duplicate_map_keys() {
    let data = AvroData::default();
    // An array in two blocks, the second with a negative count and its byte size.
    let avro = AvroSchema::parse_str(r#"{"type":"array","items":"int"}"#).unwrap();
    let bytes = [2, 2, 3, 4, 6, 8, 0];
    let value = check_bytes(&data, &avro, &bytes, false);
    assert_eq!(value, Value::Array(vec![1.into(), 3.into(), 4.into()]));
    // A map with a key twice: the last value wins, as in apache-avro's map.
    let avro = AvroSchema::parse_str(r#"{"type":"map","values":"int"}"#).unwrap();
    let bytes = [6, 2, b'b', 2, 2, b'a', 4, 2, b'b', 6, 0];
    let value = check_bytes(&data, &avro, &bytes, false);
    assert_eq!(
        value,
        Value::Map(vec![("a".into(), 2.into()), ("b".into(), 3.into())])
    );
}

#[test]
fn general_unions_become_union_structs() {
    let text = r#"{"type":"record","name":"Event","namespace":"com.acme","fields":[
        {"name":"choice","type":["null","int","string",
            {"type":"enum","name":"E","symbols":["A","B"]},
            {"type":"fixed","name":"F","size":2},
            "bytes",
            {"type":"array","items":"long"},
            {"type":"map","values":"boolean"},
            {"type":"record","name":"Pair","fields":[{"name":"a","type":"int"}]}]},
        {"name":"either","type":["long","Pair"]},
        {"name":"tail","type":["string","null"]}
    ]}"#;
    let members = vec![
        AvroValue::Union(0, Box::new(AvroValue::Null)),
        AvroValue::Union(1, Box::new(AvroValue::Int(-5))),
        AvroValue::Union(2, Box::new(AvroValue::String("x".into()))),
        AvroValue::Union(3, Box::new(AvroValue::Enum(1, "B".into()))),
        AvroValue::Union(4, Box::new(AvroValue::Fixed(2, vec![1, 2]))),
        AvroValue::Union(5, Box::new(AvroValue::Bytes(vec![3]))),
        AvroValue::Union(
            6,
            Box::new(AvroValue::Array(vec![
                AvroValue::Long(1),
                AvroValue::Long(2),
            ])),
        ),
        AvroValue::Union(
            7,
            Box::new(AvroValue::Map(
                [("k".to_string(), AvroValue::Boolean(true))].into(),
            )),
        ),
        AvroValue::Union(
            8,
            Box::new(AvroValue::Record(vec![("a".into(), AvroValue::Int(9))])),
        ),
    ];
    for data in [AvroData::default(), enhanced()] {
        let values: Vec<AvroValue> = members
            .iter()
            .enumerate()
            .map(|(i, choice)| {
                let either = if i % 2 == 0 {
                    AvroValue::Union(0, Box::new(AvroValue::Long(i as i64)))
                } else {
                    AvroValue::Union(
                        1,
                        Box::new(AvroValue::Record(vec![("a".into(), AvroValue::Int(1))])),
                    )
                };
                let tail = if i % 3 == 0 {
                    AvroValue::Union(1, Box::new(AvroValue::Null))
                } else {
                    AvroValue::Union(0, Box::new(AvroValue::String("t".into())))
                };
                AvroValue::Record(vec![
                    ("choice".into(), choice.clone()),
                    ("either".into(), either),
                    ("tail".into(), tail),
                ])
            })
            .collect();
        let decoded = check_avro(&data, text, values);
        let Value::Struct(s) = &decoded[1] else {
            panic!("{decoded:?}")
        };
        let Value::Struct(choice) = s.get("choice").unwrap() else {
            panic!("{s:?}")
        };
        assert_eq!(choice.get("int").unwrap(), &Value::Int32(-5));
    }
}

#[test]
fn union_members_are_picked_by_type_as_to_connect_data_picks_them() {
    // The bytes branch goes into the first BYTES field, the fixed one, as `to_connect_data`
    // puts it there; the fixed branch into the field of its size.
    let text = r#"["null",{"type":"fixed","name":"G","size":3},"bytes"]"#;
    let decoded = check_avro(
        &AvroData::default(),
        text,
        vec![
            AvroValue::Union(1, Box::new(AvroValue::Fixed(3, vec![1, 2, 3]))),
            AvroValue::Union(2, Box::new(AvroValue::Bytes(vec![4]))),
            AvroValue::Union(0, Box::new(AvroValue::Null)),
        ],
    );
    assert_eq!(decoded[2], Value::Null);
    // A branch no field takes is an error when it is met, as in to_connect_data.
    let data = AvroData::default();
    let avro = AvroSchema::parse_str(r#"["int",{"type":"string","logicalType":"uuid"}]"#).unwrap();
    let decoder = data.decoder(&avro).unwrap();
    assert!(decoder.decode(&[0, 2]).is_ok());
    assert!(decoder.decode(&[2, 2, b'a']).is_err());
}

#[test]
fn malformed_data_is_an_error_with_a_path() {
    let data = AvroData::default();
    let schema = user_schema();
    let avro = data.from_connect_schema(&schema).unwrap();
    let decoder = avro
        .decoder(&data.to_connect_schema(&avro).unwrap())
        .unwrap();
    let (_, good) = apache_bytes(&data, &schema, &Value::Struct(user(1)));
    assert!(decoder.decode(&good).is_ok());

    let decode = |text: &str, bytes: &[u8]| {
        let avro = AvroSchema::parse_str(text).unwrap();
        data.decoder(&avro).unwrap().decode(bytes).unwrap_err()
    };
    let record = r#"{"type":"record","name":"R","fields":[
        {"name":"n","type":"long"},{"name":"s","type":"string"},
        {"name":"list","type":{"type":"array","items":{"type":"record","name":"E","fields":[]}}},
        {"name":"o","type":["null","int"]},{"name":"b","type":"boolean"}]}"#;
    // Truncated.
    let err = decode(record, &[2, 10, b'a']);
    assert_eq!(err.path(), Some("s"), "{err}");
    assert!(err.to_string().contains("ends early"), "{err}");
    // A negative length.
    let err = decode(record, &[2, 3]);
    assert!(err.to_string().contains("Negative"), "{err}");
    // A huge length: refused without allocating.
    let err = decode(
        record,
        &[2, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F],
    );
    assert_eq!(err.path(), Some("s"), "{err}");
    // A huge count of empty records.
    let err = decode(record, &[2, 0, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F]);
    assert_eq!(err.path(), Some("list"), "{err}");
    // A bad union index.
    let err = decode(record, &[2, 0, 0, 4]);
    assert_eq!(err.path(), Some("o"), "{err}");
    assert!(err.to_string().contains("branch 2"), "{err}");
    let err = decode(record, &[2, 0, 0, 1]);
    assert_eq!(err.path(), Some("o"), "{err}");
    // A bad boolean.
    let err = decode(record, &[2, 0, 0, 0, 2]);
    assert_eq!(err.path(), Some("b"), "{err}");
    // Integers too long or too large.
    let err = decode(record, &[0xFF; 11]);
    assert_eq!(err.path(), Some("n"), "{err}");
    let err = decode(r#""int""#, &[0xFE, 0xFF, 0xFF, 0xFF, 0x1F]);
    assert!(err.to_string().contains("out of range"), "{err}");
    // Invalid UTF-8 in an array element.
    let err = decode(
        r#"{"type":"array","items":"string"}"#,
        &[4, 2, b'a', 2, 0xFF, 0],
    );
    assert_eq!(err.path(), Some("[1]"), "{err}");
    // An INT8 that does not fit.
    let err = decode(r#"{"type":"int","connect.type":"int8"}"#, &[0x80, 0x04]);
    assert!(err.to_string().contains("does not fit INT8"), "{err}");
}

#[test]
fn zero_byte_items_are_bounded_across_the_whole_datum() {
    use crate::decode::MAX_ZERO_SIZED_ITEMS;
    use crate::encode::write_long;
    // An array of arrays of empty records: each inner array costs its count's few bytes only.
    let empty = SchemaBuilder::struct_().name("E").build().unwrap();
    let schema = SchemaBuilder::array(SchemaBuilder::array(empty).build().unwrap())
        .build()
        .unwrap();
    let data = AvroData::default();
    let avro = data.from_connect_schema(&schema).unwrap();
    let decoder = avro.decoder(&schema).unwrap();
    let nested = |inner: i64, arrays: i64| {
        let mut bytes = Vec::new();
        write_long(&mut bytes, arrays);
        for _ in 0..arrays {
            write_long(&mut bytes, inner);
            write_long(&mut bytes, 0);
        }
        write_long(&mut bytes, 0);
        bytes
    };
    let half = (MAX_ZERO_SIZED_ITEMS / 2) as i64;
    let Value::Array(arrays) = decoder.decode(&nested(half, 2)).unwrap() else {
        panic!("an array")
    };
    assert_eq!(arrays.len(), 2);
    // A few more bytes must not buy another million structs.
    let err = decoder.decode(&nested(half, 3)).unwrap_err();
    assert!(err.to_string().contains("does not fit"), "{err}");
}

#[test]
fn decoders_are_built_once_per_schema() {
    let data = AvroData::default();
    let avro = data.from_connect_schema(&user_schema()).unwrap();
    let first = data.decoder(&avro).unwrap();
    let second = data.decoder(&avro).unwrap();
    assert!(Arc::ptr_eq(&first, &second));
    assert!(Arc::ptr_eq(&first, &avro.decoder(first.schema()).unwrap()));
    let (_, bytes) = apache_bytes(&data, &user_schema(), &Value::Struct(user(4)));
    let decoded = data.decode(&avro, &bytes).unwrap();
    assert_eq!(decoded.schema.as_ref(), Some(first.schema()));
    // A versioned schema of its own gets a decoder of its own.
    let versioned = data.to_connect_schema_versioned(&avro, Some(7)).unwrap();
    let third = avro.decoder(&versioned).unwrap();
    assert!(third.schema().ptr_eq(&versioned));
    let Value::Struct(s) = third.decode(&bytes).unwrap() else {
        panic!()
    };
    assert!(s.schema().ptr_eq(&versioned));
}

#[test]
fn mismatched_connect_schemas_are_refused_up_front() {
    let avro = AvroSchema::parse_str(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}"#,
    )
    .unwrap();
    let renamed = SchemaBuilder::struct_()
        .name("R")
        .field("b", Schema::string())
        .build()
        .unwrap();
    assert!(AvroDecoder::new(&renamed, &avro).is_err());
    assert!(AvroDecoder::new(&Schema::int32(), &avro).is_err());
}

/// Schemas for random bytes: small ones, so that random data often decodes.
fn fuzz_schemas() -> Vec<AvroSchema> {
    let data = AvroData::default();
    let mut schemas: Vec<AvroSchema> = [
        r#"["null","int","string",{"type":"enum","name":"E","symbols":["A","B"]},{"type":"array","items":["null","long"]}]"#,
        r#"{"type":"map","values":["boolean","null"]}"#,
        r#"{"type":"array","items":{"type":"record","name":"MapEntry","namespace":"io.confluent.connect.avro","fields":[{"name":"key","type":"int"},{"name":"value","type":{"type":"fixed","name":"F","size":1}}]}}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":5,"scale":1}},{"name":"t","type":{"type":"int","connect.type":"int16"}}]}"#,
    ]
    .iter()
    .map(|text| AvroSchema::parse_str(text).unwrap())
    .collect();
    for schema in [everything_schema(), user_schema()] {
        schemas.push((*data.from_connect_schema(&schema).unwrap()).clone());
    }
    schemas
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_values_decode_as_the_apache_avro_path_does(value in everything_value()) {
        let data = AvroData::default();
        let schema = everything_schema();
        let (_, bytes) = apache_bytes(&data, &schema, &value);
        let avro = data.from_connect_schema(&schema).unwrap();
        let connect = data.to_connect_schema(&avro).unwrap();
        let expected = apache_path(&data, &connect, &avro, &bytes);
        let decoder = data.decoder(&avro).unwrap();
        let ours = decoder.decode(&bytes).unwrap();
        prop_assert_eq!(&ours, &expected);
        let mut again = Vec::new();
        data.encode_with(&connect, &avro, &ours, &mut again).unwrap();
        prop_assert_eq!(again, bytes);
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let data = AvroData::default();
        for avro in fuzz_schemas() {
            let decoder = data.decoder(&avro).unwrap();
            let mut input = &bytes[..];
            if let Ok(ours) = decoder.decode_from(&mut input) {
                // What decodes is what the apache-avro path gives for the same datum.
                let used = &bytes[..bytes.len() - input.len()];
                let reader = GenericDatumReader::builder(avro.schema()).build().unwrap();
                let theirs = reader
                    .read_value(&mut &used[..])
                    .map_err(|e| e.to_string())
                    .and_then(|v| {
                        data.to_connect_data(decoder.schema(), v).map_err(|e| e.to_string())
                    });
                prop_assert_eq!(Ok(ours), theirs, "{}", avro);
            }
        }
    }
}
