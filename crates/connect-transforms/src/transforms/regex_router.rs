//! `RegexRouter`: renames the topic of records whose topic matches a regular expression.
//!
//! # Java regular expressions and the `regex` crate
//!
//! Kafka compiles `regex` (and `TopicNameMatches`'s `pattern`) with `java.util.regex.Pattern`;
//! here they are compiled with the [`regex`] crate, whose syntax is largely the same for what
//! topic patterns use (literals, `.`, classes such as `[a-z]` and `\d`, groups, named groups
//! `(?<name>…)`, alternation, greedy and lazy quantifiers, `^` `$` `\A` `\z` `\b`, the `i` `m`
//! `s` `x` flags) and which reports the same leftmost-first match a backtracking engine finds.
//! The differences:
//!
//! * Not supported, rejected with a `ConfigException` that says so: look-ahead and look-behind
//!   (`(?=…)`, `(?!…)`, `(?<=…)`, `(?<!…)`), backreferences (`\1`, `\k<name>`), atomic groups
//!   (`(?>…)`), possessive quantifiers (`a*+`, `a++`, `a?+`, `a{2}+`, which the `regex` crate
//!   would otherwise read as a repeated repetition), `\Q…\E` quoting, octal escapes (`\0101`),
//!   `\Z`, `\G`, `\h`, `\H`, `\R`, `\X`, `\e`, `\cX`, `\v` (a vertical tab in the `regex` crate but
//!   any vertical whitespace in Java), Java's `\p{javaLowerCase}`-style classes, the `d` (Unix
//!   lines) flag, and the `U` flag (Unicode classes in Java, but *swap greed* in the `regex`
//!   crate). POSIX bracket classes such as `[[:alpha:]]`, which Java reads as the set of the
//!   characters `:alph`, are rejected too.
//! * Classes such as `\w`, `\d`, `\s`, `\b` and `(?i)` are Unicode-aware in the `regex` crate and
//!   ASCII-only in Java by default, and `.` and `$` treat only `\n` as a line terminator; since
//!   Kafka topic names are made of ASCII letters, digits, `.`, `_` and `-`, this changes no
//!   result on a topic name.
//! * The `regex` crate accepts a few things Java rejects (`(?P<name>…)`, `\pL` without braces,
//!   `[a--b]` class difference); they keep their `regex`-crate meaning.
//! * Error messages after `Invalid regex: ` are the `regex` crate's, not Java's.

use std::fmt;

use connect_api::config::{
    ConfigDef, ConfigKey, ConfigMap, ConfigValue, Importance, Validator, invalid_value,
};
use connect_api::error::{ConfigError, ConnectError, Result};
use connect_api::record::Record;
use connect_api::transform::Transform;
use regex::{Captures, Regex};

const REGEX: &str = "regex";
const REPLACEMENT: &str = "replacement";

/// Updates the record topic using a regular expression and a replacement string (Kafka's
/// `RegexRouter`).
///
/// When the *whole* topic name matches `regex` (Java's `Matcher.matches()`), the new topic is
/// what Java's `Matcher.replaceFirst(replacement)` gives: the first match is replaced, with
/// Java's replacement syntax — `$1` or `${name}` for a group, `\$` and `\\` for a literal `$` or
/// `\`. Other records keep their topic. A replacement Java rejects (a `$` not followed by a
/// group, `$3` with two groups, a trailing `\`) fails each matching record with Java's message,
/// as in Kafka. See the [module documentation](self) for how Java's regular expression syntax is
/// supported.
///
/// ```
/// use connect_api::config::ConfigMap;
/// use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
/// use connect_api::transform::Transform;
/// use connect_transforms::transforms::regex_router::RegexRouter;
///
/// let mut router = RegexRouter::new();
/// let props = ConfigMap::from([
///     ("regex".to_owned(), r"(.*)-(\d+)".to_owned()),
///     ("replacement".to_owned(), "$1_v$2".to_owned()),
/// ]);
/// Transform::<SinkRecord>::configure(&mut router, &props)?;
///
/// let record = SinkRecord::new(ConnectRecord::new("orders-7", None, "v".into()), 0, 1, TimestampType::CreateTime);
/// let out = router.apply(record)?.expect("RegexRouter never drops a record");
/// assert_eq!(&*out.topic, "orders_v7");
/// assert_eq!(out.original_topic(), "orders-7");
/// # Ok::<(), connect_api::error::ConnectError>(())
/// ```
#[derive(Debug, Default)]
pub struct RegexRouter {
    /// `None` until configured.
    router: Option<Router>,
}

