//! A time-series chart: step series over a run's time, horizontal reference lines, event
//! markers along the top, a cursor at the timeline's position with the values there, a legend
//! and a text alternative. Built once per run ([`Chart::build`] turns each series into an SVG
//! path with one minimum/maximum pair per pixel column, so a 60 s run of tens of thousands of
//! points draws as fast as a short one) and drawn at every cursor position ([`Chart::view`]).

use crate::widgets::format;
use wirewise_sim::time::Instant;
use yew::prelude::*;

/// One step series: its value holds from each point until the next.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Its name in the legend and the readout.
    pub name: &'static str,
    /// A CSS class giving its colour and dash (`ww-tc-<something>`).
    pub class: &'static str,
    /// (time in ns, value) in time order; a `NaN` value leaves a gap (for example ssthresh while
    /// it is infinite).
    pub points: Vec<(u64, f64)>,
}

/// A horizontal reference line, such as the bandwidth-delay product.
#[derive(Debug, Clone, PartialEq)]
pub struct RefLine {
    /// What it is.
    pub label: String,
    /// Where.
    pub value: f64,
    /// A CSS class.
    pub class: &'static str,
}

/// An event marked along the top of the plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// When, in ns.
    pub t: u64,
    /// What happened.
    pub label: &'static str,
    /// A CSS class.
    pub class: &'static str,
}

const W: f64 = 720.0;
const H: f64 = 260.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 22.0;
const BOTTOM: f64 = 26.0;

/// A chart ready to draw at any cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    title: String,
    unit: &'static str,
    t_end: u64,
    y_max: f64,
    series: Vec<Series>,
    paths: Vec<String>,
    refs: Vec<RefLine>,
    marks: Vec<(f64, &'static str, &'static str, u64)>,
    summary: String,
}

fn nice_ceiling(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * p).find(|c| *c >= v).unwrap_or(10.0 * p)
}

fn x_of(t: u64, t_end: u64) -> f64 {
    LEFT + (t as f64 / t_end.max(1) as f64).clamp(0.0, 1.0) * (W - LEFT - RIGHT)
}

fn y_of(v: f64, y_max: f64) -> f64 {
    TOP + (1.0 - (v / y_max).clamp(0.0, 1.0)) * (H - TOP - BOTTOM)
}

/// The SVG path of a step series with one (min, max) pair per pixel column.
fn downsample(points: &[(u64, f64)], t_end: u64, y_max: f64) -> String {
    use std::fmt::Write;
    let cols = (W - LEFT - RIGHT) as usize;
    let col_of = |t: u64| ((t as f64 / t_end.max(1) as f64) * cols as f64).min(cols as f64 - 1.0).max(0.0) as usize;
    let mut d = String::new();
    let mut i = 0;
    let mut pen_down = false;
    let mut last: Option<f64> = None;
    while i < points.len() {
        let c = col_of(points[i].0);
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let mut end_v = f64::NAN;
        while i < points.len() && col_of(points[i].0) == c {
            let v = points[i].1;
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
            end_v = v;
            i += 1;
        }
        let x = LEFT + c as f64;
        if lo.is_finite() {
            if let (true, Some(prev)) = (pen_down, last) {
                let _ = write!(d, "L{x:.1} {:.1}", y_of(prev, y_max));
            } else {
                let first = last.filter(|v| v.is_finite()).unwrap_or(lo);
                let _ = write!(d, "M{x:.1} {:.1}", y_of(first, y_max));
            }
            let _ = write!(d, "L{x:.1} {:.1}L{x:.1} {:.1}", y_of(lo, y_max), y_of(hi, y_max));
            if end_v.is_finite() {
                let _ = write!(d, "L{x:.1} {:.1}", y_of(end_v, y_max));
            }
            pen_down = end_v.is_finite();
        } else {
            pen_down = false;
        }
        last = Some(end_v);
    }
    if let (true, Some(v)) = (pen_down, last) {
        let _ = write!(d, "L{:.1} {:.1}", W - RIGHT, y_of(v, y_max));
    }
    d
}

/// The value of a step series at `t`, by binary search.
fn value_at(points: &[(u64, f64)], t: u64) -> Option<f64> {
    let i = points.partition_point(|(x, _)| *x <= t);
    i.checked_sub(1).map(|i| points[i].1).filter(|v| v.is_finite())
}

