//! `metav1.Duration`: Go's `time.ParseDuration` and `time.Duration.String`, so a
//! duration written `20m` is stored as Go writes it back, `20m0s`.

/// Nanoseconds in a Go duration text; errors are worded as Go's.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", go_quote(text));
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let first = rest.as_bytes()[0];
        if !(first == b'.' || first.is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let whole: u64 = if int_len == 0 {
            0
        } else {
            rest[..int_len].parse().map_err(|_| invalid())?
        };
        rest = &rest[int_len..];
        let mut fraction: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut frac_len = 0;
        if let Some(after) = rest.strip_prefix('.') {
            frac_len = after.bytes().take_while(u8::is_ascii_digit).count();
            for digit in after[..frac_len].bytes() {
                // Digits beyond what fits are ignored, as Go does.
                if fraction < u64::MAX / 100 {
                    fraction = fraction * 10 + u64::from(digit - b'0');
                    scale *= 10.0;
                }
            }
            rest = &after[frac_len..];
        }
        if int_len == 0 && frac_len == 0 {
            return Err(invalid());
        }
        let unit_len = rest
            .bytes()
            .take_while(|b| *b != b'.' && !b.is_ascii_digit())
            .count();
        let unit = &rest[..unit_len];
        if unit.is_empty() {
            return Err(format!("time: missing unit in duration {}", go_quote(text)));
        }
        let unit_nanos: u64 = match unit {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    go_quote(unit),
                    go_quote(text)
                ))
            }
        };
        rest = &rest[unit_len..];
        let mut value = whole.checked_mul(unit_nanos).ok_or_else(invalid)?;
        if fraction > 0 {
            value = value
                .checked_add((fraction as f64 * (unit_nanos as f64 / scale)) as u64)
                .ok_or_else(invalid)?;
        }
        total = total.checked_add(value).ok_or_else(invalid)?;
    }
    let limit = if negative {
        1u64 << 63
    } else {
        (1u64 << 63) - 1
    };
    if total > limit {
        return Err(invalid());
    }
    Ok(if negative {
        (total as i64).wrapping_neg()
    } else {
        total as i64
    })
}

/// Go's `time.Duration.String`: `20m0s`, `1h0m0s`, `1.5s`, `500ms`, `0s`.
pub fn format_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let u = nanos.unsigned_abs();
    let mut text = if u < 1_000_000_000 {
        let (divisor, digits, unit) = match u {
            0..1_000 => (1, 0, "ns"),
            1_000..1_000_000 => (1_000, 3, "\u{b5}s"),
            _ => (1_000_000, 6, "ms"),
        };
        format!("{}{unit}", decimal(u / divisor, u % divisor, digits))
    } else {
        let seconds = u / 1_000_000_000;
        let mut text = format!("{}s", decimal(seconds % 60, u % 1_000_000_000, 9));
        let minutes = seconds / 60;
        if minutes > 0 {
            text = format!("{}m{text}", minutes % 60);
            let hours = minutes / 60;
            if hours > 0 {
                text = format!("{hours}h{text}");
            }
        }
        text
    };
    if nanos < 0 {
        text.insert(0, '-');
    }
    text
}

/// `whole.fraction` with the fraction's trailing zeros (and a bare dot) dropped.
fn decimal(whole: u64, fraction: u64, digits: usize) -> String {
    if digits == 0 || fraction == 0 {
        return whole.to_string();
    }
    let fraction = format!("{fraction:0digits$}");
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

/// A quoted text as Go's `strconv.Quote` writes the short texts of duration errors.
fn go_quote(text: &str) -> String {
    format!("{text:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_writes_durations_back_in_its_own_form() {
        for (text, go) in [
            ("20m", "20m0s"),
            ("1h", "1h0m0s"),
            ("90s", "1m30s"),
            ("1.5s", "1.5s"),
            ("500ms", "500ms"),
            ("1500us", "1.5ms"),
            ("0", "0s"),
            ("-2m3s", "-2m3s"),
            ("1h30m0.25s", "1h30m0.25s"),
            ("10ns", "10ns"),
            ("2µs", "2µs"),
        ] {
            assert_eq!(format_duration(parse_duration(text).unwrap()), go, "{text}");
        }
    }

    #[test]
    fn parse_errors_are_worded_as_go_words_them() {
        assert_eq!(
            parse_duration("").unwrap_err(),
            "time: invalid duration \"\""
        );
        assert_eq!(
            parse_duration("20").unwrap_err(),
            "time: missing unit in duration \"20\""
        );
        assert_eq!(
            parse_duration("20x").unwrap_err(),
            "time: unknown unit \"x\" in duration \"20x\""
        );
        assert_eq!(
            parse_duration("m").unwrap_err(),
            "time: invalid duration \"m\""
        );
    }
}
