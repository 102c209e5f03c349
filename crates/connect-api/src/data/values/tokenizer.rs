//! Splitting text into the tokens [`parse_string`](super::parse_string) reads (Kafka's
//! `Values.Parser`).

use crate::java;

/// Kafka's `Utils.isBlank`.
pub(super) fn is_blank(text: &str) -> bool {
    java::trim(text).is_empty()
}

/// Kafka's `Values.Parser`: splits text into tokens at unescaped `: , { } [ ] "` (each delimiter
/// being a token of its own), with a one-token look-ahead and rewinding to a byte position.
///
/// Positions are byte offsets; tokens only ever end at ASCII delimiters or the end of the text,
/// so every slice falls on a character boundary.
pub(super) struct Tokenizer<'a> {
    pub(super) original: &'a str,
    position: usize,
    peeked: Option<&'a str>,
}

impl<'a> Tokenizer<'a> {
    pub(super) fn new(original: &'a str) -> Self {
        Self {
            original,
            position: 0,
            peeked: None,
        }
    }

    /// Where the next token starts.
    pub(super) fn mark(&self) -> usize {
        self.position - self.peeked.map_or(0, str::len)
    }

    pub(super) fn rewind_to(&mut self, position: usize) {
        self.position = position;
        self.peeked = None;
    }

    pub(super) fn has_next(&self) -> bool {
        self.peeked.is_some() || self.position < self.original.len()
    }

    pub(super) fn next(&mut self) -> &'a str {
        match self.peeked.take() {
            Some(token) => token,
            None => self.consume_next_token(),
        }
    }

    /// The text of the next `n` tokens, or `None` (without consuming anything) if there are fewer.
    pub(super) fn next_n(&mut self, n: usize) -> Option<&'a str> {
        let start = self.mark();
        for _ in 0..n {
            if !self.has_next() {
                self.rewind_to(start);
                return None;
            }
            self.next();
        }
        self.original.get(start..self.position)
    }

    fn consume_next_token(&mut self) -> &'a str {
        let bytes = self.original.as_bytes();
        let start = self.position;
        let mut escaped = false;
        while let Some(&byte) = bytes.get(self.position) {
            match byte {
                b'\\' => escaped = !escaped,
                b':' | b',' | b'{' | b'}' | b'[' | b']' | b'"' if !escaped => {
                    if start == self.position {
                        self.position += 1;
                    }
                    return self.slice(start);
                }
                _ => escaped = false,
            }
            self.position += 1;
        }
        self.slice(start)
    }

    fn slice(&self, start: usize) -> &'a str {
        self.original.get(start..self.position).unwrap_or_default()
    }

    /// Consumes the next token if, trimmed, it is `expected`; blank tokens before it are skipped.
    pub(super) fn can_consume(&mut self, expected: &str) -> bool {
        if self.is_next(expected) {
            self.peeked = None;
            true
        } else {
            false
        }
    }

    fn is_next(&mut self, expected: &str) -> bool {
        let mut token = match self.peeked {
            Some(token) => token,
            None if self.has_next() => self.consume_next_token(),
            None => return false,
        };
        while is_blank(token) && self.position < self.original.len() {
            token = self.consume_next_token();
        }
        self.peeked = Some(token);
        java::trim(token) == expected
    }
}
