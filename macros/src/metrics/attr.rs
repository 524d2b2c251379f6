//! The attributes of a metric group: `#[metrics(...)]` on the enum and the
//! kind attribute (`#[counter]`, `#[gauge(...)]`) on each variant.

use proc_macro2::TokenStream;
use syn::parse::Parser;

pub(crate) use super::number::Number;
use super::number::{bucket_list, number, number_list, List};
use crate::errors::Errors;
use crate::meta::{flag, set_once, unknown_key};

const SKIP_USAGE: &str =
    "`skip_non_positive` alone, as in `#[histogram(buckets = [1, 2], skip_non_positive)]`";

/// `#[metrics(namespace = "...", max_series = N, register = false)]`.
#[derive(Default)]
pub(crate) struct GroupAttrs {
    pub(crate) namespace: Option<syn::LitStr>,
    pub(crate) max_series: Option<syn::LitInt>,
    /// `register = false`: keep the process-wide instance out of the
    /// default registry.
    pub(crate) register: Option<syn::LitBool>,
    /// `sparse`: every metric of the group that can be is sparse.
    pub(crate) sparse: Option<syn::Path>,
}

pub(crate) fn group_attrs(args: TokenStream, errors: &mut Errors) -> GroupAttrs {
    let mut out = GroupAttrs::default();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("namespace") {
            let lit: syn::LitStr = meta.value()?.parse()?;
            set_once(&mut out.namespace, lit, &meta, errors);
        } else if meta.path.is_ident("max_series") {
            let lit: syn::LitInt = meta.value()?.parse()?;
            set_once(&mut out.max_series, lit, &meta, errors);
        } else if meta.path.is_ident("register") {
            let lit: syn::LitBool = meta.value()?.parse()?;
            set_once(&mut out.register, lit, &meta, errors);
        } else if meta.path.is_ident("sparse") {
            let path = meta.path.clone();
            if flag(&meta, "`#[metrics(sparse)]`", errors)? {
                set_once(&mut out.sparse, path, &meta, errors);
            }
        } else if let Some(kinds) = KIND_KEYS
            .iter()
            .find(|(key, _)| meta.path.is_ident(key))
            .map(|(_, kinds)| kinds)
        {
            let key = meta.path.get_ident().map(ToString::to_string);
            errors.spanned(
                &meta.path,
                format!(
                    "`{}` belongs on a metric, not on the group: write it in the \
                     metric's kind attribute ({kinds}) above the variant; \
                     #[metrics(...)] accepts: namespace, max_series, register, sparse",
                    key.unwrap_or_default()
                ),
            );
            crate::meta::skip_value(&meta)?;
        } else {
            unknown_key(
                &meta,
                "metrics",
                "namespace, max_series, register, sparse",
                errors,
            )?;
        }
        Ok(())
    });
    if let Err(e) = parser.parse2(args) {
        errors.push(e);
    }
    out
}

/// The keys of kind attributes, with the kinds that take them, for the
/// error on a key written in `#[metrics(...)]` instead.
const KIND_KEYS: &[(&str, &str)] = &[
    ("name", "any kind: `#[counter(name = \"...\")]`"),
    (
        "unit",
        "`#[histogram(unit = \"seconds\", ...)]` or #[summary(...)]",
    ),
    ("sharded", "`#[counter(sharded)]`"),
    ("float", "`#[gauge(float)]`"),
    ("computed", "`#[gauge(computed)]` or `#[counter(computed)]`"),
    (
        "exemplars",
        "`#[counter(exemplars)]` or `#[histogram(..., exemplars)]`, or `exemplars = trace`",
    ),
    ("buckets", "`#[histogram(buckets = [...])]`"),
    ("skip_non_positive", "#[histogram(...)] or #[summary(...)]"),
    ("quantiles", "`#[summary(quantiles = [...])]`"),
    ("max_age_secs", "#[summary(...)]"),
    ("age_buckets", "#[summary(...)]"),
    ("relative_error", "#[summary(...)]"),
    ("states", "`#[state_set(states = T)]`"),
    (
        "objective",
        "`#[counter(objective(...))]` or `#[histogram(..., objective(...))]`",
    ),
    (
        "alert",
        "`#[gauge(alert(...))]` or `#[counter(alert(...))]`",
    ),
];

