//! IPv4 subnets as a host sees them (RFC 950, RFC 4632): an address and a prefix length give a
//! mask; ANDing the mask with the host's own address and with a destination decides whether
//! the destination is on the local link (send straight to it, after ARP for its MAC) or not
//! (send to the default gateway, after ARP for the gateway's MAC): RFC 1122 §3.3.1.1, Linux
//! `fib_lookup` finding a connected route or the default route. Also the special ranges a
//! backend engineer meets: RFC 1918 private space, RFC 6598 shared (carrier-grade NAT) space,
//! loopback and link-local.

use crate::wire::Ipv4Addr;

/// The mask of a prefix length (0..=32; longer is treated as 32).
pub fn mask(prefix: u8) -> Ipv4Addr {
    let p = u32::from(prefix.min(32));
    let bits = if p == 0 { 0 } else { u32::MAX << (32 - p) };
    Ipv4Addr::from(bits)
}

/// `addr AND mask`: the network an address belongs to.
pub fn network(addr: Ipv4Addr, prefix: u8) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(addr) & u32::from(mask(prefix)))
}

/// The directed broadcast address of the network (all host bits set).
pub fn broadcast(addr: Ipv4Addr, prefix: u8) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(network(addr, prefix)) | !u32::from(mask(prefix)))
}

/// Addresses a host can use: all but the network and broadcast addresses (RFC 950); /31 links
/// use both (RFC 3021) and a /32 is one host.
pub fn usable_hosts(prefix: u8) -> u64 {
    match prefix.min(32) {
        32 => 1,
        31 => 2,
        p => (1u64 << (32 - u32::from(p))) - 2,
    }
}

/// Whether `dst` is on the same subnet as `src` with `prefix`: their networks are equal.
pub fn same_subnet(src: Ipv4Addr, dst: Ipv4Addr, prefix: u8) -> bool {
    network(src, prefix) == network(dst, prefix)
}

/// Where a host with address `src`/`prefix` and default gateway `gateway` sends a packet for
/// `dst`: the address it must ARP for.
pub fn next_hop(src: Ipv4Addr, prefix: u8, gateway: Ipv4Addr, dst: Ipv4Addr) -> Ipv4Addr {
    if same_subnet(src, dst, prefix) {
        dst
    } else {
        gateway
    }
}

/// What kind of address it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressKind {
    /// RFC 1918: 10/8, 172.16/12, 192.168/16; not routed on the internet.
    Private,
    /// RFC 6598: 100.64/10, shared by carrier-grade NATs.
    Shared,
    /// 127/8 (RFC 1122 §3.2.1.3): never leaves the host.
    Loopback,
    /// 169.254/16 (RFC 3927): self-assigned when DHCP fails.
    LinkLocal,
    /// Anything else: globally routable (or reserved).
    Public,
}

/// Classifies `addr`.
pub fn kind(addr: Ipv4Addr) -> AddressKind {
    let in_net = |net: [u8; 4], prefix: u8| same_subnet(addr, Ipv4Addr::from(net), prefix);
    if in_net([10, 0, 0, 0], 8) || in_net([172, 16, 0, 0], 12) || in_net([192, 168, 0, 0], 16) {
        AddressKind::Private
    } else if in_net([100, 64, 0, 0], 10) {
        AddressKind::Shared
    } else if in_net([127, 0, 0, 0], 8) {
        AddressKind::Loopback
    } else if in_net([169, 254, 0, 0], 16) {
        AddressKind::LinkLocal
    } else {
        AddressKind::Public
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    #[test]
    fn masks_networks_and_broadcasts() {
        assert_eq!(mask(24), ip("255.255.255.0"));
        assert_eq!(mask(23), ip("255.255.254.0"));
        assert_eq!(mask(0), ip("0.0.0.0"));
        assert_eq!(mask(40), ip("255.255.255.255"));
        assert_eq!(network(ip("192.168.1.10"), 23), ip("192.168.0.0"));
        assert_eq!(broadcast(ip("192.168.1.10"), 23), ip("192.168.1.255"));
    }

    #[test]
    fn a_slash_23_has_510_hosts_and_joins_two_slash_24s() {
        assert_eq!(usable_hosts(23), 510);
        assert_eq!(usable_hosts(24), 254);
        assert_eq!(usable_hosts(31), 2);
        assert!(same_subnet(ip("192.168.1.10"), ip("192.168.0.77"), 23));
        assert!(!same_subnet(ip("192.168.1.10"), ip("192.168.0.77"), 24));
        assert_eq!(next_hop(ip("192.168.1.10"), 24, ip("192.168.1.1"), ip("192.168.0.77")), ip("192.168.1.1"));
        assert_eq!(next_hop(ip("192.168.1.10"), 23, ip("192.168.1.1"), ip("192.168.0.77")), ip("192.168.0.77"));
    }

    #[test]
    fn special_ranges() {
        assert_eq!(kind(ip("10.1.2.3")), AddressKind::Private);
        assert_eq!(kind(ip("172.31.255.255")), AddressKind::Private);
        assert_eq!(kind(ip("172.32.0.1")), AddressKind::Public);
        assert_eq!(kind(ip("192.168.0.1")), AddressKind::Private);
        assert_eq!(kind(ip("100.64.0.1")), AddressKind::Shared);
        assert_eq!(kind(ip("127.0.0.1")), AddressKind::Loopback);
        assert_eq!(kind(ip("169.254.10.10")), AddressKind::LinkLocal);
        assert_eq!(kind(ip("8.8.8.8")), AddressKind::Public);
    }
}
