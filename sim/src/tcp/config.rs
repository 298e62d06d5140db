//! Per-host TCP settings: Linux's sysctls and compile-time constants, with the defaults of a
//! stock Linux 6.x (checked on 6.18, see docs/fidelity.md), and two other profiles:
//! pre-6.5 Linux and the RFC 9293 textbook.

use crate::scenario::ScenarioError;
use crate::time::Duration;
use serde::{Deserialize, Serialize};

/// Which congestion-control algorithm new connections use
/// (`net.ipv4.tcp_congestion_control`, or `TCP_CONGESTION` per socket).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum CcAlgorithm {
    /// Linux `tcp_cong.c` Reno (`tcp_reno_cong_avoid`, `tcp_reno_ssthresh`).
    Reno,
    /// CUBIC, RFC 9438 with Linux `tcp_cubic.c` constants (the Linux default since 2.6.19).
    #[default]
    Cubic,
    /// BBR v1, Linux `tcp_bbr.c` (needs pacing: the sender paces itself).
    Bbr,
}

impl CcAlgorithm {
    /// The name Linux uses (`tcp_congestion_control`, `ss -i`).
    pub fn name(self) -> &'static str {
        match self {
            CcAlgorithm::Reno => "reno",
            CcAlgorithm::Cubic => "cubic",
            CcAlgorithm::Bbr => "bbr",
        }
    }

    /// The algorithm called `name` (`reno`, `cubic`, `bbr`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "reno" => Some(CcAlgorithm::Reno),
            "cubic" => Some(CcAlgorithm::Cubic),
            "bbr" => Some(CcAlgorithm::Bbr),
            _ => None,
        }
    }
}

/// How a sender detects losses and reduces cwnd during recovery. The two differ visibly, so
/// every figure says which one a run follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum RecoveryMode {
    /// What Linux 6.x does: a SACK scoreboard; losses found by RACK (RFC 8985, time-based:
    /// a segment is lost once a segment sent after it is delivered and a reordering window has
    /// passed; `tcp_recovery=1`), tail losses probed by TLP (RFC 8985 §7,
    /// `tcp_early_retrans=3`); cwnd reduced by PRR (RFC 6937, `tcp_cwnd_reduction`); after an
    /// RTO only the segments not SACKed are resent. Without SACK it counts duplicate ACKs
    /// (`tcp_newreno_mark_lost`).
    #[default]
    Linux,
    /// The RFC textbook: three duplicate ACKs trigger a fast retransmit (RFC 5681 §3.2) with
    /// window inflation (ssthresh + 3, +1 per further duplicate), NewReno partial ACKs
    /// (RFC 6582 §3.2), deflation to ssthresh at the full ACK; SACK blocks are not used for
    /// sending decisions; an RTO resends everything from SND.UNA (go-back-N).
    Textbook,
}

/// How the sender decides to hold back a small segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum NagleMode {
    /// Linux `tcp_nagle_check` with Minshall's modification (`tcp_minshall_check`): hold a
    /// small segment only while a previously sent *small* segment is unacknowledged.
    #[default]
    Minshall,
    /// RFC 9293 §3.7.4 (RFC 896): hold small data while anything is unacknowledged.
    Rfc,
}

/// How the retransmission timeout is computed from RTT samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum RtoAlgorithm {
    /// Linux `tcp_rtt_estimator` + `__tcp_set_rto`: RTO = SRTT + rttvar with rttvar kept at
    /// least `rto_min`, so the first sample gives 3·RTT and a LAN gives ≈ 200 ms.
    #[default]
    Linux,
    /// RFC 6298 §2: RTO = SRTT + max(G, 4·RTTVAR), rounded up to `rto_min` (1 s).
    Rfc6298,
}

/// Which behaviour profile a configuration mimics (for labels; every behaviour is a field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum TcpProfile {
    /// Linux 6.5 and later.
    #[default]
    Linux,
    /// Linux before 6.5 (exponential SYN backoff).
    LinuxPre65,
    /// The RFC 9293 textbook.
    Rfc,
}

