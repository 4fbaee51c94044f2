//! The payload parser on arbitrary input: never panics; errors never quote the input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = iosxe_rotate_payload::parse(text, "Cisco Authentication Record") {
            let _ = e.to_string();
        }
    }
});
