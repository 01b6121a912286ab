//! Tests of the wire format: one value of every message and every
//! extension form (here), round trips and malformed input
//! (`round_trip.rs`, `malformed.rs`), a seeded random mutation run
//! (`fuzz.rs`), and the RFC 8448 traces byte for byte (`rfc8448.rs`).

mod fuzz;
mod malformed;
mod rfc8448;
mod round_trip;

use rustls_pki_types::CertificateDer;

use super::client_ext::ClientExtension;
use super::enums::*;
use super::extensions::{
    CertificateStatus, CertificateStatusRequest, DistinguishedName, KeyShareEntry,
    PresharedKeyOffer, PskIdentity, ServerNameEntry,
};
use super::handshake::{DigitallySigned, HandshakeMessage, HandshakePayload};
use super::hello::{ClientHello, HelloRetryRequest, Random, ServerHello, SessionId};
use super::server_ext::{HelloRetryExtension, ServerExtension};
use super::tls12::{
    Certificate12, CertificateRequest12, EcdheClientKeyExchange, EcdheParams,
    EcdheServerKeyExchange, NewSessionTicket12,
};
use super::tls13::{
    CertReqExtension, Certificate13, CertificateEntry, CertificateExtension, CertificateRequest13,
    EncryptedExtensions, NewSessionTicket13, NewSessionTicketExtension, TicketNonce,
};

const TLS13: ProtocolVersion = ProtocolVersion::TLSv1_3;
const TLS12: ProtocolVersion = ProtocolVersion::TLSv1_2;

fn unknown_ext(typ: u16, body: &[u8]) -> (ExtensionType, Vec<u8>) {
    (ExtensionType::from(typ), body.to_vec())
}

/// One ClientHello extension of every kind, pre_shared_key last.
pub(super) fn client_extensions() -> Vec<ClientExtension<'static>> {
    let (typ, body) = unknown_ext(0x1234, &[9, 8, 7]);
    vec![
        ClientExtension::server_name("example.com"),
        ClientExtension::ServerName(
            vec![ServerNameEntry {
                typ: ServerNameType::Unknown(7),
                name: b"x".to_vec().into(),
            }]
            .into(),
        ),
        ClientExtension::SupportedGroups(
            vec![NamedGroup::X25519, NamedGroup::Unknown(0x9999)].into(),
        ),
        ClientExtension::EcPointFormats(vec![EcPointFormat::Uncompressed].into()),
        ClientExtension::SignatureAlgorithms(
            vec![
                SignatureScheme::ECDSA_NISTP256_SHA256,
                SignatureScheme::RSA_PSS_RSAE_SHA256,
            ]
            .into(),
        ),
        ClientExtension::SignatureAlgorithmsCert(vec![SignatureScheme::ED25519].into()),
        ClientExtension::Alpn(vec![b"h2".to_vec(), b"http/1.1".to_vec()].into()),
        ClientExtension::SupportedVersions(vec![TLS13, TLS12].into()),
        ClientExtension::KeyShare(
            vec![
                KeyShareEntry::new(NamedGroup::X25519, &[1; 32]),
                KeyShareEntry::new(NamedGroup::secp256r1, &[4; 65]),
            ]
            .into(),
        ),
        ClientExtension::KeyShare(Vec::new().into()),
        ClientExtension::PskKeyExchangeModes(vec![PskKeyExchangeMode::PskDheKe].into()),
        ClientExtension::EarlyData,
        ClientExtension::Cookie(vec![0xc0; 40].into()),
        ClientExtension::CertificateAuthorities(vec![DistinguishedName(vec![0x30, 0])]),
        ClientExtension::ExtendedMasterSecret,
        ClientExtension::RenegotiationInfo(Vec::new()),
        ClientExtension::RenegotiationInfo(vec![5; 12]),
        ClientExtension::SessionTicket(Vec::new().into()),
        ClientExtension::SessionTicket(vec![1, 2, 3].into()),
        ClientExtension::RecordSizeLimit(0x4001),
        ClientExtension::StatusRequest(CertificateStatusRequest::ocsp()),
        ClientExtension::StatusRequest(CertificateStatusRequest::Ocsp {
            responder_ids: vec![vec![1, 2], vec![3]],
            request_extensions: vec![0x30, 0],
        }),
        ClientExtension::StatusRequest(CertificateStatusRequest::Unknown {
            typ: CertificateStatusType::Unknown(2),
            body: vec![1, 2, 3],
        }),
        ClientExtension::PostHandshakeAuth,
        ClientExtension::Padding(0),
        ClientExtension::Padding(17),
        ClientExtension::Unknown { typ, body },
        ClientExtension::Unknown {
            typ: ExtensionType::MaxFragmentLength,
            body: vec![4],
        },
        ClientExtension::PreSharedKey(PresharedKeyOffer {
            identities: vec![
                PskIdentity {
                    identity: vec![0xaa; 50].into(),
                    obfuscated_ticket_age: 0x0102_0304,
                },
                PskIdentity {
                    identity: vec![0xbb].into(),
                    obfuscated_ticket_age: 0,
                },
            ]
            .into(),
            binders: vec![vec![0x11; 32].into(), vec![0x22; 48].into()].into(),
        }),
    ]
}

