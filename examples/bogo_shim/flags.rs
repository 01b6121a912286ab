//! The shim's command line: the flags of BoringSSL's `ssl/test/test_config.cc`
//! that a client test can carry, parsed into one [`Options`] per connection.
//!
//! Like BoringSSL's shim, a flag may be prefixed to apply to one connection
//! only: `-on-initial-`, `-on-resume-` or `-on-retry-` (the 0-RTT retry);
//! without a prefix it applies to all three. `-on-shim-` flags apply here and
//! `-on-handshaker-` flags are skipped (we have no split handshaker).
//!
//! Every flag the shim knows is in [`FLAGS`], with what it does to the
//! options and whether oxtls can honour it. A flag the table does not know
//! is an error the caller turns into "unimplemented" (exit code 89), as
//! BoringSSL's `PORTING.md` recommends.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

/// What the runner asked of one connection.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The runner's port on the loopback address.
    pub port: u16,
    /// Connect over IPv6 (`::1`) instead of IPv4.
    pub ipv6: bool,
    /// Sent first on the socket, so the runner knows which test we are.
    pub shim_id: u64,
    /// Play the server (`-server`): oxtls is a client only.
    pub server: bool,
    pub dtls: bool,
    pub quic: bool,
    /// Connections after the first, each resuming the previous session.
    pub resume_count: u32,
    /// The runner asks whether a split handshaker exists; we answer "No".
    pub is_handshaker_supported: bool,
    /// Seconds the clock moves after this connection, before the next.
    pub resumption_delay: u64,
    /// Send 0-RTT data when the session allows it.
    pub enable_early_data: bool,
    /// Offer no TLS 1.2 session ticket (`SSL_OP_NO_TICKET`; in TLS 1.3 a
    /// BoringSSL client still resumes).
    pub no_ticket: bool,
    /// Call the certificate verifier again on a resumed connection.
    pub reverify_on_resume: bool,

    /// The name to send in server_name; none means connect by address.
    pub host_name: Option<String>,
    /// ALPN protocols to offer, in wire form (each prefixed by its length).
    pub advertise_alpn: Option<Vec<u8>>,
    /// The client certificate chain and key to answer a
    /// CertificateRequest with (PEM files).
    pub cert_file: Option<String>,
    pub key_file: Option<String>,
    /// The ALPN protocol the handshake must end with (empty: none).
    pub expect_alpn: Vec<u8>,
    /// Key-exchange groups to offer, by code point, most preferred first.
    pub curves: Vec<u16>,
    /// The groups to send key shares for; `Some(empty)` means none.
    pub key_shares: Option<Vec<u16>>,
    pub min_version: Option<u16>,
    pub max_version: Option<u16>,
    pub no_tls13: bool,
    pub no_tls12: bool,
    pub no_tls11: bool,
    pub no_tls1: bool,
    /// Signature schemes to offer for the server's signature.
    pub verify_prefs: Vec<u16>,
    /// Enforce the certificate verifier's verdict (`SSL_VERIFY_PEER`).
    pub verify_peer: bool,
    /// The certificate verifier refuses the server's certificate.
    pub verify_fail: bool,
    /// After the handshake, check the verifier's verdict was recorded.
    pub expect_verify_result: bool,

    pub expect_version: Option<u16>,
    pub expect_cipher: Option<u16>,
    /// The key exchange group the handshake must have used.
    pub expect_curve_id: Option<u16>,
    pub expect_peer_signature_algorithm: Option<u16>,
    /// A PEM file with the chain the server must have sent.
    pub expect_peer_cert_file: Option<String>,
    pub expect_total_renegotiations: u32,
    /// A resumption connection must not resume (the server declined).
    pub expect_session_miss: bool,
    /// No new session may arrive on this connection.
    pub expect_no_session: bool,
    /// A resumed TLS 1.2 connection still gets a new ticket.
    pub expect_ticket_renewal: bool,
    /// The new session must (or must not) allow 0-RTT data.
    pub expect_ticket_supports_early_data: bool,
    pub expect_accept_early_data: bool,
    /// 0-RTT data is offered and refused; the connection then goes on
    /// under the `-on-retry-` options.
    pub expect_reject_early_data: bool,
    /// A resumption connection must not offer 0-RTT data.
    pub expect_no_offer_early_data: bool,
    /// The server must have sent (or not sent) a HelloRetryRequest.
    pub expect_hrr: bool,
    pub expect_no_hrr: bool,
    /// The handshake must fail: completing it is a test failure.
    pub handshake_never_done: bool,

    /// Write `shim_initial_write` before reading anything.
    pub shim_writes_first: bool,
    pub shim_initial_write: Vec<u8>,
    pub repeat_shim_initial_write: u32,
    /// Close (send close_notify) right after the handshake instead of
    /// echoing the runner's messages.
    pub shim_shuts_down: bool,
    /// The peer's close_notify must arrive (no quiet, unclean shutdown).
    pub check_close_notify: bool,
    /// Export this many bytes of keying material and send them.
    pub export_keying_material: usize,
    pub export_label: Vec<u8>,
    pub export_context: Vec<u8>,
    pub use_export_context: bool,
    /// Export one byte after every read, which must always work.
    pub use_exporter_between_reads: bool,
    /// Plaintext bytes asked for per read (0: the default, 512).
    pub read_size: usize,
    /// The most plaintext we put in one record.
    pub max_send_fragment: Option<usize>,
    /// Write records of many sizes instead of echoing.
    pub write_different_record_sizes: bool,
    /// BoringSSL's asynchronous mode; here, the transport hands oxtls one
    /// byte per read, to exercise every partial-record path.
    pub async_io: bool,

    /// Flags given that oxtls cannot honour (yet): each with why.
    pub unsupported: Vec<(String, &'static str)>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            port: 0,
            ipv6: false,
            shim_id: 0,
            server: false,
            dtls: false,
            quic: false,
            resume_count: 0,
            is_handshaker_supported: false,
            resumption_delay: 0,
            enable_early_data: false,
            no_ticket: false,
            reverify_on_resume: false,
            host_name: None,
            advertise_alpn: None,
            cert_file: None,
            key_file: None,
            expect_alpn: Vec::new(),
            curves: Vec::new(),
            key_shares: None,
            min_version: None,
            max_version: None,
            no_tls13: false,
            no_tls12: false,
            no_tls11: false,
            no_tls1: false,
            verify_prefs: Vec::new(),
            verify_peer: false,
            verify_fail: false,
            expect_verify_result: false,
            expect_version: None,
            expect_curve_id: None,
            expect_cipher: None,
            expect_peer_signature_algorithm: None,
            expect_peer_cert_file: None,
            expect_total_renegotiations: 0,
            expect_session_miss: false,
            expect_no_session: false,
            expect_ticket_renewal: false,
            expect_ticket_supports_early_data: false,
            expect_accept_early_data: false,
            expect_reject_early_data: false,
            expect_no_offer_early_data: false,
            expect_hrr: false,
            expect_no_hrr: false,
            handshake_never_done: false,
            shim_writes_first: false,
            // test_config.h: the runner expects "hello" unless told otherwise.
            shim_initial_write: b"hello".to_vec(),
            repeat_shim_initial_write: 1,
            shim_shuts_down: false,
            check_close_notify: false,
            export_keying_material: 0,
            export_label: Vec::new(),
            export_context: Vec::new(),
            use_export_context: false,
            use_exporter_between_reads: false,
            read_size: 0,
            max_send_fragment: None,
            write_different_record_sizes: false,
            async_io: false,
            unsupported: Vec::new(),
        }
    }
}

