//! Writing 0-RTT data (RFC 8446 §2.3): [`EarlyData`], from
//! [`ClientConnection::early_data`](super::ClientConnection::early_data).

use std::io;

use super::common::{CommonState, EarlyDataState};

/// Writes 0-RTT data: application data sent with the ClientHello, under
/// keys from a resumed session, before the server has answered.
///
/// Early data is not forward secret and an attacker can replay it to the
/// server (RFC 8446 §8): send only requests that are safe to repeat.
///
/// Whether the server read it is known once the handshake completes:
/// [`ClientConnection::is_early_data_accepted`](super::ClientConnection::is_early_data_accepted).
/// If it was not, the server discarded it, and the caller must send the
/// same data again through [`ClientConnection::writer`](super::ClientConnection::writer)
/// (oxtls does not resend it, as rustls does not: the application may want
/// to send something else over a full handshake).
pub struct EarlyData<'a> {
    pub(super) common: &'a mut CommonState,
}

impl EarlyData<'_> {
    /// How many more bytes the server's ticket allows
    /// (its max_early_data_size less what was written).
    pub fn bytes_left(&self) -> usize {
        match self.common.early_data {
            EarlyDataState::Writable { left } => left,
            _ => 0,
        }
    }
}

impl io::Write for EarlyData<'_> {
    /// Sends as much of `buf` as the ticket allows; `Ok(0)` once the limit
    /// is reached.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.common.write_early_data(buf).map_err(io::Error::other)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
