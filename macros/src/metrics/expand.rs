//! Emits the storage type, the recording functions and the registration of a
//! checked metric group.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::ast::{Group, MetricDef};
use super::attr::{is_kind_attr, Kind};

pub(crate) fn expand(group: &Group<'_>) -> TokenStream {
    let item = user_enum(group);
    let vis = &group.item.vis;
    let enum_ident = &group.item.ident;
    let storage = group.storage_ident();

    let metrics: Vec<Expanded> = group.metrics.iter().map(Expanded::new).collect();
    let fields = metrics.iter().map(|m| {
        let (ident, cell, series) = (&m.fn_ident, &m.cell, &m.series);
        quote!(#ident: [#cell; #series])
    });
    let inits = metrics.iter().map(|m| {
        let (ident, cell, series) = (&m.fn_ident, &m.cell, &m.series);
        quote!(#ident: [const { #cell::new() }; #series])
    });
    let methods = metrics.iter().map(|m| m.storage_method(vis));
    let shortcuts = metrics.iter().map(|m| m.shortcut(vis, &storage));
    let visits = metrics.iter().map(Expanded::visit);
    let max_series = group.attrs.max_series.as_ref().map(|max| {
        let counts = metrics.iter().map(|m| &m.series);
        let message = format!(
            "metric group `{enum_ident}` declares more series than `max_series = {max}` \
             allows: raise max_series, or drop or narrow labels"
        );
        quote_spanned! {max.span()=>
            const _: () = ::core::assert!(
                ::enumeter::__private::series_total(&[#(#counts),*]) <= #max,
                #message
            );
        }
    });

    let storage_doc = format!(
        "The storage of [`{enum_ident}`]: one cell per series of each metric, all zero \
         at start.\n\n[`{storage}::global()`] is the process-wide instance that \
         `{enum_ident}`'s associated functions record into and the default registry \
         renders; build more with [`{storage}::new()`] for tests, or to embed the \
         group more than once."
    );

    quote! {
        #item

        #[doc = #storage_doc]
        #vis struct #storage {
            #(#fields,)*
        }

        impl #storage {
            /// Storage with every series at zero.
            pub const fn new() -> Self {
                Self { #(#inits,)* }
            }

            /// The process-wide instance, rendered by the default registry.
            #[inline]
            pub fn global() -> &'static Self {
                static GLOBAL: #storage = #storage::new();
                #[::enumeter::__private::linkme::distributed_slice(::enumeter::__private::GROUPS)]
                #[linkme(crate = ::enumeter::__private::linkme)]
                static REGISTRATION: &'static dyn ::enumeter::__private::Group = &GLOBAL;
                &GLOBAL
            }

            #(#methods)*
        }

        impl ::core::default::Default for #storage {
            fn default() -> Self {
                Self::new()
            }
        }

        impl ::core::fmt::Debug for #storage {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(::core::stringify!(#storage)).finish_non_exhaustive()
            }
        }

        #[automatically_derived]
        impl ::enumeter::__private::Group for #storage {
            fn name(&self) -> &'static str {
                ::core::concat!(::core::module_path!(), "::", ::core::stringify!(#enum_ident))
            }

            fn visit<'enumeter>(
                &'enumeter self,
                visitor: &mut dyn ::core::ops::FnMut(::enumeter::__private::Metric<'enumeter>),
            ) {
                #(#visits)*
            }
        }

        impl #enum_ident {
            #(#shortcuts)*
        }

        #max_series
    }
}

/// The user's enum, minus the kind attributes the macro consumed.
fn user_enum(group: &Group<'_>) -> TokenStream {
    let mut item = group.item.clone();
    for variant in &mut item.variants {
        variant.attrs.retain(|a| !is_kind_attr(a));
    }
    quote! {
        // Nothing constructs the variants: they are declarations.
        #[allow(dead_code)]
        #item
    }
}

/// The pieces of one metric's expansion.
struct Expanded<'m, 'a> {
    metric: &'m MetricDef<'a>,
    fn_ident: syn::Ident,
    /// The cell type, as a path through `::enumeter::__private`.
    cell: TokenStream,
    /// The number of series: a constant expression.
    series: TokenStream,
}

impl<'m, 'a> Expanded<'m, 'a> {
    fn new(metric: &'m MetricDef<'a>) -> Self {
        let cell = match metric.kind().kind {
            Kind::Counter => quote!(::enumeter::__private::Counter),
            Kind::Gauge { float: false } => quote!(::enumeter::__private::Gauge),
            Kind::Gauge { float: true } => quote!(::enumeter::__private::FloatGauge),
        };
        let cardinalities = metric.labels.iter().map(|l| cardinality(l.ty));
        Self {
            metric,
            fn_ident: metric.fn_ident().expect("validated"),
            cell,
            series: product(cardinalities),
        }
    }

