//! Case conversion of Rust identifiers (PascalCase variants).

/// The `rename_all` rules a label enum accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RenameRule {
    Lower,
    Upper,
    Snake,
    Kebab,
    ScreamingSnake,
    ScreamingKebab,
    Camel,
    Pascal,
}

impl RenameRule {
    pub(crate) const ACCEPTED: &'static str = "\"lowercase\", \"UPPERCASE\", \"snake_case\", \
        \"kebab-case\", \"SCREAMING_SNAKE_CASE\", \"SCREAMING-KEBAB-CASE\", \"camelCase\", \"PascalCase\"";

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "lowercase" => Self::Lower,
            "UPPERCASE" => Self::Upper,
            "snake_case" => Self::Snake,
            "kebab-case" => Self::Kebab,
            "SCREAMING_SNAKE_CASE" => Self::ScreamingSnake,
            "SCREAMING-KEBAB-CASE" => Self::ScreamingKebab,
            "camelCase" => Self::Camel,
            "PascalCase" => Self::Pascal,
            _ => return None,
        })
    }

    /// Applies the rule to a PascalCase variant name.
    pub(crate) fn apply(self, variant: &str) -> String {
        match self {
            Self::Lower => variant.to_ascii_lowercase(),
            Self::Upper => variant.to_ascii_uppercase(),
            Self::Snake => snake_case(variant),
            Self::Kebab => snake_case(variant).replace('_', "-"),
            Self::ScreamingSnake => snake_case(variant).to_ascii_uppercase(),
            Self::ScreamingKebab => snake_case(variant).replace('_', "-").to_ascii_uppercase(),
            Self::Camel => {
                let mut chars = variant.chars();
                match chars.next() {
                    Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
                    None => String::new(),
                }
            }
            Self::Pascal => variant.to_owned(),
        }
    }
}

/// `InviteResultTotal` → `invite_result_total`, `HTTPRequests` →
/// `http_requests`, `E2eFirstByteMs` → `e2e_first_byte_ms`.
///
/// A word starts at an uppercase letter that follows a lowercase letter or a
/// digit, or that ends a run of capitals and is followed by a lowercase
/// letter (the `R` of `HTTPRequests`).
pub(crate) fn snake_case(ident: &str) -> String {
    let chars: Vec<char> = ident.chars().collect();
    let mut out = String::with_capacity(ident.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let starts_word = prev.is_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_uppercase() && next_is_lower);
            if starts_word && !out.ends_with('_') {
                out.push('_');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_splits_words_acronyms_and_keeps_digits_in_words() {
        assert_eq!(snake_case("InviteResultTotal"), "invite_result_total");
        assert_eq!(snake_case("HTTPRequestsTotal"), "http_requests_total");
        assert_eq!(snake_case("E2eFirstByteMs"), "e2e_first_byte_ms");
        assert_eq!(snake_case("Http2Streams"), "http2_streams");
        assert_eq!(snake_case("Already_Snake"), "already_snake");
        assert_eq!(snake_case("A"), "a");
    }

    #[test]
    fn rename_rules_follow_serde_spelling() {
        let v = "DialogHangup";
        assert_eq!(RenameRule::Lower.apply(v), "dialoghangup");
        assert_eq!(RenameRule::Upper.apply(v), "DIALOGHANGUP");
        assert_eq!(RenameRule::Snake.apply(v), "dialog_hangup");
        assert_eq!(RenameRule::Kebab.apply(v), "dialog-hangup");
        assert_eq!(RenameRule::ScreamingSnake.apply(v), "DIALOG_HANGUP");
        assert_eq!(RenameRule::ScreamingKebab.apply(v), "DIALOG-HANGUP");
        assert_eq!(RenameRule::Camel.apply(v), "dialogHangup");
        assert_eq!(RenameRule::Pascal.apply(v), "DialogHangup");
    }
}
