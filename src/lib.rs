//! StandIn: one crate for the extension (compiled to wasm) and the wire types the team server
//! shares. The modules at this level are pure and tested natively; browser code lives in
//! `wasm` and exists only on `wasm32`.
#![deny(clippy::unwrap_used)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod api;
pub mod badge;
pub mod item_ref;
pub mod limits;
pub mod model;
pub mod time;
pub mod validate;
