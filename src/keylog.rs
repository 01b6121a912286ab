//! Key logging: the opt-in escape hatch for debugging with a packet
//! analyser. Secrets are handed to a [`KeyLog`] in the NSS key log format's
//! terms (a label, the client random, the secret), and [`KeyLogFile`]
//! appends them to the file named by `SSLKEYLOGFILE`, as browsers and
//! OpenSSL-based tools do.
//!
//! Nothing is logged unless a config is given a key log: these secrets
//! decrypt the whole connection.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::sync::Mutex;

/// Receives the secrets of each connection as they are derived.
///
/// Labels (NSS key log format), TLS 1.3: `CLIENT_EARLY_TRAFFIC_SECRET`
/// (when 0-RTT data is offered), `CLIENT_HANDSHAKE_TRAFFIC_SECRET`,
/// `SERVER_HANDSHAKE_TRAFFIC_SECRET`, `CLIENT_TRAFFIC_SECRET_0`,
/// `SERVER_TRAFFIC_SECRET_0`, `EXPORTER_SECRET`; TLS 1.2: `CLIENT_RANDOM`,
/// with the 48-byte master secret.
pub trait KeyLog: Send + Sync + fmt::Debug {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]);
}

/// Appends to the file `SSLKEYLOGFILE` names, one line per secret; does
/// nothing if the variable is unset or the file cannot be opened (see
/// [`KeyLogFile::open_error`]).
pub struct KeyLogFile {
    file: Option<Mutex<File>>,
    open_error: Option<io::Error>,
}

impl KeyLogFile {
    /// Opens (for appending) the file named by `SSLKEYLOGFILE`, if any. A
    /// file it creates is readable by its owner only (mode 0600 on Unix):
    /// the log decrypts every connection it records.
    pub fn new() -> Self {
        let Some(path) = std::env::var_os("SSLKEYLOGFILE") else {
            return Self {
                file: None,
                open_error: None,
            };
        };
        let mut options = OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(path) {
            Ok(file) => Self {
                file: Some(Mutex::new(file)),
                open_error: None,
            },
            Err(err) => Self {
                file: None,
                open_error: Some(err),
            },
        }
    }

    /// Why the file `SSLKEYLOGFILE` names could not be opened, if it is
    /// set and could not be: nothing is logged then.
    pub fn open_error(&self) -> Option<&io::Error> {
        self.open_error.as_ref()
    }
}

impl Default for KeyLogFile {
    fn default() -> Self {
        Self::new()
    }
}

impl KeyLog for KeyLogFile {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let Some(file) = &self.file else {
            return;
        };
        let mut line =
            String::with_capacity(label.len() + 2 + 2 * (client_random.len() + secret.len()) + 1);
        line.push_str(label);
        line.push(' ');
        push_hex(&mut line, client_random);
        line.push(' ');
        push_hex(&mut line, secret);
        line.push('\n');
        // One write per line, under the lock, so lines from connections on
        // several threads never interleave. A failed write is dropped: key
        // logging must never break a connection.
        if let Ok(mut file) = file.lock() {
            let _ = file.write_all(line.as_bytes());
        }
    }
}

impl fmt::Debug for KeyLogFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyLogFile")
            .field("open", &self.file.is_some())
            .finish()
    }
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
}
