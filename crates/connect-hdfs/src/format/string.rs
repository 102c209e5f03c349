//! Confluent's `io.confluent.connect.hdfs.string.StringFormat`: one line of text per record.
//!
//! Each record value must be a string; it is written as UTF-8 followed by `\n`. Any other value,
//! null included, is refused (Confluent's writer fails with a `ClassCastException` or a
//! `NullPointerException`). The file keeps no schema.

use connect_api::data::{Schema, Value};

use super::{Format, FormatError, RecordWriter};

/// The text format (`.txt`): each string value on its own line.
///
/// ```
/// use connect_api::data::Value;
/// use connect_hdfs::format::string::StringFormat;
/// use connect_hdfs::format::Format;
///
/// let format = StringFormat::new();
/// assert_eq!(format.extension(), ".txt");
/// let mut writer = format.new_writer(None)?;
/// writer.write(&Value::from("hello"))?;
/// writer.write(&Value::from("world"))?;
/// let mut file = Vec::new();
/// writer.finish(&mut file)?;
/// assert_eq!(file, b"hello\nworld\n");
/// assert!(format.read_schema(&file)?.is_none());
/// # Ok::<(), connect_hdfs::format::FormatError>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct StringFormat;

impl StringFormat {
    /// The text format.
    pub fn new() -> Self {
        Self
    }
}

impl Format for StringFormat {
    fn extension(&self) -> &'static str {
        ".txt"
    }

    fn new_writer(&self, _schema: Option<&Schema>) -> Result<Box<dyn RecordWriter>, FormatError> {
        Ok(Box::new(StringRecordWriter::default()))
    }

    fn read_schema(&self, _file: &[u8]) -> Result<Option<Schema>, FormatError> {
        Ok(None)
    }
}

/// Writes string values, one per line.
#[derive(Debug, Default)]
struct StringRecordWriter {
    buf: Vec<u8>,
}

impl RecordWriter for StringRecordWriter {
    fn write(&mut self, value: &Value) -> Result<(), FormatError> {
        match value {
            Value::String(text) => {
                self.buf.reserve(text.len() + 1);
                self.buf.extend_from_slice(text.as_bytes());
                self.buf.push(b'\n');
                Ok(())
            }
            other => Err(FormatError::Unsupported(format!(
                "StringFormat writes only string values, but the record value is {}",
                describe(other)
            ))),
        }
    }

    fn take_output(&mut self, out: &mut Vec<u8>) {
        super::move_bytes(&mut self.buf, out);
    }

    fn finish(mut self: Box<Self>, out: &mut Vec<u8>) -> Result<(), FormatError> {
        super::move_bytes(&mut self.buf, out);
        Ok(())
    }

    fn buffered_bytes(&self) -> usize {
        self.buf.len()
    }
}

/// `null`, or `a value of type int32` and the like.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        other => format!("a value of type {}", other.kind()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_lines_and_drains_output() {
        let format = StringFormat::new();
        let mut writer = format.new_writer(Some(&Schema::string())).unwrap();
        writer.write(&Value::from("a")).unwrap();
        writer.write(&Value::from("ünïcödé")).unwrap();
        assert_eq!(writer.buffered_bytes(), 2 + "ünïcödé".len() + 1);
        let mut out = Vec::new();
        writer.take_output(&mut out);
        assert_eq!(writer.buffered_bytes(), 0);
        writer.write(&Value::from("")).unwrap();
        writer.finish(&mut out).unwrap();
        assert_eq!(out, "a\nünïcödé\n\n".as_bytes());
    }

    #[test]
    fn refuses_other_values_naming_their_type() {
        let mut writer = StringFormat::new().new_writer(None).unwrap();
        let err = writer.write(&Value::Int32(3)).unwrap_err();
        assert!(matches!(err, FormatError::Unsupported(_)));
        assert!(err.to_string().contains("int32"), "{err}");
        let err = writer.write(&Value::Null).unwrap_err();
        assert!(err.to_string().contains("null"), "{err}");
        assert_eq!(writer.buffered_bytes(), 0);
    }

    #[test]
    fn keeps_no_schema() {
        assert_eq!(StringFormat::new().extension(), ".txt");
        assert!(StringFormat::new().read_schema(b"x\n").unwrap().is_none());
    }
}