/// `exts` without repeated types (keeping the first of each), so they fit
/// in one block.
pub(super) fn distinct<E: super::extensions::ExtensionForm + Clone>(exts: &[E]) -> Vec<E> {
    let mut out: Vec<E> = Vec::new();
    for e in exts {
        if out.iter().all(|o| o.ext_type() != e.ext_type()) {
            out.push(e.clone());
        }
    }
    out
}

pub(super) fn server_extensions() -> Vec<ServerExtension> {
    let (typ, body) = unknown_ext(0xfe00, &[]);
    vec![
        ServerExtension::ServerName,
        ServerExtension::SupportedGroups(vec![NamedGroup::secp384r1]),
        ServerExtension::EcPointFormats(vec![
            EcPointFormat::Uncompressed,
            EcPointFormat::Unknown(9),
        ]),
        ServerExtension::Alpn(b"h2".to_vec()),
        ServerExtension::SupportedVersions(TLS13),
        ServerExtension::KeyShare(KeyShareEntry::new(NamedGroup::X25519, &[7; 32])),
        ServerExtension::PreSharedKey(1),
        ServerExtension::EarlyData,
        ServerExtension::ExtendedMasterSecret,
        ServerExtension::RenegotiationInfo(vec![3; 24]),
        ServerExtension::SessionTicket,
        ServerExtension::RecordSizeLimit(64),
        ServerExtension::StatusRequest,
        ServerExtension::Unknown { typ, body },
    ]
}

pub(super) fn hello_retry_extensions() -> Vec<HelloRetryExtension> {
    let (typ, body) = unknown_ext(0x7777, &[1]);
    vec![
        HelloRetryExtension::SupportedVersions(TLS13),
        HelloRetryExtension::KeyShare(NamedGroup::secp256r1),
        HelloRetryExtension::Cookie(vec![1; 100]),
        HelloRetryExtension::Unknown { typ, body },
    ]
}

pub(super) fn certificate_extensions() -> Vec<CertificateExtension> {
    vec![
        CertificateExtension::StatusRequest(CertificateStatus {
            ocsp_response: vec![0x30, 3, 1, 2, 3],
        }),
        CertificateExtension::Unknown {
            typ: ExtensionType::SignedCertificateTimestamp,
            body: vec![0, 2, 0xab, 0xcd],
        },
    ]
}

pub(super) fn cert_req_extensions() -> Vec<CertReqExtension> {
    vec![
        CertReqExtension::SignatureAlgorithms(vec![SignatureScheme::RSA_PSS_RSAE_SHA256]),
        CertReqExtension::SignatureAlgorithmsCert(vec![SignatureScheme::Unknown(0x0a0b)]),
        CertReqExtension::CertificateAuthorities(vec![
            DistinguishedName(vec![0x30, 0]),
            DistinguishedName(vec![1; 300]),
        ]),
        CertReqExtension::Unknown {
            typ: ExtensionType::OidFilters,
            body: vec![0, 0],
        },
    ]
}

