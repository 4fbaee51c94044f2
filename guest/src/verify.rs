//! Proves, inside the component, that a credential the device stores is a given password:
//! type 0 (plain), 7 (reversible), 5 (md5crypt), 8 (PBKDF2-SHA256) and 9 (scrypt).
//! Type 6 is AES with the device's own key: it cannot be checked off the device.

use base64::Engine as _;
use base64::engine::general_purpose::GeneralPurpose;
use base64::engine::{DecodePaddingMode, GeneralPurposeConfig};

/// Cisco's type 8/9 base64: the crypt alphabet `./0-9A-Za-z`, unpadded.
const CISCO64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::CRYPT,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

/// The fixed key of type 7 obfuscation.
const TYPE7_KEY: &[u8] = b"dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87";

/// What checking a stored credential against a password found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    Matches,
    Differs,
    /// Type 6 (or an unknown type): only the device can tell.
    Unverifiable,
}

/// Checks `stored` (of `encryption` type) against `password`.
pub fn check(encryption: &str, stored: &str, password: &str) -> Check {
    let matches = match encryption {
        "0" => stored == password,
        "7" => type7_decode(stored).as_deref() == Some(password),
        "5" => md5crypt_matches(stored, password),
        "8" => derived_matches(stored, "$8$", |salt, out| {
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), salt, 20_000, out);
            true
        }),
        "9" => derived_matches(stored, "$9$", |salt, out| {
            scrypt::Params::new(14, 1, 1, 32)
                .ok()
                .and_then(|p| scrypt::scrypt(password.as_bytes(), salt, &p, out).ok())
                .is_some()
        }),
        _ => return Check::Unverifiable,
    };
    if matches {
        Check::Matches
    } else {
        Check::Differs
    }
}

/// Reverses type 7: two decimal digits of seed, then hex bytes XORed with the key.
pub fn type7_decode(encoded: &str) -> Option<String> {
    let seed: usize = encoded.get(..2)?.parse().ok()?;
    let hex = encoded.get(2..)?;
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes = (0..hex.len() / 2)
        .map(|i| {
            let byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
            Some(byte ^ TYPE7_KEY[(seed + i) % TYPE7_KEY.len()])
        })
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

/// `$1$salt$hash`. (The `md5crypt` crate rather than `pwhash`: pwhash pulls in `rand`,
/// which would make the component import `wasi:random`, a capability it does not need.)
fn md5crypt_matches(stored: &str, password: &str) -> bool {
    let Some((salt, _)) = stored.strip_prefix("$1$").and_then(|r| r.split_once('$')) else {
        return false;
    };
    md5crypt::md5crypt(password.as_bytes(), salt.as_bytes()) == stored.as_bytes()
}

/// `$N$salt$hash`: recomputes the 32-byte hash with `derive(salt, out)` and compares.
fn derived_matches(
    stored: &str,
    prefix: &str,
    derive: impl FnOnce(&[u8], &mut [u8; 32]) -> bool,
) -> bool {
    let Some((salt, hash)) = stored.strip_prefix(prefix).and_then(|r| r.split_once('$')) else {
        return false;
    };
    let Ok(expected) = CISCO64.decode(hash) else {
        return false;
    };
    let mut out = [0u8; 32];
    derive(salt.as_bytes(), &mut out) && expected.as_slice() == out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Public test vectors for the password `hashcat` (hashcat modes 9200, 9300, 500).
    const TYPE8: &str = "$8$TnGX/fE4KGHOVU$pEhnEvxrvaynpi8j4f.EMHr6M.FzU8xnZnBr/tJdFWk";
    const TYPE9: &str = "$9$2MJBozw/9R3UsU$2lFhcKvpghcyw8deP25GOfyZaagyUOGBymkryvOdfo6";
    const TYPE5: &str = "$1$28772684$iEwNOgGugqO9.bIz5sk8k/";

    #[test]
    fn type8_public_vector_verifies() {
        assert_eq!(check("8", TYPE8, "hashcat"), Check::Matches);
        assert_eq!(check("8", TYPE8, "hashcat!"), Check::Differs);
    }

    #[test]
    fn type9_public_vector_verifies() {
        assert_eq!(check("9", TYPE9, "hashcat"), Check::Matches);
        assert_eq!(check("9", TYPE9, "Hashcat"), Check::Differs);
    }

    #[test]
    fn type5_public_vector_verifies() {
        assert_eq!(check("5", TYPE5, "hashcat"), Check::Matches);
        assert_eq!(check("5", TYPE5, "hashcats"), Check::Differs);
    }

    #[test]
    fn type7_published_example_decodes() {
        assert_eq!(type7_decode("02050D480809").as_deref(), Some("cisco"));
        assert_eq!(check("7", "02050D480809", "cisco"), Check::Matches);
        assert_eq!(check("7", "02050D480809", "cisc0"), Check::Differs);
        assert_eq!(type7_decode("0"), None);
        assert_eq!(type7_decode("99ZZ"), None);
    }

    #[test]
    fn type0_compares_plainly() {
        assert_eq!(check("0", "pw", "pw"), Check::Matches);
        assert_eq!(check("0", "pw", "pW"), Check::Differs);
    }

    #[test]
    fn type6_cannot_be_checked_off_device() {
        assert_eq!(check("6", "anything", "pw"), Check::Unverifiable);
    }

    #[test]
    fn malformed_hashes_do_not_match() {
        for stored in ["$9$", "$9$salt", "$9$salt$!!!", "$8$x$y"] {
            assert_ne!(
                check(&stored[1..2], stored, "hashcat"),
                Check::Matches,
                "{stored}"
            );
        }
    }
}