impl Chart {
    /// Builds the chart of `series` over `[0, t_end]` ns, with values in `unit`.
    pub fn build(
        title: impl Into<String>,
        unit: &'static str,
        series: Vec<Series>,
        refs: Vec<RefLine>,
        markers: Vec<Marker>,
        t_end: u64,
        summary: String,
    ) -> Chart {
        let top = series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .chain(refs.iter().map(|r| r.value))
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max);
        let y_max = nice_ceiling(top * 1.05);
        let paths = series.iter().map(|s| downsample(&s.points, t_end, y_max)).collect();
        // One marker per pixel column and kind is enough to see; more would only cost.
        let mut marks: Vec<(f64, &'static str, &'static str, u64)> = Vec::new();
        for m in markers {
            let x = x_of(m.t, t_end).round();
            if !marks.iter().rev().take(8).any(|(mx, l, _, _)| *mx == x && *l == m.label) {
                marks.push((x, m.label, m.class, m.t));
            }
        }
        Chart { title: title.into(), unit, t_end, y_max, series, paths, refs, marks, summary }
    }

    /// The chart with the cursor at `t`.
    pub fn view(&self, t: Instant) -> Html {
        let y_step = nice_ceiling(self.y_max / 4.0);
        let y_ticks = (0..=((self.y_max / y_step).round() as u32)).map(|i| {
            let v = f64::from(i) * y_step;
            let y = y_of(v, self.y_max);
            html! {
                <g class="ww-tc-tick">
                    <line x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={format!("{y:.1}")} y2={format!("{y:.1}")} />
                    <text x={(LEFT - 4.0).to_string()} y={format!("{:.1}", y + 4.0)} text-anchor="end">{ format::significant(v, 3) }</text>
                </g>
            }
        });
        let t_step = crate::figures::state::nice_scale(self.t_end as f64 / 6.0).max(1);
        let t_ticks = (0..=(self.t_end / t_step)).map(|i| {
            let x = x_of(i * t_step, self.t_end);
            html! { <text class="ww-tc-ttick" x={format!("{x:.1}")} y={(H - 8.0).to_string()} text-anchor="middle">{ format::duration(i * t_step) }</text> }
        });
        let cx = x_of(t.0, self.t_end);
        let readout: Vec<String> = self
            .series
            .iter()
            .filter_map(|s| value_at(&s.points, t.0).map(|v| format!("{} {}", s.name, format::significant(v, 3))))
            .collect();
        html! {
            <div class="ww-tc">
                <p class="ww-tc-title">{ &self.title }<span class="ww-tc-unit">{ format!(" ({})", self.unit) }</span></p>
                <svg class="ww-tc-svg" viewBox={format!("0 0 {W} {H}")} role="img" aria-label={self.summary.clone()}>
                    { for y_ticks }
                    { for t_ticks }
                    { for self.refs.iter().map(|r| {
                        let y = y_of(r.value, self.y_max);
                        html! { <g class={classes!("ww-tc-ref", r.class)}>
                            <line x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={format!("{y:.1}")} y2={format!("{y:.1}")} />
                            <text x={(W - RIGHT - 4.0).to_string()} y={format!("{:.1}", y - 4.0)} text-anchor="end">{ r.label.clone() }</text>
                        </g> }
                    }) }
                    { for self.series.iter().zip(&self.paths).map(|(s, d)| html! {
                        <path class={classes!("ww-tc-line", s.class)} d={d.clone()} />
                    }) }
                    { for self.marks.iter().map(|(x, label, class, at)| html! {
                        <path class={classes!("ww-tc-mark", *class)} d={format!("M{x:.1} {} l-4 -8 h8 z", TOP - 2.0)}>
                            <title>{ format!("{label} at {}", format::duration(*at)) }</title>
                        </path>
                    }) }
                    <line class="ww-tc-cursor" x1={format!("{cx:.1}")} x2={format!("{cx:.1}")} y1={(TOP - 2.0).to_string()} y2={(H - BOTTOM).to_string()} />
                </svg>
                <ul class="ww-tc-legend">
                    { for self.series.iter().map(|s| html! { <li><span class={classes!("ww-tc-key", s.class)} aria-hidden="true"></span>{ s.name }</li> }) }
                    { for self.refs.iter().map(|r| html! { <li><span class={classes!("ww-tc-key", r.class)} aria-hidden="true"></span>{ r.label.clone() }</li> }) }
                    if !self.marks.is_empty() {
                        <li><span class="ww-tc-key ww-tc-key-mark" aria-hidden="true"></span>{ "▼ loss and recovery events (hover for details)" }</li>
                    }
                </ul>
                <p class="ww-tc-readout" aria-live="off">{ format!("At {}: {}", format::duration(t.0), readout.join(" · ")) }</p>
            </div>
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_are_round_numbers() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(41.0), 50.0);
        assert_eq!(nice_ceiling(180.0), 200.0);
        assert_eq!(nice_ceiling(2.2), 2.5);
    }

    #[test]
    fn downsampling_keeps_one_extreme_pair_per_column_and_every_peak() {
        // 100,000 points oscillating 0..100 over one second: far more than there are columns.
        let pts: Vec<(u64, f64)> = (0..100_000u64).map(|i| (i * 10_000, (i % 100) as f64)).collect();
        let d = downsample(&pts, 1_000_000_000, 100.0);
        let segments = d.matches('L').count();
        assert!(segments <= 4 * (W - LEFT - RIGHT) as usize + 2, "{segments}");
        // The peaks (100 → y = TOP) and troughs (0 → bottom) both survive.
        assert!(d.contains(&format!(" {:.1}", y_of(99.0, 100.0))));
        assert!(d.contains(&format!(" {:.1}", y_of(0.0, 100.0))));
    }

    #[test]
    fn gaps_and_values_at_the_cursor() {
        let pts = vec![(0, f64::NAN), (10, 5.0), (20, 7.0)];
        assert_eq!(value_at(&pts, 5), None);
        assert_eq!(value_at(&pts, 15), Some(5.0));
        assert_eq!(value_at(&pts, 25), Some(7.0));
        assert!(downsample(&pts, 30, 10.0).starts_with('M'));
    }
}
