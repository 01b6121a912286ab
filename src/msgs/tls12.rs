//! The TLS 1.2 forms of the messages that differ from TLS 1.3 (RFC 5246
//! §7.4), and the ECDHE key exchange messages (RFC 8422 §5.4, §5.7).

use rustls_pki_types::CertificateDer;

use super::codec::{encode_list, encode_opaque, encode_prefixed, Codec, ListLength, Reader};
use super::enums::{ClientCertificateType, EcCurveType, NamedGroup, SignatureScheme};
use super::extensions::DistinguishedName;
use super::handshake::DigitallySigned;
use crate::error::InvalidMessage;

/// Certificate (RFC 5246 §7.4.2): `ASN.1Cert certificate_list<0..2^24-1>`,
/// each `opaque ASN.1Cert<1..2^24-1>`, the end-entity certificate first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate12 {
    pub chain: Vec<CertificateDer<'static>>,
}

impl Codec<'_> for Certificate12 {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_prefixed(out, ListLength::U24, |out| {
            for cert in &self.chain {
                encode_opaque(out, ListLength::U24, cert.as_ref());
            }
        });
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let mut list = r.sub(ListLength::U24, "Certificate.certificate_list")?;
        let mut chain = Vec::new();
        while list.any_left() {
            let cert = list.opaque_nonempty(ListLength::U24, "Certificate.ASN.1Cert")?;
            chain.push(CertificateDer::from(cert.to_vec()));
        }
        Ok(Self { chain })
    }
}

/// CertificateRequest (RFC 5246 §7.4.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRequest12 {
    /// certificate_types<1..2^8-1>
    pub certificate_types: Vec<ClientCertificateType>,
    /// supported_signature_algorithms<2..2^16-2>
    pub signature_algorithms: Vec<SignatureScheme>,
    /// certificate_authorities<0..2^16-1>
    pub certificate_authorities: Vec<DistinguishedName>,
}

impl Codec<'_> for CertificateRequest12 {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_list(out, ListLength::U8, &self.certificate_types);
        encode_list(out, ListLength::U16, &self.signature_algorithms);
        encode_list(out, ListLength::U16, &self.certificate_authorities);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            certificate_types: r
                .list_nonempty(ListLength::U8, "CertificateRequest.certificate_types")?,
            signature_algorithms: r.list_nonempty(
                ListLength::U16,
                "CertificateRequest.supported_signature_algorithms",
            )?,
            certificate_authorities: r.list(
                ListLength::U16,
                "CertificateRequest.certificate_authorities",
            )?,
        })
    }
}

/// ServerECDHParams (RFC 8422 §5.4) with a named curve, the only kind
/// TLS still uses: `ECCurveType curve_type` (named_curve), `NamedCurve`,
/// `opaque point<1..2^8-1>`.
///
/// Its encoding is canonical, so [`Codec::get_encoding`] gives back exactly
/// the bytes received, which the server's signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcdheParams {
    pub group: NamedGroup,
    /// The server's public key: an uncompressed point, or 32 bytes for X25519.
    pub public: Vec<u8>,
}

impl Codec<'_> for EcdheParams {
    fn encode(&self, out: &mut Vec<u8>) {
        EcCurveType::NamedCurve.encode(out);
        self.group.encode(out);
        encode_opaque(out, ListLength::U8, &self.public);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        // RFC 8422 §5.4: explicit curves are deprecated and never offered.
        if EcCurveType::read(r)? != EcCurveType::NamedCurve {
            return Err(InvalidMessage::IllegalValue("ServerECDHParams.curve_type"));
        }
        Ok(Self {
            group: NamedGroup::read(r)?,
            public: r
                .opaque_nonempty(ListLength::U8, "ServerECDHParams.point")?
                .to_vec(),
        })
    }
}

/// ServerKeyExchange for the ECDHE suites (RFC 8422 §5.4): the server's
/// ephemeral key, and its signature over
/// `client_random + server_random + params`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcdheServerKeyExchange {
    pub params: EcdheParams,
    pub signature: DigitallySigned,
}

impl EcdheServerKeyExchange {
    /// What the signature covers (RFC 8422 §5.4): ClientHello.random,
    /// ServerHello.random, then the ServerECDHParams as received, in one
    /// allocation.
    pub fn signed_content(&self, client_random: &[u8; 32], server_random: &[u8; 32]) -> Vec<u8> {
        // curve_type, named_curve and the point's length byte.
        let mut out = Vec::with_capacity(32 + 32 + 4 + self.params.public.len());
        out.extend_from_slice(client_random);
        out.extend_from_slice(server_random);
        self.params.encode(&mut out);
        out
    }
}

impl Codec<'_> for EcdheServerKeyExchange {
    fn encode(&self, out: &mut Vec<u8>) {
        self.params.encode(out);
        self.signature.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            params: EcdheParams::read(r)?,
            signature: DigitallySigned::read(r)?,
        })
    }
}

/// ClientKeyExchange for the ECDHE suites (RFC 8422 §5.7):
/// `opaque point<1..2^8-1>`, the client's ephemeral public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcdheClientKeyExchange {
    pub public: Vec<u8>,
}

impl Codec<'_> for EcdheClientKeyExchange {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_opaque(out, ListLength::U8, &self.public);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let public = r.opaque_nonempty(ListLength::U8, "ClientECDiffieHellmanPublic.point")?;
        Ok(Self {
            public: public.to_vec(),
        })
    }
}

/// NewSessionTicket (RFC 5077 §3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSessionTicket12 {
    /// ticket_lifetime_hint in seconds; zero means unspecified.
    pub lifetime_hint: u32,
    /// opaque ticket<0..2^16-1>
    pub ticket: Vec<u8>,
}

impl Codec<'_> for NewSessionTicket12 {
    fn encode(&self, out: &mut Vec<u8>) {
        self.lifetime_hint.encode(out);
        encode_opaque(out, ListLength::U16, &self.ticket);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            lifetime_hint: r.u32("NewSessionTicket.ticket_lifetime_hint")?,
            ticket: r
                .opaque(ListLength::U16, "NewSessionTicket.ticket")?
                .to_vec(),
        })
    }
}
