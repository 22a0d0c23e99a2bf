//! Argon2id password hashes (PHC strings, with the parameters OWASP lists as
//! equivalent to its first choice: 7 MiB and five passes, one lane, rather
//! than 19 MiB and two; about the same time, a third of the memory).
//! Verifying takes its parameters from the stored hash, so a hash made with
//! other parameters (19 MiB, before 2026-12-04) still verifies, and is made
//! again with these at its owner's next sign-in (`is_current`).

use std::sync::{Condvar, LazyLock, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Memory of one new hash, in KiB.
const MEMORY_KIB: u32 = 7 * 1024;
/// Passes over that memory.
const PASSES: u32 = 5;

/// Hashes computed at once, at most: each takes 7 MiB for its duration,
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
    let params = Params::new(MEMORY_KIB, PASSES, 1, None)?;
    gated(|| {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
    })
}

/// Whether `hash` was made with the current parameters; a hash made with
/// others is replaced at its owner's next sign-in.
pub fn is_current(hash: &str) -> bool {
    let prefix = format!("$argon2id$v=19$m={MEMORY_KIB},t={PASSES},p=1$");
    hash.starts_with(&prefix)
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
        assert!(hash.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert!(!verify_nothing("an unguessable placeholder 7c1f"));
    }

    #[test]
    fn a_hash_made_with_the_former_parameters_still_verifies() {
        // Argon2id at 19 MiB and two passes, as accounts made before
        // 2026-12-04 hold.
        let salt = SaltString::generate(&mut OsRng);
        let old = Argon2::default()
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        assert!(old.contains("$m=19456,t=2,p=1$"), "{old}");
        assert!(!is_current(&old));
        assert!(is_current(&hash_password("correct horse battery").unwrap()));
        assert!(verify_password("correct horse battery", &old));
        assert!(!verify_password("correct horse batterY", &old));
    }
}
