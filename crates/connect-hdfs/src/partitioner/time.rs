//! `TimeBasedPartitioner` and its fixed forms `HourlyPartitioner` and `DailyPartitioner`:
//! directories named after the time bucket of each record, printed with a Joda-Time pattern.

use connect_api::error::ConfigError;
use connect_api::record::SinkRecord;

use super::config::{
    LOCALE_CONFIG, PARTITION_DURATION_MS_CONFIG, PATH_FORMAT_CONFIG, PartitionerConfig,
    TIMEZONE_CONFIG,
};
use super::joda::JodaFormatter;
use super::timestamp::{
    RecordFieldTimestampExtractor, RecordTimestampExtractor, TimestampExtractorKind,
    WallclockTimestampExtractor,
};
use super::zone::JodaZone;
use super::{PartitionError, Partitioner, TimestampExtractor};

/// One hour in milliseconds, the bucket of `HourlyPartitioner`.
pub const HOUR_MS: i64 = 3_600_000;
/// One day in milliseconds, the bucket of `DailyPartitioner`.
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// The extractor of a time-based partitioner.
#[derive(Debug, Clone)]
enum Extractor {
    Wallclock(WallclockTimestampExtractor),
    Record(RecordTimestampExtractor),
    RecordField(RecordFieldTimestampExtractor),
}

impl Extractor {
    fn from_config(config: &PartitionerConfig) -> Result<Self, ConfigError> {
        Ok(
            match TimestampExtractorKind::from_name(&config.timestamp_extractor)? {
                TimestampExtractorKind::Wallclock => Self::Wallclock(WallclockTimestampExtractor),
                TimestampExtractorKind::Record => Self::Record(RecordTimestampExtractor),
                TimestampExtractorKind::RecordField => {
                    Self::RecordField(RecordFieldTimestampExtractor::new(&config.timestamp_field)?)
                }
            },
        )
    }

    fn as_dyn(&self) -> &dyn TimestampExtractor {
        match self {
            Self::Wallclock(e) => e,
            Self::Record(e) => e,
            Self::RecordField(e) => e,
        }
    }
}

/// Partitions by time: the record's timestamp (from `timestamp.extractor`) is floored to a
/// bucket of `partition.duration.ms` in local time of `timezone`, and the bucket's start is
/// printed with the Joda-Time pattern `path.format` in `locale`.
///
/// The bucket start is computed as Confluent computes it: the UTC instant is converted to local
/// milliseconds, floored to a multiple of the duration, and converted back with Joda's
/// `convertLocalToUTC(local, false)` (see [`JodaZone::local_to_utc`] for daylight-saving gaps
/// and overlaps).
///
/// ```
/// use connect_api::config::{ConfigMap, ConnectConfig};
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_hdfs::partitioner::{Partitioner, PartitionerConfig, TimeBasedPartitioner};
///
/// let props = ConfigMap::from([
///     ("locale".to_owned(), "en".to_owned()),
///     ("timezone".to_owned(), "America/New_York".to_owned()),
///     ("timestamp.extractor".to_owned(), "Record".to_owned()),
/// ]);
/// let partitioner = TimeBasedPartitioner::daily(&PartitionerConfig::from_props(&props)?)?;
/// // 2024-02-01T03:00:00Z is still January 31st in New York.
/// let record = SinkRecord::new(
///     ConnectRecord::new("t", None, "v".into()).with_timestamp(1_706_756_400_000),
///     0,
///     0,
///     TimestampType::CreateTime,
/// );
/// assert_eq!(partitioner.encode_partition(&record, 0)?, "year=2024/month=01/day=31");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct TimeBasedPartitioner {
    duration_ms: i64,
    formatter: JodaFormatter,
    delim: String,
    extractor: Extractor,
}

impl TimeBasedPartitioner {
    /// A `TimeBasedPartitioner` with the configured `partition.duration.ms` and `path.format`.
    ///
    /// # Errors
    ///
    /// Confluent's messages: "Partition duration needs to be a positive." (zero is rejected
    /// too), "Path format cannot be empty.", "Locale cannot be empty.", "Timezone cannot be
    /// empty.", an unknown time zone, an illegal or unsupported pattern letter, an unknown
    /// timestamp extractor or a blank `timestamp.field` for `RecordField`.
    pub fn new(config: &PartitionerConfig) -> Result<Self, ConfigError> {
        Self::configure(config, config.partition_duration_ms, &config.path_format)
    }

