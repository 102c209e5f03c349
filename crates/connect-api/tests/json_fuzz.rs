//! Fuzzing the JSON converter's reader on stable Rust.
//!
//! Inputs are random bytes, mutated valid messages, random JSON, and envelopes pairing fixed or
//! random JSON schemas with random payloads. For every input and every converter setting the
//! reader must not panic, and every error must be a data error. What is read successfully must
//! also survive a trip back: writing it and reading that again gives the same schema and value.
//!
//! `JSON_FUZZ_CASES` sets the number of inputs (default 2000, to keep CI fast);
//! `JSON_FUZZ_SECONDS`, when set, keeps generating batches until that much time has passed.
//! The same inputs drive the cargo-fuzz target in `fuzz/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use connect_api::data::SchemaAndValue;
use connect_api::error::ConnectError;
use connect_api::header::Headers;
use connect_api::storage::Converter;
use connect_api::storage::json::{DecimalFormat, JsonConverter, JsonConverterConfig};
use futures::executor::block_on;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Valid messages to mutate.
const SEEDS: &[&str] = &[
    r#"{"schema":{"type":"boolean","optional":false},"payload":true}"#,
    r#"{"schema":{"type":"int64","optional":false},"payload":4398046511104}"#,
    r#"{"schema":{"type":"double","optional":false},"payload":1.0E10}"#,
    r#"{"schema":{"type":"float","optional":true},"payload":"NaN"}"#,
    r#"{"schema":{"type":"bytes","optional":false},"payload":"dGVzdC1zdHJpbmc="}"#,
    r#"{"schema":{"type":"array","items":{"type":"int32","optional":false},"optional":false},"payload":[1,2,3]}"#,
    r#"{"schema":{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":{"key1":12,"key2":15}}"#,
    r#"{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"string","optional":true},"optional":false},"payload":[[1,"a"],[2,null]]}"#,
    r#"{"schema":{"type":"struct","fields":[{"type":"string","optional":true,"default":"default","field":"field1"},{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1,"field":"d"}],"optional":false,"name":"n","version":2,"doc":"x","parameters":{"a":"b"}},"payload":{"field1":null,"d":10000}}"#,
    r#"{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"default":"AJw="},"payload":1.56}"#,
    r#"{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Time","version":1},"payload":14400000}"#,
    r#"{"schema":{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1},"payload":4000000000}"#,
    r#"{"schema":null,"payload":[1,"2",3.5,{"a":[true,null]}]}"#,
    r#"{"a":"","b":null,"c":[0.5,-0,1e3]}"#,
];

/// JSON schemas used with random payloads.
const FIXED_SCHEMAS: &[&str] = &[
    r#"{"type":"int8"}"#,
    r#"{"type":"int64","optional":true,"default":5}"#,
    r#"{"type":"float"}"#,
    r#"{"type":"double","optional":true}"#,
    r#"{"type":"string","optional":true,"default":"d"}"#,
    r#"{"type":"bytes"}"#,
    r#"{"type":"array","items":{"type":"double","optional":true}}"#,
    r#"{"type":"map","keys":{"type":"string"},"values":{"type":"int32","optional":true}}"#,
    r#"{"type":"map","keys":{"type":"struct","fields":[{"field":"k","type":"int16"}]},"values":{"type":"boolean"}}"#,
    r#"{"type":"struct","fields":[{"field":"a","type":"int32","optional":true},{"field":"b","type":"array","items":{"type":"string"}},{"field":"c","type":"struct","optional":true,"fields":[{"field":"x","type":"double"}]}]}"#,
    r#"{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"3"}}"#,
    r#"{"type":"int32","name":"org.apache.kafka.connect.data.Date","optional":true}"#,
    r#"{"type":"int32","name":"org.apache.kafka.connect.data.Time"}"#,
    r#"{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp"}"#,
];

/// Fragments inserted by mutations: structure, number forms, escapes.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "0",
    "00",
    "-",
    "-0",
    ".",
    "e",
    "E+",
    "1e999",
    "9999999999999999999999",
    "null",
    "true",
    "\"NaN\"",
    "\"Infinity\"",
    "\\u0000",
    "\\ud800",
    "\"schema\"",
    "\"payload\"",
    "\"type\"",
    "\"default\"",
    "\"fields\"",
    "\"field\"",
    "\"items\"",
    "\"keys\"",
    "\"values\"",
    "\"optional\"",
    "\u{feff}",
];

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Flip(at, b)),
        (any::<usize>(), prop::sample::select(TOKENS))
            .prop_map(|(at, t)| Mutation::Insert(at, t.as_bytes().to_vec())),
        (any::<usize>(), vec(any::<u8>(), 1..4))
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        (any::<usize>(), 1usize..8).prop_map(|(at, n)| Mutation::Delete(at, n)),
        (any::<usize>(), 1usize..24).prop_map(|(at, n)| Mutation::Duplicate(at, n)),
    ]
}

