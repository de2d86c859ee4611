//! The reader's byte buffer: refilled from any `Read`, consumed from the front.

use std::io::{self, Read};

const CHUNK: usize = 1 << 20;

/// A growable window over an input stream; slices into it stay valid until the next `fill`.
pub(crate) struct ReadBuffer {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Byte offset in the input of `buf[start]`.
    offset: u64,
    eof: bool,
}

impl ReadBuffer {
    pub(crate) fn new() -> Self {
        ReadBuffer { buf: vec![0; CHUNK], start: 0, end: 0, offset: 0, eof: false }
    }

    /// Forgets everything buffered, for a new input.
    pub(crate) fn reset(&mut self) {
        self.start = 0;
        self.end = 0;
        self.offset = 0;
        self.eof = false;
    }

    /// The buffered bytes not yet consumed.
    pub(crate) fn available(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Byte offset in the input of the first available byte.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// Bytes of `len` starting `from` bytes into the available data.
    pub(crate) fn slice(&self, from: usize, len: usize) -> &[u8] {
        &self.buf[self.start + from..self.start + from + len]
    }

    /// Position in the internal buffer of the first available byte (for ranges kept across calls).
    pub(crate) fn position(&self) -> usize {
        self.start
    }

    /// The internal buffer (for ranges taken from [`Self::position`]).
    pub(crate) fn raw(&self) -> &[u8] {
        &self.buf
    }

    /// Reads until at least `n` bytes are available; false when the input ends first.
    ///
    /// The caller bounds `n` (see [`super::MAX_BLOCK`]); the buffer grows to fit it.
    pub(crate) fn fill(&mut self, src: &mut dyn Read, n: usize) -> io::Result<bool> {
        while self.end - self.start < n {
            if self.eof {
                return Ok(false);
            }
            if self.buf.len() - self.start < n || self.end == self.buf.len() {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
                if self.buf.len() < n {
                    self.buf.resize(n.next_power_of_two(), 0);
                }
            }
            match src.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(k) => self.end += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Drops `n` available bytes from the front.
    pub(crate) fn consume(&mut self, n: usize) {
        debug_assert!(n <= self.end - self.start);
        self.start += n;
        self.offset += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns at most 3 bytes per call, like a slow pipe.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(out.len()).min(3);
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn fills_across_short_reads_and_grows() {
        let data: Vec<u8> = (0..3 * CHUNK as u32).map(|i| i as u8).collect();
        let mut src = Trickle(&data);
        let mut b = ReadBuffer::new();
        assert!(b.fill(&mut src, 10).unwrap());
        assert_eq!(&b.available()[..10], &data[..10]);
        b.consume(7);
        assert_eq!(b.offset(), 7);
        assert!(b.fill(&mut src, 2 * CHUNK).unwrap());
        assert_eq!(&b.available()[..2 * CHUNK], &data[7..7 + 2 * CHUNK]);
        b.consume(2 * CHUNK);
        assert!(!b.fill(&mut src, 2 * CHUNK).unwrap());
        assert_eq!(b.available(), &data[7 + 2 * CHUNK..]);
    }
}
