//! Objectives and threshold alerts in a kind attribute:
//! `objective(name = "...", target = 0.99, below = 0.3, by = [route])` on
//! a histogram, `objective(name = "...", target = 0.999, bad(code_class =
//! [Server]))` on a counter, `alert(name = "...", above = 1000, severity =
//! "warning", description = "...")` on a gauge or counter. Parsed here,
//! checked against the metric and its group in `valid.rs`, turned into the
//! group's `objectives()` in `expand.rs`.

pub(crate) mod expand;
pub(crate) mod valid;

use syn::meta::ParseNestedMeta;

use super::number::{setting, Number};
use crate::errors::Errors;
use crate::meta::{set_once, unknown_key};

/// `objective(...)`, every key optional here (validation says what is
/// missing).
pub(crate) struct ObjectiveAttr {
    /// The `objective` key, for errors about the whole.
    pub(crate) path: syn::Path,
    pub(crate) name: Option<syn::LitStr>,
    pub(crate) target: Option<Number>,
    pub(crate) window_days: Option<Number>,
    /// Latency: the threshold.
    pub(crate) below: Option<Number>,
    /// Availability: the `bad` key, and each label with its bad values,
    /// as written.
    pub(crate) bad: Option<(syn::Path, Vec<BadLabel>)>,
    /// `exclude(...)`: the `exclude` key, and each label with the values
    /// whose events the objective leaves out, as written.
    pub(crate) exclude: Option<(syn::Path, Vec<BadLabel>)>,
    /// The labels to keep ratios per value of.
    pub(crate) by: Vec<syn::Ident>,
}

/// A label named in `bad(...)`, and its bad values.
pub(crate) struct BadLabel {
    pub(crate) label: syn::Ident,
    /// The values that parsed.
    pub(crate) values: Vec<BadValue>,
    /// How many were written, those refused included: a list whose every
    /// value was refused is not also told it lists none.
    pub(crate) written: usize,
}

/// A bad value as written: a variant of the label's enum (`ServerError`),
/// an associated item (a runtime label's `OTHER`), a path to one
/// (`CodeClass::ServerError`), or `true`/`false` for a `bool` label. The
/// expansion hands it to the label type, so that rustc says what is wrong
/// with it, on it.
#[derive(Clone)]
pub(crate) enum BadValue {
    /// A bare name, read as `<Label>::Name`.
    Variant(syn::Ident),
    /// A path or a `bool`, read as written.
    Written(syn::Expr),
}

