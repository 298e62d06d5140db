//! `subnets`: the decision every host makes before sending a packet. The client's address and
//! the destination are each ANDed with the client's mask, bit by bit; equal networks mean "on
//! my link: ARP for the destination", different ones "via the default gateway: ARP for the
//! gateway". Runs the `subnets` preset (a /23 LAN, a router, a server beyond it); the bit
//! arithmetic comes from `wirewise_sim::subnet` and the ladder shows the ARP it leads to.

use super::runner::run_preset;
use super::Runs;
use crate::widgets::format;
use wirewise_sim::params::ParamSet;
use wirewise_sim::subnet::{broadcast, kind, mask, network, next_hop, same_subnet, usable_hosts, AddressKind};
use wirewise_sim::time::Instant;
use wirewise_sim::wire::Ipv4Addr;
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "Real ARP, IPv4 and ICMP frames through a learning switch and a router, with the \
     client's routing decision made as RFC 1122 §3.3.1.1 and Linux's connected and default routes make it. The \
     router forwards a packet back out of the interface it came in on without sending an ICMP redirect, and \
     every host starts with an empty ARP cache.";

/// The client's address in the preset.
pub const CLIENT: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 10);
/// The client's default gateway in the preset.
pub const GATEWAY: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 1);

/// Runs the preset with the chosen prefix and destination.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let pairs = [("prefix", params.num("prefix").to_string()), ("dst", params.choice("dst").to_string())];
    Ok(Runs { main: run_preset("subnets", &pairs, seed)?, others: Vec::new() })
}

fn prefix_of(params: &ParamSet) -> u8 {
    params.num("prefix").round().clamp(0.0, 32.0) as u8
}

/// One row of 32 bits, the first `prefix` marked as the network part.
fn bits_row(label: &str, addr: Ipv4Addr, prefix: u8, class: &'static str) -> Html {
    let v = u32::from(addr);
    html! {
        <tr class={class}>
            <th scope="row">{ label }</th>
            <td class="ww-sn-dotted"><code>{ addr.to_string() }</code></td>
            <td class="ww-sn-bits" aria-hidden="true">
                { for (0..32u8).map(|i| {
                    let bit = (v >> (31 - i)) & 1;
                    html! {
                        <span class={classes!("ww-sn-bit", (i < prefix).then_some("ww-sn-net"), (i % 8 == 7 && i < 31).then_some("ww-sn-octet"))}>
                            { bit }
                        </span>
                    }
                }) }
            </td>
        </tr>
    }
}

fn kind_text(k: AddressKind) -> &'static str {
    match k {
        AddressKind::Private => "private (RFC 1918)",
        AddressKind::Shared => "shared, carrier-grade NAT (RFC 6598)",
        AddressKind::Loopback => "loopback",
        AddressKind::LinkLocal => "link-local",
        AddressKind::Public => "public",
    }
}

/// The AND, the verdict and the subnet's numbers.
pub fn view(runs: &Runs, params: &ParamSet, t: Instant) -> Html {
    let _ = (runs, t);
    let prefix = prefix_of(params);
    let dst: Ipv4Addr = params.choice("dst").parse().unwrap_or(CLIENT);
    let same = same_subnet(CLIENT, dst, prefix);
    let hop = next_hop(CLIENT, prefix, GATEWAY, dst);
    let verdict = if same {
        format!(
            "Equal networks ({}): {dst} is on the client's own link. The client ARPs for {dst} and sends the packet \
             straight to it.",
            network(CLIENT, prefix)
        )
    } else {
        format!(
            "Different networks ({} against {}): {dst} is not on the client's link. The client sends the packet to its \
             default gateway {GATEWAY}, so it ARPs for {hop}, the gateway's address, not for {dst}.",
            network(CLIENT, prefix),
            network(dst, prefix)
        )
    };
    html! {
        <div class="ww-sn" role="group" aria-label="Same subnet or via the gateway">
            <div class="ww-table-wrap" tabindex="0" role="region"
                aria-label={format!("Client {CLIENT}/{prefix} and destination {dst}, each ANDed with mask {}", mask(prefix))}>
                <table class="ww-sn-table">
                    <tbody>
                        { bits_row("Client address", CLIENT, prefix, "ww-sn-addr") }
                        { bits_row(&format!("Mask /{prefix}"), mask(prefix), prefix, "ww-sn-mask") }
                        { bits_row("Client AND mask", network(CLIENT, prefix), prefix, "ww-sn-result") }
                        { bits_row("Destination", dst, prefix, "ww-sn-addr") }
                        { bits_row("Destination AND mask", network(dst, prefix), prefix, "ww-sn-result") }
                    </tbody>
                </table>
            </div>
            <p class={classes!("ww-sn-verdict", if same { "ww-sn-same" } else { "ww-sn-other" })} aria-live="polite">
                <strong>{ if same { "Same subnet. " } else { "Another subnet. " } }</strong>{ verdict }
            </p>
            <p class="ww-sn-facts">
                { format!(
                    "The client's subnet {}/{prefix} runs from {} to {}: {} usable host addresses (the first is the network, \
                     the last the broadcast). {}",
                    network(CLIENT, prefix),
                    network(CLIENT, prefix),
                    broadcast(CLIENT, prefix),
                    format::thousands(usable_hosts(prefix)),
                    if kind(dst) == kind(CLIENT) {
                        format!("Both addresses are {}.", kind_text(kind(CLIENT)))
                    } else {
                        format!("The client's address is {}; the destination's is {}.", kind_text(kind(CLIENT)), kind_text(kind(dst)))
                    }
                ) }
            </p>
        </div>
    }
}