/// A host's TCP settings. Every field names the sysctl or kernel constant it models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TcpConfig {
    /// The profile these values were built from (informative).
    pub profile: TcpProfile,
    /// `net.core.somaxconn`: listen() backlogs are clamped to it (net/socket.c
    /// `__sys_listen`). 4096 since Linux 5.4, 128 before (ip-sysctl.rst).
    pub somaxconn: u32,
    /// `net.ipv4.tcp_syn_retries` (6): SYN retransmissions after the linear ones.
    pub syn_retries: u32,
    /// `net.ipv4.tcp_syn_linear_timeouts` (4, Linux 6.5+; 0 before): the first N SYN
    /// backoffs keep RTO at 1 s ("tcp: make the first N SYN RTO backoffs linear").
    pub syn_linear_timeouts: u32,
    /// `net.ipv4.tcp_synack_retries` (5): SYN-ACK retransmissions of a request sock
    /// (`reqsk_timer_handler`).
    pub synack_retries: u32,
    /// `net.ipv4.tcp_syncookies` (1): 0 off, 1 when the SYN queue is full, 2 always.
    pub syncookies: u8,
    /// `net.ipv4.tcp_abort_on_overflow` (0): answer a final ACK that finds the accept queue
    /// full with RST instead of dropping it (`tcp_check_req`).
    pub abort_on_overflow: bool,
    /// `net.ipv4.tcp_max_syn_backlog` (2048 here; memory-dependent): only used when
    /// syncookies are off (`tcp_conn_request`, last-quarter rule).
    pub max_syn_backlog: u32,
    /// `net.ipv4.tcp_rmem` (min, default, max) = 4096 131072 6291456. The default sizes the
    /// receive buffer; the max sets the window-scale shift (`tcp_select_initial_window`).
    pub rmem: (u32, u32, u32),
    /// `net.core.rmem_max` (212992): the most SO_RCVBUF may ask for (the buffer is twice the
    /// request, `sock_setsockopt`), and a floor of the window-scale computation
    /// (`tcp_select_initial_window`).
    #[serde(default = "rmem_max_default")]
    pub rmem_max: u32,
    /// `net.ipv4.tcp_wmem` = 4096 16384 4194304: initial and maximal send buffer.
    pub wmem: (u32, u32, u32),
    /// `net.ipv4.tcp_window_scaling` (1): offer RFC 7323 window scaling.
    pub window_scaling: bool,
    /// `net.ipv4.tcp_timestamps` (1): offer RFC 7323 timestamps.
    pub timestamps: bool,
    /// `net.ipv4.tcp_sack` (1): offer RFC 2018 SACK.
    pub sack: bool,
    /// `TCP_TIMEOUT_INIT` (1 s, include/net/tcp.h; RFC 6298 §2.1): RTO before any sample.
    pub rto_init: Duration,
    /// `TCP_TIMEOUT_FALLBACK` (3 s): RTO for the first data when the handshake gave no RTT
    /// sample (`tcp_init_metrics`, RFC 6298 §5.7).
    pub rto_fallback: Duration,
    /// `TCP_RTO_MIN` / `net.ipv4.tcp_rto_min_us` (200 ms). RFC 6298 §2.4: 1 s.
    pub rto_min: Duration,
    /// `TCP_RTO_MAX` / `net.ipv4.tcp_rto_max_ms` (120 s).
    pub rto_max: Duration,
    /// RTO formula.
    pub rto_algorithm: RtoAlgorithm,
    /// `net.ipv4.tcp_retries2` (15): data retransmissions before giving up, as the time
    /// Linux's `tcp_model_timeout` derives from it (924.6 s with a 200 ms base).
    pub retries2: u32,
    /// `TCP_DELACK_MIN` / `TCP_ATO_MIN` (40 ms): the shortest delayed-ACK timeout.
    pub delack_min: Duration,
    /// `TCP_DELACK_MAX` (200 ms).
    pub delack_max: Duration,
    /// `TCP_MAX_QUICKACKS` (16): quick ACKs at the start of a connection.
    pub max_quickacks: u32,
    /// `TCP_TIMEWAIT_LEN` (60 s, not a sysctl). RFC 9293: 2·MSL = 240 s.
    pub time_wait: Duration,
    /// `net.ipv4.tcp_fin_timeout` (60 s): lifetime of an orphaned FIN-WAIT-2 socket.
    pub fin_timeout: Duration,
    /// `TCP_INIT_CWND` (10 packets, RFC 6928).
    pub initial_cwnd: u32,
    /// `net.ipv4.ip_local_port_range` = 32768 60999.
    pub ephemeral_ports: (u16, u16),
    /// `net.ipv4.tcp_congestion_control`: CUBIC on Linux (the test machine of docs/fidelity.md set
    /// bbr globally, which is not stock), Reno in the RFC profile.
    pub congestion: CcAlgorithm,
    /// Nagle variant (`tcp_nagle_check` or RFC 9293 §3.7.4).
    pub nagle: NagleMode,
    /// Loss detection and recovery: Linux (SACK, RACK-TLP, PRR) or the RFC 5681/6582
    /// textbook.
    #[serde(default)]
    pub recovery: RecoveryMode,
    /// `net.ipv4.tcp_early_retrans` (3): tail loss probes (RFC 8985 §7) in the Linux
    /// recovery mode.
    #[serde(default = "yes")]
    pub tail_loss_probe: bool,
    /// `net.ipv4.tcp_slow_start_after_idle` (1): after more than one RTO without sending,
    /// cwnd restarts from the initial window (RFC 5681 §4.1, RFC 7661; `tcp_cwnd_restart`).
    #[serde(default = "yes")]
    pub slow_start_after_idle: bool,
    /// `net.ipv4.tcp_moderate_rcvbuf` (1): receive-buffer autotuning up to `tcp_rmem[2]`
    /// (`tcp_rcv_space_adjust`).
    #[serde(default = "yes")]
    pub moderate_rcvbuf: bool,
    /// Pace every flow at Linux's rate (`tcp_update_pacing_rate`: 200% of cwnd/SRTT in slow
    /// start, 120% after), as with the `fq` qdisc. Off by default (`fq_codel` does not pace);
    /// BBR always paces (`SK_PACING_NEEDED`, internal pacing).
    #[serde(default)]
    pub pacing: bool,
    /// `net.ipv4.tcp_ecn` (2): 0 off, 1 request ECN in SYNs and accept it, 2 accept it when
    /// the peer asks (RFC 3168 §6.1.1).
    #[serde(default = "two")]
    pub ecn: u8,
    /// TCP_CORK's ceiling (200 ms, tcp(7)).
    pub cork_ceiling: Duration,
    /// `net.ipv4.tcp_invalid_ratelimit` (500 ms): at most one ACK per this interval in
    /// answer to out-of-window pure ACKs (`tcp_oow_rate_limited`).
    pub invalid_ratelimit: Duration,
    /// Linux ≥ 6.15 checks the third ACK's TSecr against the SYN-ACKs sent ("tcp: be less
    /// liberal in tsecr received while in SYN_RECV state").
    pub check_synrecv_tsecr: bool,
    /// The SYN-queue-full test of kernels before the Jan 2025 patch "tcp/dccp: allow a
    /// connection when sk_max_ack_backlog is zero": `inet_csk_reqsk_queue_is_full` compared
    /// `reqsk_queue_len >= sk_max_ack_backlog`, so the SYN queue held `backlog` request socks
    /// instead of backlog + 1 (docs/fidelity.md §1.3).
    #[serde(default)]
    pub syn_queue_full_ge: bool,
    /// Force this initial sequence number on every connection (for figures and tests that
    /// want to show the wrap); `None` draws a random 32-bit ISN (RFC 9293 §3.4.1).
    pub fixed_isn: Option<u32>,
    /// `net.ipv4.tcp_fastopen` (RFC 7413), a bit mask: 0x1 client, 0x2 server, 0x4 client
    /// without a cookie, 0x200 server without a cookie check (see [`super::fastopen`]). 1 by
    /// default since Linux 3.13: clients may use Fast Open, servers do not.
    #[serde(default = "fastopen_default")]
    pub fastopen: u32,
    /// `CONFIG_HZ`, the kernel's tick rate: TCP's timers run in ticks of `1/HZ` s and fire at
    /// a timer-wheel bucket boundary after their nominal delay (see [`crate::jiffies`]).
    /// 250 (Debian's and many distribution kernels, and the conformance machine); 1000 on
    /// others; 0 for exact time (the RFC textbook has no tick).
    #[serde(default = "default_hz")]
    pub hz: u32,
}

