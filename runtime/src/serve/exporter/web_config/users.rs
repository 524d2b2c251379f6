//! `basic_auth_users`: users and their bcrypt hashes. A bcrypt check costs
//! tens of milliseconds by design, so, as exporter-toolkit does, a
//! credential that passed (or failed) is remembered and the next request
//! with it costs constant-time comparisons; checks that need bcrypt run one
//! at a time, so guessing never takes more than one worker (a check that
//! finds another running is handed back, [`Check::Busy`], and the front
//! thread tries it again shortly, holding no worker; a remembered
//! credential never waits behind guesses); an unknown user is hashed
//! against a decoy of the same cost, so the time taken does not tell which
//! users exist.

use std::sync::{Mutex, PoisonError, TryLockError};

use crate::serve::auth::constant_time_eq;

/// Remembered credentials at most, of each outcome; the oldest gives way.
const CACHED: usize = 64;

/// The outcome of a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    /// The credentials are a user's.
    Admitted,
    /// No credentials, or wrong ones.
    Refused,
    /// Another bcrypt check is running: try again shortly.
    Busy,
}

/// The users of a web configuration.
pub(crate) struct Users {
    /// Each user and the hash of their password.
    hashes: Vec<(String, String)>,
    /// A hash of the highest cost among the users, that an unknown user's
    /// password is checked against.
    decoy: String,
    /// The `Basic` credentials (base64, as sent) that passed, newest last.
    admitted: Mutex<Vec<Box<[u8]>>>,
    /// Those that failed, newest last: a client with a wrong password
    /// costs no bcrypt after its first request.
    refused: Mutex<Vec<Box<[u8]>>>,
    /// Held while bcrypt runs.
    checking: Mutex<()>,
}

impl std::fmt::Debug for Users {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a hash or a credential.
        f.debug_struct("Users")
            .field("users", &self.hashes.len())
            .finish_non_exhaustive()
    }
}

impl Users {
    /// The users, once every hash is one `promtool check web-config`
    /// accepts (Go's `bcrypt.Cost`).
    pub(crate) fn new(hashes: Vec<(String, String)>) -> Result<Self, String> {
        let mut cost = 4;
        for (user, hash) in &hashes {
            let user_cost =
                go_cost(hash).map_err(|e| format!("basic_auth_users: the hash of {user:?} {e}"))?;
            cost = cost.max(user_cost);
        }
        let decoy = bcrypt::hash("enumeter decoy password", cost)
            .map_err(|e| format!("basic_auth_users: cannot make a decoy hash: {e}"))?;
        Ok(Self {
            hashes,
            decoy,
            admitted: Mutex::new(Vec::with_capacity(CACHED)),
            refused: Mutex::new(Vec::with_capacity(CACHED)),
            checking: Mutex::new(()),
        })
    }

    /// Whether `authorization` (the header's value) carries a user's
    /// credentials.
    pub(crate) fn check(&self, authorization: Option<&str>) -> Check {
        let Some(given) = authorization.and_then(basic_credentials) else {
            return Check::Refused;
        };
        if remembered(&self.admitted, given.as_bytes()) {
            return Check::Admitted;
        }
        if remembered(&self.refused, given.as_bytes()) {
            return Check::Refused;
        }
        let _checking = match self.checking.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return Check::Busy,
        };
        // Another check may have decided it meanwhile.
        if remembered(&self.admitted, given.as_bytes()) {
            return Check::Admitted;
        }
        if remembered(&self.refused, given.as_bytes()) {
            return Check::Refused;
        }
        // Not credentials at all: refused without bcrypt.
        let Some(decoded) = crate::base64::decode_standard(given) else {
            return Check::Refused;
        };
        let Some(colon) = decoded.iter().position(|&b| b == b':') else {
            return Check::Refused;
        };
        let (user, password) = (&decoded[..colon], &decoded[colon + 1..]);
        // Every user is compared, so the time does not say which matched.
        let mut hash = self.decoy.as_str();
        let mut known = false;
        for (name, user_hash) in &self.hashes {
            if constant_time_eq(name.as_bytes(), user) {
                hash = user_hash;
                known = true;
            }
        }
        let matches = bcrypt::verify(password, hash).unwrap_or(false);
        let passed = known && matches;
        let memory = if passed {
            &self.admitted
        } else {
            &self.refused
        };
        let mut memory = memory.lock().unwrap_or_else(PoisonError::into_inner);
        if memory.len() == CACHED {
            memory.remove(0);
        }
        memory.push(given.as_bytes().into());
        if passed {
            Check::Admitted
        } else {
            Check::Refused
        }
    }
}

