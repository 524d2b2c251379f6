//! Credentials, compared in constant time.

/// The `WWW-Authenticate` challenge of HTTP Basic credentials.
pub(crate) const BASIC_CHALLENGE: &str = "Basic realm=\"metrics\", charset=\"UTF-8\"";

/// What a request must carry in its `Authorization` header.
#[derive(Clone)]
pub(crate) struct Credentials {
    /// `Bearer` or `Basic`.
    scheme: &'static str,
    /// The expected credentials after the scheme.
    secret: Box<[u8]>,
}

impl Credentials {
    /// `Authorization: Bearer <token>`, for a token a request can carry:
    /// one or more visible ASCII characters. (An empty token would admit
    /// any request that names the scheme.) The error says what is accepted,
    /// after the option's name.
    pub(crate) fn bearer(token: &str) -> Result<Self, &'static str> {
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("`bearer_token`: accepted: one or more visible ASCII characters");
        }
        Ok(Self {
            scheme: "Bearer",
            secret: token.as_bytes().into(),
        })
    }

    /// HTTP Basic credentials: a user without `:` (RFC 7617: the first `:`
    /// ends the user, so `a:b` and `c` would admit `a` with `b:c`) and a
    /// password, neither with control characters.
    pub(crate) fn basic(user: &str, password: &str) -> Result<Self, &'static str> {
        let control = |s: &str| s.chars().any(char::is_control);
        if user.contains(':') || control(user) || control(password) {
            return Err(
                "`basic_auth`: accepted: a user without `:` and a password, \
                 neither with control characters",
            );
        }
        Ok(Self {
            scheme: "Basic",
            secret: crate::base64::basic_credentials(user, password)
                .into_bytes()
                .into(),
        })
    }

    /// Whether `header` (the `Authorization` value) carries these
    /// credentials. The time taken depends on the expected secret's length
    /// only, never on how much of the given one matches.
    pub(crate) fn admit(&self, header: Option<&str>) -> bool {
        let Some(header) = header else { return false };
        let (scheme, given) = header.split_once(' ').unwrap_or((header, ""));
        let scheme_ok = scheme.eq_ignore_ascii_case(self.scheme);
        let secret_ok = constant_time_eq(&self.secret, given.trim_start().as_bytes());
        scheme_ok & secret_ok
    }

    /// Whether these are HTTP Basic credentials.
    #[cfg_attr(not(feature = "web-config"), allow(dead_code))]
    pub(crate) fn is_basic(&self) -> bool {
        self.scheme == "Basic"
    }

    /// The `WWW-Authenticate` challenge for a 401.
    pub(crate) fn challenge(&self) -> &'static str {
        match self.scheme {
            "Basic" => BASIC_CHALLENGE,
            _ => "Bearer realm=\"metrics\"",
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        write!(f, "Credentials({} …)", self.scheme)
    }
}

/// Compares every byte of `expected` whatever the outcome, and folds a
/// length mismatch into the result instead of returning early.
pub(crate) fn constant_time_eq(expected: &[u8], given: &[u8]) -> bool {
    let mut diff = u8::from(expected.len() != given.len());
    for (i, &e) in expected.iter().enumerate() {
        let g = given.get(i).copied().unwrap_or(!e);
        diff |= std::hint::black_box(e ^ g);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_and_basic_admit_only_the_exact_credentials() {
        let bearer = Credentials::bearer("s3cret").unwrap();
        assert!(bearer.admit(Some("Bearer s3cret")));
        assert!(bearer.admit(Some("bearer s3cret")));
        assert!(!bearer.admit(Some("Bearer s3cre")));
        assert!(!bearer.admit(Some("Bearer s3cret!")));
        assert!(!bearer.admit(Some("Basic s3cret")));
        assert!(!bearer.admit(Some("")));
        assert!(!bearer.admit(None));
        let basic = Credentials::basic("prom", "pa:ss").unwrap();
        assert!(basic.admit(Some("Basic cHJvbTpwYTpzcw==")));
        assert!(!basic.admit(Some("Basic cHJvbTpwYTpzcw")));
        assert!(!format!("{basic:?}").contains("cHJv"));
    }

    #[test]
    fn credentials_no_request_can_carry_are_refused() {
        assert!(Credentials::bearer("").is_err());
        assert!(Credentials::bearer("to ken").is_err());
        assert!(Credentials::bearer("tok\nen").is_err());
        assert!(Credentials::bearer("jeton-é").is_err());
        assert!(Credentials::basic("a:b", "c").is_err());
        assert!(Credentials::basic("a\r", "c").is_err());
        assert!(Credentials::basic("a", "c\n").is_err());
        // A password may hold `:` and non-ASCII text; the user may be empty.
        assert!(Credentials::basic("", "pa:sé").is_ok());
    }
}
