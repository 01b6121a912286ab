//! The TLS 1.3 client handshake after the ServerHello, and the connection
//! after the handshake (RFC 8446 §2, §4).
//!
//! ```text
//!   (ServerHello: handshake keys)
//!                <------------------  {EncryptedExtensions}
//!                <------------------  {CertificateRequest}   (optional)
//!                <------------------  {Certificate}
//!                <------------------  {CertificateVerify}
//!                <------------------  {Finished}             (application keys)
//!   {Certificate}  ------------------>                       (if requested)
//!   {CertificateVerify} ------------->                       (if we have a key it accepts)
//!   {Finished}     ------------------>
//!                <=================>  [Application Data], NewSessionTicket, KeyUpdate
//! ```

use std::sync::Arc;

use rustls_pki_types::{CertificateDer, ServerName};

use super::client_cert::{send_tls13_client_auth, ClientAuthRequest};
use super::hello::{OfferedExtensions, ResumptionOffer};
use super::session::{Tls13Session, MAX_TICKET_LEN, MAX_TICKET_LIFETIME};
use super::{unexpected, verify_server_chain, ClientConfig};
use crate::conn::{CommonState, ConnectionTrafficSecrets};
use crate::crypto::hash::Transcript;
use crate::crypto::kx::SharedSecret;
use crate::crypto::suites::Tls13CipherSuite;
use crate::crypto::tls13::{
    self as keys, EarlySecret, FinishedKey, HandshakeSecret, Secret, TrafficKeys,
};
use crate::error::{CertificateError, Error, InvalidMessage, PeerMisbehaved};
use crate::log::LogLevel;
use crate::msgs::enums::{AlertDescription, ExtensionType, HandshakeType, KeyUpdateRequest};
use crate::msgs::extensions::ExtensionForm;
use crate::msgs::handshake::{HandshakeMessage, HandshakePayload};
use crate::msgs::tls13::{
    Certificate13, CertificateRequest13, EncryptedExtensions, NewSessionTicket13,
};
use crate::record::protect::{Iv, RecordDecrypter, RecordEncrypter};
use crate::verify::signature::tls13_server_verify_message;

/// What a TLS 1.3 connection waits for.
///
/// The handshake states share one boxed [`HandshakeCore`], which moves
/// from state to state as a pointer: no allocation and no copy of the
/// transcript and secrets per message.
pub(crate) enum State {
    ExpectEncryptedExtensions(ExpectEncryptedExtensions),
    ExpectCertificate(ExpectCertificate),
    ExpectCertificateVerify(ExpectCertificateVerify),
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
        match self {
            Self::ExpectEncryptedExtensions(s) => s.handle(common, msg, raw),
            Self::ExpectCertificate(s) => s.handle(common, msg, raw),
            Self::ExpectCertificateVerify(s) => s.handle(common, msg, raw),
            Self::ExpectFinished(s) => s.handle(common, msg, raw),
            Self::Traffic(s) => s.handle(common, msg),
        }
    }

    pub(super) fn before_server_finished(&self) -> bool {
        !matches!(self, Self::Traffic(_))
    }

    pub(super) fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<(), Error> {
        match self {
            Self::Traffic(t) => keys::export(&t.exporter_secret, label, context, out),
            _ => Err(Error::HandshakeNotComplete),
        }
    }

    /// The current application traffic keys (RFC 8446 §7.3), ours and
    /// the server's: after KeyUpdates, those of the latest secrets.
    pub(super) fn traffic_secrets(
        &self,
    ) -> Result<(ConnectionTrafficSecrets, ConnectionTrafficSecrets), Error> {
        let Self::Traffic(t) = self else {
            return Err(Error::HandshakeNotComplete);
        };
        let aead = t.suite.aead;
        let side = |secret: &Secret| {
            let keys = secret.traffic_keys(aead);
            ConnectionTrafficSecrets::new(aead, keys.key_bytes(), keys.iv())
                .ok_or_else(|| Error::General("cannot extract the traffic keys".into()))
        };
        Ok((side(&t.client_secret)?, side(&t.server_secret)?))
    }
}

