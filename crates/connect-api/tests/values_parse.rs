//! `values::parse_string`: Kafka's `ValuesTest` and `SimpleHeaderConverterTest` cases, the
//! examples of the spec, and edge cases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::str::FromStr;

use bigdecimal::BigDecimal;
use chrono::{NaiveDate, NaiveDateTime};
use connect_api::data::values::{self, parse_string};
use connect_api::data::{Schema, SchemaAndValue, SchemaBuilder, Type, Value, logical};

const WHITESPACE: &str = "\n \t \t\n";

fn string(text: &str) -> SchemaAndValue {
    SchemaAndValue::new(Some(Schema::string()), Value::from(text))
}

fn assert_string(text: &str) {
    assert_eq!(parse_string(text), string(text), "{text:?}");
}

fn parsed(schema: Schema, value: impl Into<Value>) -> SchemaAndValue {
    SchemaAndValue::new(Some(schema), value.into())
}

fn decimal(text: &str) -> BigDecimal {
    BigDecimal::from_str(text).unwrap()
}

fn days(date: &str) -> i32 {
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    logical::date_to_days(date)
}

fn millis(timestamp: &str) -> i64 {
    NaiveDateTime::parse_from_str(timestamp, "%Y-%m-%dT%H:%M:%S%.3fZ")
        .unwrap()
        .and_utc()
        .timestamp_millis()
}

fn array_of(schema: Schema) -> Schema {
    SchemaBuilder::array(schema).build().unwrap()
}

fn map_of(key: Schema, value: Schema) -> Schema {
    SchemaBuilder::map(key, value).build().unwrap()
}

// --- literals and plain strings ---------------------------------------------------------------

#[test]
fn empty_and_blank_strings_stay_strings() {
    assert_string("");
    assert_string("  ");
    assert_string(WHITESPACE);
}

#[test]
fn plain_strings() {
    for text in [
        "simple",
        "simple string",
        "simple \n\t\u{8}string",
        "'simple' string",
        "si\\mple",
        "si\\\\mple",
        "si\\\"mple",
        "si\\{mple",
        "si\\}mple",
        "si\\]mple",
        "si\\[mple",
        "si\\:mple",
        "si\\,mple",
        "héllo wörld",
        "日本語",
        "\u{FFFF}",
        "TRUE",
        "Null",
        "\"quoted at the top level\"",
        "a{b",
        "a:b",
        ",",
        ":",
        "\"",
        "{",
        "}",
        "[",
        "]",
    ] {
        assert_string(text);
    }
}

#[test]
fn booleans_with_surrounding_whitespace() {
    let t = parse_string(&format!("{WHITESPACE}true{WHITESPACE}"));
    assert_eq!(t, parsed(Schema::boolean(), true));
    let f = parse_string(&format!("{WHITESPACE}false{WHITESPACE}"));
    assert_eq!(f, parsed(Schema::boolean(), false));
}

#[test]
fn null_literal_is_no_schema_and_null() {
    assert_eq!(parse_string("null"), SchemaAndValue::NULL);
    assert_eq!(
        parse_string(&format!("{WHITESPACE}null{WHITESPACE}")),
        SchemaAndValue::NULL
    );
}

#[test]
fn literals_followed_by_more_text_are_strings() {
    assert_string("null=");
    assert_string("true}");
    assert_string("false]");
    assert_string("true false");
}

// --- numbers -----------------------------------------------------------------------------------

