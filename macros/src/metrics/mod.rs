//! `#[metrics]`: an enum whose variants are metrics.

mod ast;
mod attr;
mod expand;
mod number;
mod objective;
mod valid;

use proc_macro2::TokenStream;

use crate::errors::Errors;

pub(crate) fn expand(args: TokenStream, input: TokenStream) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let group_attrs = attr::group_attrs(args, &mut errors);
    let item: syn::Item = syn::parse2(input)?;
    let syn::Item::Enum(item) = item else {
        return Err(syn::Error::new_spanned(
            item,
            "#[metrics] goes on an enum whose variants are the metrics",
        ));
    };
    let model = ast::Group::from_syn(&item, group_attrs, &mut errors);
    valid::check(&model, &mut errors);
    errors.finish()?;
    Ok(expand::expand(&model))
}
