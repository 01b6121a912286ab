//! What a handshake signature needs from the end-entity certificate, read
//! in one pass over its DER: the public key, the algorithm it is for, and
//! whether the certificate lets it sign.
//!
//! webpki has parsed and checked the whole certificate by the time the
//! server's CertificateVerify (or TLS 1.2 ServerKeyExchange) arrives;
//! parsing it all again to reach the key would cost more than the rest of
//! the message's handling. This walks only the TLVs on the way.
//!
//! RFC 8446 §4.4.2.2 (and RFC 5280 §4.2.1.3): if the end-entity
//! certificate has a Key Usage extension, its digitalSignature bit must be
//! set for the key to sign a CertificateVerify (or a TLS 1.2
//! ServerKeyExchange).

use crate::error::{CertificateError, Error};

/// id-ce-keyUsage, 2.5.29.15, as DER content octets.
const KEY_USAGE_OID: &[u8] = &[0x55, 0x1d, 0x0f];

/// The key of an end-entity certificate that may sign the handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigningKey<'a> {
    /// The SubjectPublicKeyInfo's AlgorithmIdentifier, without its outer
    /// tag and length: what `SignatureVerificationAlgorithm::
    /// public_key_alg_id` is compared with.
    pub algorithm: &'a [u8],
    /// The subjectPublicKey BIT STRING's bits.
    pub public_key: &'a [u8],
}

/// The public key of `cert`, if the certificate allows it to sign.
///
/// Fails with `BadEncoding` if the DER does not have a certificate's shape,
/// and with `InvalidPurpose` if `cert` has a Key Usage extension without
/// digitalSignature; a certificate without the extension may sign.
pub fn signing_key(cert: &[u8]) -> Result<SigningKey<'_>, Error> {
    let bad = || Error::from(CertificateError::BadEncoding);
    let mut outer = Der(cert);
    let mut certificate = outer.expect(0x30).ok_or_else(bad)?;
    let mut tbs = certificate.expect(0x30).ok_or_else(bad)?;
    // RFC 5280 §4.1: [0] version (optional), serialNumber, signature,
    // issuer, validity, subject, then subjectPublicKeyInfo.
    let (tag, _) = tbs.next().ok_or_else(bad)?;
    if tag == 0xa0 {
        tbs.expect(0x02).ok_or_else(bad)?;
    } else if tag != 0x02 {
        return Err(bad());
    }
    for _signature_issuer_validity_subject in 0..4 {
        tbs.expect(0x30).ok_or_else(bad)?;
    }
    let mut spki = tbs.expect(0x30).ok_or_else(bad)?;
    let algorithm = spki.expect(0x30).ok_or_else(bad)?.0;
    // BIT STRING: the count of unused bits, which for a key is zero, then
    // the bits.
    let public_key = match spki.expect(0x03).ok_or_else(bad)?.0 {
        [0, bits @ ..] if !bits.is_empty() => bits,
        _ => return Err(bad()),
    };
    if !may_sign(tbs)? {
        return Err(CertificateError::InvalidPurpose.into());
    }
    Ok(SigningKey {
        algorithm,
        public_key,
    })
}

/// Whether the rest of a TBSCertificate, after its subjectPublicKeyInfo,
/// lets the key sign: true unless a Key Usage extension lacks
/// digitalSignature.
fn may_sign(mut tbs: Der<'_>) -> Result<bool, Error> {
    let bad = || Error::from(CertificateError::BadEncoding);
    // Skip to the [3] EXPLICIT extensions, the last optional field.
    let extensions = loop {
        let Some((tag, body)) = tbs.next() else {
            return Ok(true); // no extensions, so no Key Usage
        };
        if tag == 0xa3 {
            break Der(body).expect(0x30).ok_or_else(bad)?;
        }
    };
    let mut extensions = extensions;
    while let Some((tag, body)) = extensions.next() {
        if tag != 0x30 {
            return Err(bad());
        }
        let mut ext = Der(body);
        let oid = ext.expect(0x06).ok_or_else(bad)?;
        if oid.0 != KEY_USAGE_OID {
            continue;
        }
        // critical BOOLEAN DEFAULT FALSE, then extnValue OCTET STRING.
        let mut value = match ext.next().ok_or_else(bad)? {
            (0x01, _) => ext.expect(0x04).ok_or_else(bad)?,
            (0x04, body) => Der(body),
            _ => return Err(bad()),
        };
        let bits = value.expect(0x03).ok_or_else(bad)?;
        // BIT STRING: unused-bit count, then the bits, digitalSignature
        // (bit 0) first.
        return Ok(bits.0.get(1).is_some_and(|b| b & 0x80 != 0));
    }
    Ok(true)
}

