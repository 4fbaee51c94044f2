//! Bindings generated from `wit/` (the only contract). Nothing else lives here.
#![allow(clippy::all, missing_docs, unsafe_op_in_unsafe_fn)]

wit_bindgen::generate!({
    path: "../wit",
    world: "keeper:iosxe-rotate/rotator",
    generate_all,
});

// Makes cargo rebuild the component when the contract changes (the macro's own file
// reads are not tracked).
const _: &str = include_str!("../../wit/rotation.wit");
