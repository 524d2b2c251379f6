//! The attributes of a metric group: `#[metrics(...)]` on the enum and the
//! kind attribute (`#[counter]`, `#[gauge(...)]`) on each variant.

use proc_macro2::TokenStream;
use syn::parse::Parser;

use crate::errors::Errors;
use crate::meta::{set_once, unknown_key};

/// `#[metrics(namespace = "...", max_series = N)]`.
#[derive(Default)]
pub(crate) struct GroupAttrs {
    pub(crate) namespace: Option<syn::LitStr>,
    pub(crate) max_series: Option<syn::LitInt>,
}

pub(crate) fn group_attrs(args: TokenStream, errors: &mut Errors) -> GroupAttrs {
    let mut out = GroupAttrs::default();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("namespace") {
            let lit: syn::LitStr = meta.value()?.parse()?;
            set_once(&mut out.namespace, lit, &meta, errors);
        } else if meta.path.is_ident("max_series") {
            let lit: syn::LitInt = meta.value()?.parse()?;
            set_once(&mut out.max_series, lit, &meta, errors);
        } else {
            unknown_key(&meta, "metrics", "namespace, max_series", errors)?;
        }
        Ok(())
    });
    if let Err(e) = parser.parse2(args) {
        errors.push(e);
    }
    out
}

/// The kind of a metric and the options its kind attribute gave.
pub(crate) struct KindAttr {
    pub(crate) kind: Kind,
    /// The attribute, for errors about the kind as a whole.
    pub(crate) attr: syn::Attribute,
    /// `name = "..."`: the metric name after the namespace, instead of the
    /// variant name in snake_case.
    pub(crate) name: Option<syn::LitStr>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Counter,
    Gauge { float: bool },
}

impl Kind {
    pub(crate) const ATTRIBUTES: &'static [&'static str] = &["counter", "gauge"];

    pub(crate) fn attribute_name(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge { .. } => "gauge",
        }
    }
}

/// Whether `attr` is a kind attribute (`#[counter]`, `#[gauge]`, ...).
pub(crate) fn is_kind_attr(attr: &syn::Attribute) -> bool {
    Kind::ATTRIBUTES.iter().any(|k| attr.path().is_ident(k))
}

/// Parses one kind attribute; `is_kind_attr(attr)` must hold.
pub(crate) fn kind_attr(attr: &syn::Attribute, errors: &mut Errors) -> KindAttr {
    let is_counter = attr.path().is_ident("counter");
    let mut name = None;
    let mut float = false;
    if !matches!(attr.meta, syn::Meta::Path(_)) {
        let (attribute, accepted) = if is_counter {
            ("counter", "name")
        } else {
            ("gauge", "name, float")
        };
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                set_once(&mut name, lit, &meta, errors);
            } else if !is_counter && meta.path.is_ident("float") {
                float = true;
            } else {
                unknown_key(&meta, attribute, accepted, errors)?;
            }
            Ok(())
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    KindAttr {
        kind: if is_counter {
            Kind::Counter
        } else {
            Kind::Gauge { float }
        },
        attr: attr.clone(),
        name,
    }
}