#[derive(Debug)]
struct Router {
    regex: JavaRegex,
    /// The parsed replacement, or the message of the exception Java's `replaceFirst` throws
    /// for it (raised for each record that matches, as in Kafka).
    replacement: std::result::Result<Vec<Piece>, String>,
}

/// A part of a parsed replacement string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Literal text.
    Text(String),
    /// The text of a capturing group (nothing when the group did not take part in the match).
    Group(usize),
}

impl RegexRouter {
    /// Kafka's class name.
    pub const CLASS: &str = "org.apache.kafka.connect.transforms.RegexRouter";

    /// Kafka's description of the transform.
    pub const OVERVIEW_DOC: &str = "Update the record topic using the configured regular expression and replacement string.\
         <p/>Under the hood, the regex is compiled to a <code>java.util.regex.Pattern</code>. \
         If the pattern matches the input topic, <code>java.util.regex.Matcher#replaceFirst()</code> is used with the replacement string to obtain the new topic.";

    /// An unconfigured transform; `apply` fails until it is configured.
    pub fn new() -> Self {
        Self::default()
    }

    fn config_def() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::string(REGEX)
                    .validator(RegexValidator)
                    .importance(Importance::High)
                    .documentation("Regular expression to use for matching."),
            )
            .define(
                ConfigKey::string(REPLACEMENT)
                    .importance(Importance::High)
                    .documentation("Replacement string."),
            )
    }
}

impl<R: Record> Transform<R> for RegexRouter {
    fn configure(&mut self, configs: &ConfigMap) -> Result<()> {
        let parsed = Self::config_def().parse(configs)?;
        let pattern = parsed.get_string(REGEX)?;
        let regex = JavaRegex::compile(pattern).map_err(|message| {
            ConfigError::invalid(REGEX, pattern, format!("Invalid regex: {message}"))
        })?;
        let replacement = parse_replacement(parsed.get_string(REPLACEMENT)?, &regex.find);
        self.router = Some(Router { regex, replacement });
        Ok(())
    }

    fn apply(&mut self, mut record: R) -> Result<Option<R>> {
        let Some(router) = &self.router else {
            return Err(ConnectError::Config(ConfigError::missing(REGEX)));
        };
        if !router.regex.matches(&record.topic) {
            return Ok(Some(record));
        }
        let pieces = router
            .replacement
            .as_ref()
            .map_err(|message| ConnectError::other(message.clone()))?;
        // Java's `replaceFirst` starts a new search, which may find a shorter match than the
        // whole topic (`a|ab` on `ab` finds `a`).
        if let Some(captures) = router.regex.find.captures(&record.topic) {
            let topic = replace_first(&record.topic, &captures, pieces);
            record.topic = topic.into();
        }
        Ok(Some(record))
    }

    fn config(&self) -> ConfigDef {
        Self::config_def()
    }
}

/// `text` with the match of `captures` replaced by the expanded `pieces`.
fn replace_first(text: &str, captures: &Captures<'_>, pieces: &[Piece]) -> String {
    let Some(whole) = captures.get(0) else {
        return text.to_owned();
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..whole.start()]);
    for piece in pieces {
        match piece {
            Piece::Text(literal) => out.push_str(literal),
            Piece::Group(group) => {
                if let Some(m) = captures.get(*group) {
                    out.push_str(m.as_str());
                }
            }
        }
    }
    out.push_str(&text[whole.end()..]);
    out
}

