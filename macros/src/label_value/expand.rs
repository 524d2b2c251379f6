//! Emits the inherent items and the `LabelValue` impl of a checked label enum.

use proc_macro2::TokenStream;
use quote::quote;

use super::ast::LabelEnum;

pub(crate) fn expand(model: &LabelEnum<'_>) -> TokenStream {
    let ident = model.ident();
    let variants: Vec<_> = model.variants.iter().map(|v| &v.original.ident).collect();
    let names: Vec<_> = model.variants.iter().map(|v| &v.name).collect();
    // Escaped once here rather than on every scrape.
    let escaped: Vec<String> = names.iter().map(|n| escape_label_value(n)).collect();
    let indices = 0..model.variants.len();
    let cardinality = model.variants.len();

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
            pub const ALL: [Self; #cardinality] = [#(Self::#variants),*];
            /// The exposition name of every value, in index order.
            pub const NAMES: [&'static str; #cardinality] = [#(#names),*];

            /// The dense index of this value, in `0..CARDINALITY`.
            #[inline]
            pub const fn index(self) -> usize {
                match self { #(Self::#variants => #indices,)* }
            }

            /// The name this value has in the exposition.
            #[inline]
            pub const fn as_str(self) -> &'static str {
                match self { #(Self::#variants => #names,)* }
            }

            /// The value whose exposition name is `name`, if there is one.
            pub fn from_name(name: &str) -> ::core::option::Option<Self> {
                match name {
                    #(#names => ::core::option::Option::Some(Self::#variants),)*
                    _ => ::core::option::Option::None,
                }
            }

            #from_name_or_other
            #from_code
        }

        #[automatically_derived]
        impl ::enumeter::__private::LabelValue for #ident {
            const CARDINALITY: usize = #cardinality;
            const ALL: &'static [Self] = &[#(Self::#variants),*];
            const NAMES: &'static [&'static str] = &[#(#names),*];
            const ESCAPED_NAMES: ::core::option::Option<&'static [&'static str]> =
                ::core::option::Option::Some(&[#(#escaped),*]);

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
