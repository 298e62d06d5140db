//! Declared parameters: what a preset or a figure can be told, with type, range, default and
//! label. Lesson blocks, URL queries and `--set key=value` on the command line all go through
//! [`ParamSpec::parse`], so a value is checked the same way everywhere and never panics.

use crate::text::clip;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// The type and range of one parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ParamKind {
    /// A number in `min..=max`, moved in steps of `step`; `unit` is shown after it.
    Number { min: f64, max: f64, step: f64, unit: &'static str },
    /// On or off.
    Bool,
    /// One of a fixed set of words.
    Choice { options: &'static [&'static str] },
    /// Free text of at most `max_len` characters on one line (control characters are
    /// refused; a URL's text that is too long is cut to the limit).
    Text { max_len: usize },
}

/// A declared parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamSpec {
    /// The key in URLs, lesson blocks and `--set`.
    pub name: &'static str,
    /// What a learner reads next to the control.
    pub label: &'static str,
    /// Type and range.
    pub kind: ParamKind,
    /// The value when none is given.
    pub default: ParamValue,
    /// One sentence on what it changes.
    pub help: &'static str,
}

/// A parameter's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A number.
    Number(f64),
    /// A flag.
    Bool(bool),
    /// A word from a choice.
    Choice(Cow<'static, str>),
    /// Free text.
    Text(Cow<'static, str>),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    write!(f, "{}", *n as i64)
                } else {
                    write!(f, "{n}")
                }
            }
            ParamValue::Bool(b) => write!(f, "{}", if *b { "on" } else { "off" }),
            ParamValue::Choice(s) | ParamValue::Text(s) => f.write_str(s),
        }
    }
}

/// What went wrong with a given value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ParamError {
    /// No parameter of that name.
    Unknown { name: String, known: Vec<&'static str> },
    /// The text is not a value of the parameter's type.
    Invalid { name: &'static str, value: String, expected: String },
    /// A number outside the declared range (carries the clamped value's text).
    OutOfRange { name: &'static str, value: String, min: String, max: String },
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Values and unknown names come from a URL or a command line: echo them clipped.
            ParamError::Unknown { name, known } => {
                write!(f, "unknown parameter '{}' (known: {})", clip(name), known.join(", "))
            }
            ParamError::Invalid { name, value, expected } => {
                write!(f, "'{}' is not a valid {name}: expected {expected}", clip(value))
            }
            ParamError::OutOfRange { name, value, min, max } => {
                write!(f, "{name}={} is outside {min}..{max}", clip(value))
            }
        }
    }
}

impl std::error::Error for ParamError {}

impl ParamSpec {
    /// Parse `text` strictly: the wrong type or a number out of range is an error.
    pub fn parse(&self, text: &str) -> Result<ParamValue, ParamError> {
        let raw_text = text;
        let text = text.trim();
        match &self.kind {
            ParamKind::Number { min, max, .. } => {
                let n: f64 = text.parse().ok().filter(|n: &f64| n.is_finite()).ok_or_else(|| ParamError::Invalid {
                    name: self.name,
                    value: text.to_string(),
                    expected: format!("a number from {} to {}", fmt_num(*min), fmt_num(*max)),
                })?;
                if n < *min || n > *max {
                    return Err(ParamError::OutOfRange {
                        name: self.name,
                        value: text.to_string(),
                        min: fmt_num(*min),
                        max: fmt_num(*max),
                    });
                }
                Ok(ParamValue::Number(n))
            }
            ParamKind::Bool => match text {
                "1" | "true" | "on" | "yes" => Ok(ParamValue::Bool(true)),
                "0" | "false" | "off" | "no" => Ok(ParamValue::Bool(false)),
                _ => {
                    Err(ParamError::Invalid { name: self.name, value: text.to_string(), expected: "on or off".into() })
                }
            },
            ParamKind::Text { max_len } => {
                let raw = if text.is_empty() { text } else { raw_text };
                if raw.chars().any(char::is_control) {
                    return Err(ParamError::Invalid {
                        name: self.name,
                        value: raw.chars().filter(|c| !c.is_control()).collect(),
                        expected: "text on one line".into(),
                    });
                }
                if raw.chars().count() > *max_len {
                    return Err(ParamError::OutOfRange {
                        name: self.name,
                        value: raw.chars().take(40).collect(),
                        min: "0".into(),
                        max: format!("{max_len} characters"),
                    });
                }
                Ok(ParamValue::Text(Cow::Owned(raw.to_string())))
            }
            ParamKind::Choice { options } => {
                options.iter().find(|o| **o == text).map(|o| ParamValue::Choice(Cow::Borrowed(*o))).ok_or_else(|| {
                    ParamError::Invalid {
                        name: self.name,
                        value: text.to_string(),
                        expected: format!("one of {}", options.join(", ")),
                    }
                })
            }
        }
    }

