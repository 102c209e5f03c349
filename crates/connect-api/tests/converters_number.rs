//! The numeric converters and `BooleanConverter`: Kafka's serializer formats, round trips, and
//! the messages of Kafka's `NumberConverter`, `BooleanConverter` and deserializers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use connect_api::config::ConfigMap;
use connect_api::data::{Schema, SchemaAndValue, Value};
use connect_api::header::Headers;
use connect_api::storage::{
    BooleanConverter, Converter, DoubleConverter, FloatConverter, HeaderConverter,
    IntegerConverter, LongConverter, NumberConverter, NumberFormat, ShortConverter,
};
use futures::executor::block_on;
use proptest::prelude::*;

const TOPIC: &str = "topic";

fn write<C: Converter>(
    converter: &C,
    value: &Value,
) -> connect_api::error::Result<Option<Vec<u8>>> {
    let written = block_on(converter.from_connect_data(TOPIC, &mut Headers::new(), None, value))?;
    Ok(written.map(|b| b.to_vec()))
}

fn read<C: Converter>(
    converter: &C,
    data: Option<&[u8]>,
) -> connect_api::error::Result<SchemaAndValue> {
    block_on(converter.to_connect_data(TOPIC, &Headers::new(), data))
}

fn configured<T: NumberFormat>() -> NumberConverter<T> {
    let mut converter = NumberConverter::<T>::new();
    Converter::configure(&mut converter, &ConfigMap::new(), false).unwrap();
    converter
}

/// Writes and reads back each sample, checking the bytes' length and the schema.
fn assert_round_trips<T: NumberFormat>(samples: &[Value]) {
    let converter = configured::<T>();
    for sample in samples {
        let bytes = write(&converter, sample).unwrap().unwrap();
        assert_eq!(bytes.len(), size_of::<T>());
        let back = read(&converter, Some(&bytes)).unwrap();
        assert_eq!(back, SchemaAndValue::new(Some(T::schema()), sample.clone()));
    }
}

#[test]
fn round_trips_of_every_type() {
    assert_round_trips::<i16>(&[i16::MIN, -1, 0, 1, i16::MAX].map(Value::Int16));
    assert_round_trips::<i32>(&[i32::MIN, -1, 0, 1, i32::MAX].map(Value::Int32));
    assert_round_trips::<i64>(&[i64::MIN, -1, 0, 1, i64::MAX].map(Value::Int64));
    assert_round_trips::<f32>(
        &[
            f32::MIN,
            -1.5,
            0.0,
            -0.0,
            f32::MIN_POSITIVE,
            f32::MAX,
            f32::INFINITY,
            f32::NAN,
        ]
        .map(Value::Float32),
    );
    assert_round_trips::<f64>(
        &[
            f64::MIN,
            -1.5,
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::NEG_INFINITY,
            f64::NAN,
        ]
        .map(Value::Float64),
    );
}

#[test]
fn formats_are_big_endian() {
    assert_eq!(
        write(&ShortConverter::new(), &Value::Int16(258))
            .unwrap()
            .unwrap(),
        [1, 2]
    );
    assert_eq!(
        write(&IntegerConverter::new(), &Value::Int32(1))
            .unwrap()
            .unwrap(),
        [0, 0, 0, 1]
    );
    assert_eq!(
        write(&LongConverter::new(), &Value::Int64(-1))
            .unwrap()
            .unwrap(),
        [0xFF; 8]
    );
    assert_eq!(
        write(&FloatConverter::new(), &Value::Float32(1.0))
            .unwrap()
            .unwrap(),
        [0x3F, 0x80, 0, 0]
    );
    assert_eq!(
        write(&DoubleConverter::new(), &Value::Float64(1.0))
            .unwrap()
            .unwrap(),
        [0x3F, 0xF0, 0, 0, 0, 0, 0, 0]
    );
}

