//! Receiving: the receive buffer and out-of-order queue, SACK blocks (RFC 2018), the
//! advertised window (Linux `tcp_select_window`, receiver SWS avoidance RFC 9293 §3.8.6.2.2),
//! and the delayed-ACK logic of Linux (`tcp_event_data_recv`, `__tcp_ack_snd_check`,
//! `tcp_send_delayed_ack`; docs/fidelity.md §4.1).
//!
//! Buffer accounting follows Linux 6.x (docs/fidelity.md §5.1): each queued segment is charged
//! its *truesize*, payload plus [`SKB_OVERHEAD`], against `sk_rcvbuf` (`skb_set_owner_r`); the
//! window is carved from the buffer through `scaling_ratio`, the payload per byte of memory
//! that the first full-sized segment measures (`tcp_measure_rcv_mss`, `tcp_win_from_space`:
//! 1448 bytes in 2304 gives 160/256). So a receiver that never reads closes its window after
//! about 62% of SO_RCVBUF's memory, not after all of it. `rcv_ssthresh` grows by two segments
//! per segment received only while `min(window_clamp, tcp_space)` leaves room
//! (`tcp_grow_window`), and each growth earns one quick ACK.
//!
//! Simplification, said plainly: every segment is charged as its own buffer; Linux sometimes
//! merges a segment into the one before it (`tcp_try_coalesce`) and charges only its payload.

/// `TCP_DEFAULT_SCALING_RATIO` (include/net/tcp.h): half the buffer for payload until a
/// segment is measured.
pub const DEFAULT_SCALING_RATIO: u32 = 128;
/// `TCP_RMEM_TO_WIN_SCALE`: `scaling_ratio` is in 256ths.
const RMEM_TO_WIN_SCALE: u32 = 8;
/// What a received segment costs the receive buffer beyond its payload (its truesize less its
/// length): the `sk_buff`, `skb_shared_info` and head. 856 bytes on the conformance machine's
/// veth (the windows it advertised fit a truesize of 2304 for 1448 bytes exactly;
/// docs/fidelity.md §5.1); 832 on its loopback.
pub const SKB_OVERHEAD: u32 = 856;
/// `SOCK_MIN_RCVBUF` (2048 + `sizeof(struct sk_buff)`): SO_RCVBUF's floor.
pub const SOCK_MIN_RCVBUF: u32 = 2304;

use super::counters;
use super::seq;
use super::tcb::{Env, Tcb};
use crate::time::Duration;
use crate::trace::TimerKind;
use std::collections::BTreeMap;

impl Tcb {
    /// `tcp_win_from_space`: the payload `space` bytes of buffer memory hold.
    pub fn win_from_space(&self, space: u32) -> u32 {
        ((u64::from(space) * u64::from(self.scaling_ratio)) >> RMEM_TO_WIN_SCALE) as u32
    }

    /// `tcp_space`: payload bytes the receive buffer can still take.
    pub fn free_space(&self) -> u32 {
        self.win_from_space(self.rcv_cap.saturating_sub(self.rmem_alloc))
    }

    /// `tcp_full_space`: payload bytes the whole receive buffer holds.
    pub fn full_space(&self) -> u32 {
        self.win_from_space(self.rcv_cap)
    }

    /// `tcp_init_buffer_space`, when the connection is established: the window clamp leaves
    /// one segment of the buffer in reserve, and `rcv_ssthresh` starts no higher than it.
    pub fn init_buffer_space(&mut self) {
        let maxwin = self.full_space();
        let advmss = u32::from(self.adv_mss);
        if self.window_clamp >= maxwin {
            self.window_clamp = maxwin;
        }
        if self.window_clamp > 2 * advmss && self.window_clamp + advmss > maxwin {
            self.window_clamp = (2 * advmss).max(maxwin.saturating_sub(advmss));
        }
        self.rcv_ssthresh = self.rcv_ssthresh.min(self.window_clamp);
    }

