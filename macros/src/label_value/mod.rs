//! `#[derive(LabelValue)]`.

mod ast;
mod attr;
mod expand;
mod valid;

use proc_macro2::TokenStream;

use crate::errors::Errors;

pub(crate) fn derive(input: &syn::DeriveInput) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let model = ast::LabelEnum::from_syn(input, &mut errors);
    if let Some(model) = &model {
        valid::check(model, &mut errors);
    }
    errors.finish()?;
    let model = model.expect("a model exists when there are no errors");
    Ok(expand::expand(&model))
}
