//! One UDP datagram out, and a socket that records what arrives: enough to watch a large
//! datagram be fragmented by IP (DF clear) or refused with "fragmentation needed" (DF set).

use super::bulk::pattern;
use super::{App, Os};
use crate::trace::SockId;
use std::net::SocketAddrV4;

/// Sends one datagram of `bytes`.
#[derive(Debug)]
pub struct UdpSend {
    to: SocketAddrV4,
    bytes: u32,
    dont_frag: bool,
}

impl UdpSend {
    /// A sender of one datagram.
    pub fn new(to: SocketAddrV4, bytes: u32, dont_frag: bool) -> Self {
        UdpSend { to, bytes, dont_frag }
    }
}

impl App for UdpSend {
    fn start(&mut self, os: &mut Os) {
        let data: Vec<u8> = (0..self.bytes as u64).map(pattern).collect();
        let sent = os.udp_bind(0).and_then(|s| os.udp_send(s, self.to, &data, self.dont_frag));
        match sent {
            Ok(()) => os.note(format!(
                "sendto({}, {} bytes, DF {})",
                self.to,
                self.bytes,
                if self.dont_frag { "set" } else { "clear" }
            )),
            Err(e) => os.note(format!("sendto() failed: {e}")),
        }
    }
}

/// Records datagrams arriving on `port`.
#[derive(Debug)]
pub struct UdpSink {
    port: u16,
}

impl UdpSink {
    /// A receiver on `port`.
    pub fn new(port: u16) -> Self {
        UdpSink { port }
    }
}

impl App for UdpSink {
    fn start(&mut self, os: &mut Os) {
        if let Err(e) = os.udp_bind(self.port) {
            os.note(format!("bind({}) failed: {e}", self.port));
        }
    }

    fn on_udp(&mut self, os: &mut Os, _sock: SockId, from: SocketAddrV4, data: &[u8]) {
        os.note(format!("received {} bytes from {from}", data.len()));
    }
}
