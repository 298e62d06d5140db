//! Scenarios as plain data: topology, applications, faults, parameters and seed. Figures,
//! tests, URLs and the command line all describe a run with this one format (JSON via serde).
//! [`Scenario::validate`] turns every mistake into a typed [`ScenarioError`]; nothing panics.

use crate::apps::AppSpec;
use crate::net::fault::FaultSpec;
use crate::net::link::QueueLimit;
use crate::tcp::TcpConfig;
use crate::text::{clip, clip_to};
use crate::wire::Ipv4Addr;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// Largest number of nodes, links or apps a scenario may have (keeps runs browser-sized).
pub const MAX_ITEMS: usize = 256;
/// Longest node name, in characters (a simulation bound: names label ladders and charts).
pub const MAX_NAME_CHARS: usize = 64;
/// Longest run, in virtual milliseconds (one hour).
pub const MAX_STOP_MS: f64 = 3_600_000.0;

/// An IPv4 address with a prefix length, written `10.0.0.1/24`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr {
    /// The address.
    pub addr: Ipv4Addr,
    /// Prefix length, 0 to 32.
    pub prefix: u8,
}

impl Cidr {
    /// The network mask, e.g. 255.255.255.0 for /24.
    pub fn mask(&self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - self.prefix as u32)
        }
    }
    /// The network address (address AND mask).
    pub fn network(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) & self.mask())
    }
    /// Is `ip` inside this prefix?
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        u32::from(ip) & self.mask() == u32::from(self.addr) & self.mask()
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl FromStr for Cidr {
    type Err = ScenarioError;
    fn from_str(s: &str) -> Result<Self, ScenarioError> {
        let bad = || ScenarioError::BadAddress { text: s.to_string() };
        let (a, p) = s.split_once('/').unwrap_or((s, "32"));
        let addr: Ipv4Addr = a.trim().parse().map_err(|_| bad())?;
        let prefix: u8 = p.trim().parse().map_err(|_| bad())?;
        if prefix > 32 {
            return Err(bad());
        }
        Ok(Cidr { addr, prefix })
    }
}

impl Serialize for Cidr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An end host: one NIC, a TCP/IP stack, applications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostSpec {
    /// Unique node name.
    pub name: String,
    /// Address and prefix of its NIC, e.g. `10.0.0.1/24`.
    pub ip: Cidr,
    /// Default gateway, for destinations outside its subnet.
    #[serde(default)]
    pub gateway: Option<Ipv4Addr>,
    /// This host's TCP settings (sysctls), if not the scenario's.
    #[serde(default)]
    pub tcp: Option<TcpConfig>,
}

/// A learning Ethernet switch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwitchSpec {
    /// Unique node name.
    pub name: String,
}

/// A static route of a router.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    /// Destination prefix.
    pub dest: Cidr,
    /// Next-hop router on a directly connected subnet.
    pub via: Ipv4Addr,
}

/// An IPv4 router. Its interface addresses are given on the links (`a_ip`/`b_ip`); routes to
/// directly connected subnets are added automatically.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouterSpec {
    /// Unique node name.
    pub name: String,
    /// Static routes (longest prefix wins).
    #[serde(default)]
    pub routes: Vec<RouteSpec>,
    /// Masquerade flows leaving by the outside interface (and port forwards into the inside).
    #[serde(default)]
    pub nat: Option<crate::net::nat::NatSpec>,
    /// Lower the MSS option of forwarded SYNs to fit the outgoing link (iptables
    /// `TCPMSS --clamp-mss-to-pmtu`).
    #[serde(default)]
    pub clamp_mss: bool,
}

fn default_bandwidth() -> f64 {
    100.0
}
fn default_delay() -> f64 {
    1.0
}
fn default_mtu() -> u16 {
    1500
}

/// A full-duplex point-to-point link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    /// Node at one end.
    pub a: String,
    /// Node at the other end.
    pub b: String,
    /// Address of a router's interface at end `a`.
    #[serde(default)]
    pub a_ip: Option<Cidr>,
    /// Address of a router's interface at end `b`.
    #[serde(default)]
    pub b_ip: Option<Cidr>,
    /// Megabits per second, each direction.
    #[serde(default = "default_bandwidth")]
    pub bandwidth_mbps: f64,
    /// One-way propagation delay in milliseconds.
    #[serde(default = "default_delay")]
    pub delay_ms: f64,
    /// Largest IP packet, in bytes (68 to 9000).
    #[serde(default = "default_mtu")]
    pub mtu: u16,
    /// Probability (0 to 1) that a frame is lost.
    #[serde(default)]
    pub loss: f64,
    /// Egress queue limit at each end.
    #[serde(default)]
    pub queue: QueueLimit,
}