    /// `HourlyPartitioner`: one-hour buckets, `'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH`.
    ///
    /// # Errors
    ///
    /// As [`TimeBasedPartitioner::new`], for `locale`, `timezone` and the extractor.
    pub fn hourly(config: &PartitionerConfig) -> Result<Self, ConfigError> {
        let d = &config.directory_delim;
        let format = format!("'year'=YYYY{d}'month'=MM{d}'day'=dd{d}'hour'=HH");
        Self::configure(config, HOUR_MS, &format)
    }

    /// `DailyPartitioner`: one-day buckets, `'year'=YYYY/'month'=MM/'day'=dd`.
    ///
    /// # Errors
    ///
    /// As [`TimeBasedPartitioner::new`], for `locale`, `timezone` and the extractor.
    pub fn daily(config: &PartitionerConfig) -> Result<Self, ConfigError> {
        let d = &config.directory_delim;
        let format = format!("'year'=YYYY{d}'month'=MM{d}'day'=dd");
        Self::configure(config, DAY_MS, &format)
    }

    fn configure(
        config: &PartitionerConfig,
        duration_ms: i64,
        path_format: &str,
    ) -> Result<Self, ConfigError> {
        if duration_ms <= 0 {
            // Confluent rejects negative durations; zero would divide by zero when encoding.
            return Err(ConfigError::invalid(
                PARTITION_DURATION_MS_CONFIG,
                duration_ms,
                "Partition duration needs to be a positive.",
            ));
        }
        let delim = config.directory_delim.as_str();
        let mut path_format = path_format;
        if path_format.trim().is_empty() || path_format == delim {
            return Err(ConfigError::invalid(
                PATH_FORMAT_CONFIG,
                path_format,
                "Path format cannot be empty.",
            ));
        }
        if !delim.trim().is_empty()
            && let Some(stripped) = path_format.strip_suffix(delim)
        {
            path_format = stripped;
        }
        if config.locale.trim().is_empty() {
            return Err(ConfigError::invalid(
                LOCALE_CONFIG,
                &config.locale,
                "Locale cannot be empty.",
            ));
        }
        if config.timezone.trim().is_empty() {
            return Err(ConfigError::invalid(
                TIMEZONE_CONFIG,
                &config.timezone,
                "Timezone cannot be empty.",
            ));
        }
        let zone = JodaZone::for_id(config.timezone.trim()).map_err(|error| {
            ConfigError::invalid(TIMEZONE_CONFIG, &config.timezone, error.to_string())
        })?;
        let formatter = JodaFormatter::new(path_format, &config.locale, zone).map_err(|error| {
            ConfigError::invalid(PATH_FORMAT_CONFIG, path_format, error.to_string())
        })?;
        let extractor = Extractor::from_config(config)?;
        Ok(Self {
            duration_ms,
            formatter,
            delim: delim.to_owned(),
            extractor,
        })
    }

    /// The bucket size in milliseconds.
    pub fn partition_duration_ms(&self) -> i64 {
        self.duration_ms
    }

    /// The Joda-Time pattern of the directories, without a trailing delimiter.
    pub fn path_format(&self) -> &str {
        self.formatter.pattern()
    }

    /// The time zone buckets are computed and printed in.
    pub fn zone(&self) -> JodaZone {
        self.formatter.zone()
    }

    /// The start (UTC milliseconds) of the bucket holding `timestamp_ms`.
    ///
    /// # Errors
    ///
    /// A timestamp outside the range of representable dates.
    pub fn bucket_start(&self, timestamp_ms: i64) -> Result<i64, PartitionError> {
        let zone = self.formatter.zone();
        let out_of_range = || {
            PartitionError(format!(
                "Error encoding partition. Timestamp {timestamp_ms} is out of the supported range."
            ))
        };
        let local = zone.utc_to_local(timestamp_ms).ok_or_else(out_of_range)?;
        let floored = local
            .div_euclid(self.duration_ms)
            .checked_mul(self.duration_ms)
            .ok_or_else(out_of_range)?;
        zone.local_to_utc(floored).ok_or_else(out_of_range)
    }

