//! The TLS 1.3 key schedule (RFC 8446 §7).
//!
//! ```text
//!              0
//!              |
//!    PSK ->  HKDF-Extract = Early Secret        EarlySecret
//!              +-> binder_key, client_early_traffic_secret,
//!              |   early_exporter_master_secret
//!        Derive-Secret(., "derived", "")
//!              |
//! (EC)DHE -> HKDF-Extract = Handshake Secret    HandshakeSecret
//!              +-> client/server_handshake_traffic_secret
//!        Derive-Secret(., "derived", "")
//!              |
//!    0 -> HKDF-Extract = Master Secret          MasterSecret
//!              +-> client/server_application_traffic_secret_0,
//!                  exporter_master_secret, resumption_master_secret
//! ```
//!
//! Each stage is a type that moves into the next by value, so a stage's
//! secret is wiped as soon as the handshake moves past it. The secrets the
//! stages hand out are [`Secret`]s, which know their hash and derive what
//! hangs off a traffic secret: traffic keys (§7.3), the Finished key
//! (§4.4.4) and the next generation for KeyUpdate (§7.2).

use core::fmt;
use std::sync::OnceLock;

use super::aead::{AeadAlgorithm, AeadKey, NONCE_LEN};
use super::hash::{HashAlgorithm, HashOutput};
use super::hkdf;
use super::kx::SharedSecret;
use super::secret::{constant_time_eq, SecretBytes};
use crate::error::Error;

/// One secret of the key schedule: `Hash.length` bytes, with the hash they
/// go with. Wiped on drop; `Debug` shows only the hash.
#[derive(Clone)]
pub struct Secret {
    hash: HashAlgorithm,
    bytes: SecretBytes,
}

impl Secret {
    /// A secret from its bytes (a stored resumption PSK, say), which must be
    /// `hash.output_len()` long.
    pub fn from_bytes(hash: HashAlgorithm, bytes: &[u8]) -> Option<Self> {
        if bytes.len() != hash.output_len() {
            return None;
        }
        Some(Self {
            hash,
            bytes: SecretBytes::from_slice(bytes)?,
        })
    }

    pub fn hash_algorithm(&self) -> HashAlgorithm {
        self.hash
    }

    /// The secret's bytes, for key logging and
    /// `dangerous_extract_secrets`.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.as_bytes()
    }

    /// Derive-Secret(self, label, Messages), given Transcript-Hash(Messages).
    fn derive(&self, label: &[u8], transcript_hash: &HashOutput) -> Secret {
        self.expand(label, transcript_hash.as_bytes())
    }

    /// HKDF-Expand-Label(self, label, context, Hash.length).
    fn expand(&self, label: &[u8], context: &[u8]) -> Secret {
        Secret {
            hash: self.hash,
            bytes: hkdf::expand_label_secret(self.hash, self.as_bytes(), label, context),
        }
    }

    /// Derive-Secret(self, "derived", ""): the salt of the next extraction.
    fn derived_salt(&self) -> Secret {
        self.derive(b"derived", &self.hash.empty_hash())
    }

    /// RFC 8446 §4.4.4: finished_key =
    /// HKDF-Expand-Label(BaseKey, "finished", "", Hash.length).
    pub fn finished_key(&self) -> Secret {
        self.expand(b"finished", &[])
    }

    /// RFC 8446 §4.4.4: verify_data = HMAC(finished_key, transcript_hash),
    /// with this secret as the BaseKey. For the server's Finished the
    /// BaseKey is the server handshake traffic secret and the transcript
    /// runs through CertificateVerify; for ours, the client handshake
    /// traffic secret and through the server's Finished.
    pub fn finished_verify_data(&self, transcript_hash: &HashOutput) -> HashOutput {
        let finished_key = FinishedKey {
            hash: self.hash,
            key: self.finished_key().bytes,
        };
        finished_key.verify_data(transcript_hash)
    }

    /// RFC 8446 §7.2: application_traffic_secret_N+1 =
    /// HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "",
    /// Hash.length).
    pub fn next_traffic_secret(&self) -> Secret {
        self.expand(b"traffic upd", &[])
    }

    /// RFC 8446 §7.3: the key and IV of one direction, from this traffic
    /// secret.
    pub fn traffic_keys(&self, aead: AeadAlgorithm) -> TrafficKeys {
        traffic_keys_from(&hkdf::Prk::new(self.hash, self.as_bytes()), aead)
    }

    /// A handshake traffic secret's record keys (RFC 8446 §7.3) and its
    /// finished_key (§4.4.4), expanded from the secret keyed for HMAC once
    /// rather than once for each.
    pub fn handshake_traffic_keys(&self, aead: AeadAlgorithm) -> (TrafficKeys, FinishedKey) {
        let prk = hkdf::Prk::new(self.hash, self.as_bytes());
        let finished_key = FinishedKey {
            hash: self.hash,
            key: prk.expand_label_secret(b"finished", &[]),
        };
        (traffic_keys_from(&prk, aead), finished_key)
    }
}