#[test]
fn integers_take_the_smallest_type() {
    assert_eq!(parse_string("0"), parsed(Schema::int8(), Value::Int8(0)));
    assert_eq!(
        parse_string("127"),
        parsed(Schema::int8(), Value::Int8(127))
    );
    assert_eq!(
        parse_string("-128"),
        parsed(Schema::int8(), Value::Int8(-128))
    );
    assert_eq!(
        parse_string("128"),
        parsed(Schema::int16(), Value::Int16(128))
    );
    assert_eq!(
        parse_string("12345"),
        parsed(Schema::int16(), Value::Int16(12345))
    );
    assert_eq!(
        parse_string("-32768"),
        parsed(Schema::int16(), Value::Int16(-32768))
    );
    assert_eq!(
        parse_string("32768"),
        parsed(Schema::int32(), Value::Int32(32768))
    );
    assert_eq!(
        parse_string("1234567890"),
        parsed(Schema::int32(), Value::Int32(1_234_567_890))
    );
    assert_eq!(
        parse_string(&i32::MIN.to_string()),
        parsed(Schema::int32(), Value::Int32(i32::MIN))
    );
    assert_eq!(
        parse_string("2147483648"),
        parsed(Schema::int64(), Value::Int64(2_147_483_648))
    );
    assert_eq!(
        parse_string(&i64::MAX.to_string()),
        parsed(Schema::int64(), Value::Int64(i64::MAX))
    );
    assert_eq!(
        parse_string(&i64::MIN.to_string()),
        parsed(Schema::int64(), Value::Int64(i64::MIN))
    );
}

#[test]
fn signs_leading_zeros_and_whitespace() {
    assert_eq!(parse_string("+5"), parsed(Schema::int8(), Value::Int8(5)));
    assert_eq!(parse_string("-0"), parsed(Schema::int8(), Value::Int8(0)));
    assert_eq!(parse_string("007"), parsed(Schema::int8(), Value::Int8(7)));
    assert_eq!(
        parse_string("  42\n"),
        parsed(Schema::int8(), Value::Int8(42))
    );
    assert_eq!(parse_string("1."), parsed(Schema::int8(), Value::Int8(1)));
    assert_eq!(
        parse_string("-.5"),
        parsed(Schema::float32(), Value::Float32(-0.5))
    );
    // Only text that starts with a digit or a sign is tried as a number.
    assert_string(".5");
}

#[test]
fn integers_beyond_long_are_decimals_of_scale_zero() {
    let above = "9223372036854775808";
    assert_eq!(
        parse_string(above),
        parsed(logical::decimal_schema(0), decimal(above))
    );
    let below = "-9223372036854775809";
    assert_eq!(
        parse_string(below),
        parsed(logical::decimal_schema(0), decimal(below))
    );
    let huge = "123456789012345678901234567890123456789012345678901234567890";
    assert_eq!(
        parse_string(huge),
        parsed(logical::decimal_schema(0), decimal(huge))
    );
}

#[test]
fn fractional_parts_that_are_zero_give_integers() {
    assert_eq!(parse_string("1.0"), parsed(Schema::int8(), Value::Int8(1)));
    assert_eq!(
        parse_string("1.1"),
        parsed(Schema::float32(), Value::Float32(1.1))
    );
    assert_eq!(
        parse_string("300.0"),
        parsed(Schema::int16(), Value::Int16(300))
    );
    assert_eq!(
        parse_string("300.01"),
        parsed(Schema::float32(), Value::Float32(300.01))
    );
    assert_eq!(
        parse_string("66000.0"),
        parsed(Schema::int32(), Value::Int32(66000))
    );
    assert_eq!(
        parse_string("66000.0008"),
        parsed(Schema::float32(), Value::Float32(66000.0008))
    );
    assert_eq!(
        parse_string("-0.000"),
        parsed(Schema::int8(), Value::Int8(0))
    );
}

