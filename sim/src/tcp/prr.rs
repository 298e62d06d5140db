//! Proportional Rate Reduction (RFC 6937), Linux's cwnd reduction in Recovery and CWR
//! (`tcp_init_cwnd_reduction`, `tcp_cwnd_reduction`, `tcp_end_cwnd_reduction`; docs/fidelity.md
//! §0 row 10). While more than ssthresh is in flight, PRR sends in proportion to what is
//! delivered (ssthresh/RecoverFS of it), spreading the reduction over a round trip instead
//! of the textbook's halt-then-burst; below ssthresh it conserves packets but may grow back
//! by one per ACK that advances SND.UNA (PRR-SSRB).

use super::tcb::{Env, Tcb};
use crate::trace::CaState;

/// PRR's counters (`prior_cwnd`, `prr_delivered`, `prr_out`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Prr {
    /// cwnd when the reduction began (RecoverFS in Linux's version).
    pub prior_cwnd: u32,
    /// Packets delivered since then.
    pub delivered: u32,
    /// Packets sent since then.
    pub out: u32,
}

impl Tcb {
    /// `tcp_init_cwnd_reduction`: the recovery point is SND.NXT, ssthresh comes from the
    /// algorithm, PRR starts counting, any loss probe episode ends, and CWR is queued for the
    /// peer if ECN is on.
    pub fn init_cwnd_reduction(&mut self, env: &mut Env) {
        self.high_seq = self.snd_nxt;
        self.rack.tlp_high_seq = None;
        self.prr = Prr { prior_cwnd: self.cc.cwnd(), delivered: 0, out: 0 };
        self.cc.enter_recovery(env.now());
        if self.ecn_ok {
            self.ecn_queue_cwr = true;
        }
    }

    /// `tcp_cwnd_reduction`: cwnd for this ACK = packets in flight + what PRR lets out.
    pub fn prr_reduction(&mut self, newly_acked_sacked: u32, newly_lost: bool, snd_una_advanced: bool) {
        if newly_acked_sacked == 0 || self.prr.prior_cwnd == 0 {
            return;
        }
        self.prr.delivered += newly_acked_sacked;
        let in_flight = self.packets_in_flight();
        let ssthresh = self.cc.ssthresh();
        let mut sndcnt: i64 = if in_flight > ssthresh {
            // RFC 6937: sndcnt = ceil(prr_delivered · ssthresh / RecoverFS) − prr_out.
            let dividend = u64::from(ssthresh) * u64::from(self.prr.delivered) + u64::from(self.prr.prior_cwnd) - 1;
            (dividend / u64::from(self.prr.prior_cwnd)) as i64 - i64::from(self.prr.out)
        } else {
            // PRR-SSRB: max(prr_delivered − prr_out, DeliveredData) (+1 when SND.UNA moved),
            // but no more than brings in-flight up to ssthresh.
            let delta = i64::from(ssthresh) - i64::from(in_flight);
            let mut n = (i64::from(self.prr.delivered) - i64::from(self.prr.out)).max(i64::from(newly_acked_sacked));
            if snd_una_advanced && !newly_lost {
                n += 1;
            }
            n.min(delta)
        };
        // Force the fast retransmit on entering recovery.
        sndcnt = sndcnt.max(if self.prr.out > 0 { 0 } else { 1 });
        self.cc.set_cwnd(in_flight + sndcnt.max(0) as u32);
    }

    /// `tcp_end_cwnd_reduction`: cwnd = ssthresh once the episode is over (BBR keeps its own).
    pub fn end_cwnd_reduction(&mut self) {
        if self.cc_controls_cwnd() {
            return;
        }
        let ss = self.cc.ssthresh();
        if self.ca_state == CaState::Cwr || ss < super::congestion::INFINITE_SSTHRESH {
            self.cc.set_cwnd(ss);
        }
    }
}
