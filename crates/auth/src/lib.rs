//! kimo's authentication: password hashing (Argon2id with OWASP's parameters), random tokens for
//! sessions and one-time passwords, and their hashes for storage. No HTTP and no SQL here.

pub mod ldap;
#[cfg(feature = "testing")]
pub mod testing;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};

/// The shortest password a user may choose.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Argon2id with OWASP's recommended minimum: 19 MiB of memory, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// `n` random bytes from the operating system.
fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    bytes
}

/// The PHC string of a password's Argon2id hash (salt and parameters included). Takes about 20–50
/// ms of CPU on purpose: call it off the async threads.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes are a valid salt");
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("hashing with valid parameters works")
        .to_string()
}

/// Whether `password` matches the stored hash (false for an empty or broken hash).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
}

/// Checks a password a user chooses: long enough and not the login name; a German message
/// otherwise.
pub fn check_new_password(password: &str, login: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "Das Passwort muss mindestens {MIN_PASSWORD_CHARS} Zeichen lang sein."
        ));
    }
    if password.trim().eq_ignore_ascii_case(login.trim()) {
        return Err("Das Passwort darf nicht der Anmeldename sein.".into());
    }
    Ok(())
}

/// A random token (256 bits, URL-safe hex) for a session cookie, a form's CSRF field or an API
/// token.
pub fn new_token() -> String {
    hex(&random_bytes::<32>())
}

/// How a token is stored: its SHA-256 (a token is random and long, so a fast hash suffices, and
/// a stolen database reveals no usable token).
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// A one-time password that reads well aloud and on paper: 4 groups of 4 characters without
/// look-alikes (0/O, 1/l/I), about 95 bits.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes = random_bytes::<16>();
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Compares two tokens in time independent of where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("Korrekt Pferd Batterie");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("Korrekt Pferd Batterie", &h));
        assert!(!verify_password("korrekt pferd batterie", &h));
        assert!(!verify_password("x", ""));
        assert!(!verify_password("x", "kein Hash"));
        // A new salt every time.
        assert_ne!(h, hash_password("Korrekt Pferd Batterie"));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
        assert!(same_token(&a, &a.clone()));
        assert!(!same_token(&a, &b));
        let p = one_time_password();
        assert_eq!(p.len(), 19, "{p}");
        assert!(!p.contains(['0', 'O', '1', 'l', 'I']), "{p}");
    }

    #[test]
    fn new_passwords_are_checked_in_german() {
        assert!(
            check_new_password("kurz", "meier")
                .unwrap_err()
                .contains("mindestens 10")
        );
        assert!(check_new_password("Meier.Amt1", "meier.amt1").is_err());
        assert!(check_new_password("lang genug und gut", "meier").is_ok());
    }
}
