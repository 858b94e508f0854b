//! The fixed-block pool behind feature `peersec-memory-management` (see the parent module).

use crate::Error;

/// The most size classes one pool holds.
pub const MAX_CLASSES: usize = 8;

/// Every block starts at an address that is a multiple of this, and every block size is
/// rounded up to a multiple of it.
pub const BLOCK_ALIGN: usize = 16;

/// Marks the end of a free list.
const NONE: u32 = u32::MAX;

/// One size class of a pool: `count` blocks of `block_size` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolClass {
    /// Bytes per block (rounded up to a multiple of [`BLOCK_ALIGN`]).
    pub block_size: usize,
    /// Number of blocks.
    pub count: usize,
}

/// What one size class has done since the pool was made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClassStats {
    /// Bytes per block.
    pub block_size: usize,
    /// Blocks in the class.
    pub count: usize,
    /// Blocks handed out now.
    pub in_use: usize,
    /// The most blocks ever handed out at once.
    pub high_water: usize,
    /// Blocks handed out in all.
    pub allocations: u64,
    /// Requests for which this was the best-fitting class and no block of this or any larger
    /// class was free.
    pub refusals: u64,
}

/// A block handed out by a [`BlockPool`]. It is not `Clone`: [`BlockPool::free`] consumes
/// it, so safe code cannot free a block twice.
#[derive(Debug, PartialEq, Eq)]
pub struct Block {
    class: u8,
    index: u32,
}

#[derive(Clone, Copy, Debug, Default)]
struct Class {
    stats: ClassStats,
    base: usize,
    /// The last freed block (a list threaded through the freed blocks), or `NONE`. Blocks
    /// from index `stats.high_water` on have never been handed out and are on no list: a
    /// class takes its next never-used block only when every block it has used is in use,
    /// so the number it has used is always its high-water mark.
    free_head: u32,
}

/// A class slot before `BlockPool::new` fills it: no blocks.
const UNUSED_CLASS: Class = Class {
    stats: ClassStats {
        block_size: 0,
        count: 0,
        in_use: 0,
        high_water: 0,
        allocations: 0,
        refusals: 0,
    },
    base: 0,
    // Set to `NONE` for the classes in use: an all-zero table is one memclr.
    free_head: 0,
};

/// A deterministic allocator of fixed-size blocks over a caller-provided region.
#[derive(Debug)]
pub struct BlockPool<'r> {
    region: &'r mut [u8],
    classes: [Class; MAX_CLASSES],
    n_classes: usize,
}

impl<'r> BlockPool<'r> {
    /// Carves `region` into the given classes (in any order; they are sorted by size).
    ///
    /// Fails with [`Error::ArgFail`] for no class, more than [`MAX_CLASSES`], a class of no
    /// blocks or of more than `u32::MAX - 1` blocks, and with [`Error::LimitFail`] when the
    /// region is too small for them all (see [`BlockPool::region_size`]).
    pub fn new(region: &'r mut [u8], classes: &[PoolClass]) -> Result<Self, Error> {
        let n = classes.len();
        if n == 0 || n > MAX_CLASSES {
            return Err(Error::ArgFail);
        }
        // The classes go straight into the pool's table, sorted by their requested sizes
        // (stable: equal sizes keep their order): each lands at its rank, the number of
        // classes that sort before it. No second array and no swaps of the 40-byte entries:
        // less code and stack on a Cortex-M than a sort (`sort_by_key`, a driftsort, is over
        // 2 KB there).
        // The table is filled where it is and moved once, into the pool returned (on a
        // Cortex-M, building the pool first and then the table in it cost a copy of both).
        let mut table = [UNUSED_CLASS; MAX_CLASSES];
        for (i, c) in classes.iter().enumerate() {
            let mut rank = 0;
            for (j, d) in classes.iter().enumerate() {
                if d.block_size < c.block_size || (d.block_size == c.block_size && j < i) {
                    rank += 1;
                }
            }
            let slot = &mut table[rank].stats;
            slot.block_size = c.block_size;
            slot.count = c.count;
        }

        // Blocks are aligned by address, so start at the first aligned byte of the region.
        let mut offset = (region.as_ptr() as usize).wrapping_neg() % BLOCK_ALIGN;
        for c in table[..n].iter_mut() {
            let count = c.stats.count;
            if count == 0 || count >= NONE as usize {
                return Err(Error::ArgFail);
            }
            let size = round_up(c.stats.block_size.max(1)).ok_or(Error::LimitFail)?;
            let bytes = size.checked_mul(count).ok_or(Error::LimitFail)?;
            c.stats.block_size = size;
            c.base = offset;
            c.free_head = NONE;
            offset = offset.checked_add(bytes).ok_or(Error::LimitFail)?;
        }
        if offset > region.len() {
            return Err(Error::LimitFail);
        }
        // No block is linked yet: each class hands out its never-used blocks in order once
        // its free list is empty (see `Class::free_head`), which is the order a list
        // threaded through every block at the start would give, without a pass over the
        // region here.
        Ok(BlockPool {
            region,
            classes: table,
            n_classes: n,
        })
    }