/// A cursor over DER TLVs.
struct Der<'a>(&'a [u8]);

impl<'a> Der<'a> {
    /// The next TLV's tag and contents.
    fn next(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, rest) = self.0.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 {
                return None;
            }
            let len_bytes = rest.get(..n)?;
            rest = rest.get(n..)?;
            len_bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
        };
        let body = rest.get(..len)?;
        self.0 = rest.get(len..)?;
        Some((tag, body))
    }

    /// The next TLV's contents, if its tag is `tag`.
    fn expect(&mut self, tag: u8) -> Option<Der<'a>> {
        match self.next()? {
            (t, body) if t == tag => Some(Der(body)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{CertificateParams, KeyPair, KeyUsagePurpose};

    /// The Key Usage check alone, as the tests below ask it.
    fn check_digital_signature(cert: &[u8]) -> Result<(), Error> {
        signing_key(cert).map(|_| ())
    }

    fn cert_with(usages: &[KeyUsagePurpose]) -> Vec<u8> {
        let mut params = CertificateParams::new(vec!["localhost".into()]).unwrap();
        params.key_usages = usages.to_vec();
        let key = KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().der().to_vec()
    }

    #[test]
    fn digital_signature_is_required_only_when_key_usage_is_present() {
        assert_eq!(check_digital_signature(&cert_with(&[])), Ok(()));
        assert_eq!(
            check_digital_signature(&cert_with(&[KeyUsagePurpose::DigitalSignature])),
            Ok(())
        );
        assert_eq!(
            check_digital_signature(&cert_with(&[
                KeyUsagePurpose::KeyEncipherment,
                KeyUsagePurpose::DigitalSignature
            ])),
            Ok(())
        );
        assert_eq!(
            check_digital_signature(&cert_with(&[KeyUsagePurpose::KeyEncipherment])),
            Err(CertificateError::InvalidPurpose.into())
        );
        assert_eq!(
            check_digital_signature(&cert_with(&[KeyUsagePurpose::KeyCertSign])),
            Err(CertificateError::InvalidPurpose.into())
        );
    }

    /// The key and its algorithm are those of the key pair the certificate
    /// was made for, as webpki's verification algorithms name them.
    #[test]
    fn reads_the_key_and_its_algorithm() {
        use rustls_pki_types::SignatureVerificationAlgorithm;
        use webpki::ring as algs;
        let cases: [(
            &rcgen::SignatureAlgorithm,
            &dyn SignatureVerificationAlgorithm,
        ); 3] = [
            (&rcgen::PKCS_ECDSA_P256_SHA256, algs::ECDSA_P256_SHA256),
            (&rcgen::PKCS_ECDSA_P384_SHA384, algs::ECDSA_P384_SHA384),
            (&rcgen::PKCS_ED25519, algs::ED25519),
        ];
        for (rcgen_alg, webpki_alg) in cases {
            let key = KeyPair::generate_for(rcgen_alg).unwrap();
            let params = CertificateParams::new(vec!["localhost".into()]).unwrap();
            let cert = params.self_signed(&key).unwrap();
            let found = signing_key(cert.der()).unwrap();
            assert_eq!(found.public_key, key.public_key_raw(), "{rcgen_alg:?}");
            assert_eq!(
                found.algorithm,
                webpki_alg.public_key_alg_id().as_ref(),
                "{rcgen_alg:?}"
            );
        }
    }

    #[test]
    fn garbage_is_a_bad_encoding_never_a_panic() {
        let good = cert_with(&[KeyUsagePurpose::KeyEncipherment]);
        for cut in 0..good.len() {
            let _ = check_digital_signature(&good[..cut]);
        }
        assert_eq!(
            check_digital_signature(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
            Err(CertificateError::BadEncoding.into())
        );
        assert_eq!(
            check_digital_signature(&[]),
            Err(CertificateError::BadEncoding.into())
        );
    }
}