/// The keys of `#[metrics(...)]`.
const GROUP_KEYS: &[&str] = &["namespace", "max_series", "register"];

/// The kind of a metric and the options its kind attribute gave.
pub(crate) struct KindAttr {
    pub(crate) kind: Kind,
    /// The attribute, for errors about the kind as a whole.
    pub(crate) attr: syn::Attribute,
    /// `name = "..."`: the metric name after the namespace, instead of the
    /// variant name in snake_case.
    pub(crate) name: Option<syn::LitStr>,
    /// `unit = "..."` (histograms and summaries): appended to the name.
    pub(crate) unit: Option<syn::LitStr>,
    /// `computed` (counters and gauges): the key, when the value is set at
    /// scrape time from a function the application registers.
    pub(crate) computed: Option<syn::Path>,
    /// `exemplars` (counters and histograms): the key, when the metric
    /// keeps the latest exemplar of each series or bucket.
    pub(crate) exemplars: Option<syn::Path>,
    /// `exemplars = trace`: the `trace`, when the exemplars are the current
    /// span's ids, taken at each observation.
    pub(crate) traced: Option<syn::Path>,
    /// `sparse`: the key, when a series is written out only once it has
    /// been recorded into.
    pub(crate) sparse: Option<syn::Path>,
    /// `objective(...)` (counters and histograms), any number.
    pub(crate) objectives: Vec<super::objective::ObjectiveAttr>,
    /// `alert(...)` (counters and gauges), any number.
    pub(crate) alerts: Vec<super::objective::AlertAttr>,
}

pub(crate) enum Kind {
    Counter {
        /// `sharded`, or `sharded = N`: shard-major storage, with `N` shards
        /// when given.
        sharded: Option<Option<syn::LitInt>>,
    },
    Gauge {
        float: bool,
    },
    Histogram(HistogramAttrs),
    Summary(SummaryAttrs),
    Info,
    /// `states = Type`: the label value enum whose values are the states.
    StateSet {
        states: Option<syn::Type>,
    },
}

#[derive(Default)]
pub(crate) struct HistogramAttrs {
    /// `skip_non_positive`: values ≤ 0 mean "no measurement".
    pub(crate) skip_non_positive: bool,
    /// `buckets = ...`, evaluated; `None` when the key is missing or its
    /// value had an error of its own.
    pub(crate) buckets: Option<Vec<Number>>,
    /// Whether `buckets` was written at all, so that a bad value is not
    /// also reported as a missing one.
    pub(crate) buckets_given: bool,
    /// `native` or `native(...)`: native buckets beside the classic ones.
    pub(crate) native: Option<NativeAttrs>,
}

impl HistogramAttrs {
    /// The classic bounds' values; none without `buckets` (a native
    /// histogram, or an error of its own).
    pub(crate) fn bounds(&self) -> Vec<f64> {
        self.buckets
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|n| n.value)
            .collect()
    }
}

/// `native(schema = 3, zero_threshold = 1e-9, max = 1e9, max_buckets = 160,
/// negative)`; every key optional.
pub(crate) struct NativeAttrs {
    /// The `native` key, for errors about the whole.
    pub(crate) path: syn::Path,
    pub(crate) schema: Option<Number>,
    pub(crate) zero_threshold: Option<Number>,
    pub(crate) max: Option<Number>,
    pub(crate) max_buckets: Option<Number>,
    pub(crate) negative: bool,
}