/// The options of each connection the shim may make.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Args {
    pub initial: Options,
    pub resume: Options,
    pub retry: Options,
}

/// Why the command line could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// A flag this shim does not know: "unimplemented" to the runner.
    UnknownFlag(String),
    /// A known flag without its value, or with a value it cannot take.
    BadValue(String),
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownFlag(name) => write!(f, "unknown flag {name}"),
            Self::BadValue(what) => f.write_str(what),
        }
    }
}

/// What the shim does with a flag.
#[derive(Clone, Copy)]
pub enum Handling {
    /// The flag maps onto oxtls's API (or onto the shim's own behaviour).
    Apply(fn(&mut Options, &[u8]) -> Result<(), String>),
    /// Nothing to do, for the reason given: the flag asks for what oxtls
    /// does anyway, or is about a feature the test cannot reach without
    /// another flag that is unsupported. (The reason is for readers of the
    /// table; the shim has nothing to say about an ignored flag.)
    Ignore(#[allow(dead_code)] &'static str),
    /// oxtls cannot do this (yet): the connection is not attempted.
    Unsupported(&'static str),
}

/// One flag: its name, whether a value follows it, and its handling.
pub struct Flag {
    pub name: &'static str,
    pub takes_value: bool,
    pub handling: Handling,
}

const fn apply(
    name: &'static str,
    takes_value: bool,
    f: fn(&mut Options, &[u8]) -> Result<(), String>,
) -> Flag {
    Flag {
        name,
        takes_value,
        handling: Handling::Apply(f),
    }
}

const fn ignore(name: &'static str, takes_value: bool, why: &'static str) -> Flag {
    Flag {
        name,
        takes_value,
        handling: Handling::Ignore(why),
    }
}

const fn unsupported(name: &'static str, takes_value: bool, why: &'static str) -> Flag {
    Flag {
        name,
        takes_value,
        handling: Handling::Unsupported(why),
    }
}

const NO_CLIENT_AUTH: &str =
    "oxtls takes one client certificate per config, with no credential list, callback or signing preferences";
const NO_EARLY_DATA_REASON: &str = "oxtls does not say why 0-RTT data was refused";
const NO_CROSS_NAME_RESUMPTION: &str = "oxtls has no resumption across names";
const NO_RENEGOTIATION: &str = "oxtls never renegotiates (by design)";
const SERVER_ONLY: &str = "server-side flag; oxtls is a client";
const NO_ECH: &str = "oxtls has no Encrypted Client Hello";
const NO_NPN: &str = "oxtls has no NPN (by design: ALPN replaced it)";
const NO_ALPS: &str = "oxtls has no ALPS (application settings)";
const NO_CHANNEL_ID: &str = "oxtls has no Channel ID (by design)";
const NO_RPK: &str = "oxtls has no raw public keys";
const NO_TRUST_ANCHORS: &str = "oxtls has no trust anchor IDs";
const NO_POLICIES: &str = "oxtls has no compliance-policy presets";
const TLS12_ONLY_FEATURE: &str = "a TLS 1.2 feature oxtls lacks";

/// Every flag the shim understands, sorted by name (a test checks) so
/// that it reads like test_config.cc's table.
pub static FLAGS: &[Flag] = &[
    unsupported("-accepted-peer-cert-types", true, NO_RPK),
    apply("-advertise-alpn", true, |o, v| {
        o.advertise_alpn = Some(v.to_vec());
        Ok(())
    }),
    unsupported("-advertise-npn", true, NO_NPN),
    unsupported("-allow-false-start-without-alpn", false, TLS12_ONLY_FEATURE),
    unsupported(
        "-allow-unknown-alpn-protos",
        false,
        "oxtls refuses an ALPN protocol it did not offer (RFC 7301 §3.2)",
    ),
    unsupported("-alps-use-new-codepoint", true, NO_ALPS),
    unsupported("-application-settings", true, NO_ALPS),
    apply("-async", false, |o, _| {
        o.async_io = true;
        Ok(())
    }),
    unsupported("-available-client-cert-types", true, NO_RPK),
    unsupported("-available-trust-anchors", true, NO_TRUST_ANCHORS),
    unsupported("-cbc-record-splitting", false, "oxtls has no CBC suites"),
    apply("-cert-file", true, |o, v| {
        o.cert_file = Some(path(v)?);
        Ok(())
    }),
    apply("-check-close-notify", false, |o, _| {
        o.check_close_notify = true;
        Ok(())
    }),
    unsupported(
        "-cipher",
        true,
        "BoringSSL cipher rules only select TLS 1.2 suites",
    ),
    unsupported("-cnsa-202407", false, NO_POLICIES),
    unsupported("-cnsa1-202603", false, NO_POLICIES),
    unsupported("-cnsa2-202603", false, NO_POLICIES),
    apply("-curves", true, |o, v| {
        o.curves.push(parse_int(v)?);
        Ok(())
    }),
    unsupported("-curves-flags", true, "oxtls has no per-group flags"),
    unsupported(
        "-delegated-credential",
        true,
        "oxtls has no delegated credentials",
    ),
    apply("-dtls", false, |o, _| {
        o.dtls = true;
        Ok(())
    }),
    unsupported(
        "-early-write-after-message",
        true,
        "oxtls's handshake cannot stop after a chosen server message",
    ),
    unsupported("-ech-config-list", true, NO_ECH),
    unsupported("-enable-channel-id", false, NO_CHANNEL_ID),
    apply("-enable-early-data", false, |o, _| {
        o.enable_early_data = true;
        Ok(())
    }),
    unsupported("-enable-ech-grease", false, NO_ECH),
    unsupported("-enable-grease", false, "oxtls sends no GREASE values"),
    unsupported(
        "-enable-ocsp-stapling",
        false,
        "oxtls does not request OCSP staples",
    ),
    unsupported(
        "-enable-signed-cert-timestamps",
        false,
        "oxtls does not request SCTs",
    ),
    apply("-expect-accept-early-data", false, |o, _| {
        o.expect_accept_early_data = true;
        Ok(())
    }),
    apply("-expect-alpn", true, |o, v| {
        o.expect_alpn = v.to_vec();
        Ok(())
    }),
    unsupported("-expect-certificate-types", true, NO_CLIENT_AUTH),
    apply("-expect-cipher", true, |o, v| {
        o.expect_cipher = Some(parse_int(v)?);
        Ok(())
    }),
    unsupported(
        "-expect-cipher-aes",
        true,
        "oxtls does not pick suites by hardware",
    ),
    unsupported(
        "-expect-cipher-no-aes",
        true,
        "oxtls does not pick suites by hardware",
    ),
    unsupported("-expect-client-ca-list", true, NO_CLIENT_AUTH),
    apply("-expect-curve-id", true, |o, v| {
        o.expect_curve_id = Some(parse_int(v)?);
        Ok(())
    }),
    unsupported("-expect-early-data-reason", true, NO_EARLY_DATA_REASON),
    unsupported("-expect-ech-accept", false, NO_ECH),
    unsupported("-expect-ech-name-override", true, NO_ECH),
    unsupported("-expect-ech-retry-configs", true, NO_ECH),
    unsupported(
        "-expect-extended-master-secret",
        false,
        "oxtls does not report whether EMS was used",
    ),
    apply("-expect-hrr", false, |o, _| {
        o.expect_hrr = true;
        Ok(())
    }),
    unsupported(
        "-expect-msg-callback",
        true,
        "oxtls has no message callback",
    ),
    unsupported("-expect-no-ech-name-override", false, NO_ECH),
    unsupported("-expect-no-ech-retry-configs", false, NO_ECH),
    apply("-expect-no-hrr", false, |o, _| {
        o.expect_no_hrr = true;
        Ok(())
    }),
    apply("-expect-no-offer-early-data", false, |o, _| {
        o.expect_no_offer_early_data = true;
        Ok(())
    }),
    unsupported(
        "-expect-no-peer-cert",
        false,
        "oxtls always authenticates the server by certificate",
    ),
    unsupported(
        "-expect-no-peer-match-trust-anchor",
        false,
        NO_TRUST_ANCHORS,
    ),
    unsupported("-expect-no-secure-renegotiation", false, TLS12_ONLY_FEATURE),
    apply("-expect-no-session", false, |o, _| {
        o.expect_no_session = true;
        Ok(())
    }),
    unsupported(
        "-expect-not-resumable-across-names",
        false,
        NO_CROSS_NAME_RESUMPTION,
    ),
    unsupported(
        "-expect-ocsp-response",
        true,
        "oxtls does not request OCSP staples",
    ),
    unsupported("-expect-peer-application-settings", true, NO_ALPS),
    unsupported(
        "-expect-peer-available-trust-anchors",
        true,
        NO_TRUST_ANCHORS,
    ),
    apply("-expect-peer-cert-file", true, |o, v| {
        o.expect_peer_cert_file = Some(utf8(v)?);
        Ok(())
    }),
    unsupported("-expect-peer-certificate-type", true, NO_RPK),
    unsupported("-expect-peer-match-trust-anchor", false, NO_TRUST_ANCHORS),
    unsupported("-expect-peer-rpk-sha256", true, NO_RPK),
    apply("-expect-peer-signature-algorithm", true, |o, v| {
        o.expect_peer_signature_algorithm = Some(parse_int(v)?);
        Ok(())
    }),
    unsupported("-expect-peer-verify-pref", true, SERVER_ONLY),
    apply("-expect-reject-early-data", false, |o, _| {
        o.expect_reject_early_data = true;
        Ok(())
    }),
    unsupported(
        "-expect-resumable-across-names",
        false,
        NO_CROSS_NAME_RESUMPTION,
    ),
    unsupported("-expect-secure-renegotiation", false, TLS12_ONLY_FEATURE),
    unsupported("-expect-selected-credential", true, NO_CLIENT_AUTH),
    unsupported(
        "-expect-server-sent-requested-padding",
        false,
        "oxtls has no server padding draft",
    ),
    apply("-expect-session-miss", false, |o, _| {
        o.expect_session_miss = true;
        Ok(())
    }),
    unsupported(
        "-expect-signed-cert-timestamps",
        true,
        "oxtls does not request SCTs",
    ),
    apply("-expect-ticket-renewal", false, |o, _| {
        o.expect_ticket_renewal = true;
        Ok(())
    }),
    apply("-expect-ticket-supports-early-data", false, |o, _| {
        o.expect_ticket_supports_early_data = true;
        Ok(())
    }),
    apply("-expect-total-renegotiations", true, |o, v| {
        o.expect_total_renegotiations = parse_int(v)?;
        Ok(())
    }),
    apply("-expect-verify-result", false, |o, _| {
        o.expect_verify_result = true;
        Ok(())
    }),
    apply("-expect-version", true, |o, v| {
        o.expect_version = Some(parse_int(v)?);
        Ok(())
    }),
    apply("-export-context", true, |o, v| {
        o.export_context = v.to_vec();
        Ok(())
    }),
    apply("-export-keying-material", true, |o, v| {
        o.export_keying_material = parse_int(v)?;
        Ok(())
    }),
    apply("-export-label", true, |o, v| {
        o.export_label = v.to_vec();
        Ok(())
    }),
    unsupported(
        "-export-traffic-secrets",
        false,
        "oxtls does not export traffic secrets",
    ),
    unsupported("-fail-cert-callback", false, NO_CLIENT_AUTH),
    unsupported(
        "-fail-ocsp-callback",
        false,
        "oxtls does not request OCSP staples",
    ),
    unsupported(
        "-fallback-scsv",
        false,
        "oxtls never falls back to a lower version",
    ),
    unsupported("-false-start", false, "oxtls has no TLS 1.2 False Start"),
    unsupported("-fips-202205", false, NO_POLICIES),
    unsupported(
        "-forbid-renegotiation-after-handshake",
        false,
        NO_RENEGOTIATION,
    ),
    unsupported(
        "-handshake-never-done",
        false,
        "needs to stop the handshake after the first flight",
    ),
    unsupported(
        "-handshake-twice",
        false,
        "oxtls has no separate handshake call to repeat",
    ),
    apply("-host-name", true, |o, v| {
        o.host_name = Some(utf8(v)?);
        Ok(())
    }),
    ignore(
        "-implicit-handshake",
        false,
        "oxtls's handshake is always driven by the first reads and writes",
    ),
    unsupported(
        "-install-cert-compression-algs",
        false,
        "oxtls has no certificate compression",
    ),
    unsupported(
        "-install-one-cert-compression-alg",
        true,
        "oxtls has no certificate compression",
    ),
    apply("-ipv6", false, |o, _| {
        o.ipv6 = true;
        Ok(())
    }),
    apply("-is-handshaker-supported", false, |o, _| {
        o.is_handshaker_supported = true;
        Ok(())
    }),
    apply("-key-file", true, |o, v| {
        o.key_file = Some(path(v)?);
        Ok(())
    }),
    apply("-key-shares", true, |o, v| {
        o.key_shares
            .get_or_insert_with(Vec::new)
            .push(parse_int(v)?);
        Ok(())
    }),
    unsupported("-key-update", false, "oxtls cannot start a KeyUpdate"),
    unsupported(
        "-key-update-before-read",
        false,
        "oxtls cannot start a KeyUpdate",
    ),
    unsupported(
        "-max-cert-list",
        true,
        "oxtls's handshake message limit is not configurable",
    ),
    apply("-max-send-fragment", true, |o, v| {
        o.max_send_fragment = Some(parse_int(v)?);
        Ok(())
    }),
    apply("-max-version", true, |o, v| {
        o.max_version = Some(parse_int(v)?);
        Ok(())
    }),
    apply("-min-version", true, |o, v| {
        o.min_version = Some(parse_int(v)?);
        Ok(())
    }),
    unsupported("-must-match-issuer", false, NO_CLIENT_AUTH),
    unsupported("-new-delegated-credential", false, NO_CLIENT_AUTH),
    unsupported("-new-psk-credential", false, "oxtls has no external PSKs"),
    unsupported("-new-rpk-credential", false, NO_RPK),
    unsupported("-new-spake2plusv1-credential", false, "oxtls has no PAKE"),
    unsupported("-new-x509-credential", false, NO_CLIENT_AUTH),
    unsupported("-no-key-shares", false, "oxtls always sends one key share"),
    unsupported("-no-legacy-server-connect", false, TLS12_ONLY_FEATURE),
    unsupported(
        "-no-op-extra-handshake",
        false,
        "oxtls has no separate handshake call to repeat",
    ),
    apply("-no-ticket", false, |o, _| {
        o.no_ticket = true;
        Ok(())
    }),
    apply("-no-tls1", false, |o, _| {
        o.no_tls1 = true;
        Ok(())
    }),
    apply("-no-tls11", false, |o, _| {
        o.no_tls11 = true;
        Ok(())
    }),
    apply("-no-tls12", false, |o, _| {
        o.no_tls12 = true;
        Ok(())
    }),
    apply("-no-tls13", false, |o, _| {
        o.no_tls13 = true;
        Ok(())
    }),
    unsupported("-ocsp-response", true, NO_CLIENT_AUTH),
    unsupported("-pake-client-id", true, "oxtls has no PAKE"),
    unsupported("-pake-context", true, "oxtls has no PAKE"),
    unsupported("-pake-password", true, "oxtls has no PAKE"),
    unsupported("-pake-server-id", true, "oxtls has no PAKE"),
    ignore(
        "-partial-write",
        false,
        "oxtls's writer always takes what fits, like SSL_MODE_ENABLE_PARTIAL_WRITE",
    ),
    unsupported("-peek-then-read", false, "oxtls has no peek"),
    unsupported(
        "-permute-extensions",
        false,
        "oxtls sends extensions in a fixed order",
    ),
    apply("-port", true, |o, v| {
        o.port = parse_int(v)?;
        Ok(())
    }),
    unsupported("-psk", true, "oxtls has no external PSKs"),
    unsupported("-psk-identity", true, "oxtls has no external PSKs"),
    unsupported("-psk-importer-context", true, "oxtls has no external PSKs"),
    unsupported("-psk-importer-identity", true, "oxtls has no external PSKs"),
    unsupported("-psk-importer-key", true, "oxtls has no external PSKs"),
    unsupported("-psk-importer-sha256", false, "oxtls has no external PSKs"),
    unsupported("-psk-importer-sha384", false, "oxtls has no external PSKs"),
    apply("-quic", false, |o, _| {
        o.quic = true;
        Ok(())
    }),
    unsupported("-quic-transport-params", true, "oxtls has no QUIC"),
    unsupported("-quic-use-legacy-codepoint", true, "oxtls has no QUIC"),
    apply("-read-size", true, |o, v| {
        o.read_size = parse_int(v)?;
        Ok(())
    }),
    unsupported(
        "-read-with-unfinished-write",
        false,
        "needs a transport that stalls writes",
    ),
    unsupported("-reject-unusable-ech-config", false, NO_ECH),
    unsupported("-renegotiate-explicit", false, NO_RENEGOTIATION),
    unsupported("-renegotiate-freely", false, NO_RENEGOTIATION),
    unsupported("-renegotiate-ignore", false, NO_RENEGOTIATION),
    unsupported("-renegotiate-once", false, NO_RENEGOTIATION),
    apply("-repeat-shim-initial-write", true, |o, v| {
        o.repeat_shim_initial_write = parse_int(v)?;
        Ok(())
    }),
    unsupported(
        "-request-server-padding",
        true,
        "oxtls has no server padding draft",
    ),
    unsupported("-requested-trust-anchors", true, NO_TRUST_ANCHORS),
    unsupported("-require-any-client-certificate", false, SERVER_ONLY),
    apply("-resume-count", true, |o, v| {
        o.resume_count = parse_int(v)?;
        Ok(())
    }),
    apply("-resumption-delay", true, |o, v| {
        o.resumption_delay = parse_int(v)?;
        Ok(())
    }),
    apply("-reverify-on-resume", false, |o, _| {
        o.reverify_on_resume = true;
        Ok(())
    }),
    unsupported("-select-empty-next-proto", false, NO_NPN),
    unsupported("-select-next-proto", true, NO_NPN),
    unsupported(
        "-send-alert",
        false,
        "oxtls has no call to send an arbitrary alert",
    ),
    unsupported("-send-channel-id", true, NO_CHANNEL_ID),
    apply("-server", false, |o, _| {
        o.server = true;
        Ok(())
    }),
    unsupported("-server-supported-groups-hint", true, SERVER_ONLY),
    apply("-shim-id", true, |o, v| {
        o.shim_id = parse_int(v)?;
        Ok(())
    }),
    apply("-shim-initial-write", true, |o, v| {
        o.shim_initial_write = v.to_vec();
        Ok(())
    }),
    apply("-shim-shuts-down", false, |o, _| {
        o.shim_shuts_down = true;
        Ok(())
    }),
    apply("-shim-writes-first", false, |o, _| {
        o.shim_writes_first = true;
        Ok(())
    }),
    unsupported("-signed-cert-timestamps", true, NO_CLIENT_AUTH),
    unsupported("-signing-prefs", true, NO_CLIENT_AUTH),
    unsupported("-srtp-profiles", true, "oxtls has no DTLS-SRTP"),
    unsupported("-tls-unique", false, TLS12_ONLY_FEATURE),
    ignore(
        "-trust-cert",
        true,
        "BoringSSL's shim accepts any chain unless -verify-fail; so does ours",
    ),
    apply("-use-custom-verify-callback", false, |_, _| {
        // Our verifier is always the application's own (custom) one.
        Ok(())
    }),
    apply("-use-export-context", false, |o, _| {
        o.use_export_context = true;
        Ok(())
    }),
    apply("-use-exporter-between-reads", false, |o, _| {
        o.use_exporter_between_reads = true;
        Ok(())
    }),
    unsupported(
        "-use-ocsp-callback",
        false,
        "oxtls does not request OCSP staples",
    ),
    ignore(
        "-use-old-client-cert-callback",
        false,
        "with no client certificate configured, the callback would offer none",
    ),
    apply("-verify-fail", false, |o, _| {
        o.verify_fail = true;
        Ok(())
    }),
    apply("-verify-peer", false, |o, _| {
        o.verify_peer = true;
        Ok(())
    }),
    apply("-verify-prefs", true, |o, v| {
        o.verify_prefs.push(parse_int(v)?);
        Ok(())
    }),
    unsupported("-wait-for-debugger", false, "no debugger hook"),
    unsupported("-wpa-202304", false, NO_POLICIES),
    apply("-write-different-record-sizes", false, |o, _| {
        o.write_different_record_sizes = true;
        Ok(())
    }),
    ignore(
        "-write-settings",
        true,
        "transcripts for the fuzzers are BoringSSL's own",
    ),
];

/// The entry for `name`, if the shim knows the flag.
pub fn find_flag(name: &str) -> Option<&'static Flag> {
    FLAGS.iter().find(|f| f.name == name)
}

/// Which connections a flag applies to.
enum Target {
    All,
    Initial,
    Resume,
    Retry,
    /// `-on-handshaker-`: not for us.
    Nowhere,
}

/// Splits a connection prefix off `arg`: `-on-resume-max-version` becomes
/// (Resume, `-max-version`).
fn split_prefix(arg: &str) -> (Target, &str) {
    // -on-shim- and -on-handshaker- come first, as in test_config.cc.
    let (for_shim, rest) = match strip_flag_prefix(arg, "-on-shim") {
        Some(rest) => (true, rest),
        None => match strip_flag_prefix(arg, "-on-handshaker") {
            Some(rest) => (false, rest),
            None => (true, arg),
        },
    };
    let (target, name) = if let Some(rest) = strip_flag_prefix(rest, "-on-initial") {
        (Target::Initial, rest)
    } else if let Some(rest) = strip_flag_prefix(rest, "-on-resume") {
        (Target::Resume, rest)
    } else if let Some(rest) = strip_flag_prefix(rest, "-on-retry") {
        (Target::Retry, rest)
    } else {
        (Target::All, rest)
    };
    if for_shim {
        (target, name)
    } else {
        (Target::Nowhere, name)
    }
}

/// `-on-resume-foo` with prefix `-on-resume` gives `-foo`.
fn strip_flag_prefix<'a>(arg: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = arg.strip_prefix(prefix)?;
    rest.starts_with('-').then_some(rest)
}

