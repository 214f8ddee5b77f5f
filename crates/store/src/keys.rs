//! The record of every observation key an import has met, for finding repeated rows: 16 bytes per
//! key in memory up to a bound, then sorted runs in temporary files, each with a Bloom filter in
//! memory (10 bits per key), so that memory stays bounded whatever the size of the import (up to
//! about 60 million rows in 300 MB; beyond that the filters grow by 1.25 bytes per row).

use crate::{Error, Result};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};

/// Keys held in memory before they go to a run: a table of 2²² buckets of 17 bytes (≈ 71 MB).
/// The store's own tests use a small bound, so that their imports go through runs too.
const IN_MEMORY: usize = if cfg!(test) { 500 } else { (1 << 22) / 8 * 7 };

/// Bits of a run's Bloom filter per key; with [`PROBES`] about 1–2 % false positives.
const BITS_PER_KEY: usize = 10;

/// Bit positions probed per key, all in one block of 512 bits (one cache line).
const PROBES: u32 = 7;

/// A run is written in this many parts by the top bits of the hash, each sorted on its own: the
/// extra memory while spilling is a sixteenth of the keys.
const PARTS: u64 = 16;

/// Every key met so far: its 64-bit hash → a 64-bit record (where the row was).
pub(crate) struct KeyRecord {
    memory: HashMap<u64, u64, foldhash::fast::FixedState>,
    bound: usize,
    runs: Vec<Run>,
}

/// Keys moved out of memory: sorted (hash, record) pairs of 16 bytes in a temporary file.
struct Run {
    file: File,
    len: u64,
    /// Blocks of 512 bits.
    bloom: Vec<[u64; 8]>,
}

impl KeyRecord {
    /// An empty record.
    pub(crate) fn new() -> KeyRecord {
        KeyRecord::with_bound(IN_MEMORY)
    }

    /// An empty record holding at most `bound` keys in memory (tests use a small one).
    fn with_bound(bound: usize) -> KeyRecord {
        KeyRecord {
            memory: HashMap::with_hasher(foldhash::fast::FixedState::with_seed(0x6b69_6d6f)),
            bound: bound.max(1),
            runs: Vec::new(),
        }
    }

    /// Makes room for about `keys` more keys at once (up to the bound), so that the table does
    /// not grow step by step: growing briefly holds the old and the new table together.
    pub(crate) fn reserve(&mut self, keys: usize) {
        let room = self.bound.saturating_sub(self.memory.len());
        self.memory.reserve(keys.min(room));
    }

    /// The record of `hash` when it was met before; otherwise keeps `record` for it.
    pub(crate) fn get_or_insert(&mut self, hash: u64, record: u64) -> Result<Option<u64>> {
        if let Some(&earlier) = self.memory.get(&hash) {
            return Ok(Some(earlier));
        }
        for run in &self.runs {
            if let Some(earlier) = run.get(hash)? {
                return Ok(Some(earlier));
            }
        }
        if self.memory.len() >= self.bound {
            self.spill()?;
        }
        self.memory.insert(hash, record);
        Ok(None)
    }

    /// Moves the keys in memory to a new run.
    fn spill(&mut self) -> Result<()> {
        let io = |e: std::io::Error| Error::database("Schlüsselverzeichnis des Imports", e);
        // Removed when closed, also when the process ends abnormally.
        let file = tempfile::tempfile().map_err(io)?;
        let mut w = BufWriter::new(&file);
        let len = self.memory.len();
        let mut bloom = vec![[0u64; 8]; (len * BITS_PER_KEY).div_ceil(512).max(1)];
        let mut part = Vec::with_capacity(len / PARTS as usize * 2);
        for p in 0..PARTS {
            part.clear();
            part.extend(
                self.memory
                    .iter()
                    .filter(|(h, _)| *h >> 60 == p)
                    .map(|(&h, &r)| (h, r)),
            );
            part.sort_unstable();
            for &(hash, record) in &part {
                w.write_all(&hash.to_le_bytes()).map_err(io)?;
                w.write_all(&record.to_le_bytes()).map_err(io)?;
                let (block, bits) = probes(hash, bloom.len());
                for bit in bits {
                    bloom[block][(bit / 64) as usize] |= 1 << (bit % 64);
                }
            }
        }
        w.flush().map_err(io)?;
        drop(w);
        self.memory.clear();
        self.runs.push(Run {
            file,
            len: len as u64,
            bloom,
        });
        Ok(())
    }
}

