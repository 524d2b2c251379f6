//! The typed model of a metric group.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;

use super::attr::{self, GroupAttrs, KindAttr};
use crate::case::snake_case;
use crate::errors::Errors;

pub(crate) struct Group<'a> {
    pub(crate) item: &'a syn::ItemEnum,
    pub(crate) attrs: GroupAttrs,
    pub(crate) metrics: Vec<MetricDef<'a>>,
}

pub(crate) struct MetricDef<'a> {
    pub(crate) variant: &'a syn::Variant,
    /// Every kind attribute on the variant; validation requires exactly one.
    pub(crate) kinds: Vec<KindAttr>,
    /// The doc comment's lines, trimmed and joined by single spaces.
    pub(crate) help: String,
    /// The full metric name, namespace included.
    pub(crate) name: String,
    /// The tokens the name came from (the `name = "..."` literal, or the
    /// variant's identifier), for errors about the name.
    pub(crate) name_tokens: TokenStream,
    /// The recording function's name: the variant in snake_case.
    pub(crate) fn_name: String,
    pub(crate) labels: Vec<LabelDef<'a>>,
}

pub(crate) struct LabelDef<'a> {
    pub(crate) ident: &'a syn::Ident,
    /// The field name without any `r#`: what objectives name the label by.
    pub(crate) field: String,
    /// The label name in the exposition: the field name, or the name given
    /// with `#[label(name = "...")]`.
    pub(crate) name: String,
    /// The tokens the name came from (the literal, or the field's
    /// identifier), for errors about the name.
    pub(crate) name_tokens: TokenStream,
    pub(crate) ty: &'a syn::Type,
    /// `#[label(retires)]`: a runtime label whose values retire.
    pub(crate) retires: Option<syn::Path>,
}

impl<'a> Group<'a> {
    pub(crate) fn from_syn(
        item: &'a syn::ItemEnum,
        attrs: GroupAttrs,
        errors: &mut Errors,
    ) -> Self {
        let namespace = attrs.namespace.as_ref().map(syn::LitStr::value);
        let metrics = item
            .variants
            .iter()
            .map(|variant| MetricDef::from_syn(variant, namespace.as_deref(), errors))
            .collect();
        Self {
            item,
            attrs,
            metrics,
        }
    }

    pub(crate) fn storage_ident(&self) -> syn::Ident {
        quote::format_ident!("{}Metrics", self.item.ident)
    }
}

impl<'a> MetricDef<'a> {
    fn from_syn(variant: &'a syn::Variant, namespace: Option<&str>, errors: &mut Errors) -> Self {
        let kinds: Vec<KindAttr> = variant
            .attrs
            .iter()
            .filter(|a| attr::is_kind_attr(a))
            .map(|a| attr::kind_attr(a, errors))
            .collect();
        let fn_name = snake_case(&variant.ident.unraw().to_string());
        let name_override = kinds.first().and_then(|k| k.name.as_ref());
        let (local_name, name_tokens) = match name_override {
            Some(lit) => (lit.value(), lit.to_token_stream()),
            None => (fn_name.clone(), variant.ident.to_token_stream()),
        };
        let mut name = match namespace {
            Some(ns) => format!("{ns}_{local_name}"),
            None => local_name,
        };
        // Prometheus convention: the unit is the name's last word.
        if let Some(unit) = kinds.first().and_then(|k| k.unit.as_ref()) {
            let suffix = format!("_{}", unit.value());
            if !name.ends_with(&suffix) {
                name.push_str(&suffix);
            }
        }
        let labels = match &variant.fields {
            syn::Fields::Named(fields) => fields
                .named
                .iter()
                .map(|field| {
                    let ident = field.ident.as_ref().expect("named fields have names");
                    let attrs = attr::label_attrs(&field.attrs, errors);
                    let (name, name_tokens) = match attrs.name {
                        Some(lit) => (lit.value(), lit.to_token_stream()),
                        None => (ident.unraw().to_string(), ident.to_token_stream()),
                    };
                    LabelDef {
                        ident,
                        field: ident.unraw().to_string(),
                        name,
                        name_tokens,
                        ty: &field.ty,
                        retires: attrs.retires,
                    }
                })
                .collect(),
            _ => Vec::new(),
        };
        Self {
            variant,
            kinds,
            help: help_text(&variant.attrs),
            name,
            name_tokens,
            fn_name,
            labels,
        }
    }

    /// The single kind, once validation has checked there is one.
    pub(crate) fn kind(&self) -> &KindAttr {
        &self.kinds[0]
    }

    /// The kind attribute's name, for messages; `counter` when the kind is
    /// missing (an error of its own).
    pub(crate) fn kind_attribute_name(&self) -> &'static str {
        self.kinds
            .first()
            .map_or("counter", |k| k.kind.attribute_name())
    }

    /// The recording function's identifier, raw where the name is a keyword.
    pub(crate) fn fn_ident(&self) -> Option<syn::Ident> {
        let span = self.variant.ident.span();
        if syn::parse_str::<syn::Ident>(&self.fn_name).is_ok() {
            Some(syn::Ident::new(&self.fn_name, span))
        } else {
            // `self`, `super`, `crate` and `Self` have no raw form.
            syn::parse_str::<syn::Ident>(&format!("r#{}", self.fn_name))
                .ok()
                .map(|_| syn::Ident::new_raw(&self.fn_name, span))
        }
    }

    pub(crate) fn ident_span(&self) -> Span {
        self.variant.ident.span()
    }
}

/// The HELP text: the doc comment's lines, each trimmed, empty ones dropped,
/// joined by single spaces.
fn help_text(attrs: &[syn::Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs {
        if let syn::Meta::NameValue(nv) = &attr.meta {
            if nv.path.is_ident("doc") {
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &nv.value
                {
                    lines.push(s.value());
                }
            }
        }
    }
    let joined = lines.join("\n");
    joined.split_whitespace().collect::<Vec<_>>().join(" ")
}
