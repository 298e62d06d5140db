//! Per-host TCP counters under their `nstat` names (Linux SNMP MIB `Tcp*` and `TcpExt*`
//! without the `TcpExt` prefix), traced as `EventKind::Counter` whenever one changes.

use crate::stack::StackCtx;
use crate::trace::EventKind;
use std::collections::BTreeMap;

/// `TCP_MIB_ACTIVEOPENS`: connect() sent a SYN (`tcp_connect`).
pub const ACTIVE_OPENS: &str = "TcpActiveOpens";
/// `TCP_MIB_PASSIVEOPENS`: a child socket was created (`tcp_create_openreq_child`).
pub const PASSIVE_OPENS: &str = "TcpPassiveOpens";
/// `TCP_MIB_ATTEMPTFAILS`: SYN-SENT or SYN-RECEIVED went to CLOSED (`tcp_done`,
/// `tcp_check_req`).
pub const ATTEMPT_FAILS: &str = "TcpAttemptFails";
/// `TCP_MIB_ESTABRESETS`: ESTABLISHED or CLOSE-WAIT went to CLOSED (`tcp_set_state`).
pub const ESTAB_RESETS: &str = "TcpEstabResets";
/// `TCP_MIB_RETRANSSEGS`: segments retransmitted.
pub const RETRANS_SEGS: &str = "TcpRetransSegs";
/// `TCP_MIB_OUTRSTS`: RSTs sent.
pub const OUT_RSTS: &str = "TcpOutRsts";
/// `LINUX_MIB_LISTENOVERFLOWS`: accept queue full at SYN or final ACK.
pub const LISTEN_OVERFLOWS: &str = "ListenOverflows";
/// `LINUX_MIB_LISTENDROPS`: any SYN or final ACK a listener dropped (`tcp_listendrop`).
pub const LISTEN_DROPS: &str = "ListenDrops";
/// `LINUX_MIB_SYNCOOKIESSENT`.
pub const SYNCOOKIES_SENT: &str = "SyncookiesSent";
/// `LINUX_MIB_SYNCOOKIESRECV`: a valid cookie ACK created a connection.
pub const SYNCOOKIES_RECV: &str = "SyncookiesRecv";
/// `LINUX_MIB_SYNCOOKIESFAILED`: an ACK to a listener carried no valid cookie.
pub const SYNCOOKIES_FAILED: &str = "SyncookiesFailed";
/// `LINUX_MIB_TCPREQQFULLDOCOOKIES` (`tcp_syn_flood_action`).
pub const REQQ_FULL_DO_COOKIES: &str = "TCPReqQFullDoCookies";
/// `LINUX_MIB_TCPREQQFULLDROP` (`tcp_syn_flood_action`).
pub const REQQ_FULL_DROP: &str = "TCPReqQFullDrop";
/// `LINUX_MIB_EMBRYONICRSTS`: a request sock was reset (`tcp_check_req`).
pub const EMBRYONIC_RSTS: &str = "EmbryonicRsts";
/// `LINUX_MIB_TCPTIMEOUTS`: retransmission timer expiries.
pub const TIMEOUTS: &str = "TCPTimeouts";
/// `LINUX_MIB_TCPABORTONDATA`: data after close() ⇒ RST.
pub const ABORT_ON_DATA: &str = "TCPAbortOnData";
/// `LINUX_MIB_TCPABORTONCLOSE`: close() with unread data ⇒ RST.
pub const ABORT_ON_CLOSE: &str = "TCPAbortOnClose";
/// `LINUX_MIB_TCPABORTONTIMEOUT`: gave up after retries.
pub const ABORT_ON_TIMEOUT: &str = "TCPAbortOnTimeout";
/// `LINUX_MIB_TCPFASTRETRANS`: fast retransmissions.
pub const FAST_RETRANS: &str = "TCPFastRetrans";
/// `LINUX_MIB_DELAYEDACKS`: delayed-ACK timer expiries that sent an ACK.
pub const DELAYED_ACKS: &str = "DelayedACKs";
/// `LINUX_MIB_TCPCHALLENGEACK` (RFC 5961).
pub const CHALLENGE_ACK: &str = "TCPChallengeACK";
/// `LINUX_MIB_TSECR_REJECTED` (Linux 6.15+ SYN-RECEIVED TSecr check).
pub const TSECR_REJECTED: &str = "TSECR_Rejected";
/// `LINUX_MIB_TCPACKSKIPPEDSEQ`: out-of-window ACK suppressed by `tcp_invalid_ratelimit`.
pub const ACK_SKIPPED_SEQ: &str = "TCPACKSkippedSeq";
/// `LINUX_MIB_TCPWINPROBE`: zero-window probes sent.
pub const WIN_PROBE: &str = "TCPWinProbe";

/// `LINUX_MIB_TCPLOSSPROBES`: tail loss probes sent.
pub const LOSS_PROBES: &str = "TCPLossProbes";
/// `LINUX_MIB_TCPSACKRECOVERY`: recovery episodes entered with SACK.
pub const SACK_RECOVERY: &str = "TCPSackRecovery";
/// `LINUX_MIB_TCPRENORECOVERY`: recovery episodes entered without SACK.
pub const RENO_RECOVERY: &str = "TCPRenoRecovery";
/// ACKs with ECE that made the sender reduce cwnd (RFC 3168 §6.1.2).
pub const ECN_ECHOES: &str = "TCPECNEchoes";

/// `LINUX_MIB_TCPFASTOPENACTIVE`: a SYN's data was acknowledged by the SYN-ACK.
pub const FASTOPEN_ACTIVE: &str = "TCPFastOpenActive";
/// `LINUX_MIB_TCPFASTOPENPASSIVE`: a listener accepted data in a SYN (`tcp_try_fastopen`).
pub const FASTOPEN_PASSIVE: &str = "TCPFastOpenPassive";
/// `LINUX_MIB_TCPFASTOPENPASSIVEFAIL`: a SYN's cookie did not verify.
pub const FASTOPEN_PASSIVE_FAIL: &str = "TCPFastOpenPassiveFail";
/// `LINUX_MIB_TCPFASTOPENCOOKIEREQD`: a SYN asked for a cookie.
pub const FASTOPEN_COOKIE_REQD: &str = "TCPFastOpenCookieReqd";
/// `LINUX_MIB_TCPFASTOPENACTIVEFAIL`: the SYN-ACK acknowledged only our SYN, not its data,
/// which goes again after the handshake (`tcp_rcv_fastopen_synack`).
pub const FASTOPEN_ACTIVE_FAIL: &str = "TCPFastOpenActiveFail";
/// `LINUX_MIB_TCPFASTOPENLISTENOVERFLOW`: a valid Fast Open SYN found the listener's limit
/// of pending Fast Open children reached and was handled as a plain SYN
/// (`tcp_fastopen_queue_check`).
pub const FASTOPEN_LISTEN_OVERFLOW: &str = "TCPFastOpenListenOverflow";

/// A host's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    values: BTreeMap<&'static str, u64>,
}

impl Counters {
    /// Add one to `name` and trace its new value.
    pub fn inc(&mut self, ctx: &mut StackCtx, name: &'static str) {
        let v = self.values.entry(name).or_insert(0);
        *v += 1;
        let value = *v;
        ctx.event(EventKind::Counter { node: ctx.node, name: name.to_string(), value });
    }

    /// The value of `name` (0 if never counted).
    pub fn get(&self, name: &str) -> u64 {
        self.values.get(name).copied().unwrap_or(0)
    }

    /// Every non-zero counter.
    pub fn all(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        self.values.iter().map(|(k, v)| (*k, *v))
    }
}
