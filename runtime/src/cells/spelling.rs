//! How a metric or label name is spelled under each escaping scheme a
//! scraper may ask for (Prometheus' escaping-schemes document):
//! `#[metrics]` writes every spelling at compile time; a description
//! written by hand has its spellings computed the first time a render
//! needs them, and kept.

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use enumeter_common::names::{self, Scheme};

/// How names are spelled in an exposition: as declared, which only
/// Prometheus 3 reads when a name is outside the legacy character set, or
/// escaped into legacy characters by one of Prometheus' schemes.
///
/// A name in the legacy set (`[a-zA-Z_:][a-zA-Z0-9_:]*`) is written as
/// declared by every scheme but [`Dots`](Escaping::Dots), which doubles
/// its underscores.
///
/// ```
/// use enumeter::Escaping;
/// assert_eq!(Escaping::from_param("allow-utf-8"), Some(Escaping::AllowUtf8));
/// assert_eq!(Escaping::Values.param(), "values");
/// assert_eq!(Escaping::default(), Escaping::Underscores);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Escaping {
    /// `allow-utf-8`: names as declared; the text formats quote one that
    /// is outside the legacy set (`{"http.server.request.duration_bucket",le="0.1"}`).
    AllowUtf8,
    /// `underscores`: every character outside the legacy set becomes `_`.
    /// What a scraper that names no scheme gets.
    #[default]
    Underscores,
    /// `dots`: `.` becomes `_dot_`, `_` becomes `__`, any other character
    /// outside the legacy set `__`.
    Dots,
    /// `values`: a name outside the legacy set becomes `U__` and its
    /// characters, `_` as `__` and any other outside the set as
    /// `_<hex code point>_`.
    Values,
}

impl Escaping {
    /// The scheme a header's `escaping=` parameter names; `None` for a
    /// value that names none.
    pub fn from_param(value: &str) -> Option<Escaping> {
        match value {
            "allow-utf-8" => Some(Escaping::AllowUtf8),
            "underscores" => Some(Escaping::Underscores),
            "dots" => Some(Escaping::Dots),
            "values" => Some(Escaping::Values),
            _ => None,
        }
    }

    /// The value of the `escaping=` parameter that names this scheme.
    pub const fn param(self) -> &'static str {
        match self {
            Escaping::AllowUtf8 => "allow-utf-8",
            Escaping::Underscores => "underscores",
            Escaping::Dots => "dots",
            Escaping::Values => "values",
        }
    }
}

/// Every spelling of one name: the name as a quoted string needs it when
/// it is outside the legacy set, and the name escaped by each scheme.
///
/// Plain `&'static str`s, without a destructor, so that `#[metrics]` can
/// write one inside a description's constant.
#[derive(Clone, Copy, Debug)]
#[doc(hidden)]
pub struct Spellings {
    /// The name with `\`, `"` and newline escaped, when it is outside the
    /// legacy set: the text formats quote it under `allow-utf-8`.
    quoted: Option<&'static str>,
    underscores: &'static str,
    dots: &'static str,
    values: &'static str,
}

impl Spellings {
    /// Spellings computed in advance (by `#[metrics]`).
    pub const fn new(
        quoted: Option<&'static str>,
        underscores: &'static str,
        dots: &'static str,
        values: &'static str,
    ) -> Self {
        Self {
            quoted,
            underscores,
            dots,
            values,
        }
    }

    /// The spellings of a metric name (`metric`) or label name, kept for
    /// the life of the process (see [`computed`]).
    fn of(name: &str, metric: bool) -> Self {
        let legacy = if metric {
            names::is_legacy_metric_name(name)
        } else {
            names::is_legacy_label_name(name)
        };
        let keep = |spelled: String| -> &'static str { Box::leak(spelled.into_boxed_str()) };
        Self {
            quoted: (!legacy).then(|| keep(names::quoted_inner(name))),
            underscores: keep(names::escape(name, Scheme::Underscores, metric)),
            dots: keep(names::escape(name, Scheme::Dots, metric)),
            values: keep(names::escape(name, Scheme::Values, metric)),
        }
    }

    /// Whether the name is outside the legacy set.
    pub(crate) fn is_utf8(&self) -> bool {
        self.quoted.is_some()
    }

    /// The name as `escaping` spells it: under `allow-utf-8`, the name as
    /// declared, or its quoted-string form ([`Spelled::Quoted`]) when it is
    /// outside the legacy set.
    pub(crate) fn get(&self, declared: &'static str, escaping: Escaping) -> Spelled<'static> {
        match escaping {
            Escaping::AllowUtf8 => match self.quoted {
                Some(quoted) => Spelled::Quoted(quoted),
                None => Spelled::Plain(declared),
            },
            Escaping::Underscores => Spelled::Plain(self.underscores),
            Escaping::Dots => Spelled::Plain(self.dots),
            Escaping::Values => Spelled::Plain(self.values),
        }
    }

    /// The name as `escaping` spells it where names are never quoted
    /// (protobuf, remote write): the declared name under `allow-utf-8`.
    pub(crate) fn bare(&self, declared: &'static str, escaping: Escaping) -> &'static str {
        match escaping {
            Escaping::AllowUtf8 => declared,
            Escaping::Underscores => self.underscores,
            Escaping::Dots => self.dots,
            Escaping::Values => self.values,
        }
    }
}

/// A name as one scheme spells it in a text format.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Spelled<'s> {
    /// Written as it is.
    Plain(&'s str),
    /// Written between double quotes (its `\`, `"` and newlines already
    /// escaped).
    Quoted(&'s str),
}

impl<'s> Spelled<'s> {
    /// The characters, without quotes.
    pub(crate) fn text(self) -> &'s str {
        match self {
            Spelled::Plain(text) | Spelled::Quoted(text) => text,
        }
    }
}

/// The spellings of a name whose description was written by hand, computed
/// the first time a render needs them and kept for the life of the process
/// (one per distinct name: descriptions are statics, or leaked, and their
/// names with them). Kept apart from the description so that it stays a
/// constant without interior mutability, which `&[LabelDesc::new(..)]` in
/// a static needs.
pub(crate) fn computed(name: &'static str, metric: bool) -> &'static Spellings {
    type Cache = RwLock<HashMap<(&'static str, bool), &'static Spellings>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    if let Some(found) = cache
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(&(name, metric))
    {
        return found;
    }
    let mut cache = cache.write().unwrap_or_else(|e| e.into_inner());
    cache
        .entry((name, metric))
        .or_insert_with(|| Box::leak(Box::new(Spellings::of(name, metric))))
}
