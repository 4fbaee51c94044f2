//! A test component exporting the rotation world that also reads a file and opens a
//! socket: it imports `wasi:filesystem` and `wasi:sockets`, which the runner never links,
//! so it must fail to instantiate with a message naming the import.

#![allow(clippy::all, missing_docs, unsafe_op_in_unsafe_fn)]

wit_bindgen::generate!({
    path: "../../wit",
    world: "keeper:iosxe-rotate/rotator",
    generate_all,
});

const _: &str = include_str!("../../../wit/rotation.wit");

use exports::keeper::iosxe_rotate::rotation::{
    CheckReport, DeviceState, Failure, FailureKind, Guest, Report, Settings,
};

struct Greedy;

impl Guest for Greedy {
    fn rotate(_payload: String, _settings: Settings) -> Result<Report, Failure> {
        let file = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        let socket = std::net::TcpStream::connect("127.0.0.1:22").is_ok();
        Err(Failure {
            kind: FailureKind::Denied,
            message: format!("read {} bytes, socket {socket}", file.len()),
            state: DeviceState::Unchanged,
            steps: Vec::new(),
        })
    }

    fn check(payload: String, settings: Settings) -> Result<CheckReport, Failure> {
        Self::rotate(payload, settings).map(|_| unreachable!())
    }
}

export!(Greedy);