    /// Parse leniently, as a URL does: a number out of range is clamped into it and the
    /// error is returned beside the value so the page can say what it changed; any other
    /// error falls back to the default.
    pub fn parse_lenient(&self, text: &str) -> (ParamValue, Option<ParamError>) {
        match self.parse(text) {
            Ok(v) => (v, None),
            Err(e @ ParamError::OutOfRange { .. }) if matches!(self.kind, ParamKind::Text { .. }) => {
                (self.clamp(ParamValue::Text(Cow::Owned(text.to_string()))), Some(e))
            }
            Err(e @ ParamError::OutOfRange { .. }) => {
                let n: f64 = text.trim().parse().unwrap_or(0.0);
                (self.clamp(ParamValue::Number(n)), Some(e))
            }
            Err(e) => (self.default.clone(), Some(e)),
        }
    }

    /// Force a value into this parameter's type and range.
    pub fn clamp(&self, v: ParamValue) -> ParamValue {
        match (&self.kind, v) {
            (ParamKind::Number { min, max, .. }, ParamValue::Number(n)) if n.is_finite() => {
                ParamValue::Number(n.clamp(*min, *max))
            }
            (ParamKind::Bool, v @ ParamValue::Bool(_)) => v,
            (ParamKind::Choice { options }, ParamValue::Choice(c)) if options.contains(&c.as_ref()) => {
                ParamValue::Choice(c)
            }
            (ParamKind::Text { max_len }, ParamValue::Text(t)) => {
                let clean: String = t.chars().filter(|c| !c.is_control()).take(*max_len).collect();
                ParamValue::Text(Cow::Owned(clean))
            }
            _ => self.default.clone(),
        }
    }
}

fn fmt_num(n: f64) -> String {
    ParamValue::Number(n).to_string()
}

/// A full set of values for a list of specs: every declared name has a value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ParamSet {
    values: BTreeMap<String, ParamValue>,
}

impl ParamSet {
    /// Every parameter at its default.
    pub fn defaults(specs: &[ParamSpec]) -> Self {
        ParamSet { values: specs.iter().map(|s| (s.name.to_string(), s.default.clone())).collect() }
    }

    /// Apply `name=value` pairs strictly (the command line, lesson blocks).
    pub fn apply_strict<'a>(
        specs: &[ParamSpec],
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, ParamError> {
        let mut set = Self::defaults(specs);
        for (k, v) in pairs {
            let spec = find(specs, k)?;
            set.values.insert(spec.name.to_string(), spec.parse(v)?);
        }
        Ok(set)
    }

    /// Apply `name=value` pairs leniently (URLs): returns the set and every problem found.
    pub fn apply_lenient<'a>(
        specs: &[ParamSpec],
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (Self, Vec<ParamError>) {
        let mut set = Self::defaults(specs);
        let mut errors = vec![];
        for (k, v) in pairs {
            match find(specs, k) {
                Ok(spec) => {
                    let (val, err) = spec.parse_lenient(v);
                    set.values.insert(spec.name.to_string(), val);
                    errors.extend(err);
                }
                Err(e) => errors.push(e),
            }
        }
        (set, errors)
    }

    /// Set one value, clamped to its spec. Unknown names are ignored.
    pub fn set(&mut self, specs: &[ParamSpec], name: &str, v: ParamValue) {
        if let Ok(spec) = find(specs, name) {
            self.values.insert(spec.name.to_string(), spec.clamp(v));
        }
    }

    /// A number parameter (0 if missing or not a number).
    pub fn num(&self, name: &str) -> f64 {
        match self.values.get(name) {
            Some(ParamValue::Number(n)) => *n,
            _ => 0.0,
        }
    }

    /// A flag parameter (false if missing).
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.values.get(name), Some(ParamValue::Bool(true)))
    }

    /// A choice parameter ("" if missing).
    pub fn choice(&self, name: &str) -> &str {
        match self.values.get(name) {
            Some(ParamValue::Choice(c)) => c,
            _ => "",
        }
    }

    /// A text parameter ("" if missing).
    pub fn text(&self, name: &str) -> &str {
        match self.values.get(name) {
            Some(ParamValue::Text(t)) => t,
            _ => "",
        }
    }

    /// The raw value.
    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.values.get(name)
    }

    /// The values that differ from their defaults, in spec order, as `name=value` pairs:
    /// what a URL or a `--set` list needs to reproduce this set.
    pub fn non_default_pairs(&self, specs: &[ParamSpec]) -> Vec<(String, String)> {
        specs
            .iter()
            .filter_map(|s| {
                let v = self.values.get(s.name)?;
                (v != &s.default).then(|| (s.name.to_string(), v.to_string()))
            })
            .collect()
    }
}

