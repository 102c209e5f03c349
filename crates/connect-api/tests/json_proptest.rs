//! Round trips through the JSON converter for generated schemas and values.
//!
//! Schemas are generated recursively (primitives, logical types, arrays, maps with any key
//! type, structs) with random optionality, names, versions, docs, parameters and defaults; values
//! are generated to match. Writing then reading must give back the same schema and value, and
//! writing what was read must give the same bytes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::BigInt;
use connect_api::data::logical::{self, LogicalType};
use connect_api::data::{Schema, SchemaAndValue, SchemaBuilder, Struct, Type, Value};
use connect_api::storage::json::{DecimalFormat, JsonConverter, JsonConverterConfig};
use proptest::collection::vec;
use proptest::prelude::*;

/// A schema under construction, and whether it already has a name (logical types do).
#[derive(Debug, Clone)]
struct Base {
    builder: SchemaBuilder,
    named: bool,
}

#[derive(Debug, Clone)]
struct Meta {
    optional: bool,
    name: Option<String>,
    version: Option<i32>,
    doc: Option<String>,
    params: Vec<(String, String)>,
    with_default: bool,
}

fn leaf_base() -> impl Strategy<Value = Base> {
    let primitives: Vec<Type> = Type::ALL.into_iter().filter(|t| t.is_primitive()).collect();
    let primitive = prop::sample::select(primitives).prop_map(|ty| Base {
        builder: SchemaBuilder::new(ty),
        named: false,
    });
    let named = |builder: SchemaBuilder| Base {
        builder,
        named: true,
    };
    prop_oneof![
        6 => primitive,
        1 => (-4i32..24).prop_map(move |scale| named(logical::decimal_builder(scale))),
        1 => Just(named(logical::date_builder())),
        1 => Just(named(logical::time_builder())),
        1 => Just(named(logical::timestamp_builder())),
    ]
}

fn meta() -> impl Strategy<Value = Meta> {
    (
        any::<bool>(),
        prop::option::weighted(0.2, "[ -~]{0,10}"),
        prop::option::weighted(0.2, any::<i32>()),
        prop::option::weighted(0.2, any::<String>()),
        vec(("p[ -~]{0,4}", any::<String>()), 0..3),
        prop::bool::weighted(0.25),
    )
        .prop_map(
            |(optional, name, version, doc, params, with_default)| Meta {
                optional,
                name,
                version,
                doc,
                params,
                with_default,
            },
        )
}

/// Adds metadata, optionality and maybe a default to a base schema.
fn decorate(base: impl Strategy<Value = Base> + 'static) -> BoxedStrategy<Schema> {
    (base, meta())
        .prop_flat_map(|(base, meta)| {
            let mut builder = base.builder;
            if !base.named {
                if let Some(name) = meta.name {
                    builder = builder.name(name);
                }
                if let Some(version) = meta.version {
                    builder = builder.version(version);
                }
            }
            if let Some(doc) = meta.doc {
                builder = builder.doc(doc);
            }
            for (k, v) in meta.params {
                builder = builder.parameter(k, v);
            }
            let optional = meta.optional;
            let finish = move |builder: SchemaBuilder, default: Option<Value>| {
                let builder = if optional {
                    builder.optional()
                } else {
                    builder
                };
                let builder = match default {
                    Some(v) => builder.default_value(v),
                    None => builder,
                };
                builder.build().unwrap()
            };
            if meta.with_default {
                // A default is a value of the required, default-less form of the schema.
                let required = builder.clone().build().unwrap();
                non_null_value(&required)
                    .prop_map(move |v| finish(builder.clone(), Some(v)))
                    .boxed()
            } else {
                Just(finish(builder, None)).boxed()
            }
        })
        .boxed()
}

fn arb_schema() -> BoxedStrategy<Schema> {
    decorate(leaf_base())
        .prop_recursive(3, 24, 4, |inner| {
            let array = inner.clone().prop_map(|s| Base {
                builder: SchemaBuilder::array(s),
                named: false,
            });
            let map = (inner.clone(), inner.clone()).prop_map(|(k, v)| Base {
                builder: SchemaBuilder::map(k, v),
                named: false,
            });
            let structure =
                (vec(inner, 0..5), vec("[a-z\"é \\\\]{0,3}", 5)).prop_map(|(fields, suffixes)| {
                    let mut builder = SchemaBuilder::struct_();
                    for (i, field) in fields.into_iter().enumerate() {
                        builder = builder.field(format!("f{i}{}", suffixes[i]), field);
                    }
                    Base {
                        builder,
                        named: false,
                    }
                });
            decorate(prop_oneof![array, map, structure])
        })
        .boxed()
}

/// A value of `schema`; null only where the schema is optional and has no default, since a
/// null with a default reads back as the default.
fn value_for(schema: &Schema) -> BoxedStrategy<Value> {
    let value = non_null_value(schema);
    if schema.is_optional() && schema.default_value().is_none() {
        prop_oneof![1 => Just(Value::Null), 4 => value].boxed()
    } else {
        value
    }
}