/// What the ServerHello left for the rest of the handshake.
pub(super) struct HandshakeStart {
    pub(super) config: Arc<ClientConfig>,
    pub(super) server_name: ServerName<'static>,
    pub(super) suite: &'static Tls13CipherSuite,
    /// Through the ServerHello.
    pub(super) transcript: Transcript,
    /// The extension types of our (last) ClientHello.
    pub(super) offered: OfferedExtensions,
    /// Names the connection's secrets in the key log.
    pub(super) client_random: [u8; 32],
    /// The session the server resumed (its ServerHello had
    /// pre_shared_key), if it did, with its Early Secret.
    pub(super) resumed: Option<ResumptionOffer>,
    /// Whether we sent 0-RTT data (our write keys are the early ones).
    pub(super) early_data_offered: bool,
}

/// What every state of the encrypted part of the handshake carries.
struct HandshakeCore {
    config: Arc<ClientConfig>,
    client_random: [u8; 32],
    server_name: ServerName<'static>,
    suite: &'static Tls13CipherSuite,
    transcript: Transcript,
    offered: OfferedExtensions,
    key_schedule: HandshakeSecret,
    /// client_handshake_traffic_secret: our record keys after 0-RTT data.
    client_secret: Secret,
    /// The finished_keys of the client and server handshake traffic
    /// secrets: they key our Finished and the server's.
    client_finished: FinishedKey,
    server_finished: FinishedKey,
    /// In a resumed handshake, the server's chain from the original one.
    resumed_chain: Option<Arc<[CertificateDer<'static>]>>,
    /// Our writes still use the client_early_traffic_secret: 0-RTT data
    /// was offered and not (yet) turned down.
    sending_early_data: bool,
    /// What the 0-RTT data was sent under, if any was offered.
    early_data_terms: Option<EarlyDataTerms>,
}

/// RFC 8446 §4.2.10: a server accepts 0-RTT data only with the cipher
/// suite and ALPN protocol of the ticket, which the data was written for.
struct EarlyDataTerms {
    suite: &'static Tls13CipherSuite,
    alpn: Option<Vec<u8>>,
}

/// RFC 8446 §7.1: derives the handshake traffic secrets from the ECDHE
/// secret and the transcript through the ServerHello, and switches both
/// directions to them.
pub(super) fn start_handshake_keys(
    start: HandshakeStart,
    shared: SharedSecret,
    common: &mut CommonState,
) -> Result<super::State, Error> {
    let hash = start.suite.hash;
    // RFC 8446 §7.1: a resumed handshake starts the schedule from the
    // ticket's PSK, a full one from zeros.
    let early_data_terms = start
        .resumed
        .as_ref()
        .filter(|_| start.early_data_offered)
        .map(|offer| EarlyDataTerms {
            suite: offer.session.suite,
            alpn: offer.session.alpn.clone(),
        });
    let (early_secret, resumed_chain) = match start.resumed {
        Some(offer) => (offer.early_secret, Some(offer.session.server_cert_chain)),
        None => (EarlySecret::new(hash, None), None),
    };
    let key_schedule = early_secret.into_handshake_secret(Some(shared));
    let hello_hash = start.transcript.current_hash();
    let client_secret = key_schedule.client_handshake_traffic_secret(&hello_hash);
    let server_secret = key_schedule.server_handshake_traffic_secret(&hello_hash);
    if let Some(key_log) = &start.config.key_log {
        key_log.log(
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            &start.client_random,
            client_secret.as_bytes(),
        );
        key_log.log(
            "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            &start.client_random,
            server_secret.as_bytes(),
        );
    }
    let (server_keys, server_finished) = server_secret.handshake_traffic_keys(start.suite.aead);
    let (client_keys, client_finished) = client_secret.handshake_traffic_keys(start.suite.aead);
    common.set_decrypter(decrypter_from(&server_keys)?);
    if start.early_data_offered {
        // RFC 8446 §4.5, §2.3: our early data keys stay until
        // EndOfEarlyData, or until the server turns the data down.
        common.early_data = crate::conn::EarlyDataState::Offered;
    } else {
        common.set_encrypter(encrypter_from(&client_keys)?);
    }
    Ok(super::State::Tls13(State::ExpectEncryptedExtensions(
        ExpectEncryptedExtensions {
            core: Box::new(HandshakeCore {
                config: start.config,
                client_random: start.client_random,
                server_name: start.server_name,
                suite: start.suite,
                transcript: start.transcript,
                offered: start.offered,
                key_schedule,
                client_secret,
                client_finished,
                server_finished,
                resumed_chain,
                sending_early_data: start.early_data_offered,
                early_data_terms,
            }),
        },
    )))
}

/// RFC 8446 §7.3: the record keys of one direction from its traffic secret.
fn decrypter(suite: &Tls13CipherSuite, secret: &Secret) -> Result<RecordDecrypter, Error> {
    decrypter_from(&secret.traffic_keys(suite.aead))
}

fn decrypter_from(keys: &TrafficKeys) -> Result<RecordDecrypter, Error> {
    Ok(RecordDecrypter::tls13(keys.aead_key()?, Iv::new(keys.iv())))
}

pub(super) fn encrypter(
    suite: &Tls13CipherSuite,
    secret: &Secret,
) -> Result<RecordEncrypter, Error> {
    encrypter_from(&secret.traffic_keys(suite.aead))
}

fn encrypter_from(keys: &TrafficKeys) -> Result<RecordEncrypter, Error> {
    Ok(RecordEncrypter::tls13(keys.aead_key()?, Iv::new(keys.iv())))
}

/// The extensions EncryptedExtensions may carry (RFC 8446 §4.2's table),
/// of those this client can have offered.
const ALLOWED_IN_ENCRYPTED_EXTENSIONS: &[ExtensionType] = &[
    ExtensionType::ServerName,
    ExtensionType::MaxFragmentLength,
    ExtensionType::SupportedGroups,
    ExtensionType::UseSrtp,
    ExtensionType::Heartbeat,
    ExtensionType::ApplicationLayerProtocolNegotiation,
    ExtensionType::EarlyData,
    ExtensionType::RecordSizeLimit,
];

/// Waiting for EncryptedExtensions (RFC 8446 §4.3.1).
pub(crate) struct ExpectEncryptedExtensions {
    core: Box<HandshakeCore>,
}

impl ExpectEncryptedExtensions {
    fn handle(
        mut self,
        common: &mut CommonState,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<State, Error> {
        let HandshakePayload::EncryptedExtensions(ee) = msg.payload else {
            return Err(unexpected(&[HandshakeType::EncryptedExtensions], &msg));
        };
        self.check_extensions(&ee)?;
        if let Some(protocol) = ee.alpn_protocol() {
            // RFC 7301 §3.2: the server picks one of the protocols we sent.
            if !self
                .core
                .config
                .alpn_protocols
                .iter()
                .any(|p| p == protocol)
            {
                return Err(PeerMisbehaved::Other(
                    "server chose an ALPN protocol we did not offer",
                    AlertDescription::IllegalParameter,
                )
                .into());
            }
            common.alpn_protocol = Some(protocol.to_vec());
        }
        self.answer_early_data(common, &ee)?;
        self.core.transcript.add(raw);
        if let Some(chain) = self.core.resumed_chain.take() {
            // RFC 8446 §2.2: the PSK authenticates the server, which sends
            // no Certificate or CertificateVerify (and, §4.3.2, no
            // CertificateRequest); the identity is the original one.
            common.peer_certificates = Some(chain);
            return Ok(State::ExpectFinished(ExpectFinished {
                core: self.core,
                client_auth: None,
            }));
        }
        Ok(State::ExpectCertificate(ExpectCertificate {
            core: self.core,
            client_auth: None,
        }))
    }

    /// RFC 8446 §4.2.10: the server accepts our 0-RTT data by an
    /// early_data extension here, which it may send only if it accepted the
    /// PSK (the first, which is the only one we offer). Without it, the
    /// data was skipped and our writes move to the handshake keys.
    fn answer_early_data(
        &mut self,
        common: &mut CommonState,
        ee: &EncryptedExtensions,
    ) -> Result<(), Error> {
        use crate::conn::EarlyDataState;
        if ee.early_data_accepted() {
            if !self.core.sending_early_data || self.core.resumed_chain.is_none() {
                return Err(PeerMisbehaved::Other(
                    "server accepted early data without resuming our session",
                    AlertDescription::IllegalParameter,
                )
                .into());
            }
            // RFC 8446 §4.2.10: the server must keep the ticket's suite
            // and ALPN protocol to accept; our data was meant for those.
            if let Some(terms) = &self.core.early_data_terms {
                if !core::ptr::eq(terms.suite, self.core.suite) {
                    return Err(PeerMisbehaved::Other(
                        "server accepted early data under a cipher suite other than the ticket's",
                        AlertDescription::IllegalParameter,
                    )
                    .into());
                }
                if terms.alpn != common.alpn_protocol {
                    return Err(PeerMisbehaved::Other(
                        "server accepted early data with an ALPN protocol other than the ticket's",
                        AlertDescription::IllegalParameter,
                    )
                    .into());
                }
            }
            common.early_data = EarlyDataState::Accepted;
        } else if self.core.sending_early_data {
            self.core.sending_early_data = false;
            common.early_data = EarlyDataState::Rejected;
            common.set_encrypter(encrypter(self.core.suite, &self.core.client_secret)?);
            common.log(
                LogLevel::Info,
                format_args!("server rejected our 0-RTT data; it must be sent again"),
            );
        }
        Ok(())
    }

    /// RFC 8446 §4.2: an extension we did not offer is unsupported_extension;
    /// one we offered that does not belong here is illegal_parameter.
    fn check_extensions(&self, ee: &EncryptedExtensions) -> Result<(), Error> {
        for ext in &ee.extensions {
            let typ = ext.ext_type();
            if !self.core.offered.contains(typ) {
                return Err(PeerMisbehaved::Other(
                    "server sent an extension we did not offer",
                    AlertDescription::UnsupportedExtension,
                )
                .into());
            }
            if !ALLOWED_IN_ENCRYPTED_EXTENSIONS.contains(&typ) {
                return Err(PeerMisbehaved::Other(
                    "server sent an extension not allowed in EncryptedExtensions",
                    AlertDescription::IllegalParameter,
                )
                .into());
            }
        }
        Ok(())
    }
}

/// Waiting for the server's Certificate, or a CertificateRequest before it
/// (RFC 8446 §4.3.2, §4.4.2).
pub(crate) struct ExpectCertificate {
    core: Box<HandshakeCore>,
    /// The server's CertificateRequest, if it sent one (boxed: it is rare,
    /// and the states stay two words).
    client_auth: Option<Box<ClientAuthRequest>>,
}

impl ExpectCertificate {
    fn handle(
        self,
        common: &mut CommonState,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<State, Error> {
        match msg.payload {
            HandshakePayload::CertificateRequest13(req) if self.client_auth.is_none() => {
                self.handle_certificate_request(common, req, raw)
            }
            HandshakePayload::Certificate13(cert) => self.handle_certificate(common, cert, raw),
            _ => Err(unexpected(
                &[
                    HandshakeType::Certificate,
                    HandshakeType::CertificateRequest,
                ],
                &msg,
            )),
        }
    }

    /// RFC 8446 §4.3.2: the server asks for our certificate. We answer
    /// after its Finished; here we note the context to echo and the
    /// schemes it accepts.
    fn handle_certificate_request(
        mut self,
        common: &mut CommonState,
        req: CertificateRequest13,
        raw: &[u8],
    ) -> Result<State, Error> {
        // RFC 8446 §4.3.2: the certificate_request_context "SHALL be zero
        // length unless used for the post-handshake authentication
        // exchanges".
        if !req.context.is_empty() {
            return Err(InvalidMessage::IllegalValue(
                "CertificateRequest.certificate_request_context",
            )
            .into());
        }
        // RFC 8446 §4.3.2: "The "signature_algorithms" extension MUST be
        // specified".
        let schemes = req
            .signature_algorithms()
            .ok_or(PeerMisbehaved::Other(
                "server's CertificateRequest has no signature_algorithms",
                AlertDescription::MissingExtension,
            ))?
            .to_vec();
        common.log(
            LogLevel::Debug,
            format_args!("server asked for a client certificate (schemes {schemes:?})"),
        );
        self.core.transcript.add(raw);
        self.client_auth = Some(Box::new(ClientAuthRequest {
            context: req.context,
            schemes,
        }));
        Ok(State::ExpectCertificate(self))
    }

    fn handle_certificate(
        mut self,
        common: &mut CommonState,
        cert: Certificate13,
        raw: &[u8],
    ) -> Result<State, Error> {
        // RFC 8446 §4.4.2: a server's certificate_request_context is empty.
        if !cert.context.is_empty() {
            return Err(
                InvalidMessage::IllegalValue("Certificate.certificate_request_context").into(),
            );
        }
        // RFC 8446 §4.4.2.4: an empty server Certificate is decode_error.
        if cert.entries.is_empty() {
            return Err(InvalidMessage::EmptyVector("Certificate.certificate_list").into());
        }
        // RFC 8446 §4.4.2: entry extensions answer ClientHello extensions,
        // and we sent none that a certificate entry may answer.
        if cert.entries.iter().any(|e| !e.extensions.is_empty()) {
            return Err(PeerMisbehaved::Other(
                "server sent a certificate extension we did not ask for",
                AlertDescription::UnsupportedExtension,
            )
            .into());
        }
        let chain: Arc<[CertificateDer<'static>]> =
            cert.entries.into_iter().map(|e| e.cert).collect();
        verify_server_chain(&self.core.config, &self.core.server_name, &chain)?;
        self.core.transcript.add(raw);
        // The verified chain is the connection's from here on; the next
        // state reads the end entity from it.
        common.peer_certificates = Some(chain);
        Ok(State::ExpectCertificateVerify(ExpectCertificateVerify {
            core: self.core,
            client_auth: self.client_auth,
        }))
    }
}

/// Waiting for the server's CertificateVerify (RFC 8446 §4.4.3).
pub(crate) struct ExpectCertificateVerify {
    core: Box<HandshakeCore>,
    client_auth: Option<Box<ClientAuthRequest>>,
}

impl ExpectCertificateVerify {
    fn handle(
        mut self,
        common: &mut CommonState,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<State, Error> {
        let HandshakePayload::CertificateVerify(signed) = msg.payload else {
            return Err(unexpected(&[HandshakeType::CertificateVerify], &msg));
        };
        let verifier = &self.core.config.verifier;
        // RFC 8446 §4.4.3: the scheme must be one we offered in
        // signature_algorithms.
        if !self.core.config.verify_schemes.contains(&signed.scheme) {
            return Err(PeerMisbehaved::Other(
                "server signed with a scheme we did not offer",
                AlertDescription::IllegalParameter,
            )
            .into());
        }
        let end_entity = common
            .peer_certificates
            .as_ref()
            .and_then(|chain| chain.first())
            .ok_or(CertificateError::NoCertificate)?;
        let message = tls13_server_verify_message(self.core.transcript.current_hash().as_bytes());
        verifier.verify_tls13_signature(&message, end_entity, signed.scheme, &signed.signature)?;
        self.core.transcript.add(raw);
        Ok(State::ExpectFinished(ExpectFinished {
            core: self.core,
            client_auth: self.client_auth,
        }))
    }
}

/// Waiting for the server's Finished (RFC 8446 §4.4.4).
pub(crate) struct ExpectFinished {
    core: Box<HandshakeCore>,
    client_auth: Option<Box<ClientAuthRequest>>,
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
        // RFC 8446 §5.1: the application keys start after the Finished.
        common.check_record_ends_here()?;
        let HandshakeCore {
            config,
            client_random,
            server_name,
            suite,
            mut transcript,
            key_schedule,
            client_secret,
            client_finished,
            server_finished,
            sending_early_data,
            ..
        } = *self.core;

        // RFC 8446 §4.4.4: a wrong verify_data is decrypt_error. The
        // comparison takes the same time wherever the bytes differ.
        if !server_finished.verify(&transcript.current_hash(), &verify_data) {
            return Err(PeerMisbehaved::Other(
                "server's Finished does not match the handshake",
                AlertDescription::DecryptError,
            )
            .into());
        }
        transcript.add(raw);

        // RFC 8446 §7.1: application secrets and the exporter secret cover
        // the transcript through the server's Finished.
        let server_finished_hash = transcript.current_hash();
        let master = key_schedule.into_master_secret();
        let client_app_secret = master.client_application_traffic_secret(&server_finished_hash);
        let server_app_secret = master.server_application_traffic_secret(&server_finished_hash);
        let exporter_secret = master.exporter_master_secret(&server_finished_hash);
        if let Some(key_log) = &config.key_log {
            key_log.log(
                "CLIENT_TRAFFIC_SECRET_0",
                &client_random,
                client_app_secret.as_bytes(),
            );
            key_log.log(
                "SERVER_TRAFFIC_SECRET_0",
                &client_random,
                server_app_secret.as_bytes(),
            );
            key_log.log(
                "EXPORTER_SECRET",
                &client_random,
                exporter_secret.as_bytes(),
            );
        }
        common.set_decrypter(decrypter(suite, &server_app_secret)?);

        if sending_early_data {
            // RFC 8446 §4.5: the server accepted our early data; its end is
            // marked under the early keys, and the rest of our flight uses
            // the handshake keys.
            let eoed = HandshakeMessage::new(HandshakePayload::EndOfEarlyData).get_encoding();
            transcript.add(&eoed);
            common.send_handshake(&eoed)?;
            common.set_encrypter(encrypter(suite, &client_secret)?);
        }

        // Our second flight, under the handshake keys: Certificate and
        // CertificateVerify if one was requested (RFC 8446 §4.4.2, §4.4.3),
        // then Finished.
        if let Some(request) = self.client_auth {
            send_tls13_client_auth(common, &config, *request, &mut transcript)?;
        }
        let client_verify_data = client_finished.verify_data(&transcript.current_hash());
        let finished = HandshakeMessage::encode_finished(client_verify_data.as_bytes());
        transcript.add(&finished);
        common.send_handshake(&finished)?;

        common.set_encrypter(encrypter(suite, &client_app_secret)?);
        // Tickets are only kept with a session store: without one the
        // resumption secret would never be used, so it is not derived.
        let resumption_secret = config
            .resumption
            .is_enabled()
            .then(|| master.resumption_master_secret(&transcript.current_hash()));
        common.may_receive_application_data = true;
        common.start_sending_application_data()?;
        common.log(
            LogLevel::Info,
            format_args!("handshake complete: TLS 1.3, {:?}", suite.suite),
        );
        Ok(State::Traffic(Box::new(Traffic {
            config,
            server_name,
            suite,
            client_secret: client_app_secret,
            server_secret: server_app_secret,
            exporter_secret,
            resumption_secret,
            tickets_stored: 0,
        })))
    }
}

/// KeyUpdates accepted in a row without application data in between.
const MAX_KEY_UPDATES_IN_A_ROW: usize = 32;

/// Tickets one connection may put in the session store: a server sending
/// endless tickets must not flush everyone else's out.
const MAX_TICKETS_PER_CONNECTION: usize = 8;

/// The connection after the handshake: application data flows, and the
/// server may send tickets and key updates (RFC 8446 §4.6).
pub(crate) struct Traffic {
    config: Arc<ClientConfig>,
    /// Whom the tickets we store are for.
    server_name: ServerName<'static>,
    suite: &'static Tls13CipherSuite,
    /// client_application_traffic_secret_N
    client_secret: Secret,
    /// server_application_traffic_secret_N
    server_secret: Secret,
    exporter_secret: Secret,
    /// resumption_master_secret: each ticket's PSK is derived from it.
    /// None when the config keeps no sessions.
    resumption_secret: Option<Secret>,
    /// Tickets this connection has put in the session store.
    tickets_stored: usize,
}

impl Traffic {
    fn handle(
        mut self: Box<Self>,
        common: &mut CommonState,
        msg: HandshakeMessage,
    ) -> Result<State, Error> {
        match msg.payload {
            HandshakePayload::NewSessionTicket13(ticket) => {
                self.handle_new_ticket(common, ticket)?;
                Ok(State::Traffic(self))
            }
            HandshakePayload::KeyUpdate(request) => {
                common.check_record_ends_here()?;
                self.handle_key_update(common, request)?;
                Ok(State::Traffic(self))
            }
            _ => Err(unexpected(
                &[HandshakeType::NewSessionTicket, HandshakeType::KeyUpdate],
                &msg,
            )),
        }
    }

    /// RFC 8446 §4.6.1: keeps the ticket, with the PSK it stands for, in
    /// the config's session store.
    fn handle_new_ticket(
        &mut self,
        common: &mut CommonState,
        ticket: NewSessionTicket13,
    ) -> Result<(), Error> {
        // RFC 8446 §4.6.1: lifetimes over seven days are illegal.
        if ticket.lifetime > MAX_TICKET_LIFETIME {
            return Err(PeerMisbehaved::Other(
                "server sent a ticket that lives longer than seven days",
                AlertDescription::IllegalParameter,
            )
            .into());
        }
        let (Some(store), Some(resumption_secret)) =
            (&self.config.resumption.store, &self.resumption_secret)
        else {
            return Ok(());
        };
        // RFC 8446 §4.6.1: "The value of zero indicates that the ticket
        // should be discarded immediately."
        if ticket.lifetime == 0 {
            return Ok(());
        }
        if ticket.ticket.len() > MAX_TICKET_LEN {
            common.log(
                LogLevel::Debug,
                format_args!("dropping a ticket of {} bytes", ticket.ticket.len()),
            );
            return Ok(());
        }
        if self.tickets_stored >= MAX_TICKETS_PER_CONNECTION {
            common.log(
                LogLevel::Debug,
                format_args!("dropping a ticket: this connection stored enough"),
            );
            return Ok(());
        }
        let max_early_data_size = ticket.max_early_data_size().unwrap_or(0);
        let session = Tls13Session {
            psk: keys::resumption_psk(resumption_secret, &ticket.nonce)?,
            ticket: ticket.ticket,
            suite: self.suite,
            age_add: ticket.age_add,
            lifetime: ticket.lifetime,
            received_at: self.config.time_provider.now_since_epoch(),
            max_early_data_size,
            alpn: common.alpn_protocol.clone(),
            server_cert_chain: common.peer_certificates.clone().unwrap_or_default(),
        };
        store.insert_tls13_ticket(self.server_name.clone(), session);
        self.tickets_stored += 1;
        common.log(
            LogLevel::Debug,
            format_args!(
                "stored a session ticket (lifetime {} s, early data {max_early_data_size})",
                ticket.lifetime
            ),
        );
        Ok(())
    }

    /// RFC 8446 §4.6.3: the server's next records use its next secret; if
    /// it asks, we answer with a KeyUpdate of our own and move on too.
    fn handle_key_update(
        &mut self,
        common: &mut CommonState,
        request: KeyUpdateRequest,
    ) -> Result<(), Error> {
        let answer = match request {
            KeyUpdateRequest::UpdateNotRequested => false,
            KeyUpdateRequest::UpdateRequested => true,
            _ => return Err(InvalidMessage::IllegalValue("KeyUpdate.request_update").into()),
        };
        common.key_updates_in_a_row += 1;
        if common.key_updates_in_a_row > MAX_KEY_UPDATES_IN_A_ROW {
            return Err(PeerMisbehaved::Other(
                "server sent too many KeyUpdates without data",
                AlertDescription::UnexpectedMessage,
            )
            .into());
        }
        common.log(
            LogLevel::Debug,
            format_args!("server updated its keys (reply requested: {answer})"),
        );
        self.server_secret = self.server_secret.next_traffic_secret();
        common.set_decrypter(decrypter(self.suite, &self.server_secret)?);
        // RFC 8446 §4.6.3: our KeyUpdate must precede our next application
        // data; one answers every request that arrives before that data.
        if answer && !common.key_update_answered && !common.sent_close_notify {
            let update = HandshakeMessage::new(HandshakePayload::KeyUpdate(
                KeyUpdateRequest::UpdateNotRequested,
            ))
            .get_encoding();
            common.send_handshake(&update)?;
            common.key_update_answered = true;
            self.client_secret = self.client_secret.next_traffic_secret();
            common.set_encrypter(encrypter(self.suite, &self.client_secret)?);
        }
        Ok(())
    }
}
