//! An independent reading of our bytes: the etherparse crate parses every frame of every
//! preset, and its view of each header, and the checksums it computes, must equal ours.

use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use wirewise_sim::presets;
use wirewise_sim::wire::{Frame, FramePayload, IcmpRepr, Transport};

#[test]
fn etherparse_agrees_with_every_frame_of_every_preset() {
    let mut tcp = 0;
    let mut udp = 0;
    for p in presets::all() {
        let mut s = p.default_scenario().unwrap();
        s.snaplen = None;
        s.stop_ms = s.stop_ms.min(3000.0);
        let t = wirewise_sim::run(&s).unwrap();
        for (i, rec) in t.frames.iter().enumerate() {
            let ours = Frame::parse(&rec.bytes).unwrap_or_else(|e| panic!("{} frame {i}: {e}", p.name));
            let theirs = SlicedPacket::from_ethernet(&rec.bytes)
                .unwrap_or_else(|e| panic!("{} frame {i}: etherparse: {e:?}", p.name));
            let FramePayload::Ipv4(pkt) = &ours.payload else { continue };
            let Some(NetSlice::Ipv4(ip)) = &theirs.net else { panic!("{} frame {i}: etherparse sees no IPv4", p.name) };
            let h = ip.header();
            assert_eq!(h.source_addr(), pkt.ip.src);
            assert_eq!(h.destination_addr(), pkt.ip.dst);
            assert_eq!(h.ttl(), pkt.ip.ttl);
            assert_eq!(h.identification(), pkt.ip.ident);
            assert_eq!(h.dont_fragment(), pkt.ip.dont_frag);
            let header = h.to_header();
            assert_eq!(header.calc_header_checksum(), header.header_checksum, "{} frame {i}: IPv4 checksum", p.name);
            match (&pkt.transport, &theirs.transport) {
                (Transport::Tcp(seg), Some(TransportSlice::Tcp(th))) => {
                    assert_eq!((th.source_port(), th.destination_port()), (seg.src_port, seg.dst_port));
                    assert_eq!((th.sequence_number(), th.acknowledgment_number()), (seg.seq, seg.ack));
                    assert_eq!(
                        (th.syn(), th.ack(), th.fin(), th.rst(), th.psh()),
                        (
                            seg.flags.syn(),
                            seg.flags.ack(),
                            seg.flags.fin(),
                            seg.flags.rst(),
                            seg.flags.contains(wirewise_sim::wire::TcpFlags::PSH)
                        )
                    );
                    assert_eq!(th.window_size(), seg.window);
                    assert_eq!(th.payload().len(), seg.payload.len());
                    let want = th.to_header().calc_checksum_ipv4(&header, th.payload()).unwrap();
                    assert_eq!(want, th.checksum(), "{} frame {i}: TCP checksum", p.name);
                    tcp += 1;
                }
                (Transport::Udp(d), Some(TransportSlice::Udp(uh))) => {
                    assert_eq!((uh.source_port(), uh.destination_port()), (d.src_port, d.dst_port));
                    let want = uh.to_header().calc_checksum_ipv4(&header, uh.payload()).unwrap();
                    assert_eq!(want, uh.checksum(), "{} frame {i}: UDP checksum", p.name);
                    udp += 1;
                }
                (
                    Transport::Icmp(IcmpRepr::EchoRequest { .. } | IcmpRepr::EchoReply { .. }),
                    Some(TransportSlice::Icmpv4(_)),
                ) => {}
                (Transport::Icmp(_), Some(TransportSlice::Icmpv4(_))) => {}
                (Transport::Fragment(_), _) | (Transport::Other(_), _) => {}
                (ours, theirs) => panic!("{} frame {i}: we read {ours:?}, etherparse {theirs:?}", p.name),
            }
        }
    }
    assert!(tcp > 500 && udp > 5, "compared {tcp} TCP and {udp} UDP frames");
}
