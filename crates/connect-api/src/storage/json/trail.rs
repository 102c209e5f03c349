//! Carrying a [`DataError`] and its location out through serde.
//!
//! serde's error types only hold text, so the converter's own errors are parked in a [`Trail`]
//! and a placeholder travels through serde instead. While the error unwinds, each container adds
//! its segment of the path, so the final message says where the problem is, as a JSONPath into
//! the document: `payload at $.address.zip: Invalid null value for required INT32 field`.
//! Errors at the top level keep Kafka's exact text, without a location.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::Write as _;

use crate::error::DataError;

/// One step of a path into a JSON document.
#[derive(Debug, Clone)]
pub(crate) enum Seg {
    /// An object member whose name is known statically or is a struct field name.
    Field(Cow<'static, str>),
    /// An array element.
    Index(usize),
    /// A member of a JSON object that encodes a map.
    Key(String),
}

/// Where a conversion error is parked while serde unwinds.
pub(crate) struct Trail {
    /// What the root of the path is: `payload`, `schema` or `value`.
    root: &'static str,
    /// Where in the document the converted part starts (a schema's `default`, for example).
    prefix: Vec<Seg>,
    error: RefCell<Option<DataError>>,
    path: RefCell<Vec<Seg>>,
}

impl Trail {
    pub(crate) fn new(root: &'static str) -> Self {
        Self::with_prefix(root, Vec::new())
    }

    /// A trail whose paths start at `prefix` (outermost segment first).
    pub(crate) fn with_prefix(root: &'static str, prefix: Vec<Seg>) -> Self {
        Self {
            root,
            prefix,
            error: RefCell::new(None),
            path: RefCell::new(Vec::new()),
        }
    }

    /// Parks `err` and returns the placeholder to hand to serde (deserialization side).
    pub(crate) fn fail_de<E: serde::de::Error>(&self, err: DataError) -> E {
        self.park(err);
        E::custom(PLACEHOLDER)
    }

    /// Parks `err` and returns the placeholder to hand to serde (serialization side).
    pub(crate) fn fail_ser<E: serde::ser::Error>(&self, err: DataError) -> E {
        self.park(err);
        E::custom(PLACEHOLDER)
    }

    fn park(&self, err: DataError) {
        let mut slot = self.error.borrow_mut();
        if slot.is_none() {
            *slot = Some(err);
            self.path.borrow_mut().clear();
        }
    }

    /// Records that the error passing through happened inside `seg`; returns `err` unchanged.
    pub(crate) fn at<E>(&self, seg: Seg, err: E) -> E {
        if self.error.borrow().is_some() {
            self.path.borrow_mut().push(seg);
        }
        err
    }

    /// The parked error with its location, if the failure was the converter's rather than
    /// serde_json's.
    pub(crate) fn take(&self) -> Option<DataError> {
        let err = self.error.borrow_mut().take()?;
        let path = std::mem::take(&mut *self.path.borrow_mut());
        Some(locate(
            err,
            self.root,
            self.prefix.iter().chain(path.iter().rev()),
        ))
    }
}

/// Prefixes `err` with `<root> at <JSONPath>`; an empty path leaves the message as it is.
pub(crate) fn locate<'a>(
    err: DataError,
    root: &str,
    path: impl IntoIterator<Item = &'a Seg>,
) -> DataError {
    let mut at = String::from("$");
    for seg in path {
        match seg {
            Seg::Field(name) if is_identifier(name) => {
                at.push('.');
                at.push_str(name);
            }
            Seg::Field(name) => push_quoted(&mut at, name),
            Seg::Key(key) => push_quoted(&mut at, key),
            Seg::Index(i) => {
                let _ = write!(at, "[{i}]");
            }
        }
    }
    if at.len() == 1 {
        err
    } else {
        err.context(format_args!("{root} at {at}"))
    }
}

const PLACEHOLDER: &str = "json converter error";

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn push_quoted(out: &mut String, name: &str) {
    out.push('[');
    out.push_str(&serde_json::to_string(name).unwrap_or_default());
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_json_path() {
        let trail = Trail::new("payload");
        let _: serde_json::Error = trail.fail_de(DataError::new("bad"));
        trail.at(Seg::Key("k 1".into()), ());
        trail.at(Seg::Index(3), ());
        trail.at(Seg::Field("items".into()), ());
        assert_eq!(
            trail.take().unwrap().to_string(),
            "payload at $.items[3][\"k 1\"]: bad"
        );
        assert!(trail.take().is_none());
    }

    #[test]
    fn top_level_error_keeps_its_text() {
        let trail = Trail::new("value");
        let _: serde_json::Error = trail.fail_de(DataError::new("exact text"));
        assert_eq!(trail.take().unwrap().to_string(), "exact text");
    }
}