/// Parses a replacement string as Java's `Matcher.appendReplacement` reads it, against the
/// groups of `regex`; the error is the message of the exception Java would throw.
fn parse_replacement(replacement: &str, regex: &Regex) -> std::result::Result<Vec<Piece>, String> {
    let group_count = regex.captures_len().saturating_sub(1);
    let chars: Vec<char> = replacement.chars().collect();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut text = String::new();
    let mut cursor = 0;
    while let Some(&c) = chars.get(cursor) {
        match c {
            '\\' => {
                cursor += 1;
                let escaped = chars
                    .get(cursor)
                    .ok_or_else(|| "character to be escaped is missing".to_owned())?;
                text.push(*escaped);
                cursor += 1;
            }
            '$' => {
                cursor += 1;
                let next = *chars
                    .get(cursor)
                    .ok_or_else(|| "Illegal group reference: group index is missing".to_owned())?;
                let group = if next == '{' {
                    cursor += 1;
                    let start = cursor;
                    while chars.get(cursor).is_some_and(char::is_ascii_alphanumeric) {
                        cursor += 1;
                    }
                    let name: String = chars[start..cursor].iter().collect();
                    if name.is_empty() {
                        return Err("named capturing group has 0 length name".to_owned());
                    }
                    if chars.get(cursor) != Some(&'}') {
                        return Err("named capturing group is missing trailing '}'".to_owned());
                    }
                    if name.starts_with(|c: char| c.is_ascii_digit()) {
                        return Err(format!(
                            "capturing group name {{{name}}} starts with digit character"
                        ));
                    }
                    cursor += 1;
                    regex
                        .capture_names()
                        .position(|n| n == Some(name.as_str()))
                        .ok_or_else(|| format!("No group with name {{{name}}}"))?
                } else {
                    let mut group = next
                        .to_digit(10)
                        .ok_or_else(|| "Illegal group reference".to_owned())?
                        as usize;
                    cursor += 1;
                    // Further digits belong to the reference while it stays a valid group.
                    while let Some(digit) = chars.get(cursor).and_then(|c| c.to_digit(10)) {
                        let longer = group * 10 + digit as usize;
                        if longer > group_count {
                            break;
                        }
                        group = longer;
                        cursor += 1;
                    }
                    if group > group_count {
                        return Err(format!("No group {group}"));
                    }
                    group
                };
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Group(group));
            }
            other => {
                text.push(other);
                cursor += 1;
            }
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// A Java regular expression compiled with the `regex` crate: searched like Java's `find()` and
/// matched against a whole text like Java's `matches()`.
///
/// Shared with `TopicNameMatches`.
#[derive(Debug, Clone)]
pub(crate) struct JavaRegex {
    /// The pattern as written, for searching.
    find: Regex,
    /// The pattern anchored at both ends, for whole-text matches.
    whole: Regex,
}

impl JavaRegex {
    /// Compiles `pattern`; the error is the text that follows `Invalid regex: ` in the
    /// configuration error.
    pub(crate) fn compile(pattern: &str) -> std::result::Result<Self, String> {
        if let Some(problem) = unsupported_java_syntax(pattern) {
            return Err(problem);
        }
        let find = Regex::new(pattern).map_err(describe_regex_error)?;
        let whole = Regex::new(&format!(r"\A(?:{pattern})\z"))
            // A trailing `#` comment of the `x` flag runs to the end of the line and would
            // swallow the closing of the group: end the line first.
            .or_else(|first| Regex::new(&format!("\\A(?:{pattern}\n)\\z")).map_err(|_| first))
            .map_err(describe_regex_error)?;
        Ok(Self { find, whole })
    }

    /// Whether the whole of `text` matches (Java's `matcher(text).matches()`).
    pub(crate) fn matches(&self, text: &str) -> bool {
        self.whole.is_match(text)
    }

    /// The pattern as configured.
    pub(crate) fn as_str(&self) -> &str {
        self.find.as_str()
    }
}

/// The `regex` crate's error, with a note when it is about Java syntax that is not supported.
fn describe_regex_error(error: regex::Error) -> String {
    let message = error.to_string();
    let java_only = [
        "look-around",
        "backreferences",
        "unrecognized flag",
        "unrecognized escape sequence",
        "Unicode property not found",
    ];
    if java_only.iter().any(|hint| message.contains(hint)) {
        format!(
            "{message}\nNote: regular expressions are compiled with the Rust regex engine, which \
             does not support some Java syntax: look-around, backreferences, atomic groups, \
             possessive quantifiers, \\Q...\\E quoting, octal escapes, \\Z, \\G, \\h, \\R, \\X, \
             \\e, \\cX, Java character classes such as \\p{{javaLowerCase}}, and the d flag."
        )
    } else {
        message
    }
}

/// Finds Java syntax that the `regex` crate would accept with another meaning: possessive
/// quantifiers, `\v`, the `U` flag and POSIX bracket classes.
fn unsupported_java_syntax(pattern: &str) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    // Nesting depth of character classes.
    let mut class_depth = 0usize;
    // Whether the previous token was a quantifier (`*`, `+`, `?`, `{n,m}`).
    let mut after_quantifier = false;
    while let Some(&c) = chars.get(i) {
        i += 1;
        if c == '\\' {
            after_quantifier = false;
            match chars.get(i) {
                Some('v') => {
                    return Some(
                        "\\v is not supported (in Java it matches any vertical whitespace, in \
                         the Rust regex engine only a vertical tab); use [\\n\\x0B\\f\\r] instead"
                            .to_owned(),
                    );
                }
                Some('p' | 'P' | 'x' | 'u' | 'N') if chars.get(i + 1) == Some(&'{') => {
                    while chars.get(i).is_some_and(|&c| c != '}') {
                        i += 1;
                    }
                    i += 1;
                }
                _ => i += 1,
            }
            continue;
        }
        if class_depth > 0 {
            match c {
                '[' if is_posix_class(&chars, i) => {
                    return Some(format!(
                        "POSIX character classes such as [:alpha:] are not supported (Java reads \
                         them as a set of characters); use \\p{{Alpha}} or an explicit class \
                         instead, in: {pattern}"
                    ));
                }
                '[' => {
                    class_depth += 1;
                    i = skip_class_start(&chars, i);
                }
                ']' => class_depth -= 1,
                _ => {}
            }
            continue;
        }
        match c {
            '[' => {
                class_depth = 1;
                i = skip_class_start(&chars, i);
                after_quantifier = false;
            }
            '(' => {
                after_quantifier = false;
                if chars.get(i) == Some(&'?') {
                    i += 1;
                    // Inline flags, as in `(?iU)` or `(?x:…)`; group names start with `<` or
                    // `P<` and stop the scan at once or after the `P`.
                    let start = i;
                    while chars
                        .get(i)
                        .is_some_and(|c| c.is_ascii_alphabetic() || *c == '-')
                    {
                        i += 1;
                    }
                    let enabled = chars[start..i].split(|c| *c == '-').next().unwrap_or(&[]);
                    if enabled.contains(&'U') {
                        return Some(
                            "the U flag is not supported (in Java it makes classes Unicode-aware, \
                             in the Rust regex engine it swaps greedy and lazy quantifiers)"
                                .to_owned(),
                        );
                    }
                }
            }
            '*' | '+' | '?' => {
                if after_quantifier {
                    if c == '+' {
                        return Some(possessive(pattern));
                    }
                    // `*?`: a lazy quantifier.
                    after_quantifier = false;
                } else {
                    after_quantifier = true;
                }
            }
            '{' => match counted_repetition_end(&chars, i) {
                Some(end) => {
                    i = end;
                    if after_quantifier {
                        // `a*{2}`: Java rejects it; let the regex crate decide.
                        after_quantifier = false;
                    } else {
                        after_quantifier = true;
                    }
                }
                None => after_quantifier = false,
            },
            _ => after_quantifier = false,
        }
    }
    None
}

fn possessive(pattern: &str) -> String {
    format!(
        "possessive quantifiers (such as a*+, a++, a?+ or a{{2}}+) are not supported by the Rust \
         regex engine, in: {pattern}"
    )
}

/// Whether `chars[i..]`, after a `[` inside a class, continues into a POSIX class such as
/// `:alpha:]` or `:^digit:]`.
fn is_posix_class(chars: &[char], mut i: usize) -> bool {
    if chars.get(i) != Some(&':') {
        return false;
    }
    i += 1;
    if chars.get(i) == Some(&'^') {
        i += 1;
    }
    let start = i;
    while chars.get(i).is_some_and(char::is_ascii_alphabetic) {
        i += 1;
    }
    i > start && chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&']')
}

