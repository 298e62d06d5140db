//! How times and sizes read on screen.

/// A duration in nanoseconds, in the unit that reads best, three significant digits:
/// `100 ns`, `20 µs`, `50.2 ms`, `1.25 s`.
pub fn duration(ns: u64) -> String {
    let (value, unit) = if ns >= 1_000_000_000 {
        (ns as f64 / 1e9, "s")
    } else if ns >= 1_000_000 {
        (ns as f64 / 1e6, "ms")
    } else if ns >= 1_000 {
        (ns as f64 / 1e3, "µs")
    } else if ns == 0 {
        // A zero reads as the start of the clock, not as a nanosecond measurement.
        return "0 s".into();
    } else {
        return format!("{ns} ns");
    };
    format!("{} {unit}", significant(value, 3))
}

/// `value` with `digits` significant digits, without trailing zeros.
pub fn significant(value: f64, digits: i32) -> String {
    if value == 0.0 || !value.is_finite() {
        return "0".into();
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    let s = format!("{value:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A count with thousands separators: `1,000,000`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number parameter's value with its unit, as a control's readout shows it.
pub fn with_unit(value: f64, unit: &str) -> String {
    let v = if value >= 1000.0 && value.fract() == 0.0 { thousands(value as u64) } else { significant(value, 3) };
    if unit.is_empty() {
        v
    } else {
        format!("{v} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pick_a_unit() {
        assert_eq!(duration(100), "100 ns");
        assert_eq!(duration(0), "0 s");
        assert_eq!(duration(20_000), "20 µs");
        assert_eq!(duration(50_240_000), "50.2 ms");
        assert_eq!(duration(1_250_000_000), "1.25 s");
        assert_eq!(duration(100_000_000), "100 ms");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(with_unit(2000.0, "bytes"), "2,000 bytes");
        assert_eq!(with_unit(0.02, "ms"), "0.02 ms");
        assert_eq!(significant(0.0, 3), "0");
    }
}
