//! The group's `objectives()`: every objective and threshold alert its
//! metrics declare, as the runtime's `Objectives`. Each bad label value is
//! written as a variant of the label's enum, on the user's tokens, so that
//! a value that is no variant is rustc's error there (with its "did you
//! mean"); a label all of whose values are bad is a compile-time
//! assertion.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use crate::metrics::ast::{Group, LabelDef, MetricDef};
use crate::metrics::attr::Kind;

/// `impl Enum { pub fn objectives() ... }`, or nothing for a group that
/// declares none.
pub(crate) fn expand(group: &Group<'_>) -> TokenStream {
    let mut pushes = Vec::new();
    let mut asserts = Vec::new();
    for metric in &group.metrics {
        let Some(kind) = metric.kinds.first() else {
            continue;
        };
        for objective in &kind.objectives {
            pushes.push(objective_tokens(
                metric,
                &kind.kind,
                objective,
                &mut asserts,
            ));
        }
        for alert in &kind.alerts {
            pushes.push(alert_tokens(group, metric, alert));
        }
    }
    if pushes.is_empty() {
        return TokenStream::new();
    }
    let ident = &group.item.ident;
    quote! {
        impl #ident {
            /// The objectives and threshold alerts declared on this group's
            /// metrics, for `enumeter::objectives::RuleSet`: Prometheus
            /// rules, their unit tests and a Grafana dashboard.
            pub fn objectives() -> ::enumeter::__private::Objectives {
                let mut declared = ::enumeter::__private::Objectives::default();
                #(#pushes)*
                declared
            }
        }

        #(#asserts)*
    }
}

fn label<'m>(metric: &'m MetricDef<'_>, ident: &syn::Ident) -> Option<&'m LabelDef<'m>> {
    metric.labels.iter().find(|l| *ident == l.field)
}

/// One objective's `push`; a label's "not every value bad" assertion goes
/// to `asserts`, an item of its own (evaluated by `cargo check` too).
fn objective_tokens(
    metric: &MetricDef<'_>,
    kind: &Kind,
    objective: &super::ObjectiveAttr,
    asserts: &mut Vec<TokenStream>,
) -> TokenStream {
    let declared = declared_objective(metric, kind, objective, asserts);
    let excluded = label_values(
        metric,
        objective.exclude.as_ref(),
        "is left out: an objective needs events to count",
        asserts,
    );
    if objective.exclude.is_none() {
        return quote!(declared.objectives.push(#declared););
    }
    quote! {
        declared.objectives.push(#declared.excluding(&[#(#excluded),*]));
    }
}

/// The objective as declared, before `exclude`.
fn declared_objective(
    metric: &MetricDef<'_>,
    kind: &Kind,
    objective: &super::ObjectiveAttr,
    asserts: &mut Vec<TokenStream>,
) -> TokenStream {
    let name = objective
        .name
        .as_ref()
        .map(syn::LitStr::value)
        .unwrap_or_default();
    let family = &metric.name;
    let help = &metric.help;
    let target = objective.target.as_ref().map_or(0.0, |t| t.value);
    let days = objective
        .window_days
        .as_ref()
        .map_or(30, |d| d.value as u32);
    let by = objective.by.iter().filter_map(|ident| {
        let label = label(metric, ident)?;
        let (name, ty) = (&label.name, label.ty);
        Some(quote!((#name, <#ty as ::enumeter::__private::LabelValue>::NAMES)))
    });
    match kind {
        Kind::Histogram(h) => {
            let below = objective.below.as_ref().map_or(0.0, |b| b.value);
            let classic = h.bounds().contains(&below);
            // Read from native buckets: only where an output carries them.
            if let Some(tokens) = objective
                .below
                .as_ref()
                .map(|b| &b.tokens)
                .filter(|_| !classic)
            {
                let span = syn::spanned::Spanned::span(tokens);
                asserts.push(quote_spanned! {span=>
                    ::enumeter::__private::native_objective_needs_an_output!();
                });
            }
            quote! {
                ::enumeter::__private::Objective::latency(
                    #name, #family, #help, #target, #days, &[#(#by),*], #below, !#classic,
                )
            }
        }
        _ => {
            let bad = label_values(
                metric,
                objective.bad.as_ref(),
                "is named bad: an objective needs good ones too",
                asserts,
            );
            quote! {
                ::enumeter::__private::Objective::availability(
                    #name, #family, #help, #target, #days, &[#(#by),*], &[#(#bad),*],
                )
            }
        }
    }
}

/// Each label of `bad(...)` or `exclude(...)` with its declared names and
/// the values listed, as `(label, NAMES, &[values])`; that not every value
/// of a label is listed goes to `asserts`, whose message says the label
/// name and then `listed_as`.
fn label_values(
    metric: &MetricDef<'_>,
    labels: Option<&(syn::Path, Vec<super::BadLabel>)>,
    listed_as: &str,
    asserts: &mut Vec<TokenStream>,
) -> Vec<TokenStream> {
    labels
        .iter()
        .flat_map(|(_, labels)| labels)
        .filter_map(
            |super::BadLabel {
                 label: ident,
                 values,
                 ..
             }| {
                let label = label(metric, ident)?;
                let (label_name, ty) = (&label.name, label.ty);
                let count = values.len();
                let message = format!("every value of `{label_name}` {listed_as}");
                let names = values.iter().map(|value| {
                    let span = syn::spanned::Spanned::span(value);
                    let value = value.expr(ty);
                    quote_spanned! {span=>
                        <#ty as ::enumeter::__private::LabelValue>::as_str(#value)
                    }
                });
                asserts.push(quote_spanned! {ident.span()=>
                    const _: () = ::core::assert!(
                        #count < <#ty as ::enumeter::__private::LabelValue>::CARDINALITY,
                        #message
                    );
                });
                Some(quote! {(
                    #label_name,
                    <#ty as ::enumeter::__private::LabelValue>::NAMES,
                    &[#(#names),*][..],
                )})
            },
        )
        .collect()
}

fn alert_tokens(
    group: &Group<'_>,
    metric: &MetricDef<'_>,
    alert: &super::AlertAttr,
) -> TokenStream {
    let value =
        |lit: &Option<syn::LitStr>| lit.as_ref().map(syn::LitStr::value).unwrap_or_default();
    let (name, severity, description) = (
        value(&alert.name),
        value(&alert.severity),
        value(&alert.description),
    );
    let family = &metric.name;
    let over = match alert
        .over
        .as_ref()
        .and_then(|o| group.metrics.iter().find(|m| m.variant.ident == *o))
    {
        Some(other) => {
            let other = &other.name;
            quote!(::core::option::Option::Some(#other))
        }
        None => quote!(::core::option::Option::None),
    };
    let (above, threshold) = match (&alert.above, &alert.below) {
        (Some(n), _) => (true, n.value),
        (None, Some(n)) => (false, n.value),
        (None, None) => (true, 0.0),
    };
    quote! {
        declared.alerts.push(::enumeter::__private::Alert::new(
            #name, #severity, #description, #family, #over, #above, #threshold,
        ));
    }
}
