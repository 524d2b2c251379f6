//! The typed model of a label enum.

use proc_macro2::Span;
use syn::spanned::Spanned;

use super::attr::{self, CodeRange};
use crate::errors::Errors;

pub(crate) struct LabelEnum<'a> {
    pub(crate) original: &'a syn::DeriveInput,
    pub(crate) data: &'a syn::DataEnum,
    pub(crate) variants: Vec<LabelVariant<'a>>,
}

pub(crate) struct LabelVariant<'a> {
    pub(crate) original: &'a syn::Variant,
    /// The exposition name, after `name = ...` or `rename_all`.
    pub(crate) name: String,
    /// Where the name came from: the `name = "..."` literal, or the variant.
    pub(crate) name_span: Span,
    pub(crate) other: Option<syn::Path>,
    pub(crate) codes: Vec<CodeRange>,
}

impl<'a> LabelEnum<'a> {
    /// The model, or `None` (with an error recorded) when the input is not an
    /// enum at all.
    pub(crate) fn from_syn(input: &'a syn::DeriveInput, errors: &mut Errors) -> Option<Self> {
        let data = match &input.data {
            syn::Data::Enum(data) => data,
            syn::Data::Struct(s) => {
                errors.spanned(
                    s.struct_token,
                    "LabelValue is derived on a fieldless enum, one variant per label value; \
                     write `enum` with unit variants",
                );
                return None;
            }
            syn::Data::Union(u) => {
                errors.spanned(
                    u.union_token,
                    "LabelValue is derived on a fieldless enum, one variant per label value",
                );
                return None;
            }
        };
        let enum_attrs = attr::enum_attrs(&input.attrs, errors);
        let variants = data
            .variants
            .iter()
            .map(|variant| {
                let attrs = attr::variant_attrs(&variant.attrs, errors);
                let (name, name_span) = match &attrs.name {
                    Some(lit) => (lit.value(), lit.span()),
                    None => {
                        let ident = variant.ident.to_string();
                        let name = match enum_attrs.rename_all {
                            Some(rule) => rule.apply(&ident),
                            None => ident,
                        };
                        (name, variant.ident.span())
                    }
                };
                LabelVariant {
                    original: variant,
                    name,
                    name_span,
                    other: attrs.other,
                    codes: attrs.codes,
                }
            })
            .collect();
        Some(Self {
            original: input,
            data,
            variants,
        })
    }

    pub(crate) fn ident(&self) -> &'a syn::Ident {
        &self.original.ident
    }

    pub(crate) fn other(&self) -> Option<&LabelVariant<'a>> {
        self.variants.iter().find(|v| v.other.is_some())
    }

    pub(crate) fn has_codes(&self) -> bool {
        self.variants.iter().any(|v| !v.codes.is_empty())
    }

    /// The span of `enum Name`, for errors about the enum as a whole.
    pub(crate) fn enum_span(&self) -> Span {
        self.data
            .enum_token
            .span()
            .join(self.ident().span())
            .unwrap_or_else(|| self.ident().span())
    }
}
