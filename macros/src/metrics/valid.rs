//! Checks a metric group model; every problem becomes an error on its token.

use std::collections::HashMap;

use super::ast::{Group, LabelDef, MetricDef};
use super::attr::{Kind, KindAttr, Number};
use crate::errors::Errors;
use enumeter_common::names::{
    escape, exposed_names as names_of, invalid_utf8_name, is_name as is_valid_name, reserved_label,
    Scheme,
};
use enumeter_common::native::{self as native_keys, MAX_CELLS as MAX_NATIVE_CELLS};
pub(crate) use enumeter_common::sharded::{DEFAULT_SHARDS, MAX_SHARDS};

/// Method names the generated storage type already has.
const RESERVED_FN_NAMES: &[&str] = &["new", "global", "merge_from"];

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
            "a metric group needs at least one metric: add a variant with a kind \
             attribute such as #[counter]",
        );
    }
    let namespace_ok = group
        .attrs
        .namespace
        .as_ref()
        .is_none_or(|ns| is_valid_name(&ns.value()));
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
    super::objective::valid::check(group, errors);
}

fn check_metric(metric: &MetricDef<'_>, namespace_ok: bool, errors: &mut Errors) {
    let variant = metric.variant;
    match metric.kinds.as_slice() {
        [] => errors.spanned(
            &variant.ident,
            format!(
                "`{}` has no metric kind: put #[counter], #[gauge], #[histogram(...)], \
                 #[summary(...)], #[info] or #[state_set(...)] above it",
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
    if metric
        .kinds
        .first()
        .is_some_and(|k| matches!(k.kind, Kind::StateSet { .. }))
    {
        // OpenMetrics names a state set's state label after the metric.
        for label in metric.labels.iter().filter(|l| l.name == metric.name) {
            errors.spanned(
                label.ident,
                format!(
                    "a state set's states are the label `{}`, named after the metric; \
                     rename this field",
                    metric.name
                ),
            );
        }
    }
    if let Some(kind) = metric.kinds.first() {
        check_kind_options(kind, errors);
        check_retiring_label(metric, kind, errors);
    }
    for label in &metric.labels {
        if let Some(written) = not_a_label_type(label.ty) {
            errors.spanned(
                label.ty,
                format!(
                    "a label is an enum deriving `LabelValue` (or `bool`), not {written}: \
                     its values are a closed set known at compile time (ids and \
                     free-form text are unbounded and do not belong in labels). Declare \
                     `#[derive(Clone, Copy, LabelValue)] enum {} {{ ... }}` with one variant \
                     per value (an `other` variant catches the rest) and use it here",
                    enumeter_common::names::pascal_case(&label.name)
                ),
            );
        }
        let rename = if label.name == label.field {
            "rename the field, or name the label with #[label(name = \"...\")]"
        } else {
            "give the label another name"
        };
        if let Some(why) = invalid_utf8_name(&label.name) {
            errors.spanned(
                &label.name_tokens,
                format!("invalid label name `{}`: {why}; {rename}", label.name),
            );
        } else if let Some(why) = reserved_label(&label.name) {
            errors.spanned(&label.name_tokens, format!("{why}; {rename}"));
        }
    }
    check_label_clashes(metric, errors);
}

/// `#[label(retires)]`: on one label of a metric, and on a kind whose
/// cells its new values can clear (counters, gauges and classic
/// histograms, with no exemplars).
fn check_retiring_label(metric: &MetricDef<'_>, kind: &KindAttr, errors: &mut Errors) {
    let mut retiring = metric.labels.iter().filter_map(|l| l.retires.as_ref());
    let Some(first) = retiring.next() else {
        return;
    };
    for extra in retiring {
        errors.spanned(
            extra,
            "a metric takes at most one label whose values retire (its handle holds one \
             value while it records): keep `#[label(retires)]` on one label",
        );
    }
    let refused = match &kind.kind {
        Kind::Counter { sharded: Some(_) } => Some("a sharded counter"),
        Kind::Histogram(h) if h.native.is_some() => Some("a native histogram"),
        Kind::Counter { .. } | Kind::Gauge { .. } | Kind::Histogram(_) => None,
        Kind::Summary(_) => Some("a summary"),
        Kind::Info => Some("an info metric"),
        Kind::StateSet { .. } => Some("a state set"),
    };
    let refused = refused
        .or(kind.exemplars.as_ref().map(|_| "a metric with exemplars"))
        .or(kind.traced.as_ref().map(|_| "a metric with exemplars"));
    if let Some(refused) = refused {
        errors.spanned(
            first,
            format!(
                "a label whose values retire is taken by counters, gauges and classic \
                 histograms without exemplars, not by {refused}: the first record of a new \
                 value clears the cells its retired value left"
            ),
        );
    }
}

/// Two labels of one metric may not take one name, as declared or as
/// `underscores` spells them (`a.b` and `a_b`): the second is an error.
fn check_label_clashes(metric: &MetricDef<'_>, errors: &mut Errors) {
    let mut seen: HashMap<String, &LabelDef<'_>> = HashMap::new();
    for label in &metric.labels {
        let escaped = escape(&label.name, Scheme::Underscores, false);
        match seen.get(&escaped) {
            Some(first) if first.name == label.name => errors.spanned(
                &label.name_tokens,
                format!(
                    "`{}` and `{}` are both named `{}`; give one another name",
                    first.field, label.field, label.name
                ),
            ),
            Some(first) => errors.spanned(
                &label.name_tokens,
                format!(
                    "labels `{}` and `{}` become the same name `{escaped}` when a scraper \
                     asks for names escaped with `underscores` (as Prometheus 2 and remote \
                     write do); give one another name",
                    first.name, label.name
                ),
            ),
            None => {
                seen.insert(escaped, label);
            }
        }
    }
}

/// `namespace_ok` is false when the namespace already has an error of its
/// own, which would otherwise repeat on every metric.
fn check_name(metric: &MetricDef<'_>, namespace_ok: bool, errors: &mut Errors) {
    // Any name Prometheus 3 takes; one outside the legacy character set is
    // quoted or escaped in the exposition, as the scraper asks.
    if let Some(why) = invalid_utf8_name(&metric.name) {
        if !namespace_ok {
            return;
        }
        errors.spanned(
            &metric.name_tokens,
            format!("invalid metric name `{}`: {why}", metric.name),
        );
        return;
    }
    if metric.name.starts_with("__") {
        errors.spanned(
            &metric.name_tokens,
            format!(
                "invalid metric name `{}`: names starting with `__` are reserved for \
                 Prometheus' internal use",
                metric.name
            ),
        );
        return;
    }
    let is_counter = metric
        .kinds
        .first()
        .is_some_and(|k| matches!(k.kind, Kind::Counter { .. }));
    let is_info = metric
        .kinds
        .first()
        .is_some_and(|k| matches!(k.kind, Kind::Info));
    if is_info && !metric.name.ends_with("_info") {
        let fix = match metric.kind().name {
            Some(_) => format!("name it \"{}_info\"", metric_suffix(metric)),
            None => format!("rename the variant to `{}Info`", metric.variant.ident),
        };
        errors.spanned(
            &metric.name_tokens,
            format!(
                "info metric `{}` must end in `_info` (required by OpenMetrics): {fix}",
                metric.name
            ),
        );
    }
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
    if let Some((suffix, advice)) = reserved_suffix(metric) {
        errors.spanned(
            &metric.name_tokens,
            format!(
                "{} `{}` ends in `{suffix}`, which Prometheus reserves {advice}",
                metric.kind_attribute_name(),
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

/// The suffix reserved for another kind that `metric`'s name ends in, if
/// any, and what to do instead. Counters end in `_total` and info metrics in
/// `_info` (checked on their own); every other kind may end in none of the
/// suffixes Prometheus and OpenMetrics give to samples of another kind, as
/// `promtool check metrics` also insists.
fn reserved_suffix(metric: &MetricDef<'_>) -> Option<(&'static str, &'static str)> {
    const RESERVED: &[(&str, &str)] = &[
        (
            "_total",
            "for counters: if the value only goes up, declare it #[counter]; \
             otherwise drop the suffix",
        ),
        (
            "_bucket",
            "for the buckets of a histogram: drop the suffix, or name what is \
             measured (`_items`, `_bytes`, `_size`)",
        ),
        (
            "_count",
            "for the count of a histogram or summary: drop the suffix, or name \
             what is measured (`_items`, `_length`, `_size`)",
        ),
        (
            "_sum",
            "for the sum of a histogram or summary: drop the suffix, or name \
             what is measured (`_bytes`, `_seconds`, `_size`)",
        ),
        (
            "_created",
            "for the creation time of counters, histograms and summaries: name \
             a timestamp `..._timestamp_seconds` instead",
        ),
        (
            "_info",
            "for info metrics: if the value names the current version or \
             configuration, declare it #[info]; otherwise drop the suffix",
        ),
    ];
    match metric.kinds.first().map(|k| &k.kind) {
        Some(Kind::Counter { .. } | Kind::Info) | None => None,
        Some(_) => RESERVED
            .iter()
            .find(|(suffix, _)| metric.name.ends_with(suffix))
            .copied(),
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

/// The names a metric takes in the exposition: its samples' names and, in
/// OpenMetrics, its family name (counters without `_total`, info metrics
/// without `_info`).
fn exposed_names(metric: &MetricDef<'_>) -> Vec<String> {
    use enumeter_common::names::NameKind;
    let kind = match metric.kinds.first().map(|k| &k.kind) {
        Some(Kind::Histogram(_)) => NameKind::Histogram,
        Some(Kind::Summary(_)) => NameKind::Summary,
        Some(Kind::Counter { .. }) => NameKind::Counter,
        Some(Kind::Info) => NameKind::Info,
        _ => NameKind::Plain,
    };
    names_of(&metric.name, kind)
}

fn check_duplicates(group: &Group<'_>, errors: &mut Errors) {
    // Every name taken in the exposition, and the metric that takes it.
    let mut names: HashMap<String, (&syn::Ident, &str)> = HashMap::new();
    let mut fns: HashMap<&str, &syn::Ident> = HashMap::new();
    // A metric whose name ends in a reserved suffix has an error of its
    // own, which says more than a clash would.
    for metric in group
        .metrics
        .iter()
        .filter(|m| reserved_suffix(m).is_none())
    {
        let ident = &metric.variant.ident;
        // As `underscores` spells them, which is how a Prometheus 2 scraper
        // and remote write see them: two names that differ only there
        // (`a.b` and `a_b`) clash too. A legacy name spells as it is.
        let exposed: Vec<String> = exposed_names(metric)
            .iter()
            .map(|name| escape(name, Scheme::Underscores, true))
            .collect();
        let clash = exposed.iter().find_map(|sample| {
            names
                .get(sample)
                .map(|&(first, first_name)| (sample.clone(), first, first_name))
        });
        if let Some((sample, first, first_name)) = clash {
            let escaped = |name: &str| escape(name, Scheme::Underscores, true);
            let detail = if first_name == metric.name {
                format!(
                    "duplicate metric name `{}`: `{first}` has it too",
                    metric.name
                )
            } else if escaped(first_name) == escaped(&metric.name) {
                format!(
                    "metric `{}` and `{first}` (`{first_name}`) become the same name \
                     `{sample}` when a scraper asks for names escaped with `underscores` \
                     (as Prometheus 2 and remote write do)",
                    metric.name
                )
            } else {
                format!(
                    "metric `{}` takes the name `{sample}` in the exposition, which \
                     `{first}` (`{first_name}`) takes too",
                    metric.name
                )
            };
            errors.spanned(
                &metric.name_tokens,
                format!(
                    "{detail}; rename one variant or give it #[{}(name = \"...\")]",
                    metric.kind_attribute_name()
                ),
            );
            continue;
        }
        for name in exposed {
            names.insert(name, (ident, &metric.name));
        }
        if let Some(first) = fns.insert(&metric.fn_name, ident) {
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

fn check_kind_options(kind: &KindAttr, errors: &mut Errors) {
    if let Kind::Histogram(h) = &kind.kind {
        if let Some(native) = &h.native {
            check_native(native, errors);
        }
    }
    if let Some(exemplars) = &kind.exemplars {
        let clash = match (&kind.kind, &kind.computed) {
            (Kind::Counter { sharded: Some(_) }, _) => Some("sharded"),
            (_, Some(_)) => Some("computed"),
            _ => None,
        };
        if let Some(other) = clash {
            errors.spanned(
                exemplars,
                format!(
                    "exemplars are kept beside cells recorded one by one; a {other} counter \
                     cannot keep them: drop `{other}` or `exemplars`"
                ),
            );
        }
    }
    if let (Some(sparse), Some(_)) = (&kind.sparse, &kind.computed) {
        errors.spanned(
            sparse,
            "a computed metric has a value for every series at every scrape, so every \
             series is written out: drop `sparse` or `computed`",
        );
    }
    if let (Some(computed), Kind::Counter { sharded: Some(_) }) = (&kind.computed, &kind.kind) {
        errors.spanned(
            computed,
            "a computed counter takes its value from a function at scrape time and is \
             never incremented from many threads: drop `sharded` or `computed`",
        );
    }
    if let Some(unit) = &kind.unit {
        if !is_valid_name(&unit.value()) {
            errors.spanned(
                unit,
                "a unit is a word of ASCII letters, digits and `_`, such as \"seconds\" or \"bytes\"",
            );
        }
    }
    match &kind.kind {
        Kind::Counter {
            sharded: Some(Some(shards)),
        } => {
            let ok = shards
                .base10_parse::<usize>()
                .is_ok_and(|n| (1..=MAX_SHARDS).contains(&n));
            if !ok {
                errors.spanned(
                    shards,
                    format!(
                        "`sharded = N` takes the number of shards, from 1 to {MAX_SHARDS} \
                         (plain `sharded` gives {DEFAULT_SHARDS}); each series takes \
                         8 bytes per shard, plus 8"
                    ),
                );
            }
        }
        Kind::Counter { .. } | Kind::Gauge { .. } | Kind::Info => {}
        Kind::StateSet { states: None } => errors.spanned(
            &kind.attr,
            "a state set needs its states: `#[state_set(states = LinkState)]`, \
             a label value enum whose values are the states",
        ),
        Kind::StateSet {
            states: Some(states),
        } => {
            if let Some(written) = not_a_label_type(states) {
                errors.spanned(
                    states,
                    format!(
                        "a state set's states are a label enum deriving `LabelValue` \
                         (one variant per state), not {written}"
                    ),
                );
            }
        }
        Kind::Histogram(h) => match &h.buckets {
            None if h.buckets_given => {}
            None if h.native.is_some() => {}
            None => errors.spanned(
                &kind.attr,
                "a histogram needs buckets: `#[histogram(buckets = [0.1, 0.5, 1.0])]`, \
                 `exponential(start, factor, count)` or `linear(start, width, count)`",
            ),
            Some(buckets) => check_buckets(&kind.attr, buckets, errors),
        },
        Kind::Summary(s) => {
            match &s.quantiles {
                None if s.quantiles_given => {}
                None => errors.spanned(
                    &kind.attr,
                    "a summary needs quantiles: `#[summary(quantiles = [0.5, 0.9, 0.99])]`",
                ),
                Some(quantiles) => check_quantiles(&kind.attr, quantiles, errors),
            }
            if let Some(max_age) = &s.max_age_secs {
                check_whole(max_age, 1.0, 86_400.0 * 7.0, "max_age_secs", errors);
            }
            if let Some(age_buckets) = &s.age_buckets {
                check_whole(age_buckets, 1.0, 60.0, "age_buckets", errors);
            }
            if let Some(error) = &s.relative_error {
                if !(error.value >= 0.001 && error.value < 0.5) {
                    errors.spanned(
                        &error.tokens,
                        "relative_error is from 0.001 to below 0.5 (0.01 is 1%); \
                         smaller errors cost more memory per series",
                    );
                }
            }
        }
    }
}

fn check_whole(n: &Number, min: f64, max: f64, key: &str, errors: &mut Errors) {
    if n.value.fract() != 0.0 || n.value < min || n.value > max {
        errors.spanned(
            &n.tokens,
            format!("{key} is a whole number from {min} to {max}"),
        );
    }
}

fn check_buckets(attr: &syn::Attribute, buckets: &[Number], errors: &mut Errors) {
    if buckets.is_empty() {
        errors.spanned(
            attr,
            "a histogram needs at least one finite bucket bound; +Inf is implicit",
        );
        return;
    }
    for (i, bound) in buckets.iter().enumerate() {
        if !bound.value.is_finite() {
            errors.spanned(
                &bound.tokens,
                "bucket bounds are finite numbers; the +Inf bucket is implicit",
            );
            return;
        }
        if let Some(previous) = i.checked_sub(1).map(|p| &buckets[p]) {
            if bound.value <= previous.value {
                errors.spanned(
                    &bound.tokens,
                    format!(
                        "bucket bounds must increase strictly, but {} follows {}",
                        bound.value, previous.value
                    ),
                );
                return;
            }
        }
    }
}

fn check_quantiles(attr: &syn::Attribute, quantiles: &[Number], errors: &mut Errors) {
    if quantiles.is_empty() {
        errors.spanned(attr, "a summary needs at least one quantile, such as 0.5");
        return;
    }
    for (i, q) in quantiles.iter().enumerate() {
        if !(q.value > 0.0 && q.value < 1.0) {
            errors.spanned(
                &q.tokens,
                "a quantile is between 0 and 1, both excluded (0.99 for the 99th percentile)",
            );
        } else if crate::decimal::fraction(q.value).is_none() {
            errors.spanned(
                &q.tokens,
                "a quantile has at most 19 decimal places (its rank is computed exactly \
                 on the decimal fraction)",
            );
        } else if let Some(previous) = i.checked_sub(1).map(|p| &quantiles[p]) {
            if q.value <= previous.value {
                errors.spanned(
                    &q.tokens,
                    format!(
                        "quantiles must increase strictly, but {} follows {}",
                        q.value, previous.value
                    ),
                );
            }
        }
    }
}

/// How `ty` was written, when it is a type that can never be a label enum:
/// references, strings, numbers and containers. These fail later anyway,
/// but a reference first fails for its missing lifetime, whose advice
/// leads away from the fix.
fn not_a_label_type(ty: &syn::Type) -> Option<String> {
    const NOT_LABELS: &[&str] = &[
        "String", "str", "Cow", "Box", "Rc", "Arc", "Vec", "Option", "u8", "u16", "u32", "u64",
        "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize", "f32", "f64", "char",
    ];
    let written = || format!("`{}`", quote::quote!(#ty)).replace(" ", "");
    match ty {
        syn::Type::Group(group) => not_a_label_type(&group.elem),
        syn::Type::Paren(paren) => not_a_label_type(&paren.elem),
        syn::Type::Path(path) => {
            let last = path.path.segments.last()?.ident.to_string();
            NOT_LABELS.contains(&last.as_str()).then(written)
        }
        syn::Type::Reference(_)
        | syn::Type::Slice(_)
        | syn::Type::Array(_)
        | syn::Type::Tuple(_)
        | syn::Type::Ptr(_)
        | syn::Type::TraitObject(_)
        | syn::Type::ImplTrait(_)
        | syn::Type::BareFn(_) => Some(written()),
        _ => None,
    }
}

/// The native histogram's settings, with their defaults.
pub(crate) struct NativeSettings {
    pub(crate) schema: i32,
    pub(crate) zero_threshold: f64,
    pub(crate) max: f64,
    pub(crate) max_buckets: usize,
    pub(crate) negative: bool,
}

impl NativeSettings {
    pub(crate) fn of(native: &super::attr::NativeAttrs) -> Self {
        Self {
            schema: native
                .schema
                .as_ref()
                .map_or(native_keys::DEFAULT_SCHEMA, |n| n.value as i32),
            zero_threshold: native
                .zero_threshold
                .as_ref()
                .map_or(native_keys::DEFAULT_ZERO_THRESHOLD, |n| n.value),
            max: native
                .max
                .as_ref()
                .map_or(native_keys::DEFAULT_MAX, |n| n.value),
            max_buckets: native
                .max_buckets
                .as_ref()
                .map_or(native_keys::DEFAULT_MAX_BUCKETS, |n| n.value as usize),
            negative: native.negative,
        }
    }

    /// The first and last bucket keys of the cells.
    pub(crate) fn keys(&self) -> (i32, i32) {
        native_keys::key_range(self.schema, self.zero_threshold, self.max)
    }
}

fn check_native(native: &super::attr::NativeAttrs, errors: &mut Errors) {
    let mut ok = true;
    if let Some(schema) = &native.schema {
        if schema.value.fract() != 0.0 || !native_keys::SCHEMAS.contains(&(schema.value as i32)) {
            errors.spanned(
                &schema.tokens,
                "schema is a whole number from -4 to 8 (Prometheus' standard schemas)",
            );
            ok = false;
        }
    }
    for (n, what) in [
        (&native.zero_threshold, "zero_threshold"),
        (&native.max, "max"),
    ] {
        if let Some(n) = n {
            if !(n.value.is_finite() && n.value >= f64::MIN_POSITIVE) {
                errors.spanned(&n.tokens, format!("{what} is a finite number above 0"));
                ok = false;
            }
        }
    }
    if let Some(n) = &native.max_buckets {
        if n.value.fract() != 0.0 || !(1.0..=10_000.0).contains(&n.value) {
            errors.spanned(&n.tokens, "max_buckets is a whole number from 1 to 10000");
            ok = false;
        }
    }
    if !ok {
        return;
    }
    let settings = NativeSettings::of(native);
    if settings.max <= settings.zero_threshold {
        errors.spanned(
            &native.path,
            "native(max = ...) must be above zero_threshold",
        );
        return;
    }
    let (first, last) = settings.keys();
    let cells = (last - first + 1) as usize;
    if cells > MAX_NATIVE_CELLS {
        errors.spanned(
            &native.path,
            format!(
                "this native histogram needs {cells} cells per series (8 bytes each) from \
                 zero_threshold to max at schema {}; at most {MAX_NATIVE_CELLS}: lower the \
                 schema, raise zero_threshold or lower max",
                settings.schema
            ),
        );
    }
}