fn fastopen_default() -> u32 {
    super::fastopen::DEFAULT_SYSCTL
}

fn rmem_max_default() -> u32 {
    212_992
}
fn default_hz() -> u32 {
    250
}
fn yes() -> bool {
    true
}

fn two() -> u8 {
    2
}

impl Default for TcpConfig {
    fn default() -> Self {
        Self::linux()
    }
}

impl TcpConfig {
    /// Stock Linux 6.5+ (numbers from docs/fidelity.md, checked on 6.18).
    pub fn linux() -> Self {
        TcpConfig {
            profile: TcpProfile::Linux,
            somaxconn: 4096,
            syn_retries: 6,
            syn_linear_timeouts: 4,
            synack_retries: 5,
            syncookies: 1,
            abort_on_overflow: false,
            max_syn_backlog: 2048,
            rmem: (4096, 131_072, 6_291_456),
            rmem_max: rmem_max_default(),
            wmem: (4096, 16_384, 4_194_304),
            window_scaling: true,
            timestamps: true,
            sack: true,
            rto_init: Duration::from_secs(1),
            rto_fallback: Duration::from_secs(3),
            rto_min: Duration::from_millis(200),
            rto_max: Duration::from_secs(120),
            rto_algorithm: RtoAlgorithm::Linux,
            retries2: 15,
            delack_min: Duration::from_millis(40),
            delack_max: Duration::from_millis(200),
            max_quickacks: 16,
            time_wait: Duration::from_secs(60),
            fin_timeout: Duration::from_secs(60),
            initial_cwnd: 10,
            ephemeral_ports: (32768, 60999),
            congestion: CcAlgorithm::Cubic,
            nagle: NagleMode::Minshall,
            recovery: RecoveryMode::Linux,
            tail_loss_probe: true,
            slow_start_after_idle: true,
            moderate_rcvbuf: true,
            pacing: false,
            ecn: 2,
            cork_ceiling: Duration::from_millis(200),
            invalid_ratelimit: Duration::from_millis(500),
            check_synrecv_tsecr: true,
            syn_queue_full_ge: false,
            fixed_isn: None,
            fastopen: super::fastopen::DEFAULT_SYSCTL,
            hz: default_hz(),
        }
    }

