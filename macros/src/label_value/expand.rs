//! Emits the inherent items and the `LabelValue` impl of a checked label enum.

use proc_macro2::TokenStream;
use quote::quote;

use super::ast::LabelEnum;

pub(crate) fn expand(model: &LabelEnum<'_>) -> TokenStream {
    let ident = model.ident();
    let variants: Vec<_> = model.variants.iter().map(|v| &v.original.ident).collect();
    let names: Vec<_> = model.variants.iter().map(|v| &v.name).collect();
    let cardinality = model.variants.len();
    // Every item below is linear in the number of values, with a small
    // constant: the names once, and lookups through tables of integers. A
    // match with an arm per value on a string gave the optimiser a chain it
    // took 22 s to work through for 10,000 values.
    // Escaped once here rather than on every scrape, and stored only where
    // some name needs it.
    let escaped: Vec<String> = names.iter().map(|n| escape_label_value(n)).collect();
    let escaped_names = if escaped.iter().zip(&names).all(|(e, n)| e == *n) {
        quote!(::core::option::Option::Some(&Self::NAMES))
    } else {
        quote!(::core::option::Option::Some(&[#(#escaped),*]))
    };
    // The values' indices, sorted by name, for a binary search.
    let mut by_name: Vec<usize> = (0..cardinality).collect();
    by_name.sort_by_key(|&i| names[i]);
    let by_name = by_name.iter().map(|&i| i as u32);
    // Declaration order is the index unless discriminants say otherwise.
    let index = if model
        .variants
        .iter()
        .all(|v| v.original.discriminant.is_none())
    {
        quote!(self as usize)
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
    let from_code = model.has_codes().then(|| expand_from_code(model));

    quote! {
        #[automatically_derived]
        impl #ident {
            /// How many distinct values this label has.
            pub const CARDINALITY: usize = #cardinality;
            /// Every value, in index order.
            pub const ALL: [Self; #cardinality] = [#(#ident::#variants),*];
            /// The exposition name of every value, in index order.
            pub const NAMES: [&'static str; #cardinality] = [#(#names),*];

            /// The dense index of this value, in `0..CARDINALITY`.
            #[inline]
            pub const fn index(self) -> usize {
                #index
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
                    .map(|at| Self::ALL[BY_NAME[at] as usize])
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
            fn all() -> &'static [Self] {
                // A static, not a promoted constant: see the trait.
                static ALL: [#ident; #cardinality] = #ident::ALL;
                &ALL
            }
            const NAMES: &'static [&'static str] = &Self::NAMES;
            const ESCAPED_NAMES: ::core::option::Option<&'static [&'static str]> =
                #escaped_names;

            #[inline]
            fn index(self) -> usize {
                // Inherent associated functions take precedence over trait
                // ones, so this is the `const fn` above.
                #ident::index(self)
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

/// A label value as the text formats quote it: `\`, `"` and newline
/// escaped with a backslash.
fn escape_label_value(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_label_value;

    #[test]
    fn label_values_are_escaped_like_the_runtime_escapes_them() {
        assert_eq!(escape_label_value("plain"), "plain");
        assert_eq!(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
    }
}
