//! What every entry point does at the boundary: catch panics, check
//! pointers, and carry a failure's code with its detailed message.
//!
//! Entry points are written as closures returning `Result<_, FfiError>`;
//! [`guard`] turns that into an `oxtls_result` and a panic into
//! `OXTLS_ERR_PANIC`. The pointer helpers are the only places that turn
//! raw pointers from C into references; each documents what the caller
//! promised for that to be sound.

use std::borrow::Cow;
use std::ffi::CStr;
use std::os::raw::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::result::*;
use crate::error::Error;

/// A failure on its way back to C: the code, and the words
/// `oxtls_conn_last_error()` gives for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FfiError {
    pub(crate) code: oxtls_result,
    pub(crate) detail: Cow<'static, str>,
}

impl FfiError {
    /// A failure described by its code's own message.
    pub(crate) fn code(code: oxtls_result) -> Self {
        let message = message(code);
        Self {
            code,
            detail: Cow::Borrowed(message.strip_suffix('\0').unwrap_or(message)),
        }
    }

    /// A failure with a message of its own.
    pub(crate) fn new(code: oxtls_result, detail: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }

    pub(crate) fn null(name: &'static str) -> Self {
        Self::new(OXTLS_ERR_NULL_PARAMETER, format!("{name} is NULL"))
    }

    pub(crate) fn invalid(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(OXTLS_ERR_INVALID_PARAMETER, detail)
    }
}

impl From<Error> for FfiError {
    fn from(err: Error) -> Self {
        Self::new(result_for_error(&err), err.to_string())
    }
}

/// Runs an entry point's body: its result as a code, a panic as
/// `OXTLS_ERR_PANIC`.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), FfiError>) -> oxtls_result {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => OXTLS_OK,
        Ok(Err(err)) => err.code,
        Err(_) => OXTLS_ERR_PANIC,
    }
}

/// Runs the body of an entry point that returns a plain value; a panic
/// gives `fallback`.
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// A shared reference to what `ptr` points to; NULL is an error naming
/// the argument.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` that nothing mutates for `'a`.
pub(crate) unsafe fn arg_ref<'a, T>(ptr: *const T, name: &'static str) -> Result<&'a T, FfiError> {
    // SAFETY: the caller promises `ptr` is NULL or valid for `'a`.
    unsafe { ptr.as_ref() }.ok_or_else(|| FfiError::null(name))
}

/// A unique reference to what `ptr` points to; NULL is an error naming
/// the argument.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` that nothing else uses for `'a`
/// (the one-thread-at-a-time rule of handles).
pub(crate) unsafe fn arg_mut<'a, T>(
    ptr: *mut T,
    name: &'static str,
) -> Result<&'a mut T, FfiError> {
    // SAFETY: the caller promises `ptr` is NULL or valid and unaliased.
    unsafe { ptr.as_mut() }.ok_or_else(|| FfiError::null(name))
}

/// The bytes `(ptr, len)`. A zero length gives an empty slice whatever
/// `ptr` is; NULL with a length is an error.
///
/// # Safety
/// If `len > 0` and `ptr` is not NULL, `ptr` points to `len` readable
/// bytes that nothing mutates for `'a`.
pub(crate) unsafe fn arg_bytes<'a>(
    ptr: *const u8,
    len: usize,
    name: &'static str,
) -> Result<&'a [u8], FfiError> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(FfiError::null(name));
    }
    // SAFETY: non-NULL, and the caller promises `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// The writable bytes `(ptr, len)`, as [`arg_bytes`].
///
/// # Safety
/// If `len > 0` and `ptr` is not NULL, `ptr` points to `len` writable
/// bytes that nothing else uses for `'a`.
pub(crate) unsafe fn arg_bytes_mut<'a>(
    ptr: *mut u8,
    len: usize,
    name: &'static str,
) -> Result<&'a mut [u8], FfiError> {
    if len == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() {
        return Err(FfiError::null(name));
    }
    // SAFETY: non-NULL, and the caller promises `len` writable bytes.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, len) })
}

