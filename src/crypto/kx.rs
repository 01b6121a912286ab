//! Ephemeral elliptic-curve Diffie-Hellman: X25519, secp256r1 and
//! secp384r1, for TLS 1.3 key shares (RFC 8446 §4.2.8) and TLS 1.2 ECDHE
//! (RFC 8422).
//!
//! A [`KeyExchange`] holds one ephemeral private key; [`KeyExchange::complete`]
//! consumes it, so a key cannot be used for two agreements.

use core::fmt;

use ring::agreement;

use super::rand::Randomness;
use super::secret::SecretBytes;
use crate::error::{Error, PeerMisbehaved};
use crate::msgs::enums::NamedGroup;

/// A key exchange group we implement.
pub struct SupportedKxGroup {
    name: NamedGroup,
    agreement: &'static agreement::Algorithm,
    /// Length of the public value on the wire: RFC 8446 §4.2.8.2 (a 32-byte
    /// X25519 u-coordinate, or an uncompressed point 0x04 || X || Y).
    public_key_len: usize,
    /// Length of the private scalar ring draws from the generator.
    private_key_len: usize,
}

/// X25519 (RFC 7748).
pub static X25519: SupportedKxGroup = SupportedKxGroup {
    name: NamedGroup::X25519,
    agreement: &agreement::X25519,
    public_key_len: 32,
    private_key_len: 32,
};

/// NIST P-256.
pub static SECP256R1: SupportedKxGroup = SupportedKxGroup {
    name: NamedGroup::secp256r1,
    agreement: &agreement::ECDH_P256,
    public_key_len: 1 + 2 * 32,
    private_key_len: 32,
};

/// NIST P-384.
pub static SECP384R1: SupportedKxGroup = SupportedKxGroup {
    name: NamedGroup::secp384r1,
    agreement: &agreement::ECDH_P384,
    public_key_len: 1 + 2 * 48,
    private_key_len: 48,
};

/// Every group we implement, in our order of preference.
pub static ALL_KX_GROUPS: &[&SupportedKxGroup] = &[&X25519, &SECP256R1, &SECP384R1];

/// The group named `name`, if we implement it.
pub fn find_kx_group(name: NamedGroup) -> Option<&'static SupportedKxGroup> {
    ALL_KX_GROUPS.iter().copied().find(|g| g.name == name)
}

impl SupportedKxGroup {
    /// The group's registered name.
    pub fn name(&self) -> NamedGroup {
        self.name
    }

    /// How long a valid public value of this group is.
    pub fn public_key_len(&self) -> usize {
        self.public_key_len
    }
}

impl PartialEq for SupportedKxGroup {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for SupportedKxGroup {}

impl fmt::Debug for SupportedKxGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.name, f)
    }
}

/// Our half of one key exchange: an ephemeral private key and its public
/// value.
pub struct KeyExchange {
    group: &'static SupportedKxGroup,
    private_key: agreement::EphemeralPrivateKey,
    public_key: agreement::PublicKey,
}

impl KeyExchange {
    /// Generates a fresh key pair in `group`.
    pub fn start(group: &'static SupportedKxGroup, rng: &Randomness) -> Result<Self, Error> {
        let private_key = rng
            .with_ring(group.private_key_len, |r| {
                agreement::EphemeralPrivateKey::generate(group.agreement, r)
            })?
            .map_err(|_| Error::FailedToGetRandomBytes)?;
        let public_key = private_key
            .compute_public_key()
            .map_err(|_| Error::General("cannot compute an ECDHE public key".into()))?;
        Ok(Self {
            group,
            private_key,
            public_key,
        })
    }

    pub fn group(&self) -> &'static SupportedKxGroup {
        self.group
    }

    /// Our public value, as sent in a KeyShareEntry or ClientKeyExchange.
    pub fn public_key(&self) -> &[u8] {
        self.public_key.as_ref()
    }

    /// Agrees on a shared secret with the peer's public value, consuming our
    /// private key.
    ///
    /// RFC 8446 §4.2.8.2 and RFC 8422 §5.11: the peer's value must be
    /// well-formed and a point on the curve; RFC 8446 §7.4.2 and RFC 7748
    /// §6.1: an X25519 result of all zeros (a small-order point) is
    /// refused. ring performs the curve checks and the all-zero check; we
    /// check the length first so that the failure is plainly the peer's.
    /// Every failure is [`PeerMisbehaved::InvalidKeyShare`]
    /// (illegal_parameter).
    pub fn complete(self, peer_public_key: &[u8]) -> Result<SharedSecret, Error> {
        if peer_public_key.len() != self.group.public_key_len {
            return Err(PeerMisbehaved::InvalidKeyShare.into());
        }
        let peer = agreement::UnparsedPublicKey::new(self.group.agreement, peer_public_key);
        agreement::agree_ephemeral(self.private_key, &peer, |secret| {
            SecretBytes::from_slice(secret)
        })
        .ok()
        .flatten()
        .map(SharedSecret)
        .ok_or(PeerMisbehaved::InvalidKeyShare.into())
    }
}

