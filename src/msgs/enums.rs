//! The registered numbers of TLS: content types, versions, handshake types,
//! alerts, cipher suites, groups, signature schemes and extension types.
//!
//! Each is an enum with one variant per value this crate knows by name and an
//! `Unknown` variant that keeps any other value, so that what the RFCs say to
//! ignore (an unknown group, suite or extension) survives parsing intact and
//! re-encodes to the same bytes.

use super::codec::{Codec, Reader};
use crate::error::InvalidMessage;

/// Declares a wire enum over `u8` or `u16` with an `Unknown` catch-all,
/// conversions both ways, and a `Codec` implementation.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident: $repr:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        // Variants keep the registry's spelling (TLS13_AES_128_GCM_SHA256,
        // secp256r1) so they can be searched for in the RFCs.
        #[allow(non_camel_case_types)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this crate has no name for, kept as received.
            Unknown($repr),
        }

        impl $name {
            /// The value as it appears on the wire.
            pub const fn to_wire(self) -> $repr {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Unknown(v) => v,
                }
            }
        }

        impl From<$repr> for $name {
            fn from(v: $repr) -> Self {
                match v {
                    $( $value => Self::$variant, )*
                    other => Self::Unknown(other),
                }
            }
        }

        impl From<$name> for $repr {
            fn from(v: $name) -> $repr {
                v.to_wire()
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self {
                    $( Self::$variant => f.write_str(stringify!($variant)), )*
                    Self::Unknown(v) => write!(f, "{}(0x{:x})", stringify!($name), v),
                }
            }
        }

        impl Codec<'_> for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                self.to_wire().encode(out);
            }

            fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
                <$repr>::read(r)
                    .map(Self::from)
                    .map_err(|_| InvalidMessage::Truncated($what))
            }
        }
    };
}

wire_enum! {
    /// TLSPlaintext.type (RFC 8446 §5.1).
    ContentType: u8, "ContentType" {
        ChangeCipherSpec = 20,
        Alert = 21,
        Handshake = 22,
        ApplicationData = 23,
    }
}

wire_enum! {
    /// ProtocolVersion (RFC 8446 §4.2.1, RFC 5246 §6.2.1).
    ProtocolVersion: u16, "ProtocolVersion" {
        SSLv3 = 0x0300,
        TLSv1_0 = 0x0301,
        TLSv1_1 = 0x0302,
        TLSv1_2 = 0x0303,
        TLSv1_3 = 0x0304,
    }
}

wire_enum! {
    /// HandshakeType (RFC 8446 §4, RFC 5246 §7.4).
    HandshakeType: u8, "HandshakeType" {
        HelloRequest = 0,
        ClientHello = 1,
        ServerHello = 2,
        NewSessionTicket = 4,
        EndOfEarlyData = 5,
        EncryptedExtensions = 8,
        Certificate = 11,
        ServerKeyExchange = 12,
        CertificateRequest = 13,
        ServerHelloDone = 14,
        CertificateVerify = 15,
        ClientKeyExchange = 16,
        Finished = 20,
        CertificateStatus = 22,
        KeyUpdate = 24,
        /// The synthetic message that replaces ClientHello1 in the transcript
        /// after a HelloRetryRequest (RFC 8446 §4.4.1).
        MessageHash = 254,
    }
}

wire_enum! {
    /// AlertLevel (RFC 8446 §6).
    AlertLevel: u8, "AlertLevel" {
        Warning = 1,
        Fatal = 2,
    }
}

wire_enum! {
    /// AlertDescription (RFC 8446 §6, RFC 5246 §7.2).
    AlertDescription: u8, "AlertDescription" {
        CloseNotify = 0,
        UnexpectedMessage = 10,
        BadRecordMac = 20,
        DecryptionFailed = 21,
        RecordOverflow = 22,
        DecompressionFailure = 30,
        HandshakeFailure = 40,
        NoCertificate = 41,
        BadCertificate = 42,
        UnsupportedCertificate = 43,
        CertificateRevoked = 44,
        CertificateExpired = 45,
        CertificateUnknown = 46,
        IllegalParameter = 47,
        UnknownCa = 48,
        AccessDenied = 49,
        DecodeError = 50,
        DecryptError = 51,
        ExportRestriction = 60,
        ProtocolVersion = 70,
        InsufficientSecurity = 71,
        InternalError = 80,
        InappropriateFallback = 86,
        UserCanceled = 90,
        NoRenegotiation = 100,
        MissingExtension = 109,
        UnsupportedExtension = 110,
        CertificateUnobtainable = 111,
        UnrecognizedName = 112,
        BadCertificateStatusResponse = 113,
        BadCertificateHashValue = 114,
        UnknownPskIdentity = 115,
        CertificateRequired = 116,
        NoApplicationProtocol = 120,
    }
}

wire_enum! {
    /// CipherSuite (RFC 8446 §B.4, RFC 5288, RFC 5289, RFC 7905).
    CipherSuite: u16, "CipherSuite" {
        TLS13_AES_128_GCM_SHA256 = 0x1301,
        TLS13_AES_256_GCM_SHA384 = 0x1302,
        TLS13_CHACHA20_POLY1305_SHA256 = 0x1303,
        TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b,
        TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xc02c,
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f,
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xc030,
        TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca8,
        TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca9,
        /// RFC 5746 §3.3: signals secure renegotiation support.
        TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff,
        /// RFC 7507.
        TLS_FALLBACK_SCSV = 0x5600,
    }
}

