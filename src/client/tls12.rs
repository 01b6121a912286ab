//! The TLS 1.2 client handshake after the ServerHello, and the connection
//! after it (RFC 5246 §7.3), with ECDHE key exchange (RFC 8422), the
//! extended master secret (RFC 7627) and AEAD suites only (RFC 5288,
//! RFC 7905). A ServerHello that resumes a session we offered starts the
//! abbreviated handshake instead (`tls12_resume`).
//!
//! ```text
//!   (ServerHello)
//!                <------------------  Certificate
//!                <------------------  ServerKeyExchange
//!                <------------------  CertificateRequest      (optional)
//!                <------------------  ServerHelloDone
//!   Certificate         ------------>                         (if requested; empty)
//!   ClientKeyExchange   ------------>
//!   [ChangeCipherSpec]  ------------>                         (our write keys)
//!   Finished            ------------>
//!                <------------------  NewSessionTicket        (if it answered session_ticket)
//!                <------------------  [ChangeCipherSpec]      (the server's write keys)
//!                <------------------  Finished
//!                <=================>  Application Data, HelloRequest (refused)
//! ```

use std::sync::Arc;

use rustls_pki_types::ServerName;

use super::client_cert::{send_tls12_certificate, send_tls12_certificate_verify};
use super::hello::OfferedExtensions;
use super::session::Tls12Session;
use super::tls12_resume::{self, SessionToStore};
use super::{unexpected, verify_server_chain, ClientConfig};
use crate::conn::{CommonState, ConnectionTrafficSecrets, HandshakeKind};
use crate::crypto::aead::NONCE_LEN;
use crate::crypto::hash::Transcript;
use crate::crypto::kx::{KeyExchange, SupportedKxGroup};
use crate::crypto::suites::Tls12CipherSuite;
use crate::crypto::tls12::{KeyBlock, MasterSecret};
use crate::error::{CertificateError, Error, PeerIncompatible, PeerMisbehaved};
use crate::log::LogLevel;
use crate::msgs::enums::{
    AlertDescription, AlertLevel, ContentType, EcPointFormat, ExtensionType, HandshakeType,
};
use crate::msgs::extensions::ExtensionForm;
use crate::msgs::handshake::{HandshakeMessage, HandshakePayload};
use crate::msgs::hello::{ServerHello, SessionId};
use crate::msgs::server_ext::ServerExtension;
use crate::msgs::tls12::{
    Certificate12, CertificateRequest12, EcdheClientKeyExchange, EcdheServerKeyExchange,
};
use crate::record::protect::{RecordDecrypter, RecordEncrypter};

/// HelloRequests accepted in a row without application data in between:
/// each costs us an alert, so a server may not send them without end.
const MAX_HELLO_REQUESTS_IN_A_ROW: usize = 8;

/// What a TLS 1.2 connection waits for.
///
/// The states before the key exchange share one boxed [`HandshakeCore`],
/// and those after it one boxed [`Session`]; each moves from state to
/// state as a pointer: no allocation and no copy of the transcript and
/// secrets per message. The server's write keys and the rare
/// CertificateRequest are boxed too, so a state is a few words (six for
/// ExpectServerHelloDone, which holds the server's ECDH key).
pub(crate) enum State {
    ExpectCertificate(ExpectCertificate),
    ExpectServerKeyExchange(ExpectServerKeyExchange),
    ExpectServerHelloDone(ExpectServerHelloDone),
    ExpectNewSessionTicket(ExpectNewSessionTicket),
    ExpectChangeCipherSpec(ExpectChangeCipherSpec),
    ExpectFinished(ExpectFinished),
    Traffic(Box<Traffic>),
}

