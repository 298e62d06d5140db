//! A snapshot of one connection, like Linux's `TCP_INFO` (`struct tcp_info`, what `ss -ti`
//! prints).

use super::congestion::INFINITE_SSTHRESH;
use super::tcb::Tcb;
use super::TcpState;
use crate::time::Duration;
use serde::{Deserialize, Serialize};

/// `tcp_info`, trimmed to what the course shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcpInfo {
    /// `tcpi_state`.
    pub state: TcpState,
    /// Congestion-control algorithm (`ss` prints it first).
    pub cc: String,
    /// `tcpi_snd_cwnd`, segments.
    pub cwnd: u32,
    /// `tcpi_snd_ssthresh`, segments (`None` while infinite; `ss` omits it then, [E7]).
    pub ssthresh: Option<u32>,
    /// `tcpi_rtt`: smoothed RTT.
    pub srtt: Duration,
    /// `tcpi_rttvar`.
    pub rttvar: Duration,
    /// `tcpi_rto`: current RTO including backoff.
    pub rto: Duration,
    /// `tcpi_backoff`.
    pub backoff: u32,
    /// `tcpi_snd_mss`.
    pub snd_mss: u16,
    /// `tcpi_rcv_mss`.
    pub rcv_mss: u32,
    /// `tcpi_advmss`.
    pub advmss: u16,
    /// Peer's window, bytes.
    pub snd_wnd: u32,
    /// `tcpi_rcv_wnd`: window last advertised, bytes.
    pub rcv_wnd: u32,
    /// `tcpi_snd_wscale`.
    pub snd_wscale: u8,
    /// `tcpi_rcv_wscale`.
    pub rcv_wscale: u8,
    /// Timestamps, SACK and window scaling negotiated.
    pub ts: bool,
    /// SACK negotiated.
    pub sack: bool,
    /// `tcpi_unacked`: segments in flight.
    pub unacked: u32,
    /// `tcpi_bytes_acked`.
    pub bytes_acked: u64,
    /// `tcpi_bytes_received`.
    pub bytes_received: u64,
    /// `tcpi_total_retrans`.
    pub total_retrans: u32,
    /// Bytes waiting in the send buffer (written, not acknowledged).
    pub send_queue: u32,
    /// Bytes waiting in the receive buffer.
    pub recv_queue: u32,
    /// Quick ACKs left (`ss` prints `ato` and `qack`).
    pub quickack: u32,
    /// Delayed-ACK timeout estimate (`tcpi_ato`).
    pub ato: Duration,
    /// Initial sequence numbers (ours, the peer's).
    pub iss: u32,
    /// The peer's ISN.
    pub irs: u32,
}

impl Tcb {
    /// The `TCP_INFO` snapshot.
    pub fn info(&self) -> TcpInfo {
        let ss = self.cc.ssthresh();
        TcpInfo {
            state: self.state,
            cc: self.cc.name().to_string(),
            cwnd: self.cc.cwnd(),
            ssthresh: (ss < INFINITE_SSTHRESH).then_some(ss),
            srtt: self.rtt.srtt(),
            rttvar: self.rtt.rttvar(),
            rto: self.rto,
            backoff: self.backoff,
            snd_mss: self.mss,
            rcv_mss: self.ack.rcv_mss,
            advmss: self.adv_mss,
            snd_wnd: self.snd_wnd,
            rcv_wnd: self.rcv_wnd,
            snd_wscale: self.snd_wscale,
            rcv_wscale: self.rcv_wscale,
            ts: self.ts_ok,
            sack: self.sack_ok,
            unacked: self.packets_in_flight(),
            bytes_acked: self.bytes_acked,
            bytes_received: self.bytes_received,
            total_retrans: self.total_retrans,
            send_queue: self.snd_buf.len() as u32,
            recv_queue: self.rcv_buf.len() as u32,
            quickack: self.ack.quick,
            ato: self.ack.ato,
            iss: self.iss,
            irs: self.irs,
        }
    }
}
