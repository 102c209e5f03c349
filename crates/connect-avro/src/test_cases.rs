//! The fixtures and case tables that the encoder tests and the decoder tests both run: every
//! schema and value here is checked against the apache-avro path in both directions.

use std::str::FromStr;

use apache_avro::types::Value as AvroValue;
use apache_avro::writer::datum::GenericDatumWriter;
use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::BigInt;
use connect_api::data::{Schema, SchemaBuilder, Struct, Value, logical};
use proptest::prelude::*;

use super::*;

pub(crate) fn enhanced() -> AvroData {
    AvroData::new(AvroDataConfig {
        enhanced_avro_schema_support: true,
        ..AvroDataConfig::default()
    })
}

/// What apache-avro writes for `from_connect_data`.
pub(crate) fn apache_bytes(
    data: &AvroData,
    schema: &Schema,
    value: &Value,
) -> (AvroValue, Vec<u8>) {
    let avro = data.from_connect_schema(schema).unwrap();
    let avro_value = data.from_connect_data(schema, value).unwrap();
    let bytes = GenericDatumWriter::builder(avro.schema())
        .build()
        .unwrap()
        .write_value_to_vec(avro_value.clone())
        .unwrap();
    (avro_value, bytes)
}

pub(crate) fn optional(schema: &Schema) -> Schema {
    SchemaBuilder::from_schema(schema)
        .optional()
        .build()
        .unwrap()
}

pub(crate) fn with_default(schema: &Schema, default: Value) -> Schema {
    SchemaBuilder::from_schema(schema)
        .optional()
        .default_value(default)
        .build()
        .unwrap()
}

pub(crate) fn decimal(text: &str) -> Value {
    Value::Decimal(BigDecimal::from_str(text).unwrap())
}

/// Values of every primitive type, each with its schema, the optional schema and an optional
/// schema with a default (a non-null default puts the type first in the union: `[T, "null"]`);
/// and null with the latter two.
pub(crate) fn primitive_cases() -> Vec<(Schema, Value)> {
    let mut cases = Vec::new();
    for (schema, values) in primitive_values() {
        let optional = optional(&schema);
        let defaulted = with_default(&schema, values[0].clone());
        cases.push((optional.clone(), Value::Null));
        cases.push((defaulted.clone(), Value::Null));
        for value in values {
            cases.push((schema.clone(), value.clone()));
            cases.push((optional.clone(), value.clone()));
            cases.push((defaulted.clone(), value));
        }
    }
    cases
}

/// Each primitive schema with values of it; the first value also serves as a default.
fn primitive_values() -> Vec<(Schema, Vec<Value>)> {
    vec![
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
    ]
}

/// Date, Time and Timestamp values with their schemas, optional schemas, and null with the
/// optional schema and with one defaulting to the value.
pub(crate) fn logical_cases() -> Vec<(Schema, Value)> {
    let values = [
        (logical::date_schema(), Value::Date(19_753)),
        (logical::date_schema(), Value::Date(-1)),
        (logical::time_schema(), Value::Time(45_296_789)),
        (logical::time_schema(), Value::Time(0)),
        (
            logical::timestamp_schema(),
            Value::Timestamp(1_700_000_000_000),
        ),
        (logical::timestamp_schema(), Value::Timestamp(-1)),
    ];
    let mut cases = Vec::new();
    for (schema, value) in values {
        cases.push((optional(&schema), value.clone()));
        cases.push((optional(&schema), Value::Null));
        cases.push((with_default(&schema, value.clone()), Value::Null));
        cases.push((schema, value));
    }
    cases
}

/// A decimal of `scale` with its schema, one with a precision, the optional schema and one
/// defaulting to it (with the value and with null).
fn decimal_checks(scale: i32, value: Value, cases: &mut Vec<(Schema, Value)>) {
    let schema = logical::decimal_schema(scale);
    let precise = logical::decimal_builder(scale)
        .parameter(CONNECT_AVRO_DECIMAL_PRECISION_PROP, "50")
        .build()
        .unwrap();
    let defaulted = with_default(&schema, value.clone());
    cases.push((schema.clone(), value.clone()));
    cases.push((precise, value.clone()));
    cases.push((optional(&schema), value.clone()));
    cases.push((defaulted.clone(), value));
    cases.push((defaulted, Value::Null));
}