impl fmt::Debug for KeyExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyExchange")
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

/// The result of a key exchange: the TLS 1.3 (EC)DHE input to the handshake
/// secret, or the TLS 1.2 pre-master secret (RFC 8422 §5.10: the
/// x-coordinate, or the X25519 output). Wiped on drop.
pub struct SharedSecret(SecretBytes);

impl SharedSecret {
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// A shared secret with chosen bytes, for known-answer tests of what is
    /// derived from it.
    #[cfg(test)]
    pub(crate) fn from_bytes_for_test(bytes: &[u8]) -> Self {
        Self(SecretBytes::from_slice(bytes).unwrap())
    }
}

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SharedSecret({} bytes)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::enums::AlertDescription;
    use crate::test_vectors::rfc8448;

    #[test]
    fn both_sides_agree_in_every_group() {
        for &group in ALL_KX_GROUPS {
            let x = KeyExchange::start(group, &Randomness::System).unwrap();
            let y = KeyExchange::start(group, &Randomness::System).unwrap();
            assert_eq!(x.group(), group);
            assert_eq!(x.public_key().len(), group.public_key_len());
            assert_ne!(x.public_key(), y.public_key());
            let x_pub = x.public_key().to_vec();
            let y_pub = y.public_key().to_vec();
            let sx = x.complete(&y_pub).unwrap();
            let sy = y.complete(&x_pub).unwrap();
            assert_eq!(sx.as_bytes(), sy.as_bytes());
            let expected_len = if group.name() == NamedGroup::secp384r1 {
                48
            } else {
                32
            };
            assert_eq!(sx.as_bytes().len(), expected_len);
        }
    }

    #[test]
    fn lookups_by_name() {
        assert_eq!(find_kx_group(NamedGroup::X25519), Some(&X25519));
        assert_eq!(find_kx_group(NamedGroup::secp384r1), Some(&SECP384R1));
        assert_eq!(find_kx_group(NamedGroup::X448), None);
        assert_eq!(find_kx_group(NamedGroup::Unknown(0x1234)), None);
        assert_eq!(format!("{:?}", SECP256R1), "secp256r1");
    }

    fn assert_invalid_key_share(r: Result<SharedSecret, Error>) {
        let err = r.unwrap_err();
        assert_eq!(err, Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare));
        assert_eq!(err.alert(), Some(AlertDescription::IllegalParameter));
    }

    #[test]
    fn wrong_length_peer_keys_are_refused() {
        for &group in ALL_KX_GROUPS {
            let peer = KeyExchange::start(group, &Randomness::System).unwrap();
            let mut long = peer.public_key().to_vec();
            long.push(0);
            let short = &peer.public_key()[..group.public_key_len() - 1];
            for bad in [&long[..], short, &[], &[0x04]] {
                let ours = KeyExchange::start(group, &Randomness::System).unwrap();
                assert_invalid_key_share(ours.complete(bad));
            }
        }
    }

    #[test]
    fn off_curve_peer_points_are_refused() {
        for group in [&SECP256R1, &SECP384R1] {
            let peer = KeyExchange::start(group, &Randomness::System).unwrap();
            let mut off_curve = peer.public_key().to_vec();
            // Changing y alone moves the point off the curve (y² would no
            // longer equal x³ + ax + b, except with negligible probability).
            if let Some(last) = off_curve.last_mut() {
                *last ^= 1;
            }
            let ours = KeyExchange::start(group, &Randomness::System).unwrap();
            assert_invalid_key_share(ours.complete(&off_curve));

            // A compressed point (0x02 || X) is not allowed in TLS 1.3
            // (RFC 8446 §4.2.8.2), and is the wrong length anyway; an
            // uncompressed-length value with a compressed-point tag is also
            // refused.
            let mut bad_tag = peer.public_key().to_vec();
            bad_tag[0] = 0x02;
            let ours = KeyExchange::start(group, &Randomness::System).unwrap();
            assert_invalid_key_share(ours.complete(&bad_tag));
        }
    }

    #[test]
    fn x25519_all_zero_secret_is_refused() {
        // u = 0 has small order: every scalar maps it to the all-zero
        // output, which RFC 8446 §7.4.2 requires us to refuse. u = 1
        // likewise.
        for low_order in [[0u8; 32], {
            let mut one = [0u8; 32];
            one[0] = 1;
            one
        }] {
            let ours = KeyExchange::start(&X25519, &Randomness::System).unwrap();
            assert_invalid_key_share(ours.complete(&low_order));
        }
    }

    /// RFC 8448 §3: both sides' fixed X25519 private keys give the public
    /// keys of the trace and the ECDHE secret it extracts the handshake
    /// secret from.
    #[test]
    fn x25519_matches_rfc8448() {
        let client_private = rfc8448("3. ", "{client}  create an ephemeral x25519", "private key");
        let server_private = rfc8448("3. ", "{server}  create an ephemeral x25519", "private key");
        let client_public = rfc8448("3. ", "{client}  create an ephemeral x25519", "public key");
        let server_public = rfc8448("3. ", "{server}  create an ephemeral x25519", "public key");
        let ecdhe = rfc8448("3. ", "extract secret \"handshake\"", "IKM");

        let client =
            KeyExchange::start(&X25519, &Randomness::fixed_for_testing(client_private)).unwrap();
        assert_eq!(client.public_key(), &client_public[..]);
        let server =
            KeyExchange::start(&X25519, &Randomness::fixed_for_testing(server_private)).unwrap();
        assert_eq!(server.public_key(), &server_public[..]);

        assert_eq!(
            client.complete(&server_public).unwrap().as_bytes(),
            &ecdhe[..]
        );
        assert_eq!(
            server.complete(&client_public).unwrap().as_bytes(),
            &ecdhe[..]
        );
    }

    /// RFC 8448 §5: the client's fixed P-256 key and the server's public
    /// key give the trace's ECDHE secret.
    #[test]
    fn p256_matches_rfc8448() {
        let section = "   {client}  create an ephemeral P-256 key pair";
        let client_private = rfc8448(section, "P-256", "private key");
        let client_public = rfc8448(section, "P-256", "public key");
        let server_public = rfc8448(
            "   {server}  create an ephemeral P-256 key pair",
            "P-256",
            "public key",
        );
        let client =
            KeyExchange::start(&SECP256R1, &Randomness::fixed_for_testing(client_private)).unwrap();
        assert_eq!(client.public_key(), &client_public[..]);
        let ecdhe = rfc8448("5. ", "extract secret \"handshake\"", "IKM");
        assert_eq!(
            client.complete(&server_public).unwrap().as_bytes(),
            &ecdhe[..]
        );
    }

    #[test]
    fn debug_shows_no_secret_bytes() {
        let rng = Randomness::fixed_for_testing(vec![0x5a; 64]);
        let a = KeyExchange::start(&X25519, &rng).unwrap();
        let b = KeyExchange::start(&X25519, &rng).unwrap();
        assert_eq!(format!("{a:?}"), "KeyExchange { group: X25519, .. }");
        let b_pub = b.public_key().to_vec();
        let secret = a.complete(&b_pub).unwrap();
        assert_eq!(format!("{secret:?}"), "SharedSecret(32 bytes)");
    }

    #[test]
    fn fixed_randomness_drives_every_group() {
        for &group in ALL_KX_GROUPS {
            let script = vec![0x5a; 2 * group.private_key_len];
            let rng = Randomness::fixed_for_testing(script);
            let a = KeyExchange::start(group, &rng).unwrap();
            let b = KeyExchange::start(group, &rng).unwrap();
            assert_eq!(a.public_key(), b.public_key());
            let b_pub = b.public_key().to_vec();
            assert!(a.complete(&b_pub).is_ok());
            assert!(KeyExchange::start(group, &rng).is_err());
        }
    }

    #[test]
    fn fixed_randomness_that_runs_out_fails_cleanly() {
        let rng = Randomness::fixed_for_testing(vec![1; 16]);
        assert_eq!(
            KeyExchange::start(&X25519, &rng).unwrap_err(),
            Error::FailedToGetRandomBytes
        );
    }
}