    /// Linux before 6.5: purely exponential SYN backoff, SYNs at 0, 1, 3, 7, 15, 31, 63 s and
    /// ETIMEDOUT at ≈127 s. (`somaxconn` stays 4096: its change to 128 is a 5.4 matter.)
    pub fn linux_pre_6_5() -> Self {
        TcpConfig { profile: TcpProfile::LinuxPre65, syn_linear_timeouts: 0, ..Self::linux() }
    }

    /// Linux before 5.4: `somaxconn` 128 (ip-sysctl.rst "Was 128 before linux-5.4"), the
    /// exponential SYN backoff of pre-6.5 kernels, the `>=` SYN-queue-full test, and no
    /// SYN-RECEIVED TSecr check (a 6.15 addition).
    pub fn linux_pre_5_4() -> Self {
        TcpConfig { somaxconn: 128, syn_queue_full_ge: true, check_synrecv_tsecr: false, ..Self::linux_pre_6_5() }
    }

    /// The RFC 9293 textbook: TIME-WAIT 2·MSL = 240 s (§3.4.2), RTO per RFC 6298 with a
    /// 1 s floor (§2.4), SYN give-up R2 ≥ 3 min (MUST-23: 7 exponential retries end at
    /// 255 s), classic Nagle (§3.7.4), no SYN-RECEIVED TSecr check.
    pub fn rfc() -> Self {
        TcpConfig {
            profile: TcpProfile::Rfc,
            syn_retries: 7,
            syn_linear_timeouts: 0,
            rto_min: Duration::from_secs(1),
            rto_algorithm: RtoAlgorithm::Rfc6298,
            time_wait: Duration::from_secs(240),
            nagle: NagleMode::Rfc,
            congestion: CcAlgorithm::Reno,
            recovery: RecoveryMode::Textbook,
            tail_loss_probe: false,
            check_synrecv_tsecr: false,
            hz: 0,
            ..Self::linux()
        }
    }

    /// The window-scale shift this host offers: the smallest shift that fits
    /// `max(tcp_rmem[2], rmem_max)` into 16 bits, at most 14 (`tcp_select_initial_window`,
    /// RFC 7323 §2.3). 6 MiB gives 7.
    pub fn rcv_wscale(&self) -> u8 {
        if !self.window_scaling {
            return 0;
        }
        let space = self.rmem.2.max(self.rmem.1).max(self.rmem_max).max(65535);
        let ilog2 = 31 - space.leading_zeros();
        ilog2.saturating_sub(15).min(14) as u8
    }

