//! `InsertHeader`: adds a header with a literal value to each record.

use connect_api::config::{ConfigDef, ConfigKey, ConfigMap, Importance, NonNullValidator};
use connect_api::data::values::parse_string;
use connect_api::error::{ConfigError, ConnectError, DataError, Result};
use connect_api::header::Header;
use connect_api::record::Record;
use connect_api::transform::Transform;

const HEADER_FIELD: &str = "header";
const VALUE_LITERAL_FIELD: &str = "value.literal";

/// Adds a header to each record (Kafka's `InsertHeader`).
///
/// The header's schema and value come from parsing `value.literal` as Kafka's
/// `Values.parseString` does: `1` becomes an `INT8`, `true` a `BOOLEAN`, `[1, 2]` an array,
/// anything unparsable a `STRING`. The header is appended, so an existing header with the same
/// key is kept.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::data::{Schema, Value};
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::transform::Transform;
/// use connect_transforms::transforms::insert_header::InsertHeader;
///
/// let mut insert = InsertHeader::new();
/// let props = ConfigMap::from([
///     ("header".to_owned(), "version".to_owned()),
///     ("value.literal".to_owned(), "1".to_owned()),
/// ]);
/// Transform::<SinkRecord>::configure(&mut insert, &props)?;
///
/// let record = SinkRecord::new(ConnectRecord::new("orders", None, "v".into()), 0, 1, TimestampType::CreateTime);
/// let out = insert.apply(record)?.expect("InsertHeader never drops a record");
/// let header = out.headers.last_with_name("version").expect("added");
/// assert_eq!(header.schema(), Some(&Schema::int8()));
/// assert_eq!(header.value(), &Value::Int8(1));
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[derive(Debug, Default)]
pub struct InsertHeader {
    /// The header to add, or why the parsed literal does not fit its own schema (reported for
    /// every record, as Kafka's `Headers.add` would); `None` until configured.
    header: Option<std::result::Result<Header, DataError>>,
}

impl InsertHeader {
    /// Kafka's class name.
    pub const CLASS: &str = "org.apache.kafka.connect.transforms.InsertHeader";

    /// Kafka's description of the transform.
    pub const OVERVIEW_DOC: &str = "Add a header to each record.";

    /// An unconfigured transform; `apply` fails until it is configured.
    pub fn new() -> Self {
        Self::default()
    }

    fn config_def() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::string(HEADER_FIELD)
                    .validator(NonNullValidator)
                    .importance(Importance::High)
                    .documentation("The name of the header."),
            )
            .define(
                ConfigKey::string(VALUE_LITERAL_FIELD)
                    .validator(NonNullValidator)
                    .importance(Importance::High)
                    .documentation(
                        "The literal value that is to be set as the header value on all records.",
                    ),
            )
    }
}

impl<R: Record> Transform<R> for InsertHeader {
    fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
        let parsed = Self::config_def().parse(configs)?;
        let key = parsed.get_string(HEADER_FIELD)?;
        let literal = parse_string(parsed.get_string(VALUE_LITERAL_FIELD)?);
        self.header = Some(Header::new(key, literal.schema, literal.value));
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let header = match &self.header {
            Some(Ok(header)) => header.clone(),
            Some(Err(error)) => return Err(ConnectError::Data(error.clone())),
            None => return Err(ConnectError::Config(ConfigError::missing(HEADER_FIELD))),
        };
        record.headers.add_header(header);
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        Self::config_def()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use connect_api::data::{Schema, SchemaBuilder, Value};
    use connect_api::header::Headers;
    use connect_api::record::{ConnectRecord, OffsetMap, SinkRecord, SourceRecord, TimestampType};