/// Parses the shim's arguments (without the program name).
pub fn parse_args(args: &[OsString]) -> Result<Args, ParseError> {
    let mut out = Args::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let arg = arg
            .to_str()
            .ok_or_else(|| ParseError::UnknownFlag(arg.to_string_lossy().into_owned()))?;
        let (target, name) = split_prefix(arg);
        let flag = find_flag(name).ok_or_else(|| ParseError::UnknownFlag(name.to_string()))?;
        let value: &[u8] = if flag.takes_value {
            it.next()
                .ok_or_else(|| ParseError::BadValue(format!("{name} needs a value")))?
                .as_bytes()
        } else {
            &[]
        };
        let targets: Vec<&mut Options> = match target {
            Target::All => vec![&mut out.initial, &mut out.resume, &mut out.retry],
            Target::Initial => vec![&mut out.initial],
            Target::Resume => vec![&mut out.resume],
            Target::Retry => vec![&mut out.retry],
            Target::Nowhere => Vec::new(),
        };
        for opts in targets {
            match flag.handling {
                Handling::Apply(set) => set(opts, value)
                    .map_err(|why| ParseError::BadValue(format!("{name}: {why}")))?,
                Handling::Ignore(_) => {}
                Handling::Unsupported(why) => opts.unsupported.push((name.to_string(), why)),
            }
        }
    }
    Ok(out)
}

fn utf8(v: &[u8]) -> Result<String, String> {
    String::from_utf8(v.to_vec()).map_err(|_| "value is not UTF-8".to_string())
}

/// Decimal, as test_config.cc's `StringToInt` reads it: digits only, in
/// range for the type.
fn path(v: &[u8]) -> Result<String, String> {
    String::from_utf8(v.to_vec()).map_err(|_| "a path that is not UTF-8".to_string())
}

fn parse_int<T: std::str::FromStr>(v: &[u8]) -> Result<T, String> {
    let s = std::str::from_utf8(v).map_err(|_| "value is not UTF-8".to_string())?;
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{s:?} is not a decimal number"));
    }
    s.parse().map_err(|_| format!("{s} is out of range"))
}

#[cfg(test)]
#[path = "flags_tests.rs"]
mod tests;