#[test]
fn exponents() {
    assert_eq!(
        parse_string("1e5"),
        parsed(Schema::int32(), Value::Int32(100_000))
    );
    assert_eq!(
        parse_string("1E+2"),
        parsed(Schema::int8(), Value::Int8(100))
    );
    assert_eq!(
        parse_string("2.5e1"),
        parsed(Schema::int8(), Value::Int8(25))
    );
    assert_eq!(
        parse_string("2.5e-1"),
        parsed(Schema::float32(), Value::Float32(0.25))
    );
    // Integral but beyond long, with a non-zero scale: a float when in range.
    assert_eq!(
        parse_string("1e30"),
        parsed(Schema::float32(), Value::Float32(1e30))
    );
    assert_eq!(
        parse_string("1.5e39"),
        parsed(Schema::float64(), Value::Float64(1.5e39))
    );
    // Beyond double: a decimal with a negative scale.
    assert_eq!(
        parse_string("1e400"),
        parsed(
            logical::decimal_schema(-400),
            Value::Decimal(BigDecimal::new(1.into(), -400))
        )
    );
    // Underflow is still a (zero) float, as in Java.
    assert_eq!(
        parse_string("1e-50"),
        parsed(Schema::float32(), Value::Float32(0.0))
    );
    // The scale must fit an int.
    assert_eq!(
        parse_string("1e2147483648").schema,
        Some(logical::decimal_schema(i32::MIN))
    );
    assert_string("1e2147483649");
    assert_string("1e99999999999");
}

#[test]
fn float_and_double_extremes() {
    let max = f32::MAX;
    assert_eq!(
        parse_string("3.4028235E38"),
        parsed(Schema::float32(), Value::Float32(max))
    );
    assert_eq!(
        parse_string("-3.4028235E38"),
        parsed(Schema::float32(), Value::Float32(-max))
    );
    assert_eq!(
        parse_string("1.7976931348623157E308"),
        parsed(Schema::float64(), Value::Float64(f64::MAX))
    );
    assert_eq!(
        parse_string("-1.7976931348623157E308"),
        parsed(Schema::float64(), Value::Float64(-f64::MAX))
    );
    // Kafka prefers FLOAT32 even when it loses digits.
    assert_eq!(
        parse_string("3.141592653589793"),
        parsed(Schema::float32(), Value::Float32(std::f32::consts::PI))
    );
}

#[test]
fn malformed_numbers_are_strings() {
    for text in [
        "1e", "e5", "-", "+", "1.5.5", "1_000", "12abc", "0x10", "1e+", "--1", "NaN",
    ] {
        assert_string(text);
    }
}

#[test]
fn a_leading_number_wins_over_what_follows_it() {
    // Kafka reads the first token and ignores the rest once it is a number.
    assert_eq!(
        parse_string("12:xyz"),
        parsed(Schema::int8(), Value::Int8(12))
    );
    assert_eq!(parse_string("1,2"), parsed(Schema::int8(), Value::Int8(1)));
    assert_eq!(parse_string("1}"), parsed(Schema::int8(), Value::Int8(1)));
}

// --- dates and times ---------------------------------------------------------------------------

#[test]
fn iso_date_time_and_timestamp() {
    assert_eq!(
        parse_string("2019-08-23"),
        parsed(logical::date_schema(), Value::Date(days("2019-08-23")))
    );
    assert_eq!(
        parse_string("2024-01-31"),
        parsed(logical::date_schema(), Value::Date(19_753))
    );
    assert_eq!(
        parse_string("14:34:54.346Z"),
        parsed(logical::time_schema(), Value::Time(52_494_346))
    );
    assert_eq!(
        parse_string("2019-08-23T14:34:54.346Z"),
        parsed(
            logical::timestamp_schema(),
            Value::Timestamp(millis("2019-08-23T14:34:54.346Z"))
        )
    );
    assert_eq!(
        parse_string("2024-01-31T12:34:56.789Z").value,
        Value::Timestamp(1_706_704_496_789)
    );
}

#[test]
fn escaped_colons() {
    assert_eq!(
        parse_string("2019-08-23T14\\:34\\:54.346Z").value,
        Value::Timestamp(millis("2019-08-23T14:34:54.346Z"))
    );
    assert_eq!(
        parse_string("14\\:34\\:54.346Z").value,
        Value::Time(52_494_346)
    );
}

