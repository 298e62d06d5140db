//! The sliding window of one TCP transfer, read back from a trace: what the sender had
//! acknowledged, had sent, and was allowed to send at each moment, the receiver's buffer, the
//! zero-window probes and the window update that reopened the flow.
//!
//! The sender's view follows RFC 9293 §3.8.6: bytes up to SND.UNA are acknowledged, bytes
//! from SND.UNA to SND.NXT are in flight, and the sender may send up to SND.UNA + SND.WND,
//! where SND.WND is the window field of the latest ACK shifted left by the receiver's window
//! scale (RFC 7323 §2.3; only when both SYNs carried the option). Numbers are relative to the
//! sender's initial sequence number, as Wireshark shows them. Zero-window probes are the
//! sender's persist timer firing (Linux `tcp_probe_timer`, `tcp_send_probe0`).

use crate::time::Instant;
use crate::trace::{EventKind, NodeId, QueueKind, SockId, TimerAction, TimerKind, Trace};
use crate::wire::{Frame, FramePayload, TcpRepr, Transport};
use std::net::SocketAddrV4;

/// The sender's window at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowSample {
    /// When the sender's view changed (a data segment left it, or an ACK reached it).
    pub t: Instant,
    /// Bytes acknowledged (SND.UNA, relative).
    pub acked: u64,
    /// Bytes sent (SND.NXT, relative; the highest sent).
    pub sent: u64,
    /// The receiver's advertised window, scaled, in bytes (SND.WND).
    pub window: u64,
}

/// The receiver's buffer at one moment (its receive queue, `Recv-Q` in `ss`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferSample {
    /// When it changed.
    pub t: Instant,
    /// Bytes waiting for the application.
    pub len: u32,
    /// The buffer's capacity.
    pub cap: u32,
}

/// One transfer's window history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamWindow {
    /// The sender's node.
    pub sender: NodeId,
    /// The sender's view, in time order (starts with everything zero).
    pub samples: Vec<WindowSample>,
    /// The receiver's buffer, in time order.
    pub buffer: Vec<BufferSample>,
    /// When the sender's persist timer fired: each is a zero-window probe.
    pub probes: Vec<Instant>,
    /// When an ACK advertising a zero window first reached the sender.
    pub zero_at: Option<Instant>,
    /// When the first ACK after that advertising an open window reached the sender.
    pub reopened_at: Option<Instant>,
}

impl StreamWindow {
    /// The sender's view at `t` (the latest sample at or before it), by binary search.
    pub fn at(&self, t: Instant) -> WindowSample {
        let i = self.samples.partition_point(|s| s.t <= t);
        i.checked_sub(1).map_or(WindowSample { t, acked: 0, sent: 0, window: 0 }, |i| self.samples[i])
    }

    /// The receiver's buffer at `t`, by binary search.
    pub fn buffer_at(&self, t: Instant) -> Option<BufferSample> {
        let i = self.buffer.partition_point(|s| s.t <= t);
        i.checked_sub(1).map(|i| self.buffer[i])
    }

    /// The zero-window probes sent by `t`.
    pub fn probes_by(&self, t: Instant) -> usize {
        self.probes.partition_point(|p| *p <= t)
    }
}

