//! TCP: the RFC 9293 state machine with Linux 6.x behaviour.

pub mod state;

pub use state::TcpState;