#[test]
fn temporal_parsing_is_lenient_like_simple_date_format() {
    // Fields roll over.
    assert_eq!(
        parse_string("2024-13-01").value,
        Value::Date(days("2025-01-01"))
    );
    assert_eq!(
        parse_string("2023-02-29").value,
        Value::Date(days("2023-03-01"))
    );
    assert_eq!(parse_string("25:00:00.000Z").value, Value::Time(90_000_000));
    // Fields may have other widths, and text after the pattern is ignored.
    assert_eq!(
        parse_string("1-1-1xxxxx").value,
        Value::Date(days("0001-01-01"))
    );
    assert_eq!(
        parse_string("2024- 1- 1").value,
        Value::Date(days("2024-01-01"))
    );
    assert_eq!(
        parse_string("2024-01-3x").value,
        Value::Date(days("2024-01-03"))
    );
    // Wrong separators or lengths are not temporal.
    assert_string("2024/01/31");
    assert_string("2024-01-311");
    // Surrounding whitespace is trimmed.
    assert_eq!(parse_string(" 2024-01-31 ").value, Value::Date(19_753));
    assert_eq!(parse_string("12:34:56.789").value, Value::Int8(12)); // the leading number wins
}

// --- arrays ------------------------------------------------------------------------------------

#[test]
fn arrays_of_one_type() {
    assert_eq!(
        parse_string("[true, false]"),
        parsed(
            array_of(Schema::boolean()),
            vec![Value::from(true), Value::from(false)]
        )
    );
    assert_eq!(
        parse_string("[\"foo\", \"bar\"]"),
        parsed(
            array_of(Schema::string()),
            vec![Value::from("foo"), Value::from("bar")]
        )
    );
    assert_eq!(
        parse_string("[1234567890,-987654321]"),
        parsed(
            array_of(Schema::int32()),
            vec![Value::Int32(1_234_567_890), Value::Int32(-987_654_321)]
        )
    );
}

#[test]
fn array_numbers_widen_to_the_widest() {
    assert_eq!(
        parse_string("[1, 2, 32768]"),
        parsed(
            array_of(Schema::int32()),
            vec![Value::Int32(1), Value::Int32(2), Value::Int32(32768)]
        )
    );
    assert_eq!(
        parse_string("[1, 2, 3.4028235E38]"),
        parsed(
            array_of(Schema::float32()),
            vec![
                Value::Float32(1.0),
                Value::Float32(2.0),
                Value::Float32(f32::MAX)
            ]
        )
    );
    assert_eq!(
        parse_string("[1, 2, 1.7976931348623157E308]"),
        parsed(
            array_of(Schema::float64()),
            vec![
                Value::Float64(1.0),
                Value::Float64(2.0),
                Value::Float64(f64::MAX)
            ]
        )
    );
}

#[test]
fn arrays_of_mixed_types_have_no_schema() {
    for (text, expected) in [
        (
            "[1, 2, 300, \"four\"]",
            vec![
                Value::Int8(1),
                Value::Int8(2),
                Value::Int16(300),
                "four".into(),
            ],
        ),
        (
            "[2, 300, \"four\", 1]",
            vec![
                Value::Int8(2),
                Value::Int16(300),
                "four".into(),
                Value::Int8(1),
            ],
        ),
        (
            "[\"four\", 1, 2, 300]",
            vec![
                "four".into(),
                Value::Int8(1),
                Value::Int8(2),
                Value::Int16(300),
            ],
        ),
    ] {
        assert_eq!(
            parse_string(text),
            SchemaAndValue::new(None, Value::Array(expected)),
            "{text}"
        );
    }
}

