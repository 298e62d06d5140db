//! Subnets and the gateway, end to end: with its prefix the client decides whether a
//! destination is on its link (ARP for it) or not (ARP for the gateway), RFC 1122 §3.3.1.1.

use wirewise_sim::params::ParamSet;
use wirewise_sim::trace::Trace;
use wirewise_sim::wire::{ArpOp, Frame, FramePayload, Ipv4Addr};
use wirewise_sim::{presets, run};

fn subnets(prefix: &str, dst: &str) -> Trace {
    let p = presets::find("subnets").unwrap();
    let set = ParamSet::apply_strict(p.params, [("prefix", prefix), ("dst", dst)]).unwrap();
    run(&(p.build)(&set).unwrap()).unwrap()
}

/// The targets of the client's ARP requests, in order (the switch floods each broadcast to
/// every port, one frame record per port, so repeats are folded).
fn client_arp_targets(t: &Trace) -> Vec<Ipv4Addr> {
    let mut v: Vec<Ipv4Addr> = t
        .frames
        .iter()
        .filter_map(|f| match Frame::parse(&f.bytes).ok()?.payload {
            FramePayload::Arp(a) if a.op == ArpOp::Request && a.sender_ip == Ipv4Addr::new(192, 168, 1, 10) => {
                Some(a.target_ip)
            }
            _ => None,
        })
        .collect();
    v.dedup();
    v
}

fn echo_replies(t: &Trace) -> usize {
    t.events
        .iter()
        .filter(|e| matches!(&e.kind, wirewise_sim::trace::EventKind::App { call: wirewise_sim::trace::AppCall::Note { text }, .. } if text.contains("bytes from")))
        .count()
}

#[test]
fn at_slash_24_the_neighbour_on_the_other_half_of_the_slash_23_is_reached_via_the_gateway() {
    let t = subnets("24", "192.168.0.77");
    assert_eq!(client_arp_targets(&t), vec![Ipv4Addr::new(192, 168, 1, 1)]);
    assert_eq!(echo_replies(&t), 1);
}

#[test]
fn at_slash_23_the_same_neighbour_is_on_link_and_arped_for_directly() {
    let t = subnets("23", "192.168.0.77");
    assert_eq!(client_arp_targets(&t), vec![Ipv4Addr::new(192, 168, 0, 77)]);
    assert_eq!(echo_replies(&t), 1);
}

#[test]
fn a_same_subnet_peer_is_arped_for_and_a_remote_server_goes_via_the_gateway() {
    assert_eq!(client_arp_targets(&subnets("24", "192.168.1.20")), vec![Ipv4Addr::new(192, 168, 1, 20)]);
    let t = subnets("24", "10.0.0.5");
    assert_eq!(client_arp_targets(&t), vec![Ipv4Addr::new(192, 168, 1, 1)]);
    assert_eq!(echo_replies(&t), 1);
}