fn default_stop() -> f64 {
    200_000.0
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A name for people.
    #[serde(default)]
    pub name: String,
    /// Seed of every random choice (ISNs, ports, loss).
    #[serde(default)]
    pub seed: u64,
    /// Stop the run at this virtual time, in milliseconds.
    #[serde(default = "default_stop")]
    pub stop_ms: f64,
    /// Bytes of each frame kept in the trace (the rest is counted, like tcpdump -s).
    #[serde(default)]
    pub snaplen: Option<u32>,
    /// Start with every neighbour already in each ARP cache, as on a server that has been
    /// talking to its gateway for a while; off shows the first packet waiting for ARP.
    #[serde(default)]
    pub warm_arp: bool,
    /// TCP settings of every host unless a host has its own.
    #[serde(default)]
    pub tcp: TcpConfig,
    /// End hosts.
    pub hosts: Vec<HostSpec>,
    /// Switches.
    #[serde(default)]
    pub switches: Vec<SwitchSpec>,
    /// Routers.
    #[serde(default)]
    pub routers: Vec<RouterSpec>,
    /// Links.
    pub links: Vec<LinkSpec>,
    /// Applications.
    #[serde(default)]
    pub apps: Vec<AppSpec>,
    /// Scripted faults.
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
}

/// What is wrong with a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ScenarioError {
    /// Text that is not `a.b.c.d` or `a.b.c.d/len`.
    BadAddress { text: String },
    /// Two nodes share a name.
    DuplicateName { name: String },
    /// A name refers to no node (or to the wrong kind of node).
    UnknownNode { name: String, context: String },
    /// A field's value is not allowed.
    InvalidValue { field: String, value: String, why: String },
    /// The topology is not usable (a host with no link, or with two).
    Topology { what: String },
    /// The JSON did not parse.
    Parse { what: String },
}

impl fmt::Display for ScenarioError {
    /// Values from the input are echoed through [`clip`], so a message stays one short line
    /// even when the scenario held a 100 KB string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::BadAddress { text } => {
                write!(f, "'{}' is not an IPv4 address (a.b.c.d or a.b.c.d/len)", clip(text))
            }
            ScenarioError::DuplicateName { name } => write!(f, "two nodes are named '{}'", clip(name)),
            ScenarioError::UnknownNode { name, context } => {
                write!(f, "{}: no node named '{}'", clip(context), clip(name))
            }
            ScenarioError::InvalidValue { field, value, why } => {
                write!(f, "{} = {}: {}", clip_to(field, 80), clip(value), clip_to(why, 160))
            }
            ScenarioError::Topology { what } => write!(f, "topology: {}", clip_to(what, 200)),
            ScenarioError::Parse { what } => write!(f, "scenario does not parse: {}", clip_parse_message(what)),
        }
    }
}

/// A serde message quotes the offending text between backticks (`unknown field `…``) and may
/// list every expected variant; clip each quoted part, then the middle of what is left, so
/// the position at its end ("at line 1 column 9") survives.
fn clip_parse_message(what: &str) -> String {
    let mut out = String::new();
    for (i, part) in what.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(&clip(part));
        } else {
            out.push_str(part);
        }
    }
    const KEEP: usize = 200;
    let n = out.chars().count();
    if n <= KEEP {
        return out;
    }
    let head: String = out.chars().take(KEEP - 60).collect();
    let tail: String = out.chars().skip(n - 50).collect();
    format!("{head} … {tail}")
}

impl std::error::Error for ScenarioError {}

/// Check that `v` lies in `lo..=hi` (and is a number).
pub(crate) fn check_range(field: &str, v: f64, lo: f64, hi: f64) -> Result<(), ScenarioError> {
    if v.is_finite() && v >= lo && v <= hi {
        Ok(())
    } else {
        Err(ScenarioError::InvalidValue {
            field: field.into(),
            value: v.to_string(),
            why: format!("must be between {lo} and {hi}"),
        })
    }
}