#[derive(Default)]
pub(crate) struct SummaryAttrs {
    /// `skip_non_positive`: values ≤ 0 mean "no measurement".
    pub(crate) skip_non_positive: bool,
    pub(crate) quantiles: Option<Vec<Number>>,
    /// Whether `quantiles` was written at all (see `HistogramAttrs`).
    pub(crate) quantiles_given: bool,
    pub(crate) max_age_secs: Option<Number>,
    pub(crate) age_buckets: Option<Number>,
    pub(crate) relative_error: Option<Number>,
}

impl Kind {
    pub(crate) const ATTRIBUTES: &'static [&'static str] = &[
        "counter",
        "gauge",
        "histogram",
        "summary",
        "info",
        "state_set",
    ];

    pub(crate) fn attribute_name(&self) -> &'static str {
        match self {
            Kind::Counter { .. } => "counter",
            Kind::Gauge { .. } => "gauge",
            Kind::Histogram(_) => "histogram",
            Kind::Summary(_) => "summary",
            Kind::Info => "info",
            Kind::StateSet { .. } => "state_set",
        }
    }
}

/// Whether `attr` is a kind attribute (`#[counter]`, `#[gauge]`, ...).
pub(crate) fn is_kind_attr(attr: &syn::Attribute) -> bool {
    Kind::ATTRIBUTES.iter().any(|k| attr.path().is_ident(k))
}

/// Whether `attr` is a label field's `#[label(...)]`, which the macro
/// consumes.
pub(crate) fn is_label_attr(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("label")
}

/// What a label field's `#[label(...)]` says.
#[derive(Default)]
pub(crate) struct LabelAttrs {
    /// The name `name = "..."` gives it, if any (a Prometheus 3 name such
    /// as `"http.request.method"`).
    pub(crate) name: Option<syn::LitStr>,
    /// `retires`: the label is a runtime label whose values retire.
    pub(crate) retires: Option<syn::Path>,
}

/// Parses a label field's `#[label(...)]` attributes.
pub(crate) fn label_attrs(attrs: &[syn::Attribute], errors: &mut Errors) -> LabelAttrs {
    let mut parsed = LabelAttrs::default();
    for attr in attrs.iter().filter(|a| is_label_attr(a)) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                set_once(&mut parsed.name, lit, &meta, errors);
                Ok(())
            } else if meta.path.is_ident("retires") {
                if flag(&meta, "`#[label(retires)]`", errors)? {
                    set_once(&mut parsed.retires, meta.path.clone(), &meta, errors);
                }
                Ok(())
            } else {
                unknown_key(&meta, "label", "name, retires", errors)
            }
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    parsed
}

