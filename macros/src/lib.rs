//! Procedural macros for [enumeter](https://docs.rs/enumeter): use them
//! through the `enumeter` crate, which re-exports them and holds the runtime
//! that their expansions call.
//!
//! Each macro reads parse → validate → expand: `ast.rs` builds a typed model
//! of the input (with `attr.rs` parsing the attributes), `valid.rs` checks it,
//! and `expand.rs` emits tokens from a model known to be valid. Every user
//! error is a `syn::Error` on the offending token, and all errors of one input
//! are reported together.

mod case;
mod decimal;
mod errors;
mod label_value;
mod meta;
mod metrics;
mod runtime_label;

use proc_macro::TokenStream;

/// Derives `enumeter::LabelValue` for a fieldless enum.
///
/// This is the implementation in `enumeter-macros`: depend on `enumeter`,
/// which re-exports it with a reference of every attribute.
#[proc_macro_derive(LabelValue, attributes(label))]
pub fn derive_label_value(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    label_value::derive(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Turns an enum into a metric group.
///
/// This is the implementation in `enumeter-macros`: depend on `enumeter`,
/// which re-exports it with a reference of every attribute.
#[proc_macro_attribute]
pub fn metrics(args: TokenStream, input: TokenStream) -> TokenStream {
    metrics::expand(args.into(), input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Checks the capacity of an `enumeter::runtime_label!` where it is written;
/// for that macro only.
#[doc(hidden)]
#[proc_macro]
pub fn __runtime_label_capacity(input: TokenStream) -> TokenStream {
    runtime_label::check(input.into()).into()
}
