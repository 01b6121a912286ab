//! Buffers at a chosen offset from a page boundary.
//!
//! On this bench's machine (AMD EPYC, glibc 2.36) a 16 KiB `memcpy` runs
//! at 3 to 90 GB/s depending on where source and destination sit relative
//! to each other (`rep movsb` is slow when the destination is a few bytes
//! past the source modulo 4 KiB, as a 5-byte record header makes it). So
//! the harness's own buffers are placed deliberately: the caller's
//! plaintext buffers start on a page, as I/O buffers usually do, and the
//! floor puts record payloads on a 64-byte boundary, the best a record
//! layer can arrange.

use std::ops::{Deref, DerefMut};

pub const PAGE: usize = 4096;

pub struct Aligned {
    storage: Vec<u8>,
    start: usize,
    len: usize,
}

impl Aligned {
    /// `len` zero bytes starting `offset` bytes past a page boundary.
    pub fn new(len: usize, offset: usize) -> Aligned {
        let storage = vec![0u8; len + offset + PAGE];
        let misalign = storage.as_ptr() as usize % PAGE;
        let start = (PAGE - misalign) % PAGE + offset;
        Aligned {
            storage,
            start,
            len,
        }
    }

    /// A page-aligned copy of `data`.
    pub fn from_slice(data: &[u8]) -> Aligned {
        let mut out = Aligned::new(data.len(), 0);
        out.copy_from_slice(data);
        out
    }
}

impl Deref for Aligned {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.storage[self.start..self.start + self.len]
    }
}

impl DerefMut for Aligned {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.storage[self.start..self.start + self.len]
    }
}
