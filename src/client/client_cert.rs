//! The client's certificate and key (mutual TLS), and our answer when a
//! server asks for a certificate: Certificate and CertificateVerify in
//! TLS 1.3 (RFC 8446 §4.3.2, §4.4.2, §4.4.3) and TLS 1.2 (RFC 5246
//! §7.4.4, §7.4.6, §7.4.8). The handshakes (tls13.rs, tls12.rs) call these
//! at the right point of their flights.

use std::fmt;

use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::ClientConfig;
use crate::conn::CommonState;
use crate::crypto::hash::Transcript;
use crate::crypto::sign::SigningKey;
use crate::error::Error;
use crate::log::LogLevel;
use crate::msgs::enums::{ClientCertificateType, ProtocolVersion, SignatureScheme};
use crate::msgs::handshake::{DigitallySigned, HandshakeMessage, HandshakePayload};
use crate::msgs::tls12::{Certificate12, CertificateRequest12};
use crate::msgs::tls13::{Certificate13, CertificateEntry};
use crate::verify::certificate_public_key_info;
use crate::verify::signature::tls13_client_verify_message;

/// A certificate chain and the private key of its end-entity certificate.
pub struct ClientCertKey {
    chain: Vec<CertificateDer<'static>>,
    key: SigningKey,
}

impl ClientCertKey {
    /// Pairs `chain` (end-entity first) with `key`, checking that the key
    /// is the one the end-entity certificate certifies: a mismatch would
    /// otherwise surface only as a server rejecting our signature.
    pub fn new(
        chain: Vec<CertificateDer<'static>>,
        key: &PrivateKeyDer<'_>,
    ) -> Result<Self, Error> {
        let end_entity = chain
            .first()
            .ok_or(Error::InvalidConfig("client certificate chain is empty"))?;
        let key = SigningKey::from_der(key)?;
        if certificate_public_key_info(end_entity)? != key.subject_public_key_info() {
            return Err(Error::InvalidConfig(
                "client private key does not match the certificate's public key",
            ));
        }
        Ok(Self { chain, key })
    }

    /// The chain we send, end-entity first.
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }

    pub(crate) fn key(&self) -> &SigningKey {
        &self.key
    }

    /// The scheme to sign a TLS 1.3 CertificateVerify with, if the server
    /// listed one our key can make (RFC 8446 §4.4.3).
    pub(crate) fn tls13_scheme(&self, offered: &[SignatureScheme]) -> Option<SignatureScheme> {
        self.key.choose_scheme(offered, ProtocolVersion::TLSv1_3)
    }

    /// The scheme for a TLS 1.2 CertificateVerify, if the server accepts
    /// our certificate's type and listed a scheme our key can make
    /// (RFC 5246 §7.4.4, §7.4.6).
    pub(crate) fn tls12_scheme(
        &self,
        certificate_types: &[ClientCertificateType],
        offered: &[SignatureScheme],
    ) -> Option<SignatureScheme> {
        if !certificate_types.contains(&self.key.tls12_certificate_type()) {
            return None;
        }
        self.key.choose_scheme(offered, ProtocolVersion::TLSv1_2)
    }
}

impl fmt::Debug for ClientCertKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertKey")
            .field("chain_len", &self.chain.len())
            .field("key", &self.key)
            .finish()
    }
}

// ---- TLS 1.3 ----

/// What a server's CertificateRequest asked of us (RFC 8446 §4.3.2).
pub(super) struct ClientAuthRequest {
    /// certificate_request_context, echoed in our Certificate.
    pub(super) context: Vec<u8>,
    /// signature_algorithms: what our CertificateVerify may use.
    pub(super) schemes: Vec<SignatureScheme>,
}

