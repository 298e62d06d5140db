//! `#/fidelity`: "How faithful is this?" — the simulation beside a live Linux kernel, behaviour by
//! behaviour, from `conformance/report.json` (written by the conformance tests in
//! `sim/tests/conformance.rs` and built into the app). A report that does not parse gives a message,
//! never a panic.

use crate::route::Route;
use serde::Deserialize;
use yew::prelude::*;

/// The comparison as the conformance tests wrote it.
const REPORT: &str = include_str!("../../conformance/report.json");

/// `conformance/report.json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Report {
    /// The kernel the recording came from, e.g. `6.18.44`.
    pub kernel: String,
    /// Its timer frequency (`CONFIG_HZ`).
    pub hz: u32,
    /// When it was recorded (a date as written).
    pub recorded: String,
    /// One row per behaviour compared.
    pub rows: Vec<Row>,
}

/// One behaviour: what Linux did, what the simulation did, and whether that is within tolerance.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Row {
    /// The experiment (a test in `sim/tests/conformance.rs`) the behaviour belongs to.
    pub experiment: String,
    /// What was compared.
    pub behaviour: String,
    /// What the kernel did.
    pub linux: String,
    /// What the simulation did.
    pub sim: String,
    /// How close counts as the same.
    pub tolerance: String,
    /// Within tolerance.
    pub matches: bool,
    /// The section of docs/fidelity.md that explains it; may be empty.
    #[serde(default)]
    pub section: String,
}

/// Reads a report, or says in a sentence why it cannot.
pub fn parse(text: &str) -> Result<Report, String> {
    serde_json::from_str(text).map_err(|e| format!("conformance/report.json could not be read: {e}."))
}

/// The rows grouped by experiment, experiments in the order they first appear.
pub fn by_experiment(rows: &[Row]) -> Vec<(&str, Vec<&Row>)> {
    let mut groups: Vec<(&str, Vec<&Row>)> = Vec::new();
    for row in rows {
        match groups.iter_mut().find(|(name, _)| *name == row.experiment) {
            Some((_, members)) => members.push(row),
            None => groups.push((&row.experiment, vec![row])),
        }
    }
    groups
}

/// "handshake_exchange" as "handshake exchange".
fn experiment_name(id: &str) -> String {
    id.replace(['_', '-'], " ")
}

/// The "How faithful is this?" page.
#[component]
pub fn FidelityPage() -> Html {
    let body = match parse(REPORT) {
        Ok(report) => report_view(&report),
        Err(why) => html! {
            <div class="ww-error" role="alert">
                <p>{ "The comparison with Linux is missing from this build." }</p>
                <p>{ why }</p>
            </div>
        },
    };
    html! {
        <article class="ww-fidelity">
            <nav aria-label="Breadcrumb" class="ww-breadcrumb">
                <ol><li><a href={Route::Home.href()}>{ "Course" }</a></li><li aria-current="page">{ "How faithful is this?" }</li></ol>
            </nav>
            <h1>{ "How faithful is this?" }</h1>
            { body }
            <h2>{ "What the simulation simplifies" }</h2>
            <ul>
                <li>{ "Time: each host has one jiffies clock, and timers are rounded by a simple model of the kernel's timer wheel, \
                      so a long timer can fire a few milliseconds away from where Linux fired it." }</li>
                <li>{ "One CPU per host and no softirq or scheduler delays; no TSO, GSO or GRO, so every segment is at most one MSS." }</li>
                <li>{ "The IPv4 identification comes from one counter per host; ICMP errors are not rate-limited; ARP entries do not age during a run." }</li>
                <li>{ "Initial sequence numbers are seeded random numbers rather than Linux's keyed hash plus clock." }</li>
                <li>{ "Loss recovery leaves out the undoing of spurious reductions (DSACK, F-RTO) and adaptive reordering." }</li>
            </ul>
            <p>
                { "Each rule names its source (kernel function or RFC section) in the simulation's code; the measured Linux facts behind the \
                  numbers, and the experiments they come from, are in " }
                <code>{ "docs/fidelity.md" }</code>{ " in the course's repository." }
            </p>
            <h2>{ "Recording it again" }</h2>
            <p>
                { "On a Linux machine, " }<code>{ "sudo bash conformance/record.sh" }</code>
                { " runs every experiment against the kernel and stores what it saw under " }<code>{ "conformance/recorded/" }</code>
                { ". The conformance tests (" }<code>{ "sim/tests/conformance.rs" }</code>
                { ") then run the same experiments in the simulation, compare them within the tolerances above and write " }
                <code>{ "conformance/report.json" }</code>{ ", which this page is built from." }
            </p>
        </article>
    }
}