#[test]
fn nulls() {
    let converter = LongConverter::new();
    assert_eq!(write(&converter, &Value::Null).unwrap(), None);
    assert_eq!(
        read(&converter, None).unwrap(),
        SchemaAndValue::new(Some(Schema::optional_int64()), Value::Null)
    );
}

#[test]
fn the_schema_is_ignored_on_write() {
    let converter = ShortConverter::new();
    let written = block_on(converter.from_connect_data(
        TOPIC,
        &mut Headers::new(),
        Some(&Schema::string()),
        &Value::Int16(1),
    ))
    .unwrap();
    assert_eq!(written.as_deref(), Some(&[0u8, 1][..]));
}

fn rejection<T: NumberFormat>(value: Value) -> String {
    let err = write(&NumberConverter::<T>::new(), &value).unwrap_err();
    assert!(err.is_data());
    err.to_string()
}

#[test]
fn values_of_another_type_are_rejected() {
    assert_eq!(
        rejection::<i16>(Value::Int32(1)),
        "Failed to serialize to short (was class java.lang.Integer): class java.lang.Integer cannot be cast to class java.lang.Short"
    );
    assert_eq!(
        rejection::<i32>(Value::Int16(1)),
        "Failed to serialize to integer (was class java.lang.Short): class java.lang.Short cannot be cast to class java.lang.Integer"
    );
    assert_eq!(
        rejection::<i64>("1".into()),
        "Failed to serialize to long (was class java.lang.String): class java.lang.String cannot be cast to class java.lang.Long"
    );
    assert_eq!(
        rejection::<f32>(Value::Float64(1.0)),
        "Failed to serialize to float (was class java.lang.Double): class java.lang.Double cannot be cast to class java.lang.Float"
    );
    assert_eq!(
        rejection::<f64>(Value::Float32(1.0)),
        "Failed to serialize to double (was class java.lang.Float): class java.lang.Float cannot be cast to class java.lang.Double"
    );
    assert_eq!(
        rejection::<i64>(Value::Timestamp(1)),
        "Failed to serialize to long (was class java.util.Date): class java.util.Date cannot be cast to class java.lang.Long"
    );
}

#[test]
fn data_of_the_wrong_size_is_rejected() {
    let size_error = |result: connect_api::error::Result<SchemaAndValue>| {
        let err = result.unwrap_err();
        assert!(err.is_data());
        err.to_string()
    };
    assert_eq!(
        size_error(read(&ShortConverter::new(), Some(&[1]))),
        "Failed to deserialize short: Size of data received by ShortDeserializer is not 2"
    );
    assert_eq!(
        size_error(read(&IntegerConverter::new(), Some(&[1, 2]))),
        "Failed to deserialize integer: Size of data received by IntegerDeserializer is not 4"
    );
    assert_eq!(
        size_error(read(&LongConverter::new(), Some(&[0; 9]))),
        "Failed to deserialize long: Size of data received by LongDeserializer is not 8"
    );
    assert_eq!(
        size_error(read(&FloatConverter::new(), Some(&[]))),
        "Failed to deserialize float: Size of data received by Deserializer is not 4"
    );
    assert_eq!(
        size_error(read(&DoubleConverter::new(), Some(&[0; 4]))),
        "Failed to deserialize double: Size of data received by Deserializer is not 8"
    );
}

#[test]
fn numbers_as_header_converters() {
    let mut converter = IntegerConverter::default();
    HeaderConverter::configure(&mut converter, &ConfigMap::new()).unwrap();
    let bytes = converter
        .from_connect_header(TOPIC, "h", None, &Value::Int32(-2))
        .unwrap();
    assert_eq!(bytes.as_deref(), Some(&[0xFF, 0xFF, 0xFF, 0xFE][..]));
    assert_eq!(
        converter
            .to_connect_header(TOPIC, "h", bytes.as_deref())
            .unwrap(),
        SchemaAndValue::new(Some(Schema::optional_int32()), Value::Int32(-2))
    );
    let bad = [("converter.type".to_string(), "keys".to_string())].into();
    assert!(HeaderConverter::configure(&mut converter, &bad).is_err());
    assert_eq!(format!("{converter:?}"), "NumberConverter<integer>");
}