/// The key and IV expanded from a keyed traffic secret.
fn traffic_keys_from(prk: &hkdf::Prk, aead: AeadAlgorithm) -> TrafficKeys {
    let mut key = SecretBytes::zeroed(aead.key_len());
    let mut iv = [0u8; NONCE_LEN];
    // The lengths are the AEAD's (at most 32) and the labels ours, so
    // neither expansion can fail.
    let key_ok = prk.expand_label(b"key", &[], key.as_mut_bytes());
    let iv_ok = prk.expand_label(b"iv", &[], &mut iv);
    if key_ok.is_err() || iv_ok.is_err() {
        key = SecretBytes::zeroed(0);
    }
    TrafficKeys { aead, key, iv }
}

/// RFC 8446 §4.4.4: a finished_key, which MACs the transcript into a
/// Finished message's verify_data. Wiped on drop.
pub struct FinishedKey {
    hash: HashAlgorithm,
    key: SecretBytes,
}

impl FinishedKey {
    /// verify_data = HMAC(finished_key, transcript_hash).
    pub fn verify_data(&self, transcript_hash: &HashOutput) -> HashOutput {
        let mac = self
            .hash
            .hmac(self.key.as_bytes(), &[transcript_hash.as_bytes()]);
        HashOutput::from_secret(&mac)
    }

    /// Checks a received Finished in constant time.
    pub fn verify(&self, transcript_hash: &HashOutput, received: &[u8]) -> bool {
        constant_time_eq(self.verify_data(transcript_hash).as_bytes(), received)
    }
}

impl fmt::Debug for FinishedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FinishedKey({:?})", self.hash)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({:?})", self.hash)
    }
}

/// The AEAD key and IV of one direction (RFC 8446 §7.3):
///
/// ```text
/// [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
/// [sender]_write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length)
/// ```
pub struct TrafficKeys {
    aead: AeadAlgorithm,
    key: SecretBytes,
    iv: [u8; NONCE_LEN],
}

impl TrafficKeys {
    pub fn aead(&self) -> AeadAlgorithm {
        self.aead
    }

    /// The key ready for the record layer.
    pub fn aead_key(&self) -> Result<AeadKey, Error> {
        AeadKey::new(self.aead, self.key.as_bytes())
    }

    /// The per-record nonce is this IV XORed with the padded sequence
    /// number (RFC 8446 §5.3).
    pub fn iv(&self) -> [u8; NONCE_LEN] {
        self.iv
    }

    /// The raw key, for `dangerous_extract_secrets`.
    pub fn key_bytes(&self) -> &[u8] {
        self.key.as_bytes()
    }
}

impl Drop for TrafficKeys {
    fn drop(&mut self) {
        super::secret::wipe(&mut self.iv);
    }
}

impl fmt::Debug for TrafficKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrafficKeys")
            .field("aead", &self.aead)
            .finish_non_exhaustive()
    }
}

/// Which binder label a PSK uses (RFC 8446 §7.1): "res binder" for a
/// ticket from an earlier connection, "ext binder" for one provisioned
/// outside TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PskKind {
    Resumption,
    External,
}

/// The Early Secret: HKDF-Extract(0, PSK), or of `Hash.length` zeros when
/// there is no PSK.
pub struct EarlySecret {
    secret: Secret,
    /// Without a PSK the Early Secret and the salt derived from it are
    /// constants of the hash (RFC 8448 §3 shows SHA-256's), worked out
    /// once per process instead of in every full handshake.
    no_psk: Option<&'static NoPskSchedule>,
    /// With a PSK, the secret keyed once for the values expanded from it
    /// (the binder key, the early traffic and exporter secrets, the salt).
    prk: Option<hkdf::Prk>,
}

/// The start of every key schedule without a PSK: public constants.
struct NoPskSchedule {
    early: SecretBytes,
    derived_salt: SecretBytes,
}

impl NoPskSchedule {
    fn of(hash: HashAlgorithm) -> &'static Self {
        static SHA256: OnceLock<NoPskSchedule> = OnceLock::new();
        static SHA384: OnceLock<NoPskSchedule> = OnceLock::new();
        let cell = match hash {
            HashAlgorithm::Sha256 => &SHA256,
            HashAlgorithm::Sha384 => &SHA384,
        };
        cell.get_or_init(|| {
            let early = EarlySecret::extract(hash, None);
            NoPskSchedule {
                derived_salt: early.secret.derived_salt().bytes,
                early: early.secret.bytes,
            }
        })
    }
}