    /// The region size that always fits `classes`, whatever the region's alignment.
    pub fn region_size(classes: &[PoolClass]) -> Option<usize> {
        classes.iter().try_fold(BLOCK_ALIGN - 1, |acc, c| {
            round_up(c.block_size.max(1))?
                .checked_mul(c.count)?
                .checked_add(acc)
        })
    }

    /// Hands out a block of at least `size` bytes aligned to `align`: from the smallest
    /// class that fits, or the next larger class with a free block. Fails with
    /// [`Error::MemFail`] when none is free and [`Error::ArgFail`] when `size` is larger than
    /// every class or `align` is over [`BLOCK_ALIGN`].
    pub fn alloc(&mut self, size: usize, align: usize) -> Result<Block, Error> {
        // Index loops: on a Cortex-M they are much less code than the iterator adapters.
        let n = self.n_classes;
        let mut best = 0;
        while best < n && self.classes[best].stats.block_size < size {
            best += 1;
        }
        if best == n || align > BLOCK_ALIGN {
            return Err(Error::ArgFail);
        }
        // From the best fit up: the first class with a freed or a never-used block.
        let mut class = best;
        while class < n {
            let c = &mut self.classes[class];
            let index = if c.free_head != NONE {
                let head = c.free_head;
                c.free_head = read_link(self.region, c.block_start(head));
                head
            } else if c.stats.high_water < c.stats.count {
                // The first never-used block (see `Class::free_head`); `count` fits in a u32.
                c.stats.high_water as u32
            } else {
                class += 1;
                continue;
            };
            c.stats.in_use += 1;
            c.stats.high_water = c.stats.high_water.max(c.stats.in_use);
            c.stats.allocations += 1;
            return Ok(Block {
                class: class as u8,
                index,
            });
        }
        self.classes[best].stats.refusals += 1;
        Err(Error::MemFail)
    }

    /// Returns a block to its class's free list (constant time).
    pub fn free(&mut self, block: Block) {
        let c = &mut self.classes[usize::from(block.class)];
        let start = c.block_start(block.index);
        // Always inside the region (see `read_link`).
        let link = self.region.get_mut(start..start + 4);
        if let Some(link) = link.and_then(|l| <&mut [u8; 4]>::try_from(l).ok()) {
            *link = c.free_head.to_le_bytes();
        }
        c.free_head = block.index;
        c.stats.in_use -= 1;
    }

    /// The block's bytes.
    pub fn bytes(&self, block: &Block) -> &[u8] {
        let (start, len) = self.span(usize::from(block.class), block.index);
        &self.region[start..start + len]
    }

    /// The block's bytes, writable.
    pub fn bytes_mut(&mut self, block: &Block) -> &mut [u8] {
        let (start, len) = self.span(usize::from(block.class), block.index);
        &mut self.region[start..start + len]
    }

    /// The block's offset in the region (for an allocator adapter that hands out pointers).
    pub fn offset(&self, block: &Block) -> usize {
        self.classes[usize::from(block.class)].block_start(block.index)
    }

    /// The block that starts at `offset`, for an allocator adapter's `dealloc`. The caller
    /// vouches that the block is allocated: handing back a free one would put it on its free
    /// list twice. `None` when no block starts there.
    pub fn block_at(&self, offset: usize) -> Option<Block> {
        for (i, c) in self.classes[..self.n_classes].iter().enumerate() {
            // Below the class's base the difference wraps to more than its span (which
            // ends inside the region: `new` checked it).
            let rel = offset.wrapping_sub(c.base);
            let size = c.stats.block_size;
            if rel < size * c.stats.count && rel % size == 0 {
                return Some(Block {
                    class: i as u8,
                    index: (rel / size) as u32,
                });
            }
        }
        None
    }

    /// Statistics per size class, smallest class first.
    pub fn stats(&self) -> impl Iterator<Item = ClassStats> + '_ {
        self.classes[..self.n_classes].iter().map(|c| c.stats)
    }

    /// Bytes of blocks handed out now.
    pub fn bytes_in_use(&self) -> usize {
        self.stats().map(|s| s.in_use * s.block_size).sum()
    }

    fn span(&self, class: usize, index: u32) -> (usize, usize) {
        let c = &self.classes[class];
        (c.block_start(index), c.stats.block_size)
    }
}

