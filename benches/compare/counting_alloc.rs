//! A global allocator that counts the heap use of the client under test.
//!
//! The bench runs the client and its rustls server in one thread, so
//! counting everything would mix the two. Instead counting is switched on
//! only around the client's own calls ([`tracked`]); the harness's I/O
//! buffers are grown with counting switched off ([`untracked`]). Blocks
//! are counted when allocated and freed inside tracked calls, so the live
//! total after N connections, less the total before, is what those N
//! connections hold.
//!
//! OpenSSL allocates with its own `CRYPTO_malloc`; [`openssl_hooks`] routes
//! it into the same counters, so the three clients are measured alike.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering::Relaxed};

/// The bench binary's global allocator: the system allocator plus counters.
pub struct CountingAlloc;

static TRACKING: AtomicBool = AtomicBool::new(false);
static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);
static LIVE_BLOCKS: AtomicIsize = AtomicIsize::new(0);
static PEAK_BYTES: AtomicIsize = AtomicIsize::new(0);
/// Calls that may allocate: `alloc`, `alloc_zeroed` and `realloc`.
static ALLOC_CALLS: AtomicUsize = AtomicUsize::new(0);

fn on_alloc(size: usize) {
    if TRACKING.load(Relaxed) {
        let live = LIVE_BYTES.fetch_add(size as isize, Relaxed) + size as isize;
        LIVE_BLOCKS.fetch_add(1, Relaxed);
        ALLOC_CALLS.fetch_add(1, Relaxed);
        PEAK_BYTES.fetch_max(live, Relaxed);
    }
}

fn on_free(size: usize) {
    if TRACKING.load(Relaxed) {
        LIVE_BYTES.fetch_sub(size as isize, Relaxed);
        LIVE_BLOCKS.fetch_sub(1, Relaxed);
    }
}

fn on_realloc(old: usize, new: usize) {
    if TRACKING.load(Relaxed) {
        let live = LIVE_BYTES.fetch_add(new as isize - old as isize, Relaxed) + new as isize
            - old as isize;
        ALLOC_CALLS.fetch_add(1, Relaxed);
        PEAK_BYTES.fetch_max(live, Relaxed);
    }
}

// SAFETY: every call is passed to `System` unchanged; the counters are
// plain atomics that never allocate.
//
// Never inlined: with the release profile's LTO the counting would
// otherwise be copied into every allocation site of every client (and
// the floor), adding the bench's bookkeeping to the code they run, where
// a real program makes one call into its allocator.
unsafe impl GlobalAlloc for CountingAlloc {
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            on_alloc(layout.size());
        }
        p
    }

    #[inline(never)]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            on_alloc(layout.size());
        }
        p
    }

    #[inline(never)]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        on_free(layout.size());
    }

    #[inline(never)]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            on_realloc(layout.size(), new_size);
        }
        p
    }
}

/// The counters at one moment.
#[derive(Clone, Copy, Debug)]
pub struct Snapshot {
    pub live_bytes: isize,
    pub live_blocks: isize,
    pub peak_bytes: isize,
    pub alloc_calls: usize,
}

pub fn snapshot() -> Snapshot {
    Snapshot {
        live_bytes: LIVE_BYTES.load(Relaxed),
        live_blocks: LIVE_BLOCKS.load(Relaxed),
        peak_bytes: PEAK_BYTES.load(Relaxed),
        alloc_calls: ALLOC_CALLS.load(Relaxed),
    }
}

/// Starts a new peak: from now on the peak is measured from the live total.
pub fn reset_peak() {
    PEAK_BYTES.store(LIVE_BYTES.load(Relaxed), Relaxed);
}

/// Runs `f` with its allocations counted (the client's calls).
pub fn tracked<T>(f: impl FnOnce() -> T) -> T {
    let was = TRACKING.swap(true, Relaxed);
    let out = f();
    TRACKING.store(was, Relaxed);
    out
}

/// Runs `f` with counting off (harness buffers grown inside a client call).
pub fn untracked<T>(f: impl FnOnce() -> T) -> T {
    let was = TRACKING.swap(false, Relaxed);
    let out = f();
    TRACKING.store(was, Relaxed);
    out
}

