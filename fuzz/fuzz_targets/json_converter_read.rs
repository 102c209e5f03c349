//! Arbitrary bytes into `JsonConverter::decode`, with schemas enabled and disabled, and as the
//! payload of envelopes with fixed schemas.
//!
//! Reading must never panic; whatever is read must be written again and read back unchanged.
//! The stable-toolchain counterpart is `crates/connect-api/tests/json_fuzz.rs`.

#![no_main]

use std::sync::LazyLock;

use connect_api::data::SchemaAndValue;
use connect_api::storage::json::{DecimalFormat, JsonConverter, JsonConverterConfig};
use libfuzzer_sys::fuzz_target;

const FIXED_SCHEMAS: &[&str] = &[
    r#"{"type":"int8"}"#,
    r#"{"type":"int64","optional":true,"default":5}"#,
    r#"{"type":"float"}"#,
    r#"{"type":"string","optional":true,"default":"d"}"#,
    r#"{"type":"bytes"}"#,
    r#"{"type":"array","items":{"type":"double","optional":true}}"#,
    r#"{"type":"map","keys":{"type":"string"},"values":{"type":"int32","optional":true}}"#,
    r#"{"type":"map","keys":{"type":"struct","fields":[{"field":"k","type":"int16"}]},"values":{"type":"boolean"}}"#,
    r#"{"type":"struct","fields":[{"field":"a","type":"int32","optional":true},{"field":"b","type":"array","items":{"type":"string"}},{"field":"c","type":"struct","optional":true,"fields":[{"field":"x","type":"double"}]}]}"#,
    r#"{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"3"}}"#,
    r#"{"type":"int32","name":"org.apache.kafka.connect.data.Time"}"#,
    r#"{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp"}"#,
];

struct Converters {
    with_schemas: JsonConverter,
    without_schemas: JsonConverter,
}

static CONVERTERS: LazyLock<Converters> = LazyLock::new(|| {
    let config = |schemas_enable| {
        JsonConverter::with_config(JsonConverterConfig {
            schemas_enable,
            decimal_format: DecimalFormat::Numeric,
            ..JsonConverterConfig::default()
        })
    };
    Converters {
        with_schemas: config(true),
        without_schemas: config(false),
    }
});

/// Reads `input`; if that works, writes the result and checks it reads back the same.
fn check(converter: &JsonConverter, input: &[u8]) {
    let Ok(read) = converter.decode(Some(input)) else {
        return;
    };
    // Data nested deeper than the writer allows is the one expected write failure.
    let Ok(written) = converter.encode(read.schema.as_ref(), &read.value) else {
        return;
    };
    match written {
        None => assert_eq!(read, SchemaAndValue::NULL),
        Some(bytes) => match converter.decode(Some(&bytes)) {
            Ok(again) => assert_eq!(again, read),
            // A decimal read from base64 may be written as a number longer than any reader,
            // Jackson included, accepts.
            Err(e) if e.message().contains("exceeds the maximum allowed") => {}
            Err(e) => panic!(
                "cannot read back {:?}: {e}",
                String::from_utf8_lossy(&bytes)
            ),
        },
    }
}

fuzz_target!(|data: &[u8]| {
    let converters = &*CONVERTERS;
    check(&converters.with_schemas, data);
    check(&converters.without_schemas, data);
    // The first byte picks a fixed schema; the rest is its payload.
    if let Some((&pick, payload)) = data.split_first() {
        let schema = FIXED_SCHEMAS[usize::from(pick) % FIXED_SCHEMAS.len()];
        let mut envelope = Vec::with_capacity(payload.len() + schema.len() + 24);
        envelope.extend_from_slice(b"{\"schema\":");
        envelope.extend_from_slice(schema.as_bytes());
        envelope.extend_from_slice(b",\"payload\":");
        envelope.extend_from_slice(payload);
        envelope.push(b'}');
        check(&converters.with_schemas, &envelope);
    }
});
