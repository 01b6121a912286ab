//! The C API: `liboxtls.so` / `liboxtls.a` and `include/oxtls.h`.
//!
//! The only module with `extern "C"`, raw pointers and `unsafe`. Every
//! entry point catches panics and checks its pointers (`boundary.rs`),
//! returns an `oxtls_result` (`result.rs`) and writes results through
//! out-parameters placed last. Handles are opaque:
//!
//! - `oxtls_config_builder` (`config.rs`, roots in `roots.rs`): made by
//!   `_new`, consumed by `_build` whatever it returns;
//! - `oxtls_config`: immutable and shared; connections hold their own
//!   reference, so the caller may free it at any time;
//! - `oxtls_conn` (`conn.rs`, transport in `transport.rs`): one thread at
//!   a time; the first fatal error is returned by every later call; a
//!   call from inside a callback of another call on the same connection
//!   is refused (`OXTLS_ERR_REENTRANT`).
//!
//! Callbacks (`callbacks.rs`) run on the caller's thread, from inside the
//! call that produced the event. `include/oxtls.h` is generated from these
//! files by cbindgen (see `build.rs`): the doc comments here are the
//! header's documentation.
#![allow(unsafe_code)]
// C's naming, so the header reads as C.
#![allow(non_camel_case_types)]

mod boundary;
mod callbacks;
mod client_cert;
mod config;
mod conn;
mod result;
mod roots;
mod transport;

#[cfg(test)]
mod tests;

use std::os::raw::c_char;

/// The library's version ("MAJOR.MINOR.PATCH") as a static NUL-terminated
/// string. Compare with `OXTLS_VERSION_*` to detect a header/library
/// mismatch.
#[no_mangle]
pub extern "C" fn oxtls_version() -> *const c_char {
    // A constant: nothing here can panic, so there is nothing to guard.
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The library's version as one number, as `OXTLS_VERSION_NUMBER`:
/// MAJOR * 1000000 + MINOR * 1000 + PATCH.
#[no_mangle]
pub extern "C" fn oxtls_version_number() -> u32 {
    boundary::guard_value(0, || {
        version_number(
            env!("CARGO_PKG_VERSION_MAJOR"),
            env!("CARGO_PKG_VERSION_MINOR"),
            env!("CARGO_PKG_VERSION_PATCH"),
        )
    })
}

fn version_number(major: &str, minor: &str, patch: &str) -> u32 {
    let part = |s: &str| s.parse::<u32>().unwrap_or(0);
    part(major) * 1_000_000 + part(minor) * 1_000 + part(patch)
}

#[cfg(test)]
mod version_tests {
    use super::*;

    #[test]
    fn version_number_packs_the_parts() {
        assert_eq!(version_number("1", "22", "333"), 1_022_333);
        assert_eq!(version_number("0", "1", "0"), 1_000);
    }

    #[test]
    fn version_string_is_the_crate_version() {
        // SAFETY: oxtls_version returns a static NUL-terminated string.
        let v = unsafe { std::ffi::CStr::from_ptr(oxtls_version()) };
        assert_eq!(v.to_str(), Ok(env!("CARGO_PKG_VERSION")));
    }
}