    /// The encoded partition of the bucket holding `timestamp_ms`.
    ///
    /// # Errors
    ///
    /// A timestamp outside the range of representable dates.
    pub fn encode_timestamp(&self, timestamp_ms: i64) -> Result<String, PartitionError> {
        let start = self.bucket_start(timestamp_ms)?;
        self.formatter.format(start).ok_or_else(|| {
            PartitionError(format!(
                "Error encoding partition. Timestamp {timestamp_ms} is out of the supported range."
            ))
        })
    }
}

impl Partitioner for TimeBasedPartitioner {
    fn encode_partition(&self, record: &SinkRecord, now_ms: i64) -> Result<String, PartitionError> {
        let timestamp = self.extractor.as_dyn().extract(record, now_ms)?;
        self.encode_timestamp(timestamp)
    }

    fn partitioned_path(&self, topic: &str, encoded_partition: &str) -> String {
        format!("{topic}{}{encoded_partition}", self.delim)
    }

    /// The names before `=` in each part of the path format, quotes removed: `year`, `month`,
    /// `day`, `hour` for the hourly format (Confluent's `TimeBasedSchemaGenerator`).
    fn partition_fields(&self) -> Vec<String> {
        let format = self.path_format();
        let mut parts: Vec<&str> = if self.delim.is_empty() {
            vec![format]
        } else {
            format.split(self.delim.as_str()).collect()
        };
        // Java's String.split drops trailing empty strings.
        while parts.last().is_some_and(|part| part.is_empty()) {
            parts.pop();
        }
        parts
            .into_iter()
            .map(|part| part.split('=').next().unwrap_or_default().replace('\'', ""))
            .collect()
    }

    fn timestamp_extractor(&self) -> Option<&dyn TimestampExtractor> {
        match &self.extractor {
            Extractor::Wallclock(_) => None,
            other => Some(other.as_dyn()),
        }
    }
}

#[cfg(test)]
mod tests {
    use connect_api::config::{ConfigMap, ConnectConfig};
    use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
    use connect_api::record::{ConnectRecord, TimestampType};

    use super::*;

    fn config(pairs: &[(&str, &str)]) -> PartitionerConfig {
        let mut props = ConfigMap::from([
            ("locale".to_owned(), "en".to_owned()),
            ("timezone".to_owned(), "UTC".to_owned()),
            ("timestamp.extractor".to_owned(), "Record".to_owned()),
        ]);
        for (k, v) in pairs {
            props.insert((*k).to_owned(), (*v).to_owned());
        }
        PartitionerConfig::from_props(&props).unwrap()
    }

    fn at(timestamp: i64) -> SinkRecord {
        SinkRecord::new(
            ConnectRecord::new("t", None, "v".into()).with_timestamp(timestamp),
            0,
            0,
            TimestampType::CreateTime,
        )
    }

