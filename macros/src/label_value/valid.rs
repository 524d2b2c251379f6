//! Checks a label enum model; every problem becomes an error on its token.

use std::collections::HashMap;

use super::ast::LabelEnum;
use crate::errors::Errors;

pub(crate) fn check(model: &LabelEnum<'_>, errors: &mut Errors) {
    let input = model.original;
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        errors.spanned(
            &input.generics,
            "a label enum cannot be generic: its values are a fixed, closed set",
        );
    }
    if model.variants.is_empty() {
        errors.at(
            model.enum_span(),
            "a label enum needs at least one variant: a label with no values would \
             make every metric that uses it have no series",
        );
    }
    check_variants(model, errors);
    check_names(model, errors);
    check_other(model, errors);
    check_codes(model, errors);
}

fn check_variants(model: &LabelEnum<'_>, errors: &mut Errors) {
    for variant in &model.variants {
        let v = variant.original;
        if !matches!(v.fields, syn::Fields::Unit) {
            errors.spanned(
                &v.fields,
                format!(
                    "a label value carries no data; write `{}` without fields, \
                     or make the data a label of its own",
                    v.ident
                ),
            );
        }
    }
}

fn check_names(model: &LabelEnum<'_>, errors: &mut Errors) {
    let mut seen: HashMap<&str, &syn::Ident> = HashMap::new();
    for variant in &model.variants {
        if variant.name.is_empty() {
            errors.at(
                variant.name_span,
                "a label value cannot be empty: Prometheus treats an empty value as \
                 a missing label",
            );
            continue;
        }
        if let Some(first) = seen.insert(&variant.name, &variant.original.ident) {
            errors.at(
                variant.name_span,
                format!(
                    "duplicate label value {:?}: `{}` has it too; give one of them \
                     another name with #[label(name = \"...\")]",
                    variant.name, first
                ),
            );
        }
    }
}

fn check_other(model: &LabelEnum<'_>, errors: &mut Errors) {
    let mut others = model.variants.iter().filter_map(|v| v.other.as_ref());
    if others.next().is_some() {
        for extra in others {
            errors.spanned(
                extra,
                "only one variant can be #[label(other)], the catch-all for unknown input",
            );
        }
    }
}

fn check_codes(model: &LabelEnum<'_>, errors: &mut Errors) {
    if !model.has_codes() {
        return;
    }
    let mut ranges: Vec<_> = model
        .variants
        .iter()
        .flat_map(|v| v.codes.iter().map(move |c| (c, &v.original.ident)))
        .collect();
    // Sorted by start, an overlap is always between neighbours; report it on
    // the range that starts later.
    ranges.sort_by_key(|(c, _)| (c.low, c.high));
    for pair in ranges.windows(2) {
        let ((a, a_variant), (b, b_variant)) = (pair[0], pair[1]);
        if b.low <= a.high {
            errors.spanned(
                &b.tokens,
                format!(
                    "codes {} of `{}` overlap codes {} of `{}`; every code \
                     must map to exactly one variant, so make the ranges disjoint: {}",
                    written_codes(b.low, b.high),
                    b_variant,
                    written_codes(a.low, a.high),
                    a_variant,
                    disjoint_advice((a.low, a.high, a_variant), (b.low, b.high, b_variant))
                ),
            );
        }
    }
    if model.other().is_none() {
        let gaps = gaps(ranges.iter().map(|(c, _)| (c.low, c.high)));
        if !gaps.is_empty() {
            let listed: Vec<String> = gaps.iter().map(|(l, h)| format!("{l}..={h}")).collect();
            errors.at(
                model.enum_span(),
                format!(
                    "`from_code` must map every u16 code, but {} match no variant; \
                     cover them with `codes = ...` or mark a catch-all variant \
                     #[label(other)]",
                    listed.join(", ")
                ),
            );
        }
    }
}

/// How to make two overlapping ranges disjoint: the later one without the
/// codes of the earlier, or, when nothing would be left of it, the earlier
/// one split around it.
fn disjoint_advice(earlier: (u16, u16, &syn::Ident), later: (u16, u16, &syn::Ident)) -> String {
    let (a_low, a_high, a_variant) = earlier;
    let (b_low, b_high, b_variant) = later;
    let (variant, pieces) = match minus((b_low, b_high), (a_low, a_high)) {
        pieces if !pieces.is_empty() => (b_variant, pieces),
        _ => (a_variant, minus((a_low, a_high), (b_low, b_high))),
    };
    let written: Vec<String> = pieces
        .iter()
        .map(|&(low, high)| written_codes(low, high))
        .collect();
    match written.as_slice() {
        [] => "the two ranges are the same; keep it on one variant".to_owned(),
        [one] => format!("write `codes = {one}` on `{variant}`"),
        _ => format!("write `codes = [{}]` on `{variant}`", written.join(", ")),
    }
}

/// `404` or `400..=499`, as a user would write the codes.
fn written_codes(low: u16, high: u16) -> String {
    if low == high {
        low.to_string()
    } else {
        format!("{low}..={high}")
    }
}

/// The codes of `range` outside `cut`, as at most two inclusive ranges.
fn minus(range: (u16, u16), cut: (u16, u16)) -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    if range.0 < cut.0 {
        out.push((range.0, range.1.min(cut.0 - 1)));
    }
    if range.1 > cut.1 {
        out.push((range.0.max(cut.1 + 1), range.1));
    }
    out
}

/// The codes in `0..=u16::MAX` that no range covers, as inclusive ranges.
fn gaps(sorted: impl Iterator<Item = (u16, u16)>) -> Vec<(u16, u16)> {
    let mut gaps = Vec::new();
    let mut next: u32 = 0;
    for (low, high) in sorted {
        if u32::from(low) > next {
            gaps.push((next as u16, low - 1));
        }
        next = next.max(u32::from(high) + 1);
    }
    if next <= u32::from(u16::MAX) {
        gaps.push((next as u16, u16::MAX));
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::{gaps, minus};

    #[test]
    fn overlapping_codes_are_split_into_the_ranges_that_would_be_disjoint() {
        assert_eq!(minus((290, 399), (200, 299)), vec![(300, 399)]);
        assert_eq!(minus((200, 299), (250, 259)), vec![(200, 249), (260, 299)]);
        assert_eq!(minus((250, 259), (200, 299)), vec![]);
        assert_eq!(minus((0, 10), (0, 10)), vec![]);
    }

    #[test]
    fn gaps_lists_uncovered_codes_at_both_ends_and_between() {
        assert_eq!(
            gaps([(100, 199), (300, 399)].into_iter()),
            vec![(0, 99), (200, 299), (400, u16::MAX)]
        );
        assert_eq!(gaps([(0, 10), (5, u16::MAX)].into_iter()), vec![]);
    }
}