impl Run {
    /// The record of `hash` in this run: the Bloom filter rules out most keys, a binary search of
    /// the file finds the rest.
    fn get(&self, hash: u64) -> Result<Option<u64>> {
        if !self.may_hold(hash) {
            return Ok(None);
        }
        let (mut lo, mut hi) = (0, self.len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let (h, record) = self.pair(mid)?;
            match h.cmp(&hash) {
                std::cmp::Ordering::Equal => return Ok(Some(record)),
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
            }
        }
        Ok(None)
    }

    /// Whether the Bloom filter lets `hash` pass (always when the run holds it).
    fn may_hold(&self, hash: u64) -> bool {
        let (block, mut bits) = probes(hash, self.bloom.len());
        let block = &self.bloom[block];
        bits.all(|bit| block[(bit / 64) as usize] & (1 << (bit % 64)) != 0)
    }

    /// The `i`-th pair of the run.
    fn pair(&self, i: u64) -> Result<(u64, u64)> {
        use std::os::unix::fs::FileExt;
        let mut buf = [0u8; 16];
        self.file
            .read_exact_at(&mut buf, i * 16)
            .map_err(|e| Error::database("Schlüsselverzeichnis des Imports", e))?;
        let (h, r) = buf.split_at(8);
        Ok((
            u64::from_le_bytes(h.try_into().expect("8 bytes")),
            u64::from_le_bytes(r.try_into().expect("8 bytes")),
        ))
    }
}

/// The Bloom filter block of `hash` among `blocks`, and its bits in that block (double hashing
/// from two parts of the hash; the block comes from a third).
fn probes(hash: u64, blocks: usize) -> (usize, impl Iterator<Item = u32>) {
    let block = (((hash >> 32) as u128 * blocks as u128) >> 32) as usize;
    let (a, b) = (hash as u32, ((hash >> 16) as u32) | 1);
    (
        block,
        (0..PROBES).map(move |i| a.wrapping_add(i.wrapping_mul(b)) % 512),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A well-mixed hash of `i`, as the importer's keys are.
    fn hash(i: u64) -> u64 {
        use std::hash::BuildHasher;
        foldhash::quality::FixedState::with_seed(7).hash_one(i)
    }

    #[test]
    fn repeats_are_found_in_memory_and_in_every_run() {
        let mut keys = KeyRecord::with_bound(1000);
        for i in 0..5000 {
            assert_eq!(keys.get_or_insert(hash(i), i).unwrap(), None, "key {i}");
        }
        // 5,000 keys with room for 1,000: four runs on disk, the rest in memory.
        assert_eq!(keys.runs.len(), 4);
        assert!(keys.memory.len() <= 1000);
        for i in (0..5000).step_by(7) {
            assert_eq!(keys.get_or_insert(hash(i), 99_999).unwrap(), Some(i));
        }
        // Keys never met are new, whatever the Bloom filters say.
        for i in 5000..10_000 {
            assert_eq!(keys.get_or_insert(hash(i), i).unwrap(), None, "key {i}");
        }
    }

    #[test]
    fn bloom_filters_rule_out_almost_every_key_not_in_a_run() {
        let mut keys = KeyRecord::with_bound(10_000);
        for i in 0..10_001 {
            keys.get_or_insert(hash(i), i).unwrap();
        }
        let run = &keys.runs[0];
        let maybe = (20_000..120_000).filter(|&i| run.may_hold(hash(i))).count();
        // About 1–2 % false positives at 10 bits per key and 7 probes in a block.
        assert!(maybe < 2_500, "{maybe} of 100,000 pass the filter");
    }
}