/// Whether `given` is in `memory`; compares with every credential there
/// whatever the outcome.
fn remembered(memory: &Mutex<Vec<Box<[u8]>>>, given: &[u8]) -> bool {
    let memory = memory.lock().unwrap_or_else(PoisonError::into_inner);
    memory
        .iter()
        .fold(false, |found, known| found | constant_time_eq(known, given))
}

/// The check of `basic_auth_users`, for enumeter's benchmarks only.
#[doc(hidden)]
#[derive(Debug)]
pub struct BasicAuthCheck(Users);

impl BasicAuthCheck {
    /// Users and their bcrypt hashes.
    pub fn new(hashes: Vec<(String, String)>) -> Result<Self, String> {
        Users::new(hashes).map(Self)
    }

    /// Whether `authorization` (an `Authorization` value) is a user's.
    pub fn admits(&self, authorization: Option<&str>) -> bool {
        self.0.check(authorization) == Check::Admitted
    }
}

/// The base64 credentials of a `Basic` authorization.
fn basic_credentials(authorization: &str) -> Option<&str> {
    let (scheme, given) = authorization.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("Basic")
        .then(|| given.trim_start())
}

/// The cost of a bcrypt hash, checked as Go's `bcrypt.Cost` checks it.
fn go_cost(hash: &str) -> Result<u32, String> {
    let b = hash.as_bytes();
    if b.len() < 59 {
        return Err("is too short to be a bcrypt hash".to_owned());
    }
    if b[0] != b'$' {
        return Err("does not start with `$`".to_owned());
    }
    if b[1] > b'2' {
        return Err("is of a bcrypt version above 2".to_owned());
    }
    let at = if b[2] == b'$' { 3 } else { 4 };
    let cost = std::str::from_utf8(&b[at..at + 2])
        .ok()
        .and_then(|c| c.parse::<i32>().ok())
        .ok_or_else(|| "has no cost where bcrypt keeps it".to_owned())?;
    if !(4..=31).contains(&cost) {
        return Err(format!("has cost {cost}; bcrypt accepts 4 to 31"));
    }
    Ok(cost.unsigned_abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user: &str, password: &str) -> String {
        format!("Basic {}", crate::base64::basic_credentials(user, password))
    }

    #[test]
    fn a_user_passes_once_with_bcrypt_then_from_memory() {
        let hash = bcrypt::hash("s3cret", 4).unwrap();
        let users = Users::new(vec![("prom".to_owned(), hash)]).unwrap();
        assert_eq!(users.check(Some(&basic("prom", "s3cret"))), Check::Admitted);
        assert_eq!(users.admitted.lock().unwrap().len(), 1);
        assert_eq!(users.check(Some(&basic("prom", "s3cret"))), Check::Admitted);
        assert_eq!(users.admitted.lock().unwrap().len(), 1);
        assert_eq!(users.check(Some(&basic("prom", "s3cre"))), Check::Refused);
        assert_eq!(users.check(Some(&basic("other", "s3cret"))), Check::Refused);
        assert_eq!(users.refused.lock().unwrap().len(), 2);
        assert_eq!(users.check(Some(&basic("prom", "s3cre"))), Check::Refused);
        assert_eq!(users.refused.lock().unwrap().len(), 2);
        assert_eq!(users.check(Some("Bearer s3cret")), Check::Refused);
        assert_eq!(users.check(None), Check::Refused);
        // While bcrypt runs for one request, another new one is told to
        // come back, and remembered ones are decided at once.
        let guard = users.checking.lock().unwrap();
        assert_eq!(users.check(Some(&basic("prom", "guess"))), Check::Busy);
        assert_eq!(users.check(Some(&basic("prom", "s3cret"))), Check::Admitted);
        assert_eq!(users.check(Some(&basic("prom", "s3cre"))), Check::Refused);
        drop(guard);
        assert_eq!(users.check(Some(&basic("prom", "guess"))), Check::Refused);
    }

    #[test]
    fn hashes_are_checked_as_go_checks_them() {
        let good = "$2y$10$2b2cU8CPhOTaGrs1HRQuAueS7JTT5ZHsHSzYiFPm1leZck7Mc8T4W";
        assert_eq!(go_cost(good), Ok(10));
        assert_eq!(
            go_cost(&good.replace("$10$", "$03$")).unwrap_err(),
            "has cost 3; bcrypt accepts 4 to 31"
        );
        assert!(go_cost(&good[..58]).is_err());
        assert!(go_cost(&good.replacen('$', "x", 1)).is_err());
        assert!(go_cost(&good.replacen("$2y", "$3y", 1)).is_err());
        // Go reads no further than the cost.
        assert_eq!(go_cost(&good.replace("2b2cU8", "!!!!!!")), Ok(10));
    }
}
