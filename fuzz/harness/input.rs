//! The fuzzer's bytes read as a stream of choices. An exhausted input reads
//! as zeros, and every harness treats zero as "the ordinary, valid choice",
//! so a short input still drives a well-formed exchange to its end.

pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    pub fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// Up to `n` bytes (fewer only when the input runs out).
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }

    /// Exactly `n` bytes, zero-filled past the end of the input.
    pub fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let got = self.bytes(N);
        out[..got.len()].copy_from_slice(got);
        out
    }

    /// A length-prefixed run of input: one byte of length, or (when that
    /// byte is 255) two more; a length's bytes are taken as far as there
    /// are any.
    pub fn blob(&mut self) -> &'a [u8] {
        let n = match self.u8() {
            255 => self.u16() as usize,
            n => n as usize,
        };
        self.bytes(n)
    }

    /// A size that is usually small but can reach the protocol's limits:
    /// the interesting lengths are 0, the small ones and those near a
    /// length field's maximum.
    pub fn size(&mut self, max: usize) -> usize {
        let n = match self.u8() {
            0..=199 => self.u8() as usize,
            200..=239 => self.u16() as usize,
            240 => max,
            241 => max.saturating_sub(1),
            242 => max.saturating_add(1),
            243 => 0xffff,
            244 => 0x1_0000,
            245 => 0x4000,
            246 => 0x4001,
            _ => self.u32() as usize % (max.saturating_add(2)),
        };
        n.min(max.saturating_add(1))
    }

    /// One of `choices`; the first for a zero byte.
    pub fn pick<T: Copy>(&mut self, choices: &[T]) -> T {
        let i = self.u8() as usize % choices.len();
        choices[i]
    }
}