/// The NUL-terminated UTF-8 string at `ptr`.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn arg_str<'a>(
    ptr: *const c_char,
    name: &'static str,
) -> Result<&'a str, FfiError> {
    if ptr.is_null() {
        return Err(FfiError::null(name));
    }
    // SAFETY: non-NULL, and the caller promises a NUL-terminated string.
    let bytes = unsafe { CStr::from_ptr(ptr) }.to_bytes();
    std::str::from_utf8(bytes).map_err(|_| FfiError::invalid(format!("{name} is not UTF-8")))
}

/// Stores `value` through an out-parameter; NULL is an error.
///
/// # Safety
/// `ptr` is NULL or valid for writing a `T`.
pub(crate) unsafe fn write_out<T>(
    ptr: *mut T,
    value: T,
    name: &'static str,
) -> Result<(), FfiError> {
    if ptr.is_null() {
        return Err(FfiError::null(name));
    }
    // SAFETY: non-NULL, and the caller promises it is writable. `write`
    // does not drop the old contents, which may be uninitialised.
    unsafe { ptr.write(value) };
    Ok(())
}

/// Stores `value` through an optional out-parameter: NULL is skipped.
/// Used to clear outputs on failure, where NULL is already reported.
///
/// # Safety
/// `ptr` is NULL or valid for writing a `T`.
pub(crate) unsafe fn clear_out<T>(ptr: *mut T, value: T) {
    if !ptr.is_null() {
        // SAFETY: non-NULL, and the caller promises it is writable.
        unsafe { ptr.write(value) };
    }
}

/// Copies `text` into the C buffer `(buf, len)` with a NUL after it,
/// cutting it at a character boundary to fit, and returns whether all of
/// it fit. Callers report `text.len()` either way, as snprintf does: a
/// count of what was written would never tell a C caller how much room
/// the whole text needs (it can strlen what it got).
pub(crate) fn copy_c_string(text: &str, buf: &mut [u8]) -> bool {
    let Some(room) = buf.len().checked_sub(1) else {
        // Not even the NUL fits.
        return false;
    };
    let mut n = text.len().min(room);
    while !text.is_char_boundary(n) {
        n -= 1;
    }
    buf[..n].copy_from_slice(&text.as_bytes()[..n]);
    buf[n] = 0;
    n == text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_code() {
        // The panic messages are captured with the test's output.
        let code = guard(|| panic!("boom"));
        let value = guard_value(7u16, || panic!("boom"));
        assert_eq!(code, OXTLS_ERR_PANIC);
        assert_eq!(value, 7);
    }

    #[test]
    fn errors_keep_their_code() {
        assert_eq!(guard(|| Ok(())), OXTLS_OK);
        assert_eq!(
            guard(|| Err(FfiError::from(Error::BufferFull))),
            OXTLS_ERR_BUFFER_FULL
        );
    }

    #[test]
    fn null_pointers_are_named() {
        // SAFETY: NULL is allowed.
        let err = unsafe { arg_ref::<u8>(std::ptr::null(), "conn") }.unwrap_err();
        assert_eq!(err.code, OXTLS_ERR_NULL_PARAMETER);
        assert_eq!(err.detail, "conn is NULL");
        // SAFETY: a zero length never reads the pointer.
        assert_eq!(
            unsafe { arg_bytes(std::ptr::null(), 0, "buf") },
            Ok(&[][..])
        );
    }

    #[test]
    fn c_strings_are_cut_at_character_boundaries() {
        let mut buf = [0xffu8; 3];
        assert!(!copy_c_string("héllo", &mut buf));
        assert_eq!(&buf[..2], b"h\0");
        let mut buf = [0xffu8; 8];
        assert!(copy_c_string("ok", &mut buf));
        assert_eq!(&buf[..3], b"ok\0");
        assert!(!copy_c_string("ok", &mut []));
        // Even "" needs room for its NUL.
        assert!(!copy_c_string("", &mut []));
    }
}
