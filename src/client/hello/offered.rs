//! The extension types our ClientHello carried, kept so that every
//! extension the server sends can be checked against them (RFC 8446 §4.2:
//! "Implementations MUST NOT send extension responses if the remote
//! endpoint did not send the corresponding extension requests").

use crate::error::Error;
use crate::msgs::client_ext::ClientExtension;
use crate::msgs::enums::ExtensionType;
use crate::msgs::extensions::ExtensionForm;

/// Room for the types of every extension oxtls sends (14 at most) and for
/// what a test hook adds; a ClientHello with more is refused rather than
/// remembered in part.
const CAPACITY: usize = 20;

/// The extension types of the ClientHello we sent, held inline as wire
/// values: a handshake remembers them without an allocation, and its
/// state grows by less than a `Vec` would cost on the heap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OfferedExtensions {
    types: [u16; CAPACITY],
    len: u8,
}

impl OfferedExtensions {
    /// The types of `exts`, or an error if there are more than we keep.
    pub(crate) fn of(exts: &[ClientExtension<'_>]) -> Result<Self, Error> {
        Self::from_types(exts.iter().map(ExtensionForm::ext_type))
    }

    /// `types`, or an error if there are more than we keep.
    pub(crate) fn from_types(
        types: impl IntoIterator<Item = ExtensionType>,
    ) -> Result<Self, Error> {
        let mut out = Self {
            types: [0; CAPACITY],
            len: 0,
        };
        for typ in types {
            let slot = out.types.get_mut(usize::from(out.len)).ok_or_else(|| {
                Error::General("ClientHello has more extensions than oxtls can track".into())
            })?;
            *slot = typ.to_wire();
            out.len += 1;
        }
        Ok(out)
    }

    /// Whether our ClientHello had an extension of type `typ`.
    pub(crate) fn contains(&self, typ: ExtensionType) -> bool {
        let sent = self.types.get(..usize::from(self.len)).unwrap_or_default();
        sent.contains(&typ.to_wire())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_the_types_sent() {
        let exts = [
            ClientExtension::EarlyData,
            ClientExtension::ExtendedMasterSecret,
            ClientExtension::Unknown {
                typ: ExtensionType::Unknown(0x1234),
                body: Vec::new(),
            },
        ];
        let offered = OfferedExtensions::of(&exts).unwrap();
        assert!(offered.contains(ExtensionType::EarlyData));
        assert!(offered.contains(ExtensionType::ExtendedMasterSecret));
        assert!(offered.contains(ExtensionType::Unknown(0x1234)));
        assert!(!offered.contains(ExtensionType::KeyShare));
        // The unused slots (zeros) are not server_name (type 0).
        assert!(!offered.contains(ExtensionType::ServerName));
    }

    #[test]
    fn refuses_more_than_it_can_keep() {
        let exts = vec![ClientExtension::EarlyData; CAPACITY + 1];
        assert!(OfferedExtensions::of(&exts).is_err());
        let full = OfferedExtensions::of(&exts[..CAPACITY]).unwrap();
        assert!(full.contains(ExtensionType::EarlyData));
    }
}
