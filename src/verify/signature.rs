//! Handshake signatures: which schemes each TLS version permits, and the
//! check that the server's signature was made with its certificate's key.
//!
//! A TLS `SignatureScheme` names a key type and a hash (and, in TLS 1.3, an
//! ECDSA curve). Each permitted scheme maps here to the webpki algorithms
//! that can verify it; the one used is the one whose public key type is the
//! certificate's, compared as webpki compares them.
//!
//! Not supported, and so never offered nor accepted:
//! - rsa_pss_pss_* (RSASSA-PSS keys): webpki's ring backend has no
//!   algorithm for an `id-RSASSA-PSS` public key. Servers with such keys are
//!   rare; rsa_pss_rsae_* (PSS signatures by an rsaEncryption key) covers
//!   the RSA certificates in use.
//! - ecdsa_secp521r1_sha512 and ed448: ring cannot verify them.
//! - Anything with SHA-1 or MD5.

use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm};
use webpki::ring as algs;

use super::signing_key::{signing_key, SigningKey};
use super::HandshakeSignatureValid;
use crate::error::{CertificateError, Error, PeerMisbehaved};
use crate::inline_bytes::InlineBytes;
use crate::msgs::enums::SignatureScheme;

/// The schemes we can verify, most preferred first: what the client offers
/// in signature_algorithms.
///
/// RFC 8446 §4.2.3: without signature_algorithms_cert this list also governs
/// the signatures in the certificate chain, which is why rsa_pkcs1_* is
/// here even though TLS 1.3 never allows it in CertificateVerify.
pub const SUPPORTED_VERIFY_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::ECDSA_NISTP256_SHA256,
    SignatureScheme::ECDSA_NISTP384_SHA384,
    SignatureScheme::ED25519,
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
];

/// The webpki algorithms able to verify each scheme.
type SchemeTable = &'static [(
    SignatureScheme,
    &'static [&'static dyn SignatureVerificationAlgorithm],
)];

/// The schemes a TLS 1.3 CertificateVerify may use, with their algorithms.
///
/// RFC 8446 §4.4.3: RSA signatures must use RSASSA-PSS, whatever the
/// signature_algorithms say; SHA-1 must not be used. RFC 8446 §4.2.3: the
/// ECDSA schemes name the curve, so a P-384 key cannot sign under
/// ecdsa_secp256r1_sha256.
static TLS13_SCHEMES: SchemeTable = &[
    (
        SignatureScheme::ECDSA_NISTP256_SHA256,
        &[algs::ECDSA_P256_SHA256],
    ),
    (
        SignatureScheme::ECDSA_NISTP384_SHA384,
        &[algs::ECDSA_P384_SHA384],
    ),
    (SignatureScheme::ED25519, &[algs::ED25519]),
    (
        SignatureScheme::RSA_PSS_RSAE_SHA256,
        &[algs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY],
    ),
    (
        SignatureScheme::RSA_PSS_RSAE_SHA384,
        &[algs::RSA_PSS_2048_8192_SHA384_LEGACY_KEY],
    ),
    (
        SignatureScheme::RSA_PSS_RSAE_SHA512,
        &[algs::RSA_PSS_2048_8192_SHA512_LEGACY_KEY],
    ),
];

/// The schemes a TLS 1.2 ServerKeyExchange may use, with their algorithms.
///
/// RFC 5246 §7.4.1.4.1: in TLS 1.2 the ECDSA code points name only the
/// hash, so each may be made by a key on either curve we support (RFC 8446
/// §4.2.3 gives them their curve only for TLS 1.3). RFC 8422 §5.1.3 adds
/// ed25519; RFC 8446 §4.2.3 lets a TLS 1.2 server use rsa_pss_rsae_*.
static TLS12_SCHEMES: SchemeTable = &[
    (
        SignatureScheme::ECDSA_NISTP256_SHA256,
        &[algs::ECDSA_P256_SHA256, algs::ECDSA_P384_SHA256],
    ),
    (
        SignatureScheme::ECDSA_NISTP384_SHA384,
        &[algs::ECDSA_P384_SHA384, algs::ECDSA_P256_SHA384],
    ),
    (SignatureScheme::ED25519, &[algs::ED25519]),
    (
        SignatureScheme::RSA_PSS_RSAE_SHA256,
        &[algs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY],
    ),
    (
        SignatureScheme::RSA_PSS_RSAE_SHA384,
        &[algs::RSA_PSS_2048_8192_SHA384_LEGACY_KEY],
    ),
    (
        SignatureScheme::RSA_PSS_RSAE_SHA512,
        &[algs::RSA_PSS_2048_8192_SHA512_LEGACY_KEY],
    ),
    (
        SignatureScheme::RSA_PKCS1_SHA256,
        &[algs::RSA_PKCS1_2048_8192_SHA256],
    ),
    (
        SignatureScheme::RSA_PKCS1_SHA384,
        &[algs::RSA_PKCS1_2048_8192_SHA384],
    ),
    (
        SignatureScheme::RSA_PKCS1_SHA512,
        &[algs::RSA_PKCS1_2048_8192_SHA512],
    ),
];