fn tcp_of(trace: &Trace, frame: u32) -> Option<(SocketAddrV4, SocketAddrV4, TcpRepr)> {
    let rec = trace.frames.get(frame as usize)?;
    let f = Frame::parse(&rec.bytes).ok()?;
    match f.payload {
        FramePayload::Ipv4(p) => match p.transport {
            Transport::Tcp(t) => {
                Some((SocketAddrV4::new(p.ip.src, t.src_port), SocketAddrV4::new(p.ip.dst, t.dst_port), t))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The window history of the first TCP connection in `trace`: the side that sent the first
/// SYN is taken as the sender of the data (as in the `flow-control` preset).
pub fn stream_window(trace: &Trace) -> Option<StreamWindow> {
    let mut out = StreamWindow::default();
    let mut sender: Option<(SocketAddrV4, SocketAddrV4)> = None;
    let (mut isn, mut syn_ws, mut synack_ws) = (0u32, None::<u8>, None::<u8>);
    let (mut acked, mut sent, mut window) = (0u64, 0u64, 0u64);
    let mut sender_sock: Option<SockId> = None;
    let mut receiver_sock: Option<SockId> = None;
    for e in &trace.events {
        match &e.kind {
            EventKind::FrameTx { frame, from, .. } => {
                let Some((src, dst, t)) = tcp_of(trace, *frame) else { continue };
                if sender.is_none() && t.flags.syn() && !t.flags.ack() {
                    sender = Some((src, dst));
                    out.sender = *from;
                    isn = t.seq;
                    syn_ws = t.options.window_scale;
                    continue;
                }
                if sender == Some((src, dst)) && *from == out.sender && !t.payload.is_empty() {
                    let end = u64::from(t.seq.wrapping_sub(isn).wrapping_sub(1)) + t.payload.len() as u64;
                    if end > sent {
                        sent = end;
                        out.samples.push(WindowSample { t: e.t, acked, sent, window });
                    }
                }
            }
            EventKind::FrameRx { frame, node, .. } if sender.is_some() && *node == out.sender => {
                let Some((src, dst, t)) = tcp_of(trace, *frame) else { continue };
                let (s_local, s_remote) = sender.unwrap_or((src, dst));
                if (src, dst) != (s_remote, s_local) || !t.flags.ack() {
                    continue;
                }
                if t.flags.syn() {
                    synack_ws = t.options.window_scale;
                    window = u64::from(t.window); // never scaled in a SYN (RFC 7323 §2.2)
                    out.samples.push(WindowSample { t: e.t, acked, sent, window });
                    continue;
                }
                let shift = match (syn_ws, synack_ws) {
                    (Some(_), Some(s)) => u32::from(s.min(14)),
                    _ => 0,
                };
                let ack = u64::from(t.ack.wrapping_sub(isn).wrapping_sub(1));
                let ack = if ack > sent + 1 { acked } else { ack.min(sent) };
                acked = acked.max(ack);
                window = u64::from(t.window) << shift;
                if window == 0 && out.zero_at.is_none() {
                    out.zero_at = Some(e.t);
                }
                if window > 0 && out.zero_at.is_some() && out.reopened_at.is_none() {
                    out.reopened_at = Some(e.t);
                }
                out.samples.push(WindowSample { t: e.t, acked, sent, window });
            }
            EventKind::Timer { sock, timer: TimerKind::Persist, action: TimerAction::Fired }
                if sender_sock.is_none_or(|s| s == *sock) =>
            {
                sender_sock = Some(*sock);
                out.probes.push(e.t);
            }
            EventKind::Queue { sock, queue: QueueKind::Recv, len, cap } => {
                let on_receiver = trace.sockets.get(*sock as usize).is_some_and(|s| s.node != out.sender);
                if on_receiver && receiver_sock.is_none_or(|s| s == *sock) {
                    receiver_sock = Some(*sock);
                    out.buffer.push(BufferSample { t: e.t, len: *len, cap: *cap });
                }
            }
            _ => {}
        }
    }
    sender.map(|_| out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pairs: &[(&str, &str)]) -> Trace {
        let preset = crate::presets::find("flow-control").unwrap();
        let (set, errors) = crate::params::ParamSet::apply_lenient(preset.params, pairs.iter().copied());
        assert!(errors.is_empty(), "{errors:?}");
        crate::run(&(preset.build)(&set).unwrap()).unwrap()
    }

    #[test]
    fn a_late_reader_closes_the_window_and_probes_follow_until_it_reads() {
        // 300 KB into a 64 KB buffer; the reader starts at 1.5 s.
        let t = run(&[]);
        let w = stream_window(&t).unwrap();
        let zero = w.zero_at.expect("the window closes");
        let reopened = w.reopened_at.expect("and reopens");
        assert!(zero.0 < 1_500_000_000, "closed before the reader starts: {zero:?}");
        assert!(reopened.0 >= 1_500_000_000, "reopened only once the reader reads: {reopened:?}");
        // Probes only while the window is closed, at growing intervals.
        let during: Vec<u64> = w.probes.iter().filter(|p| **p > zero && **p < reopened).map(|p| p.0).collect();
        assert!(during.len() >= 2, "{:?}", w.probes);
        let gaps: Vec<u64> = during.windows(2).map(|x| x[1] - x[0]).collect();
        assert!(gaps.windows(2).all(|g| g[1] > g[0]), "exponential backoff: {gaps:?}");
        // Never more in flight than the window allowed, and everything sent is acked at last.
        for s in &w.samples {
            assert!(s.acked <= s.sent, "{s:?}");
        }
        let last = w.samples.last().unwrap();
        assert_eq!((last.acked, last.sent), (300_000, 300_000), "{last:?}");
        // The receive buffer was full (within a segment) while the window was zero.
        let full = w.buffer_at(Instant(zero.0 + 1)).unwrap();
        assert!(full.len + 1448 >= full.cap.min(65_536) / 2, "{full:?}");
    }

    #[test]
    fn a_fast_reader_never_closes_the_window() {
        let t = run(&[("read_after", "0"), ("read_rate", "0")]);
        let w = stream_window(&t).unwrap();
        assert_eq!(w.zero_at, None);
        assert!(w.probes.is_empty());
        assert_eq!(w.samples.last().unwrap().acked, 300_000);
    }
}
