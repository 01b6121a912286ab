//! The fuzz harnesses, in plain Rust: the fuzz targets (`fuzz/fuzz_targets`)
//! call them under libFuzzer, and `tests/fuzz_replay.rs` replays the
//! committed regression inputs through them on stable Rust.

pub mod common;
pub mod input;
pub mod server_bytes;
pub mod tls12_keys;
pub mod tls12_scripted;
pub mod tls13_keys;
pub mod tls13_scripted;
pub mod wire;
