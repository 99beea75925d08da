//! Identifiers drawn from the operating system's randomness (the host may; the core never
//! does, `docs/spec.md §1`).

/// Randomness was unavailable.
#[derive(Debug, Clone, Copy)]
pub struct NoRandomness;

impl std::fmt::Display for NoRandomness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the operating system's randomness is unavailable")
    }
}

impl std::error::Error for NoRandomness {}

fn random<const N: usize>() -> Result<[u8; N], NoRandomness> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|_| NoRandomness)?;
    Ok(bytes)
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            out.push(char::from(
                DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0'),
            ));
        }
    }
    out
}

/// `n` random bytes as hex.
pub fn random_hex<const N: usize>() -> Result<String, NoRandomness> {
    Ok(hex(&random::<N>()?))
}

/// A random (version 4) UUID, the shape of seed 001's invoice `id`.
pub fn uuid_v4() -> Result<String, NoRandomness> {
    let mut b = random::<16>()?;
    if let Some(v) = b.get_mut(6) {
        *v = (*v & 0x0f) | 0x40;
    }
    if let Some(v) = b.get_mut(8) {
        *v = (*v & 0x3f) | 0x80;
    }
    let h = hex(&b);
    let mut out = String::with_capacity(36);
    for (i, c) in h.chars().enumerate() {
        if matches!(i, 8 | 12 | 16 | 20) {
            out.push('-');
        }
        out.push(c);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_shape() -> Result<(), NoRandomness> {
        let a = uuid_v4()?;
        let b = uuid_v4()?;
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a.chars().nth(14), Some('4'));
        assert_eq!(a.matches('-').count(), 4);
        Ok(())
    }
}
