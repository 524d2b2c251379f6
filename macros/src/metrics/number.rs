//! Numbers written in the attributes: bucket lists and their generators,
//! quantiles and single settings, each read at compile time with an error
//! on the token that is not a number literal.

use proc_macro2::TokenStream;
use quote::ToTokens;

use crate::errors::Errors;

/// A number as written, with its tokens for errors.
#[derive(Clone)]
pub(crate) struct Number {
    pub(crate) value: f64,
    pub(crate) tokens: TokenStream,
}

const BUCKETS_HELP: &str = "write `buckets = [0.1, 0.5, 1.0]`, \
    `buckets = exponential(start, factor, count)` or `buckets = linear(start, width, count)`";

/// `[a, b, ...]`, `exponential(start, factor, count)` or
/// `linear(start, width, count)`, evaluated here at compile time.
pub(super) fn bucket_list(expr: &syn::Expr, errors: &mut Errors) -> Option<Vec<Number>> {
    let syn::Expr::Call(call) = expr else {
        return number_list(expr, List::Buckets, errors);
    };
    let generator = match &*call.func {
        syn::Expr::Path(p) if p.path.is_ident("exponential") => "exponential",
        syn::Expr::Path(p) if p.path.is_ident("linear") => "linear",
        other => {
            errors.spanned(other, format!("unknown bucket generator; {BUCKETS_HELP}"));
            return None;
        }
    };
    let args: Vec<Number> = call
        .args
        .iter()
        .map(|a| number(a, List::Setting, errors))
        .collect::<Option<_>>()?;
    let [start, step, count] = args.as_slice() else {
        errors.spanned(
            &call.args,
            format!(
                "{generator} takes three arguments: (start, {}, count)",
                if generator == "linear" {
                    "width"
                } else {
                    "factor"
                }
            ),
        );
        return None;
    };
    let whole = count.value.fract() == 0.0 && count.value >= 1.0 && count.value <= 1000.0;
    if !whole {
        errors.spanned(
            &count.tokens,
            "count is a whole number of buckets from 1 to 1000",
        );
        return None;
    }
    if generator == "exponential" {
        if start.value <= 0.0 {
            errors.spanned(&start.tokens, "exponential buckets start above 0");
            return None;
        }
        if step.value <= 1.0 {
            errors.spanned(&step.tokens, "exponential buckets need a factor above 1");
            return None;
        }
    } else if step.value <= 0.0 {
        errors.spanned(&step.tokens, "linear buckets need a width above 0");
        return None;
    }
    let tokens = expr.to_token_stream();
    let bound = |i: i32| {
        if generator == "exponential" {
            start.value * step.value.powi(i)
        } else {
            start.value + step.value * f64::from(i)
        }
    };
    let count = count.value as i32;
    if let Some(i) = (0..count).find(|&i| !bound(i).is_finite()) {
        errors.spanned(
            expr,
            format!(
                "this generator overflows f64: bound {} of {count} ({}) is past f64::MAX; \
                 keep the count at most {i}{}",
                i + 1,
                if generator == "exponential" {
                    format!("start × factor^{i}")
                } else {
                    format!("start + width × {i}")
                },
                if generator == "exponential" {
                    " or lower the factor"
                } else {
                    " or narrow the width"
                }
            ),
        );
        return None;
    }
    let values = (0..count).map(|i| Number {
        value: bound(i),
        tokens: tokens.clone(),
    });
    Some(values.collect())
}

/// Which list a number belongs to, for the error when it is not a literal.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum List {
    Buckets,
    Quantiles,
    /// A single setting (`max_age_secs = 60`) or a generator's argument.
    Setting,
}

impl List {
    fn key(self) -> &'static str {
        match self {
            List::Buckets => "buckets",
            List::Quantiles => "quantiles",
            List::Setting => "this setting",
        }
    }
}

/// `[a, b, ...]` of numbers.
pub(super) fn number_list(
    expr: &syn::Expr,
    list: List,
    errors: &mut Errors,
) -> Option<Vec<Number>> {
    let syn::Expr::Array(array) = expr else {
        let how = match list {
            List::Buckets => {
                format!("buckets must be written out in the attribute; {BUCKETS_HELP}")
            }
            _ => "quantiles must be written out in the attribute: `quantiles = [0.5, 0.9, 0.99]`"
                .to_owned(),
        };
        let why = if matches!(expr, syn::Expr::Path(_)) {
            " (the macro reads the tokens at compile time and cannot see what a \
             `const` holds)"
        } else {
            ""
        };
        errors.spanned(expr, format!("{how}{why}"));
        return None;
    };
    let mut ok = true;
    let mut values = Vec::new();
    for elem in &array.elems {
        match number(elem, list, errors) {
            Some(n) => values.push(n),
            None => ok = false,
        }
    }
    ok.then_some(values)
}

/// A setting's number: an integer or float literal, optionally negated.
pub(crate) fn setting(expr: &syn::Expr, errors: &mut Errors) -> Option<Number> {
    number(expr, List::Setting, errors)
}

/// An integer or float literal, optionally negated.
pub(super) fn number(expr: &syn::Expr, list: List, errors: &mut Errors) -> Option<Number> {
    let (negative, inner) = match expr {
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => (true, &**expr),
        _ => (false, expr),
    };
    let value = match inner {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Float(f),
            ..
        }) => f.base10_parse::<f64>().ok(),
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => i.base10_parse::<u64>().ok().map(|v| v as f64),
        _ => None,
    };
    if let Some(v) = value {
        return Some(Number {
            value: if negative { -v } else { v },
            tokens: expr.to_token_stream(),
        });
    }
    let last = match inner {
        syn::Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    };
    let message = match (last.as_deref(), list) {
        (Some("NAN" | "nan" | "NaN"), List::Buckets) => {
            "NaN is not a bucket bound: remove it (NaN observations are dropped and \
             counted, never bucketed)"
                .to_owned()
        }
        (Some("INFINITY" | "inf" | "Inf" | "INF"), List::Buckets) if !negative => {
            "remove the infinite bound: the +Inf bucket is implicit, every histogram \
             has it"
                .to_owned()
        }
        (Some("NAN" | "nan" | "NaN" | "INFINITY" | "NEG_INFINITY" | "inf"), List::Quantiles) => {
            "a quantile is a number between 0 and 1, both excluded (0.99 for the 99th \
             percentile)"
                .to_owned()
        }
        (Some("NAN" | "nan" | "NaN" | "INFINITY" | "NEG_INFINITY" | "inf" | "Inf" | "INF"), _) => {
            "bucket bounds and settings are finite numbers".to_owned()
        }
        (Some(_), _) => format!(
            "{} must be written as number literals: the macro reads them at compile \
             time and cannot see what a `const` holds{}",
            list.key(),
            if list == List::Buckets {
                format!("; {BUCKETS_HELP}")
            } else {
                String::new()
            }
        ),
        (None, _) => "expected a number literal".to_owned(),
    };
    errors.spanned(expr, message);
    None
}