pub(super) fn nst_extensions() -> Vec<NewSessionTicketExtension> {
    vec![
        NewSessionTicketExtension::EarlyData(0x4000),
        NewSessionTicketExtension::Unknown {
            typ: ExtensionType::Unknown(0x2a2a),
            body: Vec::new(),
        },
    ]
}

fn cert(n: u8) -> CertificateDer<'static> {
    CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, n])
}

pub(super) fn client_hello() -> ClientHello<'static> {
    ClientHello {
        legacy_version: TLS12,
        random: Random([0x42; 32]),
        session_id: SessionId::new(&[0x5e; 32]).unwrap(),
        cipher_suites: vec![
            CipherSuite::TLS13_AES_128_GCM_SHA256,
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            CipherSuite::Unknown(0x0a0a),
        ]
        .into(),
        compression_methods: vec![Compression::Null].into(),
        extensions: distinct(&client_extensions()),
    }
}

pub(super) fn server_hello() -> ServerHello {
    ServerHello {
        legacy_version: TLS12,
        random: Random([0x17; 32]),
        session_id: SessionId::new(&[1, 2, 3]).unwrap(),
        cipher_suite: CipherSuite::TLS13_AES_256_GCM_SHA384,
        compression_method: Compression::Null,
        extensions: distinct(&server_extensions()),
    }
}

pub(super) fn hello_retry_request() -> HelloRetryRequest {
    HelloRetryRequest {
        legacy_version: TLS12,
        session_id: SessionId::EMPTY,
        cipher_suite: CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
        compression_method: Compression::Null,
        extensions: hello_retry_extensions(),
    }
}