/// After the `[` that opens a class at `chars[i - 1]`: skips a leading `^` and a leading `]`,
/// which is then a literal.
fn skip_class_start(chars: &[char], mut i: usize) -> usize {
    if chars.get(i) == Some(&'^') {
        i += 1;
    }
    if chars.get(i) == Some(&']') {
        i += 1;
    }
    i
}

/// When `chars[i..]` continues a `{` into `n}`, `n,}` or `n,m}`: the index after the `}`.
fn counted_repetition_end(chars: &[char], mut i: usize) -> Option<usize> {
    let digits = |i: &mut usize| {
        let start = *i;
        while chars.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return None;
    }
    if chars.get(i) == Some(&',') {
        i += 1;
        digits(&mut i);
    }
    (chars.get(i) == Some(&'}')).then_some(i + 1)
}

/// The value is a regular expression the transforms can compile (Kafka's `RegexValidator`):
/// `Invalid value <v> for configuration <name>: Invalid regex: <reason>`.
///
/// Shared with `TopicNameMatches`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct RegexValidator;

impl Validator for RegexValidator {
    fn ensure_valid(
        &self,
        name: &str,
        value: Option<&ConfigValue>,
    ) -> std::result::Result<(), ConfigError> {
        let Some(pattern) = value.and_then(ConfigValue::as_str) else {
            return Err(invalid_value(name, value, "Invalid regex: null"));
        };
        JavaRegex::compile(pattern)
            .map(|_| ())
            .map_err(|message| invalid_value(name, value, format!("Invalid regex: {message}")))
    }
}

