//! `close-wait`: a server that forgets close(). Clients arrive every few seconds, make one
//! request and close; the server answers but never closes, so each of its connections stays in
//! CLOSE-WAIT for good while each client's orphaned socket waits in FIN-WAIT-2 and is dropped
//! after `tcp_fin_timeout`. The chart counts both over the run; the table lists every
//! connection's two sockets at the cursor, the way `ss -tan` would. Runs the `close-wait-leak`
//! preset; the counts come from `wirewise_sim::socket_states`.

use super::runner::{per_run, run_preset};
use super::Runs;
use crate::widgets::format;
use crate::widgets::time_chart::{Chart, Series};
use std::net::SocketAddrV4;
use wirewise_sim::params::ParamSet;
use wirewise_sim::socket_states::{all_stays, connections, count_at, count_in_state, Stay};
use wirewise_sim::tcp::TcpState;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{NodeId, Trace};
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "Real TCP segments and Linux's timers: the server's kernel ACKs each FIN and the \
     connection stays in CLOSE-WAIT until the application calls close(), which it never does; each client's \
     orphaned socket is dropped after tcp_fin_timeout (60 s). One client host, one server, a handful of \
     connections a few seconds apart. Not modelled: the file-descriptor limit (ulimit -n, often 1024) at which \
     accept() starts failing with EMFILE, and the memory each socket holds.";

/// Runs the leak with the figure's client count and spacing.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let pairs = [("clients", params.num("clients").to_string()), ("every", params.num("every").to_string())];
    Ok(Runs { main: run_preset("close-wait-leak", &pairs, seed)?, others: Vec::new() })
}

/// One connection: the client's port and both ends' states over the run.
#[derive(Debug)]
struct Row {
    client_port: u16,
    server: Vec<Stay>,
    client: Vec<Stay>,
}

/// What the view reads at every cursor position, built once per run.
#[derive(Debug)]
struct Tables {
    close_wait: Vec<(Instant, u32)>,
    fin_wait_2: Vec<(Instant, u32)>,
    rows: Vec<Row>,
    chart: Chart,
}

fn tables(trace: &Trace) -> Tables {
    let (server, client) = (trace.node_named("server"), trace.node_named("client"));
    let count = |n: Option<NodeId>, s: TcpState| n.map_or_else(Vec::new, |n| count_in_state(trace, n, s));
    let close_wait = count(server, TcpState::CloseWait);
    let fin_wait_2 = count(client, TcpState::FinWait2);
    let client_socks: std::collections::BTreeMap<SocketAddrV4, _> = client
        .map_or_else(Vec::new, |n| connections(trace, n))
        .into_iter()
        .filter_map(|c| Some((trace.sockets.get(c as usize)?.local, c)))
        .collect();
    let mut stays = all_stays(trace);
    let rows = server
        .map_or_else(Vec::new, |n| connections(trace, n))
        .into_iter()
        .filter_map(|s| {
            let info = trace.sockets.get(s as usize)?;
            let peer: SocketAddrV4 = info.remote?;
            let mine = client_socks.get(&peer);
            Some(Row {
                client_port: peer.port(),
                server: stays.remove(&s).unwrap_or_default(),
                client: mine.and_then(|c| stays.remove(c)).unwrap_or_default(),
            })
        })
        .collect();
    let points = |v: &[(Instant, u32)]| v.iter().map(|(t, n)| (t.0, f64::from(*n))).collect();
    let end_cw = close_wait.last().map_or(0, |x| x.1);
    let chart = Chart::build(
        "Sockets by state",
        "sockets",
        vec![
            // Drawn in this order: the CLOSE-WAIT line on top where the two coincide.
            Series { name: "client sockets in FIN-WAIT-2", class: "ww-tc-cwnd", points: points(&fin_wait_2) },
            Series { name: "server sockets in CLOSE-WAIT", class: "ww-tc-ssthresh", points: points(&close_wait) },
        ],
        Vec::new(),
        Vec::new(),
        trace.end.0,
        format!(
            "Server sockets in CLOSE-WAIT climb by one per client and never fall, ending at {end_cw}; client sockets \
             in FIN-WAIT-2 rise too but each leaves after 60 s."
        ),
    );
    Tables { close_wait, fin_wait_2, rows, chart }
}

