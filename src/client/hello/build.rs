//! What our ClientHello says (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2) and its
//! encoding.
//!
//! This is the one place that decides which extensions go in and in
//! which order; `ClientExtension` is the one place that encodes each. The
//! hello borrows its lists from the config, the stored session, the key
//! share, or from small arrays on `encode`'s stack, so a hello costs two
//! allocations: the extension list (a `Vec` so that a test hook can edit
//! it) and the encoding, sized for a typical hello plus its ticket. The
//! encoding then becomes the transcript buffer, not copied.

use std::borrow::Cow;

use rustls_pki_types::ServerName;

use super::offer::ResumptionOffer;
use super::offered::OfferedExtensions;
use crate::client::session::Tls12Session;
use crate::client::{tls12_resume, ClientConfig};
use crate::crypto::kx::KeyExchange;
use crate::error::{Error, PeerMisbehaved};
use crate::msgs::client_ext::ClientExtension;
use crate::msgs::enums::{
    AlertDescription, CipherSuite, Compression, EcPointFormat, NamedGroup, ProtocolVersion,
    PskKeyExchangeMode,
};
use crate::msgs::extensions::{
    CowList, KeyShareEntry, PresharedKeyOffer, PskIdentity, ServerNameEntry,
};
use crate::msgs::hello::{ClientHello, EncodedClientHello, Random, SessionId};

/// How many groups or suites are listed from an array on the stack; a
/// config with more (there are not that many to enable) gets a `Vec`.
const INLINE_LIST: usize = 16;

/// Zeros for the PSK binder placeholder, long enough for any hash we
/// implement (SHA-384's 48 bytes).
const PLACEHOLDER_BINDER: [u8; 64] = [0; 64];

/// Every extension `encode` can put in (a test hook may add more).
const MAX_EXTENSIONS: usize = 14;

/// What goes into a ClientHello.
pub(super) struct ClientHelloParams<'a> {
    pub(super) config: &'a ClientConfig,
    pub(super) server_name: &'a ServerName<'static>,
    pub(super) random: Random,
    pub(super) session_id: &'a SessionId,
    pub(super) key_share: &'a KeyExchange,
    /// The cookie of a HelloRetryRequest, echoed (RFC 8446 §4.2.2).
    pub(super) cookie: Option<&'a [u8]>,
    /// A stored session to offer as a PSK.
    pub(super) resuming: Option<&'a ResumptionOffer>,
    /// A stored TLS 1.2 session to offer.
    pub(super) resuming12: Option<&'a Tls12Session>,
    /// Whether to offer 0-RTT data with it.
    pub(super) early_data: bool,
}

