//! A keyed random order of `0..n` that is computed, never stored: a four-round Feistel network
//! over the smallest even number of bits that holds `n`, with cycle walking (values `>= n` are
//! encrypted again until they fall inside), so the order is a true permutation of `0..n` for
//! any `n`. The round function is SipHash-1-3 keyed by the seed.

use std::hash::Hasher;

use siphasher::sip::SipHasher13;

use super::SpecError;

const ROUNDS: u64 = 4;

/// A permutation of `0..len`, keyed by a seed.
#[derive(Debug, Clone)]
pub struct Permutation {
    len: u64,
    half_bits: u32,
    key: (u64, u64),
}

impl Permutation {
    /// The permutation of `0..len` for `seed`. The same seed always gives the same order.
    pub fn new(len: u64, seed: u64) -> Self {
        let bits = 64 - len.saturating_sub(1).leading_zeros();
        let half_bits = bits.div_ceil(2).max(1);
        Permutation { len, half_bits, key: (seed, seed.rotate_left(32) ^ 0x7065_726d_7574_6521) }
    }

    /// Size of the permuted range.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True for the permutation of nothing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn round(&self, round: u64, value: u64) -> u64 {
        let mut h = SipHasher13::new_with_keys(self.key.0, self.key.1);
        h.write_u64(round);
        h.write_u64(value);
        h.finish()
    }

    fn encrypt(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut left, mut right) = (x >> self.half_bits, x & mask);
        for r in 0..ROUNDS {
            let next = left ^ (self.round(r, right) & mask);
            left = right;
            right = next;
        }
        (left << self.half_bits) | right
    }

    fn decrypt(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut left, mut right) = (x >> self.half_bits, x & mask);
        for r in (0..ROUNDS).rev() {
            let previous = right ^ (self.round(r, left) & mask);
            right = left;
            left = previous;
        }
        (left << self.half_bits) | right
    }

    /// The value at position `position` (< [`len`](Self::len)).
    pub fn get(&self, position: u64) -> u64 {
        let mut x = self.encrypt(position);
        while x >= self.len {
            x = self.encrypt(x);
        }
        x
    }

    /// The position of `value` (< [`len`](Self::len)): the inverse of [`get`](Self::get).
    pub fn position(&self, value: u64) -> u64 {
        let mut x = self.decrypt(value);
        while x >= self.len {
            x = self.decrypt(x);
        }
        x
    }

    /// The values at the positions of `shard`, in order.
    pub fn shard(&self, shard: Shard) -> impl Iterator<Item = u64> + '_ {
        (u64::from(shard.index)..self.len).step_by(shard.count as usize).map(|p| self.get(p))
    }
}

/// Part `index + 1` of `count` of a scan (`--shard K/N`): positions `index, index + count, ...`
/// of the permutation, so shards with the same seed are disjoint and together complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Zero-based part number (K - 1).
    pub index: u32,
    /// Number of parts (N).
    pub count: u32,
}

impl Shard {
    /// The whole scan.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Whether permutation position `position` belongs to this part.
    pub fn holds(&self, position: u64) -> bool {
        position % u64::from(self.count) == u64::from(self.index)
    }

    /// Parses `K/N` with 1 <= K <= N.
    pub fn parse(spec: &str) -> Result<Shard, SpecError> {
        let err = |at: usize, m: &str| SpecError::new("shard", spec, at, m);
        let (k, n) = spec.split_once('/').ok_or_else(|| err(0, "expected K/N, e.g. 1/3"))?;
        let k: u32 = k.parse().map_err(|_| err(0, "K is not a number"))?;
        let n: u32 = n.parse().map_err(|_| err(spec.find('/').unwrap_or(0) + 1, "N is not a number"))?;
        if n == 0 || k == 0 || k > n {
            return Err(err(0, "K must be between 1 and N"));
        }
        Ok(Shard { index: k - 1, count: n })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_permutation_for_every_size() {
        for len in [1u64, 2, 3, 7, 64, 100, 1000, 65535, 65536 + 5] {
            let p = Permutation::new(len, 42);
            let mut seen = vec![false; len as usize];
            for i in 0..len {
                let v = p.get(i);
                assert!(v < len && !seen[v as usize], "len {len}: {v} twice or out of range");
                seen[v as usize] = true;
            }
        }
    }

    #[test]
    fn keyed_and_shuffled() {
        let a: Vec<u64> = (0..1000).map(|i| Permutation::new(1000, 1).get(i)).collect();
        let b: Vec<u64> = (0..1000).map(|i| Permutation::new(1000, 2).get(i)).collect();
        assert_ne!(a, b);
        assert_eq!(a, (0..1000).map(|i| Permutation::new(1000, 1).get(i)).collect::<Vec<_>>());
        let ascending = a.windows(2).filter(|w| w[1] == w[0] + 1).count();
        assert!(ascending < 20, "{ascending} neighbours in order");
    }

    #[test]
    fn huge_ranges_in_constant_memory() {
        let p = Permutation::new(65536 * 65535, 7);
        let v = p.get(123_456_789);
        assert!(v < p.len());
    }

    #[test]
    fn shards_are_disjoint_and_complete() {
        let p = Permutation::new(1001, 9);
        let mut all: Vec<u64> = (1..=3)
            .flat_map(|k| p.shard(Shard::parse(&format!("{k}/3")).unwrap()).collect::<Vec<_>>())
            .collect();
        assert_eq!(all.len(), 1001);
        all.sort_unstable();
        assert_eq!(all, (0..1001).collect::<Vec<_>>());
    }

    #[test]
    fn position_inverts_get() {
        for len in [1u64, 2, 3, 7, 100, 1001, 65536 + 5] {
            let p = Permutation::new(len, 11);
            for i in 0..len {
                assert_eq!(p.position(p.get(i)), i, "len {len}");
            }
        }
        let huge = Permutation::new(65536 * 65535, 7);
        assert_eq!(huge.position(huge.get(123_456_789)), 123_456_789);
    }

    #[test]
    fn a_shard_holds_exactly_its_values() {
        let p = Permutation::new(1001, 9);
        let shard = Shard { index: 1, count: 3 };
        let mine: std::collections::HashSet<u64> = p.shard(shard).collect();
        for value in 0..1001 {
            assert_eq!(shard.holds(p.position(value)), mine.contains(&value), "{value}");
        }
    }

    #[test]
    fn shard_syntax() {
        assert_eq!(Shard::parse("2/3").unwrap(), Shard { index: 1, count: 3 });
        assert_eq!(Shard::parse("0/3").unwrap_err().message, "K must be between 1 and N");
        assert_eq!(Shard::parse("4/3").unwrap_err().message, "K must be between 1 and N");
        assert_eq!(Shard::parse("1/x").unwrap_err().position, 3);
        assert!(Shard::parse("13").is_err());
    }
}
