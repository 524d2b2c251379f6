//! Checks a metric group model; every problem becomes an error on its token.

use std::collections::HashMap;

use super::ast::{Group, MetricDef};
use super::attr::Kind;
use crate::errors::Errors;
use crate::names::{is_valid_name, reserved_label};

/// Method names the generated storage type already has.
const RESERVED_FN_NAMES: &[&str] = &["new", "global"];

pub(crate) fn check(group: &Group<'_>, errors: &mut Errors) {
    let item = group.item;
    if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
        errors.spanned(
            &item.generics,
            "a metric group cannot be generic: its storage is laid out at compile time",
        );
    }
    if item.variants.is_empty() {
        errors.spanned(
            &item.ident,
            "a metric group needs at least one metric: add a variant with #[counter] or #[gauge]",
        );
    }
    let namespace_ok = group
        .attrs
        .namespace
        .as_ref()
        .map_or(true, |ns| is_valid_name(&ns.value()));
    if let Some(ns) = &group.attrs.namespace {
        if !namespace_ok {
            errors.spanned(
                ns,
                "invalid namespace: use ASCII letters, digits and `_`, not starting \
                 with a digit (for example \"sip\" or \"speech_gateway\")",
            );
        }
    }
    if let Some(max) = &group.attrs.max_series {
        if max.base10_parse::<usize>().is_err() {
            errors.spanned(max, "max_series is a whole number of series (a usize)");
        }
    }
    for metric in &group.metrics {
        check_metric(metric, namespace_ok, errors);
    }
    check_duplicates(group, errors);
}

fn check_metric(metric: &MetricDef<'_>, namespace_ok: bool, errors: &mut Errors) {
    let variant = metric.variant;
    match metric.kinds.as_slice() {
        [] => errors.spanned(
            &variant.ident,
            format!(
                "`{}` has no metric kind: put #[counter] or #[gauge] above it",
                variant.ident
            ),
        ),
        [first, rest @ ..] => {
            for extra in rest {
                errors.spanned(
                    &extra.attr,
                    format!(
                        "a metric has exactly one kind, and `{}` is already a #[{}]; \
                         remove one of the two",
                        variant.ident,
                        first.kind.attribute_name()
                    ),
                );
            }
        }
    }
    match &variant.fields {
        syn::Fields::Unnamed(fields) => errors.spanned(
            fields,
            format!(
                "a metric's labels are named fields: write `{} {{ label: LabelType }}`, \
                 or no fields for a metric without labels",
                variant.ident
            ),
        ),
        syn::Fields::Named(_) | syn::Fields::Unit => {}
    }
    if let Some((eq, expr)) = &variant.discriminant {
        errors.spanned(
            quote::quote!(#eq #expr),
            "a metric has no discriminant; remove `= ...`",
        );
    }
    if metric.help.is_empty() {
        errors.spanned(
            &variant.ident,
            format!(
                "`{}` has no HELP text: add a doc comment (`/// what it counts`) above it",
                variant.ident
            ),
        );
    }
    check_name(metric, namespace_ok, errors);
    for label in &metric.labels {
        if !is_valid_name(&label.name) {
            errors.spanned(
                label.ident,
                "a label name uses ASCII letters, digits and `_` only; rename the field",
            );
        } else if let Some(why) = reserved_label(&label.name) {
            errors.spanned(label.ident, format!("{why}; rename the field"));
        }
    }
}

/// `namespace_ok` is false when the namespace already has an error of its
/// own, which would otherwise repeat on every metric.
fn check_name(metric: &MetricDef<'_>, namespace_ok: bool, errors: &mut Errors) {
    if !is_valid_name(&metric.name) {
        if !namespace_ok {
            return;
        }
        errors.spanned(
            &metric.name_tokens,
            format!(
                "invalid metric name `{}`: use ASCII letters, digits and `_`, \
                 not starting with a digit",
                metric.name
            ),
        );
        return;
    }
    let is_counter = metric
        .kinds
        .first()
        .is_some_and(|k| k.kind == Kind::Counter);
    if is_counter && !metric.name.ends_with("_total") {
        let fix = match metric.kind().name {
            Some(_) => format!("name it \"{}_total\"", metric_suffix(metric)),
            None => format!("rename the variant to `{}Total`", metric.variant.ident),
        };
        errors.spanned(
            &metric.name_tokens,
            format!(
                "counter `{}` must end in `_total` (Prometheus convention, required by \
                 OpenMetrics): {fix}",
                metric.name
            ),
        );
    }
    if RESERVED_FN_NAMES.contains(&metric.fn_name.as_str()) {
        errors.at(
            metric.ident_span(),
            format!(
                "a metric named `{}` would clash with the storage type's `{}()`; \
                 rename the variant and keep the metric name with #[{}(name = \"...\")]",
                metric.variant.ident,
                metric.fn_name,
                metric.kind_attribute_name()
            ),
        );
    } else if metric.fn_ident().is_none() {
        errors.at(
            metric.ident_span(),
            format!(
                "`{}` cannot be a function name; rename the variant",
                metric.fn_name
            ),
        );
    }
}

/// The `name = "..."` literal's value, for suggestions.
fn metric_suffix(metric: &MetricDef<'_>) -> String {
    metric
        .kind()
        .name
        .as_ref()
        .map_or_else(String::new, syn::LitStr::value)
}

fn check_duplicates(group: &Group<'_>, errors: &mut Errors) {
    let mut names: HashMap<&str, &syn::Ident> = HashMap::new();
    let mut fns: HashMap<&str, &syn::Ident> = HashMap::new();
    for metric in &group.metrics {
        let ident = &metric.variant.ident;
        if let Some(first) = names.insert(&metric.name, ident) {
            errors.spanned(
                &metric.name_tokens,
                format!(
                    "duplicate metric name `{}`: `{}` has it too; rename one variant \
                     or give it #[{}(name = \"...\")]",
                    metric.name,
                    first,
                    metric.kind_attribute_name()
                ),
            );
        } else if let Some(first) = fns.insert(&metric.fn_name, ident) {
            errors.spanned(
                ident,
                format!(
                    "`{}` and `{}` would both get the recording function `{}`; rename one",
                    first, ident, metric.fn_name
                ),
            );
        }
    }
}
