//! Label sets larger than one of the derive's 256-value `match`es: every
//! value survives the trip index → value → name → value, in declaration
//! order whatever the discriminants, and metrics labelled by them record
//! and compute exactly.

use enumeter::{metrics, Format, LabelValue, Registry};

include!(concat!(env!("OUT_DIR"), "/large_label_enums.rs"));

/// Metrics labelled by the large sets.
#[metrics(namespace = "large", register = false)]
pub enum Large {
    /// Recorded by hand.
    #[counter]
    HitsTotal { value: Thousand },
    /// Computed at scrape time from the labels.
    #[gauge(computed)]
    Echo { value: Descending, odd: bool },
}

#[test]
fn every_index_of_a_chunked_set_gives_back_its_value() {
    assert_eq!(Thousand::CARDINALITY, 1000);
    for i in 0..Thousand::CARDINALITY {
        let value = Thousand::from_index(i).expect("an index below the cardinality");
        assert_eq!(value.index(), i);
        assert_eq!(value.as_str(), format!("v{i}"));
        assert_eq!(Thousand::from_name(&format!("v{i}")), Some(value));
    }
    assert_eq!(Thousand::from_index(1000), None);
    assert_eq!(Thousand::from_index(1024), None);
    assert_eq!(Thousand::from_index(usize::MAX), None);
    assert_eq!(Thousand::from_name("v1000"), None);
}

#[test]
fn all_lists_a_chunked_set_in_index_order_from_both_ends() {
    let forward: Vec<usize> = Thousand::all().map(Thousand::index).collect();
    assert_eq!(forward, (0..1000).collect::<Vec<_>>());
    let backward: Vec<usize> = <Thousand as LabelValue>::all()
        .rev()
        .map(|v| v.index())
        .collect();
    assert_eq!(backward, (0..1000).rev().collect::<Vec<_>>());
    let mut values = Thousand::all();
    assert_eq!(values.len(), 1000);
    assert_eq!(values.nth(767), Some(Thousand::V767));
    assert_eq!(values.len(), 232);
}

#[test]
fn explicit_discriminants_do_not_reorder_a_chunked_set() {
    assert_eq!(Descending::W0 as usize, 1998);
    assert_eq!(Descending::W0.index(), 0);
    assert_eq!(Descending::from_index(0), Some(Descending::W0));
    assert_eq!(Descending::from_index(999), Some(Descending::W999));
    for (i, value) in Descending::all().enumerate() {
        assert_eq!(value.index(), i);
        assert_eq!(value as usize, 2 * (999 - i));
        assert_eq!(Descending::from_name(&format!("W{i}")), Some(value));
    }
}

#[test]
fn metrics_labelled_by_chunked_sets_record_and_compute_exactly() {
    let large = LargeMetrics::new();
    large.hits_total(Thousand::V0).inc();
    large.hits_total(Thousand::V999).add(3);
    large.hits_total(Thousand::V256).add(2);
    large.set_echo_source(|value, odd| (value as i64) * if odd { -1 } else { 1 });
    let text = Registry::new().with(&large).render(Format::Prometheus);

    // Every series in index order, each computed one carrying its own
    // labels' value.
    let mut expected = String::from(
        "# HELP large_hits_total Recorded by hand.\n# TYPE large_hits_total counter\n",
    );
    for value in Thousand::all() {
        let count = match value {
            Thousand::V0 => 1,
            Thousand::V256 => 2,
            Thousand::V999 => 3,
            _ => 0,
        };
        expected += &format!("large_hits_total{{value=\"{}\"}} {count}\n", value.as_str());
    }
    expected +=
        "# HELP large_echo Computed at scrape time from the labels.\n# TYPE large_echo gauge\n";
    for value in Descending::all() {
        for odd in [false, true] {
            let echoed = (value as i64) * if odd { -1 } else { 1 };
            expected += &format!(
                "large_echo{{value=\"{}\",odd=\"{odd}\"}} {echoed}\n",
                value.as_str()
            );
        }
    }
    assert_eq!(text, expected);
}
