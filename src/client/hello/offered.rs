//! The extension types our ClientHello carried, kept so that every
//! extension the server sends can be checked against them (RFC 8446 §4.2:
//! "Implementations MUST NOT send extension responses if the remote
//! endpoint did not send the corresponding extension requests").

use core::ops::Deref;

use crate::error::Error;
use crate::msgs::client_ext::ClientExtension;
use crate::msgs::enums::ExtensionType;
use crate::msgs::extensions::ExtensionForm;

/// Room for the types of every extension oxtls sends (14 at most) and for
/// what a test hook adds; a ClientHello with more is refused rather than
/// remembered in part.
const CAPACITY: usize = 32;

/// The extension types of the ClientHello we sent, in the order sent,
/// held inline: a handshake remembers them without an allocation.
/// Derefs to the slice of types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OfferedExtensions {
    types: [ExtensionType; CAPACITY],
    len: usize,
}

impl OfferedExtensions {
    /// The types of `exts`, or an error if there are more than we keep.
    pub(crate) fn of(exts: &[ClientExtension<'_>]) -> Result<Self, Error> {
        let mut out = Self {
            types: [ExtensionType::Unknown(0); CAPACITY],
            len: 0,
        };
        for ext in exts {
            let slot = out.types.get_mut(out.len).ok_or_else(|| {
                Error::General("ClientHello has more extensions than oxtls can track".into())
            })?;
            *slot = ext.ext_type();
            out.len += 1;
        }
        Ok(out)
    }
}

impl Deref for OfferedExtensions {
    type Target = [ExtensionType];

    fn deref(&self) -> &[ExtensionType] {
        self.types.get(..self.len).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_types_in_order() {
        let exts = [
            ClientExtension::EarlyData,
            ClientExtension::ExtendedMasterSecret,
            ClientExtension::Unknown {
                typ: ExtensionType::Unknown(0x1234),
                body: Vec::new(),
            },
        ];
        let offered = OfferedExtensions::of(&exts).unwrap();
        assert_eq!(
            &offered[..],
            [
                ExtensionType::EarlyData,
                ExtensionType::ExtendedMasterSecret,
                ExtensionType::Unknown(0x1234)
            ]
        );
        assert!(offered.contains(&ExtensionType::Unknown(0x1234)));
        assert!(!offered.contains(&ExtensionType::KeyShare));
        assert!(!offered.contains(&ExtensionType::Unknown(0)));
    }

    #[test]
    fn refuses_more_than_it_can_keep() {
        let exts = vec![ClientExtension::EarlyData; CAPACITY + 1];
        assert!(OfferedExtensions::of(&exts).is_err());
        assert_eq!(
            OfferedExtensions::of(&exts[..CAPACITY]).unwrap().len(),
            CAPACITY
        );
    }
}