/// The state a socket is in at `t` and since when, or `None` before it exists.
fn state_at(stays: &[Stay], t: Instant) -> Option<&Stay> {
    let i = stays.partition_point(|s| s.from <= t);
    i.checked_sub(1).map(|i| &stays[i])
}

fn cell(stays: &[Stay], t: Instant, gone: &str) -> Html {
    match state_at(stays, t) {
        None => html! { <td>{ "—" }</td> },
        Some(s) if s.state == TcpState::Closed => html! { <td class="ww-cwait-gone">{ gone.to_string() }</td> },
        Some(s) => html! {
            <td class={classes!((s.state == TcpState::CloseWait).then_some("ww-cwait-leaked"))}>
                { s.state.name() }
                <small>{ format!(" for {}", format::duration(t.0.saturating_sub(s.from.0))) }</small>
            </td>
        },
    }
}

/// The counts at the cursor, the chart and the per-connection table.
pub fn view(runs: &Runs, params: &ParamSet, t: Instant) -> Html {
    let _ = params;
    let tb = per_run(&runs.main, tables);
    let cw = count_at(&tb.close_wait, t);
    let fw2 = count_at(&tb.fin_wait_2, t);
    let arrived = tb.rows.iter().filter(|r| state_at(&r.server, t).is_some()).count();
    let headline = format!(
        "At {}: {arrived} {} so far; {fw2} client {} in FIN-WAIT-2.",
        format::duration(t.0),
        if arrived == 1 { "client has come and gone" } else { "clients have come and gone" },
        if fw2 == 1 { "socket waits" } else { "sockets wait" },
    );
    html! {
        <div class="ww-cwait" role="group" aria-label="CLOSE-WAIT sockets over time">
            <p class="ww-compare-note" aria-live="polite">
                <strong><span class="ww-cwait-count">{ cw }</span>{ if cw == 1 { " server socket" } else { " server sockets" } }{ " in CLOSE-WAIT. " }</strong>
                { headline }
            </p>
            { tb.chart.view(t) }
            <div class="ww-table-wrap">
                <table class="ww-kq-table ww-cwait-table">
                    <caption>{ format!("Each connection at {} (what ss -tan shows on each host)", format::duration(t.0)) }</caption>
                    <thead><tr><th scope="col">{ "Client port" }</th><th scope="col">{ "Server socket" }</th><th scope="col">{ "Client socket" }</th></tr></thead>
                    <tbody>
                        { for tb.rows.iter().filter(|r| state_at(&r.server, t).is_some()).map(|r| html! {
                            <tr>
                                <th scope="row">{ r.client_port }</th>
                                { cell(&r.server, t, "closed") }
                                { cell(&r.client, t, "gone (FIN-WAIT-2 timed out)") }
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
            <p class="ww-compare-note">
                { "Each client closes after its response; the server's kernel ACKs the FIN and the connection waits in \
                   CLOSE-WAIT for the application to call close(). This one never does, so the count only grows: on a \
                   real server, ss -tan state close-wait lists them and each holds a file descriptor until the process \
                   hits its limit. The fix is in the application: close the socket on every path, including the one \
                   where read() returns 0." }
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_server_socket_ends_in_close_wait_and_every_client_socket_is_gone() {
        let run = run_preset("close-wait-leak", &[], 1).unwrap();
        let tb = tables(&run.trace);
        let end = run.trace.end;
        assert_eq!(tb.rows.len(), 8);
        for r in &tb.rows {
            assert_eq!(state_at(&r.server, end).map(|s| s.state), Some(TcpState::CloseWait));
            assert_eq!(state_at(&r.client, end).map(|s| s.state), Some(TcpState::Closed));
        }
        assert_eq!(count_at(&tb.close_wait, end), 8);
        assert_eq!(count_at(&tb.fin_wait_2, end), 0);
        // Twelve seconds in, the clients of 0, 5 and 10 s have come and gone.
        let t = Instant(12_000_000_000);
        assert_eq!(count_at(&tb.close_wait, t), 3);
        assert_eq!(count_at(&tb.fin_wait_2, t), 3);
        assert_eq!(tb.rows.iter().filter(|r| state_at(&r.server, t).is_some()).count(), 3);
    }
}