impl BadValue {
    /// The value as an expression of the label type `ty`.
    pub(crate) fn expr(&self, ty: &syn::Type) -> proc_macro2::TokenStream {
        match self {
            BadValue::Variant(ident) => quote::quote_spanned!(ident.span()=> <#ty>::#ident),
            BadValue::Written(expr) => quote::quote!(#expr),
        }
    }
}

impl PartialEq for BadValue {
    fn eq(&self, other: &Self) -> bool {
        use quote::ToTokens;
        self.to_token_stream().to_string() == other.to_token_stream().to_string()
    }
}

impl quote::ToTokens for BadValue {
    fn to_tokens(&self, tokens: &mut proc_macro2::TokenStream) {
        match self {
            BadValue::Variant(ident) => ident.to_tokens(tokens),
            BadValue::Written(expr) => expr.to_tokens(tokens),
        }
    }
}

/// `alert(...)`.
pub(crate) struct AlertAttr {
    pub(crate) path: syn::Path,
    pub(crate) name: Option<syn::LitStr>,
    pub(crate) severity: Option<syn::LitStr>,
    pub(crate) description: Option<syn::LitStr>,
    pub(crate) above: Option<Number>,
    pub(crate) below: Option<Number>,
    /// Another metric of the group (its variant) to divide by.
    pub(crate) over: Option<syn::Ident>,
}

const OBJECTIVE_KEYS: &str =
    "name, target, below (histograms), bad (counters), window_days, by, exclude";
const ALERT_KEYS: &str = "name, above, below, over, severity, description";

/// Parses `objective(...)`; `meta` is at the `objective` key.
pub(crate) fn objective(
    meta: &ParseNestedMeta<'_>,
    errors: &mut Errors,
) -> syn::Result<ObjectiveAttr> {
    let mut out = ObjectiveAttr {
        path: meta.path.clone(),
        name: None,
        target: None,
        window_days: None,
        below: None,
        bad: None,
        exclude: None,
        by: Vec::new(),
    };
    if !meta.input.peek(syn::token::Paren) {
        errors.spanned(
            &meta.path,
            "an objective says what it aims at: `objective(name = \"checkout-latency\", \
             target = 0.99, below = 0.3)` on a histogram, `objective(name = \
             \"checkout-availability\", target = 0.999, bad(code_class = [ServerError]))` \
             on a counter",
        );
        return Ok(out);
    }
    meta.parse_nested_meta(|inner| {
        let key = key_of(&inner);
        match key.as_str() {
            "name" => {
                let lit: syn::LitStr = inner.value()?.parse()?;
                set_once(&mut out.name, lit, &inner, errors);
            }
            "target" | "window_days" | "below" => {
                let expr: syn::Expr = inner.value()?.parse()?;
                if let Some(n) = setting(&expr, errors) {
                    let slot = match key.as_str() {
                        "target" => &mut out.target,
                        "window_days" => &mut out.window_days,
                        _ => &mut out.below,
                    };
                    set_once(slot, n, &inner, errors);
                }
            }
            "by" => {
                let list: syn::ExprArray = inner.value()?.parse()?;
                for elem in &list.elems {
                    match ident_of(elem) {
                        Some(ident) => out.by.push(ident),
                        None => errors.spanned(elem, "`by` lists label names: `by = [route]`"),
                    }
                }
            }
            "bad" | "exclude" => {
                let mut labels = Vec::new();
                inner.parse_nested_meta(|label| {
                    let Some(ident) = label.path.get_ident().cloned() else {
                        errors.spanned(&label.path, "expected a label name");
                        return crate::meta::skip_value(&label);
                    };
                    let list: syn::ExprArray = label.value()?.parse()?;
                    let mut values = Vec::new();
                    for elem in &list.elems {
                        match bad_value(elem) {
                            Ok(value) => values.push(value),
                            Err(why) => errors.spanned(elem, why(&key, &ident.to_string())),
                        }
                    }
                    labels.push(BadLabel {
                        label: ident,
                        written: list.elems.len(),
                        values,
                    });
                    Ok(())
                })?;
                let slot = if key == "bad" {
                    &mut out.bad
                } else {
                    &mut out.exclude
                };
                set_once(slot, (inner.path.clone(), labels), &inner, errors);
            }
            _ => unknown_key(&inner, "objective", OBJECTIVE_KEYS, errors)?,
        }
        Ok(())
    })?;
    Ok(out)
}

/// Parses `alert(...)`; `meta` is at the `alert` key.
pub(crate) fn alert(meta: &ParseNestedMeta<'_>, errors: &mut Errors) -> syn::Result<AlertAttr> {
    let mut out = AlertAttr {
        path: meta.path.clone(),
        name: None,
        severity: None,
        description: None,
        above: None,
        below: None,
        over: None,
    };
    if !meta.input.peek(syn::token::Paren) {
        errors.spanned(
            &meta.path,
            "an alert says when it fires: `alert(name = \"token-surge\", above = 10000, \
             severity = \"warning\", description = \"...\")`",
        );
        return Ok(out);
    }
    meta.parse_nested_meta(|inner| {
        let key = key_of(&inner);
        match key.as_str() {
            "name" | "severity" | "description" => {
                let lit: syn::LitStr = inner.value()?.parse()?;
                let slot = match key.as_str() {
                    "name" => &mut out.name,
                    "severity" => &mut out.severity,
                    _ => &mut out.description,
                };
                set_once(slot, lit, &inner, errors);
            }
            "above" | "below" => {
                let expr: syn::Expr = inner.value()?.parse()?;
                if let Some(n) = setting(&expr, errors) {
                    let slot = if key == "above" {
                        &mut out.above
                    } else {
                        &mut out.below
                    };
                    set_once(slot, n, &inner, errors);
                }
            }
            "over" => {
                let expr: syn::Expr = inner.value()?.parse()?;
                match ident_of(&expr) {
                    Some(ident) => set_once(&mut out.over, ident, &inner, errors),
                    None => errors.spanned(
                        expr,
                        "`over` names another metric of the group by its variant: \
                         `over = CacheLookupsTotal`",
                    ),
                }
            }
            _ => unknown_key(&inner, "alert", ALERT_KEYS, errors)?,
        }
        Ok(())
    })?;
    Ok(out)
}

fn key_of(meta: &ParseNestedMeta<'_>) -> String {
    meta.path
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// A bare identifier (`route`, `ServerError`).
/// A bad value as written, or what to say about it (given the label's
/// name, for an example in the user's own words).
fn bad_value(expr: &syn::Expr) -> Result<BadValue, fn(&str, &str) -> String> {
    if let Some(ident) = ident_of(expr) {
        return Ok(BadValue::Variant(ident));
    }
    match expr {
        syn::Expr::Path(p) if p.qself.is_none() => Ok(BadValue::Written(expr.clone())),
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Bool(_),
            ..
        }) => Ok(BadValue::Written(expr.clone())),
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(_),
            ..
        }) => Err(|key, label| {
            format!(
                "{key} values are written as values of the label's type, not as their names: \
                 the variant named so, `{key}({label} = [ServerError])`"
            )
        }),
        _ => Err(|key, label| {
            format!(
                "{key} values are values of the label's type: a variant, \
                 `{key}({label} = [ServerError])`, or `true` or `false` for a `bool` label"
            )
        }),
    }
}

fn ident_of(expr: &syn::Expr) -> Option<syn::Ident> {
    match expr {
        syn::Expr::Path(p) if p.qself.is_none() => p.path.get_ident().cloned(),
        _ => None,
    }
}
