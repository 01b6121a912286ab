//! Turns the runner's options into an oxtls `ClientConfig`, or says why
//! oxtls cannot make the connection the test wants.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use oxtls::crypto::kx::find_kx_group;
use oxtls::pki_types::pem::PemObject;
use oxtls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use oxtls::verify::signature::SUPPORTED_VERIFY_SCHEMES;
use oxtls::{ClientConfig, NamedGroup, ProtocolVersion, Resumption, SignatureScheme};

use crate::flags::{Args, Options};
use crate::sessions::{ShimClock, ShimSessionStore};
use crate::verifier::ShimVerifier;

/// What oxtls can do today that the shim cannot tell from the flags alone.
/// When a feature lands, flip its switch: the tests that need it then run
/// instead of reporting "unimplemented". (Features that a flag asks for
/// directly, like client certificates, are switched in the flag table of
/// `flags.rs`.)
#[derive(Debug, Clone, Copy)]
pub struct Capabilities {
    /// TLS 1.2 handshakes.
    pub tls12: bool,
    /// Resuming a session on a later connection (`-resume-count`).
    pub resumption: bool,
    /// Resuming TLS 1.2 sessions (tickets or session IDs); without it, a
    /// test whose session to resume is a TLS 1.2 one is unimplemented.
    /// Switching it on also needs the shim's store (`sessions.rs`) to keep
    /// TLS 1.2 sessions, and bssl_shim.cc's TLS 1.2 check that a full
    /// handshake (or `-expect-ticket-renewal`) yields a new session.
    pub tls12_resumption: bool,
}

pub const OXTLS: Capabilities = Capabilities {
    tls12: true,
    resumption: true,
    tls12_resumption: true,
};

/// What every connection of one test shares.
pub struct Shared {
    pub store: Arc<ShimSessionStore>,
    pub clock: Arc<ShimClock>,
}

impl Shared {
    pub fn new() -> Self {
        Self {
            store: Arc::new(ShimSessionStore::default()),
            clock: Arc::new(ShimClock::new()),
        }
    }
}

/// A test oxtls cannot run (exit code 89), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unimplemented(pub String);

/// Everything one connection needs.
pub struct Settings {
    pub config: Arc<ClientConfig>,
    pub verifier: Arc<ShimVerifier>,
    pub server_name: ServerName<'static>,
}

/// Checks, before the first connection, what the test's resumptions need
/// of oxtls (each connection's own options are checked by [`build`]).
pub fn check_resumption(args: &Args, caps: Capabilities) -> Result<(), Unimplemented> {
    if args.initial.resume_count == 0 {
        return Ok(());
    }
    let initial_versions = versions(&args.initial, caps)?;
    if !caps.tls12_resumption
        && !initial_versions.is_empty()
        && !initial_versions.contains(&ProtocolVersion::TLSv1_3)
    {
        return Err(Unimplemented(
            "resumption in TLS 1.2: oxtls has no TLS 1.2 resumption yet".into(),
        ));
    }
    // Verifying again only shows when the verdict would differ from the
    // first connection's, which a resumed oxtls connection keeps.
    if args.resume.reverify_on_resume && (args.resume.verify_fail || args.retry.verify_fail) {
        return Err(Unimplemented(
            "-reverify-on-resume: oxtls does not verify the certificate again on resumption".into(),
        ));
    }
    // The -on-retry- options apply when 0-RTT data is refused.
    if args.resume.enable_early_data {
        if let Some((flag, why)) = args.retry.unsupported.first() {
            return Err(Unimplemented(format!("{flag}: {why}")));
        }
    }
    Ok(())
}

/// Checks the options against what oxtls can do, then builds the config.
pub fn build(
    opts: &Options,
    caps: Capabilities,
    shared: &Shared,
) -> Result<Settings, Unimplemented> {
    check_roles(opts, caps)?;
    if let Some((flag, why)) = opts.unsupported.first() {
        return Err(Unimplemented(format!("{flag}: {why}")));
    }
    let versions = versions(opts, caps)?;
    if opts.no_ticket && caps.tls12_resumption && versions.contains(&ProtocolVersion::TLSv1_2) {
        return Err(Unimplemented(
            "-no-ticket: oxtls cannot turn off TLS 1.2 tickets alone".into(),
        ));
    }
    let groups = groups(opts)?;
    let schemes = verify_schemes(opts)?;
    let verifier = Arc::new(ShimVerifier::new(
        opts.verify_peer,
        opts.verify_fail,
        schemes,
    ));

    let mut builder = ClientConfig::builder_with_protocol_versions(&versions);
    if let Some(groups) = groups {
        builder = builder.with_kx_groups(&groups);
    }
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone());
    let mut config = match client_cert(opts)? {
        Some((chain, key)) => builder
            .with_client_auth_cert(chain, key)
            .map_err(|e| Unimplemented(format!("-cert-file/-key-file: {e}")))?,
        None => builder.with_no_client_auth(),
    };
    if let Some(list) = &opts.advertise_alpn {
        config.alpn_protocols = alpn_list(list)?;
    }
    // BoringSSL's max_send_fragment counts plaintext; oxtls's
    // max_fragment_size counts the 5-byte record header too.
    config.max_fragment_size = opts.max_send_fragment.map(|n| n + 5);
    config.resumption = Resumption::store(shared.store.clone());
    config.time_provider = shared.clock.clone();
    config.enable_early_data = opts.enable_early_data;

    Ok(Settings {
        config: Arc::new(config),
        verifier,
        server_name: server_name(opts)?,
    })
}