    /// The buffer SO_RCVBUF = `bytes` gives: twice the request, at most twice `rmem_max`, at
    /// least `SOCK_MIN_RCVBUF` (`sock_setsockopt`, `__sock_set_rcvbuf`).
    pub fn so_rcvbuf(&self, bytes: u32) -> u32 {
        bytes.min(self.rmem_max).saturating_mul(2).max(super::recv::SOCK_MIN_RCVBUF)
    }

    /// The window scale and initial window of a connection whose buffer SO_RCVBUF fixed to
    /// `rcvbuf` (`tcp_openreq_init_rwin`: the window clamp is the buffer's full space, so the
    /// scale fits that and not `tcp_rmem[2]`; `tcp_select_initial_window`), for segments of
    /// `mss` bytes: `(full space, window, scale)`.
    pub fn locked_window(&self, rcvbuf: u32, mss: u16) -> (u32, u32, u8) {
        let full = ((u64::from(rcvbuf) * u64::from(super::recv::DEFAULT_SCALING_RATIO)) >> 8) as u32;
        let mss = u32::from(mss.max(1));
        let wnd = if full > mss { full - full % mss } else { full };
        let scale = if self.window_scaling {
            let ilog2 = 31 - full.max(1).leading_zeros();
            ilog2.saturating_sub(15).min(14) as u8
        } else {
            0
        };
        (full, wnd, scale)
    }

    /// The space the initial receive window is carved from: `tcp_full_space()` of the
    /// default receive buffer. Linux's `tcp_win_from_space` keeps about half of `tcp_rmem[1]`
    /// for payload (the initial `scaling_ratio`; `tcp_adv_win_scale=1` before 6.x), so
    /// 131072 gives 65536.
    pub fn initial_space(&self) -> u32 {
        self.rmem.1 / 2
    }

    /// The initial receive window for a given MSS: `tcp_select_initial_window` rounds the
    /// space down to a multiple of the MSS. The SYN carries `min(that, 65535)` unscaled
    /// (RFC 7323 §2.2): 44×1460 = 64240 in a SYN (the client passes its advertised MSS),
    /// 45×1448 = 65160 in a SYN-ACK (`tcp_openreq_init_rwin` subtracts the 12 timestamp
    /// bytes when timestamps were negotiated).
    pub fn initial_rcv_wnd(&self, mss: u16) -> u32 {
        let space = self.initial_space();
        let mss = u32::from(mss.max(1));
        if space > mss {
            space - space % mss
        } else {
            space
        }
    }
}

/// A field that is out of range, for [`TcpConfig::validate`].
fn out_of_range(field: String, value: String, why: String) -> ScenarioError {
    ScenarioError::InvalidValue { field, value, why }
}

/// `v` in `lo..=hi` (integers, so the message shows them exactly).
fn check_int(ctx: &str, name: &str, v: u64, lo: u64, hi: u64) -> Result<(), ScenarioError> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(out_of_range(format!("{ctx}.{name}"), v.to_string(), format!("must be between {lo} and {hi}")))
    }
}

/// A duration (nanoseconds in a scenario) in `lo..=hi`; the message also says it in ms.
fn check_time(ctx: &str, name: &str, v: Duration, lo: Duration, hi: Duration) -> Result<(), ScenarioError> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(out_of_range(
            format!("{ctx}.{name}"),
            format!("{} ns", v.as_nanos()),
            format!(
                "must be between {} and {} ns ({} ms to {} ms)",
                lo.as_nanos(),
                hi.as_nanos(),
                lo.as_millis_f64(),
                hi.as_millis_f64()
            ),
        ))
    }
}

/// Largest value of a C `int` sysctl (`proc_dointvec` refuses more).
const INT_MAX: u64 = i32::MAX as u64;
/// `MAX_TCP_SYNCNT` (include/net/tcp.h): the ceiling of `tcp_syn_retries` and
/// `tcp_syn_linear_timeouts`.
pub const MAX_TCP_SYNCNT: u64 = 127;
/// `TCP_RTO_MAX` (include/net/tcp.h, 120 s): the largest RTO, and the ceiling of
/// `tcp_rto_max_ms` (`tcp_rto_max_max` = `TCP_RTO_MAX_SEC` · 1000).
pub const TCP_RTO_MAX: Duration = Duration::from_secs(120);
/// `tcp_rto_max_ms`'s floor: `SYSCTL_ONE_THOUSAND` ms (sysctl_net_ipv4.c; the socket option
/// TCP_RTO_MAX_MS refuses less than `MSEC_PER_SEC` too).
pub const RTO_MAX_FLOOR: Duration = Duration::from_secs(1);
/// Simulation bound for timers the kernel hard-codes (TIME-WAIT, FIN-WAIT-2, rate limits):
/// as long as the longest run ([`crate::scenario::MAX_STOP_MS`], one hour).
const ONE_HOUR: Duration = Duration::from_secs(3600);