impl EarlySecret {
    /// Starts the schedule with `psk`, or with no PSK (a full handshake).
    pub fn new(hash: HashAlgorithm, psk: Option<&[u8]>) -> Self {
        match psk {
            Some(_) => Self::extract(hash, psk),
            None => {
                let constants = NoPskSchedule::of(hash);
                Self {
                    secret: Secret {
                        hash,
                        bytes: constants.early.clone(),
                    },
                    no_psk: Some(constants),
                    prk: None,
                }
            }
        }
    }

    /// HKDF-Extract(0, PSK or zeros), computed.
    fn extract(hash: HashAlgorithm, psk: Option<&[u8]>) -> Self {
        let zeros = SecretBytes::zeroed(hash.output_len());
        let ikm = psk.unwrap_or(zeros.as_bytes());
        let bytes = hkdf::extract(hash, zeros.as_bytes(), ikm);
        Self {
            prk: Some(hkdf::Prk::new(hash, bytes.as_bytes())),
            secret: Secret { hash, bytes },
            no_psk: None,
        }
    }

    /// Derive-Secret(Early Secret, label, transcript hash), with the
    /// secret keyed once.
    fn derive(&self, label: &[u8], transcript_hash: &HashOutput) -> Secret {
        match &self.prk {
            Some(prk) => derive_with(prk, self.secret.hash, label, transcript_hash),
            None => self.secret.derive(label, transcript_hash),
        }
    }

    /// The Early Secret itself.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// binder_key = Derive-Secret(Early Secret, "ext binder" | "res binder",
    /// "").
    pub fn binder_key(&self, kind: PskKind) -> Secret {
        let label: &[u8] = match kind {
            PskKind::Resumption => b"res binder",
            PskKind::External => b"ext binder",
        };
        self.derive(label, &self.secret.hash.empty_hash())
    }

    /// RFC 8446 §4.2.11.2: a PSK binder is a Finished computed with the
    /// binder key as BaseKey, over the transcript hash through the
    /// ClientHello truncated before the binders list
    /// ([`super::hash::TranscriptBuffer::hash_with`]).
    pub fn psk_binder(&self, kind: PskKind, truncated_transcript_hash: &HashOutput) -> HashOutput {
        self.binder_key(kind)
            .finished_verify_data(truncated_transcript_hash)
    }

    /// client_early_traffic_secret = Derive-Secret(., "c e traffic",
    /// ClientHello).
    pub fn client_early_traffic_secret(&self, client_hello_hash: &HashOutput) -> Secret {
        self.derive(b"c e traffic", client_hello_hash)
    }

    /// early_exporter_master_secret = Derive-Secret(., "e exp master",
    /// ClientHello).
    pub fn early_exporter_master_secret(&self, client_hello_hash: &HashOutput) -> Secret {
        self.derive(b"e exp master", client_hello_hash)
    }

    /// The Handshake Secret: HKDF-Extract(Derive-Secret(., "derived", ""),
    /// (EC)DHE), with `Hash.length` zeros in place of the (EC)DHE secret
    /// for a psk_ke handshake. Consumes both.
    pub fn into_handshake_secret(self, ecdhe: Option<SharedSecret>) -> HandshakeSecret {
        let hash = self.secret.hash;
        let zeros = SecretBytes::zeroed(hash.output_len());
        let ikm = ecdhe.as_ref().map_or(zeros.as_bytes(), |s| s.as_bytes());
        let salt = match self.no_psk {
            Some(constants) => Secret {
                hash,
                bytes: constants.derived_salt.clone(),
            },
            None => self.derive(b"derived", &hash.empty_hash()),
        };
        let secret = Secret {
            hash,
            bytes: hkdf::extract(hash, salt.as_bytes(), ikm),
        };
        HandshakeSecret {
            prk: hkdf::Prk::new(hash, secret.as_bytes()),
            secret,
        }
    }
}

impl fmt::Debug for EarlySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("EarlySecret").field(&self.secret).finish()
    }
}

/// The Handshake Secret, keyed once for the three values expanded from it.
pub struct HandshakeSecret {
    secret: Secret,
    prk: hkdf::Prk,
}

impl HandshakeSecret {
    /// The Handshake Secret itself.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// client_handshake_traffic_secret = Derive-Secret(., "c hs traffic",
    /// ClientHello...ServerHello).
    pub fn client_handshake_traffic_secret(&self, hello_hash: &HashOutput) -> Secret {
        derive_with(&self.prk, self.secret.hash, b"c hs traffic", hello_hash)
    }

    /// server_handshake_traffic_secret = Derive-Secret(., "s hs traffic",
    /// ClientHello...ServerHello).
    pub fn server_handshake_traffic_secret(&self, hello_hash: &HashOutput) -> Secret {
        derive_with(&self.prk, self.secret.hash, b"s hs traffic", hello_hash)
    }

