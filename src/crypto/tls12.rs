//! TLS 1.2 key derivation: the PRF (RFC 5246 §5), the master secret
//! (§8.1) and its extended form (RFC 7627), the key block (§6.3),
//! Finished (§7.4.9) and the exporter (RFC 5705).

use core::fmt;

use super::aead::{AeadKey, NONCE_LEN};
use super::hash::{hmac_parts, HashAlgorithm, HashOutput};
use super::kx::SharedSecret;
use super::secret::{constant_time_eq, SecretBytes};
use super::suites::Tls12CipherSuite;
use crate::error::Error;

/// RFC 5246 §8.1: the master secret is always 48 bytes.
pub const MASTER_SECRET_LEN: usize = 48;

/// RFC 5246 §7.4.9: verify_data is 12 bytes for every suite we implement.
pub const VERIFY_DATA_LEN: usize = 12;

/// The most key block any of our suites needs: two 32-byte keys and two
/// 12-byte IVs (ChaCha20-Poly1305).
const MAX_KEY_BLOCK_LEN: usize = 2 * 32 + 2 * NONCE_LEN;

/// RFC 5246 §5:
///
/// ```text
/// PRF(secret, label, seed) = P_<hash>(secret, label + seed)
/// P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
///                        HMAC_hash(secret, A(2) + seed) + ...
/// A(0) = seed, A(i) = HMAC_hash(secret, A(i-1))
/// ```
///
/// The seed is given in parts (client and server randoms, say) so callers
/// need not concatenate them.
pub fn prf(hash: HashAlgorithm, secret: &[u8], label: &[u8], seed: &[&[u8]], out: &mut [u8]) {
    let key = hash.hmac_key(secret);
    // HMAC(secret, prefix + label + seed), the parts fed one by one: no
    // list of them to allocate.
    let mac = |prefix: &[u8]| {
        hmac_parts(
            &key,
            [prefix, label].into_iter().chain(seed.iter().copied()),
        )
    };
    let mut a = mac(&[]);
    let mut chunks = out.chunks_mut(hash.output_len()).peekable();
    while let Some(chunk) = chunks.next() {
        let block = mac(a.as_bytes());
        chunk.copy_from_slice(&block.as_bytes()[..chunk.len()]);
        // A(i+1) only if another block follows.
        if chunks.peek().is_some() {
            a = hmac_parts(&key, [a.as_bytes()]);
        }
    }
}

/// The 48-byte master secret of a TLS 1.2 session, with the PRF hash of its
/// suite. Wiped on drop; `Debug` shows only the hash. A clone is a second
/// copy, wiped on its own drop (a stored TLS 1.2 session hands out one per
/// resumption).
#[derive(Clone)]
pub struct MasterSecret {
    hash: HashAlgorithm,
    bytes: SecretBytes,
}

impl MasterSecret {
    /// RFC 5246 §8.1: master_secret = PRF(pre_master_secret, "master
    /// secret", ClientHello.random + ServerHello.random)[0..47].
    /// Consumes the pre-master secret.
    pub fn new(
        hash: HashAlgorithm,
        pre_master_secret: SharedSecret,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> Self {
        Self::derive(
            hash,
            pre_master_secret.as_bytes(),
            b"master secret",
            &[client_random, server_random],
        )
    }

    /// RFC 7627 §4: master_secret = PRF(pre_master_secret, "extended
    /// master secret", session_hash)[0..47], where session_hash is the
    /// transcript hash through ClientKeyExchange. Consumes the pre-master
    /// secret.
    pub fn new_extended(
        hash: HashAlgorithm,
        pre_master_secret: SharedSecret,
        session_hash: &HashOutput,
    ) -> Self {
        Self::derive(
            hash,
            pre_master_secret.as_bytes(),
            b"extended master secret",
            &[session_hash.as_bytes()],
        )
    }

    fn derive(hash: HashAlgorithm, pre_master_secret: &[u8], label: &[u8], seed: &[&[u8]]) -> Self {
        let mut bytes = SecretBytes::zeroed(MASTER_SECRET_LEN);
        prf(hash, pre_master_secret, label, seed, bytes.as_mut_bytes());
        Self { hash, bytes }
    }

    /// A master secret from a stored session, to resume it: 48 bytes.
    pub fn from_bytes(hash: HashAlgorithm, bytes: &[u8]) -> Option<Self> {
        if bytes.len() != MASTER_SECRET_LEN {
            return None;
        }
        Some(Self {
            hash,
            bytes: SecretBytes::from_slice(bytes)?,
        })
    }

    /// The bytes, for key logging, session storage and
    /// `dangerous_extract_secrets`.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.as_bytes()
    }

    pub fn hash_algorithm(&self) -> HashAlgorithm {
        self.hash
    }

