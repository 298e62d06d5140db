//! The eleven connection states of RFC 9293 §3.3.2 (Figure 5).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A TCP connection state. `Closed` is the fictional state before and after a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TcpState {
    /// No connection.
    Closed,
    /// Waiting for a connection request (passive open).
    Listen,
    /// SYN sent, waiting for a matching SYN (active open).
    SynSent,
    /// SYN received and SYN sent, waiting for the ACK of our SYN.
    SynReceived,
    /// Open: data flows both ways.
    Established,
    /// We closed first: FIN sent, waiting for its ACK or the peer's FIN.
    FinWait1,
    /// Our FIN is acknowledged; waiting for the peer's FIN.
    FinWait2,
    /// The peer closed; waiting for our application to close.
    CloseWait,
    /// Both sides sent FIN at once; waiting for the ACK of ours.
    Closing,
    /// We closed after the peer; waiting for the ACK of our FIN.
    LastAck,
    /// Waiting out old duplicates (2·MSL; 60 s on Linux).
    TimeWait,
}

impl TcpState {
    /// All eleven states, in RFC 9293's order.
    pub const ALL: [TcpState; 11] = [
        TcpState::Closed,
        TcpState::Listen,
        TcpState::SynSent,
        TcpState::SynReceived,
        TcpState::Established,
        TcpState::FinWait1,
        TcpState::FinWait2,
        TcpState::CloseWait,
        TcpState::Closing,
        TcpState::LastAck,
        TcpState::TimeWait,
    ];

    /// The RFC's spelling: `SYN-SENT`.
    pub fn name(self) -> &'static str {
        match self {
            TcpState::Closed => "CLOSED",
            TcpState::Listen => "LISTEN",
            TcpState::SynSent => "SYN-SENT",
            TcpState::SynReceived => "SYN-RECEIVED",
            TcpState::Established => "ESTABLISHED",
            TcpState::FinWait1 => "FIN-WAIT-1",
            TcpState::FinWait2 => "FIN-WAIT-2",
            TcpState::CloseWait => "CLOSE-WAIT",
            TcpState::Closing => "CLOSING",
            TcpState::LastAck => "LAST-ACK",
            TcpState::TimeWait => "TIME-WAIT",
        }
    }

    /// Is `self -> to` an arc of RFC 9293 Figure 5 (plus the RST and timeout arcs of §3.10.7
    /// and §3.8.3 that lead to CLOSED, and SYN-RECEIVED back to LISTEN on RST)?
    pub fn may_transition_to(self, to: TcpState) -> bool {
        use TcpState::*;
        if to == Closed {
            // ABORT, RST or a give-up timeout closes any state (RFC 9293 §3.10.7.x, §3.8.3).
            return self != Closed;
        }
        matches!(
            (self, to),
            (Closed, Listen)
                | (Closed, SynSent)
                | (Listen, SynReceived)
                | (Listen, SynSent)
                | (SynSent, SynReceived)
                | (SynSent, Established)
                | (SynReceived, Established)
                | (SynReceived, FinWait1)
                | (SynReceived, Listen)
                | (Established, FinWait1)
                | (Established, CloseWait)
                | (FinWait1, FinWait2)
                | (FinWait1, Closing)
                | (FinWait1, TimeWait)
                | (FinWait2, TimeWait)
                | (CloseWait, LastAck)
                | (Closing, TimeWait)
        )
    }
}

impl fmt::Display for TcpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figure_5_arcs() {
        use TcpState::*;
        assert!(SynSent.may_transition_to(Established));
        assert!(FinWait1.may_transition_to(Closing));
        assert!(!Established.may_transition_to(SynSent));
        assert!(!TimeWait.may_transition_to(Established));
        assert!(TimeWait.may_transition_to(Closed));
        assert!(!Closed.may_transition_to(Closed));
        assert_eq!(TcpState::ALL.len(), 11);
    }
}
