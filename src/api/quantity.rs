//! Kubernetes resource quantities in the canonical form Go's `resource.Quantity`
//! encodes them (`"1000m"` → `"1"`, `"0.5"` → `"500m"`, `"2048Mi"` → `"2Gi"`).

/// How a quantity was written, which decides how it is written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// `Ki`, `Mi`, ... suffixes (powers of 1024).
    BinarySi,
    /// `m`, `k`, `M`, ... suffixes or none (powers of 1000).
    DecimalSi,
    /// `e<n>` / `E<n>` suffixes.
    DecimalExponent,
}

/// A parsed quantity: `unscaled × 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Quantity {
    unscaled: i128,
    scale: i32,
    format: Format,
}

/// Finest precision Go keeps: nano units (values are rounded up to them).
const MIN_SCALE: i32 = -9;

const DECIMAL_SUFFIXES: [(&str, i32); 10] = [
    ("n", -9),
    ("u", -6),
    ("m", -3),
    ("", 0),
    ("k", 3),
    ("M", 6),
    ("G", 9),
    ("T", 12),
    ("P", 15),
    ("E", 18),
];

const BINARY_SUFFIXES: [(&str, u32); 6] = [
    ("Ki", 1),
    ("Mi", 2),
    ("Gi", 3),
    ("Ti", 4),
    ("Pi", 5),
    ("Ei", 6),
];

/// The canonical text of a quantity, as Go re-encodes it after parsing; `None` when
/// the text is not a quantity (Go would reject it) or does not fit the arithmetic here.
pub fn canonical_quantity(text: &str) -> Option<String> {
    parse(text).and_then(|q| format(&q))
}

/// The canonical text, or the input unchanged when it cannot be parsed.
pub fn canonical_or_verbatim(text: &str) -> String {
    canonical_quantity(text).unwrap_or_else(|| text.to_string())
}

fn parse(text: &str) -> Option<Quantity> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let number_len = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(number_len);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
        return None;
    }
    let mut unscaled: i128 = 0;
    for digit in whole.bytes().chain(fraction.bytes()) {
        unscaled = unscaled
            .checked_mul(10)?
            .checked_add(i128::from(digit - b'0'))?;
    }
    let mut scale = -i32::try_from(fraction.len()).ok()?;
    let format = if let Some(&(_, power)) = BINARY_SUFFIXES.iter().find(|(s, _)| *s == suffix) {
        unscaled = unscaled.checked_mul(1024_i128.checked_pow(power)?)?;
        Format::BinarySi
    } else if let Some(&(_, exponent)) = DECIMAL_SUFFIXES.iter().find(|(s, _)| *s == suffix) {
        scale += exponent;
        Format::DecimalSi
    } else {
        let exponent = suffix.strip_prefix(['e', 'E'])?;
        let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        scale = scale.checked_add(exponent.parse::<i32>().ok()?)?;
        Format::DecimalExponent
    };
    if negative {
        unscaled = -unscaled;
    }
    let mut q = Quantity {
        unscaled,
        scale,
        format,
    };
    round_up_to_nanos(&mut q)?;
    Some(q)
}

/// Rounds away from zero to nano precision, as Go does when parsing.
fn round_up_to_nanos(q: &mut Quantity) -> Option<()> {
    if q.scale >= MIN_SCALE {
        return Some(());
    }
    let divisor = pow10(u32::try_from(MIN_SCALE - q.scale).ok()?)?;
    let (quotient, remainder) = (q.unscaled / divisor, q.unscaled % divisor);
    q.unscaled = quotient + remainder.signum();
    q.scale = MIN_SCALE;
    Some(())
}

fn pow10(exponent: u32) -> Option<i128> {
    10_i128.checked_pow(exponent)
}

