//! HKDF (RFC 5869) and TLS 1.3's HKDF-Expand-Label (RFC 8446 §7.1), built
//! on HMAC so that every intermediate secret is plain bytes we own, can
//! wipe, and can compare with published test vectors.

use super::hash::{HashAlgorithm, HashOutput};
use super::secret::SecretBytes;
use crate::error::Error;

/// RFC 8446 §7.1: every HkdfLabel.label starts with this.
const LABEL_PREFIX: &[u8] = b"tls13 ";

/// The longest HkdfLabel: a two-byte length, then a label and a context
/// of at most 255 bytes, each after its one-byte length.
const MAX_HKDF_LABEL: usize = 2 + 1 + 255 + 1 + 255;

/// The HkdfLabel and the one-byte block counter after it.
const MAX_HKDF_INPUT: usize = MAX_HKDF_LABEL + 1;

/// HKDF-Extract(salt, IKM) = HMAC-Hash(salt, IKM) (RFC 5869 §2.2).
///
/// An empty `salt` is the same as `Hash.length` zero bytes, because HMAC
/// pads its key with zeros to the block length.
pub fn extract(alg: HashAlgorithm, salt: &[u8], ikm: &[u8]) -> SecretBytes {
    alg.hmac(salt, &[ikm])
}

/// HKDF-Expand(PRK, info, L) into `out` (RFC 5869 §2.3), `info` given in
/// parts. `out.len()` must be at most 255 × `Hash.length`.
pub fn expand(alg: HashAlgorithm, prk: &[u8], info: &[&[u8]], out: &mut [u8]) -> Result<(), Error> {
    Prk::new(alg, prk).expand(info, out)
}

/// A pseudorandom key ready for HMAC: keying HMAC costs two hash blocks,
/// so a secret that several values are expanded from (the handshake
/// secret's three, a traffic secret's key and IV) is keyed once.
pub struct Prk {
    alg: HashAlgorithm,
    key: ring::hmac::Key,
}

impl Prk {
    pub fn new(alg: HashAlgorithm, prk: &[u8]) -> Self {
        Self {
            alg,
            key: alg.hmac_key(prk),
        }
    }

    /// HKDF-Expand(PRK, info, L) into `out`.
    pub fn expand(&self, info: &[&[u8]], out: &mut [u8]) -> Result<(), Error> {
        let alg = self.alg;
        if out.len() > 255 * alg.output_len() {
            return Err(Error::General(
                "cannot derive that many bytes with HKDF".into(),
            ));
        }
        // T(0) is empty; T(i) = HMAC(PRK, T(i-1) | info | i).
        let mut previous = SecretBytes::zeroed(0);
        for (chunk, counter) in out.chunks_mut(alg.output_len()).zip(1u8..=255) {
            // The parts are fed to the MAC one by one: no allocation per
            // block.
            let mut ctx = ring::hmac::Context::with_key(&self.key);
            if !previous.is_empty() {
                ctx.update(previous.as_bytes());
            }
            for part in info {
                ctx.update(part);
            }
            ctx.update(&[counter]);
            let tag = ctx.sign();
            let block =
                SecretBytes::from_slice(tag.as_ref()).unwrap_or_else(|| SecretBytes::zeroed(0));
            chunk.copy_from_slice(&block.as_bytes()[..chunk.len()]);
            previous = block;
        }
        Ok(())
    }

    /// HKDF-Expand-Label(PRK, label, context, out.len()); see
    /// [`expand_label`].
    pub fn expand_label(&self, label: &[u8], context: &[u8], out: &mut [u8]) -> Result<(), Error> {
        let length = u16::try_from(out.len())
            .map_err(|_| Error::General("HKDF-Expand-Label output is too long".into()))?;
        let label_len = u8::try_from(LABEL_PREFIX.len() + label.len())
            .map_err(|_| Error::General("HKDF-Expand-Label label is too long".into()))?;
        let context_len = u8::try_from(context.len())
            .map_err(|_| Error::General("HKDF-Expand-Label context is too long".into()))?;
        // The HkdfLabel is encoded whole on the stack and fed to the MAC
        // in one piece: each separate update costs more than the few bytes
        // it adds, and the key schedule expands some twenty labels per
        // handshake.
        let mut hkdf_label = [0u8; MAX_HKDF_INPUT];
        let parts: [&[u8]; 6] = [
            &length.to_be_bytes(),
            &[label_len],
            LABEL_PREFIX,
            label,
            &[context_len],
            context,
        ];
        let mut used = 0;
        for part in parts {
            let end = used + part.len();
            // Cannot fail: the lengths were bounded above.
            let Some(slot) = hkdf_label.get_mut(used..end) else {
                return Err(Error::General("HKDF-Expand-Label input is too long".into()));
            };
            slot.copy_from_slice(part);
            used = end;
        }
        // Every length TLS asks for fits in one HMAC output, T(1) =
        // HMAC(PRK, HkdfLabel | 0x01): one call, the counter appended.
        if out.len() <= self.alg.output_len() {
            let Some(counter) = hkdf_label.get_mut(used) else {
                return Err(Error::General("HKDF-Expand-Label input is too long".into()));
            };
            *counter = 1;
            let tag = ring::hmac::sign(&self.key, &hkdf_label[..=used]);
            let block = tag
                .as_ref()
                .get(..out.len())
                .ok_or_else(|| Error::General("HKDF-Expand-Label output is too long".into()))?;
            out.copy_from_slice(block);
            return Ok(());
        }
        self.expand(&[&hkdf_label[..used]], out)
    }

