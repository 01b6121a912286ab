//! `server_bytes`: a fresh client (TLS 1.3 and 1.2, the verifier accepting
//! anything) is handed arbitrary bytes as the server's. Without keys the
//! fuzzer reaches the record layer, the plaintext handshake (ServerHello,
//! HelloRetryRequest, and all of TLS 1.2's first flight up to
//! ServerHelloDone) and the failures of decryption after it.
//!
//! Input: [options] [chunk size: u16] [actions] then the server's bytes.
//! The bytes are given in reads of the chunk size (0: all at once); after
//! each read the client processes them and, as `actions` says, writes
//! out what it queued and reads its plaintext.

use std::io::Read;

use super::common;
use super::input::Input;

pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let options = input.u8();
    let chunk = input.u16() as usize;
    let actions = input.u8();
    let server_bytes = input.bytes(data.len());

    let config = common::config(options, None);
    let mut conn = common::connect(&config);
    common::drain(&mut conn);

    let chunk = if chunk == 0 {
        server_bytes.len().max(1)
    } else {
        chunk
    };
    for (i, piece) in server_bytes.chunks(chunk).enumerate() {
        let mut rd: &[u8] = piece;
        while !rd.is_empty() {
            match conn.read_tls(&mut rd) {
                Ok(0) => return,
                Ok(_) => {}
                Err(_) => {
                    common::read_plaintext(&mut conn);
                    if conn.read_tls(&mut rd).is_err() {
                        return;
                    }
                }
            }
            // Bit 0: sometimes leave records unprocessed until later reads.
            if actions & 1 != 0 && i % 3 == 1 {
                continue;
            }
            if let Err(err) = conn.process_new_packets() {
                common::check_alert_sent(&err, &common::drain(&mut conn));
                return;
            }
            if actions & 2 == 0 {
                common::drain(&mut conn);
            }
            if actions & 4 == 0 {
                let mut buf = [0u8; 100];
                let _ = conn.reader().read(&mut buf);
            }
        }
    }
    // Bit 3: the transport then ends.
    if actions & 8 != 0 {
        let _ = conn.read_tls(&mut &[][..]);
    }
    if let Err(err) = conn.process_new_packets() {
        common::check_alert_sent(&err, &common::drain(&mut conn));
        return;
    }
    common::drain(&mut conn);
    common::read_plaintext(&mut conn);
}