impl Scenario {
    /// Read a scenario from JSON text (typed error, never a panic).
    #[cfg(feature = "cli")]
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let s: Scenario = serde_json::from_str(text).map_err(|e| ScenarioError::Parse { what: e.to_string() })?;
        s.validate()?;
        Ok(s)
    }

    /// Every check a run needs before it starts.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        check_range("stop_ms", self.stop_ms, 0.0, MAX_STOP_MS)?;
        let count = self.hosts.len() + self.switches.len() + self.routers.len();
        if count > MAX_ITEMS
            || self.links.len() > MAX_ITEMS
            || self.apps.len() > MAX_ITEMS
            || self.faults.len() > MAX_ITEMS
        {
            return Err(ScenarioError::InvalidValue {
                field: "scenario".into(),
                value: format!("{count} nodes, {} links, {} apps", self.links.len(), self.apps.len()),
                why: format!("at most {MAX_ITEMS} of each"),
            });
        }
        if self.hosts.is_empty() {
            return Err(ScenarioError::Topology { what: "a scenario needs at least one host".into() });
        }
        let mut names = BTreeSet::new();
        let hosts = self.hosts.iter().enumerate().map(|(i, h)| ("hosts", i, &h.name));
        let switches = self.switches.iter().enumerate().map(|(i, s)| ("switches", i, &s.name));
        let routers = self.routers.iter().enumerate().map(|(i, r)| ("routers", i, &r.name));
        for (kind, i, n) in hosts.chain(switches).chain(routers) {
            let len = n.chars().count();
            if len == 0 || len > MAX_NAME_CHARS {
                return Err(ScenarioError::InvalidValue {
                    field: format!("{kind}[{i}].name"),
                    value: if len == 0 { "\"\"".into() } else { n.clone() },
                    why: format!("nodes need a name of 1 to {MAX_NAME_CHARS} characters"),
                });
            }
            if !names.insert(n.as_str()) {
                return Err(ScenarioError::DuplicateName { name: n.clone() });
            }
        }
        for (i, l) in self.links.iter().enumerate() {
            for end in [&l.a, &l.b] {
                if !names.contains(end.as_str()) {
                    return Err(ScenarioError::UnknownNode { name: end.clone(), context: format!("links[{i}]") });
                }
            }
            if l.a == l.b {
                return Err(ScenarioError::Topology { what: format!("links[{i}] connects '{}' to itself", l.a) });
            }
            check_range(&format!("links[{i}].bandwidth_mbps"), l.bandwidth_mbps, 0.001, 400_000.0)?;
            check_range(&format!("links[{i}].delay_ms"), l.delay_ms, 0.0, 60_000.0)?;
            check_range(&format!("links[{i}].mtu"), l.mtu as f64, 68.0, 9000.0)?;
            check_range(&format!("links[{i}].loss"), l.loss, 0.0, 1.0)?;
            for (end, ip) in [(&l.a, l.a_ip), (&l.b, l.b_ip)] {
                let is_router = self.routers.iter().any(|r| &r.name == end);
                if is_router && ip.is_none() {
                    return Err(ScenarioError::Topology {
                        what: format!("links[{i}]: router '{end}' needs an address on this link (a_ip/b_ip)"),
                    });
                }
            }
        }
        for h in &self.hosts {
            let n = self.links.iter().filter(|l| l.a == h.name || l.b == h.name).count();
            if n != 1 {
                return Err(ScenarioError::Topology {
                    what: format!("host '{}' must have exactly one link (it has {n})", h.name),
                });
            }
        }
        self.tcp.validate("tcp")?;
        for (i, h) in self.hosts.iter().enumerate() {
            if let Some(t) = &h.tcp {
                t.validate(&format!("hosts[{i}].tcp"))?;
            }
            if let Some(gw) = h.gateway {
                // Linux refuses a default route whose gateway is not on a connected subnet
                // ("Nexthop has invalid gateway", fib_check_nh) or is the host itself.
                if !h.ip.contains(gw) || gw == h.ip.addr {
                    return Err(ScenarioError::InvalidValue {
                        field: format!("hosts[{i}].gateway"),
                        value: gw.to_string(),
                        why: format!("must be another address inside the host's subnet {}", h.ip),
                    });
                }
            }
        }
        self.check_routes()?;
        self.check_duplicate_addresses()?;
        for (i, a) in self.apps.iter().enumerate() {
            let host = a.host();
            if !self.hosts.iter().any(|h| h.name == host) {
                return Err(ScenarioError::UnknownNode { name: host.to_string(), context: format!("apps[{i}]") });
            }
            a.validate(&format!("apps[{i}]"))?;
        }
        for (i, f) in self.faults.iter().enumerate() {
            f.validate(&format!("faults[{i}]"), &names)?;
        }
        Ok(())
    }

    /// A static route's next hop must be on one of the router's own subnets (Linux:
    /// "Nexthop has invalid gateway"); a NAT's outside address must be the router's own, and
    /// its port forwards TCP or UDP.
    fn check_routes(&self) -> Result<(), ScenarioError> {
        for (ri, r) in self.routers.iter().enumerate() {
            let own: Vec<Cidr> = self
                .links
                .iter()
                .flat_map(|l| [(&l.a, l.a_ip), (&l.b, l.b_ip)])
                .filter(|(n, _)| **n == r.name)
                .filter_map(|(_, ip)| ip)
                .collect();
            if r.routes.len() > MAX_ITEMS {
                return Err(ScenarioError::InvalidValue {
                    field: format!("routers[{ri}].routes"),
                    value: format!("{} routes", r.routes.len()),
                    why: format!("at most {MAX_ITEMS}"),
                });
            }
            if let Some(nat) = &r.nat {
                if !own.iter().any(|c| c.addr == nat.outside) {
                    return Err(ScenarioError::InvalidValue {
                        field: format!("routers[{ri}].nat.outside"),
                        value: nat.outside.to_string(),
                        why: "must be one of the router's own interface addresses".into(),
                    });
                }
                if nat.forwards.len() > MAX_ITEMS {
                    return Err(ScenarioError::InvalidValue {
                        field: format!("routers[{ri}].nat.forwards"),
                        value: format!("{} forwards", nat.forwards.len()),
                        why: format!("at most {MAX_ITEMS}"),
                    });
                }
                for (i, f) in nat.forwards.iter().enumerate() {
                    if !["tcp", "udp"].contains(&f.proto.to_ascii_lowercase().as_str()) {
                        return Err(ScenarioError::InvalidValue {
                            field: format!("routers[{ri}].nat.forwards[{i}].proto"),
                            value: f.proto.clone(),
                            why: "tcp or udp".into(),
                        });
                    }
                }
            }
            for (i, route) in r.routes.iter().enumerate() {
                if !own.iter().any(|c| c.contains(route.via)) {
                    return Err(ScenarioError::InvalidValue {
                        field: format!("routers[{ri}].routes[{i}].via"),
                        value: route.via.to_string(),
                        why: "must be on a subnet the router is connected to".into(),
                    });
                }
            }
        }
        Ok(())
    }

    /// No two interfaces on one Ethernet segment (links joined by switches) share an
    /// address: ARP could not tell them apart (RFC 5227 calls it an address conflict).
    /// The same private address behind two different routers is fine.
    fn check_duplicate_addresses(&self) -> Result<(), ScenarioError> {
        // Union-find over links: links meeting at a switch are one segment.
        let mut parent: Vec<usize> = (0..self.links.len()).collect();
        fn root(p: &mut [usize], mut i: usize) -> usize {
            while p[i] != i {
                p[i] = p[p[i]];
                i = p[i];
            }
            i
        }
        for sw in &self.switches {
            let mut first = None;
            for (i, l) in self.links.iter().enumerate() {
                if l.a == sw.name || l.b == sw.name {
                    match first {
                        None => first = Some(i),
                        Some(f) => {
                            let (a, b) = (root(&mut parent, f), root(&mut parent, i));
                            parent[a] = b;
                        }
                    }
                }
            }
        }
        // Every interface: (segment, address, where it was given).
        let mut seen: std::collections::BTreeMap<(usize, Ipv4Addr), String> = Default::default();
        let mut ifaces: Vec<(usize, Ipv4Addr, String)> = Vec::new();
        for (hi, h) in self.hosts.iter().enumerate() {
            if let Some(li) = self.links.iter().position(|l| l.a == h.name || l.b == h.name) {
                ifaces.push((li, h.ip.addr, format!("hosts[{hi}].ip")));
            }
        }
        for (li, l) in self.links.iter().enumerate() {
            for (node, end, ip) in [(&l.a, "a_ip", l.a_ip), (&l.b, "b_ip", l.b_ip)] {
                // Only a router's end of a link takes its address from the link.
                if !self.routers.iter().any(|r| &r.name == node) {
                    continue;
                }
                if let Some(c) = ip {
                    ifaces.push((li, c.addr, format!("links[{li}].{end}")));
                }
            }
        }
        for (li, addr, field) in ifaces {
            let seg = root(&mut parent, li);
            if let Some(other) = seen.insert((seg, addr), field.clone()) {
                return Err(ScenarioError::InvalidValue {
                    field,
                    value: addr.to_string(),
                    why: format!("{other} has the same address on the same network"),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_parses_and_masks() {
        let c: Cidr = "192.168.1.77/23".parse().unwrap();
        assert_eq!(c.network(), Ipv4Addr::new(192, 168, 0, 0));
        assert!(c.contains(Ipv4Addr::new(192, 168, 1, 200)));
        assert!(!c.contains(Ipv4Addr::new(192, 168, 2, 1)));
        assert!("10.0.0.1/33".parse::<Cidr>().is_err());
        assert!("10.0.0/8".parse::<Cidr>().is_err());
        assert_eq!("10.0.0.9".parse::<Cidr>().unwrap().prefix, 32);
        assert_eq!("0.0.0.0/0".parse::<Cidr>().unwrap().mask(), 0);
    }
}
