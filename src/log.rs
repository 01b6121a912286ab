//! Optional logging of connection events, for callers that want to see
//! what a connection did (the C API's log callback sits on this).
//!
//! Messages never contain secrets or application data.

use core::fmt;

/// How much a message matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum LogLevel {
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
}

/// Receives log messages. Called synchronously from whichever connection
/// method produced the event, on the caller's thread.
pub trait Logger: Send + Sync + fmt::Debug {
    fn log(&self, level: LogLevel, message: &str);
}
