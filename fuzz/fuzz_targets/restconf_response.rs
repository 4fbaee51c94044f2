//! The component's readers of device answers on arbitrary bytes: never panic.
#![no_main]
use iosxe_rotate_guest::{restconf, verify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = restconf::find_user(data, "netops");
    let _ = restconf::device_error(data);
    let _ = restconf::save_result(data);
    if let Ok(text) = std::str::from_utf8(data) {
        // Cheap types only: scrypt/PBKDF2 on every input would slow the fuzzer to a crawl.
        for encryption in ["0", "5", "6", "7"] {
            let _ = verify::check(encryption, text, "hashcat");
        }
        let _ = verify::type7_decode(text);
    }
});
