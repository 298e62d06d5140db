//! A learning Ethernet switch (IEEE 802.1D §7.8): it learns which port each source MAC lives
//! behind, forwards a frame to the port of its destination, and floods broadcasts and
//! unknown destinations to every other port. Entries do not age out during a run.

use super::NodeEnv;
use crate::trace::{DropReason, EventKind, FrameId, IfaceInfo};
use crate::wire::{Frame, MacAddr};
use std::collections::BTreeMap;

/// A learning switch.
#[derive(Debug)]
pub struct Switch {
    /// Node name.
    pub name: String,
    ports: Vec<(u16, MacAddr)>,
    table: BTreeMap<MacAddr, usize>,
}

impl Switch {
    /// A switch with no ports yet.
    pub fn new(name: &str) -> Self {
        Switch { name: name.to_string(), ports: vec![], table: BTreeMap::new() }
    }

    /// Plug a link into the next port.
    pub fn attach(&mut self, link: u16, mac: MacAddr) {
        self.ports.push((link, mac));
    }

    /// Ports for the trace's topology table.
    pub fn iface_info(&self) -> Vec<IfaceInfo> {
        self.ports.iter().map(|(link, mac)| IfaceInfo { link: *link, mac: *mac, ip: None }).collect()
    }

    /// The MAC table: which port each address was learned on.
    pub fn table(&self) -> &BTreeMap<MacAddr, usize> {
        &self.table
    }

    /// Learn the source, then forward or flood. The frame is re-sent unchanged.
    pub fn on_frame(&mut self, env: &mut NodeEnv, port: usize, frame: FrameId, bytes: &[u8]) {
        let Ok(parsed) = Frame::parse(bytes) else {
            env.event(EventKind::FrameDropped {
                frame,
                node: Some(env.node),
                link: None,
                reason: DropReason::Malformed,
            });
            return;
        };
        let (src, dst) = (parsed.eth.src, parsed.eth.dst);
        if !src.is_broadcast() {
            self.table.insert(src, port);
        }
        match self.table.get(&dst) {
            Some(&out) if !dst.is_broadcast() => {
                if out == port {
                    // Destination is behind the port it came from: filter (802.1D §7.7.1).
                    env.event(EventKind::FrameDropped {
                        frame,
                        node: Some(env.node),
                        link: None,
                        reason: DropReason::NotForUs,
                    });
                } else {
                    env.out.push((out, parsed));
                }
            }
            _ => {
                for p in (0..self.ports.len()).filter(|p| *p != port) {
                    env.out.push((p, parsed.clone()));
                }
            }
        }
    }
}