fn find<'s>(specs: &'s [ParamSpec], name: &str) -> Result<&'s ParamSpec, ParamError> {
    specs
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| ParamError::Unknown { name: name.to_string(), known: specs.iter().map(|s| s.name).collect() })
}

/// Shorthand for a number spec.
#[allow(clippy::too_many_arguments)]
pub const fn number(
    name: &'static str,
    label: &'static str,
    min: f64,
    max: f64,
    step: f64,
    unit: &'static str,
    default: f64,
    help: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        label,
        kind: ParamKind::Number { min, max, step, unit },
        default: ParamValue::Number(default),
        help,
    }
}

/// A free-text parameter of at most `max_len` characters.
pub const fn text(
    name: &'static str,
    label: &'static str,
    max_len: usize,
    default: &'static str,
    help: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        label,
        kind: ParamKind::Text { max_len },
        default: ParamValue::Text(Cow::Borrowed(default)),
        help,
    }
}

/// Shorthand for a choice spec; the first option is the default.
pub const fn choice(
    name: &'static str,
    label: &'static str,
    options: &'static [&'static str],
    default: &'static str,
    help: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        label,
        kind: ParamKind::Choice { options },
        default: ParamValue::Choice(Cow::Borrowed(default)),
        help,
    }
}

/// Shorthand for a flag spec.
pub const fn flag(name: &'static str, label: &'static str, default: bool, help: &'static str) -> ParamSpec {
    ParamSpec { name, label, kind: ParamKind::Bool, default: ParamValue::Bool(default), help }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> Vec<ParamSpec> {
        vec![
            number("rtt", "Round-trip time", 0.1, 300.0, 0.1, "ms", 50.0, "path RTT"),
            flag("nodelay", "TCP_NODELAY", false, "disable Nagle"),
        ]
    }

    #[test]
    fn strict_rejects_out_of_range_and_garbage() {
        let s = specs();
        assert!(matches!(s[0].parse("301"), Err(ParamError::OutOfRange { .. })));
        assert!(matches!(s[0].parse("NaN"), Err(ParamError::Invalid { .. })));
        assert!(matches!(s[0].parse("inf"), Err(ParamError::Invalid { .. })));
        assert!(matches!(s[1].parse("maybe"), Err(ParamError::Invalid { .. })));
        assert_eq!(s[0].parse(" 80 "), Ok(ParamValue::Number(80.0)));
    }

    #[test]
    fn lenient_clamps_and_reports() {
        let (set, errs) = ParamSet::apply_lenient(&specs(), [("rtt", "99999"), ("bogus", "1"), ("nodelay", "x")]);
        assert_eq!(set.num("rtt"), 300.0);
        assert!(!set.flag("nodelay"));
        assert_eq!(errs.len(), 3);
    }

    #[test]
    fn non_default_pairs_round_trip() {
        let s = specs();
        let set = ParamSet::apply_strict(&s, [("rtt", "12.5"), ("nodelay", "on")]).unwrap();
        let pairs = set.non_default_pairs(&s);
        assert_eq!(pairs, vec![("rtt".into(), "12.5".into()), ("nodelay".into(), "on".into())]);
        let back = ParamSet::apply_strict(&s, pairs.iter().map(|(a, b)| (a.as_str(), b.as_str()))).unwrap();
        assert_eq!(back, set);
    }
}

#[cfg(test)]
mod text_tests {
    use super::*;

    const T: ParamSpec = text("path", "Path", 10, "/a", "The path");

    #[test]
    fn text_is_kept_as_typed_and_bounded() {
        assert_eq!(T.parse("/api/x").unwrap(), ParamValue::Text(Cow::Owned("/api/x".into())));
        assert!(matches!(T.parse("/0123456789x"), Err(ParamError::OutOfRange { .. })));
        assert!(matches!(T.parse("a\r\nb"), Err(ParamError::Invalid { .. })));
        // A URL's over-long text is cut to the limit and reported.
        let (v, e) = T.parse_lenient("/0123456789xyz");
        assert_eq!(v.to_string(), "/012345678");
        assert!(e.is_some());
        // Control characters never get in, whatever the route.
        let (v, e) = T.parse_lenient("a\nb");
        assert_eq!(v, T.default);
        assert!(e.is_some());
        let mut set = ParamSet::defaults(&[T]);
        set.set(&[T], "path", ParamValue::Text(Cow::Owned("x\ty".into())));
        assert_eq!(set.text("path"), "xy");
    }
}