impl ClientHelloParams<'_> {
    /// The extension types offered (what the server's extensions must
    /// answer), and the hello encoded as a handshake message, with
    /// placeholder PSK binders if it offers a PSK. The config's
    /// `client_hello_hook`, if any, edits the hello before it is encoded.
    pub(super) fn encode(&self) -> Result<(OfferedExtensions, EncodedClientHello), Error> {
        let config = self.config;
        let tls13 = config.supports_version(ProtocolVersion::TLSv1_3);
        let tls12 = config.supports_version(ProtocolVersion::TLSv1_2);
        let mut exts = Vec::with_capacity(MAX_EXTENSIONS);

        // RFC 6066 §3: the DNS name only; "Literal IPv4 and IPv6 addresses
        // are not permitted in HostName".
        let host_name;
        if let (true, ServerName::DnsName(name)) = (config.enable_sni, self.server_name) {
            host_name = [ServerNameEntry::host_name(
                name.as_ref().trim_end_matches('.'),
            )];
            exts.push(ClientExtension::ServerName(CowList::Borrowed(&host_name)));
        }
        if tls12 {
            exts.push(ClientExtension::ExtendedMasterSecret);
            exts.push(ClientExtension::RenegotiationInfo(Vec::new()));
            exts.push(ClientExtension::EcPointFormats(Cow::Borrowed(&[
                EcPointFormat::Uncompressed,
            ])));
        }
        if tls12_resume::wants_tickets(config) {
            // RFC 5077 §3.2: our ticket, or empty to say we take one.
            let ticket = self.resuming12.map_or(&[][..], |s| &s.ticket);
            exts.push(ClientExtension::SessionTicket(Cow::Borrowed(ticket)));
        }
        let mut group_room = [NamedGroup::Unknown(0); INLINE_LIST];
        exts.push(ClientExtension::SupportedGroups(inline_or_vec(
            &mut group_room,
            config.kx_groups.iter().map(|g| g.name()),
        )));
        let key_share;
        if tls13 {
            key_share = [KeyShareEntry::new(
                self.key_share.group().name(),
                self.key_share.public_key(),
            )];
            exts.push(ClientExtension::KeyShare(CowList::Borrowed(&key_share)));
            let versions: &[ProtocolVersion] = if tls12 {
                &[ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2]
            } else {
                &[ProtocolVersion::TLSv1_3]
            };
            exts.push(ClientExtension::SupportedVersions(Cow::Borrowed(versions)));
        }
        // RFC 8446 §4.2.3: without signature_algorithms_cert this list
        // also covers the signatures in certificates, which is what we
        // accept there too; sending it twice would only lengthen the hello.
        exts.push(ClientExtension::SignatureAlgorithms(Cow::Borrowed(
            &config.verify_schemes,
        )));
        if !config.alpn_protocols.is_empty() {
            exts.push(ClientExtension::Alpn(Cow::Borrowed(&config.alpn_protocols)));
        }
        if let Some(cookie) = self.cookie {
            exts.push(ClientExtension::Cookie(Cow::Borrowed(cookie)));
        }
        if tls13 && config.resumption.is_enabled() {
            // RFC 8446 §4.2.9: without this a server sends no tickets.
            // Only psk_dhe_ke: a resumed handshake still has a fresh key
            // exchange, so it keeps forward secrecy.
            exts.push(ClientExtension::PskKeyExchangeModes(Cow::Borrowed(&[
                PskKeyExchangeMode::PskDheKe,
            ])));
        }
        if self.early_data {
            exts.push(ClientExtension::EarlyData);
        }
        let (psk_identity, psk_binder);
        if let (true, Some(offer)) = (tls13, self.resuming) {
            // RFC 8446 §4.2.11: the last extension. The binder is a
            // placeholder of the right length until the rest is encoded.
            let session = &offer.session;
            psk_identity = [PskIdentity {
                identity: Cow::Borrowed(&session.ticket),
                obfuscated_ticket_age: session.obfuscated_age(offer.age_millis),
            }];
            let binder_len = session.suite.hash.output_len();
            psk_binder = [PLACEHOLDER_BINDER
                .get(..binder_len)
                .map_or_else(|| Cow::Owned(vec![0; binder_len]), Cow::Borrowed)];
            exts.push(ClientExtension::PreSharedKey(PresharedKeyOffer {
                identities: CowList::Borrowed(&psk_identity),
                binders: CowList::Borrowed(&psk_binder),
            }));
        }

        let mut suite_room = [CipherSuite::Unknown(0); INLINE_LIST];
        let mut hello = ClientHello {
            // RFC 8446 §4.1.2: legacy_version is 0x0303.
            legacy_version: ProtocolVersion::TLSv1_2,
            random: self.random,
            session_id: *self.session_id,
            cipher_suites: inline_or_vec(
                &mut suite_room,
                config
                    .cipher_suites
                    .iter()
                    .filter(|s| config.supports_version(s.version()))
                    .map(|s| s.suite()),
            ),
            compression_methods: Cow::Borrowed(&[Compression::Null]),
            extensions: exts,
        };
        if let Some(hook) = config.client_hello_hook {
            hook(&mut hello);
        }
        let Some(encoded) = hello.encode_handshake() else {
            return Err(self.too_long());
        };
        Ok((OfferedExtensions::of(&hello.extensions)?, encoded))
    }

    /// Why the hello's extensions passed 2^16-1 bytes. Tickets are kept
    /// short and the config's lists checked, so a cookie is the likely
    /// cause: the server's, whose HelloRetryRequest asked for a hello that
    /// cannot be sent.
    fn too_long(&self) -> Error {
        match self.cookie {
            Some(_) => PeerMisbehaved::Other(
                "server sent a cookie too long to echo in a ClientHello",
                AlertDescription::IllegalParameter,
            )
            .into(),
            None => Error::InvalidConfig("ClientHello extensions over 2^16-1 bytes"),
        }
    }
}

/// `items`, written into `room` and borrowed from there if they fit, else
/// collected into a `Vec`.
fn inline_or_vec<T: Copy, const N: usize>(
    room: &mut [T; N],
    mut items: impl Iterator<Item = T>,
) -> Cow<'_, [T]> {
    let mut len = 0;
    while let Some(item) = items.next() {
        match room.get_mut(len) {
            Some(slot) => *slot = item,
            None => {
                let mut all = room.to_vec();
                all.push(item);
                all.extend(items);
                return Cow::Owned(all);
            }
        }
        len += 1;
    }
    Cow::Borrowed(room.get(..len).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_or_vec_borrows_what_fits() {
        let mut room = [0u16; 3];
        let list = inline_or_vec(&mut room, [1, 2].into_iter());
        assert!(matches!(list, Cow::Borrowed(&[1, 2])));
        let mut room = [0u16; 3];
        let list = inline_or_vec(&mut room, [1, 2, 3].into_iter());
        assert!(matches!(list, Cow::Borrowed(&[1, 2, 3])));
        let mut room = [0u16; 3];
        let list = inline_or_vec(&mut room, core::iter::empty());
        assert!(matches!(list, Cow::Borrowed(&[])));
    }

    #[test]
    fn inline_or_vec_collects_what_does_not() {
        let mut room = [0u16; 3];
        let list = inline_or_vec(&mut room, 1..=5);
        assert!(matches!(list, Cow::Owned(_)));
        assert_eq!(&*list, [1, 2, 3, 4, 5]);
    }
}