impl Class {
    /// The offset of block `index` of this class in the region.
    fn block_start(&self, index: u32) -> usize {
        self.base + index as usize * self.stats.block_size
    }
}

/// The free-list link stored in the first bytes of the freed block at `start` (always
/// inside the region: `start` is a block's start, and blocks are at least 16 bytes).
fn read_link(region: &[u8], start: usize) -> u32 {
    region
        .get(start..start + 4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(NONE, u32::from_le_bytes)
}

fn round_up(n: usize) -> Option<usize> {
    n.checked_add(BLOCK_ALIGN - 1)
        .map(|n| n / BLOCK_ALIGN * BLOCK_ALIGN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    const CLASSES: [PoolClass; 3] = [
        PoolClass {
            block_size: 1024,
            count: 2,
        },
        PoolClass {
            block_size: 20,
            count: 4,
        },
        PoolClass {
            block_size: 256,
            count: 3,
        },
    ];

    fn region() -> Vec<u8> {
        vec![0u8; BlockPool::region_size(&CLASSES).unwrap()]
    }

    #[test]
    fn classes_are_sorted_and_rounded() {
        let mut r = region();
        let p = BlockPool::new(&mut r, &CLASSES).unwrap();
        let sizes: Vec<_> = p.stats().map(|s| (s.block_size, s.count)).collect();
        assert_eq!(sizes, [(32, 4), (256, 3), (1024, 2)]);
    }

    #[test]
    fn classes_of_one_size_keep_their_order() {
        let classes = [
            PoolClass {
                block_size: 64,
                count: 1,
            },
            PoolClass {
                block_size: 16,
                count: 2,
            },
            PoolClass {
                block_size: 64,
                count: 3,
            },
            PoolClass {
                block_size: 8,
                count: 4,
            },
            PoolClass {
                block_size: 64,
                count: 5,
            },
        ];
        let mut r = vec![0u8; BlockPool::region_size(&classes).unwrap()];
        let p = BlockPool::new(&mut r, &classes).unwrap();
        let sizes: Vec<_> = p.stats().map(|s| (s.block_size, s.count)).collect();
        assert_eq!(sizes, [(16, 4), (16, 2), (64, 1), (64, 3), (64, 5)]);
    }

    #[test]
    fn blocks_are_aligned_disjoint_and_keep_their_data() {
        let mut r = region();
        let base = r.as_ptr() as usize;
        let mut p = BlockPool::new(&mut r, &CLASSES).unwrap();
        let blocks: Vec<Block> = (0..4).map(|_| p.alloc(20, 8).unwrap()).collect();
        for (i, b) in blocks.iter().enumerate() {
            assert!((base + p.offset(b)).is_multiple_of(BLOCK_ALIGN));
            p.bytes_mut(b).fill(i as u8 + 1);
        }
        for (i, b) in blocks.iter().enumerate() {
            assert!(
                p.bytes(b).iter().all(|&x| x == i as u8 + 1),
                "block {i} overwritten"
            );
        }
    }

    #[test]
    fn exhaustion_falls_back_to_larger_classes_then_refuses() {
        let mut r = region();
        let mut p = BlockPool::new(&mut r, &CLASSES).unwrap();
        let mut held = Vec::new();
        for _ in 0..9 {
            held.push(p.alloc(10, 1).unwrap());
        }
        assert_eq!(p.alloc(10, 1), Err(Error::MemFail));
        assert_eq!(p.alloc(1000, 1), Err(Error::MemFail));
        let stats: Vec<_> = p.stats().collect();
        assert_eq!(stats[0].refusals, 1);
        assert_eq!(stats[2].refusals, 1);
        assert_eq!(
            p.alloc(1025, 1),
            Err(Error::ArgFail),
            "larger than every class"
        );
        assert_eq!(p.alloc(8, 32), Err(Error::ArgFail), "over-aligned");
        assert_eq!(p.bytes_in_use(), 4 * 32 + 3 * 256 + 2 * 1024);
        for b in held {
            p.free(b);
        }
        assert_eq!(p.bytes_in_use(), 0);
    }

    #[test]
    fn freed_blocks_are_reused_and_statistics_follow() {
        let mut r = region();
        let mut p = BlockPool::new(&mut r, &CLASSES).unwrap();
        let a = p.alloc(200, 4).unwrap();
        let off = p.offset(&a);
        let b = p.alloc(200, 4).unwrap();
        p.free(a);
        let c = p.alloc(100, 4).unwrap();
        assert_eq!(
            p.offset(&c),
            off,
            "the last freed block is handed out first"
        );
        let s = p.stats().nth(1).unwrap();
        assert_eq!((s.in_use, s.high_water, s.allocations), (2, 2, 3));
        p.free(b);
        p.free(c);
        let s = p.stats().nth(1).unwrap();
        assert_eq!((s.in_use, s.high_water), (0, 2));
    }

    #[test]
    fn no_fragmentation_after_any_pattern() {
        let mut r = region();
        let mut p = BlockPool::new(&mut r, &CLASSES).unwrap();
        // A fixed pseudo-random pattern of allocations and frees.
        let mut x = 0x2545_f491_u32;
        let mut held: Vec<Block> = Vec::new();
        for _ in 0..2_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            if x.is_multiple_of(3) && !held.is_empty() {
                let i = (x as usize / 3) % held.len();
                p.free(held.swap_remove(i));
            } else if let Ok(b) = p.alloc((x % 1024) as usize + 1, 8) {
                held.push(b);
            }
        }
        for b in held.drain(..) {
            p.free(b);
        }
        // Every block of every class is available again.
        for _ in 0..4 {
            held.push(p.alloc(32, 16).unwrap());
        }
        for _ in 0..3 {
            held.push(p.alloc(256, 16).unwrap());
        }
        for _ in 0..2 {
            held.push(p.alloc(1024, 16).unwrap());
        }
        assert_eq!(p.alloc(1, 1), Err(Error::MemFail));
    }

    #[test]
    fn block_at_finds_block_starts_only() {
        let mut r = region();
        let mut p = BlockPool::new(&mut r, &CLASSES).unwrap();
        let a = p.alloc(500, 1).unwrap();
        let off = p.offset(&a);
        assert_eq!(p.block_at(off), Some(Block { ..a }));
        assert_eq!(p.block_at(off + 1), None);
        assert_eq!(p.block_at(usize::MAX), None);
        p.free(a);
    }

    #[test]
    fn construction_checks_its_arguments() {
        let mut small = vec![0u8; 64];
        assert_eq!(
            BlockPool::new(&mut small, &CLASSES).err(),
            Some(Error::LimitFail)
        );
        assert_eq!(BlockPool::new(&mut small, &[]).err(), Some(Error::ArgFail));
        let zero = [PoolClass {
            block_size: 16,
            count: 0,
        }];
        assert_eq!(
            BlockPool::new(&mut small, &zero).err(),
            Some(Error::ArgFail)
        );
        let many = [PoolClass {
            block_size: 1,
            count: 1,
        }; MAX_CLASSES + 1];
        assert_eq!(
            BlockPool::new(&mut small, &many).err(),
            Some(Error::ArgFail)
        );
        let huge = [PoolClass {
            block_size: usize::MAX,
            count: 2,
        }];
        assert_eq!(BlockPool::region_size(&huge), None);
    }

    /// The pool hands out blocks in exactly the order of a free list threaded through every
    /// block when the pool is made (0, 1, 2, ... then last freed, first reused), which is
    /// how it worked before the never-used blocks were taken lazily: a model of that list
    /// against a pseudo-random run of allocations and frees, spilling into larger classes.
    #[test]
    fn blocks_come_in_the_order_of_a_list_made_up_front() {
        let mut r = region();
        let mut p = BlockPool::new(&mut r, &CLASSES).unwrap();
        // The model: per class (smallest first) a LIFO stack whose top is the next block.
        let counts = [4u32, 3, 2];
        let mut model: Vec<Vec<u32>> = counts.iter().map(|&n| (0..n).rev().collect()).collect();
        let mut held: Vec<Block> = Vec::new();
        let mut x = 0x2545_f491u32;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            if !x.is_multiple_of(3) || held.is_empty() {
                let size = [20, 200, 1000][(x as usize >> 3) % 3];
                let best = [32, 256, 1024].iter().position(|&b| b >= size).unwrap();
                let want = (best..3).find(|&c| !model[c].is_empty());
                match (p.alloc(size, 8), want) {
                    (Ok(b), Some(c)) => {
                        assert_eq!(
                            (usize::from(b.class), b.index),
                            (c, *model[c].last().unwrap())
                        );
                        model[c].pop();
                        held.push(b);
                    }
                    (Err(e), None) => assert_eq!(e, Error::MemFail),
                    (got, want) => panic!("pool {got:?}, model {want:?}"),
                }
            } else {
                let b = held.swap_remove((x as usize >> 5) % held.len());
                model[usize::from(b.class)].push(b.index);
                p.free(b);
            }
            for (s, (m, &n)) in p.stats().zip(model.iter().zip(&counts)) {
                assert_eq!(s.in_use, n as usize - m.len());
            }
        }
    }
}