impl TcpConfig {
    /// Check every field against the range the kernel accepts for it (or, for constants
    /// Linux compiles in, a simulation bound that says so). `ctx` is the field's path in the
    /// scenario (`tcp`, `hosts[1].tcp`). Sources, field by field:
    ///
    /// - `somaxconn`: `proc_dointvec_minmax` with `SYSCTL_ZERO` (net/core/sysctl_net_core.c):
    ///   0 to `INT_MAX`.
    /// - `syn_retries`: 1 to `MAX_TCP_SYNCNT` = 127 (`tcp_syn_retries_min`/`_max`,
    ///   net/ipv4/sysctl_net_ipv4.c).
    /// - `syn_linear_timeouts`: 0 to `MAX_TCP_SYNCNT` (`tcp_syn_linear_timeouts_max`).
    /// - `synack_retries`: a u8 sysctl (`proc_dou8vec_minmax`), 0 to 255.
    /// - `syncookies`: 0, 1 or 2, the values ip-sysctl.rst documents.
    /// - `max_syn_backlog`: `proc_dointvec`, 0 to `INT_MAX`.
    /// - `rmem_max`: `proc_dointvec_minmax` with `SYSCTL_ONE` (net/core/sysctl_net_core.c).
    /// - `rmem`, `wmem`: each of the three at least 1 (`proc_dointvec_minmax` with
    ///   `SYSCTL_ONE`), at most `INT_MAX`. The kernel does not require min ≤ default ≤ max,
    ///   so neither does this.
    /// - `rto_min`: at least 1 µs (`tcp_rto_min_us`, `SYSCTL_ONE`); the kernel sets no
    ///   ceiling but bounds every RTO by `rto_max` (`tcp_bound_rto`), so the simulation bound
    ///   is `TCP_RTO_MAX` (120 s).
    /// - `rto_max`: 1 s to 120 s (`tcp_rto_max_ms`: `SYSCTL_ONE_THOUSAND` to
    ///   `TCP_RTO_MAX_SEC` · 1000, Linux 6.15). Zero made every retransmission fire at once.
    /// - `rto_init` (`TCP_TIMEOUT_INIT`, 1 s) and `rto_fallback` (`TCP_TIMEOUT_FALLBACK`, 3 s)
    ///   are constants in Linux; simulation bound 1 ms to `TCP_RTO_MAX`.
    /// - `retries2`: a u8 sysctl, 0 to 255.
    /// - `delack_min` (`TCP_DELACK_MIN`, 40 ms) and `delack_max` (`TCP_DELACK_MAX`, 200 ms)
    ///   are constants; simulation bound 1 ms to 1 s.
    /// - `max_quickacks`: `TCP_MAX_QUICKACKS` (16) counts down in the u8
    ///   `icsk_ack.quick`, so 0 to 255.
    /// - `time_wait` (`TCP_TIMEWAIT_LEN`, a constant), `fin_timeout`
    ///   (`proc_dointvec_jiffies`) and `invalid_ratelimit` (`proc_dointvec_ms_jiffies`):
    ///   simulation bound 0 to one hour, the longest run.
    /// - `cork_ceiling` (`TCP_CORK`'s 200 ms, a constant): simulation bound 1 ms to 1 s.
    /// - `initial_cwnd`: `TCP_INIT_CWND` (10) or a route's `initcwnd`; Linux treats 0 as
    ///   "use 10" (`tcp_init_cwnd`), so 0 is refused rather than guessed at. Simulation bound
    ///   1 to 1000 packets.
    /// - `ephemeral_ports`: `ipv4_local_port_range`: each 1 to 65535, low ≤ high, and low not
    ///   below `ip_unprivileged_port_start` (1024 by default).
    /// - `ecn`: 0, 1 or 2 (RFC 3168 modes; the AccECN values 3 to 5 of Linux 6.18 are not
    ///   modelled).
    /// - `hz`: one of the tick rates Linux can be built with (`CONFIG_HZ_100`, `_250`,
    ///   `_300`, `_1000`), or 0 for exact time.
    /// - `fastopen`: any bit mask (`proc_dointvec`); `fixed_isn`: any 32-bit number. Both are
    ///   complete by type, as are the flags and the named choices.
    pub fn validate(&self, ctx: &str) -> Result<(), ScenarioError> {
        check_int(ctx, "somaxconn", self.somaxconn.into(), 0, INT_MAX)?;
        check_int(ctx, "syn_retries", self.syn_retries.into(), 1, MAX_TCP_SYNCNT)?;
        check_int(ctx, "syn_linear_timeouts", self.syn_linear_timeouts.into(), 0, MAX_TCP_SYNCNT)?;
        check_int(ctx, "synack_retries", self.synack_retries.into(), 0, 255)?;
        check_int(ctx, "syncookies", self.syncookies.into(), 0, 2)?;
        check_int(ctx, "max_syn_backlog", self.max_syn_backlog.into(), 0, INT_MAX)?;
        check_int(ctx, "rmem_max", self.rmem_max.into(), 1, INT_MAX)?;
        for (name, (a, b, c)) in [("rmem", self.rmem), ("wmem", self.wmem)] {
            for (i, v) in [a, b, c].into_iter().enumerate() {
                check_int(ctx, &format!("{name}[{i}]"), v.into(), 1, INT_MAX)?;
            }
        }
        let ms = Duration::from_millis;
        check_time(ctx, "rto_max", self.rto_max, RTO_MAX_FLOOR, TCP_RTO_MAX)?;
        check_time(ctx, "rto_min", self.rto_min, Duration::from_micros(1), TCP_RTO_MAX)?;
        check_time(ctx, "rto_init", self.rto_init, ms(1), TCP_RTO_MAX)?;
        check_time(ctx, "rto_fallback", self.rto_fallback, ms(1), TCP_RTO_MAX)?;
        check_int(ctx, "retries2", self.retries2.into(), 0, 255)?;
        check_time(ctx, "delack_min", self.delack_min, ms(1), ms(1000))?;
        check_time(ctx, "delack_max", self.delack_max, ms(1), ms(1000))?;
        check_int(ctx, "max_quickacks", self.max_quickacks.into(), 0, 255)?;
        check_time(ctx, "time_wait", self.time_wait, Duration::ZERO, ONE_HOUR)?;
        check_time(ctx, "fin_timeout", self.fin_timeout, Duration::ZERO, ONE_HOUR)?;
        check_time(ctx, "invalid_ratelimit", self.invalid_ratelimit, Duration::ZERO, ONE_HOUR)?;
        check_time(ctx, "cork_ceiling", self.cork_ceiling, ms(1), ms(1000))?;
        check_int(ctx, "initial_cwnd", self.initial_cwnd.into(), 1, 1000)?;
        let (lo, hi) = self.ephemeral_ports;
        check_int(ctx, "ephemeral_ports[0]", lo.into(), 1024, 65535)?;
        check_int(ctx, "ephemeral_ports[1]", hi.into(), 1024, 65535)?;
        if lo > hi {
            return Err(out_of_range(
                format!("{ctx}.ephemeral_ports"),
                format!("[{lo}, {hi}]"),
                "the low end must not be above the high end (ipv4_local_port_range)".into(),
            ));
        }
        check_int(ctx, "ecn", self.ecn.into(), 0, 2)?;
        if !crate::jiffies::ALLOWED_HZ.contains(&self.hz) {
            return Err(out_of_range(
                format!("{ctx}.hz"),
                self.hz.to_string(),
                "must be 100, 250, 300 or 1000 (CONFIG_HZ), or 0 for exact time".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_numbers() {
        let c = TcpConfig::linux();
        assert_eq!(c.rcv_wscale(), 7);
        assert_eq!(c.initial_rcv_wnd(1460), 64240);
        assert_eq!(c.initial_rcv_wnd(1448), 65160);
        assert_eq!(TcpConfig::rfc().time_wait, Duration::from_secs(240));
        let big = TcpConfig { rmem: (4096, 131072, 32 << 20), ..TcpConfig::linux() };
        assert_eq!(big.rcv_wscale(), 10);
    }
}