impl State {
    pub(super) fn handle(
        self,
        common: &mut CommonState,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Self, Error> {
        if msg.payload == HandshakePayload::HelloRequest {
            return self.handle_hello_request(common);
        }
        match self {
            Self::ExpectCertificate(s) => s.handle(common, msg, raw),
            Self::ExpectServerKeyExchange(s) => s.handle(common, msg, raw),
            Self::ExpectServerHelloDone(s) => s.handle(common, msg, raw),
            Self::ExpectNewSessionTicket(s) => s.handle(msg, raw),
            Self::ExpectChangeCipherSpec(_) => Err(Error::InappropriateMessage {
                expected: &[ContentType::ChangeCipherSpec],
                got: ContentType::Handshake,
            }),
            Self::ExpectFinished(s) => s.handle(common, msg, raw),
            Self::Traffic(_) => Err(unexpected(&[HandshakeType::HelloRequest], &msg)),
        }
    }

    /// RFC 5246 §7.4.1.1: a HelloRequest is ignored while a handshake is
    /// under way, and is not part of its transcript. After the handshake
    /// it asks us to renegotiate, which we never do: RFC 5246 §7.2.2 has
    /// us answer with a no_renegotiation warning, and the connection goes
    /// on. We answer the first only: the client "MAY ignore" the message
    /// (§7.4.1.1), and a warning per request would let a server that sends
    /// data between them and never reads grow our send buffer without end.
    fn handle_hello_request(self, common: &mut CommonState) -> Result<Self, Error> {
        common.hello_requests_in_a_row += 1;
        if common.hello_requests_in_a_row > MAX_HELLO_REQUESTS_IN_A_ROW {
            return Err(PeerMisbehaved::Other(
                "server sent too many HelloRequests without data",
                AlertDescription::UnexpectedMessage,
            )
            .into());
        }
        if let Self::Traffic(_) = self {
            common.log(
                LogLevel::Debug,
                format_args!("server asked to renegotiate; refusing"),
            );
            if !common.sent_close_notify && !common.refused_renegotiation {
                common.send_alert(AlertLevel::Warning, AlertDescription::NoRenegotiation);
                common.refused_renegotiation = true;
            }
        }
        Ok(self)
    }

    /// RFC 5246 §7.1: the server's ChangeCipherSpec switches its records
    /// to the new keys, and is valid only right before its Finished.
    pub(super) fn handle_change_cipher_spec(self, common: &mut CommonState) -> Result<Self, Error> {
        match self {
            Self::ExpectChangeCipherSpec(s) => Ok(s.handle(common)),
            _ => Err(PeerMisbehaved::Other(
                "server sent ChangeCipherSpec at the wrong time",
                AlertDescription::UnexpectedMessage,
            )
            .into()),
        }
    }

    pub(super) fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<(), Error> {
        match self {
            // RFC 7627 §5.4: without the extended master secret, a
            // man in the middle can give two connections one master secret,
            // so nothing exported from it may authenticate anything.
            Self::Traffic(t) if !t.extended_master_secret => Err(PeerIncompatible::Other(
                "the server did without the extended master secret, so no keying \
                 material is exported from this session (RFC 7627 §5.4)",
                // Never sent: a refused export leaves the connection be.
                AlertDescription::HandshakeFailure,
            )
            .into()),
            Self::Traffic(t) => {
                t.master_secret
                    .export(&t.randoms.client, &t.randoms.server, label, context, out)
            }
            _ => Err(Error::HandshakeNotComplete),
        }
    }

    /// Our write keys and the server's, from the key block (RFC 5246
    /// §6.3), worked out again from the master secret. An AES-GCM IV is
    /// the salt and the next explicit nonce, which is the next sequence
    /// number (`tx_seq`, `rx_seq`) as our records number them.
    pub(super) fn traffic_secrets(
        &self,
        suite: &'static Tls12CipherSuite,
        tx_seq: u64,
        rx_seq: u64,
    ) -> Result<(ConnectionTrafficSecrets, ConnectionTrafficSecrets), Error> {
        let Self::Traffic(t) = self else {
            return Err(Error::HandshakeNotComplete);
        };
        let kb = t
            .master_secret
            .key_block(suite, &t.randoms.client, &t.randoms.server);
        let iv = |fixed: &[u8], seq: u64| {
            let mut iv = [0u8; NONCE_LEN];
            if fixed.len() == NONCE_LEN {
                iv.copy_from_slice(fixed);
            } else {
                iv[..4].copy_from_slice(&fixed[..4.min(fixed.len())]);
                iv[4..].copy_from_slice(&seq.to_be_bytes());
            }
            iv
        };
        let side = |key: &[u8], fixed: &[u8], seq: u64| {
            ConnectionTrafficSecrets::new(suite.aead, key, iv(fixed, seq))
                .ok_or_else(|| Error::General("cannot extract the traffic keys".into()))
        };
        Ok((
            side(kb.client_write_key(), kb.client_write_iv(), tx_seq)?,
            side(kb.server_write_key(), kb.server_write_iv(), rx_seq)?,
        ))
    }
}

/// ClientHello.random and ServerHello.random: the key block, the
/// ServerKeyExchange signature and the exporter all take them.
#[derive(Clone, Copy)]
struct Randoms {
    client: [u8; 32],
    server: [u8; 32],
}

/// What the ServerHello left for the rest of the handshake.
pub(super) struct HandshakeStart {
    pub(super) config: Arc<ClientConfig>,
    pub(super) server_name: ServerName<'static>,
    pub(super) suite: &'static Tls12CipherSuite,
    /// Through the ServerHello.
    pub(super) transcript: Transcript,
    /// The extension types of our ClientHello.
    pub(super) offered: OfferedExtensions,
    pub(super) client_random: [u8; 32],
    /// The key we sent a TLS 1.3 share of, if any: reused for the
    /// ClientKeyExchange when the server picks its group.
    pub(super) key_share: Option<KeyExchange>,
    /// The legacy_session_id of our ClientHello.
    pub(super) session_id: SessionId,
    /// The stored session our ClientHello offered.
    pub(super) resuming: Option<Tls12Session>,
}

/// What every state before the key exchange carries.
struct HandshakeCore {
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    suite: &'static Tls12CipherSuite,
    transcript: Transcript,
    randoms: Randoms,
    /// Whether the server agreed to the extended master secret (RFC 7627).
    extended_master_secret: bool,
    key_share: Option<KeyExchange>,
    /// The ServerHello's session id, the session's name if we store it.
    server_session_id: SessionId,
    /// Whether the server said it will send a NewSessionTicket.
    expect_ticket: bool,
}

/// The extensions a TLS 1.2 ServerHello may carry, of those this client
/// can have offered.
const ALLOWED_IN_TLS12_SERVER_HELLO: &[ExtensionType] = &[
    ExtensionType::ServerName,
    ExtensionType::EcPointFormats,
    ExtensionType::ApplicationLayerProtocolNegotiation,
    ExtensionType::ExtendedMasterSecret,
    ExtensionType::RenegotiationInfo,
    ExtensionType::SessionTicket,
];

/// Checks the extensions of a TLS 1.2 ServerHello, records what they
/// negotiated, and returns the state that waits for the Certificate.
pub(super) fn start_handshake(
    mut start: HandshakeStart,
    sh: &ServerHello,
    common: &mut CommonState,
) -> Result<super::State, Error> {
    check_server_hello_extensions(&start.offered, sh)?;
    if let Some(protocol) = sh.alpn_protocol() {
        // RFC 7301 §3.2: the server picks one of the protocols we sent.
        if !start.config.alpn_protocols.iter().any(|p| p == protocol) {
            return Err(PeerMisbehaved::Other(
                "server chose an ALPN protocol we did not offer",
                AlertDescription::IllegalParameter,
            )
            .into());
        }
        common.alpn_protocol = Some(protocol.to_vec());
    }
    let extended_master_secret = sh.has_extension(ExtensionType::ExtendedMasterSecret);
    if !extended_master_secret {
        // RFC 7627 §5.3 lets a client go on without it; the session's
        // master secret then depends on the randoms alone.
        common.log(
            LogLevel::Warn,
            format_args!("server does not support the extended master secret (RFC 7627)"),
        );
    }
    common.log(
        LogLevel::Debug,
        format_args!("server chose TLS 1.2, {:?}", start.suite.suite),
    );
    let randoms = Randoms {
        client: start.client_random,
        server: sh.random.0,
    };
    let expect_ticket = tls12_resume::server_will_send_ticket(sh);
    if let Some(session) = start.resuming.take() {
        // RFC 5246 §7.4.1.3 (RFC 5077 §3.4 for a ticket): echoing our
        // session id accepts the session; anything else starts a new one.
        if !start.session_id.is_empty() && sh.session_id == start.session_id {
            let master_secret =
                tls12_resume::check_resumption(&session, sh, start.suite, extended_master_secret)?;
            return start_abbreviated(
                start,
                session,
                master_secret,
                randoms,
                expect_ticket,
                common,
            )
            .map(super::State::Tls12);
        }
        // The server would not take it this time and will not later.
        if let Some(store) = &start.config.resumption.store {
            store.remove_tls12_session(&start.server_name);
        }
        common.offered_tls12_session = None;
        common.log(
            LogLevel::Debug,
            format_args!("server declined our TLS 1.2 session"),
        );
    }
    Ok(super::State::Tls12(State::ExpectCertificate(
        ExpectCertificate {
            core: Box::new(HandshakeCore {
                config: start.config,
                server_name: start.server_name,
                suite: start.suite,
                transcript: start.transcript,
                randoms,
                extended_master_secret,
                key_share: start.key_share,
                server_session_id: sh.session_id,
                expect_ticket,
            }),
        },
    )))
}

/// The abbreviated handshake (RFC 5246 §7.3): the keys come from the
/// session's master secret with the new randoms (§6.3), the server's
/// identity is the session's, and the server's Finished comes first.
fn start_abbreviated(
    start: HandshakeStart,
    session: Tls12Session,
    master_secret: MasterSecret,
    randoms: Randoms,
    expect_ticket: bool,
    common: &mut CommonState,
) -> Result<State, Error> {
    let HandshakeStart {
        config,
        server_name,
        mut transcript,
        ..
    } = start;
    // RFC 5246 §7.3: no certificates in an abbreviated handshake, so
    // nothing will sign the messages.
    transcript.stop_keeping_messages();
    let suite = session.suite;
    if let Some(key_log) = &config.key_log {
        key_log.log("CLIENT_RANDOM", &randoms.client, master_secret.as_bytes());
    }
    let key_block = master_secret.key_block(suite, &randoms.client, &randoms.server);
    common.handshake_kind = Some(HandshakeKind::Resumed);
    common.peer_certificates = Some(session.server_cert_chain.clone());
    common.kx_group = session.kx_group;
    common.log(
        LogLevel::Debug,
        format_args!("server resumed our TLS 1.2 session"),
    );
    let finishing = Box::new(Session {
        suite,
        randoms,
        master_secret,
        transcript,
        client_finish: Some(encrypter(suite, &key_block)?),
        to_store: SessionToStore {
            config,
            server_name,
            session_id: session.session_id,
            extended_master_secret: session.extended_master_secret,
            resumed: Some(session),
            ticket: None,
        },
    });
    let decrypter = Box::new(decrypter(suite, &key_block)?);
    Ok(if expect_ticket {
        State::ExpectNewSessionTicket(ExpectNewSessionTicket {
            session: finishing,
            decrypter,
        })
    } else {
        State::ExpectChangeCipherSpec(ExpectChangeCipherSpec {
            session: finishing,
            decrypter,
        })
    })
}

fn check_server_hello_extensions(
    offered: &OfferedExtensions,
    sh: &ServerHello,
) -> Result<(), Error> {
    for ext in &sh.extensions {
        let typ = ext.ext_type();
        // RFC 5246 §7.4.1.4: an extension we did not ask for is
        // unsupported_extension.
        if !offered.contains(typ) {
            return Err(PeerMisbehaved::Other(
                "server sent an extension we did not offer",
                AlertDescription::UnsupportedExtension,
            )
            .into());
        }
        // RFC 8446 §4.2: a known extension in a message it does not belong
        // to (key_share in a TLS 1.2 ServerHello, say) is illegal_parameter.
        if !ALLOWED_IN_TLS12_SERVER_HELLO.contains(&typ) {
            return Err(PeerMisbehaved::Other(
                "server sent an extension not allowed in a TLS 1.2 ServerHello",
                AlertDescription::IllegalParameter,
            )
            .into());
        }
        match ext {
            // RFC 5746 §3.4: on an initial handshake renegotiated_connection
            // must be empty, else handshake_failure.
            ServerExtension::RenegotiationInfo(data) if !data.is_empty() => {
                return Err(PeerMisbehaved::Other(
                    "server sent a non-empty renegotiation_info on an initial handshake",
                    AlertDescription::HandshakeFailure,
                )
                .into());
            }
            // RFC 8422 §5.1.2: uncompressed points are the one format every
            // implementation must support, and the only one we send.
            ServerExtension::EcPointFormats(formats)
                if !formats.contains(&EcPointFormat::Uncompressed) =>
            {
                return Err(PeerMisbehaved::Other(
                    "server's ec_point_formats do not include uncompressed",
                    AlertDescription::IllegalParameter,
                )
                .into());
            }
            _ => {}
        }
    }
    Ok(())
}

/// Waiting for the server's Certificate (RFC 5246 §7.4.2).
pub(crate) struct ExpectCertificate {
    core: Box<HandshakeCore>,
}

impl ExpectCertificate {
    fn handle(
        mut self,
        common: &mut CommonState,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<State, Error> {
        let HandshakePayload::Certificate12(Certificate12 { chain }) = msg.payload else {
            return Err(unexpected(&[HandshakeType::Certificate], &msg));
        };
        // RFC 5246 §7.4.2: the ECDHE_ECDSA and ECDHE_RSA suites need the
        // server's certificate.
        verify_server_chain(&self.core.config, &self.core.server_name, &chain)?;
        self.core.transcript.add(raw);
        // The verified chain is the connection's from here on; the next
        // state reads the end entity from it.
        common.peer_certificates = Some(chain.into());
        Ok(State::ExpectServerKeyExchange(ExpectServerKeyExchange {
            core: self.core,
        }))
    }
}

/// Waiting for the ServerKeyExchange: the server's ephemeral ECDH key,
/// signed with its certificate's key (RFC 8422 §5.4).
pub(crate) struct ExpectServerKeyExchange {
    core: Box<HandshakeCore>,
}

impl ExpectServerKeyExchange {
    fn handle(
        mut self,
        common: &mut CommonState,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<State, Error> {
        let HandshakePayload::ServerKeyExchange(ske) = msg.payload else {
            return Err(unexpected(&[HandshakeType::ServerKeyExchange], &msg));
        };
        let group = self
            .core
            .config
            .kx_groups
            .iter()
            .copied()
            .find(|g| g.name() == ske.params.group)
            // RFC 8422 §5.1.1: the server picks a curve from our
            // supported_groups.
            .ok_or(PeerMisbehaved::Other(
                "server chose a group we did not offer",
                AlertDescription::IllegalParameter,
            ))?;
        self.verify_signature(common, &ske)?;
        self.core.transcript.add(raw);
        Ok(State::ExpectServerHelloDone(ExpectServerHelloDone {
            core: self.core,
            group,
            server_public: ske.params.public,
            certificate_request: None,
        }))
    }

    /// RFC 8422 §5.4: the signature covers ClientHello.random +
    /// ServerHello.random + ServerECDHParams, made with the certificate's
    /// key.
    fn verify_signature(
        &self,
        common: &CommonState,
        ske: &EcdheServerKeyExchange,
    ) -> Result<(), Error> {
        let scheme = ske.signature.scheme;
        let verifier = &self.core.config.verifier;
        // RFC 5246 §7.4.3: the scheme must be one we listed in
        // signature_algorithms.
        if !self.core.config.verify_schemes.contains(&scheme) {
            return Err(PeerMisbehaved::SignatureSchemeNotPermitted(scheme).into());
        }
        // RFC 8422 §5.4 (and RFC 5246 §7.4.3): the key that signs is the
        // kind the suite names, ECDSA (or EdDSA) or RSA.
        if !self.core.suite.usable_with(scheme) {
            return Err(PeerMisbehaved::SignatureSchemeDoesNotMatchKey(scheme).into());
        }
        let end_entity = common
            .peer_certificates
            .as_ref()
            .and_then(|chain| chain.first())
            .ok_or(CertificateError::NoCertificate)?;
        let message = ske.signed_content(&self.core.randoms.client, &self.core.randoms.server);
        verifier.verify_tls12_signature(&message, end_entity, scheme, &ske.signature.signature)?;
        Ok(())
    }
}

/// Waiting for ServerHelloDone, or a CertificateRequest before it
/// (RFC 5246 §7.4.4, §7.4.5).
pub(crate) struct ExpectServerHelloDone {
    core: Box<HandshakeCore>,
    /// The group of the server's key, one we offered.
    group: &'static SupportedKxGroup,
    /// ServerECDHParams.point.
    server_public: Vec<u8>,
    /// The server's CertificateRequest, if it sent one (boxed: it is rare,
    /// and the states stay small).
    certificate_request: Option<Box<CertificateRequest12>>,
}

impl ExpectServerHelloDone {
    fn handle(
        mut self,
        common: &mut CommonState,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<State, Error> {
        match msg.payload {
            HandshakePayload::CertificateRequest12(req) if self.certificate_request.is_none() => {
                self.handle_certificate_request(common, &req);
                self.core.transcript.add(raw);
                self.certificate_request = Some(Box::new(req));
                Ok(State::ExpectServerHelloDone(self))
            }
            HandshakePayload::ServerHelloDone => {
                // RFC 5246 §7.4.5: ServerHelloDone ends the server's
                // flight; what it sends next answers ours and comes under
                // new keys, so nothing may follow it in its record.
                common.check_record_ends_here()?;
                self.core.transcript.add(raw);
                self.send_client_flight(common)
            }
            _ => Err(unexpected(
                &[
                    HandshakeType::CertificateRequest,
                    HandshakeType::ServerHelloDone,
                ],
                &msg,
            )),
        }
    }

    /// RFC 5246 §7.4.4: the server asks for our certificate; we answer
    /// with our flight, after ServerHelloDone.
    fn handle_certificate_request(&self, common: &CommonState, req: &CertificateRequest12) {
        common.log(
            LogLevel::Debug,
            format_args!(
                "server asked for a client certificate (types {:?}, schemes {:?}, {} acceptable CAs)",
                req.certificate_types,
                req.signature_algorithms,
                req.certificate_authorities.len()
            ),
        );
    }

    /// Our flight (RFC 5246 §7.3): an empty Certificate if asked,
    /// ClientKeyExchange, ChangeCipherSpec, and Finished under the new keys.
    fn send_client_flight(self, common: &mut CommonState) -> Result<State, Error> {
        let Self {
            core,
            group,
            server_public,
            certificate_request,
        } = self;
        let HandshakeCore {
            config,
            server_name,
            suite,
            mut transcript,
            randoms,
            extended_master_secret,
            key_share,
            server_session_id,
            expect_ticket,
        } = *core;

        // RFC 5246 §7.4.6: our Certificate comes first; with no suitable
        // certificate, one with an empty list. The scheme for
        // CertificateVerify is chosen now, since it decides which.
        let client_auth = match &certificate_request {
            Some(req) => send_tls12_certificate(common, &config, req, &mut transcript)?,
            None => {
                transcript.stop_keeping_messages();
                None
            }
        };

        // The key of our TLS 1.3 share serves if it is on the server's
        // group; it was never used for anything else.
        let kx = match key_share {
            Some(kx) if kx.group() == group => kx,
            _ => KeyExchange::start(group, &config.randomness)?,
        };
        let cke = HandshakeMessage::new(HandshakePayload::ClientKeyExchange(
            EcdheClientKeyExchange {
                public: kx.public_key().to_vec(),
            },
        ))
        .get_encoding();
        common.kx_group = Some(kx.group());
        let pre_master_secret = kx.complete(&server_public)?;
        transcript.add(&cke);
        common.send_handshake(&cke)?;

        // RFC 7627 §4: with the extension the master secret covers the
        // transcript through ClientKeyExchange; RFC 5246 §8.1 otherwise.
        let master_secret = if extended_master_secret {
            MasterSecret::new_extended(suite.hash, pre_master_secret, &transcript.current_hash())
        } else {
            MasterSecret::new(
                suite.hash,
                pre_master_secret,
                &randoms.client,
                &randoms.server,
            )
        };
        if let Some(key_log) = &config.key_log {
            key_log.log("CLIENT_RANDOM", &randoms.client, master_secret.as_bytes());
        }
        let key_block = master_secret.key_block(suite, &randoms.client, &randoms.server);

        // RFC 5246 §7.4.8: CertificateVerify follows ClientKeyExchange. It
        // is not in RFC 7627's session hash, which ends at ClientKeyExchange
        // (so it is sent after the master secret is made).
        if let Some((ck, scheme)) = client_auth {
            send_tls12_certificate_verify(common, &config, ck, scheme, &mut transcript)?;
        }

        // RFC 5246 §7.1: ChangeCipherSpec, then everything we send is
        // under the new keys, starting with Finished.
        common.send(ContentType::ChangeCipherSpec, &[1])?;
        common.set_encrypter(encrypter(suite, &key_block)?);
        let verify_data = master_secret.client_finished(&transcript.current_hash());
        let finished = HandshakeMessage::encode_finished(&verify_data);
        transcript.add(&finished);
        common.send_handshake(&finished)?;

        let session = Box::new(Session {
            suite,
            randoms,
            master_secret,
            transcript,
            client_finish: None,
            to_store: SessionToStore {
                config,
                server_name,
                session_id: server_session_id,
                extended_master_secret,
                resumed: None,
                ticket: None,
            },
        });
        let decrypter = Box::new(decrypter(suite, &key_block)?);
        // RFC 5077 §3.3: a server that answered our session_ticket
        // extension sends NewSessionTicket before its ChangeCipherSpec.
        Ok(if expect_ticket {
            State::ExpectNewSessionTicket(ExpectNewSessionTicket { session, decrypter })
        } else {
            State::ExpectChangeCipherSpec(ExpectChangeCipherSpec { session, decrypter })
        })
    }
}

/// RFC 5246 §6.3 with RFC 5288 §3 / RFC 7905 §2: the record keys of each
/// direction from the key block.
fn encrypter(suite: &Tls12CipherSuite, kb: &KeyBlock) -> Result<RecordEncrypter, Error> {
    RecordEncrypter::tls12(
        kb.client_aead_key()?,
        kb.client_write_iv(),
        suite.explicit_nonce_len,
    )
}

fn decrypter(suite: &Tls12CipherSuite, kb: &KeyBlock) -> Result<RecordDecrypter, Error> {
    RecordDecrypter::tls12(
        kb.server_aead_key()?,
        kb.server_write_iv(),
        suite.explicit_nonce_len,
    )
}

/// What the end of the handshake needs once the keys exist.
struct Session {
    suite: &'static Tls12CipherSuite,
    randoms: Randoms,
    master_secret: MasterSecret,
    /// Through our Finished (full handshake) or the ServerHello
    /// (abbreviated), and the NewSessionTicket if one came.
    transcript: Transcript,
    /// In an abbreviated handshake, our write keys: our ChangeCipherSpec
    /// and Finished follow the server's Finished (RFC 5246 §7.3).
    client_finish: Option<RecordEncrypter>,
    to_store: SessionToStore,
}

/// Waiting for the NewSessionTicket the server promised by answering our
/// session_ticket extension (RFC 5077 §3.3): it must come, before the
/// server's ChangeCipherSpec.
pub(crate) struct ExpectNewSessionTicket {
    session: Box<Session>,
    /// The server's write keys (boxed: the states stay small).
    decrypter: Box<RecordDecrypter>,
}

impl ExpectNewSessionTicket {
    fn handle(mut self, msg: HandshakeMessage, raw: &[u8]) -> Result<State, Error> {
        let HandshakePayload::NewSessionTicket12(ticket) = msg.payload else {
            return Err(unexpected(&[HandshakeType::NewSessionTicket], &msg));
        };
        // RFC 5077 §3.3: the message is part of the handshake the
        // Finished messages cover.
        self.session.transcript.add(raw);
        self.session.to_store.ticket = Some(ticket);
        let Self { session, decrypter } = self;
        Ok(State::ExpectChangeCipherSpec(ExpectChangeCipherSpec {
            session,
            decrypter,
        }))
    }
}

/// Waiting for the server's ChangeCipherSpec (RFC 5246 §7.1), with the
/// keys it will switch to.
pub(crate) struct ExpectChangeCipherSpec {
    session: Box<Session>,
    decrypter: Box<RecordDecrypter>,
}

impl ExpectChangeCipherSpec {
    fn handle(self, common: &mut CommonState) -> State {
        let Self { session, decrypter } = self;
        common.set_decrypter(*decrypter);
        // The connection refuses a ChangeCipherSpec inside a partly
        // received handshake message, so none can span this change; the
        // check that flag asks for is already done.
        common.read_keys_changed = false;
        State::ExpectFinished(ExpectFinished { session })
    }
}

/// Waiting for the server's Finished (RFC 5246 §7.4.9).
pub(crate) struct ExpectFinished {
    session: Box<Session>,
}

impl ExpectFinished {
    fn handle(
        self,
        common: &mut CommonState,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<State, Error> {
        let HandshakePayload::Finished(verify_data) = msg.payload else {
            return Err(unexpected(&[HandshakeType::Finished], &msg));
        };
        let Session {
            suite,
            randoms,
            master_secret,
            mut transcript,
            client_finish,
            to_store,
        } = *self.session;
        // RFC 5246 §7.4.9: a wrong verify_data is decrypt_error. The
        // comparison takes the same time wherever the bytes differ.
        if !master_secret.verify_server_finished(&transcript.current_hash(), &verify_data) {
            return Err(PeerMisbehaved::Other(
                "server's Finished does not match the handshake",
                AlertDescription::DecryptError,
            )
            .into());
        }
        if let Some(encrypter) = client_finish {
            // RFC 5246 §7.3: in the abbreviated handshake our
            // ChangeCipherSpec and Finished answer the server's, and our
            // Finished covers theirs.
            transcript.add(raw);
            common.send(ContentType::ChangeCipherSpec, &[1])?;
            common.set_encrypter(encrypter);
            let verify_data = master_secret.client_finished(&transcript.current_hash());
            let finished = HandshakeMessage::encode_finished(&verify_data);
            common.send_handshake(&finished)?;
        }
        let extended_master_secret = to_store.extended_master_secret;
        to_store.store(suite, &master_secret, common);
        common.may_receive_application_data = true;
        common.start_sending_application_data()?;
        common.log(
            LogLevel::Info,
            format_args!("handshake complete: TLS 1.2, {:?}", suite.suite),
        );
        Ok(State::Traffic(Box::new(Traffic {
            randoms,
            master_secret,
            extended_master_secret,
        })))
    }
}

/// The connection after the handshake: application data flows; the
/// master secret stays for the exporter (RFC 5705).
pub(crate) struct Traffic {
    randoms: Randoms,
    master_secret: MasterSecret,
    /// Whether the master secret is the extended one (RFC 7627): without
    /// it, keying material is not exported.
    extended_master_secret: bool,
}

#[cfg(test)]
#[path = "tls12_tests.rs"]
mod tests;