fn format(q: &Quantity) -> Option<String> {
    if q.unscaled == 0 {
        return Some("0".to_string());
    }
    let mut format = q.format;
    if format == Format::BinarySi {
        match integer_value(q) {
            Some(value) if value.abs() >= 1024 => return Some(format_binary(value)),
            _ => format = Format::DecimalSi,
        }
    }
    let (mut mantissa, mut exponent) = (q.unscaled, q.scale);
    while mantissa % 10 == 0 {
        mantissa /= 10;
        exponent += 1;
    }
    let adjust = exponent.rem_euclid(3);
    mantissa = mantissa.checked_mul(pow10(u32::try_from(adjust).ok()?)?)?;
    exponent -= adjust;
    let suffix = match format {
        Format::DecimalSi => DECIMAL_SUFFIXES
            .iter()
            .find(|(_, e)| *e == exponent)
            .map_or_else(|| format!("e{exponent}"), |(s, _)| (*s).to_string()),
        _ if exponent == 0 => String::new(),
        _ => format!("e{exponent}"),
    };
    Some(format!("{mantissa}{suffix}"))
}

/// The value as an integer, when it is one.
fn integer_value(q: &Quantity) -> Option<i128> {
    if q.scale >= 0 {
        q.unscaled.checked_mul(pow10(u32::try_from(q.scale).ok()?)?)
    } else {
        let divisor = pow10(q.scale.unsigned_abs())?;
        (q.unscaled % divisor == 0).then_some(q.unscaled / divisor)
    }
}

fn format_binary(mut value: i128) -> String {
    let mut power = 0;
    while value % 1024 == 0 && power < BINARY_SUFFIXES.len() {
        value /= 1024;
        power += 1;
    }
    let suffix = if power == 0 {
        ""
    } else {
        BINARY_SUFFIXES[power - 1].0
    };
    format!("{value}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::canonical_quantity as canon;

    #[test]
    fn canonical_values_are_kept() {
        for s in [
            "4", "48", "32Gi", "448Gi", "2000Gi", "25000Gi", "100m", "1k", "1500m", "1e3",
        ] {
            assert_eq!(canon(s).as_deref(), Some(s), "{s}");
        }
    }

    #[test]
    fn decimal_values_are_normalised() {
        assert_eq!(canon("1000m").as_deref(), Some("1"));
        assert_eq!(canon("0.5").as_deref(), Some("500m"));
        assert_eq!(canon("1000").as_deref(), Some("1k"));
        assert_eq!(canon("1200").as_deref(), Some("1200"));
        assert_eq!(canon("12000").as_deref(), Some("12k"));
        assert_eq!(canon("+2.50").as_deref(), Some("2500m"));
        assert_eq!(canon("-0.1").as_deref(), Some("-100m"));
        assert_eq!(canon("0").as_deref(), Some("0"));
        assert_eq!(canon("0Gi").as_deref(), Some("0"));
        assert_eq!(canon(".5").as_deref(), Some("500m"));
        assert_eq!(canon("1.5e3").as_deref(), Some("1500"));
        assert_eq!(canon("1E").as_deref(), Some("1E"));
    }

    #[test]
    fn finer_than_nano_rounds_up() {
        assert_eq!(canon("0.0000000001").as_deref(), Some("1n"));
        assert_eq!(canon("1.0000000001").as_deref(), Some("1000000001n"));
    }

    #[test]
    fn binary_values_are_normalised() {
        assert_eq!(canon("2048Mi").as_deref(), Some("2Gi"));
        assert_eq!(canon("1.5Gi").as_deref(), Some("1536Mi"));
        assert_eq!(canon("1.5Ki").as_deref(), Some("1536"));
        assert_eq!(canon("0.5Ki").as_deref(), Some("512"));
        assert_eq!(canon("1024").as_deref(), Some("1024"));
        assert_eq!(canon("1Ki").as_deref(), Some("1Ki"));
    }

    #[test]
    fn invalid_text_is_rejected() {
        for s in ["", "abc", "1.2.3", "1Gb", "1e", "-", "1 Gi", "e3"] {
            assert_eq!(canon(s), None, "{s:?}");
        }
    }
}
