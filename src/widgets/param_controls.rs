//! Controls generated from parameter specs: a labelled slider with its value and unit for a
//! number (logarithmic when the range spans three decades or more), a checkbox for a flag, a
//! select for a choice.

use crate::widgets::format;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use wirewise_sim::params::{ParamKind, ParamSet, ParamSpec, ParamValue};
use yew::prelude::*;

/// Param controls properties.
#[derive(Properties, PartialEq)]
pub struct ParamControlsProps {
    /// What to show controls for.
    pub specs: &'static [ParamSpec],
    /// Current values.
    pub values: ParamSet,
    /// Called with a parameter's new value.
    pub on_change: Callback<(&'static str, ParamValue)>,
    /// A prefix for element ids, unique in the page.
    pub id: AttrValue,
    /// Names of parameters whose controls are left out (they do nothing with these values).
    #[prop_or_default]
    pub hidden: &'static [&'static str],
}

/// Slider positions for a logarithmic range.
const LOG_STEPS: f64 = 1000.0;

/// Whether a number range is shown on a logarithmic slider.
pub fn is_log(min: f64, max: f64) -> bool {
    min > 0.0 && max / min >= 1000.0
}

/// The value at slider position `p` (0..=LOG_STEPS), rounded to three significant digits (finer
/// than one slider step, about 1%, so the arrow keys always move it) and to
/// the spec's step, inside the range.
pub fn log_value(p: f64, min: f64, max: f64, step: f64) -> f64 {
    let raw = min * (max / min).powf((p / LOG_STEPS).clamp(0.0, 1.0));
    let magnitude = 10f64.powf(raw.log10().floor() - 2.0);
    let rounded = (raw / magnitude).round() * magnitude;
    let stepped = if step > 0.0 { (rounded / step).round() * step } else { rounded };
    // Clean binary noise such as 0.30000000000000004.
    let clean: f64 = format!("{stepped:.6}").parse().unwrap_or(stepped);
    clean.clamp(min, max)
}

/// The value for slider position `p` when the control currently holds `current`: if rounding
/// would give `current` back although the slider moved, keep going in the same direction to
/// the next distinct value, so the arrow keys never get stuck.
pub fn log_value_from(p: f64, current: f64, min: f64, max: f64, step: f64) -> f64 {
    let from = log_position(current, min, max);
    let dir = if p > from {
        1.0
    } else if p < from {
        -1.0
    } else {
        return current;
    };
    let mut q = p;
    loop {
        let v = log_value(q, min, max, step);
        if v != current || q <= 0.0 || q >= LOG_STEPS {
            return v;
        }
        q += dir;
    }
}

/// The slider position of value `v`.
pub fn log_position(v: f64, min: f64, max: f64) -> f64 {
    ((v.max(min) / min).ln() / (max / min).ln() * LOG_STEPS).round()
}

