//! Emits the inherent items and the `LabelValue` impl of a checked label enum.

use enumeter_common::names::quoted_inner;
use proc_macro2::TokenStream;
use quote::quote;

use super::ast::LabelEnum;

pub(crate) fn expand(model: &LabelEnum<'_>) -> TokenStream {
    let ident = model.ident();
    let variants: Vec<_> = model.variants.iter().map(|v| &v.original.ident).collect();
    let names: Vec<_> = model.variants.iter().map(|v| &v.name).collect();
    let cardinality = model.variants.len();
    // Every item below is linear in the number of values: the names once,
    // lookups through tables of integers, and values made by `match`es of
    // at most `CHUNK` arms (see `expand_from_index`), each variant named
    // once. There is no constant array of values: rustc checks each enum
    // value in a constant with a search through the variants, quadratic in
    // the enum's size (25 s per array for 100,000 values), and a match with
    // an arm per value on a string gave the optimiser a chain it took 22 s
    // to work through for 10,000 values.
    // Escaped once here rather than on every scrape, and stored only where
    // some name needs it.
    let escaped: Vec<String> = names.iter().map(|n| quoted_inner(n)).collect();
    let escaped_names = if escaped.iter().zip(&names).all(|(e, n)| e == *n) {
        quote!(::core::option::Option::Some(&Self::NAMES))
    } else {
        quote!(::core::option::Option::Some(&[#(#escaped),*]))
    };
    // The values' indices, sorted by name, for a binary search.
    let mut by_name: Vec<usize> = (0..cardinality).collect();
    by_name.sort_by_key(|&i| names[i]);
    let by_name = by_name.iter().map(|&i| i as u32);
    // Declaration order is the index: the discriminant itself when none is
    // written, arithmetic on it when they step evenly, else a `match`.
    let index = if model
        .variants
        .iter()
        .all(|v| v.original.discriminant.is_none())
    {
        quote!(self as usize)
    } else if let Some((first, step)) = even_discriminants(model) {
        // Modulo 2^64, where the distance from the first discriminant is
        // exact (`even_discriminants` checked that it fits), with no i128
        // division on the recording path.
        let first = first as u64;
        let distance = if step > 0 {
            quote!((self as u64).wrapping_sub(#first))
        } else {
            quote!(#first.wrapping_sub(self as u64))
        };
        match step.unsigned_abs() as u64 {
            1 => quote!(#distance as usize),
            step => quote!((#distance / #step) as usize),
        }
    } else {
        let indices = 0..cardinality;
        quote!(match self { #(Self::#variants => #indices,)* })
    };

    let from_name_or_other = model.other().map(|other| {
        let other = &other.original.ident;
        quote! {
            /// The value named `name`, or the catch-all
            #[doc = concat!("`", stringify!(#other), "`")]
            /// for a name that matches no value.
            pub fn from_name_or_other(name: &str) -> Self {
                match Self::from_name(name) {
                    ::core::option::Option::Some(value) => value,
                    ::core::option::Option::None => Self::#other,
                }
            }
        }
    });
    let from_index = expand_from_index(ident, &variants);
    let from_code = model.has_codes().then(|| expand_from_code(model));

    quote! {
        #[automatically_derived]
        impl #ident {
            /// How many distinct values this label has.
            pub const CARDINALITY: usize = #cardinality;
            /// The exposition name of every value, in index order.
            pub const NAMES: [&'static str; #cardinality] = [#(#names),*];

            /// The dense index of this value, in `0..CARDINALITY`.
            #[inline]
            pub const fn index(self) -> usize {
                #index
            }

            #from_index

            /// Every value, in index order.
            #[inline]
            pub fn all() -> ::enumeter::__private::LabelValues<Self> {
                ::enumeter::__private::LabelValues::new()
            }

            /// The name this value has in the exposition.
            #[inline]
            pub const fn as_str(self) -> &'static str {
                Self::NAMES[self.index()]
            }

            /// The value whose exposition name is `name`, if there is one.
            pub fn from_name(name: &str) -> ::core::option::Option<Self> {
                const BY_NAME: [u32; #cardinality] = [#(#by_name),*];
                BY_NAME
                    .binary_search_by(|&i| Self::NAMES[i as usize].cmp(name))
                    .ok()
                    .and_then(|at| Self::from_index(BY_NAME[at] as usize))
            }

            #from_name_or_other
            #from_code
        }

        // Kept out of "the following other types implement `LabelValue`"
        // when some other type is not a label value: the user's own enums
        // and the crate's internal ones are not what they were after.
        #[automatically_derived]
        #[diagnostic::do_not_recommend]
        impl ::enumeter::__private::LabelValue for #ident {
            const CARDINALITY: usize = #cardinality;
            const NAMES: &'static [&'static str] = &Self::NAMES;
            const ESCAPED_NAMES: ::core::option::Option<&'static [&'static str]> =
                #escaped_names;

            #[inline]
            fn index(self) -> usize {
                // Inherent associated functions take precedence over trait
                // ones, so this is the `const fn` above.
                #ident::index(self)
            }

            #[inline]
            fn from_index(index: usize) -> ::core::option::Option<Self> {
                #ident::from_index(index)
            }

            fn from_name(name: &str) -> ::core::option::Option<Self> {
                #ident::from_name(name)
            }

            #[inline]
            fn as_str(self) -> &'static str {
                #ident::as_str(self)
            }
        }
    }
}

/// `(first, step)` when every written discriminant is an integer literal
/// and the discriminants, written or implied (one more than the previous),
/// step evenly in declaration order (`A = 10, B = 20, C = 30`), all within
/// 64 bits: the index is then `(discriminant - first) / step`. Otherwise `index` is a `match`
/// from value to index, on which LLVM spends time that grows faster than
/// the set (10 s for 10,000 values in release).
fn even_discriminants(model: &LabelEnum<'_>) -> Option<(i128, i128)> {
    let mut values = Vec::with_capacity(model.variants.len());
    let mut next = 0i128;
    for variant in &model.variants {
        let value = match &variant.original.discriminant {
            Some((_, expr)) => integer_literal(expr)?,
            None => next,
        };
        values.push(value);
        next = value.checked_add(1)?;
    }
    let first = *values.first()?;
    let step = match values.get(1) {
        Some(second) => second.checked_sub(first)?,
        None => 1,
    };
    let even = values.iter().zip(0i128..).all(|(&value, k)| {
        step.checked_mul(k)
            .and_then(|offset| first.checked_add(offset))
            == Some(value)
    });
    // Every discriminant in 64 bits, and so the distance from the first.
    let in_64_bits = |v: i128| i128::from(i64::MIN) <= v && v <= i128::from(u64::MAX);
    let widest = step.checked_mul(values.len() as i128 - 1)?.unsigned_abs();
    let fits = values.iter().all(|&v| in_64_bits(v)) && widest <= u128::from(u64::MAX);
    (step != 0 && even && fits).then_some((first, step))
}

/// The value of `expr` when it is an integer literal, negated or not.
fn integer_literal(expr: &syn::Expr) -> Option<i128> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        }) => int.base10_parse().ok(),
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => integer_literal(expr)?.checked_neg(),
        _ => None,
    }
}

/// The most arms one generated `match` of values has.
///
/// rustc's time for a match on an integer grows faster than its number of
/// arms (one of 100,000 arms: 10 minutes in release), so larger sets split
/// the index into chunks of this many values, a function each (chunks of
/// 64 and of 1,024 measured within 7% of this). A 100,000-value set costs
/// 15.5 s in release beyond the enum itself, 7 s of it rustc's own: it
/// finds each variant the code names by a search through the variants.
const CHUNK: usize = 256;

/// `from_index`: index to value, as a `match` with an arm per value, or for
/// sets of more than `CHUNK` values a `match` on the chunk that calls one
/// function per chunk.
fn expand_from_index(ident: &syn::Ident, values: &[&syn::Ident]) -> TokenStream {
    let doc = quote! {
        /// The value whose index is `index`, or `None` from
        /// [`CARDINALITY`](Self::CARDINALITY) on.
    };
    if values.len() <= CHUNK {
        let offsets = 0..values.len();
        return quote! {
            #doc
            #[inline]
            pub const fn from_index(index: usize) -> ::core::option::Option<Self> {
                ::core::option::Option::Some(match index {
                    #(#offsets => Self::#values,)*
                    _ => return ::core::option::Option::None,
                })
            }
        };
    }
    let chunks = values.chunks(CHUNK).enumerate().map(|(chunk, values)| {
        let name = quote::format_ident!("chunk_{}", chunk);
        let offsets = 0..values.len();
        quote! {
            #[inline(never)]
            const fn #name(offset: usize) -> ::core::option::Option<#ident> {
                ::core::option::Option::Some(match offset {
                    #(#offsets => #ident::#values,)*
                    _ => return ::core::option::Option::None,
                })
            }
        }
    });
    let dispatch = (0..values.len().div_ceil(CHUNK)).map(|chunk| {
        let name = quote::format_ident!("chunk_{}", chunk);
        quote!(#chunk => #name(index % #CHUNK),)
    });
    quote! {
        #doc
        pub const fn from_index(index: usize) -> ::core::option::Option<Self> {
            #(#chunks)*
            match index / #CHUNK {
                #(#dispatch)*
                _ => ::core::option::Option::None,
            }
        }
    }
}

fn expand_from_code(model: &LabelEnum<'_>) -> TokenStream {
    let arms = model.variants.iter().flat_map(|v| {
        let variant = &v.original.ident;
        v.codes.iter().map(move |c| {
            let (low, high) = (c.low, c.high);
            quote!(#low..=#high => Self::#variant,)
        })
    });
    // Without a catch-all, validation proved the ranges cover every u16, and
    // the compiler checks that too.
    let fallback = model.other().map(|other| {
        let other = &other.original.ident;
        quote!(_ => Self::#other,)
    });
    quote! {
        /// The value whose `codes` contain `code`.
        #[inline]
        pub const fn from_code(code: u16) -> Self {
            match code {
                #(#arms)*
                #fallback
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::even_discriminants;
    use crate::errors::Errors;
    use crate::label_value::ast::LabelEnum;

    fn steps(variants: &str) -> Option<(i128, i128)> {
        let input: syn::DeriveInput = syn::parse_str(&format!("enum E {{ {variants} }}")).unwrap();
        let mut errors = Errors::default();
        let model = LabelEnum::from_syn(&input, &mut errors).unwrap();
        even_discriminants(&model)
    }

    #[test]
    fn discriminants_that_step_evenly_are_found_with_their_step() {
        assert_eq!(steps("A = 10, B = 20, C = 30"), Some((10, 10)));
        assert_eq!(steps("A = 5, B, C"), Some((5, 1)));
        assert_eq!(steps("A = -3, B, C = -1"), Some((-3, 1)));
        assert_eq!(steps("A = 6, B = 4, C = 2"), Some((6, -2)));
        assert_eq!(steps("A = 9"), Some((9, 1)));
        assert_eq!(steps("A = 0x10, B = 17u8"), Some((16, 1)));
        assert_eq!(
            steps("A = -9223372036854775808, B"),
            Some((i64::MIN.into(), 1))
        );
        assert_eq!(
            steps("A = 18446744073709551614, B"),
            Some((u64::MAX as i128 - 1, 1))
        );
    }

    #[test]
    fn uneven_or_computed_discriminants_are_left_to_a_match() {
        assert_eq!(steps("A = 1, B = 5, C = 2"), None);
        assert_eq!(steps("A = 1, B = 2, C = 4"), None);
        assert_eq!(steps("A = 1 << 4, B"), None);
        assert_eq!(steps("A = X, B"), None);
        assert_eq!(steps("A = 2, B = 2"), None);
        assert_eq!(steps("A = -1, B = 18446744073709551615"), None);
        assert_eq!(steps("A = 18446744073709551616"), None);
    }
}
