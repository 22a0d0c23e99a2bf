//! Argon2id password hashes (PHC strings, OWASP's default parameters).

use std::sync::{Condvar, LazyLock, Mutex};

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Hashes computed at once, at most: each takes 19 MiB for its duration,
/// so a burst of sign-ins queues here instead of growing the process.
const AT_ONCE: usize = 2;

static HASHING: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

/// Runs `f` when fewer than `AT_ONCE` hashes are being computed.
fn gated<T>(f: impl FnOnce() -> T) -> T {
    /// Gives the place back however `f` ends.
    struct Place;
    impl Drop for Place {
        fn drop(&mut self) {
            let (count, freed) = &HASHING;
            *count.lock().unwrap_or_else(|p| p.into_inner()) -= 1;
            freed.notify_one();
        }
    }
    let (count, freed) = &HASHING;
    let mut busy = count.lock().unwrap_or_else(|p| p.into_inner());
    while *busy >= AT_ONCE {
        busy = freed.wait(busy).unwrap_or_else(|p| p.into_inner());
    }
    *busy += 1;
    drop(busy);
    let _place = Place;
    f()
}

/// Hashes a password with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    gated(|| {
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
    })
}

/// Whether `password` matches `hash`; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .and_then(|parsed| {
            gated(|| Argon2::default().verify_password(password.as_bytes(), &parsed))
        })
        .is_ok()
}

/// A real hash to verify against when the account does not exist, so that an
/// unknown email costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("an unguessable placeholder 7c1f").unwrap_or_default());

/// Spends the time of one verification, and fails.
pub fn verify_nothing(password: &str) -> bool {
    let _ = verify_password(password, &DUMMY_HASH);
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert!(!verify_nothing("an unguessable placeholder 7c1f"));
    }
}