    /// RFC 5246 §6.3: key_block = PRF(master_secret, "key expansion",
    /// server_random + client_random), cut into the suite's keys and IVs.
    pub fn key_block(
        &self,
        suite: &'static Tls12CipherSuite,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> KeyBlock {
        let mut bytes = [0u8; MAX_KEY_BLOCK_LEN];
        let len = suite.key_block_len().min(MAX_KEY_BLOCK_LEN);
        prf(
            self.hash,
            self.as_bytes(),
            b"key expansion",
            &[server_random, client_random],
            &mut bytes[..len],
        );
        KeyBlock { suite, bytes }
    }

    /// RFC 5246 §7.4.9: the client's verify_data = PRF(master_secret,
    /// "client finished", Hash(handshake_messages))[0..11].
    pub fn client_finished(&self, handshake_hash: &HashOutput) -> [u8; VERIFY_DATA_LEN] {
        self.finished(b"client finished", handshake_hash)
    }

    /// The server's verify_data, with label "server finished".
    pub fn server_finished(&self, handshake_hash: &HashOutput) -> [u8; VERIFY_DATA_LEN] {
        self.finished(b"server finished", handshake_hash)
    }

    /// Checks the server's Finished in constant time.
    pub fn verify_server_finished(&self, handshake_hash: &HashOutput, received: &[u8]) -> bool {
        constant_time_eq(&self.server_finished(handshake_hash), received)
    }

    fn finished(&self, label: &[u8], handshake_hash: &HashOutput) -> [u8; VERIFY_DATA_LEN] {
        let mut out = [0u8; VERIFY_DATA_LEN];
        prf(
            self.hash,
            self.as_bytes(),
            label,
            &[handshake_hash.as_bytes()],
            &mut out,
        );
        out
    }

    /// RFC 5705 §4: fills `out` with PRF(master_secret, label,
    /// client_random + server_random [+ context_value_length +
    /// context_value]).
    ///
    /// Unlike TLS 1.3, no context and an empty context differ here. Fails
    /// if the context is longer than its uint16 length allows.
    pub fn export(
        &self,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), Error> {
        match context {
            None => prf(
                self.hash,
                self.as_bytes(),
                label,
                &[client_random, server_random],
                out,
            ),
            Some(context) => {
                let len = u16::try_from(context.len())
                    .map_err(|_| Error::General("exporter context is too long".into()))?
                    .to_be_bytes();
                prf(
                    self.hash,
                    self.as_bytes(),
                    label,
                    &[client_random, server_random, &len, context],
                    out,
                );
            }
        }
        Ok(())
    }
}

impl fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterSecret({:?})", self.hash)
    }
}

/// The key block of a connection (RFC 5246 §6.3): for our AEAD suites,
/// `client_write_key`, `server_write_key`, `client_write_IV`,
/// `server_write_IV` in that order (the MAC keys are empty). Wiped on drop.
pub struct KeyBlock {
    suite: &'static Tls12CipherSuite,
    bytes: [u8; MAX_KEY_BLOCK_LEN],
}

impl KeyBlock {
    fn key_len(&self) -> usize {
        self.suite.aead.key_len()
    }

    fn part(&self, start: usize, len: usize) -> &[u8] {
        self.bytes.get(start..start + len).unwrap_or(&[])
    }

    pub fn client_write_key(&self) -> &[u8] {
        self.part(0, self.key_len())
    }

    pub fn server_write_key(&self) -> &[u8] {
        self.part(self.key_len(), self.key_len())
    }

    /// The client's fixed IV: the 4-byte salt of AES-GCM (RFC 5288 §3) or
    /// the 12-byte nonce mask of ChaCha20-Poly1305 (RFC 7905 §2).
    pub fn client_write_iv(&self) -> &[u8] {
        self.part(2 * self.key_len(), self.suite.fixed_iv_len)
    }

    /// The server's fixed IV, as [`Self::client_write_iv`].
    pub fn server_write_iv(&self) -> &[u8] {
        self.part(
            2 * self.key_len() + self.suite.fixed_iv_len,
            self.suite.fixed_iv_len,
        )
    }

    /// The key that protects what we send.
    pub fn client_aead_key(&self) -> Result<AeadKey, Error> {
        AeadKey::new(self.suite.aead, self.client_write_key())
    }

    /// The key that opens what the server sends.
    pub fn server_aead_key(&self) -> Result<AeadKey, Error> {
        AeadKey::new(self.suite.aead, self.server_write_key())
    }
}

impl Drop for KeyBlock {
    fn drop(&mut self) {
        super::secret::wipe(&mut self.bytes);
    }
}

impl fmt::Debug for KeyBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyBlock")
            .field("suite", &self.suite)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
