//! Markdown building blocks shared by the generated documents: code spans, text taken from the
//! code (documentation strings with bits of HTML and reStructuredText, as Kafka's and
//! Confluent's are written), and a document builder that numbers heading anchors the way GitHub
//! does and resolves links to them.

use std::collections::HashMap;
use std::fmt::Write as _;

use anyhow::{Result, bail};

/// `text` as an inline code span, with a fence longer than any run of backticks inside it.
///
/// ```
/// assert_eq!(xtask::markdown::code("a.b"), "`a.b`");
/// assert_eq!(xtask::markdown::code("`x`"), "`` `x` ``");
/// ```
pub fn code(text: &str) -> String {
    let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    // A span that starts or ends with a backtick, or with a space, needs padding that the
    // renderer strips again.
    let pad = text.starts_with(['`', ' ']) || text.ends_with(['`', ' ']);
    if pad {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// Documentation text from the code, made into Markdown: `<code>..</code>` becomes a code span,
/// `<br/>` a space, reStructuredText links (`` `text <url>`__ ``) Markdown links; code spans
/// already written with backticks (Markdown's single ones, reStructuredText's double ones) are
/// kept; characters that Markdown would take as markup elsewhere are escaped.
///
/// ```
/// use xtask::markdown::text;
/// assert_eq!(text("Suffix with <code>!</code>.<br/>Done"), "Suffix with `!`. Done");
/// assert_eq!(text("By default, <topic>-key is used"), "By default, \\<topic>-key is used");
/// assert_eq!(text("use ``TimeBasedPartitioner`` or `V1`"), "use ``TimeBasedPartitioner`` or `V1`");
/// assert_eq!(
///     text("See the `available locales <http://example.com/>`__."),
///     "See the [available locales](http://example.com/)."
/// );
/// ```
pub fn text(source: &str) -> String {
    let source = convert_html(source.trim());
    let mut out = String::with_capacity(source.len());
    let mut rest = source.as_str();
    let mut at_line_start = true;
    while !rest.is_empty() {
        if let Some((span, after)) = code_span(rest) {
            out.push_str(span);
            rest = after;
            at_line_start = false;
            continue;
        }
        if let Some((link, after)) = rst_link(rest) {
            out.push_str(&link);
            rest = after;
            at_line_start = false;
            continue;
        }
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { break };
        let previous = out.chars().last();
        let next = chars.clone().next();
        match c {
            '\\' | '*' | '<' => {
                out.push('\\');
                out.push(c);
            }
            '_' if !(previous.is_some_and(char::is_alphanumeric)
                && next.is_some_and(char::is_alphanumeric)) =>
            {
                out.push_str("\\_");
            }
            '#' | '>' | '-' | '+' | '|' if at_line_start => {
                out.push('\\');
                out.push(c);
            }
            '`' => {
                // A backtick that opens no code span: literal.
                out.push_str("\\`");
            }
            _ => out.push(c),
        }
        at_line_start = c == '\n' || (at_line_start && c == ' ');
        rest = chars.as_str();
    }
    out
}

/// Replaces the HTML that Kafka's documentation strings use with its Markdown equivalent.
fn convert_html(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let lower = tail.to_ascii_lowercase();
        if let Some(inner) = lower.strip_prefix("<code>")
            && let Some(end) = inner.find("</code>")
        {
            let content = &tail["<code>".len().."<code>".len() + end];
            out.push_str(&code(&decode_entities(content)));
            rest = &tail["<code>".len() + end + "</code>".len()..];
            continue;
        }
        let br = ["<br/>", "<br />", "<br>"]
            .into_iter()
            .find(|tag| lower.starts_with(tag));
        if let Some(tag) = br {
            out.push(' ');
            rest = tail[tag.len()..].trim_start_matches(' ');
            continue;
        }
        out.push('<');
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// A code span at the start of `text` (a run of backticks closed by a run of the same length),
/// and what follows it.
fn code_span(text: &str) -> Option<(&str, &str)> {
    let run = text.len() - text.trim_start_matches('`').len();
    if run == 0 {
        return None;
    }
    let body = &text[run..];
    let mut offset = 0;
    while let Some(found) = body[offset..].find('`') {
        let start = offset + found;
        let length = body[start..].len() - body[start..].trim_start_matches('`').len();
        if length == run {
            let end = run + start + length;
            // A span whose content starts with `<` and ends with `>`_ is a reStructuredText
            // link, not code.
            if text[end..].starts_with('_') {
                return None;
            }
            return Some((&text[..end], &text[end..]));
        }
        offset = start + length;
    }
    None
}

/// A reStructuredText link (`` `text <url>`_ `` or `` `text <url>`__ ``) at the start of
/// `text`, as a Markdown link, and what follows it.
fn rst_link(text: &str) -> Option<(String, &str)> {
    let body = text.strip_prefix('`')?;
    let close = body.find('`')?;
    let inner = &body[..close];
    let after = &body[close + 1..];
    let after = after
        .strip_prefix("__")
        .or_else(|| after.strip_prefix('_'))?;
    let url_start = inner.rfind('<')?;
    let url = inner[url_start + 1..].strip_suffix('>')?;
    let label = inner[..url_start].trim();
    if label.is_empty() || url.is_empty() {
        return None;
    }
    Some((format!("[{}]({url})", label.replace(['[', ']'], "")), after))
}

/// The anchor GitHub gives a heading (github-slugger): lower case, spaces become hyphens, and
/// everything but letters, digits, hyphens and underscores is dropped. Formatting characters are
/// removed first, so `` `errors.tolerance` `` gives `errorstolerance`.
pub fn slug(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// A Markdown document under construction. Headings get GitHub's anchors (repeated headings are
/// numbered `-1`, `-2`, ... in document order), and [`Doc::link`] refers to a heading by a key
/// before or after the heading is written; [`Doc::finish`] resolves the links.
#[derive(Debug, Default)]
pub struct Doc {
    out: String,
    occurrences: HashMap<String, usize>,
    anchors: HashMap<String, String>,
}

/// Marks the start and end of a link target key in the text until [`Doc::finish`].
const KEY_START: char = '\u{1}';
const KEY_END: char = '\u{2}';

impl Doc {
    /// An empty document.
    pub fn new() -> Self {
        Self::default()
    }

    /// A Markdown link with `label` to the heading registered under `key`.
    pub fn link(label: &str, key: &str) -> String {
        format!("[{label}](#{KEY_START}{key}{KEY_END})")
    }

    /// Writes a heading of `level` (1 to 6) with Markdown `title`, registered under `key` for
    /// [`Doc::link`] when given.
    ///
    /// # Errors
    ///
    /// When `key` is already registered.
    pub fn heading(&mut self, level: usize, title: &str, key: Option<&str>) -> Result<()> {
        let anchor = self.anchor(title);
        if let Some(key) = key
            && self.anchors.insert(key.to_owned(), anchor).is_some()
        {
            bail!("two headings registered under the link key {key}");
        }
        self.blank_line();
        let _ = writeln!(self.out, "{} {title}", "#".repeat(level));
        self.out.push('\n');
        Ok(())
    }

    /// The anchor of the next heading titled `title`.
    fn anchor(&mut self, title: &str) -> String {
        let base = slug(&title.replace(['`', '\\'], ""));
        let mut anchor = base.clone();
        while self.occurrences.contains_key(&anchor) {
            let count = self.occurrences.entry(base.clone()).or_insert(0);
            *count += 1;
            anchor = format!("{base}-{count}");
        }
        self.occurrences.insert(anchor.clone(), 0);
        anchor
    }

    /// Writes a paragraph.
    pub fn paragraph(&mut self, text: &str) {
        self.blank_line();
        self.out.push_str(text.trim_end());
        self.out.push_str("\n\n");
    }

    /// Writes one line, as part of a list or block started by the caller.
    pub fn line(&mut self, line: &str) {
        self.out.push_str(line.trim_end());
        self.out.push('\n');
    }

    /// Ends the block under way with a blank line, unless one is there.
    pub fn blank_line(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            if !self.out.ends_with('\n') {
                self.out.push('\n');
            }
            self.out.push('\n');
        }
    }

    /// The finished document, with every link resolved and one newline at the end.
    ///
    /// # Errors
    ///
    /// When a link names a key no heading was registered under.
    pub fn finish(self) -> Result<String> {
        let mut out = String::with_capacity(self.out.len());
        let mut rest = self.out.as_str();
        while let Some(start) = rest.find(KEY_START) {
            out.push_str(&rest[..start]);
            let after = &rest[start + KEY_START.len_utf8()..];
            let Some(end) = after.find(KEY_END) else {
                bail!("unterminated link key in the generated document");
            };
            let key = &after[..end];
            let Some(anchor) = self.anchors.get(key) else {
                bail!("a link refers to {key}, which no heading was registered under");
            };
            out.push_str(anchor);
            rest = &after[end + KEY_END.len_utf8()..];
        }
        out.push_str(rest);
        let trimmed = out.trim_end();
        Ok(format!("{trimmed}\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_github() {
        assert_eq!(slug("Worker configuration"), "worker-configuration");
        assert_eq!(slug("Cast$Key"), "castkey");
        assert_eq!(
            slug("GET /connectors/{name}/status"),
            "get-connectorsnamestatus"
        );
        assert_eq!(slug("transforms.<alias>.type"), "transformsaliastype");
        assert_eq!(slug("snake_case-and-dash"), "snake_case-and-dash");
    }

    #[test]
    fn repeated_headings_are_numbered_and_links_resolve() {
        let mut doc = Doc::new();
        doc.paragraph(&format!("See {}.", Doc::link("the second", "b")));
        doc.heading(2, "`name`", Some("a")).unwrap();
        doc.heading(2, "name", Some("b")).unwrap();
        doc.heading(2, "name-1", None).unwrap();
        let out = doc.finish().unwrap();
        assert!(out.starts_with("See [the second](#name-1).\n"), "{out}");
        assert!(out.ends_with("## name-1\n"), "{out}");
    }

    #[test]
    fn unknown_link_keys_fail() {
        let mut doc = Doc::new();
        doc.paragraph(&Doc::link("x", "nowhere"));
        assert!(doc.finish().is_err());
    }

    #[test]
    fn text_escapes_markup_outside_code() {
        assert_eq!(text("a * b"), "a \\* b");
        assert_eq!(text("SASL_INHERIT and _x_"), "SASL_INHERIT and \\_x\\_");
        assert_eq!(text("`a*b` and \\d"), "`a*b` and \\\\d");
        assert_eq!(text("# not a heading"), "\\# not a heading");
        assert_eq!(text("it's `unclosed"), "it's \\`unclosed");
        assert_eq!(
            text("<code>${topic}</code> and &lt;b&gt;"),
            "`${topic}` and &lt;b&gt;"
        );
    }

    #[test]
    fn code_spans_fence_backticks() {
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code(" x"), "`  x `");
    }
}
