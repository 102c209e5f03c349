//! The byte buffer of the source task and the splitting of its contents into lines.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as in Kafka's `FileStreamSourceTask.extractLine`.
//! A `\r` that is the last byte seen so far is held back until the next byte shows whether it
//! starts a `\r\n`, so that a `\r\n` split across two reads counts as one terminator. Bytes are
//! split before decoding: in UTF-8 neither `\n` nor `\r` can occur inside a multi-byte character.

/// Bytes read from the input and not yet returned as lines: `buf[start..end]`.
#[derive(Debug)]
pub(crate) struct LineBuffer {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

/// One complete line taken from a [`LineBuffer`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Line {
    /// The line without its terminator; invalid UTF-8 replaced by U+FFFD.
    pub(crate) text: String,
    /// The bytes consumed: the line's bytes plus those of its terminator.
    pub(crate) consumed: usize,
}

impl LineBuffer {
    /// An empty buffer that reads up to `capacity` bytes at a time and grows when a line does not
    /// fit.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            buf: vec![0; capacity.max(1)],
            start: 0,
            end: 0,
        }
    }

    /// The number of bytes buffered and not yet returned as lines.
    #[cfg(test)]
    pub(crate) fn buffered(&self) -> usize {
        self.end - self.start
    }

    /// The buffer's current size.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// Takes the next complete line, if the buffer holds one.
    pub(crate) fn next_line(&mut self) -> Option<Line> {
        let available = &self.buf[self.start..self.end];
        let at = find_terminator(available)?;
        let terminator = if available[at] == b'\n' {
            1
        } else {
            // A `\r`: is it followed by `\n`? Wait for the next byte if it has not been read yet.
            match available.get(at + 1) {
                None => return None,
                Some(b'\n') => 2,
                Some(_) => 1,
            }
        };
        let bytes = &available[..at];
        // `from_utf8` is the fast check; only invalid lines pay for the lossy decoding.
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text.to_owned(),
            Err(_) => String::from_utf8_lossy(bytes).into_owned(),
        };
        let consumed = at + terminator;
        self.start += consumed;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        Some(Line { text, consumed })
    }

    /// Room to read into: the free tail of the buffer, after moving the buffered bytes to the
    /// front or doubling the buffer when the tail is short. Never loses buffered bytes, so it
    /// may be called again if the read that follows is cancelled.
    pub(crate) fn spare(&mut self) -> &mut [u8] {
        let len = self.buf.len();
        if len - self.end < len / 4 {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if len - self.end < len / 4 {
                self.buf.resize(len.saturating_mul(2), 0);
            }
        }
        &mut self.buf[self.end..]
    }

    /// Records that `n` bytes were read into the slice [`LineBuffer::spare`] returned.
    pub(crate) fn filled(&mut self, n: usize) {
        self.end = (self.end + n).min(self.buf.len());
    }

    /// Appends bytes, as a read of them would (for tests).
    #[cfg(test)]
    pub(crate) fn push(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let spare = self.spare();
            let n = spare.len().min(bytes.len());
            spare[..n].copy_from_slice(&bytes[..n]);
            self.filled(n);
            bytes = &bytes[n..];
        }
    }
}

