//! `#[label(...)]` on a label enum and on its variants, parsed into plain data.

use proc_macro2::TokenStream;
use quote::ToTokens;

use crate::case::RenameRule;
use crate::errors::Errors;
use crate::meta::{set_once, unknown_key};

/// `#[label(rename_all = "...")]` on the enum.
#[derive(Default)]
pub(crate) struct EnumAttrs {
    pub(crate) rename_all: Option<RenameRule>,
}

/// `#[label(name = "...", other, codes = ...)]` on a variant.
#[derive(Default)]
pub(crate) struct VariantAttrs {
    pub(crate) name: Option<syn::LitStr>,
    pub(crate) other: Option<syn::Path>,
    pub(crate) codes: Vec<CodeRange>,
}

/// An inclusive range of integer codes, with the tokens it was written as.
pub(crate) struct CodeRange {
    pub(crate) low: u16,
    pub(crate) high: u16,
    pub(crate) tokens: TokenStream,
}

fn label_attrs(attrs: &[syn::Attribute]) -> impl Iterator<Item = &syn::Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("label"))
}

pub(crate) fn enum_attrs(attrs: &[syn::Attribute], errors: &mut Errors) -> EnumAttrs {
    let mut out = EnumAttrs::default();
    for attr in label_attrs(attrs) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename_all") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                match RenameRule::from_name(&lit.value()) {
                    Some(rule) => set_once(&mut out.rename_all, rule, &meta, errors),
                    None => errors.spanned(
                        &lit,
                        format!("unknown case rule; accepted: {}", RenameRule::ACCEPTED),
                    ),
                }
                Ok(())
            } else if meta.path.is_ident("name")
                || meta.path.is_ident("other")
                || meta.path.is_ident("codes")
            {
                let key = meta.path.get_ident().map(ToString::to_string);
                errors.spanned(
                    &meta.path,
                    format!(
                        "`{}` belongs on a variant, not on the enum: \
                         `#[label({})]` above the variant it names; the enum accepts: \
                         rename_all",
                        key.as_deref().unwrap_or_default(),
                        match key.as_deref() {
                            Some("other") => "other",
                            Some("codes") => "codes = ...",
                            _ => "name = \"...\"",
                        }
                    ),
                );
                crate::meta::skip_value(&meta)
            } else {
                unknown_key(&meta, "label", "rename_all", errors)
            }
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    out
}

pub(crate) fn variant_attrs(attrs: &[syn::Attribute], errors: &mut Errors) -> VariantAttrs {
    let mut out = VariantAttrs::default();
    for attr in label_attrs(attrs) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                set_once(&mut out.name, lit, &meta, errors);
            } else if meta.path.is_ident("other") {
                let path = meta.path.clone();
                if crate::meta::flag(&meta, "`#[label(other)]`", errors)? {
                    set_once(&mut out.other, path, &meta, errors);
                }
            } else if meta.path.is_ident("codes") {
                let expr: syn::Expr = meta.value()?.parse()?;
                parse_codes(&expr, &mut out.codes, errors);
            } else if meta.path.is_ident("rename_all") {
                errors.spanned(
                    &meta.path,
                    "`rename_all` belongs on the enum, not on a variant: \
                     `#[label(rename_all = \"...\")]` above `enum`; a variant accepts: \
                     name, other, codes",
                );
                crate::meta::skip_value(&meta)?;
            } else {
                unknown_key(&meta, "label", "name, other, codes", errors)?;
            }
            Ok(())
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    out
}

const CODES_HELP: &str = "write `codes = 200..=299`, `codes = 404`, an open range \
    (`..=99`, `600..`), or a list of these in brackets";

/// `200..=299`, `200..300`, `..=99`, `600..`, `404`, or `[a, b, ...]` of those.
fn parse_codes(expr: &syn::Expr, out: &mut Vec<CodeRange>, errors: &mut Errors) {
    match expr {
        syn::Expr::Array(array) => {
            for elem in &array.elems {
                parse_codes(elem, out, errors);
            }
        }
        syn::Expr::Lit(_) => {
            if let Some(code) = code_literal(expr, errors) {
                out.push(CodeRange {
                    low: code,
                    high: code,
                    tokens: expr.to_token_stream(),
                });
            }
        }
        syn::Expr::Range(range) => {
            let low = match &range.start {
                Some(start) => code_literal(start, errors),
                None => Some(0),
            };
            let high = match (&range.end, &range.limits) {
                (Some(end), syn::RangeLimits::Closed(_)) => code_literal(end, errors),
                (Some(end), syn::RangeLimits::HalfOpen(_)) => {
                    code_literal(end, errors).and_then(|e| match e.checked_sub(1) {
                        Some(high) => Some(high),
                        None => {
                            errors.spanned(end, "`..0` contains no code");
                            None
                        }
                    })
                }
                (None, _) => Some(u16::MAX),
            };
            if let (Some(low), Some(high)) = (low, high) {
                if low > high {
                    errors.spanned(range, "this range is empty: its start is after its end");
                } else {
                    out.push(CodeRange {
                        low,
                        high,
                        tokens: expr.to_token_stream(),
                    });
                }
            }
        }
        _ => errors.spanned(expr, format!("expected codes; {CODES_HELP}")),
    }
}

fn code_literal(expr: &syn::Expr, errors: &mut Errors) -> Option<u16> {
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Int(int),
        ..
    }) = expr
    else {
        errors.spanned(expr, format!("expected an integer code; {CODES_HELP}"));
        return None;
    };
    match int.base10_parse::<u16>() {
        Ok(code) => Some(code),
        Err(_) => {
            errors.spanned(int, "codes are u16 values: 0 to 65535");
            None
        }
    }
}
