//! The one certificate check webpki leaves to us: whether the server's key
//! may make the handshake signature at all.
//!
//! RFC 8446 §4.4.2.2 (and RFC 5280 §4.2.1.3): if the end-entity
//! certificate has a Key Usage extension, its digitalSignature bit must be
//! set for the key to sign a CertificateVerify (or a TLS 1.2
//! ServerKeyExchange). This reads just enough DER to find that bit.

use crate::error::{CertificateError, Error};

/// id-ce-keyUsage, 2.5.29.15, as DER content octets.
const KEY_USAGE_OID: &[u8] = &[0x55, 0x1d, 0x0f];

/// Fails with `InvalidPurpose` if `cert` has a Key Usage extension without
/// digitalSignature; a certificate without the extension may sign.
pub fn check_digital_signature(cert: &[u8]) -> Result<(), Error> {
    let bad = || Error::from(CertificateError::BadEncoding);
    let mut outer = Der(cert);
    let mut certificate = outer.expect(0x30).ok_or_else(bad)?;
    let mut tbs = certificate.expect(0x30).ok_or_else(bad)?;
    // Skip to the [3] EXPLICIT extensions, the last optional field.
    let extensions = loop {
        let Some((tag, body)) = tbs.next() else {
            return Ok(()); // no extensions, so no Key Usage
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
        let digital_signature = bits.0.get(1).is_some_and(|b| b & 0x80 != 0);
        return if digital_signature {
            Ok(())
        } else {
            Err(CertificateError::InvalidPurpose.into())
        };
    }
    Ok(())
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
