//! Lower-case hex text of bytes (digests, node ids).

/// Lower-case hex of `bytes`, two digits per byte.
pub fn lower_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::lower_hex;

    #[test]
    fn lower_hex_pads_each_byte_to_two_digits() {
        assert_eq!(lower_hex(&[0x00, 0x0a, 0xff, 0x10]), "000aff10");
        assert_eq!(lower_hex(&[]), "");
    }
}