/// One value of every handshake payload, with the version to read it as.
pub(super) fn sample_messages() -> Vec<(HandshakeMessage, ProtocolVersion)> {
    use HandshakePayload as P;
    let mut bare_hello = client_hello();
    bare_hello.extensions.clear();
    bare_hello.session_id = SessionId::EMPTY;
    let mut bare_server_hello = server_hello();
    bare_server_hello.extensions.clear();
    let samples = vec![
        (P::HelloRequest, TLS12),
        (P::ClientHello(client_hello()), TLS13),
        (P::ClientHello(bare_hello), TLS12),
        (P::ServerHello(server_hello()), TLS13),
        (P::ServerHello(bare_server_hello), TLS12),
        (P::HelloRetryRequest(hello_retry_request()), TLS13),
        (
            P::NewSessionTicket13(NewSessionTicket13 {
                lifetime: 7200,
                age_add: 0xdead_beef,
                nonce: TicketNonce::from(&[0, 1][..]),
                ticket: vec![0x77; 90],
                extensions: nst_extensions(),
            }),
            TLS13,
        ),
        (
            P::NewSessionTicket13(NewSessionTicket13 {
                lifetime: 0,
                age_add: 0,
                nonce: TicketNonce::from(&[][..]),
                ticket: vec![1],
                extensions: Vec::new(),
            }),
            TLS13,
        ),
        (
            P::NewSessionTicket12(NewSessionTicket12 {
                lifetime_hint: 300,
                ticket: vec![9; 60],
            }),
            TLS12,
        ),
        (
            P::NewSessionTicket12(NewSessionTicket12 {
                lifetime_hint: 0,
                ticket: Vec::new(),
            }),
            TLS12,
        ),
        (P::EndOfEarlyData, TLS13),
        (
            P::EncryptedExtensions(EncryptedExtensions {
                extensions: distinct(&server_extensions()),
            }),
            TLS13,
        ),
        (
            P::EncryptedExtensions(EncryptedExtensions {
                extensions: Vec::new(),
            }),
            TLS13,
        ),
        (
            P::Certificate13(Certificate13 {
                context: Vec::new(),
                entries: vec![
                    CertificateEntry {
                        cert: cert(1),
                        extensions: certificate_extensions(),
                    },
                    CertificateEntry::new(cert(2)),
                ],
            }),
            TLS13,
        ),
        (
            P::Certificate13(Certificate13 {
                context: vec![1, 2, 3, 4],
                entries: Vec::new(),
            }),
            TLS13,
        ),
        (
            P::Certificate12(Certificate12 {
                chain: vec![cert(1), cert(2), cert(3)],
            }),
            TLS12,
        ),
        (P::Certificate12(Certificate12 { chain: Vec::new() }), TLS12),
        (
            P::ServerKeyExchange(EcdheServerKeyExchange {
                params: EcdheParams {
                    group: NamedGroup::X25519,
                    public: vec![0x99; 32],
                },
                signature: DigitallySigned {
                    scheme: SignatureScheme::RSA_PKCS1_SHA256,
                    signature: vec![0x5a; 256],
                },
            }),
            TLS12,
        ),
        (
            P::CertificateRequest13(CertificateRequest13 {
                context: vec![0xcc; 8],
                extensions: cert_req_extensions(),
            }),
            TLS13,
        ),
        (
            P::CertificateRequest12(CertificateRequest12 {
                certificate_types: vec![
                    ClientCertificateType::RsaSign,
                    ClientCertificateType::EcdsaSign,
                ],
                signature_algorithms: vec![SignatureScheme::RSA_PKCS1_SHA256],
                certificate_authorities: vec![DistinguishedName(vec![0x30, 0])],
            }),
            TLS12,
        ),
        (
            P::CertificateRequest12(CertificateRequest12 {
                certificate_types: vec![ClientCertificateType::Unknown(99)],
                signature_algorithms: vec![SignatureScheme::ED25519],
                certificate_authorities: Vec::new(),
            }),
            TLS12,
        ),
        (P::ServerHelloDone, TLS12),
        (
            P::CertificateVerify(DigitallySigned {
                scheme: SignatureScheme::ECDSA_NISTP256_SHA256,
                signature: vec![0x30; 70],
            }),
            TLS13,
        ),
        (
            P::ClientKeyExchange(EcdheClientKeyExchange {
                public: vec![4; 65],
            }),
            TLS12,
        ),
        (P::Finished(vec![0xf1; 32]), TLS13),
        (P::Finished(vec![0xf2; 12]), TLS12),
        (
            P::CertificateStatus(CertificateStatus {
                ocsp_response: vec![0x30; 500],
            }),
            TLS12,
        ),
        (P::KeyUpdate(KeyUpdateRequest::UpdateNotRequested), TLS13),
        (P::KeyUpdate(KeyUpdateRequest::UpdateRequested), TLS13),
        (P::MessageHash(vec![0xab; 48]), TLS13),
        (
            P::Unknown {
                typ: HandshakeType::Unknown(3),
                body: vec![1, 2, 3],
            },
            TLS12,
        ),
    ];
    samples
        .into_iter()
        .map(|(payload, version)| (HandshakeMessage::new(payload), version))
        .collect()
}

/// The encoding of one handshake message with type `typ` and body `body`.
pub(super) fn framed(typ: HandshakeType, body: &[u8]) -> Vec<u8> {
    let mut out = vec![typ.to_wire()];
    out.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(body);
    out
}

/// Whether a parsed message is one of the forms whose re-encoding may
/// differ from the input: a hello with an explicit but empty extension
/// block, which is written back by leaving the block out.
pub(super) fn may_reencode_differently(msg: &HandshakeMessage) -> bool {
    match &msg.payload {
        HandshakePayload::ClientHello(ch) => ch.extensions.is_empty(),
        HandshakePayload::ServerHello(sh) => sh.extensions.is_empty(),
        HandshakePayload::HelloRetryRequest(hrr) => hrr.extensions.is_empty(),
        _ => false,
    }
}
