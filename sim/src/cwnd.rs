//! The congestion window of one sender over time, read back from a trace for a chart: cwnd,
//! ssthresh, the peer's window and the data in flight (from the sender's `Vars` events, in
//! packets of one MSS, as Linux counts `snd_cwnd`), the bottleneck queue (the depth of the
//! sender's egress queue, from `FrameQueued`/`FrameTx`), and the loss and recovery events
//! (`TcpEvent`) that explain each change: RFC 5681 §3.2 fast retransmit and recovery, RFC 6298
//! §5 retransmission timeouts, Linux `tcp_fastretrans_alert` / `tcp_enter_loss`.

use crate::time::Instant;
use crate::trace::{EventKind, NodeId, SockId, SockKind, TcpEventKind, Trace};

/// One moment of the sender's variables, in packets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CwndPoint {
    /// When.
    pub t: Instant,
    /// Congestion window.
    pub cwnd: f64,
    /// Slow-start threshold (None while infinite).
    pub ssthresh: Option<f64>,
    /// The peer's advertised window.
    pub rwnd: f64,
    /// Data sent and not yet acknowledged.
    pub in_flight: f64,
}

/// What a marker on the chart stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mark {
    /// A segment was marked lost (by RACK, duplicate ACKs or a timeout).
    Loss,
    /// The third duplicate ACK (the textbook's fast retransmit trigger).
    DupAcks,
    /// A fast retransmission.
    FastRetransmit,
    /// Fast recovery began (a multiplicative decrease).
    Recovery,
    /// A retransmission timeout: cwnd falls to one packet.
    Rto,
}

impl Mark {
    /// A short label.
    pub fn label(self) -> &'static str {
        match self {
            Mark::Loss => "loss",
            Mark::DupAcks => "3 dup ACKs",
            Mark::FastRetransmit => "fast retransmit",
            Mark::Recovery => "recovery",
            Mark::Rto => "RTO",
        }
    }
}

/// A sender's window history.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CwndHistory {
    /// The sending socket.
    pub sock: SockId,
    /// Its MSS in bytes.
    pub mss: u32,
    /// Its variables, in time order.
    pub points: Vec<CwndPoint>,
    /// The depth of the sender's egress (bottleneck) queue in packets, in time order.
    pub queue: Vec<(Instant, u32)>,
    /// Loss and recovery markers, in time order.
    pub marks: Vec<(Instant, Mark)>,
}

/// The history of the first TCP connection that sent data (the one with the most `Vars`
/// events in flight).
pub fn cwnd_history(trace: &Trace) -> Option<CwndHistory> {
    let sock = crate::transfer::transfers(trace).into_iter().max_by_key(|s| s.data_frames)?.sock;
    let node: NodeId = trace.sockets.get(sock as usize).filter(|s| s.kind == SockKind::TcpConn)?.node;
    let mut h = CwndHistory { sock, ..CwndHistory::default() };
    for e in &trace.events {
        match &e.kind {
            EventKind::Vars { sock: s, vars } if *s == sock => {
                let mss = f64::from(vars.mss.max(1));
                h.mss = u32::from(vars.mss);
                h.points.push(CwndPoint {
                    t: e.t,
                    cwnd: f64::from(vars.cwnd),
                    ssthresh: (vars.ssthresh < u32::MAX / 2).then_some(f64::from(vars.ssthresh)),
                    rwnd: f64::from(vars.snd_wnd) / mss,
                    in_flight: f64::from(vars.in_flight) / mss,
                });
            }
            EventKind::FrameQueued { from, depth_packets, .. } | EventKind::FrameTx { from, depth_packets, .. }
                if *from == node =>
            {
                h.queue.push((e.t, *depth_packets));
            }
            EventKind::TcpEvent { sock: s, what } if *s == sock => {
                let m = match what {
                    TcpEventKind::Lost { .. } => Mark::Loss,
                    TcpEventKind::DupAck { count: 3 } => Mark::DupAcks,
                    TcpEventKind::FastRetransmit { .. } => Mark::FastRetransmit,
                    TcpEventKind::EnterRecovery { .. } => Mark::Recovery,
                    TcpEventKind::Rto { .. } => Mark::Rto,
                    _ => continue,
                };
                h.marks.push((e.t, m));
            }
            _ => {}
        }
    }
    Some(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, pairs: &[(&str, &str)]) -> Trace {
        let preset = crate::presets::find(name).unwrap();
        let (set, errors) = crate::params::ParamSet::apply_lenient(preset.params, pairs.iter().copied());
        assert!(errors.is_empty(), "{errors:?}");
        crate::run(&(preset.build)(&set).unwrap()).unwrap()
    }

    #[test]
    fn slow_start_from_ten_then_a_loss_halves_the_window_and_ssthresh_appears() {
        let t = run("congestion", &[("seconds", "10"), ("algorithm", "reno")]);
        let h = cwnd_history(&t).unwrap();
        assert_eq!(h.points.first().map(|p| p.cwnd), Some(10.0));
        assert!(h.points.iter().take_while(|p| p.ssthresh.is_none()).count() > 10);
        let recovery = h.marks.iter().find(|(_, m)| *m == Mark::Recovery).expect("the full buffer overflows").0;
        let before = h.points.iter().rev().find(|p| p.t < recovery).unwrap();
        let after = h.points.iter().find(|p| p.t > recovery && p.ssthresh.is_some()).unwrap();
        let ssthresh = after.ssthresh.unwrap();
        // Reno: ssthresh = max(cwnd / 2, 2) at the loss (tcp_reno_ssthresh).
        assert!((ssthresh - (before.cwnd / 2.0).floor()).abs() <= 1.0, "{before:?} → {after:?}");
        assert!(h.queue.iter().any(|(_, d)| *d > 0), "the bottleneck queue fills");
    }

    #[test]
    fn random_loss_marks_losses_and_no_timeouts_on_a_clean_path() {
        let lossy = cwnd_history(&run("congestion-loss", &[("seconds", "10")])).unwrap();
        assert!(lossy.marks.iter().filter(|(_, m)| *m == Mark::Loss).count() >= 3);
        let clean = cwnd_history(&run("congestion", &[("seconds", "10")])).unwrap();
        assert!(clean.marks.iter().all(|(_, m)| *m != Mark::Rto));
    }
}