// --- BooleanConverter --------------------------------------------------------------------------

#[test]
fn booleans_are_one_byte() {
    let mut converter = BooleanConverter::new();
    Converter::configure(&mut converter, &ConfigMap::new(), true).unwrap();
    assert_eq!(write(&converter, &true.into()).unwrap().unwrap(), [1]);
    assert_eq!(write(&converter, &false.into()).unwrap().unwrap(), [0]);
    assert_eq!(write(&converter, &Value::Null).unwrap(), None);
    assert_eq!(
        read(&converter, Some(&[1])).unwrap(),
        SchemaAndValue::new(Some(Schema::optional_boolean()), true.into())
    );
    assert_eq!(read(&converter, Some(&[0])).unwrap().value, false.into());
    assert_eq!(
        read(&converter, None).unwrap(),
        SchemaAndValue::new(Some(Schema::optional_boolean()), Value::Null)
    );
}

#[test]
fn boolean_errors() {
    let converter = BooleanConverter::new();
    let with_schema = |schema: &Schema, value: &Value| {
        block_on(converter.from_connect_data(TOPIC, &mut Headers::new(), Some(schema), value))
    };
    assert!(with_schema(&Schema::optional_boolean(), &true.into()).is_ok());
    assert_eq!(
        with_schema(&Schema::string(), &true.into())
            .unwrap_err()
            .to_string(),
        "Invalid schema type for BooleanConverter: STRING"
    );
    assert_eq!(
        write(&converter, &"true".into()).unwrap_err().to_string(),
        "BooleanConverter is not compatible with objects of type class java.lang.String"
    );
    assert_eq!(
        read(&converter, Some(&[2])).unwrap_err().to_string(),
        "Failed to deserialize boolean: Unexpected byte received by BooleanDeserializer: 2"
    );
    assert_eq!(
        read(&converter, Some(&[0xFF])).unwrap_err().to_string(),
        "Failed to deserialize boolean: Unexpected byte received by BooleanDeserializer: -1"
    );
    for data in [&[][..], &[0, 1][..]] {
        assert_eq!(
            read(&converter, Some(data)).unwrap_err().to_string(),
            "Failed to deserialize boolean: Size of data received by BooleanDeserializer is not 1"
        );
    }
}

#[test]
fn boolean_as_a_header_converter() {
    let mut converter = BooleanConverter;
    HeaderConverter::configure(&mut converter, &ConfigMap::new()).unwrap();
    let bytes = converter
        .from_connect_header(TOPIC, "h", None, &true.into())
        .unwrap();
    assert_eq!(
        converter
            .to_connect_header(TOPIC, "h", bytes.as_deref())
            .unwrap()
            .value,
        Value::Boolean(true)
    );
}

proptest! {
    #[test]
    fn longs_round_trip(v in any::<i64>()) {
        let converter = LongConverter::new();
        let bytes = write(&converter, &Value::Int64(v)).unwrap().unwrap();
        prop_assert_eq!(&bytes[..], &v.to_be_bytes()[..]);
        prop_assert_eq!(read(&converter, Some(&bytes)).unwrap().value, Value::Int64(v));
    }

    #[test]
    fn doubles_round_trip_bit_for_bit(v in any::<f64>()) {
        let converter = DoubleConverter::new();
        let bytes = write(&converter, &Value::Float64(v)).unwrap().unwrap();
        let back = read(&converter, Some(&bytes)).unwrap().value;
        prop_assert!(matches!(back, Value::Float64(b) if b.to_bits() == v.to_bits()));
    }

    #[test]
    fn reading_any_bytes_never_panics(data in proptest::collection::vec(any::<u8>(), 0..10)) {
        let _ = read(&ShortConverter::new(), Some(&data));
        let _ = read(&FloatConverter::new(), Some(&data));
        let _ = read(&BooleanConverter::new(), Some(&data));
    }
}