fn mutate(mut doc: Vec<u8>, mutations: Vec<Mutation>) -> Vec<u8> {
    for m in mutations {
        let len = doc.len().max(1);
        match m {
            Mutation::Flip(at, b) if !doc.is_empty() => doc[at % len] = b,
            Mutation::Flip(..) => {}
            Mutation::Insert(at, bytes) => {
                let at = at % (doc.len() + 1);
                doc.splice(at..at, bytes);
            }
            Mutation::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(doc.len());
                if at < end {
                    doc.drain(at..end);
                }
            }
            Mutation::Duplicate(at, n) => {
                let at = at % len;
                let end = (at + n).min(doc.len());
                if at < end {
                    let copy = doc[at..end].to_vec();
                    doc.splice(end..end, copy);
                }
            }
        }
    }
    doc
}

/// Number text in the forms JSON writers and Jackson produce or accept, and some they do not.
fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|v| v.to_string()),
        any::<u64>().prop_map(|v| v.to_string()),
        any::<f64>().prop_map(|v| format!("{v:e}")),
        any::<f32>().prop_map(|v| v.to_string()),
        "-?0{0,3}[0-9]{1,25}(\\.[0-9]{1,25})?([eE][+-]?[0-9]{1,4})?",
        Just("-0".to_string()),
        Just("-0.0".to_string()),
    ]
}

fn string_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
        "\"([a-zA-Z0-9+/=]|\\\\[nt\"\\\\/]|\\\\u[0-9a-fA-F]{4}){0,12}\"",
        prop::sample::select(vec![
            "\"NaN\"",
            "\"Infinity\"",
            "\"-Infinity\"",
            "\"AJw=\"",
            "\"\"",
            "\"null\""
        ])
        .prop_map(str::to_string),
    ]
}

fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
        number_text(),
        string_text(),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(|items| format!("[{}]", items.join(","))),
            vec(
                (
                    prop_oneof![
                        string_text(),
                        Just("\"a\"".to_string()),
                        Just("\"field1\"".to_string())
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|members| {
                let members: Vec<String> = members
                    .into_iter()
                    .map(|(k, v)| format!("{k}:{v}"))
                    .collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

/// Random documents shaped like JSON schemas, valid or not.
fn schema_text() -> impl Strategy<Value = String> {
    let type_name = prop::sample::select(vec![
        "\"boolean\"",
        "\"int8\"",
        "\"int16\"",
        "\"int32\"",
        "\"int64\"",
        "\"float\"",
        "\"double\"",
        "\"bytes\"",
        "\"string\"",
        "\"array\"",
        "\"map\"",
        "\"struct\"",
        "\"float32\"",
        "5",
        "null",
    ]);
    let name = prop::sample::select(vec![
        "\"org.apache.kafka.connect.data.Decimal\"",
        "\"org.apache.kafka.connect.data.Date\"",
        "\"org.apache.kafka.connect.data.Time\"",
        "\"org.apache.kafka.connect.data.Timestamp\"",
        "\"x\"",
        "1",
    ]);
    let leaf = (
        type_name.clone(),
        prop::option::of(json_text()),
        prop::option::of(prop::sample::select(vec!["true", "false", "1", "\"true\""])),
        prop::option::of(name),
        prop::option::of(prop::sample::select(vec![
            "{\"scale\":\"2\"}",
            "{\"scale\":\"-1\"}",
            "{\"scale\":\"x\"}",
            "{\"a\":1}",
            "[]",
        ])),
    )
        .prop_map(|(ty, default, optional, name, params)| {
            let mut members = vec![format!("\"type\":{ty}")];
            if let Some(d) = default {
                members.push(format!("\"default\":{d}"));
            }
            if let Some(o) = optional {
                members.push(format!("\"optional\":{o}"));
            }
            if let Some(n) = name {
                members.push(format!("\"name\":{n}"));
            }
            if let Some(p) = params {
                members.push(format!("\"parameters\":{p}"));
            }
            format!("{{{}}}", members.join(","))
        });
    leaf.prop_recursive(4, 24, 4, move |inner| {
        prop_oneof![
            inner
                .clone()
                .prop_map(|items| format!("{{\"type\":\"array\",\"items\":{items}}}")),
            (inner.clone(), inner.clone())
                .prop_map(|(k, v)| format!("{{\"type\":\"map\",\"keys\":{k},\"values\":{v}}}")),
            (
                vec(
                    (prop::sample::select(vec!["a", "b", "c", "a"]), inner),
                    0..4
                ),
                prop::option::of(json_text())
            )
                .prop_map(|(fields, default)| {
                    let fields: Vec<String> = fields
                        .into_iter()
                        .map(|(name, schema)| {
                            let body = schema.trim_start_matches('{');
                            format!("{{\"field\":\"{name}\",{body}")
                        })
                        .collect();
                    let default = default
                        .map(|d| format!(",\"default\":{d}"))
                        .unwrap_or_default();
                    format!(
                        "{{\"type\":\"struct\",\"fields\":[{}]{default}}}",
                        fields.join(",")
                    )
                }),
        ]
    })
}

fn input() -> impl Strategy<Value = Vec<u8>> {
    let seed = prop::sample::select(SEEDS).prop_map(|s| s.as_bytes().to_vec());
    prop_oneof![
        1 => vec(any::<u8>(), 0..64),
        4 => (seed, vec(mutation(), 1..6)).prop_map(|(doc, ms)| mutate(doc, ms)),
        2 => json_text().prop_map(String::into_bytes),
        3 => (prop::sample::select(FIXED_SCHEMAS), json_text())
            .prop_map(|(s, p)| format!(r#"{{"schema":{s},"payload":{p}}}"#).into_bytes()),
        2 => (schema_text(), json_text())
            .prop_map(|(s, p)| format!(r#"{{"schema":{s},"payload":{p}}}"#).into_bytes()),
        1 => (schema_text(), json_text(), vec(mutation(), 1..3))
            .prop_map(|(s, p, ms)| mutate(format!(r#"{{"payload":{p},"schema":{s}}}"#).into_bytes(), ms)),
    ]
}

fn converters() -> Vec<JsonConverter> {
    let config = |schemas_enable, decimal_format, replace_null_with_default| {
        JsonConverter::with_config(JsonConverterConfig {
            schemas_enable,
            decimal_format,
            replace_null_with_default,
            ..JsonConverterConfig::default()
        })
    };
    vec![
        config(true, DecimalFormat::Numeric, true),
        config(false, DecimalFormat::Numeric, true),
        config(true, DecimalFormat::Base64, false),
    ]
}

fn check(converters: &[JsonConverter], input: &[u8]) -> Result<(), TestCaseError> {
    let headers = Headers::new();
    for c in converters {
        let read = match block_on(c.to_connect_data("topic", &headers, Some(input))) {
            Ok(read) => read,
            Err(ConnectError::Data(_)) => continue,
            Err(other) => return Err(TestCaseError::fail(format!("not a data error: {other:?}"))),
        };
        let written = match c.encode(read.schema.as_ref(), &read.value) {
            Ok(written) => written,
            Err(_) if c.settings().decimal_format == DecimalFormat::Base64 => continue,
            // Data nested deeper than the writer allows is the one expected failure.
            Err(e) if e.to_string().contains("maximum of") => continue,
            Err(e) => {
                return Err(TestCaseError::fail(format!(
                    "read {read:?} but cannot write it: {e}"
                )));
            }
        };
        match written {
            None => prop_assert_eq!(&read, &SchemaAndValue::NULL),
            Some(bytes) => match c.decode(Some(&bytes)) {
                Ok(again) => {
                    prop_assert_eq!(&again, &read, "via {}", String::from_utf8_lossy(&bytes))
                }
                // A decimal read from base64 may be written as a number longer than any reader,
                // Jackson included, accepts.
                Err(e) if e.message().contains("exceeds the maximum allowed") => {}
                Err(e) => {
                    return Err(TestCaseError::fail(format!(
                        "cannot read {:?}: {e}",
                        String::from_utf8_lossy(&bytes)
                    )));
                }
            },
        }
    }
    Ok(())
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
}

#[test]
fn reader_never_panics_and_fails_with_data_errors() {
    let cases = env_number("JSON_FUZZ_CASES").unwrap_or(2_000);
    let budget = env_number("JSON_FUZZ_SECONDS").map(Duration::from_secs);
    let converters = converters();
    let strategy = input();
    let started = Instant::now();
    let mut total: u64 = 0;
    loop {
        let batch = if budget.is_some() {
            cases.min(20_000)
        } else {
            cases
        };
        let mut runner = TestRunner::new(Config {
            cases: u32::try_from(batch).unwrap_or(u32::MAX),
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&strategy, |input| check(&converters, &input));
        total += batch;
        if let Err(e) = result {
            panic!("after {total} inputs: {e}");
        }
        match budget {
            Some(budget) if started.elapsed() < budget => continue,
            _ => break,
        }
    }
    eprintln!(
        "json fuzz: {total} inputs x {} converter settings in {:.1?}",
        converters.len(),
        started.elapsed()
    );
}
