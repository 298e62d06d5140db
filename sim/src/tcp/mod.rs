//! TCP: the RFC 9293 state machine with Linux 6.x behaviour, sans-IO in the spirit of
//! smoltcp's sockets: no clock, no links; the network layer passes time and segments in
//! through a [`crate::stack::StackCtx`] and carries the packets it leaves out.
//!
//! * [`TcpStack`] is one host's TCP: the sockets API ([`TcpStack::listen`],
//!   [`TcpStack::connect`], [`TcpStack::write`]...) and the network side
//!   ([`TcpStack::on_segment`], [`TcpStack::poll`], [`TcpStack::poll_at`],
//!   [`TcpStack::on_icmp_unreachable`]).
//! * [`TcpConfig`] holds the sysctls: [`TcpConfig::linux`] (6.5+),
//!   [`TcpConfig::linux_pre_6_5`], [`TcpConfig::rfc`].
//! * Every number follows docs/fidelity.md (Linux 6.18 measurements and kernel sources);
//!   each rule cites its RFC section or kernel function where it is implemented.

mod ack;
pub mod autotune;
pub mod bbr;
mod bind;
pub mod config;
pub mod congestion;
pub mod counters;
pub mod cubic;
mod data;
mod demux;
mod ecn;
pub mod fastopen;
pub mod info;
mod input;
pub mod listener;
mod output;
pub mod pacing;
pub mod ports;
pub mod prr;
pub mod rack;
pub mod rate;
mod recovery;
mod recv;
pub use recv::SKB_OVERHEAD;
pub mod reuseport;
pub mod rtt;
pub mod sack;
pub mod seq;
mod stack;
pub mod state;
mod syncookie;
pub mod tcb;
mod timeouts;
pub mod timers;

pub use bbr::Bbr;
pub use config::{CcAlgorithm, NagleMode, RecoveryMode, RtoAlgorithm, TcpConfig, TcpProfile};
pub use congestion::{CongestionControl, Reno};
pub use counters::Counters;
pub use cubic::Cubic;
pub use info::TcpInfo;
pub use stack::TcpStack;
pub use state::TcpState;