    /// HKDF-Expand-Label with `Length` = `Hash.length`; see
    /// [`expand_label_secret`].
    pub fn expand_label_secret(&self, label: &[u8], context: &[u8]) -> SecretBytes {
        let mut out = SecretBytes::zeroed(self.alg.output_len());
        match self.expand_label(label, context, out.as_mut_bytes()) {
            Ok(()) => out,
            Err(_) => SecretBytes::zeroed(0),
        }
    }
}

/// HKDF-Expand-Label(Secret, Label, Context, Length) into `out`
/// (RFC 8446 §7.1):
///
/// ```text
/// struct {
///     uint16 length = Length;
///     opaque label<7..255> = "tls13 " + Label;
///     opaque context<0..255> = Context;
/// } HkdfLabel;
/// ```
///
/// Fails if the label or context is too long to encode or `out` is longer
/// than HKDF can produce.
pub fn expand_label(
    alg: HashAlgorithm,
    secret: &[u8],
    label: &[u8],
    context: &[u8],
    out: &mut [u8],
) -> Result<(), Error> {
    Prk::new(alg, secret).expand_label(label, context, out)
}

/// HKDF-Expand-Label with `Length` = `Hash.length`, for the secrets of the
/// key schedule. The labels are ours and short and the context is a hash
/// (or a ticket nonce checked by the caller), so this cannot fail; if it
/// somehow did, the result is empty and every later check fails closed.
pub fn expand_label_secret(
    alg: HashAlgorithm,
    secret: &[u8],
    label: &[u8],
    context: &[u8],
) -> SecretBytes {
    Prk::new(alg, secret).expand_label_secret(label, context)
}

/// Derive-Secret(Secret, Label, Messages) =
/// HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length)
/// (RFC 8446 §7.1), given the transcript hash.
pub fn derive_secret(
    alg: HashAlgorithm,
    secret: &[u8],
    label: &[u8],
    transcript_hash: &HashOutput,
) -> SecretBytes {
    expand_label_secret(alg, secret, label, transcript_hash.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_vectors::rfc8448;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 5869 §A.1 and §A.2 (SHA-256, the second with output longer than
    /// one block and long inputs).
    #[test]
    fn rfc5869_test_cases() {
        let ikm = [0x0b; 22];
        let salt = unhex("000102030405060708090a0b0c");
        let info = unhex("f0f1f2f3f4f5f6f7f8f9");
        let prk = extract(HashAlgorithm::Sha256, &salt, &ikm);
        assert_eq!(
            prk.as_bytes(),
            unhex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5")
        );
        let mut okm = [0u8; 42];
        expand(HashAlgorithm::Sha256, prk.as_bytes(), &[&info], &mut okm).unwrap();
        assert_eq!(
            okm.to_vec(),
            unhex(
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf\
                 34007208d5b887185865"
            )
        );

        let ikm: Vec<u8> = (0x00..=0x4f).collect();
        let salt: Vec<u8> = (0x60..=0xaf).collect();
        let info: Vec<u8> = (0xb0..=0xff).collect();
        let prk = extract(HashAlgorithm::Sha256, &salt, &ikm);
        let mut okm = [0u8; 82];
        // Info in two parts gives the same as in one.
        expand(
            HashAlgorithm::Sha256,
            prk.as_bytes(),
            &[&info[..10], &info[10..]],
            &mut okm,
        )
        .unwrap();
        assert_eq!(
            okm.to_vec(),
            unhex(
                "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c\
                 59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71\
                 cc30c58179ec3e87c14c01d5c1f3434f1d87"
            )
        );
    }

    #[test]
    fn expand_refuses_too_much_output() {
        let mut big = vec![0u8; 255 * 32 + 1];
        assert!(expand(HashAlgorithm::Sha256, &[1; 32], &[], &mut big).is_err());
        let mut most = vec![0u8; 255 * 32];
        assert!(expand(HashAlgorithm::Sha256, &[1; 32], &[], &mut most).is_ok());
    }

    #[test]
    fn expand_label_refuses_oversized_fields() {
        let mut out = [0u8; 32];
        let alg = HashAlgorithm::Sha256;
        assert!(expand_label(alg, &[1; 32], &[b'a'; 249], b"", &mut out).is_ok());
        assert!(expand_label(alg, &[1; 32], &[b'a'; 250], b"", &mut out).is_err());
        assert!(expand_label(alg, &[1; 32], b"x", &[0; 255], &mut out).is_ok());
        assert!(expand_label(alg, &[1; 32], b"x", &[0; 256], &mut out).is_err());
    }

    /// RFC 8448 §3, "derive secret for handshake \"tls13 derived\"": the
    /// trace shows the PRK, the context hash and the result.
    #[test]
    fn derive_secret_matches_rfc8448() {
        let step = "derive secret for handshake \"tls13 derived\"";
        let prk = rfc8448("3. ", step, "PRK");
        let hash = HashOutput::from_slice(&rfc8448("3. ", step, "hash")).unwrap();
        let derived = derive_secret(HashAlgorithm::Sha256, &prk, b"derived", &hash);
        assert_eq!(derived.as_bytes(), rfc8448("3. ", step, "expanded"));
    }
}
