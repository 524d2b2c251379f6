//! `runtime_label!`'s capacity, checked where it is written: a capacity
//! that is no number the macro can read (a `const`, say) is checked by a
//! constant assertion instead.

use proc_macro2::TokenStream;
use quote::quote;

use enumeter_common::runtime_label::{capacity_ok, MAX_CAPACITY};

/// Nothing for a capacity in range, an error on its tokens for one out of
/// it, and a constant assertion for one the macro cannot evaluate.
pub(crate) fn check(input: TokenStream) -> TokenStream {
    let mut expr: syn::Expr = match syn::parse2(input) {
        Ok(expr) => expr,
        Err(error) => return error.into_compile_error(),
    };
    // `runtime_label!` hands the capacity over in an invisible group,
    // spanned at its own call: the error goes on the tokens inside.
    while let syn::Expr::Group(group) = expr {
        expr = *group.expr;
    }
    match value(&expr) {
        Some(capacity) if capacity_ok(capacity) => TokenStream::new(),
        Some(0) => syn::Error::new_spanned(
            &expr,
            "a runtime label holds at least one value: write `capacity = 1` or more",
        )
        .into_compile_error(),
        Some(_) => syn::Error::new_spanned(
            &expr,
            format!(
                "a runtime label holds at most {MAX_CAPACITY} values: its tables are static, \
                 and every metric labelled by it keeps a cell per value; use a smaller \
                 capacity, or an enum label"
            ),
        )
        .into_compile_error(),
        None => {
            let message =
                format!("a runtime label's capacity is at least 1 and at most {MAX_CAPACITY}");
            quote! {
                const _: () = ::core::assert!(
                    ::enumeter::__private::runtime_label_capacity_ok(#expr),
                    #message
                );
            }
        }
    }
}

/// The value of a capacity written as an integer, or as one built with
/// `+`, `-`, `*`, `<<` and parentheses (`1 << 10`); `None` for anything
/// else, or on overflow.
fn value(expr: &syn::Expr) -> Option<usize> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        }) => int.base10_parse().ok(),
        syn::Expr::Paren(inner) => value(&inner.expr),
        syn::Expr::Group(inner) => value(&inner.expr),
        syn::Expr::Binary(binary) => {
            let (left, right) = (value(&binary.left)?, value(&binary.right)?);
            match binary.op {
                syn::BinOp::Add(_) => left.checked_add(right),
                syn::BinOp::Sub(_) => left.checked_sub(right),
                syn::BinOp::Mul(_) => left.checked_mul(right),
                syn::BinOp::Shl(_) => u32::try_from(right).ok().and_then(|r| left.checked_shl(r)),
                _ => None,
            }
        }
        _ => None,
    }
}
