//! How IOS XE stores user credentials, written independently of the component: type 0
//! (plain), 7 (reversible), 5 (md5crypt), 8 (PBKDF2-SHA256), 9 (scrypt). Type 6 (AES with
//! a device key) is modelled as opaque ciphertext only the device can check.

use base64::Engine as _;
use base64::engine::general_purpose::GeneralPurpose;
use base64::engine::{DecodePaddingMode, GeneralPurposeConfig};
use rand::Rng as _;

/// Cisco's type 8/9 base64: the crypt alphabet `./0-9A-Za-z`, no padding.
const CISCO64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::CRYPT,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

/// The fixed key of type 7 obfuscation.
const TYPE7_KEY: &[u8] = b"dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87";
const SALT_CHARS: &[u8] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn salt(len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| SALT_CHARS[rng.gen_range(0..SALT_CHARS.len())] as char)
        .collect()
}

pub fn type7_encode(plain: &str, seed: usize) -> String {
    let seed = seed % 16;
    let mut out = format!("{seed:02}");
    for (i, b) in plain.bytes().enumerate() {
        out.push_str(&format!(
            "{:02X}",
            b ^ TYPE7_KEY[(seed + i) % TYPE7_KEY.len()]
        ));
    }
    out
}

pub fn type7_decode(encoded: &str) -> Option<String> {
    let seed: usize = encoded.get(..2)?.parse().ok()?;
    let hex = encoded.get(2..)?;
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..hex.len() / 2)
        .map(|i| {
            let b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
            Some(b ^ TYPE7_KEY[(seed + i) % TYPE7_KEY.len()])
        })
        .collect();
    String::from_utf8(bytes?).ok()
}

// md5crypt is deprecated for new passwords, but type 5 *is* md5crypt: the device stores it.
#[allow(deprecated)]
pub fn type5_hash(plain: &str) -> String {
    pwhash::md5_crypt::hash_with(format!("$1${}$", salt(4)).as_str(), plain)
        .expect("md5crypt with a valid salt")
}

pub fn type8_hash_with_salt(plain: &str, salt: &str) -> String {
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(plain.as_bytes(), salt.as_bytes(), 20_000, &mut out);
    format!("$8${salt}${}", CISCO64.encode(out))
}

pub fn type9_hash_with_salt(plain: &str, salt: &str) -> String {
    let params = scrypt::Params::new(14, 1, 1, 32).expect("valid scrypt parameters");
    let mut out = [0u8; 32];
    scrypt::scrypt(plain.as_bytes(), salt.as_bytes(), &params, &mut out)
        .expect("32-byte scrypt output");
    format!("$9${salt}${}", CISCO64.encode(out))
}

pub fn type8_hash(plain: &str) -> String {
    type8_hash_with_salt(plain, &salt(14))
}

pub fn type9_hash(plain: &str) -> String {
    type9_hash_with_salt(plain, &salt(14))
}

/// Type 6 stand-in: only this simulated device can "decrypt" it (the real one uses AES
/// with its master key); the component cannot check it.
pub fn type6_encrypt(plain: &str) -> String {
    let mut out = String::from("SIM6");
    for b in plain.bytes() {
        out.push_str(&format!("{:02x}", b ^ 0x5a));
    }
    out
}

fn type6_decrypt(stored: &str) -> Option<String> {
    let hex = stored.strip_prefix("SIM6")?;
    let bytes: Option<Vec<u8>> = (0..hex.len() / 2)
        .map(|i| {
            u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16)
                .ok()
                .map(|b| b ^ 0x5a)
        })
        .collect();
    String::from_utf8(bytes?).ok()
}

/// Whether `plain` matches a stored credential of type `encryption`.
pub fn matches(encryption: &str, stored: &str, plain: &str) -> bool {
    let salt_of = |prefix: &str| -> Option<String> {
        let rest = stored.strip_prefix(prefix)?;
        Some(rest.split('$').next()?.to_string())
    };
    match encryption {
        "0" => stored == plain,
        "7" => type7_decode(stored).as_deref() == Some(plain),
        "6" => type6_decrypt(stored).as_deref() == Some(plain),
        "5" => pwhash::md5_crypt::verify(plain, stored),
        "8" => salt_of("$8$").is_some_and(|s| type8_hash_with_salt(plain, &s) == stored),
        "9" => salt_of("$9$").is_some_and(|s| type9_hash_with_salt(plain, &s) == stored),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type8_matches_public_vector() {
        let v = "$8$TnGX/fE4KGHOVU$pEhnEvxrvaynpi8j4f.EMHr6M.FzU8xnZnBr/tJdFWk";
        assert_eq!(type8_hash_with_salt("hashcat", "TnGX/fE4KGHOVU"), v);
        assert!(matches("8", v, "hashcat"));
        assert!(!matches("8", v, "hashcat2"));
    }

    #[test]
    fn type9_matches_public_vector() {
        let v = "$9$2MJBozw/9R3UsU$2lFhcKvpghcyw8deP25GOfyZaagyUOGBymkryvOdfo6";
        assert_eq!(type9_hash_with_salt("hashcat", "2MJBozw/9R3UsU"), v);
        assert!(matches("9", v, "hashcat"));
    }

    #[test]
    fn type7_round_trips_and_matches_known_value() {
        // A widely published example: "cisco" with seed 02.
        assert_eq!(type7_encode("cisco", 2), "02050D480809");
        assert_eq!(type7_decode("02050D480809").as_deref(), Some("cisco"));
        assert!(matches("7", &type7_encode("p@ss w0rd!", 9), "p@ss w0rd!"));
    }

    #[test]
    fn type5_hashes_and_verifies() {
        let h = type5_hash("hashcat");
        assert!(h.starts_with("$1$"));
        assert!(matches("5", &h, "hashcat") && !matches("5", &h, "x"));
    }

    #[test]
    fn type6_only_the_device_can_check() {
        assert!(matches("6", &type6_encrypt("pw"), "pw"));
    }
}