    fn props(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn configured(header: &str, literal: &str) -> InsertHeader {
        let mut t = InsertHeader::new();
        Transform::<SinkRecord>::configure(
            &mut t,
            &props(&[("header", header), ("value.literal", literal)]),
        )
        .unwrap();
        t
    }

    fn sink(headers: Headers) -> SinkRecord {
        SinkRecord::new(
            ConnectRecord::new("t", Some(Schema::string()), "v".into())
                .with_key(Some(Schema::int32()), 3.into())
                .with_timestamp(99)
                .with_headers(headers),
            4,
            5,
            TimestampType::CreateTime,
        )
    }

    fn only(out: &SinkRecord, key: &str) -> (Option<Schema>, Value) {
        let header = out.headers.last_with_name(key).unwrap();
        (header.schema().cloned(), header.value().clone())
    }

    #[test]
    fn literal_is_parsed_like_values_parse_string() {
        let cases: Vec<(&str, Option<Schema>, Value)> = vec![
            ("1", Some(Schema::int8()), Value::Int8(1)),
            ("1000", Some(Schema::int16()), Value::Int16(1000)),
            ("true", Some(Schema::boolean()), Value::Boolean(true)),
            (
                "hello world",
                Some(Schema::string()),
                Value::from("hello world"),
            ),
            ("1.5", Some(Schema::float32()), Value::Float32(1.5)),
        ];
        for (literal, schema, value) in cases {
            let mut t = configured("h", literal);
            let out = t.apply(sink(Headers::new())).unwrap().unwrap();
            assert_eq!(only(&out, "h"), (schema, value), "literal {literal:?}");
        }
        let mut t = configured("h", "[1, 2]");
        let out = t.apply(sink(Headers::new())).unwrap().unwrap();
        let array = SchemaBuilder::array(Schema::int8()).build().unwrap();
        assert_eq!(
            only(&out, "h"),
            (
                Some(array),
                Value::Array(vec![Value::Int8(1), Value::Int8(2)])
            )
        );
    }

    #[test]
    fn value_is_trimmed_like_every_string_config() {
        let mut t = configured(" h ", "  42  ");
        let out = t.apply(sink(Headers::new())).unwrap().unwrap();
        assert_eq!(only(&out, "h"), (Some(Schema::int8()), Value::Int8(42)));
    }

    #[test]
    fn appends_after_existing_headers_and_keeps_the_rest_of_the_record() {
        let mut headers = Headers::new();
        headers.add_string("h", "old").add_string("other", "x");
        let record = sink(headers);
        let mut t = configured("h", "new");
        let out = t.apply(record.clone()).unwrap().unwrap();
        let all: Vec<(String, Value)> = out
            .headers
            .iter()
            .map(|h| (h.key().to_owned(), h.value().clone()))
            .collect();
        assert_eq!(
            all,
            [
                ("h".to_owned(), Value::from("old")),
                ("other".to_owned(), Value::from("x")),
                ("h".to_owned(), Value::from("new")),
            ]
        );
        assert_eq!(out.record().key, record.key);
        assert_eq!(out.record().value, record.value);
        assert_eq!(
            (out.timestamp, out.kafka_offset, out.kafka_partition()),
            (Some(99), 5, 4)
        );
        // Applied again, the header is added again.
        let again = t.apply(out).unwrap().unwrap();
        assert_eq!(again.headers.all_with_name("h").count(), 3);
    }

    #[test]
    fn works_on_source_records() {
        let mut t = InsertHeader::new();
        Transform::<SourceRecord>::configure(
            &mut t,
            &props(&[("header", "origin"), ("value.literal", "file")]),
        )
        .unwrap();
        let record = SourceRecord::new(OffsetMap::new(), OffsetMap::new(), "t", None, Value::Null);
        let out = t.apply(record).unwrap().unwrap();
        let header = out.headers.last_with_name("origin").unwrap();
        assert_eq!(header.value(), &Value::from("file"));
        assert_eq!(header.schema(), Some(&Schema::string()));
    }

    #[test]
    fn both_keys_are_required() {
        let mut t = InsertHeader::new();
        let err = Transform::<SinkRecord>::configure(&mut t, &props(&[("header", "h")]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "Missing required configuration \"value.literal\" which has no default value."
        );
        let err = Transform::<SinkRecord>::configure(&mut t, &props(&[("value.literal", "1")]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "Missing required configuration \"header\" which has no default value."
        );
    }

    #[test]
    fn apply_before_configure_is_an_error() {
        let mut t = InsertHeader::new();
        let err = t.apply(sink(Headers::new())).unwrap_err().to_string();
        assert_eq!(
            err,
            "Missing required configuration \"header\" which has no default value."
        );
    }

    #[test]
    fn config_def_matches_kafka() {
        let def = Transform::<SinkRecord>::config(&InsertHeader::new());
        assert_eq!(def.names().collect::<Vec<_>>(), ["header", "value.literal"]);
        for key in def.keys() {
            assert!(key.is_required());
            assert_eq!(key.importance(), Importance::High);
            assert_eq!(key.validator().unwrap().to_string(), "non-null value");
        }
        assert_eq!(
            def.key("value.literal").unwrap().documentation(),
            Some("The literal value that is to be set as the header value on all records.")
        );
    }
}