#[test]
fn empty_and_null_arrays() {
    assert_eq!(
        parse_string("[]"),
        SchemaAndValue::new(None, Value::Array(vec![]))
    );
    assert_eq!(
        parse_string(" [ ] "),
        SchemaAndValue::new(None, Value::Array(vec![]))
    );
    assert_eq!(
        parse_string("[null]"),
        SchemaAndValue::new(None, Value::Array(vec![Value::Null]))
    );
    assert_eq!(
        parse_string("[1, \"a\", null]"),
        SchemaAndValue::new(
            None,
            Value::Array(vec![Value::Int8(1), "a".into(), Value::Null])
        )
    );
}

#[test]
fn a_null_among_typed_elements_makes_a_string() {
    // The common schema is required, so the null cannot be aligned with it.
    assert_string("[1, null]");
    assert_string("[null, 1]");
}

#[test]
fn malformed_arrays_are_strings() {
    for text in [
        "[foo]",
        "[0 1 2]",
        "[1, 2, 3,,,]",
        "[1, 2, 3, \"four\",,,]",
        "[,]",
        "[1",
        "[\"abc]",
        "[true false]",
        "[1:2]",
    ] {
        assert_string(text);
    }
}

#[test]
fn a_trailing_comma_is_accepted() {
    let expected = parsed(array_of(Schema::int8()), vec![Value::Int8(1)]);
    assert_eq!(parse_string("[1,]"), expected);
    assert_eq!(parse_string("[1, ]"), expected);
    assert_eq!(
        parse_string(r#"{"a":1,}"#),
        parsed(
            map_of(Schema::string(), Schema::int8()),
            Value::Map(vec![("a".into(), Value::Int8(1))])
        )
    );
}

#[test]
fn whitespace_before_a_malformed_array_or_map_is_all_that_remains() {
    // Kafka rewinds to the start and returns the first token, which here is the blank prefix.
    assert_eq!(parse_string(" [foo]"), string(" "));
    assert_eq!(parse_string(" { ,,  , , }  "), string(" "));
    assert_eq!(parse_string("\t[1 2]"), string("\t"));
}

#[test]
fn top_level_array_ignores_text_after_it() {
    assert_eq!(
        parse_string("[1,2] trailing"),
        parsed(
            array_of(Schema::int8()),
            vec![Value::Int8(1), Value::Int8(2)]
        )
    );
}

#[test]
fn nested_arrays_and_maps() {
    // Kafka gives these ARRAY/MAP schemas without element schemas, which have no equivalent here.
    assert_eq!(
        parse_string("[[]]"),
        SchemaAndValue::new(None, Value::Array(vec![Value::Array(vec![])]))
    );
    assert_eq!(
        parse_string("[{}]"),
        SchemaAndValue::new(None, Value::Array(vec![Value::Map(vec![])]))
    );
    assert_eq!(
        parse_string("{\"a\":{}}"),
        SchemaAndValue::new(None, Value::Map(vec![("a".into(), Value::Map(vec![]))]))
    );
    assert_eq!(
        parse_string("{\"a\":[]}"),
        SchemaAndValue::new(None, Value::Map(vec![("a".into(), Value::Array(vec![]))]))
    );
    // With typed elements the whole schema is known; nested numbers are widened too (Kafka
    // leaves the inner 1 and 2 as INT8 under its ARRAY<ARRAY<INT16>> schema).
    assert_eq!(
        parse_string("[[1, 2], [300]]"),
        parsed(
            array_of(array_of(Schema::int16())),
            vec![
                Value::Array(vec![Value::Int16(1), Value::Int16(2)]),
                Value::Array(vec![Value::Int16(300)]),
            ]
        )
    );
    assert_eq!(
        parse_string("{\"a\": [1], \"b\": [2]}"),
        parsed(
            map_of(Schema::string(), array_of(Schema::int8())),
            Value::Map(vec![
                ("a".into(), Value::Array(vec![Value::Int8(1)])),
                ("b".into(), Value::Array(vec![Value::Int8(2)])),
            ])
        )
    );
}

#[test]
fn nested_containers_whose_schemas_differ_have_no_schema() {
    // Kafka would keep the last element's schema, which does not describe the first element.
    // Here the value keeps no schema.
    assert_eq!(
        parse_string(r#"[[1], [{"a": 2}]]"#),
        SchemaAndValue::new(
            None,
            Value::Array(vec![
                Value::Array(vec![Value::Int8(1)]),
                Value::Array(vec![Value::Map(vec![("a".into(), Value::Int8(2))])]),
            ])
        )
    );
    // An empty array fits any array schema, as in Kafka.
    assert_eq!(
        parse_string("[[], [1]]"),
        parsed(
            array_of(array_of(Schema::int8())),
            vec![Value::Array(vec![]), Value::Array(vec![Value::Int8(1)])]
        )
    );
}

#[test]
fn temporal_elements() {
    assert_eq!(
        parse_string("[2019-08-23]"),
        parsed(
            array_of(logical::date_schema()),
            vec![Value::Date(days("2019-08-23"))]
        )
    );
    assert_eq!(
        parse_string("[14:34:54.346Z]"),
        parsed(
            array_of(logical::time_schema()),
            vec![Value::Time(52_494_346)]
        )
    );
    let (a, b, c) = (
        "2019-08-23T14:34:54.346Z",
        "2019-01-23T15:12:34.567Z",
        "2019-04-23T19:12:34.567Z",
    );
    assert_eq!(
        parse_string(&format!("[{a},{b},   {c}]")),
        parsed(
            array_of(logical::timestamp_schema()),
            vec![
                Value::Timestamp(millis(a)),
                Value::Timestamp(millis(b)),
                Value::Timestamp(millis(c)),
            ]
        )
    );
}

#[test]
fn decimals_in_arrays() {
    let list = "[9223372036854775808, -9223372036854775809]";
    assert_eq!(
        parse_string(list),
        parsed(
            array_of(logical::decimal_schema(0)),
            vec![
                Value::Decimal(decimal("9223372036854775808")),
                Value::Decimal(decimal("-9223372036854775809")),
            ]
        )
    );
    // Quoted numbers stay strings, and decimals do not mix with other numbers.
    let mixed = "[\"1.0\", 9223372036854775808, -9223372036854775809, 1, 1]";
    assert_eq!(
        parse_string(mixed),
        SchemaAndValue::new(
            None,
            Value::Array(vec![
                "1.0".into(),
                Value::Decimal(decimal("9223372036854775808")),
                Value::Decimal(decimal("-9223372036854775809")),
                Value::Int8(1),
                Value::Int8(1),
            ])
        )
    );
}

#[test]
fn quoted_strings_keep_escapes_and_delimiters() {
    assert_eq!(
        parse_string(r#"["a\"b", "c\\d"]"#),
        parsed(
            array_of(Schema::string()),
            vec![Value::from(r#"a\"b"#), Value::from(r#"c\\d"#)]
        )
    );
    assert_eq!(
        parse_string(r#"["a,b", "x:y", "[{}]", "日本"]"#),
        parsed(
            array_of(Schema::string()),
            vec![
                Value::from("a,b"),
                Value::from("x:y"),
                Value::from("[{}]"),
                Value::from("日本")
            ]
        )
    );
    // Blank quoted content is skipped by Kafka's tokenizer.
    assert_eq!(
        parse_string(r#"[" "]"#),
        parsed(array_of(Schema::string()), vec![Value::from("")])
    );
    // Quoted dates stay dates.
    assert_eq!(
        parse_string(r#"["2024-01-31"]"#),
        parsed(array_of(logical::date_schema()), vec![Value::Date(19_753)])
    );
}

// --- maps --------------------------------------------------------------------------------------

#[test]
fn maps_with_string_keys() {
    let expected = parsed(
        map_of(Schema::string(), Schema::string()),
        Value::Map(vec![
            ("foo".into(), "123".into()),
            ("bar".into(), "baz".into()),
        ]),
    );
    assert_eq!(parse_string("{\"foo\":\"123\",\"bar\":\"baz\"}"), expected);
    assert_eq!(
        parse_string("{ \"foo\" : \"123\", \n\"bar\" : \"baz\" } "),
        expected
    );

    let shorts = parsed(
        map_of(Schema::string(), Schema::int16()),
        Value::Map(vec![
            ("foo".into(), Value::Int16(12345)),
            ("bar".into(), Value::Int16(0)),
            ("baz".into(), Value::Int16(-4321)),
        ]),
    );
    assert_eq!(
        parse_string("{\"foo\":12345,\"bar\":0,\"baz\":-4321}"),
        shorts
    );
    assert_eq!(
        parse_string(" { \"foo\" :  12345 , \"bar\" : 0,  \"baz\" : -4321 }  "),
        shorts
    );

    let ints = parsed(
        map_of(Schema::string(), Schema::int32()),
        Value::Map(vec![
            ("foo".into(), Value::Int32(1_234_567_890)),
            ("bar".into(), Value::Int32(0)),
            ("baz".into(), Value::Int32(-987_654_321)),
        ]),
    );
    assert_eq!(
        parse_string("{\"foo\":1234567890,\"bar\":0,\"baz\":-987654321}"),
        ints
    );
}

#[test]
fn maps_with_boolean_and_numeric_keys() {
    assert_eq!(
        parse_string("{true: false, false: true}"),
        parsed(
            map_of(Schema::boolean(), Schema::boolean()),
            Value::Map(vec![
                (true.into(), false.into()),
                (false.into(), true.into())
            ])
        )
    );
    assert_eq!(
        parse_string("{1: 2, 300: 4}"),
        parsed(
            map_of(Schema::int16(), Schema::int8()),
            Value::Map(vec![
                (Value::Int16(1), Value::Int8(2)),
                (Value::Int16(300), Value::Int8(4)),
            ])
        )
    );
}

#[test]
fn maps_without_a_common_key_schema_are_not_aligned() {
    let expected = Value::Map(vec![
        (Value::Int8(1), Value::Int8(1)),
        (Value::Int8(2), Value::Int8(1)),
        (Value::Int16(300), Value::Int16(300)),
        ("four".into(), Value::Int8(1)),
    ]);
    for text in [
        "{1:1, 2:1, 300:300, \"four\":1}",
        "{2:1, 300:300, \"four\":1, 1:1}",
        "{\"four\":1, 1:1, 2:1, 300:300}",
    ] {
        assert_eq!(
            parse_string(text),
            SchemaAndValue::new(None, expected.clone()),
            "{text}"
        );
    }
}

#[test]
fn maps_without_a_common_value_schema_align_only_keys() {
    let expected = Value::Map(vec![
        (Value::Int16(1), Value::Int8(1)),
        (Value::Int16(2), Value::Int8(1)),
        (Value::Int16(300), Value::Int16(300)),
        (Value::Int16(4), "four".into()),
    ]);
    for text in [
        "{1:1, 2:1, 300:300, 4:\"four\"}",
        "{300:300, 4:\"four\", 1:1, 2:1}",
    ] {
        assert_eq!(
            parse_string(text),
            SchemaAndValue::new(None, expected.clone()),
            "{text}"
        );
    }
    assert_eq!(
        parse_string("{3: null}"),
        SchemaAndValue::new(None, Value::Map(vec![(Value::Int8(3), Value::Null)]))
    );
}

#[test]
fn empty_map() {
    assert_eq!(
        parse_string("{}"),
        SchemaAndValue::new(None, Value::Map(vec![]))
    );
}

#[test]
fn malformed_maps_are_strings() {
    for text in [
        "{foo: 3}",
        "{3: foo}",
        "{6:9 4:20}",
        "{null: 3}",
        "{\"a\"}",
        "{\"a\":}",
        "{,}",
        "{ ,,  , , }  ",
        "{ \"foo\" :  1234567890 ,, \"bar\" : 0,  \"baz\" : -987654321 }  ",
        "{ \"foo\" :  1234567890 , \"a\", \"bar\" : 0,  \"baz\" : -987654321 }  ",
        "{\"a\":1",
        "{\"a\":1,",
    ] {
        assert_string(text);
    }
}

#[test]
fn map_quirks_follow_kafka() {
    // The comma between entries is optional when the tokens are otherwise separate.
    assert_eq!(
        parse_string(r#"{"a":1 "b":2}"#),
        parsed(
            map_of(Schema::string(), Schema::int8()),
            Value::Map(vec![
                ("a".into(), Value::Int8(1)),
                ("b".into(), Value::Int8(2))
            ])
        )
    );
    // A repeated key keeps its first position and its last value.
    assert_eq!(
        parse_string(r#"{"a":1,"b":2,"a":3}"#),
        parsed(
            map_of(Schema::string(), Schema::int8()),
            Value::Map(vec![
                ("a".into(), Value::Int8(3)),
                ("b".into(), Value::Int8(2))
            ])
        )
    );
}

#[test]
fn repeated_keys_are_found_by_value_equality() {
    // 1.5 and 1.50 are the same FLOAT32 key.
    assert_eq!(
        parse_string("{1.5: 1, 1.50: 2}"),
        parsed(
            map_of(Schema::float32(), Schema::int8()),
            Value::Map(vec![(Value::Float32(1.5), Value::Int8(2))])
        )
    );
    // Maps are equal whatever their order, also as keys.
    let result = parse_string(r#"{{"a":1,"b":2}: 1, {"b":2,"a":1}: 2}"#);
    assert_eq!(result.value.as_map().map(<[_]>::len), Some(1));
    assert_eq!(result.value.as_map().unwrap()[0].1, Value::Int8(2));
}

#[test]
fn large_maps_parse_in_linear_time() {
    let entries = 20_000;
    let text = format!(
        "{{{}}}",
        (0..entries)
            .map(|i| format!("\"k{}\": {i}", i % (entries / 2)))
            .collect::<Vec<_>>()
            .join(",")
    );
    let started = std::time::Instant::now();
    let result = parse_string(&text);
    assert_eq!(result.value.as_map().map(<[_]>::len), Some(entries / 2));
    assert_eq!(
        result.value.map_get(&"k0".into()),
        Some(&Value::Int16(10_000))
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn time_values_in_maps() {
    let expected = parsed(
        map_of(Schema::string(), logical::time_schema()),
        Value::Map(vec![("k1".into(), Value::Time(52_494_346))]),
    );
    assert_eq!(parse_string("{\"k1\":\"14:34:54.346Z\"}"), expected);
    assert_eq!(parse_string("{\"k1\":14:34:54.346Z}"), expected);
}

// --- nesting limits ----------------------------------------------------------------------------

#[test]
fn nesting_up_to_the_limit_is_parsed() {
    let depth = values::MAX_NESTING_DEPTH;
    let text = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let result = parse_string(&text);
    let mut value = &result.value;
    for _ in 0..depth {
        value = &value.as_array().expect("nested array")[0];
    }
    assert_eq!(value, &Value::Int8(1));
    assert_eq!(result.schema.map(|s| s.type_()), Some(Type::Array));
}

#[test]
fn nesting_beyond_the_limit_is_a_string() {
    let depth = values::MAX_NESTING_DEPTH + 1;
    assert_string(&format!("{}1{}", "[".repeat(depth), "]".repeat(depth)));
    assert_string(&format!("{}{}", "{\"a\":".repeat(depth), "}".repeat(depth)));
}

#[test]
fn very_deep_input_does_not_overflow_the_stack() {
    for open in ["[", "{\"k\":", "[\"a\",", "[[1],"] {
        let text = open.repeat(100_000);
        assert_string(&text);
    }
}
