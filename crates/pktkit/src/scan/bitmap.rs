//! One bit per probe index (target × port), shared between the sending and the receiving
//! thread without a lock.

use std::sync::atomic::{AtomicU64, Ordering};

/// Which probe indices have been answered.
#[derive(Debug)]
pub struct AnswerBitmap {
    words: Vec<AtomicU64>,
    len: u64,
}

impl AnswerBitmap {
    /// `len` clear bits (`len / 8` bytes: a /16 times every port is 512 MiB).
    pub fn new(len: u64) -> Self {
        let words = (0..len.div_ceil(64)).map(|_| AtomicU64::new(0)).collect();
        AnswerBitmap { words, len }
    }

    /// Number of bits.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True for a bitmap of no bits.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Sets bit `index`; true when it was clear (the first answer for this probe).
    pub fn set(&self, index: u64) -> bool {
        let bit = 1u64 << (index % 64);
        self.words[(index / 64) as usize].fetch_or(bit, Ordering::Relaxed) & bit == 0
    }

    /// Whether bit `index` is set.
    pub fn get(&self, index: u64) -> bool {
        self.words[(index / 64) as usize].load(Ordering::Relaxed) & (1u64 << (index % 64)) != 0
    }

    /// Number of set bits.
    pub fn count(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.load(Ordering::Relaxed).count_ones())).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_once_and_count() {
        let b = AnswerBitmap::new(130);
        assert!(b.set(0) && b.set(129) && b.set(64));
        assert!(!b.set(129), "a duplicate answer is not new");
        assert!(b.get(64) && !b.get(65));
        assert_eq!(b.count(), 3);
    }

    #[test]
    fn shared_between_threads() {
        let b = std::sync::Arc::new(AnswerBitmap::new(10_000));
        let handles: Vec<_> = (0..2)
            .map(|t| {
                let b = b.clone();
                std::thread::spawn(move || {
                    (0..10_000u64).filter(|i| i % 2 == t).filter(|i| b.set(*i)).count()
                })
            })
            .collect();
        let firsts: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!((firsts, b.count()), (10_000, 10_000));
    }
}