fn big_decimal(scale: i64) -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(BigInt::from),
        vec(any::<u8>(), 1..20).prop_map(|bytes| BigInt::from_signed_bytes_be(&bytes)),
    ]
    .prop_map(move |unscaled| Value::Decimal(BigDecimal::new(unscaled, scale)))
}

fn non_null_value(schema: &Schema) -> BoxedStrategy<Value> {
    match LogicalType::of(schema) {
        Some(LogicalType::Decimal) => {
            return big_decimal(logical::decimal_scale(schema).unwrap()).boxed();
        }
        Some(LogicalType::Date) => return any::<i32>().prop_map(Value::Date).boxed(),
        Some(LogicalType::Time) => return (0..86_400_000i32).prop_map(Value::Time).boxed(),
        Some(LogicalType::Timestamp) => return any::<i64>().prop_map(Value::Timestamp).boxed(),
        None => {}
    }
    match schema.type_() {
        Type::Int8 => any::<i8>().prop_map(Value::Int8).boxed(),
        Type::Int16 => any::<i16>().prop_map(Value::Int16).boxed(),
        Type::Int32 => any::<i32>().prop_map(Value::Int32).boxed(),
        Type::Int64 => any::<i64>().prop_map(Value::Int64).boxed(),
        Type::Float32 => any::<f32>().prop_map(Value::Float32).boxed(),
        Type::Float64 => any::<f64>().prop_map(Value::Float64).boxed(),
        Type::Boolean => any::<bool>().prop_map(Value::Boolean).boxed(),
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::Bytes => vec(any::<u8>(), 0..24).prop_map(Value::from).boxed(),
        Type::Array => vec(value_for(schema.value_schema().unwrap()), 0..4)
            .prop_map(Value::Array)
            .boxed(),
        Type::Map => vec(
            (
                non_null_value(schema.key_schema().unwrap()),
                value_for(schema.value_schema().unwrap()),
            ),
            0..4,
        )
        .prop_map(|entries| Value::Map(distinct_keys(entries)))
        .boxed(),
        Type::Struct => {
            let schema = schema.clone();
            let fields: Vec<_> = schema
                .fields()
                .iter()
                .map(|f| value_for(f.schema()))
                .collect();
            fields
                .prop_map(move |values| {
                    Value::Struct(Struct::from_values(schema.clone(), values).unwrap())
                })
                .boxed()
        }
    }
}

fn distinct_keys(entries: Vec<(Value, Value)>) -> Vec<(Value, Value)> {
    let mut out: Vec<(Value, Value)> = Vec::new();
    for (k, v) in entries {
        if !out.iter().any(|(seen, _)| *seen == k) {
            out.push((k, v));
        }
    }
    out
}

fn schema_and_value() -> impl Strategy<Value = (Schema, Value)> {
    arb_schema().prop_flat_map(|schema| {
        let value = value_for(&schema);
        (Just(schema), value)
    })
}

fn converter(decimal_format: DecimalFormat, schemas_enable: bool) -> JsonConverter {
    JsonConverter::with_config(JsonConverterConfig {
        decimal_format,
        schemas_enable,
        ..JsonConverterConfig::default()
    })
}

/// Plain JSON-like values, which survive a trip without a schema.
fn schemaless_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Boolean),
        any::<i64>().prop_map(Value::Int64),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::Float64),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            vec((any::<String>(), inner), 0..6).prop_map(|entries| {
                Value::Map(distinct_keys(
                    entries
                        .into_iter()
                        .map(|(k, v)| (Value::String(k), v))
                        .collect(),
                ))
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn round_trip_with_schema((schema, value) in schema_and_value()) {
        for format in [DecimalFormat::Base64, DecimalFormat::Numeric] {
            let c = converter(format, true);
            let bytes = c.encode(Some(&schema), &value).unwrap().unwrap();
            let back = c.decode(Some(&bytes)).unwrap_or_else(|e| {
                panic!("{e}\n{}", String::from_utf8_lossy(&bytes))
            });
            prop_assert_eq!(back.schema.as_ref(), Some(&schema));
            prop_assert_eq!(&back.value, &value);
            // What was read is written to the same bytes.
            let again = c.encode(back.schema.as_ref(), &back.value).unwrap().unwrap();
            prop_assert_eq!(again, bytes);
        }
    }

    #[test]
    fn round_trip_payload_only((schema, value) in schema_and_value()) {
        // Without the envelope the schema is not written; reading with it is the job of
        // whoever knows it, so check the schema translation separately.
        let c = converter(DecimalFormat::Numeric, false);
        let bytes = c.encode(Some(&schema), &value).unwrap().unwrap();
        prop_assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_ok());
        let json = c.as_json_schema(&schema).unwrap();
        prop_assert_eq!(c.as_connect_schema(&json).unwrap(), Some(schema));
    }

    #[test]
    fn round_trip_without_schema(value in schemaless_value()) {
        for schemas_enable in [true, false] {
            let c = converter(DecimalFormat::Base64, schemas_enable);
            match c.encode(None, &value).unwrap() {
                None => prop_assert!(value.is_null()),
                Some(bytes) => {
                    let back = c.decode(Some(&bytes)).unwrap();
                    prop_assert_eq!(back, SchemaAndValue::new(None, value.clone()));
                }
            }
        }
    }
}