    /// `tcp_set_window_clamp`: a lower clamp pulls `rcv_ssthresh` down with it; a higher one
    /// lets it rise to the window already offered.
    pub fn set_window_clamp(&mut self, val: u32) {
        let old = self.window_clamp;
        self.window_clamp = val;
        if val < old {
            self.rcv_ssthresh = self.rcv_ssthresh.min(val);
        } else {
            self.rcv_ssthresh = self.rcv_ssthresh.max(self.rcv_wnd.min(val));
        }
    }

    /// Charge a segment of `len` payload bytes to the receive buffer (`skb_set_owner_r`).
    fn charge(&mut self, len: u32) {
        self.rmem_alloc = self.rmem_alloc.saturating_add(len + SKB_OVERHEAD);
    }

    /// The application read `n` bytes: give back their memory, and each segment's overhead
    /// once it is read to its end.
    pub fn consumed(&mut self, mut n: u32) {
        while n > 0 {
            let Some(front) = self.rcv_skbs.front_mut() else { break };
            let take = n.min(front.0);
            front.0 -= take;
            n -= take;
            self.rmem_alloc = self.rmem_alloc.saturating_sub(take);
            if front.0 == 0 {
                self.rmem_alloc = self.rmem_alloc.saturating_sub(front.1);
                self.rcv_skbs.pop_front();
            }
        }
    }

    /// What is left of the window last advertised (`tcp_receive_window`).
    pub fn receive_window_now(&self) -> u32 {
        let edge = self.rcv_wup.wrapping_add(self.rcv_wnd);
        seq::dist(self.rcv_nxt, edge)
    }

    /// `__tcp_select_window`: the window the free space allows (`tcp_space`). Below half the
    /// clamped buffer the quick-ACK budget is dropped; below 1/16 of the buffer or one MSS the
    /// window is 0 (receiver SWS avoidance: the right edge moves only by at least one MSS). It
    /// grows no faster than `rcv_ssthresh`. With scaling it is rounded up to the scale unit, without it rounded
    /// down to a multiple of the MSS.
    pub fn compute_window(&mut self) -> u32 {
        let mss = self.ack.rcv_mss.max(1);
        let allowed = self.full_space();
        let full = self.window_clamp.min(allowed);
        let mut free = self.free_space();
        if free < full / 2 {
            self.ack.quick = 0;
            // The window may not grow by the scale's rounding: round down first.
            free &= !((1u32 << self.rcv_wscale) - 1);
            if free < allowed / 16 || free < mss {
                return 0;
            }
        }
        free = free.min(self.rcv_ssthresh);
        if self.rcv_wscale > 0 {
            let unit = 1u32 << self.rcv_wscale;
            free.div_ceil(unit) * unit
        } else {
            let window = self.rcv_wnd;
            if window.saturating_add(mss) <= free || window > free {
                free - free % mss
            } else {
                window
            }
        }
    }

    /// `tcp_select_window`: choose the window to advertise now, never moving the right edge
    /// left (RFC 9293 §3.8.6 SHLD-14; "Never shrink the offered window"), and remember it.
    /// Returns the 16-bit field value (scaled down by `rcv_wscale`, RFC 7323 §2.3).
    pub fn select_window(&mut self) -> u16 {
        let cur = self.receive_window_now();
        let mut new = self.compute_window();
        let unit = 1u32 << self.rcv_wscale;
        if new < cur {
            new = cur.div_ceil(unit) * unit;
        }
        new = new.min(65535u32 << self.rcv_wscale);
        self.rcv_wnd = new;
        self.rcv_wup = self.rcv_nxt;
        (new >> self.rcv_wscale) as u16
    }

    /// `tcp_event_ack_sent`: an ACK went out, so none is owed; one quick ACK is used up.
    pub fn ack_sent(&mut self, env: &mut Env) {
        if self.ack.quick > 0 {
            self.ack.quick -= 1;
            if self.ack.quick == 0 {
                self.ack.ato = env.cfg.delack_min;
            }
        }
        self.ack.pending = false;
        self.timers.cancel(env.ctx, self.id, TimerKind::DelayedAck);
    }