/// The certificate chain and key of `-cert-file` and `-key-file`.
fn client_cert(
    opts: &Options,
) -> Result<Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>, Unimplemented> {
    let (Some(cert), Some(key)) = (&opts.cert_file, &opts.key_file) else {
        return Ok(None);
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| Unimplemented(format!("-cert-file {cert}: {e}")))?;
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| Unimplemented(format!("-key-file {key}: {e}")))?;
    Ok(Some((chain, key)))
}

fn check_roles(opts: &Options, caps: Capabilities) -> Result<(), Unimplemented> {
    if opts.server {
        return Err(Unimplemented("-server: oxtls is a client".into()));
    }
    if opts.dtls {
        return Err(Unimplemented("-dtls: oxtls has no DTLS".into()));
    }
    if opts.quic {
        return Err(Unimplemented("-quic: oxtls has no QUIC".into()));
    }
    if opts.resume_count > 0 && !caps.resumption {
        return Err(Unimplemented(
            "-resume-count: oxtls has no session resumption yet".into(),
        ));
    }
    Ok(())
}

/// The versions the flags enable, as BoringSSL computes them, that oxtls
/// implements.
fn versions(opts: &Options, caps: Capabilities) -> Result<Vec<ProtocolVersion>, Unimplemented> {
    const TLS1_3: u16 = 0x0304;
    const TLS1_2: u16 = 0x0303;
    const TLS1_1: u16 = 0x0302;
    const TLS1_0: u16 = 0x0301;
    let enabled = |v: u16| {
        opts.min_version.map_or(true, |min| v >= min)
            && opts.max_version.map_or(true, |max| v <= max)
            && !(v == TLS1_3 && opts.no_tls13)
            && !(v == TLS1_2 && opts.no_tls12)
            && !(v == TLS1_1 && opts.no_tls11)
            && !(v == TLS1_0 && opts.no_tls1)
    };
    let tls13 = enabled(TLS1_3);
    let tls12 = enabled(TLS1_2);
    if !tls13 && tls12 && !caps.tls12 {
        return Err(Unimplemented(
            "TLS 1.2 only: oxtls has no TLS 1.2 yet".into(),
        ));
    }
    if !tls13 && !tls12 && (enabled(TLS1_1) || enabled(TLS1_0)) {
        return Err(Unimplemented(
            "TLS 1.1 or older only: oxtls refuses them by design".into(),
        ));
    }
    let mut out = Vec::new();
    if tls13 {
        out.push(ProtocolVersion::TLSv1_3);
    }
    if tls12 {
        out.push(ProtocolVersion::TLSv1_2);
    }
    Ok(out)
}

/// `-curves` as oxtls groups; `None` keeps oxtls's defaults.
fn groups(opts: &Options) -> Result<Option<Vec<&'static oxtls::SupportedKxGroup>>, Unimplemented> {
    let mut groups = Vec::new();
    for &id in &opts.curves {
        let group = find_kx_group(NamedGroup::from(id))
            .ok_or_else(|| Unimplemented(format!("-curves {id}: oxtls has no such group")))?;
        groups.push(group);
    }
    // oxtls sends one key share, for its first group.
    if let Some(shares) = &opts.key_shares {
        let first = match groups.first() {
            Some(g) => u16::from(g.name()),
            None => u16::from(oxtls::ALL_KX_GROUPS[0].name()),
        };
        if shares.as_slice() != [first] {
            return Err(Unimplemented(format!(
                "-key-shares {shares:?}: oxtls sends one share, for its first group"
            )));
        }
    }
    Ok((!groups.is_empty()).then_some(groups))
}

/// `-verify-prefs` as signature schemes; `None` keeps oxtls's defaults.
fn verify_schemes(opts: &Options) -> Result<Option<Vec<SignatureScheme>>, Unimplemented> {
    if opts.verify_prefs.is_empty() {
        return Ok(None);
    }
    let mut schemes = Vec::new();
    for &id in &opts.verify_prefs {
        let scheme = SignatureScheme::from(id);
        if !SUPPORTED_VERIFY_SCHEMES.contains(&scheme) {
            return Err(Unimplemented(format!(
                "-verify-prefs {id}: oxtls cannot verify {scheme:?}"
            )));
        }
        schemes.push(scheme);
    }
    Ok(Some(schemes))
}