    /// The Master Secret: HKDF-Extract(Derive-Secret(., "derived", ""),
    /// 0).
    pub fn into_master_secret(self) -> MasterSecret {
        let hash = self.secret.hash;
        let zeros = SecretBytes::zeroed(hash.output_len());
        let salt = derive_with(&self.prk, hash, b"derived", &hash.empty_hash());
        let secret = Secret {
            hash,
            bytes: hkdf::extract(hash, salt.as_bytes(), zeros.as_bytes()),
        };
        MasterSecret {
            prk: hkdf::Prk::new(hash, secret.as_bytes()),
            secret,
        }
    }
}

impl fmt::Debug for HandshakeSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("HandshakeSecret")
            .field(&self.secret)
            .finish()
    }
}

/// The Master Secret, keyed once for the four values expanded from it.
pub struct MasterSecret {
    secret: Secret,
    prk: hkdf::Prk,
}

impl MasterSecret {
    /// The Master Secret itself.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// client_application_traffic_secret_0 = Derive-Secret(., "c ap
    /// traffic", ClientHello...server Finished).
    pub fn client_application_traffic_secret(&self, server_finished_hash: &HashOutput) -> Secret {
        derive_with(
            &self.prk,
            self.secret.hash,
            b"c ap traffic",
            server_finished_hash,
        )
    }

    /// server_application_traffic_secret_0 = Derive-Secret(., "s ap
    /// traffic", ClientHello...server Finished).
    pub fn server_application_traffic_secret(&self, server_finished_hash: &HashOutput) -> Secret {
        derive_with(
            &self.prk,
            self.secret.hash,
            b"s ap traffic",
            server_finished_hash,
        )
    }

    /// exporter_master_secret = Derive-Secret(., "exp master",
    /// ClientHello...server Finished).
    pub fn exporter_master_secret(&self, server_finished_hash: &HashOutput) -> Secret {
        derive_with(
            &self.prk,
            self.secret.hash,
            b"exp master",
            server_finished_hash,
        )
    }

    /// resumption_master_secret = Derive-Secret(., "res master",
    /// ClientHello...client Finished).
    pub fn resumption_master_secret(&self, client_finished_hash: &HashOutput) -> Secret {
        derive_with(
            &self.prk,
            self.secret.hash,
            b"res master",
            client_finished_hash,
        )
    }
}

impl fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MasterSecret").field(&self.secret).finish()
    }
}

/// Derive-Secret with an already keyed PRK.
fn derive_with(
    prk: &hkdf::Prk,
    hash: HashAlgorithm,
    label: &[u8],
    transcript_hash: &HashOutput,
) -> Secret {
    Secret {
        hash,
        bytes: prk.expand_label_secret(label, transcript_hash.as_bytes()),
    }
}

/// RFC 8446 §4.6.1: the PSK of a ticket =
/// HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce,
/// Hash.length).
///
/// The nonce comes from the server; it is at most 255 bytes by the syntax
/// of NewSessionTicket, and anything longer is refused here as well.
pub fn resumption_psk(
    resumption_master_secret: &Secret,
    ticket_nonce: &[u8],
) -> Result<Secret, Error> {
    if ticket_nonce.len() > 255 {
        return Err(Error::General("ticket nonce is too long".into()));
    }
    Ok(resumption_master_secret.expand(b"resumption", ticket_nonce))
}

/// RFC 8446 §7.5: fills `out` with
///
/// ```text
/// TLS-Exporter(label, context_value, key_length) =
///     HKDF-Expand-Label(Derive-Secret(Secret, label, ""),
///                       "exporter", Hash(context_value), key_length)
/// ```
///
/// where `exporter_secret` is the exporter_master_secret (or the
/// early_exporter_master_secret). No context and an empty context give the
/// same value in TLS 1.3. Fails if `label` is longer than 249 bytes (it
/// must fit in an HkdfLabel after "tls13 ") or `out` longer than HKDF
/// can produce.
pub fn export(
    exporter_secret: &Secret,
    label: &[u8],
    context: Option<&[u8]>,
    out: &mut [u8],
) -> Result<(), Error> {
    let hash = exporter_secret.hash;
    let mut per_label = SecretBytes::zeroed(hash.output_len());
    hkdf::expand_label(
        hash,
        exporter_secret.as_bytes(),
        label,
        hash.hash(&[]).as_bytes(),
        per_label.as_mut_bytes(),
    )?;
    let context_hash = hash.hash(context.unwrap_or(&[]));
    hkdf::expand_label(
        hash,
        per_label.as_bytes(),
        b"exporter",
        context_hash.as_bytes(),
        out,
    )
}

#[cfg(test)]
mod tests;
