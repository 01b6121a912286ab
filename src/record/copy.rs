//! Plaintext copies between the caller's buffers and the record buffers
//! that keep their speed wherever the two buffers happen to sit.
//!
//! glibc copies large blocks with `rep movsb`, and on AMD Zen 3 and Zen 4
//! that instruction slows down about 25-fold when the destination lies 1
//! to 15 bytes past the source modulo 4 KiB, and about 2-fold at 16 to 31
//! bytes (measured on the bench's EPYC with glibc 2.36: a 16 KiB copy at
//! 3 GB/s instead of 90). Whether a connection lands in that band depends
//! only on where the heap put its buffers relative to the caller's, so
//! without care one run of a program reads at full speed and the next at a
//! quarter of it. Copies below glibc's `rep movsb` threshold (2112 bytes
//! or more on every x86-64 CPU with fast short `rep movsb`) take its
//! vector loop instead, which has no such penalty; so in that band, taken
//! up to 63 bytes for margin, we copy in chunks of `CHUNK`. Elsewhere a
//! copy is one plain `memcpy`.

/// Small enough to stay under glibc's `rep movsb` threshold.
const CHUNK: usize = 2048;

/// Distances (destination minus source, modulo `ALIAS_PERIOD`) below this
/// take the chunked copy.
const SLOW_DISTANCE: usize = 64;

/// The period of the address aliasing that slows `rep movsb`.
const ALIAS_PERIOD: usize = 4096;

/// Whether copying `len` bytes from `src` to `dst` as one block could fall
/// into the slow band.
fn in_slow_band(dst: *const u8, src: *const u8, len: usize) -> bool {
    let distance = (dst as usize).wrapping_sub(src as usize) % ALIAS_PERIOD;
    len > CHUNK && distance != 0 && distance < SLOW_DISTANCE
}

/// `dst.copy_from_slice(src)`, chunked in the slow band.
pub fn copy_plaintext(dst: &mut [u8], src: &[u8]) {
    if in_slow_band(dst.as_ptr(), src.as_ptr(), src.len()) {
        for (to, from) in dst.chunks_mut(CHUNK).zip(src.chunks(CHUNK)) {
            to.copy_from_slice(from);
        }
    } else {
        dst.copy_from_slice(src);
    }
}

/// `out.extend_from_slice(src)`, chunked in the slow band.
pub fn extend_plaintext(out: &mut Vec<u8>, src: &[u8]) {
    // Reserved first, so that `dst` is where the bytes will land.
    out.reserve(src.len());
    let dst = out.as_ptr().wrapping_add(out.len());
    if in_slow_band(dst, src.as_ptr(), src.len()) {
        for from in src.chunks(CHUNK) {
            out.extend_from_slice(from);
        }
    } else {
        out.extend_from_slice(src);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The slice of `source` (`len` long) that starts `distance` bytes
    /// before `dst` modulo the aliasing period.
    fn source_at(source: &[u8], dst: *const u8, distance: usize, len: usize) -> &[u8] {
        let want = (dst as usize).wrapping_sub(distance) % ALIAS_PERIOD;
        let base = source.as_ptr() as usize % ALIAS_PERIOD;
        let at = (want + ALIAS_PERIOD - base) % ALIAS_PERIOD;
        &source[at..at + len]
    }

    /// Every distance and length around the band's edges copies exactly,
    /// and the band is where the module says it is.
    #[test]
    fn copies_exactly_at_every_distance() {
        let source: Vec<u8> = (0..6 * ALIAS_PERIOD)
            .map(|i| (i * 7 + i / 251) as u8)
            .collect();
        let mut dst = vec![0u8; 16384];
        let mut out = Vec::with_capacity(16384 + SLOW_DISTANCE);
        for distance in [0, 1, 5, 15, 16, 63, 64, 100, ALIAS_PERIOD - 1] {
            for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 5, 16384 - 17] {
                let slow = distance != 0 && distance < SLOW_DISTANCE && len > CHUNK;

                let src = source_at(&source, dst.as_ptr(), distance, len);
                assert_eq!(in_slow_band(dst.as_ptr(), src.as_ptr(), len), slow);
                dst.fill(0);
                copy_plaintext(&mut dst[..len], src);
                assert_eq!(&dst[..len], src, "copy: distance {distance}, len {len}");

                out.clear();
                out.push(0xee);
                let src = source_at(&source, out.as_ptr().wrapping_add(1), distance, len);
                assert_eq!(
                    in_slow_band(out.as_ptr().wrapping_add(1), src.as_ptr(), len),
                    slow
                );
                extend_plaintext(&mut out, src);
                assert_eq!(out[0], 0xee);
                assert_eq!(&out[1..], src, "extend: distance {distance}, len {len}");
            }
        }
    }
}