/// RFC 8446 §4.4.2, §4.4.3: answers a CertificateRequest with our chain
/// and a CertificateVerify over the transcript through that Certificate,
/// or, with no certificate or no scheme the server accepts, with an empty
/// Certificate alone (the server then decides whether to go on).
pub(super) fn send_tls13_client_auth(
    common: &mut CommonState,
    config: &ClientConfig,
    request: ClientAuthRequest,
    transcript: &mut Transcript,
) -> Result<(), Error> {
    let chosen = config
        .client_auth
        .as_deref()
        .and_then(|ck| Some((ck, ck.tls13_scheme(&request.schemes)?)));
    let entries = match chosen {
        Some((ck, _)) => ck
            .chain()
            .iter()
            .cloned()
            .map(CertificateEntry::new)
            .collect(),
        None => Vec::new(),
    };
    let cert = HandshakeMessage::new(HandshakePayload::Certificate13(Certificate13 {
        context: request.context,
        entries,
    }))
    .get_encoding();
    transcript.add(&cert);
    common.send_handshake(&cert)?;
    let Some((ck, scheme)) = chosen else {
        common.log(
            LogLevel::Info,
            format_args!(
                "server asked for a client certificate; sending none ({})",
                if config.client_auth.is_some() {
                    "it accepts no signature scheme our key can make"
                } else {
                    "none configured"
                }
            ),
        );
        return Ok(());
    };
    let message = tls13_client_verify_message(transcript.current_hash().as_bytes());
    let signature = ck.key().sign(scheme, &message, &config.randomness)?;
    send_certificate_verify(common, transcript, ck, scheme, signature)
}

/// Sends CertificateVerify (the same message in both versions) and adds
/// it to the transcript.
fn send_certificate_verify(
    common: &mut CommonState,
    transcript: &mut Transcript,
    ck: &ClientCertKey,
    scheme: SignatureScheme,
    signature: Vec<u8>,
) -> Result<(), Error> {
    let verify = HandshakeMessage::new(HandshakePayload::CertificateVerify(DigitallySigned {
        scheme,
        signature,
    }))
    .get_encoding();
    transcript.add(&verify);
    common.send_handshake(&verify)?;
    common.log(
        LogLevel::Info,
        format_args!(
            "sent our client certificate ({} in chain, {} key) signed with {scheme:?}",
            ck.chain().len(),
            ck.key().algorithm_name()
        ),
    );
    Ok(())
}

// ---- TLS 1.2 ----

/// RFC 5246 §7.4.6: sends our chain if the server accepts its type and a
/// scheme our key can make, else an empty Certificate. Returns the key and
/// scheme to sign CertificateVerify with, if we sent a chain.
pub(super) fn send_tls12_certificate<'a>(
    common: &mut CommonState,
    config: &'a ClientConfig,
    req: &CertificateRequest12,
    transcript: &mut Transcript,
) -> Result<Option<(&'a ClientCertKey, SignatureScheme)>, Error> {
    let chosen = config.client_auth.as_deref().and_then(|ck| {
        Some((
            ck,
            ck.tls12_scheme(&req.certificate_types, &req.signature_algorithms)?,
        ))
    });
    let chain = match chosen {
        Some((ck, _)) => ck.chain().to_vec(),
        None => {
            common.log(
                LogLevel::Info,
                format_args!(
                    "server asked for a client certificate; sending none ({})",
                    if config.client_auth.is_some() {
                        "it accepts no certificate type or scheme our key can make"
                    } else {
                        "none configured"
                    }
                ),
            );
            transcript.stop_keeping_messages();
            Vec::new()
        }
    };
    let cert = HandshakeMessage::new(HandshakePayload::Certificate12(Certificate12 { chain }))
        .get_encoding();
    transcript.add(&cert);
    common.send_handshake(&cert)?;
    Ok(chosen)
}

/// RFC 5246 §7.4.8: proves we hold our certificate's key by signing every
/// handshake message so far, through ClientKeyExchange.
pub(super) fn send_tls12_certificate_verify(
    common: &mut CommonState,
    config: &ClientConfig,
    ck: &ClientCertKey,
    scheme: SignatureScheme,
    transcript: &mut Transcript,
) -> Result<(), Error> {
    let messages = transcript.kept_messages().ok_or_else(|| {
        Error::General("the handshake messages were not kept for CertificateVerify".into())
    })?;
    let signature = ck.key().sign(scheme, messages, &config.randomness)?;
    transcript.stop_keeping_messages();
    send_certificate_verify(common, transcript, ck, scheme, signature)
}

#[cfg(test)]
#[path = "client_cert_tests.rs"]
mod tests;