    /// `tcp_incr_quickack`: up to `rcv_wnd / (2·rcv_mss)` quick ACKs, at most 16.
    pub fn incr_quickack(&mut self, max: u32) {
        let mut q = self.rcv_wnd / (2 * self.ack.rcv_mss.max(1));
        if q == 0 {
            q = 2;
        }
        q = q.min(max);
        if q > self.ack.quick {
            self.ack.quick = q;
        }
    }

    /// `tcp_enter_quickack_mode`: quick ACKs again, leave interactive mode.
    pub fn enter_quickack_mode(&mut self, env: &Env) {
        self.incr_quickack(env.cfg.max_quickacks);
        self.ack.pingpong = false;
        self.ack.ato = env.cfg.delack_min;
    }

    /// `tcp_in_quickack_mode`.
    pub fn in_quickack_mode(&self) -> bool {
        self.ack.quick > 0 && !self.ack.pingpong
    }

    /// `tcp_event_data_recv`: adapt `ato` to the inter-arrival time, measure the peer's
    /// segment size, grow the window (`tcp_grow_window`).
    pub fn data_recv_event(&mut self, env: &Env, len: u32) {
        let now = env.now();
        let ato_min = env.cfg.delack_min;
        if self.ack.ato == Duration::ZERO {
            self.incr_quickack(env.cfg.max_quickacks);
            self.ack.ato = ato_min;
        } else {
            let m = now.saturating_since(self.ack.lrcvtime);
            if m <= Duration(ato_min.as_nanos() / 2) {
                self.ack.ato = Duration(self.ack.ato.as_nanos() / 2) + Duration(ato_min.as_nanos() / 2);
            } else if m < self.ack.ato {
                self.ack.ato = (Duration(self.ack.ato.as_nanos() / 2) + m).min(self.rto);
            } else if m > self.rto {
                self.incr_quickack(env.cfg.max_quickacks);
            }
        }
        self.ack.lrcvtime = now;
        // tcp_measure_rcv_mss: a segment longer than any before measures the payload per
        // byte of buffer memory, and the clamp follows the buffer.
        if len >= self.ack.rcv_mss {
            if len != self.ack.rcv_mss {
                let ratio = ((u64::from(len) << RMEM_TO_WIN_SCALE) / u64::from(len + SKB_OVERHEAD)).max(1) as u32;
                if ratio != self.scaling_ratio {
                    self.scaling_ratio = ratio;
                    self.set_window_clamp(self.full_space());
                }
            }
            self.ack.rcv_mss = len.min(u32::from(self.adv_mss));
        }
        // tcp_grow_window, for segments of at least 128 bytes: two segments more, as long as
        // the clamp and the free space leave room (a received segment's truesize, less its
        // buffer head, is its payload, so the "fits later" test always passes here).
        if len >= 128 {
            let room = self.window_clamp.min(self.free_space()) as i64 - i64::from(self.rcv_ssthresh);
            if room > 0 {
                let incr = (2 * u32::from(self.adv_mss)).max(2 * len);
                self.rcv_ssthresh += (room as u32).min(incr);
                self.ack.quick |= 1;
            }
        }
    }

    /// Linux `tcp_event_data_sent`: sending data within `ato` of the last arrival marks the
    /// connection interactive (pingpong; `tcp_pingpong_thresh` = 1).
    pub fn note_data_sent(&mut self, env: &Env) {
        if self.ack.ato > Duration::ZERO && env.now().saturating_since(self.ack.lrcvtime) < self.ack.ato {
            self.ack.pingpong = true;
        }
    }

