//! Emits the storage type, the recording functions and the registration of a
//! checked metric group.

use enumeter_common::names::{self, Scheme};
use enumeter_common::sketch::{self, Tables};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use super::ast::{Group, LabelDef, MetricDef};
use super::attr::{is_kind_attr, is_label_attr, Kind, Number, SummaryAttrs};

pub(crate) fn expand(group: &Group<'_>) -> TokenStream {
    let item = user_enum(group);
    let vis = &group.item.vis;
    let enum_ident = &group.item.ident;
    let storage = group.storage_ident();

    let objectives = super::objective::expand::expand(group);
    let group_sparse = group.attrs.sparse.is_some();
    let metrics: Vec<Expanded> = group
        .metrics
        .iter()
        .map(|m| Expanded::new(m, group_sparse))
        .collect();
    let fields = metrics.iter().map(|m| {
        let (ident, ty) = (&m.fn_ident, m.field_type());
        let recorded = m.recorded_field().map(|(field, ty)| {
            quote! {
                /// Which series of the sparse metric were recorded into.
                #field: #ty,
            }
        });
        let seen = m.seen_field().map(|(field, ty)| {
            quote! {
                /// Of each value of the label that retires, the generation
                /// the metric's cells were cleared for.
                #field: #ty,
            }
        });
        quote!(#ident: #ty, #recorded #seen)
    });
    let inits = metrics.iter().map(|m| {
        let (ident, init) = (&m.fn_ident, m.field_init());
        let recorded = m
            .recorded_field()
            .map(|(field, _)| quote!(#field: ::enumeter::__private::Recorded::new(),));
        let seen = m
            .seen_field()
            .map(|(field, _)| quote!(#field: ::enumeter::__private::SeenGenerations::new(),));
        quote!(#ident: #init, #recorded #seen)
    });
    let methods = metrics.iter().map(|m| m.storage_method(vis));
    let merges = metrics.iter().map(Expanded::merge);
    let shortcuts = metrics.iter().map(|m| m.shortcut(vis, &storage));
    let visits = metrics.iter().map(Expanded::visit);
    let aliases = metrics.iter().map(|m| m.handle_alias(vis, enum_ident));
    // Every group checks that its series fit a usize (a label type written
    // by hand can claim any cardinality); the arrays' lengths are computed
    // so that an overflow leaves this one error rather than many.
    let label_counts = metrics.iter().map(|m| {
        let counts = m.metric.labels.iter().map(|l| cardinality(l.ty));
        quote!(&[#(#counts),*])
    });
    let overflow = format!(
        "metric group `{enum_ident}` declares more series than a usize can count: \
         the product of a metric's label cardinalities overflows; drop or narrow labels"
    );
    let within_max = match &group.attrs.max_series {
        Some(max) => {
            let message = format!(
                "metric group `{enum_ident}` declares more series than `max_series = {max}` \
                 allows: raise max_series, or drop or narrow labels"
            );
            quote_spanned! {max.span()=>
                ::core::option::Option::Some(total) => ::core::assert!(total <= #max, #message),
            }
        }
        None => quote!(::core::option::Option::Some(_) => {}),
    };
    let check_span = group
        .attrs
        .max_series
        .as_ref()
        .map_or_else(|| enum_ident.span(), |max| max.span());
    // A runtime label's series exist once a value is interned and mean
    // nothing before: its metric must show only what was recorded, which
    // a computed metric cannot. A bound on the label's type says so, in
    // the words of the trait asked (a computed metric's, or a dense one's).
    let runtime_checks = metrics
        .iter()
        .filter(|m| !m.sparse || m.computed())
        .flat_map(|m| {
            let check = if m.computed() { "computed" } else { "dense" };
            m.metric.labels.iter().map(move |l| {
                let ty = l.ty;
                // On the type: where the compiler puts the error.
                let check = syn::Ident::new(check, ty.span());
                quote_spanned! {ty.span()=>
                    ::enumeter::__private::label_check!(#ty, #check);
                }
            })
        });
    // A runtime label whose values retire needs the handle that holds its
    // value while a record is on its way: a label not marked
    // `#[label(retires)]` is asked to keep its values, once per type (on
    // its first use unmarked).
    let mut kept_types = std::collections::HashSet::new();
    let kept_checks: Vec<TokenStream> = metrics
        .iter()
        .filter(|m| m.sparse && !m.computed())
        .flat_map(|m| m.metric.labels.iter().filter(|l| l.retires.is_none()))
        .filter(|l| kept_types.insert(l.ty.to_token_stream().to_string()))
        .map(|l| {
            let ty = l.ty;
            let check = syn::Ident::new("kept", ty.span());
            quote_spanned! {ty.span()=>
                ::enumeter::__private::label_check!(#ty, #check);
            }
        })
        .collect();
    // A state set's states are its closed set of values: a runtime label
    // has no names to write them with.
    let state_checks = metrics.iter().filter_map(|m| match &m.metric.kind().kind {
        Kind::StateSet {
            states: Some(states),
        } => Some(quote_spanned! {states.span()=>
            ::enumeter::__private::label_check!(#states, states);
        }),
        _ => None,
    });
    let series_check = quote_spanned! {check_span=>
        const _: () = match ::enumeter::__private::series_total(&[#(#label_counts),*]) {
            #within_max
            ::core::option::Option::None => ::core::panic!(#overflow),
        };
    };

    let register = group
        .attrs
        .register
        .as_ref()
        .is_none_or(syn::LitBool::value);
    let registration = register.then(|| {
        quote! {
            #[::enumeter::__private::linkme::distributed_slice(::enumeter::__private::GROUPS)]
            #[linkme(crate = ::enumeter::__private::linkme)]
            static REGISTRATION: &'static dyn ::enumeter::__private::Group = &GLOBAL;
        }
    });
    let global_doc = if register {
        "The process-wide instance, rendered by the default registry."
    } else {
        "The process-wide instance (not in the default registry: `register = false`)."
    };
    let storage_doc = format!(
        "The storage of [`{enum_ident}`]: one cell per series of each metric, all zero \
         at start.\n\n[`{storage}::global()`] is the process-wide instance that \
         `{enum_ident}`'s associated functions record into and the default registry \
         renders; build more with [`{storage}::new()`] for tests, or to embed the \
         group more than once."
    );

    quote! {
        #item

        #(#aliases)*

        #(#runtime_checks)*

        #(#kept_checks)*

        #(#state_checks)*

        #[doc = #storage_doc]
        #vis struct #storage {
            #(#fields)*
            /// When this instance started counting, for created timestamps.
            __enumeter_created: ::enumeter::__private::Created,
        }

        impl #storage {
            /// Storage with every series at zero.
            pub const fn new() -> Self {
                Self {
                    #(#inits)*
                    __enumeter_created: ::enumeter::__private::Created::new(),
                }
            }

            #[doc = #global_doc]
            #[inline]
            pub fn global() -> &'static Self {
                static GLOBAL: #storage = #storage::new();
                #registration
                &GLOBAL
            }

            /// Adds `other`'s values into this instance: counters, gauges and
            /// histograms add up, summaries merge their sketches, info
            /// metrics and state sets take `other`'s current series or state.
            /// How several sources' instances sum into one.
            pub fn merge_from(&self, other: &Self) {
                #(#merges)*
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
                let created = self
                    .__enumeter_created
                    .get(::core::ptr::eq(self, Self::global()));
                #(#visits)*
            }
        }

        impl #enum_ident {
            #(#shortcuts)*
        }

        #objectives

        #series_check
    }
}

/// The user's enum, minus the kind attributes the macro consumed.
fn user_enum(group: &Group<'_>) -> TokenStream {
    let mut item = group.item.clone();
    for variant in &mut item.variants {
        variant.attrs.retain(|a| !is_kind_attr(a));
        // A label field's type already says what it holds; `missing_docs`
        // would otherwise ask for a comment on every one.
        for field in &mut variant.fields {
            field.attrs.retain(|a| !is_label_attr(a));
            if !field.attrs.iter().any(|a| a.path().is_ident("doc")) {
                field.attrs.push(syn::parse_quote!(#[allow(missing_docs)]));
            }
        }
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
    /// The hidden associated constant that holds a histogram's or summary's
    /// spec, and its definition.
    spec: Option<(syn::Ident, TokenStream)>,
    /// For a histogram declared `native`: its native spec's constant and
    /// definition, and the positive and negative cell counts.
    native: Option<(syn::Ident, TokenStream, usize, usize)>,
    /// Whether only the series recorded into are written out.
    sparse: bool,
}

impl<'m, 'a> Expanded<'m, 'a> {
    /// `group_sparse`: the group was declared `sparse`, which makes every
    /// metric sparse that can be (not computed ones, whose every series
    /// has a value, nor info metrics, which show their current series
    /// alone anyway).
    fn new(metric: &'m MetricDef<'a>, group_sparse: bool) -> Self {
        let fn_ident = metric.fn_ident().expect("validated");
        let spec_ident = quote::format_ident!(
            "__ENUMETER_SPEC_{}",
            fn_ident.to_string().trim_start_matches("r#").to_uppercase()
        );
        let units_per_second = units_per_second(&metric.name);
        let series = product(metric.labels.iter().map(|l| cardinality(l.ty)));
        let (cell, spec) = match &metric.kind().kind {
            Kind::Counter { sharded: None } => (quote!(::enumeter::__private::Counter), None),
            Kind::Counter {
                sharded: Some(shards),
            } => {
                let shards = shards.as_ref().map_or(super::valid::DEFAULT_SHARDS, |n| {
                    n.base10_parse().expect("validated")
                });
                // The owned shards and the shared one.
                let rows = shards + 1;
                (
                    quote!(::enumeter::__private::ShardedCounters<{ #series }, #rows>),
                    None,
                )
            }
            Kind::Gauge { float: false } => (quote!(::enumeter::__private::Gauge), None),
            Kind::Gauge { float: true } => (quote!(::enumeter::__private::FloatGauge), None),
            Kind::Info => (quote!(::enumeter::__private::Info), None),
            Kind::StateSet { .. } => (quote!(::enumeter::__private::StateSet), None),
            Kind::Histogram(h) => {
                // Without classic buckets (a native histogram), `+Inf` alone.
                let bounds = h.bounds();
                let buckets = bounds.len() + 1;
                let skip_non_positive = h.skip_non_positive;
                let spec = quote! {
                    ::enumeter::__private::spec::histogram(
                        &[#(#bounds),*],
                        #units_per_second,
                        #skip_non_positive,
                    )
                };
                (
                    quote!(::enumeter::__private::Histogram<#buckets>),
                    Some((
                        spec_ident,
                        quote!(::enumeter::__private::HistogramSpec),
                        spec,
                    )),
                )
            }
            Kind::Summary(attrs) => {
                let sketch = SummarySketch::new(attrs);
                let quantiles = attrs
                    .quantiles
                    .as_ref()
                    .expect("validated")
                    .iter()
                    .map(|n| {
                        let (value, (numerator, denominator)) = (
                            n.value,
                            crate::decimal::fraction(n.value).expect("validated"),
                        );
                        quote! {
                            ::enumeter::__private::Quantile::new(#value, #numerator, #denominator)
                        }
                    });
                let SummarySketch {
                    max_age_ms,
                    age_buckets,
                    relative_error,
                    tables,
                    first_key,
                    buckets,
                } = sketch;
                let age_buckets_usize = age_buckets as usize;
                let Tables {
                    keys_per_octave,
                    cell_shift,
                    cells,
                    bounds,
                } = tables;
                let skip_non_positive = attrs.skip_non_positive;
                let spec = quote! {
                    ::enumeter::__private::spec::summary(
                        &[#(#quantiles),*],
                        #max_age_ms,
                        #age_buckets,
                        #relative_error,
                        (#keys_per_octave, #cell_shift, &[#(#cells),*], &[#(#bounds),*]),
                        #first_key,
                        #units_per_second,
                        #skip_non_positive,
                    )
                };
                (
                    quote!(::enumeter::__private::Summary<#age_buckets_usize, #buckets>),
                    Some((spec_ident, quote!(::enumeter::__private::SummarySpec), spec)),
                )
            }
        };
        let native = match &metric.kind().kind {
            Kind::Histogram(h) => h.native.as_ref().map(|native| {
                let settings = super::valid::NativeSettings::of(native);
                let (first, last) = settings.keys();
                let positive = (last - first + 1) as usize;
                let negative = if settings.negative { positive } else { 0 };
                let bounds = enumeter_common::native::octave_bounds(settings.schema);
                let super::valid::NativeSettings {
                    schema,
                    zero_threshold,
                    max_buckets,
                    negative: allow_negative,
                    ..
                } = settings;
                let ident = quote::format_ident!(
                    "__ENUMETER_NATIVE_{}",
                    fn_ident.to_string().trim_start_matches("r#").to_uppercase()
                );
                // Without classic buckets only the outputs that carry
                // native buckets show the histogram: the runtime refuses
                // it, on the `native` key, unless one of them is enabled.
                let needs_output = (h.buckets.is_none() && !h.buckets_given).then(|| {
                    quote_spanned! {native.path.span()=>
                        ::enumeter::__private::native_only_needs_an_output!();
                    }
                });
                let def = quote! {
                    #needs_output
                    #[doc(hidden)]
                    // The octave's bounds are powers of 2^(1/2^s): 2^(-1/2)
                    // is not meant as FRAC_1_SQRT_2.
                    #[allow(clippy::approx_constant)]
                    const #ident: ::enumeter::__private::NativeSpec = ::enumeter::__private::spec::native(
                        #schema,
                        #zero_threshold,
                        #first,
                        #max_buckets,
                        #allow_negative,
                        &[#(#bounds),*],
                    );
                };
                (ident, def, positive, negative)
            }),
            _ => None,
        };
        let kind = metric.kind();
        let sparse = kind.sparse.is_some()
            || (group_sparse && kind.computed.is_none() && !matches!(kind.kind, Kind::Info));
        Self {
            metric,
            fn_ident,
            cell,
            series,
            native,
            sparse,
            spec: spec.map(|(ident, ty, value)| {
                let def = quote! {
                    #[doc(hidden)]
                    const #ident: #ty = #value;
                };
                (ident, def)
            }),
        }
    }

    /// Whether one cell holds every series (info metrics, whose one cell
    /// names the current series; sharded counters, stored shard-major)
    /// rather than one cell per series.
    fn one_cell(&self) -> bool {
        matches!(
            self.metric.kind().kind,
            Kind::Info | Kind::Counter { sharded: Some(_) }
        )
    }

    /// The field that marks a sparse metric's recorded series, and its
    /// type; `None` for a dense metric.
    fn recorded_field(&self) -> Option<(syn::Ident, TokenStream)> {
        if !self.sparse || self.shown_by_count() {
            return None;
        }
        let field = quote::format_ident!(
            "__enumeter_recorded_{}",
            self.fn_ident.to_string().trim_start_matches("r#")
        );
        let series = &self.series;
        let ty = quote!(::enumeter::__private::Recorded<{ #series }, { (#series).div_ceil(64) }>);
        Some((field, ty))
    }

    /// The label marked `#[label(retires)]`, and its position.
    fn retiring(&self) -> Option<(usize, &'m LabelDef<'a>)> {
        self.metric
            .labels
            .iter()
            .enumerate()
            .find(|(_, l)| l.retires.is_some())
    }

    /// The field that keeps, of each value of the label that retires, the
    /// generation the cells were cleared for, and its type.
    fn seen_field(&self) -> Option<(syn::Ident, TokenStream)> {
        let (_, label) = self.retiring()?;
        let field = quote::format_ident!(
            "__enumeter_seen_{}",
            self.fn_ident.to_string().trim_start_matches("r#")
        );
        let values = cardinality(label.ty);
        Some((
            field,
            quote!(::enumeter::__private::SeenGenerations<{ #values }>),
        ))
    }

    /// The indices of the series whose retiring label (at `position`) has
    /// the value `value` (an expression): an iterator.
    fn series_of_value(
        &self,
        position: usize,
        label: &LabelDef<'_>,
        value: &TokenStream,
    ) -> TokenStream {
        let labels = &self.metric.labels;
        let stride = product(labels[position + 1..].iter().map(|l| cardinality(l.ty)));
        let (card, series) = (cardinality(label.ty), &self.series);
        quote!(::enumeter::__private::series_with(#value, #card, #stride, #series))
    }

    /// Clears the series of the retiring label's value `value` (cells and
    /// recorded marks) unless they were cleared for `generation` already:
    /// what the first record, or merge, of a new value does.
    fn clear_value(
        &self,
        position: usize,
        label: &LabelDef<'_>,
        value: &TokenStream,
    ) -> TokenStream {
        let ident = &self.fn_ident;
        let (seen, _) = self.seen_field().expect("a retiring label has its field");
        let series = self.series_of_value(position, label, value);
        let unmark = self
            .recorded_field()
            .map(|(recorded, _)| quote!(self.#recorded.unmark(index);));
        quote! {
            self.#seen.ensure(#value, generation, || {
                for index in #series {
                    ::enumeter::__private::ClearCell::clear(&self.#ident[index]);
                    #unmark
                }
            });
        }
    }

    /// Whether a sparse metric's series are shown once their count says
    /// they were observed (histograms and summaries), with no mark: the
    /// reader reads every series' count anyway, and recording pays nothing.
    fn shown_by_count(&self) -> bool {
        self.sparse
            && matches!(
                self.metric.kind().kind,
                Kind::Histogram(_) | Kind::Summary(_)
            )
    }

    /// Whether the series are spaced a cache-line pair apart when few
    /// (`enumeter::spaced`): plain counters and integer gauges, the kinds
    /// whose one cell per series many threads add to. Not when sparse: the
    /// mark's test is what a sparse metric's record pays, and the spacing's
    /// shift would add to it (sparse is for large cross products, packed
    /// past 64 series anyway).
    fn spaced(&self) -> bool {
        let kind = self.metric.kind();
        matches!(
            kind.kind,
            Kind::Counter { sharded: None } | Kind::Gauge { float: false }
        ) && kind.computed.is_none()
            && kind.exemplars.is_none()
            && !self.sparse
    }

    /// The storage field's type.
    fn field_type(&self) -> TokenStream {
        let (cell, series) = (&self.cell, &self.series);
        if self.spaced() {
            return quote! {
                ::enumeter::__private::SpacedCells<
                    #cell,
                    { #series },
                    { ::enumeter::__private::spaced_cells_for(#series) },
                >
            };
        }
        if self.one_cell() {
            cell.clone()
        } else if self.computed() {
            quote!(::enumeter::__private::Computed<#cell, { #series }>)
        } else if let Some(per_series) = self.exemplar_slots() {
            quote!(::enumeter::__private::WithExemplars<#cell, { #series }, #per_series>)
        } else if let Some((_, _, positive, negative)) = &self.native {
            let slots = self.native_exemplar_slots();
            quote!(::enumeter::__private::WithNative<#cell, { #series }, #positive, #negative, #slots>)
        } else {
            quote!([#cell; #series])
        }
    }

    fn field_init(&self) -> TokenStream {
        let (cell, series) = (&self.cell, &self.series);
        if self.spaced() {
            return quote! {
                ::enumeter::__private::SpacedCells::new(
                    [const { <#cell>::new() }; ::enumeter::__private::spaced_cells_for(#series)],
                )
            };
        }
        if self.one_cell() {
            quote!(<#cell>::new())
        } else if self.computed() {
            quote!(::enumeter::__private::Computed::new([const { <#cell>::new() }; #series]))
        } else if self.exemplar_slots().is_some() {
            quote!(::enumeter::__private::WithExemplars::new([const { <#cell>::new() }; #series]))
        } else if self.native.is_some() {
            quote!(::enumeter::__private::WithNative::new([const { <#cell>::new() }; #series]))
        } else {
            quote!([const { <#cell>::new() }; #series])
        }
    }

    /// The exemplar slots per series, for a metric declared `exemplars`:
    /// one for a counter, one per bucket for a histogram.
    fn exemplar_slots(&self) -> Option<TokenStream> {
        self.metric.kind().exemplars.as_ref()?;
        if self.native.is_some() {
            // Kept in the native storage instead.
            return None;
        }
        match &self.metric.kind().kind {
            Kind::Histogram(_) => Some(generic_args(&self.cell)),
            _ => Some(quote!(1usize)),
        }
    }

    /// A native histogram's exemplar slots per series: one per classic
    /// bucket when declared `exemplars`, else none.
    fn native_exemplar_slots(&self) -> TokenStream {
        if self.metric.kind().exemplars.is_some() {
            generic_args(&self.cell)
        } else {
            quote!(0usize)
        }
    }

    /// Whether the value is computed at scrape time.
    fn computed(&self) -> bool {
        self.metric.kind().computed.is_some()
    }

    /// `set_<metric>_source`, for a computed metric: on the storage, and
    /// (with `storage`) on the enum for the process-wide instance.
    fn source_setter(&self, vis: &syn::Visibility, storage: Option<&syn::Ident>) -> TokenStream {
        let ident = &self.fn_ident;
        let setter =
            quote::format_ident!("set_{}_source", ident.to_string().trim_start_matches("r#"));
        if !self.computed() {
            // A source for a recorded metric would never be called: the
            // setter exists only to say so (`cells/undeclared.rs`).
            let receiver = storage.is_none().then(|| quote!(&self,));
            return quote! {
                #[doc(hidden)]
                #[allow(dead_code)]
                #vis fn #setter<S>(#receiver _source: S)
                where
                    S: ::enumeter::__private::SourceOfComputedMetric,
                {
                }
            };
        }
        let value = match &self.metric.kind().kind {
            Kind::Counter { .. } => quote!(u64),
            Kind::Gauge { float: true } => quote!(f64),
            _ => quote!(i64),
        };
        let labels = &self.metric.labels;
        let types: Vec<&syn::Type> = labels.iter().map(|l| l.ty).collect();
        let args: Vec<&syn::Ident> = labels.iter().map(|l| l.ident).collect();
        let doc = format!(
            "Sets the function that computes `{}` at scrape time, from its labels.",
            self.metric.name
        );
        if let Some(storage) = storage {
            return quote! {
                #[doc = #doc]
                #[doc = ""]
                #[doc = "For the process-wide instance."]
                #vis fn #setter(
                    source: impl ::core::ops::Fn(#(#types),*) -> #value
                        + ::core::marker::Send + ::core::marker::Sync + 'static,
                ) {
                    #storage::global().#setter(source)
                }
            };
        }
        // Series `index` has label `i`'s value `(index / stride_i) % cardinality_i`.
        let decode = labels.iter().enumerate().map(|(i, label)| {
            let (arg, ty) = (label.ident, label.ty);
            let stride = product(labels[i + 1..].iter().map(|l| cardinality(l.ty)));
            let card = cardinality(ty);
            quote! {
                let #arg = <#ty as ::enumeter::__private::LabelValue>::from_index((index / #stride) % #card)?;
            }
        });
        quote! {
            #[doc = #doc]
            #vis fn #setter(
                &self,
                source: impl ::core::ops::Fn(#(#types),*) -> #value
                    + ::core::marker::Send + ::core::marker::Sync + 'static,
            ) {
                self.#ident.set_source(move |index: usize| {
                    #(#decode)*
                    ::core::option::Option::Some(source(#(#args),*))
                });
            }
        }
    }

    /// `<Enum><Variant>Ref<'a>`: the handle type under a name that stays
    /// when its internal parameters (bucket counts, sketch sizes) change,
    /// for users who store a handle.
    fn handle_alias(&self, vis: &syn::Visibility, enum_ident: &syn::Ident) -> TokenStream {
        let variant = self.metric.variant.ident.unraw();
        let alias = quote::format_ident!("{}{}Ref", enum_ident, variant);
        let ty = self.handle_type(quote!('a));
        let doc = format!(
            "The handle [`{enum_ident}::{fn_ident}`] returns (`'static`) and \
             `{enum_ident}Metrics::{fn_ident}` returns for an instance: name this type to \
             store a handle.",
            fn_ident = self.fn_ident,
        );
        quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            #vis type #alias<'a> = #ty;
        }
    }

    /// The handle type the recording functions return, borrowing for
    /// `lifetime`.
    fn handle_type(&self, lifetime: TokenStream) -> TokenStream {
        let handle = self.traced_handle_type(lifetime);
        match self.retiring() {
            Some(_) => quote!(::enumeter::__private::Held<#handle>),
            None => handle,
        }
    }

    /// The handle type without the hold of a label that retires.
    fn traced_handle_type(&self, lifetime: TokenStream) -> TokenStream {
        let handle = self.untraced_handle_type(lifetime.clone());
        match (&self.metric.kind().traced, &self.metric.kind().kind) {
            (None, _) => handle,
            (Some(_), Kind::Histogram(_)) => {
                quote!(::enumeter::__private::TracedHistogramRef<#handle>)
            }
            (Some(_), _) => quote!(::enumeter::__private::TracedCounterRef<#lifetime>),
        }
    }

    /// The handle type without `exemplars = trace`'s wrapper.
    fn untraced_handle_type(&self, lifetime: TokenStream) -> TokenStream {
        let cell = &self.cell;
        if let Some((_, _, positive, negative)) = &self.native {
            let generics = generic_args(cell);
            if self.metric.kind().exemplars.is_some() {
                return quote!(
                    ::enumeter::__private::NativeExemplarHistogramRef<#lifetime, #generics, #positive, #negative>
                );
            }
            return quote!(
                ::enumeter::__private::NativeHistogramRef<#lifetime, #generics, #positive, #negative>
            );
        }
        if self.exemplar_slots().is_some() {
            return match &self.metric.kind().kind {
                Kind::Histogram(_) => {
                    let generics = generic_args(cell);
                    quote!(::enumeter::__private::ExemplarHistogramRef<#lifetime, #generics>)
                }
                _ => quote!(::enumeter::__private::ExemplarCounterRef<#lifetime>),
            };
        }
        if self.computed() {
            return quote!(::enumeter::__private::ComputedRef<#lifetime, #cell>);
        }
        match &self.metric.kind().kind {
            Kind::Info => quote!(::enumeter::__private::InfoRef<#lifetime>),
            Kind::Counter { sharded: Some(_) } => {
                let generics = generic_args(cell);
                quote!(::enumeter::__private::ShardedCounterRef<#lifetime, #generics>)
            }
            Kind::StateSet {
                states: Some(states),
            } => quote!(::enumeter::__private::StateSetRef<#lifetime, #states>),
            Kind::Histogram(_) | Kind::Summary(_) => {
                // `Histogram<B>` → `HistogramRef<'l, B>`, likewise summaries.
                let generics = generic_args(cell);
                let handle = if matches!(self.metric.kind().kind, Kind::Histogram(_)) {
                    quote!(::enumeter::__private::HistogramRef)
                } else {
                    quote!(::enumeter::__private::SummaryRef)
                };
                quote!(#handle<#lifetime, #generics>)
            }
            _ => quote!(&#lifetime #cell),
        }
    }

    /// The handle for the series at `index` of the field `ident`.
    fn handle(&self, ident: &syn::Ident, index: TokenStream) -> TokenStream {
        let handle = self.untraced_handle(ident, index);
        let Some(trace) = &self.metric.kind().traced else {
            return handle;
        };
        // Spanned on `trace`: without the runtime's `trace` feature, the
        // error is there.
        match &self.metric.kind().kind {
            Kind::Histogram(_) => quote_spanned! {trace.span()=>
                ::enumeter::__private::handle::traced_histogram(#handle)
            },
            _ => quote_spanned! {trace.span()=>
                ::enumeter::__private::handle::traced_counter(#handle)
            },
        }
    }

    /// The handle without `exemplars = trace`'s wrapper.
    fn untraced_handle(&self, ident: &syn::Ident, index: TokenStream) -> TokenStream {
        if self.spaced() {
            return quote!(self.#ident.series(#index));
        }
        let cell_ref = quote!(&self.#ident[#index]);
        if self.computed() {
            return quote!(::enumeter::__private::handle::computed(#cell_ref));
        }
        if let (Some((native, ..)), Some((spec, _))) = (&self.native, &self.spec) {
            let native = quote! {
                ::enumeter::__private::handle::native(
                    ::enumeter::__private::handle::histogram(&self.#ident[index], &Self::#spec),
                    self.#ident.native(index),
                    &Self::#native,
                )
            };
            if self.metric.kind().exemplars.is_some() {
                return quote! {{
                    let index = #index;
                    ::enumeter::__private::handle::native_exemplar(
                        #native,
                        self.#ident.slots(index),
                    )
                }};
            }
            return quote! {{
                let index = #index;
                #native
            }};
        }
        if self.exemplar_slots().is_some() {
            return match (&self.metric.kind().kind, &self.spec) {
                (Kind::Histogram(_), Some((spec, _))) => quote! {{
                    let index = #index;
                    ::enumeter::__private::handle::exemplar_histogram(
                        ::enumeter::__private::handle::histogram(&self.#ident[index], &Self::#spec),
                        self.#ident.slots(index),
                    )
                }},
                _ => quote! {{
                    let index = #index;
                    ::enumeter::__private::handle::exemplar_counter(
                        &self.#ident[index],
                        &self.#ident.slots(index)[0],
                    )
                }},
            };
        }
        match (&self.metric.kind().kind, &self.spec) {
            (Kind::Info, _) => {
                quote!(::enumeter::__private::handle::info(&self.#ident, #index))
            }
            (Kind::Counter { sharded: Some(_) }, _) => {
                quote!(::enumeter::__private::handle::sharded(&self.#ident, #index))
            }
            (Kind::StateSet { .. }, _) => {
                quote!(::enumeter::__private::handle::state_set(#cell_ref))
            }
            (Kind::Histogram(_), Some((spec, _))) => {
                quote!(::enumeter::__private::handle::histogram(#cell_ref, &Self::#spec))
            }
            (Kind::Summary(_), Some((spec, _))) => {
                quote!(::enumeter::__private::handle::summary(#cell_ref, &Self::#spec))
            }
            _ => cell_ref,
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
        let (ident, doc) = (&self.fn_ident, self.doc());
        let params = self.params();
        let index = self.index();
        let handle_type = self.handle_type(quote!('_));
        let handle = match self.recorded_field() {
            // The handle first, whose cell access checks the index, then
            // the mark: one compare and a branch once the series is marked.
            Some((recorded, _)) => {
                let handle = self.handle(ident, quote!(index));
                quote! {
                    let index = #index;
                    let handle = #handle;
                    self.#recorded.mark(index);
                    handle
                }
            }
            None => self.handle(ident, index),
        };
        let handle = self.held(handle);
        let spec = self.spec.as_ref().map(|(_, def)| def);
        let native = self.native.as_ref().map(|(_, def, ..)| def);
        let setter = self.source_setter(vis, None);
        quote! {
            #spec
            #native

            #[doc = #doc]
            #[inline]
            #[must_use = "the cell records nothing until a method such as `inc` is called on it"]
            // One argument per label: the signature is the declaration's.
            #[allow(clippy::too_many_arguments)]
            #vis fn #ident(&self, #(#params),*) -> #handle_type {
                #handle
            }

            #setter
        }
    }

    /// For a metric with a label that retires: `handle` made after the
    /// value's slot is entered (or the value replaced by `other`, its
    /// handle retired) and the cells cleared of a retired value's counts,
    /// returned with the slot held until dropped.
    fn held(&self, handle: TokenStream) -> TokenStream {
        let Some((position, label)) = self.retiring() else {
            return handle;
        };
        let (arg, ty) = (label.ident, label.ty);
        let clear = self.clear_value(position, label, &quote!(value));
        let enter = quote_spanned! {ty.span()=>
            <#ty as ::enumeter::__private::RetiringLabel>::enter(#arg)
        };
        quote! {
            let (#arg, entered) = #enter;
            if let ::core::option::Option::Some(generation) = entered.generation() {
                let value = <#ty as ::enumeter::__private::LabelValue>::index(#arg);
                #clear
            }
            ::enumeter::__private::Held::new({ #handle }, entered)
        }
    }

    fn shortcut(&self, vis: &syn::Visibility, storage: &syn::Ident) -> TokenStream {
        let (ident, doc) = (&self.fn_ident, self.doc());
        let handle_type = self.handle_type(quote!('static));
        let params = self.params();
        let args = self.metric.labels.iter().map(|l| l.ident);
        let setter = self.source_setter(vis, Some(storage));
        quote! {
            #setter

            #[doc = #doc]
            #[doc = ""]
            #[doc = "Records into the process-wide instance."]
            #[inline]
            #[must_use = "the cell records nothing until a method such as `inc` is called on it"]
            #[allow(clippy::too_many_arguments)]
            #vis fn #ident(#(#params),*) -> #handle_type {
                #storage::global().#ident(#(#args),*)
            }
        }
    }

    /// Merges this metric of `other` into `self`: summaries with their
    /// spec, every other kind through `MergeFrom`.
    fn merge(&self) -> TokenStream {
        let ident = &self.fn_ident;
        let recorded = self.recorded_field().map(|(recorded, _)| {
            quote! {
                ::enumeter::__private::MergeFrom::merge_from(&self.#recorded, &other.#recorded);
            }
        });
        let values = match (&self.metric.kind().kind, &self.spec) {
            (Kind::Summary(_), Some((spec, _))) => quote! {
                ::enumeter::__private::merge_summary_series(
                    &self.#ident,
                    &other.#ident,
                    &Self::#spec,
                );
            },
            _ => quote! {
                ::enumeter::__private::MergeFrom::merge_from(&self.#ident, &other.#ident);
            },
        };
        if let Some(merge) = self.retiring_merge() {
            return merge;
        }
        quote!(#values #recorded)
    }

    /// `merge_from` of a metric with a label that retires: value by value,
    /// each entered at its current generation, `other`'s series merged only
    /// when they hold that value's counts (not a retired one's).
    fn retiring_merge(&self) -> Option<TokenStream> {
        let (position, label) = self.retiring()?;
        let (ident, ty) = (&self.fn_ident, label.ty);
        let (seen, _) = self.seen_field()?;
        let card = cardinality(ty);
        let value = quote!(value);
        let clear = self.clear_value(position, label, &value);
        let series = self.series_of_value(position, label, &value);
        let mark = self.recorded_field().map(|(recorded, _)| {
            quote! {
                if other.#recorded.is_recorded(index) {
                    self.#recorded.mark(index);
                }
            }
        });
        Some(quote! {
            for value in 0..#card {
                let ::core::option::Option::Some(entered) =
                    <#ty as ::enumeter::__private::RetiringLabel>::enter_index(value)
                else {
                    continue;
                };
                if let ::core::option::Option::Some(generation) = entered.generation() {
                    if !other.#seen.is(value, generation) {
                        continue;
                    }
                    #clear
                }
                for index in #series {
                    ::enumeter::__private::MergeFrom::merge_from(&self.#ident[index], &other.#ident[index]);
                    #mark
                }
                ::core::mem::drop(entered);
            }
        })
    }

    fn visit(&self) -> TokenStream {
        let metric = self.metric;
        let (ident, name, help) = (&self.fn_ident, &metric.name, &metric.help);
        let labels = metric.labels.iter().map(|l| {
            let (name, ty) = (&l.name, l.ty);
            let spellings = spellings(name, false);
            quote_spanned! {ty.span()=>
                ::enumeter::__private::LabelDesc::new(
                    #name,
                    <#ty as ::enumeter::__private::LabelValue>::NAMES,
                )
                .with_escaped_values(<#ty as ::enumeter::__private::LabelValue>::ESCAPED_NAMES)
                .with_runtime(<#ty as ::enumeter::__private::LabelValue>::RUNTIME)
                .with_spellings(&#spellings)
            }
        });
        let metric_spellings = spellings(name, true);
        let cells = match (&metric.kind().kind, &self.spec) {
            (Kind::Counter { sharded: None }, _) if self.exemplar_slots().is_some() => {
                quote!(Counter(&*self.#ident))
            }
            (Kind::Counter { sharded: None }, _) => quote!(Counter(&self.#ident)),
            (Kind::Counter { sharded: Some(_) }, _) => quote!(ShardedCounter(&self.#ident)),
            (Kind::Gauge { float: false }, _) => quote!(Gauge(&self.#ident)),
            (Kind::Gauge { float: true }, _) => quote!(FloatGauge(&self.#ident)),
            // The native storage reads its `+Inf` bucket from the native
            // cells when it has no other.
            (Kind::Histogram(_), Some((spec, _))) if self.native.is_some() => {
                quote!(Histogram { spec: &Self::#spec, series: &self.#ident })
            }
            (Kind::Histogram(_), Some((spec, _))) if self.exemplar_slots().is_some() => {
                quote!(Histogram { spec: &Self::#spec, series: &*self.#ident })
            }
            (Kind::Histogram(_), Some((spec, _))) => {
                quote!(Histogram { spec: &Self::#spec, series: &self.#ident })
            }
            (Kind::Summary(_), Some((spec, _))) => {
                quote!(Summary { spec: &Self::#spec, series: &self.#ident })
            }
            (Kind::Info, _) => quote!(Info(&self.#ident)),
            (
                Kind::StateSet {
                    states: Some(states),
                },
                _,
            ) => quote! {
                StateSet {
                    states: <#states as ::enumeter::__private::LabelValue>::NAMES,
                    cells: &self.#ident,
                }
            },
            _ => unreachable!("histograms and summaries have a spec; state sets have states"),
        };
        let mut cells = quote!(::enumeter::__private::Cells::#cells);
        if self.spaced() {
            // Packed beyond a few series, read as a slice, which is faster.
            let (packed, spaced) = match metric.kind().kind {
                Kind::Counter { .. } => (quote!(Counter), quote!(SpacedCounter)),
                _ => (quote!(Gauge), quote!(SpacedGauge)),
            };
            cells = quote! {
                match self.#ident.packed() {
                    ::core::option::Option::Some(cells) => ::enumeter::__private::Cells::#packed(cells),
                    ::core::option::Option::None => {
                        ::enumeter::__private::Cells::#spaced(self.#ident.spaced())
                    }
                }
            };
        }
        let unit = metric
            .kind()
            .unit
            .as_ref()
            .map(|unit| quote!(.with_unit(#unit)));
        let refresh = self.computed().then(|| quote!(self.#ident.refresh();));
        let exemplars = if self.metric.kind().exemplars.is_some() {
            quote!(::core::option::Option::Some(&self.#ident))
        } else {
            quote!(::core::option::Option::None)
        };
        let native = match &self.native {
            Some((native, ..)) => quote! {
                ::core::option::Option::Some(::enumeter::__private::NativeMetric::new(
                    &Self::#native,
                    &self.#ident,
                ))
            },
            None => quote!(::core::option::Option::None),
        };
        let recorded = match self.recorded_field() {
            Some((recorded, _)) => quote!(::core::option::Option::Some(self.#recorded.words())),
            // No words: the reader shows the series that counted one.
            None if self.shown_by_count() => quote!(::core::option::Option::Some(&[])),
            None => quote!(::core::option::Option::None),
        };
        let generations = self.retiring().and_then(|(position, _)| {
            let (seen, _) = self.seen_field()?;
            Some(quote!(.with_generations(#position, self.#seen.as_slice())))
        });
        quote! {
            {
                #refresh
                static DESC: ::enumeter::__private::MetricDesc =
                    ::enumeter::__private::MetricDesc::new(#name, #help, &[#(#labels),*])#unit
                        .with_spellings(&#metric_spellings);
                visitor(
                    ::enumeter::__private::Metric::new(&DESC, #cells)
                        .with_exemplars(#exemplars)
                        .with_native(#native)
                        .with_created_ms(::core::option::Option::Some(created))
                        .with_recorded(#recorded)
                        #generations,
                );
            }
        }
    }
}

/// Every spelling of a metric name (`metric`) or label name, computed here
/// so that a scraper's choice of scheme costs nothing per series.
fn spellings(name: &str, metric: bool) -> TokenStream {
    let legacy = if metric {
        names::is_legacy_metric_name(name)
    } else {
        names::is_legacy_label_name(name)
    };
    let quoted = if legacy {
        quote!(::core::option::Option::None)
    } else {
        let quoted = names::quoted_inner(name);
        quote!(::core::option::Option::Some(#quoted))
    };
    let [underscores, dots, values] =
        [Scheme::Underscores, Scheme::Dots, Scheme::Values].map(|s| names::escape(name, s, metric));
    quote! {
        ::enumeter::__private::Spellings::new(#quoted, #underscores, #dots, #values)
    }
}

/// The product of `factors`, a constant evaluated at compile time: 0 where
/// it overflows a usize, which the group's series check reports as its one
/// error (a plain `a * b` would fail in every array length and stride).
fn product(factors: impl IntoIterator<Item = TokenStream>) -> TokenStream {
    let factors = factors.into_iter();
    quote!(const { ::enumeter::__private::series_product(&[#(#factors),*]) })
}

fn cardinality(ty: &syn::Type) -> TokenStream {
    quote_spanned! {ty.span()=> <#ty as ::enumeter::__private::LabelValue>::CARDINALITY }
}

/// The generic arguments of `Path<A, B>`, as `A, B`.
fn generic_args(ty: &TokenStream) -> TokenStream {
    let ty: syn::TypePath = syn::parse2(ty.clone()).expect("a generated type path");
    match &ty.path.segments.last().expect("a path").arguments {
        syn::PathArguments::AngleBracketed(args) => args.args.to_token_stream(),
        _ => TokenStream::new(),
    }
}

/// How many of the unit the metric's name ends in make one second, for
/// timers; 1 (seconds) when the name ends in no unit of time.
fn units_per_second(name: &str) -> f64 {
    let per_second = [
        ("_seconds", 1.0),
        ("_milliseconds", 1e3),
        ("_ms", 1e3),
        ("_microseconds", 1e6),
        ("_us", 1e6),
        ("_nanoseconds", 1e9),
        ("_ns", 1e9),
        ("_minutes", 1.0 / 60.0),
        ("_hours", 1.0 / 3600.0),
    ];
    per_second
        .iter()
        .find(|(suffix, _)| name.ends_with(suffix))
        .map_or(1.0, |&(_, units)| units)
}

/// A summary's sketch parameters, computed here because array sizes must be
/// constants and the runtime cannot take powers at compile time; the tables
/// are `enumeter_common`'s, which the runtime reads them with.
struct SummarySketch {
    max_age_ms: u64,
    age_buckets: u64,
    relative_error: f64,
    tables: Tables,
    /// The key of `MIN_VALUE`, which bucket 1 holds.
    first_key: u64,
    buckets: usize,
}

impl SummarySketch {
    fn new(attrs: &SummaryAttrs) -> Self {
        let value = |n: &Option<Number>, default: f64| n.as_ref().map_or(default, |n| n.value);
        let relative_error = value(&attrs.relative_error, sketch::DEFAULT_RELATIVE_ERROR);
        let tables = Tables::for_error(relative_error);
        let first_key = tables.key(sketch::MIN_VALUE);
        Self {
            max_age_ms: (value(&attrs.max_age_secs, sketch::DEFAULT_MAX_AGE_SECS) * 1000.0) as u64,
            age_buckets: value(&attrs.age_buckets, sketch::DEFAULT_AGE_BUCKETS) as u64,
            relative_error,
            tables,
            first_key,
            buckets: sketch::buckets_for(relative_error),
        }
    }
}
