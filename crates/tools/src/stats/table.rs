//! Capped, mergeable tables: hosts, conversations, names, intervals.
//!
//! A table keeps at most `cap` keys. Which keys it keeps does not depend on the order packets
//! (or shards) arrive in: it keeps the `cap` keys of smallest [`Rank::rank`] (a fixed 64-bit
//! hash of the key, ties broken by the key's order), and folds every other key into one
//! `other` row. A kept key therefore has complete counts, and a folded key has all its counts
//! in `other`. Two tables of the same cap merge into exactly the table one pass over both
//! inputs would have built: the kept set is the `cap` smallest ranks of the union either way.
//!
//! Until a table is full this costs one hash-map lookup per update; once full, a new key costs
//! a rank computation and a heap operation.

use std::collections::BinaryHeap;
use std::collections::HashMap;
use std::hash::Hash;

/// The hash-map type of the tables: foldhash's per-process random seed makes collisions
/// hard to craft from a capture, and it is among the fastest hashes for small keys.
pub type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A key's position in the keep-or-fold order: a stable 64-bit value (the same on every
/// machine and run, part of the JSON schema's meaning), ties broken by `Ord`.
pub trait Rank: Ord {
    /// The rank; the `cap` smallest are kept.
    fn rank(&self) -> u64;
}

/// Counts that add up: table values and the `other` row.
pub trait Merge: Default {
    /// Adds `other` into `self`.
    fn merge(&mut self, other: &Self);
}

/// A capped table of `K` to `V`.
#[derive(Clone, Debug)]
pub struct Table<K, V> {
    map: Map<K, V>,
    cap: usize,
    other: V,
    folded: bool,
    /// Max-heap of the kept keys by (rank, key), built when the table first fills.
    heap: Option<BinaryHeap<(u64, K)>>,
}

impl<K: Rank + Hash + Clone, V: Merge> Table<K, V> {
    /// An empty table that keeps at most `cap` keys (at least 1).
    pub fn new(cap: usize) -> Self {
        Table { map: Map::default(), cap: cap.max(1), other: V::default(), folded: false, heap: None }
    }

    /// The most keys kept.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// True when some key was folded into [`Self::other`].
    pub fn folded(&self) -> bool {
        self.folded
    }

    /// The counts of every folded key together.
    pub fn other(&self) -> &V {
        &self.other
    }

    /// Number of kept keys.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when no key is kept.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The kept entries, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.map.iter()
    }

    /// The value of `key`, if kept.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.map.get(key)
    }

    /// The value to update for `key`: its own row, or the `other` row when it is folded.
    #[inline]
    pub fn slot(&mut self, key: K) -> &mut V {
        if self.map.len() < self.cap {
            // Not full, so no heap yet (it exists only while the table is full): one lookup,
            // inserting when new.
            debug_assert!(self.heap.is_none());
            return self.map.entry(key).or_default();
        }
        if self.map.contains_key(&key) {
            // The borrow checker cannot return a `get_mut` borrow and fall through to an
            // insert, hence the second lookup, on full tables only.
            return self.map.get_mut(&key).expect("present");
        }
        self.insert_new(key)
    }

    /// Like [`Self::slot`] for a borrowed form of the key (no allocation when it is kept).
    pub fn slot_by<Q>(&mut self, key: &Q, owned: impl FnOnce(&Q) -> K) -> &mut V
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if self.map.contains_key(key) {
            return self.map.get_mut(key).expect("present");
        }
        self.insert_new(owned(key))
    }

    fn insert_new(&mut self, key: K) -> &mut V {
        if self.map.len() < self.cap {
            if let Some(h) = self.heap.as_mut() {
                h.push((key.rank(), key.clone()));
            }
            return self.map.entry(key).or_default();
        }
        let heap = self.heap.get_or_insert_with(|| self.map.keys().map(|k| (k.rank(), k.clone())).collect());
        let new = (key.rank(), key);
        self.folded = true;
        let evict = heap.peek().is_some_and(|top| new < *top);
        if !evict {
            return &mut self.other;
        }
        if let Some((_, old)) = heap.pop()
            && let Some(v) = self.map.remove(&old)
        {
            self.other.merge(&v);
        }
        heap.push((new.0, new.1.clone()));
        // A removed row leaves a tombstone; once tombstones have used up the free buckets the
        // next insert would double the table. Rebuild it instead, with room for an eighth
        // more rows, so memory stays at the cap's size (amortized: at most one rebuild per
        // cap/8 evictions).
        if self.map.capacity() <= self.map.len() {
            let old = std::mem::take(&mut self.map);
            let mut fresh = Map::with_capacity_and_hasher(self.cap + self.cap / 8 + 1, old.hasher().clone());
            fresh.extend(old);
            self.map = fresh;
        }
        self.map.entry(new.1).or_default()
    }

    /// Adds `other` (a table over other packets) into `self`, keeping the `cap` smallest ranks.
    pub fn merge(&mut self, other: &Table<K, V>) {
        self.folded |= other.folded;
        self.other.merge(&other.other);
        for (k, v) in &other.map {
            self.map.entry(k.clone()).or_default().merge(v);
        }
        self.heap = None;
        if self.map.len() > self.cap {
            self.folded = true;
            let mut keys: Vec<(u64, K)> = self.map.keys().map(|k| (k.rank(), k.clone())).collect();
            keys.sort_unstable();
            for (_, k) in keys.drain(self.cap..) {
                if let Some(v) = self.map.remove(&k) {
                    self.other.merge(&v);
                }
            }
        }
    }

    /// Rebuilds a table from its parts (a parsed report); keys past the cap are folded.
    pub fn from_parts(cap: usize, entries: Vec<(K, V)>, other: V, folded: bool) -> Self {
        let mut t = Table::new(cap);
        t.other = other;
        let mut part: Table<K, V> = Table::new(cap);
        part.folded = folded;
        for (k, v) in entries {
            part.map.entry(k).or_default().merge(&v);
        }
        t.merge(&part);
        t
    }
}