/// The algorithms for `scheme` in `table`; a scheme not there is one the
/// server may not use (RFC 8446 §4.4.3: illegal_parameter when it is not
/// one we offered).
fn algorithms_for(
    table: SchemeTable,
    scheme: SignatureScheme,
) -> Result<&'static [&'static dyn SignatureVerificationAlgorithm], Error> {
    table
        .iter()
        .find(|(known, _)| *known == scheme)
        .map(|(_, algorithms)| *algorithms)
        .ok_or_else(|| PeerMisbehaved::SignatureSchemeNotPermitted(scheme).into())
}

/// Verifies the signature of a TLS 1.3 CertificateVerify (RFC 8446 §4.4.3).
///
/// `message` is the signed content, from [`tls13_server_verify_message`].
pub fn verify_tls13_signature(
    message: &[u8],
    cert: &CertificateDer<'_>,
    scheme: SignatureScheme,
    signature: &[u8],
) -> Result<HandshakeSignatureValid, Error> {
    let algorithms = algorithms_for(TLS13_SCHEMES, scheme)?;
    // RFC 8446 §4.4.2.2: the key must be allowed to sign.
    let key = signing_key(cert)?;
    verify_with_any(algorithms, message, key, scheme, signature)
}

/// Verifies the signature of a TLS 1.2 ServerKeyExchange (RFC 5246 §7.4.3).
///
/// `message` is client_random + server_random + the ServerECDHParams.
pub fn verify_tls12_signature(
    message: &[u8],
    cert: &CertificateDer<'_>,
    scheme: SignatureScheme,
    signature: &[u8],
) -> Result<HandshakeSignatureValid, Error> {
    let algorithms = algorithms_for(TLS12_SCHEMES, scheme)?;
    // RFC 5280 §4.2.1.3: a key that signs the handshake needs
    // digitalSignature, if Key Usage is present at all.
    let key = signing_key(cert)?;
    verify_with_any(algorithms, message, key, scheme, signature)
}

/// Verifies with the first of `algorithms` whose key type matches the
/// certificate's key (the comparison webpki makes of an algorithm's
/// public key identifier with the SubjectPublicKeyInfo's).
///
/// A signature that does not verify is `BadSignature` (RFC 8446 §4.4.3:
/// decrypt_error). A certificate whose key fits none of the algorithms
/// means the server chose a scheme its own key cannot make.
///
/// ring refuses RSA keys under 2048 bits; their signatures come out as
/// `BadSignature`.
fn verify_with_any(
    algorithms: &[&dyn SignatureVerificationAlgorithm],
    message: &[u8],
    key: SigningKey<'_>,
    scheme: SignatureScheme,
    signature: &[u8],
) -> Result<HandshakeSignatureValid, Error> {
    let Some(algorithm) = algorithms
        .iter()
        .find(|a| a.public_key_alg_id().as_ref() == key.algorithm)
    else {
        return Err(PeerMisbehaved::SignatureSchemeDoesNotMatchKey(scheme).into());
    };
    algorithm
        .verify_signature(key.public_key, message, signature)
        .map(|()| HandshakeSignatureValid::assertion())
        .map_err(|_| CertificateError::BadSignature.into())
}

/// RFC 8446 §4.4.3: the context string a server's CertificateVerify signs.
const SERVER_CONTEXT: &[u8; 33] = b"TLS 1.3, server CertificateVerify";
/// RFC 8446 §4.4.3: the context string a client's CertificateVerify signs.
const CLIENT_CONTEXT: &[u8; 33] = b"TLS 1.3, client CertificateVerify";

/// The content a TLS 1.3 server signs in CertificateVerify, given the hash
/// of the transcript up to and including its Certificate message.
///
/// RFC 8446 §4.4.3: 64 bytes of 0x20, the context string, a zero byte, then
/// the transcript hash. The padding keeps the content from sharing a prefix
/// with anything signed in earlier TLS versions.
///
/// # Panics
///
/// If `transcript_hash` is longer than 64 bytes, which no TLS hash is.
pub fn tls13_server_verify_message(transcript_hash: &[u8]) -> SignedContent {
    SignedContent::new(SERVER_CONTEXT, transcript_hash)
}

/// The content a TLS 1.3 client signs in CertificateVerify (client
/// authentication), given the transcript hash; see
/// [`tls13_server_verify_message`], and its panic.
pub fn tls13_client_verify_message(transcript_hash: &[u8]) -> SignedContent {
    SignedContent::new(CLIENT_CONTEXT, transcript_hash)
}

/// The longest hash a transcript can have (SHA-512; the suites use at
/// most SHA-384).
const MAX_HASH_LEN: usize = 64;

/// What a TLS 1.3 CertificateVerify signs (RFC 8446 §4.4.3), held on the
/// stack: at most 162 bytes, made once per handshake, so not worth an
/// allocation. Reads as the bytes it holds.
#[derive(Clone, Debug)]
pub struct SignedContent(InlineBytes<{ 64 + 33 + 1 + MAX_HASH_LEN }>);

impl SignedContent {
    /// Lays out the padding, `context` and `transcript_hash`. The hash is
    /// one we computed, never the peer's bytes: one longer than any TLS
    /// hash is a caller's bug, and panics.
    fn new(context: &'static [u8; 33], transcript_hash: &[u8]) -> Self {
        let content = InlineBytes::from_parts(&[&[0x20; 64], context, &[0x00], transcript_hash]);
        Self(content.expect("a transcript hash of at most 64 bytes"))
    }
}

impl core::ops::Deref for SignedContent {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for SignedContent {
    fn as_ref(&self) -> &[u8] {
        self
    }
}