/// Parses one kind attribute; `is_kind_attr(attr)` must hold.
pub(crate) fn kind_attr(attr: &syn::Attribute, errors: &mut Errors) -> KindAttr {
    let path = attr.path();
    let mut kind = if path.is_ident("counter") {
        Kind::Counter { sharded: None }
    } else if path.is_ident("gauge") {
        Kind::Gauge { float: false }
    } else if path.is_ident("histogram") {
        Kind::Histogram(HistogramAttrs::default())
    } else if path.is_ident("summary") {
        Kind::Summary(SummaryAttrs::default())
    } else if path.is_ident("info") {
        Kind::Info
    } else {
        Kind::StateSet { states: None }
    };
    let attribute = kind.attribute_name();
    let accepted = match kind {
        Kind::Counter { .. } => "name, sharded, computed, exemplars, sparse, objective, alert",
        Kind::Gauge { .. } => "name, float, computed, sparse, alert",
        Kind::Histogram(_) => {
            "buckets, native, unit, skip_non_positive, exemplars, sparse, name, objective"
        }
        Kind::Summary(_) => {
            "quantiles, max_age_secs, age_buckets, relative_error, unit, skip_non_positive, \
             sparse, name"
        }
        Kind::Info => "name",
        Kind::StateSet { .. } => "states, sparse, name",
    };
    let mut name = None;
    let mut unit = None;
    let mut computed = None;
    let mut exemplars = None;
    let mut traced = None;
    let mut sparse = None;
    let mut objectives = Vec::new();
    let mut alerts = Vec::new();
    if !matches!(attr.meta, syn::Meta::Path(_)) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            match (&mut kind, key.as_str()) {
                (_, "name") => {
                    let lit: syn::LitStr = meta.value()?.parse()?;
                    set_once(&mut name, lit, &meta, errors);
                }
                (Kind::Histogram(_) | Kind::Summary(_), "unit") => {
                    let lit: syn::LitStr = meta.value()?.parse()?;
                    set_once(&mut unit, lit, &meta, errors);
                }
                (Kind::Counter { .. } | Kind::Gauge { .. }, "computed") => {
                    let path = meta.path.clone();
                    if flag(
                        &meta,
                        "`computed` alone, as in `#[gauge(computed)]`",
                        errors,
                    )? {
                        set_once(&mut computed, path, &meta, errors);
                    }
                }
                (Kind::Counter { .. } | Kind::Histogram(_), "exemplars") => {
                    let path = meta.path.clone();
                    if meta.input.peek(syn::Token![=]) {
                        let value: syn::Expr = meta.value()?.parse()?;
                        match &value {
                            syn::Expr::Path(p) if p.path.is_ident("trace") => {
                                traced = Some(p.path.clone());
                                set_once(&mut exemplars, path, &meta, errors);
                            }
                            _ => errors.spanned(
                                &value,
                                "`exemplars` takes no value (the caller passes each exemplar's \
                                 labels) or `trace` (the current span's ids): write `exemplars` \
                                 or `exemplars = trace`",
                            ),
                        }
                    } else {
                        set_once(&mut exemplars, path, &meta, errors);
                    }
                }
                (Kind::Counter { .. } | Kind::Histogram(_), "objective") => {
                    objectives.push(super::objective::objective(&meta, errors)?);
                }
                (_, "objective") => {
                    errors.spanned(
                        &meta.path,
                        format!(
                            "an objective goes on a counter (the share of events with a bad \
                             label value) or a histogram (the share above a latency), not on \
                             a {attribute}"
                        ),
                    );
                    crate::meta::skip_value(&meta)?;
                }
                (Kind::Counter { .. } | Kind::Gauge { .. }, "alert") => {
                    alerts.push(super::objective::alert(&meta, errors)?);
                }
                (_, "alert") => {
                    errors.spanned(
                        &meta.path,
                        format!(
                            "a threshold alert goes on a gauge or a counter, not on a \
                             {attribute}; a histogram's alerts come from its `objective`"
                        ),
                    );
                    crate::meta::skip_value(&meta)?;
                }
                (Kind::Info, "sparse") => {
                    errors.spanned(
                        &meta.path,
                        "an info metric writes out its current series alone already: \
                         drop `sparse`",
                    );
                    crate::meta::skip_value(&meta)?;
                }
                (_, "sparse") => {
                    let path = meta.path.clone();
                    let usage = "`sparse` alone, as in `#[counter(sparse)]`";
                    if flag(&meta, usage, errors)? {
                        set_once(&mut sparse, path, &meta, errors);
                    }
                }
                (Kind::Gauge { float }, "float") => {
                    *float = flag(&meta, "`#[gauge(float)]`", errors)?;
                }
                (Kind::Counter { sharded }, "sharded") => {
                    if !meta.input.peek(syn::Token![=]) {
                        *sharded = Some(None);
                    } else {
                        let value: syn::Expr = meta.value()?.parse()?;
                        match value {
                            syn::Expr::Lit(syn::ExprLit {
                                lit: syn::Lit::Int(shards),
                                ..
                            }) => *sharded = Some(Some(shards)),
                            other => errors.spanned(
                                other,
                                "`sharded` is a flag (`#[counter(sharded)]`, 16 shards) or \
                                 takes a number of shards (`#[counter(sharded = 4)]`)",
                            ),
                        }
                    }
                }
                (Kind::Histogram(h), "skip_non_positive") => {
                    h.skip_non_positive = flag(&meta, SKIP_USAGE, errors)?;
                }
                (Kind::Summary(s), "skip_non_positive") => {
                    s.skip_non_positive = flag(&meta, SKIP_USAGE, errors)?;
                }
                (_, key) if GROUP_KEYS.contains(&key) => {
                    errors.spanned(
                        &meta.path,
                        format!(
                            "`{key}` belongs on the group, not on a metric: \
                             `#[metrics({key} = ...)]` above the enum; #[{attribute}(...)] \
                             accepts: {accepted}"
                        ),
                    );
                    crate::meta::skip_value(&meta)?;
                }
                (Kind::StateSet { states }, "states") => {
                    let ty: syn::Type = meta.value()?.parse()?;
                    set_once(states, ty, &meta, errors);
                }
                (Kind::Histogram(h), "native") => {
                    let mut native = NativeAttrs {
                        path: meta.path.clone(),
                        schema: None,
                        zero_threshold: None,
                        max: None,
                        max_buckets: None,
                        negative: false,
                    };
                    if meta.input.peek(syn::token::Paren) {
                        meta.parse_nested_meta(|inner| {
                            let key = inner
                                .path
                                .get_ident()
                                .map(ToString::to_string)
                                .unwrap_or_default();
                            let slot = match key.as_str() {
                                "schema" => &mut native.schema,
                                "zero_threshold" => &mut native.zero_threshold,
                                "max" => &mut native.max,
                                "max_buckets" => &mut native.max_buckets,
                                "negative" => {
                                    native.negative = flag(&inner, "`native(negative)`", errors)?;
                                    return Ok(());
                                }
                                _ => {
                                    return unknown_key(
                                        &inner,
                                        "native",
                                        "schema, zero_threshold, max, max_buckets, negative",
                                        errors,
                                    )
                                }
                            };
                            let expr: syn::Expr = inner.value()?.parse()?;
                            if let Some(n) = number(&expr, List::Setting, errors) {
                                set_once(slot, n, &inner, errors);
                            }
                            Ok(())
                        })?;
                    }
                    if h.native.is_some() {
                        errors.spanned(&meta.path, "this key is given twice; keep one");
                    } else {
                        h.native = Some(native);
                    }
                }
                (Kind::Histogram(h), "buckets") => {
                    h.buckets_given = true;
                    let expr: syn::Expr = meta.value()?.parse()?;
                    if let Some(values) = bucket_list(&expr, errors) {
                        set_once(&mut h.buckets, values, &meta, errors);
                    }
                }
                (Kind::Summary(s), "quantiles") => {
                    s.quantiles_given = true;
                    let expr: syn::Expr = meta.value()?.parse()?;
                    if let Some(values) = number_list(&expr, List::Quantiles, errors) {
                        set_once(&mut s.quantiles, values, &meta, errors);
                    }
                }
                (Kind::Summary(s), "max_age_secs" | "age_buckets" | "relative_error") => {
                    let expr: syn::Expr = meta.value()?.parse()?;
                    if let Some(n) = number(&expr, List::Setting, errors) {
                        let slot = match key.as_str() {
                            "max_age_secs" => &mut s.max_age_secs,
                            "age_buckets" => &mut s.age_buckets,
                            _ => &mut s.relative_error,
                        };
                        set_once(slot, n, &meta, errors);
                    }
                }
                _ => unknown_key(&meta, attribute, accepted, errors)?,
            }
            Ok(())
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    KindAttr {
        kind,
        attr: attr.clone(),
        name,
        unit,
        computed,
        exemplars,
        traced,
        sparse,
        objectives,
        alerts,
    }
}