/// The controls.
#[component]
pub fn ParamControls(props: &ParamControlsProps) -> Html {
    let controls = props.specs.iter().filter(|s| !props.hidden.contains(&s.name)).map(|spec| {
        let id = format!("{}-{}", props.id, spec.name);
        let help_id = format!("{id}-help");
        let name = spec.name;
        let control = match &spec.kind {
            ParamKind::Number { min, max, step, unit } => {
                let (min, max, step) = (*min, *max, *step);
                let v = props.values.num(name);
                let log = is_log(min, max);
                let on_change = props.on_change.clone();
                let oninput = Callback::from(move |e: InputEvent| {
                    if let Some(input) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) {
                        if let Ok(p) = input.value().parse::<f64>() {
                            let value = if log { log_value_from(p, v, min, max, step) } else { p };
                            on_change.emit((name, ParamValue::Number(value)));
                        }
                    }
                });
                let readout = format::with_unit(v, unit);
                let (rmin, rmax, rstep, rvalue) = if log {
                    ("0".to_string(), LOG_STEPS.to_string(), "1".to_string(), log_position(v, min, max).to_string())
                } else {
                    (min.to_string(), max.to_string(), step.to_string(), v.to_string())
                };
                html! {
                    <>
                        <label for={id.clone()}>{ spec.label }</label>
                        <input type="range" id={id.clone()} data-param={name} data-value={ParamValue::Number(v).to_string()} min={rmin} max={rmax} step={rstep} value={rvalue}
                            aria-valuetext={readout.clone()} aria-describedby={help_id.clone()} {oninput} />
                        <output for={id.clone()} class="ww-param-value">{ readout }</output>
                    </>
                }
            }
            ParamKind::Bool => {
                let on_change = props.on_change.clone();
                let onchange = Callback::from(move |e: Event| {
                    if let Some(input) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) {
                        on_change.emit((name, ParamValue::Bool(input.checked())));
                    }
                });
                html! {
                    <label class="ww-param-check" for={id.clone()}>
                        <input type="checkbox" id={id.clone()} data-param={name} checked={props.values.flag(name)}
                            aria-describedby={help_id.clone()} {onchange} />
                        { spec.label }
                    </label>
                }
            }
            ParamKind::Text { max_len } => {
                let on_change = props.on_change.clone();
                // Applied when the learner leaves the box or presses Enter, not per keystroke,
                // so a half-typed path does not re-run the simulation.
                let onchange = Callback::from(move |e: Event| {
                    if let Some(input) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) {
                        on_change.emit((name, ParamValue::Text(input.value().into())));
                    }
                });
                html! {
                    <>
                        <label for={id.clone()}>{ spec.label }</label>
                        <input type="text" id={id.clone()} data-param={name} value={props.values.text(name).to_string()}
                            maxlength={max_len.to_string()} spellcheck="false" autocomplete="off"
                            aria-describedby={help_id.clone()} {onchange} />
                    </>
                }
            }
            ParamKind::Choice { options } => {
                let on_change = props.on_change.clone();
                let onchange = Callback::from(move |e: Event| {
                    if let Some(select) = e.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()) {
                        on_change.emit((name, ParamValue::Choice(select.value().into())));
                    }
                });
                let current = props.values.choice(name).to_string();
                html! {
                    <>
                        <label for={id.clone()}>{ spec.label }</label>
                        <select id={id.clone()} data-param={name} aria-describedby={help_id.clone()} {onchange}>
                            { for options.iter().map(|o| html! { <option value={*o} selected={*o == current}>{ *o }</option> }) }
                        </select>
                    </>
                }
            }
        };
        html! {
            <div class="ww-param" key={spec.name}>
                { control }
                <p class="ww-param-help" id={help_id}>{ spec.help }</p>
            </div>
        }
    });
    html! {
        <div class="ww-params" role="group" aria-label="Parameters">{ for controls }</div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_sliders_round_to_readable_values() {
        assert!(is_log(0.02, 500.0));
        assert!(!is_log(1.0, 500.0));
        assert_eq!(log_value(0.0, 0.02, 500.0, 0.01), 0.02);
        assert_eq!(log_value(1000.0, 0.02, 500.0, 0.01), 500.0);
        let mid = log_value(500.0, 1.0, 1_000_000.0, 1.0);
        assert_eq!(mid, 1000.0);
        let p = log_position(50.0, 0.02, 500.0);
        let back = log_value(p, 0.02, 500.0, 0.01);
        assert!((back - 50.0).abs() / 50.0 < 0.05, "{back}");
    }
}

#[cfg(test)]
mod log_slider_tests {
    use super::*;

    #[test]
    fn every_step_from_any_value_moves_it() {
        let (min, max, step) = (0.02, 500.0, 0.01);
        for p in 0..LOG_STEPS as u32 {
            let v = log_value(p as f64, min, max, step);
            let up = log_value_from(log_position(v, min, max) + 1.0, v, min, max, step);
            assert!(up > v || v >= max, "stuck at {v} (position {p})");
            let down = log_value_from(log_position(v, min, max) - 1.0, v, min, max, step);
            assert!(down < v || v <= min, "stuck going down at {v}");
        }
    }
}
