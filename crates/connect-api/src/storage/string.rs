//! [`StringConverter`]: values as text in a configurable character set (Kafka's
//! `org.apache.kafka.connect.storage.StringConverter`).

use ::bytes::Bytes;

use super::ConverterType;
use super::codec::{self, Codec};
use crate::config::{ConfigDef, ConfigKey, ConfigMap, Importance, Width};
use crate::data::{Schema, SchemaAndValue, Value};
use crate::error::{ConfigError, DataError, Result};

/// The configuration key naming the character set (`converter.encoding`).
pub const ENCODING_CONFIG: &str = "converter.encoding";
/// The default character set.
pub const ENCODING_DEFAULT: &str = "UTF-8";

/// The character sets the string converter supports, by their Java names and common aliases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charset {
    Utf8,
    Latin1,
    Ascii,
    /// Writes a big-endian byte order mark; reads either order from a mark (big-endian without).
    Utf16,
    Utf16Be,
    Utf16Le,
}

impl Charset {
    /// Java's `Charset.forName`, for the supported sets; Kafka's serializers report anything
    /// else as `Unsupported encoding <name>`.
    fn for_name(name: &str) -> Result<Self, ConfigError> {
        let charset = match name.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" | "unicode-1-1-utf-8" => Charset::Utf8,
            "iso-8859-1" | "iso8859-1" | "iso8859_1" | "iso_8859_1" | "iso_8859-1" | "latin1"
            | "l1" | "8859_1" | "cp819" | "ibm819" | "ibm-819" | "819" | "csisolatin1"
            | "iso-ir-100" | "iso_8859-1:1987" => Charset::Latin1,
            "us-ascii" | "ascii" | "us" | "ascii7" | "646" | "iso646-us" | "iso_646.irv:1983"
            | "ansi_x3.4-1968" | "ansi_x3.4-1986" | "cp367" | "ibm367" | "csascii" | "iso-ir-6"
            | "default" => Charset::Ascii,
            "utf-16" | "utf_16" | "utf16" | "unicode" => Charset::Utf16,
            "utf-16be" | "utf_16be" | "x-utf-16be" | "iso-10646-ucs-2" | "unicodebigunmarked" => {
                Charset::Utf16Be
            }
            "utf-16le" | "utf_16le" | "x-utf-16le" | "unicodelittleunmarked" => Charset::Utf16Le,
            _ => return Err(ConfigError::other(format!("Unsupported encoding {name}"))),
        };
        Ok(charset)
    }

    fn name(self) -> &'static str {
        match self {
            Charset::Utf8 => "UTF-8",
            Charset::Latin1 => "ISO-8859-1",
            Charset::Ascii => "US-ASCII",
            Charset::Utf16 => "UTF-16",
            Charset::Utf16Be => "UTF-16BE",
            Charset::Utf16Le => "UTF-16LE",
        }
    }

    /// Encodes like Java's `String.getBytes(charset)`: characters the set cannot hold become `?`.
    fn encode(self, text: &str) -> Vec<u8> {
        let single_byte = |limit: u32| {
            text.chars()
                .map(|c| {
                    u8::try_from(u32::from(c))
                        .ok()
                        .filter(|&b| u32::from(b) <= limit)
                })
                .map(|b| b.unwrap_or(b'?'))
                .collect()
        };
        match self {
            Charset::Utf8 => text.as_bytes().to_vec(),
            Charset::Latin1 => single_byte(0xFF),
            Charset::Ascii => single_byte(0x7F),
            Charset::Utf16 => [0xFE, 0xFF]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
                .collect(),
            Charset::Utf16Be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            Charset::Utf16Le => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        }
    }

    /// Decodes strictly: `None` for bytes that are not valid in the set.
    fn decode(self, bytes: &[u8]) -> Option<String> {
        match self {
            Charset::Utf8 => std::str::from_utf8(bytes).ok().map(str::to_owned),
            Charset::Latin1 => Some(bytes.iter().map(|&b| char::from(b)).collect()),
            Charset::Ascii => bytes
                .is_ascii()
                .then(|| bytes.iter().map(|&b| char::from(b)).collect()),
            Charset::Utf16 => match bytes {
                [0xFE, 0xFF, rest @ ..] => decode_utf16(rest, u16::from_be_bytes),
                [0xFF, 0xFE, rest @ ..] => decode_utf16(rest, u16::from_le_bytes),
                _ => decode_utf16(bytes, u16::from_be_bytes),
            },
            Charset::Utf16Be => decode_utf16(bytes, u16::from_be_bytes),
            Charset::Utf16Le => decode_utf16(bytes, u16::from_le_bytes),
        }
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Option<String> {
    let (pairs, remainder) = bytes.as_chunks::<2>();
    if !remainder.is_empty() {
        return None;
    }
    String::from_utf16(&pairs.iter().map(|&pair| unit(pair)).collect::<Vec<_>>()).ok()
}

/// Converts values to and from text (Kafka's `StringConverter`), also as a header converter.
///
/// Writing ignores the schema and writes the value as Java's `toString()` would (null stays
/// null); reading always gives an optional string schema. The character set is
/// `converter.encoding` (UTF-8 by default; also ISO-8859-1, US-ASCII and UTF-16, under their Java
/// names and aliases), which Kafka's `key.serializer.encoding` / `value.serializer.encoding` and
/// `…deserializer.encoding` keys override. Bytes that are not valid text in it are a data error,
/// where Java would silently substitute U+FFFD.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::data::{Schema, Value};
/// use connect_api::header::Headers;
/// use connect_api::storage::{Converter, StringConverter};
///
/// let mut converter = StringConverter::new();
/// Converter::configure(&mut converter, &ConfigMap::new(), false)?;
/// let mut headers = Headers::new();
/// let bytes = futures::executor::block_on(converter.from_connect_data("t", &mut headers, None, &Value::Int32(7)))?;
/// assert_eq!(bytes.as_deref(), Some(&b"7"[..]));
/// let back = futures::executor::block_on(converter.to_connect_data("t", &headers, Some(b"7")))?;
/// assert_eq!(back.schema, Some(Schema::optional_string()));
/// assert_eq!(back.value, Value::from("7"));
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[derive(Debug, Clone)]
pub struct StringConverter {
    write_charset: Charset,
    read_charset: Charset,
}

impl Default for StringConverter {
    fn default() -> Self {
        Self::new()
    }
}

impl StringConverter {
    /// A UTF-8 string converter.
    pub fn new() -> Self {
        Self {
            write_charset: Charset::Utf8,
            read_charset: Charset::Utf8,
        }
    }
}

impl Codec for StringConverter {
    /// Kafka's `StringConverterConfig`: `converter.type` and `converter.encoding`.
    fn definition() -> ConfigDef {
        codec::converter_config_def().define(
            ConfigKey::string(ENCODING_CONFIG)
                .default_value(ENCODING_DEFAULT)
                .importance(Importance::High)
                .documentation(
                    "The name of the Java character set to use for encoding strings as byte \
                     arrays.",
                )
                .width(Width::Medium)
                .display_name("Encoding"),
        )
    }

    fn apply_config(&mut self, props: &ConfigMap) -> Result<()> {
        let parsed = codec::parse(&Self::definition(), props)?;
        let encoding = parsed.get_string(ENCODING_CONFIG)?;
        // Kafka hands its own serializer and deserializer the configuration, with
        // `serializer.encoding` / `deserializer.encoding` set to the converter's encoding; their
        // key- or value-specific settings take precedence.
        let prefix = if codec::converter_type(&parsed)? == ConverterType::Key {
            "key"
        } else {
            "value"
        };
        let charset_for = |role: &str| {
            let name = props
                .get(&format!("{prefix}.{role}.encoding"))
                .map_or(encoding, String::as_str);
            Charset::for_name(name)
        };
        self.write_charset = charset_for("serializer")?;
        self.read_charset = charset_for("deserializer")?;
        Ok(())
    }

    /// Ignores the schema; null stays null, anything else is written as Java's `toString()`
    /// would.
    fn write(
        &self,
        _topic: &str,
        _schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Bytes>> {
        Ok(match value {
            Value::Null => None,
            // A string's `toString()` is itself: no formatting, one copy.
            Value::String(text) if self.write_charset == Charset::Utf8 => {
                Some(Bytes::copy_from_slice(text.as_bytes()))
            }
            value => Some(Bytes::from(self.write_charset.encode(&value.to_string()))),
        })
    }

    fn read(&self, topic: &str, data: Option<&[u8]>) -> Result<SchemaAndValue> {
        let value = match data {
            None => Value::Null,
            Some(bytes) => Value::String(self.read_charset.decode(bytes).ok_or_else(|| {
                DataError::new(format!(
                    "Failed to deserialize string: the data on topic '{topic}' is not valid {}",
                    self.read_charset.name()
                ))
            })?),
        };
        Ok(SchemaAndValue::new(Some(Schema::optional_string()), value))
    }
}

codec::converter_traits!(impl for StringConverter);