/// The index of the first `\n` or `\r` in `bytes`, checking eight bytes at a time.
fn find_terminator(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const LF: u64 = u64::from_ne_bytes([b'\n'; 8]);
    const CR: u64 = u64::from_ne_bytes([b'\r'; 8]);
    // Non-zero iff some byte of `word` is zero (the classic "has zero byte" test; exact as a
    // yes/no answer, the position is found bytewise below).
    let has_zero = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;

    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_ne_bytes(word);
        if has_zero(word ^ LF) | has_zero(word ^ CR) != 0 {
            break;
        }
        offset += 8;
    }
    bytes[offset..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map(|at| offset + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(buffer: &mut LineBuffer) -> Vec<(String, usize)> {
        std::iter::from_fn(|| buffer.next_line())
            .map(|line| (line.text, line.consumed))
            .collect()
    }

    fn lines(items: &[(&str, usize)]) -> Vec<(String, usize)> {
        items.iter().map(|&(t, n)| (t.to_owned(), n)).collect()
    }

    #[test]
    fn finds_terminators_at_every_position() {
        for len in 0..40 {
            for at in 0..len {
                for terminator in [b'\n', b'\r'] {
                    let mut bytes = vec![b'x'; len];
                    bytes[at] = terminator;
                    assert_eq!(find_terminator(&bytes), Some(at), "len {len} at {at}");
                }
            }
            assert_eq!(find_terminator(&vec![b'y'; len]), None);
        }
        // Bytes next to the terminators in value do not match.
        assert_eq!(
            find_terminator(b"\x0b\x0c\x09\x0e\x8a\x8d\xff\x00ab\r"),
            Some(10)
        );
    }

    #[test]
    fn splits_on_lf_crlf_and_lone_cr() {
        let mut buffer = LineBuffer::new(64);
        buffer.push(b"unix\nwindows\r\nmac\rnext\n");
        assert_eq!(
            drain(&mut buffer),
            lines(&[("unix", 5), ("windows", 9), ("mac", 4), ("next", 5)])
        );
        assert_eq!(buffer.buffered(), 0);
    }

    #[test]
    fn empty_lines_are_lines() {
        let mut buffer = LineBuffer::new(64);
        buffer.push(b"\n\r\n\r\rx\n\n");
        assert_eq!(
            drain(&mut buffer),
            lines(&[("", 1), ("", 2), ("", 1), ("", 1), ("x", 2), ("", 1)])
        );
    }

    #[test]
    fn an_unterminated_line_waits_for_its_terminator() {
        let mut buffer = LineBuffer::new(64);
        buffer.push(b"first\nsecond");
        assert_eq!(drain(&mut buffer), lines(&[("first", 6)]));
        assert_eq!(buffer.buffered(), 6);
        buffer.push(b" half");
        assert_eq!(drain(&mut buffer), Vec::new());
        buffer.push(b"\n");
        assert_eq!(drain(&mut buffer), lines(&[("second half", 12)]));
    }

    #[test]
    fn a_trailing_cr_is_held_until_the_next_byte() {
        let mut buffer = LineBuffer::new(64);
        buffer.push(b"a\r");
        assert_eq!(drain(&mut buffer), Vec::new());
        buffer.push(b"\nb\r");
        assert_eq!(drain(&mut buffer), lines(&[("a", 3)]));
        buffer.push(b"c");
        assert_eq!(drain(&mut buffer), lines(&[("b", 2)]));
        buffer.push(b"\r\r");
        assert_eq!(drain(&mut buffer), lines(&[("c", 2)]));
        buffer.push(b"\n");
        assert_eq!(drain(&mut buffer), lines(&[("", 2)]));
    }

    #[test]
    fn invalid_utf8_is_replaced_and_positions_count_bytes() {
        let mut buffer = LineBuffer::new(64);
        buffer.push("é€\n".as_bytes());
        buffer.push(b"a\xffb\n");
        assert_eq!(drain(&mut buffer), lines(&[("é€", 6), ("a\u{fffd}b", 4)]));
    }

    #[test]
    fn grows_for_long_lines_and_compacts_short_remainders() {
        let mut buffer = LineBuffer::new(8);
        let long = "x".repeat(100);
        buffer.push(format!("{long}\nab").as_bytes());
        assert!(buffer.capacity() >= 103);
        assert_eq!(drain(&mut buffer), lines(&[(&long, 101)]));
        let capacity = buffer.capacity();
        for _ in 0..100 {
            buffer.push(b"cd\nab");
            assert_eq!(drain(&mut buffer), lines(&[("abcd", 5)]));
        }
        assert_eq!(buffer.capacity(), capacity, "compaction, not growth");
        assert_eq!(buffer.buffered(), 2);
    }
}