    /// `Σ index_i × stride_i`, the strides being products of constants.
    fn index(&self) -> TokenStream {
        let labels = &self.metric.labels;
        let terms: Vec<TokenStream> = labels
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let (ident, ty) = (label.ident, label.ty);
                let index = quote_spanned! {ty.span()=>
                    <#ty as ::enumeter::__private::LabelValue>::index(#ident)
                };
                let strides: Vec<TokenStream> =
                    labels[i + 1..].iter().map(|l| cardinality(l.ty)).collect();
                if strides.is_empty() {
                    index
                } else {
                    let stride = product(strides);
                    quote!(#index * #stride)
                }
            })
            .collect();
        if terms.is_empty() {
            quote!(0usize)
        } else {
            quote!((#(#terms)+*))
        }
    }

    fn params(&self) -> impl Iterator<Item = TokenStream> + '_ {
        self.metric.labels.iter().map(|l| {
            let (ident, ty) = (l.ident, l.ty);
            quote!(#ident: #ty)
        })
    }

    fn doc(&self) -> String {
        let metric = self.metric;
        let labels: Vec<&str> = metric.labels.iter().map(|l| l.name.as_str()).collect();
        let series = if labels.is_empty() {
            format!("`{}`", metric.name)
        } else {
            format!("`{}{{{}}}`", metric.name, labels.join(", "))
        };
        format!(
            "{}\n\nThe cell of the series {series}; a {}.",
            metric.help,
            metric.kind().kind.attribute_name()
        )
    }

    fn storage_method(&self, vis: &syn::Visibility) -> TokenStream {
        let (ident, cell, doc) = (&self.fn_ident, &self.cell, self.doc());
        let params = self.params();
        let index = self.index();
        quote! {
            #[doc = #doc]
            #[inline]
            #[must_use = "the cell records nothing until a method such as `inc` is called on it"]
            #vis fn #ident(&self, #(#params),*) -> &#cell {
                &self.#ident[#index]
            }
        }
    }

    fn shortcut(&self, vis: &syn::Visibility, storage: &syn::Ident) -> TokenStream {
        let (ident, cell, doc) = (&self.fn_ident, &self.cell, self.doc());
        let params = self.params();
        let args = self.metric.labels.iter().map(|l| l.ident);
        quote! {
            #[doc = #doc]
            #[doc = ""]
            #[doc = "Records into the process-wide instance."]
            #[inline]
            #[must_use = "the cell records nothing until a method such as `inc` is called on it"]
            #vis fn #ident(#(#params),*) -> &'static #cell {
                #storage::global().#ident(#(#args),*)
            }
        }
    }

    fn visit(&self) -> TokenStream {
        let metric = self.metric;
        let (ident, name, help) = (&self.fn_ident, &metric.name, &metric.help);
        let labels = metric.labels.iter().map(|l| {
            let (name, ty) = (&l.name, l.ty);
            quote_spanned! {ty.span()=>
                ::enumeter::__private::LabelDesc {
                    name: #name,
                    values: <#ty as ::enumeter::__private::LabelValue>::NAMES,
                }
            }
        });
        let variant = match metric.kind().kind {
            Kind::Counter => quote!(Counter),
            Kind::Gauge { float: false } => quote!(Gauge),
            Kind::Gauge { float: true } => quote!(FloatGauge),
        };
        quote! {
            {
                static DESC: ::enumeter::__private::MetricDesc = ::enumeter::__private::MetricDesc {
                    name: #name,
                    help: #help,
                    labels: &[#(#labels),*],
                };
                visitor(::enumeter::__private::Metric {
                    desc: &DESC,
                    cells: ::enumeter::__private::Cells::#variant(&self.#ident),
                });
            }
        }
    }
}

/// `(a * b * ...)`, or `1usize` for no factors. Written without identity
/// factors so that lints on the user's code (whose spans these carry) stay
/// quiet.
fn product(factors: impl IntoIterator<Item = TokenStream>) -> TokenStream {
    let mut factors = factors.into_iter();
    match factors.next() {
        None => quote!(1usize),
        Some(first) => {
            let rest = factors.map(|f| quote!(* #f));
            quote!((#first #(#rest)*))
        }
    }
}

fn cardinality(ty: &syn::Type) -> TokenStream {
    quote_spanned! {ty.span()=> <#ty as ::enumeter::__private::LabelValue>::CARDINALITY }
}