fn report_view(report: &Report) -> Html {
    let total = report.rows.len();
    let matching = report.rows.iter().filter(|r| r.matches).count();
    let jiffy = match report.hz {
        0 => String::new(),
        hz if 1000 % hz == 0 => format!(", so one jiffy is {} ms", 1000 / hz),
        hz => format!(", so one jiffy is {:.2} ms", 1000.0 / f64::from(hz)),
    };
    let intro = html! {
        <p class="ww-fidelity-lede">
            { format!(
                "Each experiment below ran twice: on Linux {} (HZ={}{jiffy}), recorded on {}, and in this course's simulation. \
                 The kernel ran in two network namespaces joined by a veth pair, with MTU 1500, segmentation and checksum offloads \
                 turned off and stock sysctls; the simulation ran the same scenario with its Linux defaults. Times may differ within \
                 the stated tolerance; bytes and flags must be identical. Where the two differ, the Tolerance column says why.",
                report.kernel,
                report.hz,
                // An ISO 8601 timestamp is shown as its date.
                report.recorded.get(..10).filter(|d| d.len() == 10 && report.recorded.as_bytes().get(10) == Some(&b'T')).unwrap_or(&report.recorded)
            ) }
        </p>
    };
    if total == 0 {
        return html! { <>{ intro }<p class="ww-error" role="alert">{ "The report lists no behaviours." }</p></> };
    }
    let summary = format!("{matching} of {total} behaviours match.");
    html! {
        <>
            { intro }
            <p class="ww-fidelity-summary" data-matching={matching.to_string()} data-total={total.to_string()}>
                <strong>{ summary }</strong>
            </p>
            <h2 id="ww-fidelity-table-title">{ format!("Linux {} and the simulation, behaviour by behaviour", report.kernel) }</h2>
            <div class="ww-table-wrap" tabindex="0" role="region" aria-label="Linux and the simulation compared (scrolls sideways)">
                <table class="ww-fidelity-table" aria-labelledby="ww-fidelity-table-title">
                    <thead><tr>
                        <th scope="col">{ "Behaviour" }</th>
                        <th scope="col">{ "Linux" }</th>
                        <th scope="col">{ "Simulation" }</th>
                        <th scope="col">{ "Tolerance" }</th>
                        <th scope="col">{ "Match" }</th>
                    </tr></thead>
                    { for by_experiment(&report.rows).into_iter().map(|(experiment, rows)| html! {
                        <tbody>
                            <tr class="ww-fidelity-group">
                                <th scope="rowgroup" colspan="5">{ experiment_name(experiment) }</th>
                            </tr>
                            { for rows.into_iter().map(row_view) }
                        </tbody>
                    }) }
                </table>
            </div>
        </>
    }
}

fn row_view(row: &Row) -> Html {
    let section = (!row.section.is_empty()).then(|| {
        html! { <small class="ww-fidelity-section">{ format!("docs/fidelity.md §{}", row.section) }</small> }
    });
    html! {
        <tr class={classes!("ww-fidelity-row", if row.matches { "ww-fidelity-matches" } else { "ww-fidelity-differs" })}>
            <th scope="row">{ row.behaviour.clone() }{ section }</th>
            <td class="ww-fidelity-value">{ row.linux.clone() }</td>
            <td class="ww-fidelity-value">{ row.sim.clone() }</td>
            <td>{ row.tolerance.clone() }</td>
            <td class="ww-fidelity-match">
                <span aria-hidden="true">{ if row.matches { "✓ " } else { "✗ " } }</span>
                { if row.matches { "matches" } else { "differs" } }
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_report_parses() {
        let report = parse(REPORT).expect("conformance/report.json parses");
        assert!(report.hz > 0);
    }

    #[test]
    fn a_malformed_report_is_a_message() {
        for bad in
            ["", "{", "[]", "{\"kernel\": 6}", "{\"kernel\":\"6.18\",\"hz\":250,\"recorded\":\"x\",\"rows\":[{}]}"]
        {
            let why = parse(bad).unwrap_err();
            assert!(why.starts_with("conformance/report.json could not be read"), "{why}");
        }
    }

    #[test]
    fn rows_group_by_experiment_in_first_seen_order() {
        let row = |e: &str, b: &str| Row {
            experiment: e.into(),
            behaviour: b.into(),
            linux: String::new(),
            sim: String::new(),
            tolerance: "exact".into(),
            matches: true,
            section: String::new(),
        };
        let rows = [row("b", "1"), row("a", "2"), row("b", "3")];
        let groups = by_experiment(&rows);
        let names: Vec<_> =
            groups.iter().map(|(n, rs)| (*n, rs.iter().map(|r| r.behaviour.as_str()).collect::<Vec<_>>())).collect();
        assert_eq!(names, vec![("b", vec!["1", "3"]), ("a", vec!["2"])]);
    }

    #[test]
    fn section_may_be_missing() {
        let r = parse(r#"{"kernel":"6.18.44","hz":250,"recorded":"d","rows":[{"experiment":"e","behaviour":"b","linux":"l","sim":"s","tolerance":"exact","matches":false}]}"#)
            .unwrap();
        assert_eq!(r.rows[0].section, "");
    }
}