/// Decimals of every scale and sign (all fit in 128 bits), as [`decimal_checks`] puts them, and
/// null with each optional decimal schema.
pub(crate) fn decimal_cases() -> Vec<(Schema, Value)> {
    let mut cases = Vec::new();
    for (scale, texts) in decimal_texts() {
        for text in texts {
            decimal_checks(scale, decimal(text), &mut cases);
        }
        cases.push((optional(&logical::decimal_schema(scale)), Value::Null));
    }
    cases
}

/// Decimals of every scale and sign, as text, by scale.
fn decimal_texts() -> Vec<(i32, Vec<&'static str>)> {
    vec![
        (
            0,
            vec![
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
            vec![
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
            vec![
                "3.14159",
                "-0.00001",
                "-170141183460469231731687303715884105728.00000",
                "12345678901234567890.12345",
            ],
        ),
        (
            10,
            vec![
                "-0.0000000001",
                "1.0000000000",
                "-98765432109876543210.9876543210",
            ],
        ),
    ]
}

/// Decimals whose unscaled value needs more than 128 bits, as [`decimal_checks`] puts them.
pub(crate) fn wide_decimal_cases() -> Vec<(Schema, Value)> {
    let mut cases = Vec::new();
    decimal_checks(1, decimal(&format!("-{}.5", "9".repeat(60))), &mut cases);
    decimal_checks(
        0,
        Value::Decimal(BigDecimal::new(BigInt::from(i128::MIN) * 2, 0)),
        &mut cases,
    );
    cases
}

/// Raw bytes on a Decimal schema of scale 2 (the first with leading sign bytes).
pub(crate) fn raw_decimal_bytes() -> Vec<Value> {
    vec![
        Value::Bytes(vec![0x00, 0x00, 0x9C].into()),
        Value::Bytes(vec![0xFF].into()),
    ]
}

pub(crate) fn address_schema() -> Schema {
    SchemaBuilder::struct_()
        .name("com.example.Address")
        .field("street", Schema::string())
        .field("zip", Schema::optional_int32())
        .build()
        .unwrap()
}

pub(crate) fn color_schema() -> Schema {
    SchemaBuilder::string()
        .name("com.example.Color")
        .parameter(AVRO_TYPE_ENUM, "com.example.Color")
        .parameter(format!("{AVRO_TYPE_ENUM}.RED"), "RED")
        .parameter(format!("{AVRO_TYPE_ENUM}.GREEN"), "GREEN")
        .parameter(format!("{AVRO_TYPE_ENUM}.BLUE"), "BLUE")
        .build()
        .unwrap()
}

pub(crate) fn address(street: &str, zip: Option<i32>) -> Struct {
    address_of(address_schema(), street, zip)
}

pub(crate) fn address_of(schema: Schema, street: &str, zip: Option<i32>) -> Struct {
    Struct::new(schema)
        .unwrap()
        .with("street", street)
        .unwrap()
        .with("zip", zip)
        .unwrap()
}

pub(crate) fn user_schema() -> Schema {
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

pub(crate) fn user(id: i64) -> Struct {
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

/// Users with every field set: nested, reused and defaulted structs, arrays and decimals.
pub(crate) fn full_users() -> Vec<Struct> {
    let work = || address_of(optional(&address_schema()), "Side St", None);
    let balance = || BigDecimal::from_str("-10.05").unwrap();
    vec![
        user(-2)
            .with("nick", "neo")
            .unwrap()
            .with("level", 3i8)
            .unwrap()
            .with("work", work())
            .unwrap()
            .with(
                "tags",
                Value::Array(vec!["a".into(), Value::Null, "c".into()]),
            )
            .unwrap()
            .with("balance", balance())
            .unwrap()
            .with(
                "previous",
                Value::Array(vec![
                    address("Old St", Some(1)).into(),
                    address("Older St", None).into(),
                ]),
            )
            .unwrap(),
        // The level set to its default.
        user(-2)
            .with("level", 1i8)
            .unwrap()
            .with("nick", "neo")
            .unwrap()
            .with("work", work())
            .unwrap()
            .with("tags", Value::Array(vec!["a".into(), Value::Null]))
            .unwrap()
            .with("balance", balance())
            .unwrap()
            .with(
                "previous",
                Value::Array(vec![address("Old St", Some(1)).into()]),
            )
            .unwrap(),
    ]
}

/// Users with unset (defaulted) fields, and the optional user schema with and without a value.
pub(crate) fn user_cases() -> Vec<(Schema, Value)> {
    let schema = user_schema();
    let optional_user = optional(&schema);
    let value = Struct::from_values(
        optional_user.clone(),
        user(3).with("level", 2i8).unwrap().into_values(),
    )
    .unwrap();
    vec![
        // Unset fields with defaults are written as their defaults.
        (schema, Value::Struct(user(1))),
        (optional_user.clone(), Value::Null),
        (optional_user, Value::Struct(value)),
    ]
}

/// Structs without names, empty ones, and arrays of empty ones.
pub(crate) fn unnamed_struct_cases() -> Vec<(Schema, Value)> {
    let inner = SchemaBuilder::struct_()
        .field("x", Schema::int32())
        .build()
        .unwrap();
    let empty = SchemaBuilder::struct_().build().unwrap();
    let mut cases = Vec::new();
    for with_empties in [false, true] {
        let mut builder = SchemaBuilder::struct_()
            .field("a", inner.clone())
            .field("b", optional(&inner))
            .field("empty", empty.clone());
        if with_empties {
            builder = builder.field(
                "empties",
                SchemaBuilder::array(empty.clone()).build().unwrap(),
            );
        }
        let outer = builder.build().unwrap();
        let mut value = Struct::new(outer.clone())
            .unwrap()
            .with(
                "a",
                Struct::new(inner.clone()).unwrap().with("x", 5).unwrap(),
            )
            .unwrap()
            .with("empty", Struct::new(empty.clone()).unwrap())
            .unwrap();
        if with_empties {
            value = value
                .with(
                    "empties",
                    Value::Array(vec![Struct::new(empty.clone()).unwrap().into(); 3]),
                )
                .unwrap();
        }
        let b = Struct::new(optional(&inner))
            .unwrap()
            .with("x", -5)
            .unwrap();
        cases.push((outer.clone(), Value::Struct(value.clone())));
        cases.push((outer, Value::Struct(value.with("b", b).unwrap())));
    }
    cases
}

/// Enum values, with enhanced Avro schema support.
pub(crate) fn enum_cases() -> Vec<(Schema, Value)> {
    let mut cases = Vec::new();
    for symbol in ["RED", "GREEN", "BLUE"] {
        cases.push((color_schema(), symbol.into()));
        cases.push((optional(&color_schema()), symbol.into()));
    }
    cases.push((optional(&color_schema()), Value::Null));
    cases
}

pub(crate) fn fixed_schema() -> Schema {
    SchemaBuilder::bytes()
        .name("com.example.Hash")
        .parameter(CONNECT_AVRO_FIXED_SIZE_PROP, "4")
        .build()
        .unwrap()
}

pub(crate) fn fixed_cases() -> Vec<(Schema, Value)> {
    let value = Value::Bytes(vec![1u8, 2, 3, 4].into());
    vec![
        (fixed_schema(), value.clone()),
        (optional(&fixed_schema()), value),
    ]
}

/// A map with several string keys, not in key order, and the same map in key order (the order
/// `to_connect_data` sorts it into; apache-avro keeps neither).
pub(crate) fn multi_key_map() -> (Schema, Value, Value) {
    let schema = SchemaBuilder::map(Schema::string(), Schema::float64())
        .build()
        .unwrap();
    let unsorted = Value::Map(vec![
        ("c".into(), (-3.5).into()),
        ("a".into(), 1.0.into()),
        ("b".into(), 2.0.into()),
    ]);
    let sorted = Value::Map(vec![
        ("a".into(), 1.0.into()),
        ("b".into(), 2.0.into()),
        ("c".into(), (-3.5).into()),
    ]);
    (schema, unsorted, sorted)
}

/// Arrays and maps (those with string keys, at most one, and those written as arrays of
/// MapEntry records), alone and in containers.
pub(crate) fn container_cases() -> Vec<(Schema, Value)> {
    let ints = SchemaBuilder::array(Schema::optional_int32())
        .build()
        .unwrap();
    let string_map = SchemaBuilder::map(Schema::string(), Schema::float64())
        .build()
        .unwrap();
    let optional_values = SchemaBuilder::map(Schema::string(), optional(&address_schema()))
        .optional()
        .build()
        .unwrap();
    // Maps without required string keys are arrays of MapEntry records.
    let int_map = SchemaBuilder::map(Schema::int16(), logical::date_schema())
        .build()
        .unwrap();
    let named_map = SchemaBuilder::map(Schema::optional_string(), Schema::int64())
        .name("com.example.Counts")
        .build()
        .unwrap();
    let struct_keys = SchemaBuilder::map(address_schema(), Schema::optional_boolean())
        .build()
        .unwrap();
    let mut cases = vec![
        (ints.clone(), Value::Array(vec![])),
        (
            ints.clone(),
            Value::Array(vec![1.into(), Value::Null, (-3).into()]),
        ),
        (
            ints.clone(),
            Value::Array((0..300).map(Value::Int32).collect()),
        ),
        (string_map.clone(), Value::Map(vec![])),
        (string_map, Value::Map(vec![("a".into(), 1.0.into())])),
        (optional_values.clone(), Value::Null),
        (
            optional_values.clone(),
            Value::Map(vec![("k".into(), Value::Null)]),
        ),
        (
            optional_values,
            Value::Map(vec![(
                "k".into(),
                address_of(optional(&address_schema()), "A", Some(1)).into(),
            )]),
        ),
        (int_map.clone(), Value::Map(vec![])),
        (
            int_map.clone(),
            Value::Map(vec![
                (Value::Int16(1), Value::Date(3)),
                (Value::Int16(-2), Value::Date(4)),
                (Value::Int16(1), Value::Date(5)),
            ]),
        ),
        (
            named_map,
            Value::Map(vec![
                ("x".into(), Value::Int64(1)),
                (Value::Null, Value::Int64(2)),
            ]),
        ),
        (
            struct_keys,
            Value::Map(vec![
                (address("A", None).into(), true.into()),
                (address("B", Some(2)).into(), Value::Null),
            ]),
        ),
    ];

    // Containers in containers, the entry record reused by reference; with and without a map
    // of arrays.
    for by_name in [true, false] {
        let mut builder = SchemaBuilder::struct_()
            .name("com.example.Nested")
            .field(
                "grid",
                SchemaBuilder::array(SchemaBuilder::array(Schema::int64()).build().unwrap())
                    .build()
                    .unwrap(),
            )
            .field("first", int_map.clone())
            .field("second", optional(&int_map));
        if by_name {
            builder = builder.field(
                "by_name",
                SchemaBuilder::map(Schema::string(), ints.clone())
                    .build()
                    .unwrap(),
            );
        }
        let nested = builder.build().unwrap();
        let row: Vec<Value> = if by_name {
            vec![1i64.into(), 2i64.into()]
        } else {
            vec![1i64.into()]
        };
        let mut value = Struct::new(nested.clone())
            .unwrap()
            .with(
                "grid",
                Value::Array(vec![Value::Array(row), Value::Array(vec![])]),
            )
            .unwrap()
            .with("first", Value::Map(vec![(Value::Int16(7), Value::Date(1))]))
            .unwrap()
            .with(
                "second",
                Value::Map(vec![(Value::Int16(8), Value::Date(2))]),
            )
            .unwrap();
        if by_name {
            value = value
                .with(
                    "by_name",
                    Value::Map(vec![("n".into(), Value::Array(vec![Value::Null]))]),
                )
                .unwrap();
        }
        cases.push((nested, Value::Struct(value)));
    }
    cases
}

/// The schema of the property tests: every type, logical type and container.
pub(crate) fn everything_schema() -> Schema {
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

pub(crate) fn everything_value() -> impl Strategy<Value = Value> {
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
