//! Bearer tokens and invite codes: random, shown once, stored only as SHA-256 hashes.

use sha2::{Digest, Sha256};

/// `n` random bytes from the OS, as lowercase hex.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    // Without the OS generator no secret can be made safely; stopping is the only right answer.
    getrandom::getrandom(&mut bytes).expect("the OS random number generator failed");
    hex(&bytes)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .map(char::from)
        .collect()
}

/// A new bearer token: 256 random bits.
pub fn new_token() -> String {
    format!("stn_{}", random_hex(32))
}

/// A new invite code: 128 random bits, short enough to paste.
pub fn new_invite_code() -> String {
    format!("inv_{}", random_hex(16))
}

/// What the database keeps of a token or invite code.
pub fn hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 64);
        assert_eq!(new_invite_code().len(), 4 + 32);
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), a);
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
