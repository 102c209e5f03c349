//! `values::convert_to_*`, `convert_to_string`, `convert_to` and `infer_schema`: Kafka's
//! `ValuesTest` conversions and round trips, Java's number formats and narrowing, and the errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::str::FromStr;

use bigdecimal::BigDecimal;
use bytes::Bytes;
use connect_api::data::values::{self, convert_to_string};
use connect_api::data::{Schema, SchemaBuilder, Struct, Value, logical};
use connect_api::error::DataError;

const DAY: i64 = 86_400_000;

fn decimal(text: &str) -> BigDecimal {
    BigDecimal::from_str(text).unwrap()
}

fn text(value: Value) -> String {
    convert_to_string(None, &value).unwrap()
}

fn string_schema() -> Option<&'static Schema> {
    static STRING: std::sync::LazyLock<Schema> = std::sync::LazyLock::new(Schema::string);
    Some(&STRING)
}

fn message(err: DataError) -> String {
    err.to_string()
}

// --- convert_to_string -------------------------------------------------------------------------

#[test]
fn null_converts_to_no_string() {
    assert_eq!(convert_to_string(None, &Value::Null), None);
    assert_eq!(convert_to_string(string_schema(), &Value::Null), None);
}

#[test]
fn primitives_are_written_as_java_writes_them() {
    assert_eq!(text(Value::Int8(-5)), "-5");
    assert_eq!(text(Value::Int64(i64::MIN)), "-9223372036854775808");
    assert_eq!(text(Value::Boolean(true)), "true");
    assert_eq!(text("plain \"text\"".into()), "plain \"text\"");
    assert_eq!(text(Value::Bytes(Bytes::from_static(&[1, 2, 3]))), "AQID");
}

