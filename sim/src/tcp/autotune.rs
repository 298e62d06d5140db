//! Receive-buffer autotuning (Linux `tcp_rcv_space_adjust`, `tcp_moderate_rcvbuf` = 1): once
//! per receiver-estimated RTT, if the application read more than in the previous RTT, the
//! buffer grows to 2·copied + 16·advmss, plus twice the growth ratio to follow a sender in
//! slow start, up to `tcp_rmem[2]`. Without it a long-fat path is capped by the 128 KiB
//! default buffer. The receiver's RTT comes from timestamp echoes (`tcp_rcv_rtt_measure_ts`)
//! or, without timestamps, from how long a window's worth of data takes
//! (`tcp_rcv_rtt_measure`). Buffer sizes are counted in payload bytes, as the rest of the
//! model does.

use super::seq;
use super::tcb::{Env, Tcb};
use crate::time::{Duration, Instant};
use crate::trace::{EventKind, TcpEventKind};
use crate::wire::TcpRepr;

/// `rcvq_space` and `rcv_rtt_est`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RcvSpace {
    /// Bytes the application read in the last measured RTT (`rcvq_space.space`).
    pub space: u32,
    /// Bytes read when the measurement started (`rcvq_space.seq`).
    pub copied_at: u64,
    /// When it started (`rcvq_space.time`); none before the first measurement.
    pub time: Option<Instant>,
    /// Receiver RTT estimate ×8, µs (`rcv_rtt_est.rtt_us`); 0 before a sample.
    pub rtt_us8: u64,
    /// The TSecr last used for a sample.
    pub last_tsecr: u32,
    /// Window-based measurement: sequence to reach and when it started.
    pub rtt_seq: Option<(u32, Instant)>,
}

impl Tcb {
    /// Bytes the application has read so far (`copied_seq`).
    pub fn copied(&self) -> u64 {
        self.rcv_abs - self.rcv_buf.len() as u64
    }

    /// `tcp_rcv_rtt_update`: lower samples are taken at once, higher ones smoothed by 1/8
    /// (window-based samples only lower it).
    fn rcv_rtt_update(&mut self, sample_us: u64, win_dep: bool) {
        let m = sample_us.max(1) << 3;
        let old = self.rcv_space.rtt_us8;
        self.rcv_space.rtt_us8 = if old == 0 || m < old {
            m
        } else if win_dep {
            return;
        } else {
            old - (old >> 3) + sample_us
        };
    }

    /// Receiver-side RTT sample from a full-sized data segment (`tcp_rcv_rtt_measure_ts`,
    /// `tcp_rcv_rtt_measure`).
    pub fn rcv_rtt_measure(&mut self, env: &Env, seg: &TcpRepr) {
        let now = env.now();
        if self.ts_ok {
            let Some((_, tsecr)) = seg.options.timestamps else { return };
            if tsecr == 0 || tsecr == self.rcv_space.last_tsecr || (seg.payload.len() as u32) < self.ack.rcv_mss {
                return;
            }
            self.rcv_space.last_tsecr = tsecr;
            let ms = self.tsval(now).wrapping_sub(tsecr);
            if ms < 0x8000_0000 {
                self.rcv_rtt_update(u64::from(ms.max(1)) * 1000, false);
            }
            return;
        }
        match self.rcv_space.rtt_seq {
            Some((s, t)) if seq::lt(self.rcv_nxt, s) => {
                let _ = t;
            }
            Some((_, t)) => {
                let us = now.saturating_since(t).as_nanos() / 1000;
                self.rcv_rtt_update(us, true);
                self.rcv_space.rtt_seq = Some((self.rcv_nxt.wrapping_add(self.rcv_wnd), now));
            }
            None => self.rcv_space.rtt_seq = Some((self.rcv_nxt.wrapping_add(self.rcv_wnd), now)),
        }
    }

    /// `tcp_rcv_space_adjust`, after the application read.
    pub fn rcv_space_adjust(&mut self, env: &mut Env) {
        let now = env.now();
        let copied_total = self.copied();
        let Some(start) = self.rcv_space.time else {
            // tcp_init_buffer_space: min(rcv_ssthresh, rcv_wnd, 10·advmss).
            let iw = 10 * u32::from(self.adv_mss);
            self.rcv_space.space = self.rcv_ssthresh.min(self.rcv_wnd).min(iw).max(1);
            self.rcv_space.copied_at = copied_total;
            self.rcv_space.time = Some(now);
            return;
        };
        let rtt = Duration::from_micros(self.rcv_space.rtt_us8 >> 3);
        if self.rcv_space.rtt_us8 == 0 || now.saturating_since(start) < rtt {
            return;
        }
        let copied = copied_total - self.rcv_space.copied_at;
        let space = u64::from(self.rcv_space.space.max(1));
        if copied > space {
            if env.cfg.moderate_rcvbuf && !self.rcvbuf_locked {
                let mut rcvwin = (u128::from(copied) << 1) + 16 * u128::from(self.adv_mss);
                let grow = rcvwin * u128::from(copied - space) / u128::from(space);
                rcvwin += grow << 1;
                // tcp_space_from_win: the memory that window of payload needs.
                let mem = (rcvwin << 8) / u128::from(self.scaling_ratio.max(1));
                let rcvbuf = mem.min(u128::from(env.cfg.rmem.2)) as u32;
                if rcvbuf > self.rcv_cap {
                    self.rcv_cap = rcvbuf;
                    // "Make the window clamp follow along."
                    self.window_clamp = self.win_from_space(rcvbuf);
                    env.ctx
                        .event(EventKind::TcpEvent { sock: self.id, what: TcpEventKind::RcvBufGrow { bytes: rcvbuf } });
                }
            }
            self.rcv_space.space = copied.min(u64::from(u32::MAX)) as u32;
        }
        self.rcv_space.copied_at = copied_total;
        self.rcv_space.time = Some(now);
    }
}