    /// Take in-window data at `seq` (already trimmed to the window). Returns
    /// `(in_order_bytes, went_out_of_order, filled_hole)`.
    pub fn queue_data(&mut self, seq: u32, data: &[u8]) -> (u32, bool, bool) {
        if data.is_empty() {
            return (0, false, false);
        }
        if seq == self.rcv_nxt {
            let had_ooo = !self.ooo.is_empty();
            self.charge(data.len() as u32);
            self.rcv_skbs.push_back((data.len() as u32, SKB_OVERHEAD));
            self.deliver(data);
            // tcp_ofo_queue: pull whatever the new data made contiguous.
            while let Some((&start, _)) = self.ooo.iter().next() {
                if start > self.rcv_abs {
                    break;
                }
                let Some(block) = self.ooo.remove(&start) else { break };
                // The block's segments move to the in-order queue with their overhead (as
                // many as it holds full segments), its bytes already in order are freed.
                let mss = self.ack.rcv_mss.max(1);
                let overhead = (block.len() as u32).div_ceil(mss).saturating_mul(SKB_OVERHEAD).min(self.ooo_overhead);
                self.ooo_overhead -= overhead;
                let skip = (self.rcv_abs - start) as usize;
                self.rmem_alloc = self.rmem_alloc.saturating_sub(skip.min(block.len()) as u32);
                if skip < block.len() {
                    let rest = block[skip..].to_vec();
                    self.rcv_skbs.push_back((rest.len() as u32, overhead));
                    self.deliver(&rest);
                } else {
                    self.rmem_alloc = self.rmem_alloc.saturating_sub(overhead);
                }
            }
            if self.ooo.is_empty() {
                // Whatever overhead the merged blocks did not carry over is given back.
                self.rmem_alloc = self.rmem_alloc.saturating_sub(std::mem::take(&mut self.ooo_overhead));
            }
            let filled = had_ooo;
            (data.len() as u32, false, filled)
        } else {
            let start = self.rcv_abs + u64::from(seq.wrapping_sub(self.rcv_nxt));
            // Charge the bytes the queue did not hold yet, and one segment's overhead.
            let held = |q: &BTreeMap<u64, Vec<u8>>| q.values().map(Vec::len).sum::<usize>();
            let before = held(&self.ooo);
            self.insert_ooo(start, data);
            let added = (held(&self.ooo) - before) as u32;
            self.rmem_alloc = self.rmem_alloc.saturating_add(added + SKB_OVERHEAD);
            self.ooo_overhead += SKB_OVERHEAD;
            self.last_ooo = Some(start);
            (0, true, false)
        }
    }

    fn deliver(&mut self, data: &[u8]) {
        self.rcv_buf.extend(data);
        let n = data.len() as u32;
        self.rcv_nxt = self.rcv_nxt.wrapping_add(n);
        self.rcv_abs += u64::from(n);
        self.bytes_received += u64::from(n);
    }

    /// Insert `[start, start+len)` into the out-of-order queue, merging with every block it
    /// overlaps or touches so blocks never overlap (they are also the SACK blocks).
    fn insert_ooo(&mut self, start: u64, data: &[u8]) {
        let mut lo = start;
        let mut hi = start + data.len() as u64;
        // The common case: the segment continues the block before it and touches no other.
        let before = self.ooo.range(..=start).next_back().map(|(&s, b)| (s, s + b.len() as u64));
        if let Some((s, end)) = before {
            if end == start && self.ooo.range(start..=hi).next().is_none() {
                if let Some(b) = self.ooo.get_mut(&s) {
                    b.extend_from_slice(data);
                    return;
                }
            }
        }
        let touching: Vec<u64> =
            self.ooo.range(..=hi).filter(|(&s, b)| s + b.len() as u64 >= lo).map(|(&s, _)| s).collect();
        let mut parts = Vec::new();
        for s in touching {
            if let Some(b) = self.ooo.remove(&s) {
                lo = lo.min(s);
                hi = hi.max(s + b.len() as u64);
                parts.push((s, b));
            }
        }
        let mut merged = vec![0u8; (hi - lo) as usize];
        for (s, b) in parts {
            let o = (s - lo) as usize;
            merged[o..o + b.len()].copy_from_slice(&b);
        }
        let o = (start - lo) as usize;
        merged[o..o + data.len()].copy_from_slice(data);
        self.ooo.insert(lo, merged);
    }

    /// SACK blocks for an outgoing ACK (RFC 2018 §4): the block holding the most recently
    /// received segment first, then the others; at most `max` (3 with timestamps).
    pub fn sack_blocks(&self, max: usize) -> Vec<(u32, u32)> {
        let to_seq = |abs: u64| self.rcv_nxt.wrapping_add((abs - self.rcv_abs) as u32);
        let mut blocks: Vec<(u64, u64)> = self.ooo.iter().map(|(&s, b)| (s, s + b.len() as u64)).collect();
        if let Some(last) = self.last_ooo {
            if let Some(i) = blocks.iter().position(|&(s, e)| s <= last && last < e) {
                let b = blocks.remove(i);
                blocks.insert(0, b);
            }
        }
        blocks.into_iter().take(max).map(|(s, e)| (to_seq(s), to_seq(e))).collect()
    }