    /// Milliseconds of an RFC 3339 date-time.
    fn ms(text: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    fn hourly(zone: &str) -> TimeBasedPartitioner {
        TimeBasedPartitioner::hourly(&config(&[("timezone", zone)])).unwrap()
    }

    fn encode(p: &TimeBasedPartitioner, text: &str) -> String {
        p.encode_partition(&at(ms(text)), 0).unwrap()
    }

    #[test]
    fn hourly_in_utc() {
        let p = hourly("UTC");
        assert_eq!(
            encode(&p, "2014-02-01T03:04:05Z"),
            "year=2014/month=02/day=01/hour=03"
        );
        assert_eq!(p.partition_duration_ms(), HOUR_MS);
        assert_eq!(p.path_format(), "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH");
        assert_eq!(p.partition_fields(), ["year", "month", "day", "hour"]);
        assert_eq!(
            p.partitioned_path("t", "year=2014/month=02/day=01/hour=03"),
            "t/year=2014/month=02/day=01/hour=03"
        );
        assert_eq!(
            p.bucket_start(ms("2014-02-01T03:04:05Z")).unwrap(),
            ms("2014-02-01T03:00:00Z")
        );
    }

    #[test]
    fn daily_in_a_non_utc_zone() {
        let p =
            TimeBasedPartitioner::daily(&config(&[("timezone", "America/Los_Angeles")])).unwrap();
        assert_eq!(
            encode(&p, "2024-02-01T07:59:59Z"),
            "year=2024/month=01/day=31"
        );
        assert_eq!(
            encode(&p, "2024-02-01T08:00:00Z"),
            "year=2024/month=02/day=01"
        );
        assert_eq!(
            p.bucket_start(ms("2024-02-01T12:00:00Z")).unwrap(),
            ms("2024-02-01T00:00:00-08:00")
        );
        assert_eq!(p.partition_fields(), ["year", "month", "day"]);
    }

    #[test]
    fn fixed_offset_zone() {
        let p = TimeBasedPartitioner::daily(&config(&[("timezone", "+05:30")])).unwrap();
        assert_eq!(
            encode(&p, "2024-02-01T18:29:59Z"),
            "year=2024/month=02/day=01"
        );
        assert_eq!(
            encode(&p, "2024-02-01T18:30:00Z"),
            "year=2024/month=02/day=02"
        );
    }

    #[test]
    fn hourly_across_daylight_saving_in_paris() {
        let p = hourly("Europe/Paris");
        // Spring forward on 2024-03-31 at 01:00Z: 02:00 local is skipped.
        assert_eq!(
            encode(&p, "2024-03-31T00:59:59Z"),
            "year=2024/month=03/day=31/hour=01"
        );
        assert_eq!(
            encode(&p, "2024-03-31T01:00:00Z"),
            "year=2024/month=03/day=31/hour=03"
        );
        // Fall back on 2024-10-27 at 01:00Z: 02:00-03:00 local happens twice and both hours
        // share one directory.
        assert_eq!(
            encode(&p, "2024-10-27T00:30:00Z"),
            "year=2024/month=10/day=27/hour=02"
        );
        assert_eq!(
            encode(&p, "2024-10-27T01:30:00Z"),
            "year=2024/month=10/day=27/hour=02"
        );
        assert_eq!(
            encode(&p, "2024-10-27T02:30:00Z"),
            "year=2024/month=10/day=27/hour=03"
        );
    }

    #[test]
    fn bucket_starting_in_a_gap() {
        // Two-hour buckets in Paris: 03:30 CEST floors to 02:00 local, which does not exist on
        // 2024-03-31; Joda moves it to the transition, printed as 03:00.
        let p = TimeBasedPartitioner::new(&config(&[
            ("timezone", "Europe/Paris"),
            ("partition.duration.ms", "7200000"),
            ("path.format", "YYYY-MM-dd/HH:mm/ZZ"),
        ]))
        .unwrap();
        let start = p.bucket_start(ms("2024-03-31T01:30:00Z")).unwrap();
        assert_eq!(start, ms("2024-03-31T01:00:00Z"));
        assert_eq!(
            encode(&p, "2024-03-31T01:30:00Z"),
            "2024-03-31/03:00/+02:00"
        );
        // The same in New York, west of Greenwich: 02:00 local does not exist on 2024-03-10.
        let p = TimeBasedPartitioner::new(&config(&[
            ("timezone", "America/New_York"),
            ("partition.duration.ms", "7200000"),
            ("path.format", "YYYY-MM-dd/HH:mm/ZZ"),
        ]))
        .unwrap();
        assert_eq!(
            encode(&p, "2024-03-10T07:30:00Z"),
            "2024-03-10/03:00/-04:00"
        );
    }

    #[test]
    fn daily_when_midnight_is_skipped() {
        // Sao Paulo started daylight saving at midnight on 2018-11-04: the day starts at 01:00.
        let p = TimeBasedPartitioner::daily(&config(&[("timezone", "America/Sao_Paulo")])).unwrap();
        let noon = ms("2018-11-04T12:00:00-02:00");
        assert_eq!(
            p.bucket_start(noon).unwrap(),
            ms("2018-11-04T01:00:00-02:00")
        );
        assert_eq!(
            p.encode_partition(&at(noon), 0).unwrap(),
            "year=2018/month=11/day=04"
        );
    }

    #[test]
    fn time_based_with_locale_month_names() {
        let p = TimeBasedPartitioner::new(&config(&[
            ("locale", "fr"),
            ("timezone", "Europe/Paris"),
            ("partition.duration.ms", "86400000"),
            ("path.format", "'year'=YYYY/'month'=MMMM/'day'=dd/"),
        ]))
        .unwrap();
        assert_eq!(
            encode(&p, "2024-02-01T00:30:00Z"),
            "year=2024/month=février/day=01"
        );
        assert_eq!(
            encode(&p, "2024-08-15T12:00:00Z"),
            "year=2024/month=août/day=15"
        );
        // The trailing delimiter is stripped.
        assert_eq!(p.path_format(), "'year'=YYYY/'month'=MMMM/'day'=dd");
        assert_eq!(p.partition_fields(), ["year", "month", "day"]);
    }

    #[test]
    fn unpadded_format_and_custom_duration() {
        let p = TimeBasedPartitioner::new(&config(&[
            ("partition.duration.ms", "1800000"),
            (
                "path.format",
                "'year'=YYYY/'month'=M/'day'=d/'hour'=H/'minute'=mm",
            ),
        ]))
        .unwrap();
        assert_eq!(
            encode(&p, "2015-04-02T00:59:00Z"),
            "year=2015/month=4/day=2/hour=0/minute=30"
        );
        assert_eq!(
            p.partition_fields(),
            ["year", "month", "day", "hour", "minute"]
        );
    }

    #[test]
    fn timestamps_before_1970_floor_down() {
        let p = hourly("UTC");
        assert_eq!(
            p.encode_partition(&at(-1), 0).unwrap(),
            "year=1969/month=12/day=31/hour=23"
        );
    }

    #[test]
    fn out_of_range_timestamps() {
        let p = hourly("Europe/Paris");
        let err = p.encode_partition(&at(i64::MAX), 0).unwrap_err();
        assert!(err.0.contains("out of the supported range"), "{err}");
    }

    #[test]
    fn other_delimiters() {
        let p = TimeBasedPartitioner::hourly(&config(&[("directory.delim", "#")])).unwrap();
        assert_eq!(p.path_format(), "'year'=YYYY#'month'=MM#'day'=dd#'hour'=HH");
        let encoded = encode(&p, "2014-02-01T03:04:05Z");
        assert_eq!(encoded, "year=2014#month=02#day=01#hour=03");
        assert_eq!(
            p.partitioned_path("t", &encoded),
            "t#year=2014#month=02#day=01#hour=03"
        );
        assert_eq!(p.partition_fields(), ["year", "month", "day", "hour"]);
    }

    #[test]
    fn wallclock_uses_now_and_is_not_a_record_clock() {
        let p =
            TimeBasedPartitioner::hourly(&config(&[("timestamp.extractor", "Wallclock")])).unwrap();
        assert!(p.timestamp_extractor().is_none());
        let now = ms("2020-05-06T07:08:09Z");
        assert_eq!(
            p.encode_partition(&at(0), now).unwrap(),
            "year=2020/month=05/day=06/hour=07"
        );
    }

    #[test]
    fn record_extractor() {
        let p = hourly("UTC");
        let extractor = p.timestamp_extractor().unwrap();
        assert_eq!(extractor.extract(&at(1234), 0).unwrap(), 1234);
        let no_timestamp = SinkRecord::new(
            ConnectRecord::new("t", None, "v".into()),
            0,
            0,
            TimestampType::NoTimestampType,
        );
        let err = p.encode_partition(&no_timestamp, 0).unwrap_err();
        assert!(
            err.0
                .starts_with("Unable to determine timestamp using timestamp.extractor"),
            "{err}"
        );
    }

    #[test]
    fn record_field_extractor() {
        let p = TimeBasedPartitioner::hourly(&config(&[
            ("timestamp.extractor", "RecordField"),
            ("timestamp.field", "meta.at"),
        ]))
        .unwrap();
        let meta = SchemaBuilder::struct_()
            .field("at", Schema::int64())
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .field("meta", meta.clone())
            .build()
            .unwrap();
        let value = Struct::new(schema.clone())
            .unwrap()
            .with(
                "meta",
                Struct::new(meta)
                    .unwrap()
                    .with("at", ms("2014-02-01T03:04:05Z"))
                    .unwrap(),
            )
            .unwrap();
        let record = SinkRecord::new(
            ConnectRecord::new("t", Some(schema), value.into()),
            0,
            0,
            TimestampType::NoTimestampType,
        );
        assert_eq!(
            p.encode_partition(&record, 0).unwrap(),
            "year=2014/month=02/day=01/hour=03"
        );
        assert!(p.timestamp_extractor().is_some());
        let map = SinkRecord::new(
            ConnectRecord::new(
                "t",
                None,
                Value::Map(vec![(
                    "meta".into(),
                    Value::Map(vec![("at".into(), "2014-02-01T03:04:05Z".into())]),
                )]),
            ),
            0,
            0,
            TimestampType::NoTimestampType,
        );
        assert_eq!(
            p.encode_partition(&map, 0).unwrap(),
            "year=2014/month=02/day=01/hour=03"
        );
        let err = p.encode_partition(&at(0), 0).unwrap_err();
        assert!(err.0.starts_with("Error encoding partition."), "{err}");
    }

    fn config_error(pairs: &[(&str, &str)]) -> String {
        let mut props = ConfigMap::new();
        for (k, v) in pairs {
            props.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = PartitionerConfig::from_props(&props).unwrap();
        TimeBasedPartitioner::new(&config).unwrap_err().to_string()
    }

    #[test]
    fn configuration_errors() {
        let valid = [
            ("partition.duration.ms", "3600000"),
            ("path.format", "'year'=YYYY"),
            ("locale", "en"),
            ("timezone", "UTC"),
        ];
        let with = |key: &str, value: &str| -> Vec<(&str, String)> {
            valid
                .iter()
                .map(|(k, v)| {
                    (
                        *k,
                        if *k == key {
                            value.to_owned()
                        } else {
                            (*v).to_owned()
                        },
                    )
                })
                .collect()
        };
        let error = |key: &str, value: &str| {
            let pairs = with(key, value);
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            config_error(&pairs)
        };
        assert_eq!(
            error("partition.duration.ms", "-1"),
            "Invalid value -1 for configuration partition.duration.ms: \
             Partition duration needs to be a positive."
        );
        assert_eq!(
            error("partition.duration.ms", "0"),
            "Invalid value 0 for configuration partition.duration.ms: \
             Partition duration needs to be a positive."
        );
        assert_eq!(
            error("path.format", ""),
            "Invalid value  for configuration path.format: Path format cannot be empty."
        );
        assert_eq!(
            error("path.format", "/"),
            "Invalid value / for configuration path.format: Path format cannot be empty."
        );
        assert_eq!(
            error("locale", ""),
            "Invalid value  for configuration locale: Locale cannot be empty."
        );
        assert_eq!(
            error("timezone", ""),
            "Invalid value  for configuration timezone: Timezone cannot be empty."
        );
        assert_eq!(
            error("path.format", "'year'=YYYY/'quarter'=qq"),
            "Invalid value 'year'=YYYY/'quarter'=qq for configuration path.format: \
             Illegal pattern component: qq"
        );
        assert!(
            error("path.format", "GGGG/YYYY").starts_with(
                "Invalid value GGGG/YYYY for configuration path.format: \
                 Unsupported pattern component: GGGG (era text)"
            ),
            "{}",
            error("path.format", "GGGG/YYYY")
        );
        let mut pairs: Vec<(&str, &str)> = valid.to_vec();
        pairs.push(("timestamp.extractor", "com.example.Custom"));
        assert_eq!(
            config_error(&pairs),
            "Invalid timestamp extractor: com.example.Custom"
        );
        let mut pairs: Vec<(&str, &str)> = valid.to_vec();
        pairs.push(("timestamp.extractor", "RecordField"));
        pairs.push(("timestamp.field", ""));
        assert!(
            config_error(&pairs).contains("The field to extract cannot be null or empty."),
            "{}",
            config_error(&pairs)
        );
    }

    #[test]
    fn hourly_and_daily_need_locale_and_timezone() {
        let props = ConfigMap::from([("timezone".to_owned(), "UTC".to_owned())]);
        let config = PartitionerConfig::from_props(&props).unwrap();
        assert_eq!(
            TimeBasedPartitioner::hourly(&config)
                .unwrap_err()
                .to_string(),
            "Invalid value  for configuration locale: Locale cannot be empty."
        );
        let props = ConfigMap::from([("locale".to_owned(), "en".to_owned())]);
        let config = PartitionerConfig::from_props(&props).unwrap();
        assert_eq!(
            TimeBasedPartitioner::daily(&config)
                .unwrap_err()
                .to_string(),
            "Invalid value  for configuration timezone: Timezone cannot be empty."
        );
    }
}
