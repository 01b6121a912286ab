//! `io::Read` and `io::Write` over a connection's plaintext, and
//! `complete_io`, the one place this layer touches a transport.

use std::io;

use super::ClientConnection;
use crate::error::Error;

/// Reads received plaintext; see [`ClientConnection::reader`].
///
/// `read` returns data while any is buffered; then `Ok(0)` once the server
/// has sent close_notify, `UnexpectedEof` if the transport ended without
/// it (the data may have been truncated), and `WouldBlock` otherwise.
pub struct Reader<'a> {
    pub(super) conn: &'a mut ClientConnection,
}

impl Reader<'_> {
    /// What a read that found no plaintext returns: end of data after
    /// close_notify, else an error saying why there is none.
    fn nothing_buffered(&self) -> io::Result<()> {
        if self.conn.common.received_close_notify {
            return Ok(());
        }
        if self.conn.seen_eof {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "peer closed the connection without sending close_notify",
            ));
        }
        Err(io::ErrorKind::WouldBlock.into())
    }
}

impl io::Read for Reader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let n = self.conn.deframer.read_plaintext(buf);
        if n > 0 {
            return Ok(n);
        }
        self.nothing_buffered().map(|()| 0)
    }
}

/// Reads received plaintext where it was decrypted, without copying it out:
/// `fill_buf` gives the next run of it (at most 2^14 bytes, possibly from
/// several records), `consume` marks some as read. Empty only at the end of
/// data; with nothing buffered yet it fails like `read` (`WouldBlock`,
/// `UnexpectedEof`).
impl io::BufRead for Reader<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.conn.deframer.plaintext_len() == 0 {
            self.nothing_buffered()?;
        }
        Ok(self.conn.deframer.peek_plaintext())
    }

    fn consume(&mut self, amt: usize) {
        self.conn.deframer.consume_plaintext(amt);
    }
}

/// Writes plaintext to send; see [`ClientConnection::writer`].
pub struct Writer<'a> {
    pub(super) conn: &'a mut ClientConnection,
}

impl io::Write for Writer<'_> {
    /// Takes as much of `buf` as the buffer limit allows. After the
    /// connection has failed or we sent close_notify, writing is an error.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(err) = &self.conn.error {
            return Err(io::Error::new(io::ErrorKind::InvalidData, err.clone()));
        }
        if self.conn.common.sent_close_notify {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "cannot write after send_close_notify",
            ));
        }
        self.conn
            .common
            .write_plaintext(buf)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    /// Plaintext is turned into records as it is written, so there is
    /// nothing to flush here; `write_tls` sends the records.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// See [`ClientConnection::complete_io`].
///
/// While handshaking, loops until the handshake is done (or fails). After
/// it, does one round: writes everything queued and, if nothing was
/// written, reads and processes once.
pub(super) fn complete_io<T: io::Read + io::Write>(
    conn: &mut ClientConnection,
    io: &mut T,
) -> io::Result<(usize, usize)> {
    let until_handshaked = conn.is_handshaking();
    let mut eof = false;
    let (mut read, mut written) = (0, 0);
    loop {
        written += write_all_tls(conn, io)?;
        io.flush()?;
        // Done: the handshake is over and our last flight is on its way (a
        // server that waits for us to speak first would never wake a read).
        if until_handshaked && !conn.is_handshaking() {
            return Ok((read, written));
        }
        if !until_handshaked && written > 0 {
            return Ok((read, written));
        }

        if !eof && conn.wants_read() {
            loop {
                match conn.read_tls(io) {
                    Ok(0) => eof = true,
                    Ok(n) => read += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
                break;
            }
        }

        if let Err(err) = conn.process_new_packets() {
            // Flush the alert the error queued; the error is what matters.
            let _ = write_all_tls(conn, io);
            let _ = io.flush();
            let kind = match err {
                Error::UnexpectedEof => io::ErrorKind::UnexpectedEof,
                _ => io::ErrorKind::InvalidData,
            };
            return Err(io::Error::new(kind, err));
        }

        if !until_handshaked {
            return Ok((read, written));
        }
        // Still handshaking, or just finished with our last flight queued:
        // the top of the loop sends it and returns. (An end of stream
        // mid-handshake failed `process_new_packets` above.)
    }
}

/// Writes all the queued TLS data to `io`. A transport that takes none of
/// it is an error (`WriteZero`) rather than a reason to try forever; an
/// interrupted write is tried again, as an interrupted read is.
fn write_all_tls(conn: &mut ClientConnection, io: &mut impl io::Write) -> io::Result<usize> {
    let mut written = 0;
    while conn.wants_write() {
        match conn.write_tls(io) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "the transport took none of the TLS data",
                ))
            }
            Ok(n) => written += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(written)
}