wire_enum! {
    /// NamedGroup (RFC 8446 §4.2.7).
    NamedGroup: u16, "NamedGroup" {
        secp256r1 = 0x0017,
        secp384r1 = 0x0018,
        secp521r1 = 0x0019,
        X25519 = 0x001d,
        X448 = 0x001e,
        FFDHE2048 = 0x0100,
        FFDHE3072 = 0x0101,
        FFDHE4096 = 0x0102,
        FFDHE6144 = 0x0103,
        FFDHE8192 = 0x0104,
        X25519MLKEM768 = 0x11ec,
    }
}

wire_enum! {
    /// SignatureScheme (RFC 8446 §4.2.3).
    SignatureScheme: u16, "SignatureScheme" {
        RSA_PKCS1_SHA1 = 0x0201,
        ECDSA_SHA1_Legacy = 0x0203,
        RSA_PKCS1_SHA256 = 0x0401,
        RSA_PKCS1_SHA384 = 0x0501,
        RSA_PKCS1_SHA512 = 0x0601,
        ECDSA_NISTP256_SHA256 = 0x0403,
        ECDSA_NISTP384_SHA384 = 0x0503,
        ECDSA_NISTP521_SHA512 = 0x0603,
        RSA_PSS_RSAE_SHA256 = 0x0804,
        RSA_PSS_RSAE_SHA384 = 0x0805,
        RSA_PSS_RSAE_SHA512 = 0x0806,
        ED25519 = 0x0807,
        ED448 = 0x0808,
        RSA_PSS_PSS_SHA256 = 0x0809,
        RSA_PSS_PSS_SHA384 = 0x080a,
        RSA_PSS_PSS_SHA512 = 0x080b,
    }
}

wire_enum! {
    /// ExtensionType (RFC 8446 §4.2 and the RFCs it names).
    ExtensionType: u16, "ExtensionType" {
        ServerName = 0,
        MaxFragmentLength = 1,
        StatusRequest = 5,
        SupportedGroups = 10,
        EcPointFormats = 11,
        SignatureAlgorithms = 13,
        UseSrtp = 14,
        Heartbeat = 15,
        ApplicationLayerProtocolNegotiation = 16,
        SignedCertificateTimestamp = 18,
        Padding = 21,
        EncryptThenMac = 22,
        ExtendedMasterSecret = 23,
        RecordSizeLimit = 28,
        SessionTicket = 35,
        PreSharedKey = 41,
        EarlyData = 42,
        SupportedVersions = 43,
        Cookie = 44,
        PskKeyExchangeModes = 45,
        CertificateAuthorities = 47,
        OidFilters = 48,
        PostHandshakeAuth = 49,
        SignatureAlgorithmsCert = 50,
        KeyShare = 51,
        RenegotiationInfo = 0xff01,
    }
}

wire_enum! {
    /// ECPointFormat (RFC 8422 §5.1.2).
    EcPointFormat: u8, "ECPointFormat" {
        Uncompressed = 0,
        AnsiX962CompressedPrime = 1,
        AnsiX962CompressedChar2 = 2,
    }
}

wire_enum! {
    /// PskKeyExchangeMode (RFC 8446 §4.2.9).
    PskKeyExchangeMode: u8, "PskKeyExchangeMode" {
        PskKe = 0,
        PskDheKe = 1,
    }
}

wire_enum! {
    /// KeyUpdateRequest (RFC 8446 §4.6.3).
    KeyUpdateRequest: u8, "KeyUpdateRequest" {
        UpdateNotRequested = 0,
        UpdateRequested = 1,
    }
}

wire_enum! {
    /// NameType of server_name (RFC 6066 §3).
    ServerNameType: u8, "NameType" {
        HostName = 0,
    }
}

wire_enum! {
    /// CertificateStatusType (RFC 6066 §8).
    CertificateStatusType: u8, "CertificateStatusType" {
        Ocsp = 1,
    }
}

wire_enum! {
    /// ECCurveType of ServerECDHParams (RFC 8422 §5.4).
    EcCurveType: u8, "ECCurveType" {
        ExplicitPrime = 1,
        ExplicitChar2 = 2,
        NamedCurve = 3,
    }
}

wire_enum! {
    /// ClientCertificateType of a TLS 1.2 CertificateRequest (RFC 5246 §7.4.4).
    ClientCertificateType: u8, "ClientCertificateType" {
        RsaSign = 1,
        DssSign = 2,
        EcdsaSign = 64,
    }
}

wire_enum! {
    /// CompressionMethod (RFC 5246 §7.4.1.2); only null exists in practice.
    Compression: u8, "CompressionMethod" {
        Null = 0,
        Deflate = 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_values_round_trip() {
        assert_eq!(
            CipherSuite::from(0x1301),
            CipherSuite::TLS13_AES_128_GCM_SHA256
        );
        assert_eq!(CipherSuite::from(0xabcd), CipherSuite::Unknown(0xabcd));
        assert_eq!(u16::from(CipherSuite::Unknown(0xabcd)), 0xabcd);
        assert_eq!(
            format!("{:?}", NamedGroup::Unknown(0x1234)),
            "NamedGroup(0x1234)"
        );
        let mut out = Vec::new();
        ExtensionType::RenegotiationInfo.encode(&mut out);
        assert_eq!(out, [0xff, 0x01]);
        let mut r = Reader::new(&out);
        assert_eq!(
            ExtensionType::read(&mut r),
            Ok(ExtensionType::RenegotiationInfo)
        );
        assert!(ExtensionType::read(&mut Reader::new(&[1])).is_err());
    }
}