/// OpenSSL's allocation hooks (`CRYPTO_set_mem_functions`), feeding the
/// same counters. openssl-sys does not bind that function, so it is
/// declared here; libcrypto is linked through the `openssl` crate.
pub mod openssl_hooks {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::ffi::{c_char, c_int, c_void};

    /// Each block starts with its requested size (free gets no size);
    /// 16 bytes keep the block as aligned as malloc's.
    const HEADER: usize = 16;

    type MallocFn = unsafe extern "C" fn(usize, *const c_char, c_int) -> *mut c_void;
    type ReallocFn = unsafe extern "C" fn(*mut c_void, usize, *const c_char, c_int) -> *mut c_void;
    type FreeFn = unsafe extern "C" fn(*mut c_void, *const c_char, c_int);

    extern "C" {
        /// OpenSSL 1.1.0 and later; fails (returns 0) once OpenSSL has
        /// allocated anything.
        fn CRYPTO_set_mem_functions(
            malloc_fn: Option<MallocFn>,
            realloc_fn: Option<ReallocFn>,
            free_fn: Option<FreeFn>,
        ) -> c_int;
    }

    fn layout(size: usize) -> Option<Layout> {
        Layout::from_size_align(size.checked_add(HEADER)?, HEADER).ok()
    }

    unsafe extern "C" fn malloc_hook(num: usize, _: *const c_char, _: c_int) -> *mut c_void {
        let Some(layout) = layout(num) else {
            return std::ptr::null_mut();
        };
        // SAFETY: `layout` has a non-zero size (the header).
        let base = unsafe { System.alloc(layout) };
        if base.is_null() {
            return std::ptr::null_mut();
        }
        // SAFETY: `base` is valid for HEADER bytes and aligned for usize.
        unsafe {
            base.cast::<usize>().write(num);
            super::on_alloc(num);
            base.add(HEADER).cast()
        }
    }

    unsafe extern "C" fn free_hook(ptr: *mut c_void, _: *const c_char, _: c_int) {
        if ptr.is_null() {
            return;
        }
        // SAFETY: `ptr` came from `malloc_hook`/`realloc_hook`, so the
        // header holding its size sits HEADER bytes before it.
        unsafe {
            let base = ptr.cast::<u8>().sub(HEADER);
            let num = base.cast::<usize>().read();
            System.dealloc(
                base,
                Layout::from_size_align_unchecked(num + HEADER, HEADER),
            );
            super::on_free(num);
        }
    }

    unsafe extern "C" fn realloc_hook(
        ptr: *mut c_void,
        num: usize,
        file: *const c_char,
        line: c_int,
    ) -> *mut c_void {
        if ptr.is_null() {
            // SAFETY: a plain allocation.
            return unsafe { malloc_hook(num, file, line) };
        }
        if num == 0 {
            // SAFETY: `ptr` is ours (see `free_hook`).
            unsafe { free_hook(ptr, file, line) };
            return std::ptr::null_mut();
        }
        let Some(new_layout) = layout(num) else {
            return std::ptr::null_mut();
        };
        // SAFETY: as in `free_hook`; the old layout is the one it was
        // allocated with, and the new size is non-zero.
        unsafe {
            let base = ptr.cast::<u8>().sub(HEADER);
            let old = base.cast::<usize>().read();
            let old_layout = Layout::from_size_align_unchecked(old + HEADER, HEADER);
            let moved = System.realloc(base, old_layout, new_layout.size());
            if moved.is_null() {
                return std::ptr::null_mut();
            }
            moved.cast::<usize>().write(num);
            super::on_realloc(old, num);
            moved.add(HEADER).cast()
        }
    }

    /// Routes OpenSSL's allocations into the counters. Must run before
    /// the first OpenSSL call; returns whether OpenSSL accepted it.
    pub fn install() -> bool {
        // SAFETY: the three hooks match OpenSSL's CRYPTO_*_fn types and
        // treat only pointers they returned themselves.
        unsafe {
            CRYPTO_set_mem_functions(Some(malloc_hook), Some(realloc_hook), Some(free_hook)) == 1
        }
    }
}
