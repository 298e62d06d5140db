//! # wirewise-sim
//!
//! The simulation core behind every wirewise figure: a deterministic discrete-event network
//! simulator whose frames are real bytes and whose TCP follows RFC 9293 with Linux 6.x
//! numbers. It has no web dependencies and no wall clock: the same scenario and seed give the
//! same [`trace::Trace`], natively and in wasm32.

#![forbid(unsafe_code)]

pub mod engine;
pub mod params;
pub mod rng;
pub mod stack;
pub mod tcp;
pub mod time;
pub mod trace;
pub mod wire;
