//! Helpers for parsing `#[name(key = value, flag)]` attribute arguments.

use syn::meta::ParseNestedMeta;

use crate::errors::Errors;

/// Records "unknown key" on the key itself, listing the accepted keys, and
/// skips the key's value so that the keys after it are still checked.
pub(crate) fn unknown_key(
    meta: &ParseNestedMeta<'_>,
    attribute: &str,
    accepted: &str,
    errors: &mut Errors,
) -> syn::Result<()> {
    let key = meta
        .path
        .get_ident()
        .map_or_else(|| "this key".to_owned(), |i| format!("`{i}`"));
    errors.spanned(
        &meta.path,
        format!("unknown key {key} in #[{attribute}(...)]; accepted keys: {accepted}"),
    );
    skip_value(meta)
}

/// Consumes `= value` or `(...)` after a key, if present.
pub(crate) fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| skip_value(&inner))?;
    }
    Ok(())
}

/// Stores `value` in `slot`, or records a "given twice" error on the key.
pub(crate) fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    meta: &ParseNestedMeta<'_>,
    errors: &mut Errors,
) {
    if slot.is_some() {
        errors.spanned(&meta.path, "this key is given twice; keep one");
    } else {
        *slot = Some(value);
    }
}

/// Reads a flag (a key without a value). A flag written with one (`other =
/// true`) is an error that says it is a flag; `usage` is how to write it.
/// Returns whether the flag is set.
pub(crate) fn flag(
    meta: &ParseNestedMeta<'_>,
    usage: &str,
    errors: &mut Errors,
) -> syn::Result<bool> {
    if !meta.input.peek(syn::Token![=]) {
        return Ok(true);
    }
    let key = meta
        .path
        .get_ident()
        .map_or_else(String::new, ToString::to_string);
    let value: syn::Expr = meta.value()?.parse()?;
    let path = &meta.path;
    errors.spanned(
        quote::quote!(#path = #value),
        format!("`{key}` is a flag and takes no value: write {usage}"),
    );
    Ok(false)
}