/// Splits an ALPN list in wire form (each name prefixed by its length).
pub fn alpn_list(mut wire: &[u8]) -> Result<Vec<Vec<u8>>, Unimplemented> {
    let mut out = Vec::new();
    while let Some((&len, rest)) = wire.split_first() {
        let len = usize::from(len);
        if rest.len() < len {
            return Err(Unimplemented("-advertise-alpn: truncated list".into()));
        }
        let (name, rest) = rest.split_at(len);
        out.push(name.to_vec());
        wire = rest;
    }
    Ok(out)
}

/// The name to connect to: `-host-name` (sent as SNI) or, without it, the
/// loopback address, for which oxtls sends no SNI (as BoringSSL sends none
/// without a host name).
fn server_name(opts: &Options) -> Result<ServerName<'static>, Unimplemented> {
    match &opts.host_name {
        Some(name) => ServerName::try_from(name.clone())
            .map_err(|_| Unimplemented(format!("-host-name {name}: not a valid DNS name"))),
        None => Ok(ServerName::IpAddress(
            IpAddr::V4(Ipv4Addr::LOCALHOST).into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpn_wire_form() {
        assert_eq!(
            alpn_list(b"\x03foo\x02h2").unwrap(),
            vec![b"foo".to_vec(), b"h2".to_vec()]
        );
        assert_eq!(alpn_list(b"\x00").unwrap(), vec![Vec::new()]);
        assert!(alpn_list(b"\x04foo").is_err());
    }

    #[test]
    fn version_flags() {
        let caps = OXTLS;
        let opts = Options::default();
        assert_eq!(
            versions(&opts, caps).unwrap(),
            vec![ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2]
        );
        let opts = Options {
            min_version: Some(0x0304),
            ..Options::default()
        };
        assert_eq!(
            versions(&opts, caps).unwrap(),
            vec![ProtocolVersion::TLSv1_3]
        );
        let opts = Options {
            no_tls13: true,
            ..Options::default()
        };
        assert_eq!(
            versions(&opts, caps).unwrap(),
            vec![ProtocolVersion::TLSv1_2]
        );
        let without_tls12 = Capabilities {
            tls12: false,
            ..OXTLS
        };
        assert!(versions(&opts, without_tls12).is_err());
        let opts = Options {
            max_version: Some(0x0302),
            ..Options::default()
        };
        assert!(versions(&opts, caps).is_err());
        // An empty range is oxtls's to refuse, not "unimplemented".
        let opts = Options {
            min_version: Some(0x0304),
            max_version: Some(0x0303),
            ..Options::default()
        };
        assert_eq!(versions(&opts, caps).unwrap(), vec![]);
    }

    fn resuming(edit: impl Fn(&mut Options)) -> Args {
        let mut args = Args::default();
        for o in [&mut args.initial, &mut args.resume, &mut args.retry] {
            o.resume_count = 1;
            edit(o);
        }
        args
    }

    #[test]
    fn resumption_needs() {
        assert!(check_resumption(&resuming(|_| {}), OXTLS).is_ok());
        // A TLS 1.2 session to resume needs TLS 1.2 resumption, which
        // oxtls has.
        let tls12 = resuming(|o| o.max_version = Some(0x0303));
        assert!(check_resumption(&tls12, OXTLS).is_ok());
        let without_tls12_resumption = Capabilities {
            tls12_resumption: false,
            ..OXTLS
        };
        assert!(check_resumption(&tls12, without_tls12_resumption).is_err());
        // Not resuming, nothing to check.
        let mut once = tls12.clone();
        once.initial.resume_count = 0;
        assert!(check_resumption(&once, OXTLS).is_ok());
        // Verifying again matters only if the verdict would change.
        let reverify = resuming(|o| o.reverify_on_resume = true);
        assert!(check_resumption(&reverify, OXTLS).is_ok());
        let mut reverify_fails = reverify.clone();
        reverify_fails.resume.verify_fail = true;
        assert!(check_resumption(&reverify_fails, OXTLS).is_err());
        // The retry's options count once 0-RTT may be refused.
        let mut retry = resuming(|o| o.enable_early_data = true);
        retry.retry.unsupported.push(("-x".into(), "why"));
        assert!(check_resumption(&retry, OXTLS).is_err());
    }

    #[test]
    fn unknown_groups_are_unimplemented() {
        let opts = Options {
            curves: vec![29, 4588],
            ..Options::default()
        };
        assert!(groups(&opts).is_err());
        let opts = Options {
            curves: vec![23, 29],
            key_shares: Some(vec![23]),
            ..Options::default()
        };
        assert_eq!(groups(&opts).unwrap().unwrap().len(), 2);
    }
}