impl fmt::Display for RegexValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("valid regex")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use connect_api::data::{Schema, Value};
    use connect_api::header::Headers;
    use connect_api::record::{ConnectRecord, OffsetMap, SinkRecord, SourceRecord, TimestampType};

    fn props(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn router(regex: &str, replacement: &str) -> RegexRouter {
        let mut t = RegexRouter::new();
        Transform::<SinkRecord>::configure(
            &mut t,
            &props(&[("regex", regex), ("replacement", replacement)]),
        )
        .unwrap();
        t
    }

    fn sink(topic: &str) -> SinkRecord {
        let mut headers = Headers::new();
        headers.add_string("h", "x");
        SinkRecord::new(
            ConnectRecord::new(topic, Some(Schema::string()), "v".into())
                .with_key(Some(Schema::int64()), 1i64.into())
                .with_timestamp(5)
                .with_headers(headers),
            3,
            8,
            TimestampType::LogAppendTime,
        )
    }

    fn route(t: &mut RegexRouter, topic: &str) -> String {
        t.apply(sink(topic)).unwrap().unwrap().topic.to_string()
    }

    fn config_error(regex: &str, replacement: &str) -> String {
        let mut t = RegexRouter::new();
        Transform::<SinkRecord>::configure(
            &mut t,
            &props(&[("regex", regex), ("replacement", replacement)]),
        )
        .unwrap_err()
        .to_string()
    }

    #[test]
    fn kafka_regex_router_test_cases() {
        // The cases of Kafka's RegexRouterTest, plus a swap of two groups.
        let cases = [
            ("foo", "bar", "foo", "bar"),
            ("foo", "bar", "orig", "orig"),
            ("(.*)", "$1", "orig", "orig"),
            ("(.*)", "prefix-$1", "orig", "prefix-orig"),
            ("(.*)", "$1-suffix", "orig", "orig-suffix"),
            (
                "(.*)-(\\d\\d\\d\\d\\d\\d\\d\\d)",
                "$1",
                "index-20160117",
                "index",
            ),
            ("(.*)-(\\d+)", "$2_$1", "foo-1", "1_foo"),
        ];
        for (regex, replacement, topic, expected) in cases {
            assert_eq!(
                route(&mut router(regex, replacement), topic),
                expected,
                "{regex}"
            );
        }
    }

    #[test]
    fn the_whole_topic_must_match() {
        let mut t = router("foo", "bar");
        assert_eq!(route(&mut t, "foobar"), "foobar");
        assert_eq!(route(&mut t, "xfoo"), "xfoo");
        let mut t = router("a|ab", "X");
        // `matches()` succeeds on the whole of "ab", then `replaceFirst` finds "a" first.
        assert_eq!(route(&mut t, "ab"), "Xb");
        assert_eq!(route(&mut t, "abc"), "abc");
    }

    #[test]
    fn only_the_topic_changes() {
        let mut t = router("(.*)", "new-$1");
        let record = sink("t");
        let out = t.apply(record.clone()).unwrap().unwrap();
        assert_eq!(&*out.topic, "new-t");
        assert_eq!(out.original_topic(), "t");
        assert_eq!(out.record().key, record.key);
        assert_eq!(out.record().value, record.value);
        assert_eq!(out.headers, record.headers);
        assert_eq!(
            (
                out.timestamp,
                out.kafka_partition(),
                out.kafka_offset,
                out.timestamp_type
            ),
            (Some(5), 3, 8, TimestampType::LogAppendTime)
        );
    }

    #[test]
    fn works_on_source_records() {
        let mut t = RegexRouter::new();
        Transform::<SourceRecord>::configure(
            &mut t,
            &props(&[("regex", "logs-(.*)"), ("replacement", "archive.$1")]),
        )
        .unwrap();
        let record = SourceRecord::new(
            OffsetMap::new(),
            OffsetMap::new(),
            "logs-app",
            None,
            Value::Null,
        );
        assert_eq!(&*t.apply(record).unwrap().unwrap().topic, "archive.app");
    }

    #[test]
    fn java_replacement_syntax() {
        let two = "(a)(b)";
        let cases = [
            ("$0", "ab"),
            ("$2$1", "ba"),
            // Digits extend a reference only while it stays a valid group.
            ("$12", "a2"),
            ("$21", "b1"),
            ("\\$1", "$1"),
            ("\\\\$1", "\\a"),
            ("\\x", "x"),
            ("${first}-${second}", "a-b"),
            ("", ""),
            ("lit", "lit"),
        ];
        for (replacement, expected) in cases {
            let regex = if replacement.contains("${") {
                "(?<first>a)(?<second>b)"
            } else {
                two
            };
            assert_eq!(
                route(&mut router(regex, replacement), "ab"),
                expected,
                "{replacement}"
            );
        }
        // Twelve groups: `$12` is group 12.
        let twelve = "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)";
        assert_eq!(route(&mut router(twelve, "$12$1"), "abcdefghijkl"), "la");
        // A group that took no part in the match adds nothing.
        assert_eq!(route(&mut router("(x)?(y)", "[$1|$2]"), "y"), "[|y]");
        // Named groups count in numbered references too.
        assert_eq!(route(&mut router("(?<n>a)(b)", "$2$1"), "ab"), "ba");
    }

    #[test]
    fn bad_replacements_fail_matching_records_with_javas_messages() {
        let cases = [
            ("$", "Illegal group reference: group index is missing"),
            ("$x", "Illegal group reference"),
            ("$3", "No group 3"),
            ("a\\", "character to be escaped is missing"),
            ("${}", "named capturing group has 0 length name"),
            ("${n", "named capturing group is missing trailing '}'"),
            (
                "${1n}",
                "capturing group name {1n} starts with digit character",
            ),
            ("${nope}", "No group with name {nope}"),
        ];
        for (replacement, message) in cases {
            let mut t = router("(?<n>a)(b)", replacement);
            let err = t.apply(sink("ab")).unwrap_err();
            assert!(matches!(err, ConnectError::Other { .. }), "{err:?}");
            assert_eq!(err.to_string(), message, "{replacement}");
            // Records that do not match are not affected, as in Kafka.
            assert_eq!(route(&mut t, "other"), "other");
        }
    }

    #[test]
    fn invalid_regex_is_a_config_error_naming_the_key() {
        let err = config_error("(unclosed", "x");
        assert!(
            err.starts_with("Invalid value (unclosed for configuration regex: Invalid regex: "),
            "{err}"
        );
        assert!(err.contains("unclosed group"), "{err}");
        let def = Transform::<SinkRecord>::config(&RegexRouter::new());
        let infos = def.validate(&props(&[("regex", "("), ("replacement", "x")]));
        let errors: Vec<&String> = infos.iter().flat_map(|i| &i.errors).collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("Invalid value ( for configuration regex: Invalid regex: "));
    }

    #[test]
    fn unsupported_java_syntax_is_rejected_clearly() {
        for (regex, needle) in [
            ("(?=a)a", "look-around"),
            ("(?<!a)b", "look-around"),
            ("(a)\\1", "backreferences"),
            ("(?>a)", "atomic groups"),
            ("\\Qa.b\\E", "\\Q...\\E quoting"),
            ("a\\Z", "\\Z"),
            ("a*+", "possessive quantifiers"),
            ("a++b", "possessive quantifiers"),
            ("a?+", "possessive quantifiers"),
            ("a{2}+", "possessive quantifiers"),
            ("a{2,}+", "possessive quantifiers"),
            ("\\v", "vertical"),
            ("(?U)a+", "U flag"),
            ("(?iU:a)", "U flag"),
            ("[[:alpha:]]", "POSIX character classes"),
            ("[x[:^digit:]]", "POSIX character classes"),
        ] {
            let err = config_error(regex, "x");
            assert!(
                err.starts_with(&format!(
                    "Invalid value {regex} for configuration regex: Invalid regex: "
                )),
                "{err}"
            );
            assert!(err.contains(needle), "{regex}: {err}");
        }
    }

    #[test]
    fn quantifier_lookalikes_are_not_possessive() {
        for regex in [
            "a+",
            "a*?",
            "a+?b",
            "\\*+",
            "[*+]",
            "[a-z]+",
            "(a)+",
            "\\x{41}+",
            "\\p{L}+",
            "a{2}",
            "x{+",
            "(?:a)+",
            "(?<n>a)+",
            "a|+",
            "[]+]",
            "[^]+]+",
            "(?-U)a",
            "(?i-U:a)",
            "[a[:b]]",
            "[:alpha:]",
            "[\\[:alpha:]]",
        ] {
            assert_eq!(unsupported_java_syntax(regex), None, "{regex}");
        }
    }

    #[test]
    fn flags_and_comments() {
        assert_eq!(route(&mut router("(?i)ORDERS", "x"), "orders"), "x");
        // A trailing comment of the x flag does not hide the end of the anchoring group.
        let mut t = router("(?x) orders \\. (\\d+) # the id", "o$1");
        assert_eq!(route(&mut t, "orders.12"), "o12");
        assert_eq!(route(&mut t, "orders.12x"), "orders.12x");
    }

    #[test]
    fn both_keys_are_required() {
        let mut t = RegexRouter::new();
        let err = Transform::<SinkRecord>::configure(&mut t, &ConfigMap::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"regex\" which has no default value.; \
             Missing required configuration \"replacement\" which has no default value."
        );
        let err = config_error_missing_replacement();
        assert_eq!(
            err,
            "Missing required configuration \"replacement\" which has no default value."
        );
    }

    fn config_error_missing_replacement() -> String {
        let mut t = RegexRouter::new();
        Transform::<SinkRecord>::configure(&mut t, &props(&[("regex", "a")]))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn apply_before_configure_is_an_error() {
        let err = RegexRouter::new().apply(sink("t")).unwrap_err().to_string();
        assert_eq!(
            err,
            "Missing required configuration \"regex\" which has no default value."
        );
    }

    #[test]
    fn config_def_matches_kafka() {
        let def = Transform::<SinkRecord>::config(&RegexRouter::new());
        assert_eq!(def.names().collect::<Vec<_>>(), ["regex", "replacement"]);
        let regex = def.key("regex").unwrap();
        assert!(regex.is_required());
        assert_eq!(regex.importance(), Importance::High);
        assert_eq!(regex.validator().unwrap().to_string(), "valid regex");
        assert_eq!(
            regex.documentation(),
            Some("Regular expression to use for matching.")
        );
        let replacement = def.key("replacement").unwrap();
        assert!(replacement.is_required() && replacement.validator().is_none());
        assert_eq!(replacement.documentation(), Some("Replacement string."));
    }

    #[test]
    fn java_regex_matches_whole_text_only() {
        let regex = JavaRegex::compile("ab|a").unwrap();
        assert!(regex.matches("a") && regex.matches("ab"));
        assert!(!regex.matches("abc") && !regex.matches("xa"));
        assert_eq!(regex.as_str(), "ab|a");
    }
}
