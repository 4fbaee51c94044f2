//! `host_endpoint` on arbitrary input: never panics, and what it accepts prints back to
//! something that parses to the same endpoint (the egress check relies on that).
#![no_main]
use iosxe_rotate_payload::Endpoint;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(endpoint) = Endpoint::parse(text)
    {
        assert_eq!(Endpoint::parse(&endpoint.to_string()), Ok(endpoint));
    }
});
