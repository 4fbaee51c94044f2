//! The sealed rotation component.
//!
//! `wit/rotation.wit` is its contract. Pieces, in the order a call goes through them:
//! - `lib.rs` (this file, wasm only): the exported `rotate`, converting between the
//!   generated bindings and our plain types at the edge;
//! - [`payload`] (shared crate): decodes Keeper's stdin line;
//! - [`rotate`]: the rotation steps, over the [`transport::Transport`] trait;
//! - [`restconf`]: the IOS XE requests and how their answers are read;
//! - [`verify`]: checking a stored credential (type 0, 5, 7, 8, 9) against a password;
//! - `wasi_http` (wasm only): the transport over `wasi:http/outgoing-handler`.
//!
//! Everything but the two wasm-only modules builds and is tested natively.

pub mod model;
pub mod restconf;
pub mod rotate;
pub mod transport;
pub mod verify;

#[cfg(target_arch = "wasm32")]
mod bindings;
#[cfg(target_arch = "wasm32")]
mod export;
#[cfg(target_arch = "wasm32")]
mod wasi_http;
