//! Sequence-number arithmetic modulo 2³² (RFC 9293 §3.4: "all arithmetic dealing with
//! sequence numbers must be performed modulo 2**32"). Comparisons look at the signed distance,
//! like Linux's `before()`/`after()` in include/net/tcp.h, so they are correct across the wrap
//! as long as the two numbers are less than 2³¹ apart.

/// `a < b` in sequence space (Linux `before(a, b)`).
#[inline]
pub fn lt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

/// `a <= b` in sequence space.
#[inline]
pub fn le(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) <= 0
}

/// `a > b` in sequence space (Linux `after(a, b)`).
#[inline]
pub fn gt(a: u32, b: u32) -> bool {
    lt(b, a)
}

/// `a >= b` in sequence space.
#[inline]
pub fn ge(a: u32, b: u32) -> bool {
    le(b, a)
}

/// `lo <= x <= hi` in sequence space (Linux `between(x, lo, hi)`).
#[inline]
pub fn between(x: u32, lo: u32, hi: u32) -> bool {
    hi.wrapping_sub(lo) >= x.wrapping_sub(lo)
}

/// The later of two sequence numbers.
#[inline]
pub fn max(a: u32, b: u32) -> u32 {
    if gt(a, b) {
        a
    } else {
        b
    }
}

/// The earlier of two sequence numbers.
#[inline]
pub fn min(a: u32, b: u32) -> u32 {
    if lt(a, b) {
        a
    } else {
        b
    }
}

/// `b - a` as a count, zero when `b` is before `a`.
#[inline]
pub fn dist(a: u32, b: u32) -> u32 {
    if lt(b, a) {
        0
    } else {
        b.wrapping_sub(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_survive_the_wrap() {
        let a = u32::MAX - 5;
        let b = a.wrapping_add(10);
        assert!(lt(a, b) && le(a, b) && gt(b, a) && ge(b, a));
        assert!(!lt(a, a) && le(a, a));
        assert!(between(u32::MAX, a, b));
        assert!(between(2, a, b));
        assert!(!between(5, a, b));
        assert_eq!(dist(a, b), 10);
        assert_eq!(dist(b, a), 0);
        assert_eq!(max(a, b), b);
        assert_eq!(min(a, b), a);
    }
}