#[test]
fn doubles_use_java_double_to_string() {
    for (value, expected) in [
        (1.0, "1.0"),
        (-1.5, "-1.5"),
        (100.0, "100.0"),
        (0.001, "0.001"),
        (0.0001, "1.0E-4"),
        (9_999_999.0, "9999999.0"),
        (1e7, "1.0E7"),
        (1e10, "1.0E10"),
        (123_456_789.0, "1.23456789E8"),
        (f64::MAX, "1.7976931348623157E308"),
        (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
        (5e-324, "4.9E-324"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (f64::NAN, "NaN"),
        (f64::INFINITY, "Infinity"),
        (f64::NEG_INFINITY, "-Infinity"),
    ] {
        assert_eq!(text(Value::Float64(value)), expected, "{value:e}");
    }
}

#[test]
fn floats_use_java_float_to_string() {
    for (value, expected) in [
        (1.1f32, "1.1"),
        (1e-5, "1.0E-5"),
        (f32::MAX, "3.4028235E38"),
        (66000.0008, "66000.0"),
        (300.01, "300.01"),
        (16_777_216.0, "1.6777216E7"),
    ] {
        assert_eq!(text(Value::Float32(value)), expected, "{value:e}");
    }
}

#[test]
fn decimals_use_java_big_decimal_to_string() {
    for (value, expected) in [
        (decimal("123.450"), "123.450"),
        (decimal("-0.5"), "-0.5"),
        (decimal("0.000001"), "0.000001"),
        (decimal("0.0000001"), "1E-7"),
        (decimal("-0.00000012"), "-1.2E-7"),
        (BigDecimal::new(0.into(), 2), "0.00"),
        (BigDecimal::new(0.into(), -3), "0E+3"),
        (BigDecimal::new(1.into(), -400), "1E+400"),
        (BigDecimal::new(12345.into(), -3), "1.2345E+7"),
        (decimal("9223372036854775808"), "9223372036854775808"),
    ] {
        assert_eq!(text(Value::Decimal(value)), expected);
    }
}

#[test]
fn temporal_values_use_kafkas_iso_formats_in_utc() {
    assert_eq!(text(Value::Date(19_753)), "2024-01-31");
    assert_eq!(text(Value::Date(1)), "1970-01-02");
    assert_eq!(text(Value::Time(45_296_789)), "12:34:56.789Z");
    assert_eq!(text(Value::Time(0)), "00:00:00.000Z");
    assert_eq!(
        text(Value::Timestamp(1_706_704_496_789)),
        "2024-01-31T12:34:56.789Z"
    );
    assert_eq!(
        text(Value::Timestamp(253_402_300_799_999)),
        "9999-12-31T23:59:59.999Z"
    );
    assert_eq!(text(Value::Timestamp(253_402_300_800_000)), "10000-01-01");
    // The format depends only on the instant, as in Kafka's `dateFormatFor`: anything before
    // one day after the epoch is written as a time.
    assert_eq!(text(Value::Date(0)), "00:00:00.000Z");
    assert_eq!(text(Value::Date(-1)), "00:00:00.000Z");
    assert_eq!(text(Value::Timestamp(-1000)), "23:59:59.000Z");
    assert_eq!(text(Value::Time(86_400_000)), "1970-01-02");
}

#[test]
fn collections_quote_strings_and_bytes() {
    let list = Value::Array(vec![
        "a".into(),
        Value::Int16(1),
        Value::Null,
        Value::Bytes(Bytes::from_static(&[1, 2, 3])),
        Value::Date(19_753),
    ]);
    assert_eq!(text(list), r#"["a",1,null,"AQID",2024-01-31]"#);
    let map = Value::Map(vec![
        ("foo".into(), "123".into()),
        ("bar".into(), "baz".into()),
    ]);
    assert_eq!(text(map), r#"{"foo":"123","bar":"baz"}"#);
    let nested = Value::Array(vec![
        Value::Array(vec![Value::Int8(1), Value::Int8(2)]),
        Value::Map(vec![(Value::Int32(1), Value::Null)]),
    ]);
    assert_eq!(text(nested), "[[1,2],{1:null}]");
    assert_eq!(text(Value::Array(vec![])), "[]");
    assert_eq!(text(Value::Map(vec![])), "{}");
}

#[test]
fn embedded_quotes_and_backslashes_are_escaped() {
    let list = Value::Array(vec![r#"three"blind\"mice"#.into()]);
    assert_eq!(text(list), r#"["three\"blind\\\"mice"]"#);
}

#[test]
fn structs_are_written_as_maps_with_defaults() {
    let schema = SchemaBuilder::struct_()
        .field("a", Schema::int32())
        .field(
            "b",
            SchemaBuilder::string()
                .optional()
                .default_value("x")
                .build()
                .unwrap(),
        )
        .field("c", Schema::optional_float64())
        .build()
        .unwrap();
    let s = Struct::new(schema).unwrap().with("a", 1).unwrap();
    assert_eq!(text(Value::Struct(s)), r#"{"a":1,"b":"x","c":null}"#);
}

// --- round trips as in Kafka's ValuesTest ------------------------------------------------------

/// Kafka's `assertRoundTrip`: write the value as text, convert the text back to the type.
fn round_trip(schema: &Schema, value: &Value) -> Value {
    let serialized = convert_to_string(None, value).map_or(Value::Null, Value::String);
    values::convert_to(
        &SchemaBuilder::from_schema(schema).build().unwrap(),
        string_schema(),
        &serialized,
    )
    .unwrap()
}

#[test]
fn round_trips_of_primitives() {
    for (schema, value) in [
        (Schema::boolean(), Value::Boolean(false)),
        (Schema::boolean(), Value::Boolean(true)),
        (Schema::int8(), Value::Int8(0)),
        (Schema::int8(), Value::Int8(1)),
        (Schema::int16(), Value::Int16(-4321)),
        (Schema::int32(), Value::Int32(1_234_567_890)),
        (Schema::int64(), Value::Int64(1)),
        (Schema::int64(), Value::Int64(i64::MAX)),
        (Schema::float32(), Value::Float32(1.0)),
        (Schema::float32(), Value::Float32(f32::MAX)),
        (Schema::float64(), Value::Float64(1.0)),
        (Schema::float64(), Value::Float64(std::f64::consts::PI)),
        (Schema::string(), Value::from("simple")),
        (Schema::string(), Value::from("")),
        (Schema::string(), Value::from("null")),
        (Schema::string(), Value::from(r#"three"blind\"mice"#)),
        (
            Schema::string(),
            Value::from(r#"string with delimiters: <>?,./\=+-!@#$%^&*(){}[]|;':"#),
        ),
    ] {
        assert_eq!(round_trip(&schema, &value), value, "{schema:?}");
    }
}

#[test]
fn booleans_from_numbers_in_text() {
    assert_eq!(
        values::convert_to_boolean(string_schema(), &"0".into()).unwrap(),
        Some(false)
    );
    assert_eq!(
        values::convert_to_boolean(string_schema(), &"1".into()).unwrap(),
        Some(true)
    );
    assert_eq!(
        values::convert_to_boolean(None, &Value::Float64(0.5)).unwrap(),
        Some(false)
    );
    assert_eq!(
        values::convert_to_boolean(None, &Value::Int32(2)).unwrap(),
        Some(true)
    );
    assert_eq!(
        values::convert_to_boolean(None, &Value::Null).unwrap(),
        None
    );
}

#[test]
fn round_trips_of_maps_and_lists() {
    let string_map = Value::Map(vec![
        ("foo".into(), "123".into()),
        ("bar".into(), "baz".into()),
    ]);
    let short_map = Value::Map(vec![
        ("foo".into(), Value::Int16(12345)),
        ("bar".into(), Value::Int16(0)),
        ("baz".into(), Value::Int16(-4321)),
    ]);
    let int_map = Value::Map(vec![
        ("foo".into(), Value::Int32(1_234_567_890)),
        ("bar".into(), Value::Int32(0)),
        ("baz".into(), Value::Int32(-987_654_321)),
    ]);
    for map in [string_map, short_map, int_map] {
        let serialized = Value::String(text(map.clone()));
        assert_eq!(
            Value::Map(values::convert_to_map(string_schema(), &serialized).unwrap()),
            map
        );
    }
    let int_list = Value::Array(vec![
        Value::Int32(1_234_567_890),
        Value::Int32(-987_654_321),
    ]);
    let string_list = Value::Array(vec!["foo".into(), "bar".into()]);
    for list in [int_list, string_list] {
        let serialized = Value::String(text(list.clone()));
        assert_eq!(
            Value::Array(values::convert_to_list(string_schema(), &serialized).unwrap()),
            list
        );
    }
}

#[test]
fn round_trips_of_temporal_values() {
    let time = Value::Time(45_296_789);
    let date = Value::Date(19_753);
    let timestamp = Value::Timestamp(1_706_704_496_789);
    assert_eq!(
        values::convert_to_time(None, &text(time).into()).unwrap(),
        45_296_789
    );
    assert_eq!(
        values::convert_to_date(None, &text(date).into()).unwrap(),
        19_753
    );
    assert_eq!(
        values::convert_to_timestamp(None, &text(timestamp).into()).unwrap(),
        1_706_704_496_789
    );
}

// --- numbers -----------------------------------------------------------------------------------

#[test]
fn narrowing_wraps_like_a_java_cast() {
    assert_eq!(
        values::convert_to_byte(None, &Value::Int32(300)).unwrap(),
        Some(44)
    );
    assert_eq!(
        values::convert_to_byte(None, &Value::Int16(-129)).unwrap(),
        Some(127)
    );
    assert_eq!(
        values::convert_to_short(None, &"70000".into()).unwrap(),
        Some(4464)
    );
    assert_eq!(
        values::convert_to_integer(None, &Value::Int64(i64::MAX)).unwrap(),
        Some(-1)
    );
    // Doubles saturate to a long first, then narrow.
    assert_eq!(
        values::convert_to_integer(None, &Value::Float64(1e20)).unwrap(),
        Some(-1)
    );
    assert_eq!(
        values::convert_to_long(None, &Value::Float64(1e20)).unwrap(),
        Some(i64::MAX)
    );
    assert_eq!(
        values::convert_to_long(None, &Value::Float32(f32::NAN)).unwrap(),
        Some(0)
    );
}

#[test]
fn fractions_truncate_toward_zero() {
    assert_eq!(
        values::convert_to_byte(None, &"12.7".into()).unwrap(),
        Some(12)
    );
    assert_eq!(
        values::convert_to_byte(None, &"-12.7".into()).unwrap(),
        Some(-12)
    );
    assert_eq!(
        values::convert_to_long(None, &Value::Float64(-1.9)).unwrap(),
        Some(-1)
    );
    assert_eq!(
        values::convert_to_long(None, &"1e3".into()).unwrap(),
        Some(1000)
    );
    assert_eq!(
        values::convert_to_long(None, &Value::Decimal(decimal("-12.99"))).unwrap(),
        Some(-12)
    );
}

#[test]
fn decimals_keep_their_low_64_bits() {
    let long = |d: &str| values::convert_to_long(None, &Value::Decimal(decimal(d))).unwrap();
    assert_eq!(long("18446744073709551617"), Some(1));
    assert_eq!(long("-1e30"), Some(-5_076_944_270_305_263_616));
    assert_eq!(long("1e64"), Some(0));
    assert_eq!(long("0.000000000000000000000000001"), Some(0));
    assert_eq!(
        values::convert_to_integer(None, &Value::Decimal(decimal("4294967297.9"))).unwrap(),
        Some(1)
    );
}

#[test]
fn extreme_exponents_and_scales_are_cheap() {
    let started = std::time::Instant::now();
    assert_eq!(
        values::convert_to_long(None, &"1e2147483647".into()).unwrap(),
        Some(0)
    );
    assert_eq!(
        values::convert_to_long(None, &"-1e-2147483647".into()).unwrap(),
        Some(0)
    );
    assert_eq!(
        values::convert_to_double(None, &"1e2147483647".into()).unwrap(),
        Some(f64::INFINITY)
    );
    for scale in [
        i64::MIN,
        i64::MIN + 1,
        -2_147_483_648,
        2_147_483_647,
        i64::MAX,
    ] {
        let value = Value::Decimal(BigDecimal::new(7.into(), scale));
        assert!(values::convert_to_long(None, &value).is_ok());
        assert!(values::convert_to_double(None, &value).is_ok());
        assert!(convert_to_string(None, &value).is_some());
    }
    assert_eq!(
        text(Value::Decimal(BigDecimal::new(7.into(), i64::MIN))),
        "7E+9223372036854775807"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn floating_conversions() {
    assert_eq!(
        values::convert_to_float(None, &"1.1".into()).unwrap(),
        Some(1.1)
    );
    assert_eq!(
        values::convert_to_float(None, &Value::Int64(16_777_217)).unwrap(),
        Some(16_777_216.0)
    );
    assert_eq!(
        values::convert_to_double(None, &Value::Float32(1.1)).unwrap(),
        Some(1.100000023841858)
    );
    assert_eq!(
        values::convert_to_double(None, &"1e400".into()).unwrap(),
        Some(f64::INFINITY)
    );
    assert_eq!(
        values::convert_to_double(None, &Value::Decimal(decimal("0.1"))).unwrap(),
        Some(0.1)
    );
    assert_eq!(values::convert_to_double(None, &Value::Null).unwrap(), None);
}

#[test]
fn values_that_are_not_numbers() {
    assert_eq!(
        message(values::convert_to_boolean(string_schema(), &"\"green\"".into()).unwrap_err()),
        r#"Unable to convert "green" (class java.lang.String) to Schema{STRING}"#
    );
    assert_eq!(
        message(values::convert_to_long(None, &Value::Boolean(true)).unwrap_err()),
        "Unable to convert true (class java.lang.Boolean) to a number"
    );
    // Java's BigDecimal does not trim.
    assert_eq!(
        message(values::convert_to_long(None, &" 1".into()).unwrap_err()),
        "Unable to convert  1 (class java.lang.String) to a number"
    );
    assert_eq!(
        message(values::convert_to_integer(None, &Value::Array(vec![Value::Int8(1)])).unwrap_err()),
        "Unable to convert [1] (class java.util.ArrayList) to a number"
    );
    assert!(values::convert_to_double(None, &"NaN".into()).is_err());
    assert!(values::convert_to_byte(None, &Value::Bytes(Bytes::new())).is_err());
}

#[test]
fn logical_values_need_their_schema_to_become_numbers() {
    let long = |schema: Option<&Schema>, value: Value| values::convert_to_long(schema, &value);
    assert_eq!(
        long(Some(&logical::timestamp_schema()), Value::Timestamp(5)).unwrap(),
        Some(5)
    );
    assert_eq!(
        long(Some(&logical::date_schema()), Value::Date(2)).unwrap(),
        Some(2)
    );
    assert_eq!(
        long(Some(&logical::time_schema()), Value::Time(7)).unwrap(),
        Some(7)
    );
    assert_eq!(
        message(long(None, Value::Date(2)).unwrap_err()),
        "Unable to convert Sat Jan 03 00:00:00 UTC 1970 (class java.util.Date) to a number"
    );
    assert_eq!(
        message(long(Some(&Schema::int32()), Value::Date(2)).unwrap_err()),
        "Unable to convert Sat Jan 03 00:00:00 UTC 1970 (class java.util.Date) to Schema{INT32}"
    );
}

// --- lists, maps, structs ----------------------------------------------------------------------

#[test]
fn lists_from_text() {
    assert_eq!(
        values::convert_to_list(string_schema(), &"[1, 2, 32768]".into()).unwrap(),
        vec![Value::Int32(1), Value::Int32(2), Value::Int32(32768)]
    );
    let list = vec![Value::Int8(1)];
    assert_eq!(
        values::convert_to_list(None, &Value::Array(list.clone())).unwrap(),
        list
    );
}

#[test]
fn lists_that_do_not_parse() {
    for input in ["[1, 2, 3,,,]", "[1, 2, 3, \"four\",,,]", "not a list"] {
        assert!(
            values::convert_to_list(string_schema(), &input.into()).is_err(),
            "{input}"
        );
    }
    assert_eq!(
        message(values::convert_to_list(None, &Value::Int32(5)).unwrap_err()),
        "Unable to convert 5 (class java.lang.Integer) to Schema{ARRAY}"
    );
    for null in [Value::Null, "null".into()] {
        assert_eq!(
            message(values::convert_to_list(None, &null).unwrap_err()),
            "Unable to convert a null value to a schema that requires a value"
        );
    }
}

#[test]
fn maps_that_do_not_parse() {
    for input in [
        " { \"foo\" :  1234567890 ,, \"bar\" : 0,  \"baz\" : -987654321 }  ",
        " { \"foo\" :  1234567890 , \"a\", \"bar\" : 0,  \"baz\" : -987654321 }  ",
        " { ,,  , , }  ",
        " { \"foo\" :  \"1234567890\" ,, \"bar\" : \"0\",  \"baz\" : \"boz\" }  ",
    ] {
        assert!(
            values::convert_to_map(string_schema(), &input.into()).is_err(),
            "{input}"
        );
    }
    assert!(values::convert_to_map(None, &Value::Null).is_err());
    assert_eq!(
        message(values::convert_to_map(None, &Value::Int8(1)).unwrap_err()),
        "Unable to convert 1 (class java.lang.Byte) to Schema{MAP}"
    );
}

#[test]
fn only_structs_convert_to_structs() {
    let schema = SchemaBuilder::struct_().build().unwrap();
    let s = Struct::new(schema).unwrap();
    assert_eq!(
        values::convert_to_struct(None, &Value::Struct(s.clone())).unwrap(),
        s
    );
    assert!(values::convert_to_struct(None, &Value::Null).is_err());
    assert_eq!(
        message(values::convert_to_struct(None, &"".into()).unwrap_err()),
        "Unable to convert  (class java.lang.String) to Schema{STRUCT}"
    );
}

// --- decimals ----------------------------------------------------------------------------------

#[test]
fn decimals_from_every_form() {
    let expected = decimal("1.0");
    let bytes = Value::Bytes(Bytes::from_static(&[10]));
    for value in [
        Value::Float32(1.0),
        "1.0".into(),
        Value::Decimal(expected.clone()),
        bytes,
    ] {
        let converted = values::convert_to_decimal(None, &value, 1).unwrap();
        assert_eq!(
            Value::Decimal(converted),
            Value::Decimal(expected.clone()),
            "{value:?}"
        );
    }
    // Integers go through their double, written as Java does.
    let five = values::convert_to_decimal(None, &Value::Int32(5), 0).unwrap();
    assert_eq!(Value::Decimal(five), Value::Decimal(decimal("5.0")));
    // Decimals are not rescaled.
    let kept = values::convert_to_decimal(None, &Value::Decimal(decimal("1.234")), 1).unwrap();
    assert_eq!(Value::Decimal(kept), Value::Decimal(decimal("1.234")));
}

#[test]
fn decimal_errors() {
    assert!(values::convert_to_decimal(None, &Value::Null, 1).is_err());
    assert!(values::convert_to_decimal(None, &Value::Float64(f64::NAN), 1).is_err());
    assert!(values::convert_to_decimal(None, &Value::Bytes(Bytes::new()), 1).is_err());
    assert!(values::convert_to_decimal(None, &"abc".into(), 1).is_err());
    assert_eq!(
        message(values::convert_to_decimal(None, &Value::Boolean(true), 2).unwrap_err()),
        "Unable to convert true (class java.lang.Boolean) to Schema{org.apache.kafka.connect.data.Decimal:BYTES}"
    );
}

// --- dates, times, timestamps ------------------------------------------------------------------

#[test]
fn temporal_conversions_reject_null() {
    assert!(values::convert_to_time(None, &Value::Null).is_err());
    assert!(values::convert_to_date(None, &Value::Null).is_err());
    assert!(values::convert_to_timestamp(None, &Value::Null).is_err());
}

#[test]
fn time_values() {
    let now: i64 = 1_706_704_496_789;
    let time_of_day = now % DAY;
    let time = logical::time_schema();
    let ts = logical::timestamp_schema();
    let t = time_of_day as i32;
    assert_eq!(
        values::convert_to_time(Some(&time), &Value::Time(t)).unwrap(),
        t
    );
    assert_eq!(
        values::convert_to_time(Some(&ts), &Value::Timestamp(now)).unwrap(),
        t
    );
    assert_eq!(
        values::convert_to_time(Some(&time), &time_of_day.to_string().into()).unwrap(),
        t
    );
    assert_eq!(
        values::convert_to_time(Some(&time), &Value::Int64(time_of_day)).unwrap(),
        t
    );
    // Before the epoch, the time of day still counts from midnight.
    assert_eq!(
        values::convert_to_time(Some(&ts), &Value::Timestamp(-1000)).unwrap(),
        86_399_000
    );
    assert_eq!(
        values::convert_to_time(None, &Value::Int64(DAY)).unwrap(),
        86_400_000
    );
    assert_eq!(
        message(values::convert_to_time(None, &Value::Int64(DAY + 1)).unwrap_err()),
        "Time values must use number of milliseconds greater than 0 and less than 86400000"
    );
}

#[test]
fn date_values() {
    let date = logical::date_schema();
    let ts = logical::timestamp_schema();
    assert_eq!(
        values::convert_to_date(Some(&date), &Value::Date(19_753)).unwrap(),
        19_753
    );
    assert_eq!(
        values::convert_to_date(Some(&ts), &Value::Timestamp(19_753 * DAY)).unwrap(),
        19_753
    );
    assert_eq!(
        values::convert_to_date(Some(&ts), &Value::Timestamp(19_753 * DAY + 5)).unwrap(),
        19_753
    );
    // Kafka truncates toward the epoch.
    assert_eq!(
        values::convert_to_date(Some(&ts), &Value::Timestamp(-1)).unwrap(),
        0
    );
    assert_eq!(
        values::convert_to_date(Some(&date), &"19753".into()).unwrap(),
        19_753
    );
    assert_eq!(
        values::convert_to_date(Some(&date), &Value::Int64(19_753)).unwrap(),
        19_753
    );
    assert_eq!(
        values::convert_to_date(None, &"2024-01-31".into()).unwrap(),
        19_753
    );
    assert_eq!(
        message(values::convert_to_date(None, &Value::Time(5)).unwrap_err()),
        "Kafka Connect Date type should not have any time fields set to non-zero values."
    );
}

#[test]
fn a_parsed_temporal_with_a_string_schema_fails_as_in_kafka() {
    let err = values::convert_to_time(string_schema(), &"12:34:56.789Z".into()).unwrap_err();
    assert_eq!(
        message(err),
        "Unable to convert Thu Jan 01 12:34:56 UTC 1970 (class java.util.Date) to Schema{STRING}"
    );
    assert!(values::convert_to_date(string_schema(), &"2024-01-31".into()).is_err());
}

#[test]
fn timestamp_values() {
    let now: i64 = 1_706_704_496_789;
    let ts = logical::timestamp_schema();
    let date = logical::date_schema();
    let time = logical::time_schema();
    assert_eq!(
        values::convert_to_timestamp(Some(&ts), &Value::Timestamp(now)).unwrap(),
        now
    );
    assert_eq!(
        values::convert_to_timestamp(Some(&date), &Value::Date(19_753)).unwrap(),
        19_753 * DAY
    );
    assert_eq!(
        values::convert_to_timestamp(Some(&time), &Value::Time(5)).unwrap(),
        5
    );
    assert_eq!(
        values::convert_to_timestamp(Some(&time), &Value::Int64(5)).unwrap(),
        5
    );
    assert_eq!(
        values::convert_to_timestamp(Some(&ts), &now.to_string().into()).unwrap(),
        now
    );
    assert_eq!(
        values::convert_to_timestamp(Some(&ts), &Value::Int64(now)).unwrap(),
        now
    );
    assert_eq!(
        values::convert_to_timestamp(None, &"2024-01-31T12:34:56.789Z".into()).unwrap(),
        now
    );
    assert_eq!(
        values::convert_to_timestamp(None, &"2024-01-31".into()).unwrap(),
        19_753 * DAY
    );
}

// --- convert_to --------------------------------------------------------------------------------

#[test]
fn convert_to_dispatches_on_the_target_schema() {
    let convert = |to: &Schema, value: Value| values::convert_to(to, None, &value);
    assert_eq!(
        convert(&Schema::int8(), Value::Int32(300)).unwrap(),
        Value::Int8(44)
    );
    assert_eq!(
        convert(&Schema::optional_int8(), Value::Null).unwrap(),
        Value::Null
    );
    assert_eq!(
        message(convert(&Schema::int8(), Value::Null).unwrap_err()),
        "Unable to convert a null value to a schema that requires a value"
    );
    assert_eq!(
        convert(&logical::date_schema(), "2024-01-31".into()).unwrap(),
        Value::Date(19_753)
    );
    assert_eq!(
        convert(
            &logical::decimal_schema(2),
            Value::Bytes(Bytes::from_static(&[0x00, 0x9C]))
        )
        .unwrap(),
        Value::Decimal(decimal("1.56"))
    );
    assert_eq!(
        convert(&logical::decimal_schema(2), Value::Decimal(decimal("1.56"))).unwrap(),
        Value::Decimal(decimal("1.56"))
    );
    assert_eq!(
        convert(&Schema::string(), Value::Array(vec!["a".into()])).unwrap(),
        Value::from(r#"["a"]"#)
    );
    assert_eq!(
        convert(&Schema::boolean(), "true".into()).unwrap(),
        Value::Boolean(true)
    );
    let array = SchemaBuilder::array(Schema::int8()).build().unwrap();
    assert_eq!(
        convert(&array, "[1,2]".into()).unwrap(),
        Value::Array(vec![Value::Int8(1), Value::Int8(2)])
    );
    assert_eq!(
        message(convert(&Schema::bytes(), Value::Int8(1)).unwrap_err()),
        "Unable to convert 1 (class java.lang.Byte) to Schema{BYTES}"
    );
    let structure = SchemaBuilder::struct_().name("s").build().unwrap();
    assert_eq!(
        message(convert(&structure, Value::Int32(1)).unwrap_err()),
        "Unable to convert 1 (class java.lang.Integer) to Schema{s:STRUCT}"
    );
}

// --- infer_schema ------------------------------------------------------------------------------

#[test]
fn infer_schema_like_kafka() {
    assert_eq!(
        values::infer_schema(&Value::Int32(1)),
        Some(Schema::int32())
    );
    assert_eq!(values::infer_schema(&"x".into()), Some(Schema::string()));
    assert_eq!(
        values::infer_schema(&Value::Bytes(Bytes::from_static(&[0]))),
        Some(Schema::bytes())
    );
    assert_eq!(values::infer_schema(&Value::Null), None);
    assert_eq!(values::infer_schema(&Value::Decimal(decimal("1"))), None);
    assert_eq!(values::infer_schema(&Value::Date(1)), None);
    assert_eq!(values::infer_schema(&Value::Array(vec![])), None);
    assert_eq!(values::infer_schema(&Value::Map(vec![])), None);
    assert_eq!(
        values::infer_schema(&Value::Array(vec![Value::Int64(1), Value::Null])),
        Some(
            SchemaBuilder::array(Schema::optional_int64())
                .build()
                .unwrap()
        )
    );
    assert_eq!(
        values::infer_schema(&Value::Array(vec![Value::Int64(1), Value::Int32(1)])),
        None
    );
    assert_eq!(
        values::infer_schema(&Value::Map(vec![("a".into(), Value::Int32(1))])),
        Some(
            SchemaBuilder::map(Schema::string(), Schema::int32())
                .build()
                .unwrap()
        )
    );
    assert_eq!(
        values::infer_schema(&Value::Array(vec![Value::Array(vec![])])),
        None
    );
    let schema = SchemaBuilder::struct_()
        .field("a", Schema::int8())
        .build()
        .unwrap();
    let s = Struct::new(schema.clone()).unwrap();
    assert_eq!(values::infer_schema(&Value::Struct(s)), Some(schema));
}

#[test]
fn java_class_names() {
    assert_eq!(values::java_class_name(&Value::Bytes(Bytes::new())), "[B");
    assert_eq!(
        values::java_class_name(&Value::Timestamp(0)),
        "java.util.Date"
    );
    assert_eq!(
        values::java_class_name(&Value::Decimal(decimal("1"))),
        "java.math.BigDecimal"
    );
}