/// A stable 64-bit mix of `bytes` (FNV-1a, then the SplitMix64 finalizer for good low bits).
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Frames and bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count {
    /// Frames.
    pub frames: u64,
    /// Bytes on the wire.
    pub bytes: u64,
}

impl Count {
    /// Counts one frame of `bytes` bytes.
    #[inline]
    pub fn add(&mut self, bytes: u64) {
        self.frames = self.frames.saturating_add(1);
        self.bytes = self.bytes.saturating_add(bytes);
    }
}

impl Merge for Count {
    fn merge(&mut self, o: &Self) {
        // Counts from merged reports can be anything: they saturate, never wrap.
        self.frames = self.frames.saturating_add(o.frames);
        self.bytes = self.bytes.saturating_add(o.bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Rank for u32 {
        fn rank(&self) -> u64 {
            stable_hash(&self.to_be_bytes())
        }
    }

    fn fill(keys: &[u32], cap: usize) -> Table<u32, Count> {
        let mut t: Table<u32, Count> = Table::new(cap);
        for k in keys {
            t.slot(*k).add(*k as u64);
        }
        t
    }

    fn rows(t: &Table<u32, Count>) -> Vec<(u32, Count)> {
        let mut v: Vec<_> = t.iter().map(|(k, v)| (*k, *v)).collect();
        v.sort_by_key(|r| r.0);
        v
    }

    #[test]
    fn under_cap_keeps_everything() {
        let t = fill(&[1, 2, 2, 3], 10);
        assert_eq!(t.len(), 3);
        assert!(!t.folded());
        assert_eq!(t.get(&2), Some(&Count { frames: 2, bytes: 4 }));
        assert_eq!(*t.other(), Count::default());
    }

    #[test]
    fn keeps_smallest_ranks_whatever_the_order() {
        let keys: Vec<u32> = (0..200).flat_map(|k| [k, k * 7 % 200]).collect();
        let mut rev = keys.clone();
        rev.reverse();
        let a = fill(&keys, 16);
        let b = fill(&rev, 16);
        assert_eq!(rows(&a), rows(&b));
        assert_eq!(a.other(), b.other());
        assert!(a.folded());
        let mut ranked: Vec<(u64, u32)> = (0..200).map(|k: u32| (k.rank(), k)).collect();
        ranked.sort();
        let want: Vec<u32> = {
            let mut v: Vec<u32> = ranked[..16].iter().map(|r| r.1).collect();
            v.sort();
            v
        };
        assert_eq!(rows(&a).iter().map(|r| r.0).collect::<Vec<_>>(), want);
        let total: u64 = rows(&a).iter().map(|r| r.1.frames).sum::<u64>() + a.other().frames;
        assert_eq!(total, keys.len() as u64);
    }

    #[test]
    fn merge_equals_one_pass() {
        let keys: Vec<u32> = (0..500).map(|i| (i * 37 + i / 3) % 301).collect();
        for cap in [1, 5, 50, 301, 1000] {
            let whole = fill(&keys, cap);
            for cut in [0, 1, 100, 250, 499, 500] {
                let mut m = fill(&keys[..cut], cap);
                m.merge(&fill(&keys[cut..], cap));
                assert_eq!(rows(&m), rows(&whole), "cap {cap} cut {cut}");
                assert_eq!(m.other(), whole.other(), "cap {cap} cut {cut}");
                assert_eq!(m.folded(), whole.folded(), "cap {cap} cut {cut}");
            }
        }
    }

    #[test]
    fn churn_does_not_grow_a_full_table() {
        // 1500 rows in 2048 buckets (hashbrown fills them to 7/8, 1792 rows): evictions leave
        // tombstones that use up the 292 free places; hashbrown alone would then double to
        // 4096 buckets, the rebuild keeps 2048.
        let cap = 1500;
        let mut t: Table<u32, Count> = Table::new(cap);
        let mut most = 0;
        for k in 0..400_000u32 {
            t.slot(k).add(1);
            most = most.max(t.map.capacity());
        }
        assert_eq!(t.len(), cap);
        assert!(most <= 1792, "grew to a capacity of {most}");
        let total: u64 = t.iter().map(|(_, v)| v.frames).sum::<u64>() + t.other().frames;
        assert_eq!(total, 400_000);
    }

    #[test]
    fn from_parts_round_trip() {
        let t = fill(&[5, 6, 7, 8, 9, 5], 3);
        let parts: Vec<(u32, Count)> = rows(&t);
        let back = Table::from_parts(3, parts, *t.other(), t.folded());
        assert_eq!(rows(&back), rows(&t));
        assert_eq!(back.other(), t.other());
        assert_eq!(back.folded(), t.folded());
    }

    #[test]
    fn stable_hash_is_fixed() {
        // Part of the report format: a change here changes which keys a capped table keeps.
        // Values from an independent implementation (Python) of the same definition.
        assert_eq!(stable_hash(b""), 0xf52a_15e9_a9b5_e89b);
        assert_eq!(stable_hash(&[10, 0, 0, 1]), 0xe7a7_7091_5e3a_6bb4);
    }
}