    /// `__tcp_ack_snd_check`: ACK now if more than one full segment arrived since the last
    /// ACK (and the window would not shrink), in quick-ACK mode, or with data out of order
    /// (RFC 5681 §4.2); otherwise arm the delayed-ACK timer.
    pub fn ack_snd_check(&mut self, env: &mut Env, now_please: bool) {
        if !self.ack.pending {
            return;
        }
        let since = seq::dist(self.rcv_wup, self.rcv_nxt);
        let full_frames = since > self.ack.rcv_mss && {
            let w = self.compute_window();
            w >= self.rcv_wnd
        };
        if now_please || full_frames || self.in_quickack_mode() || !self.ooo.is_empty() {
            self.send_ack(env);
        } else {
            self.send_delayed_ack(env);
        }
    }

    /// `tcp_send_delayed_ack`: timeout `ato` (at least `TCP_DELACK_MIN`), capped at 200 ms in
    /// interactive mode or 500 ms otherwise, and at SRTT (not below 40 ms), then at
    /// `TCP_DELACK_MAX`. An earlier pending deadline is kept.
    pub fn send_delayed_ack(&mut self, env: &mut Env) {
        let cfg = env.cfg;
        let mut ato = self.ack.ato.max(cfg.delack_min);
        if ato > cfg.delack_min {
            let mut max_ato = if self.ack.pingpong { cfg.delack_max } else { Duration::from_millis(500) };
            if self.rtt.has_sample() {
                max_ato = max_ato.min(self.rtt.srtt().max(cfg.delack_min));
            }
            ato = ato.min(max_ato);
        }
        ato = ato.min(cfg.delack_max);
        let mut at = env.now() + ato;
        if let Some(old) = self.timers.get(TimerKind::DelayedAck) {
            if old <= env.now() + Duration(ato.as_nanos() / 4) {
                self.send_ack(env);
                return;
            }
            at = at.min(old);
        }
        self.timers.set(env, self.id, TimerKind::DelayedAck, at);
    }

    /// The delayed-ACK timer fired (`tcp_delack_timer_handler`): send the owed ACK; outside
    /// interactive mode inflate `ato` (×2, at most RTO), inside it leave interactive mode and
    /// reset `ato` to 40 ms.
    pub fn on_delack_timer(&mut self, env: &mut Env) {
        if !self.ack.pending {
            return;
        }
        if self.ack.pingpong {
            self.ack.pingpong = false;
            self.ack.ato = env.cfg.delack_min;
        } else {
            self.ack.ato = (self.ack.ato.mul(2)).min(self.rto).max(env.cfg.delack_min);
        }
        env.count(counters::DELAYED_ACKS);
        self.send_ack(env);
    }

    /// The application read `n` bytes (`tcp_cleanup_rbuf`): an owed ACK goes out if more
    /// than one full segment arrived since the last ACK ("once-per-two-segments ACK was not
    /// sent by tcp_input.c": the window test there failed because the data was not read
    /// yet); otherwise a window update only if the window would at least double (so reading
    /// 100 bytes from a full buffer sends nothing, docs/fidelity.md §5 [E10]).
    pub fn after_read(&mut self, env: &mut Env, n: usize) {
        if n == 0 || self.fin_rcvd || !self.synchronized() {
            return;
        }
        if self.ack.pending && seq::dist(self.rcv_wup, self.rcv_nxt) > self.ack.rcv_mss {
            self.send_ack(env);
            return;
        }
        let now_wnd = self.receive_window_now();
        if 2 * now_wnd <= self.window_clamp {
            let new = self.compute_window();
            if new != 0 && new >= 2 * now_wnd {
                self.send_ack(env);
            }
        }
    }
}
