//! The summary quantiles pinned in `tests/expected/` are checked against the
//! exact nearest ranks of the values the example observes, computed here,
//! within the declared relative error (1%): a regenerated file cannot drift
//! to wrong quantiles unnoticed.

use enumeter_suite::support;

/// The voice server example's first-byte latencies (`record_example_calls`
/// in `examples/voice_server.rs`), the zeros it skips left out; each
/// summary's `_count` and `_sum` in the pinned files confirm them.
const OBSERVED: [(&str, [f64; 4]); 3] = [
    (
        "voiceserver_e2e_first_byte_ms",
        [420.0, 380.0, 910.0, 515.0],
    ),
    ("voiceserver_tts_first_byte_ms", [120.0, 95.0, 240.0, 130.0]),
    (
        "voiceserver_llm_first_byte_ms",
        [260.0, 250.0, 610.0, 330.0],
    ),
];

/// The value of the line `name{labels} value` (or `name value`) in `text`.
fn value(text: &str, series: &str) -> f64 {
    let line = text
        .lines()
        .find(|l| {
            l.strip_prefix(series)
                .is_some_and(|rest| rest.starts_with(' '))
        })
        .unwrap_or_else(|| panic!("no line for {series}"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

#[test]
fn pinned_summary_quantiles_lie_within_one_percent_of_the_exact_ranks() {
    for file in ["voice_server.prom", "voice_server.om"] {
        let path = format!("{}/tests/expected/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let mut checked = 0;
        for (name, values) in OBSERVED {
            assert_eq!(value(&text, &format!("{name}_count")), 4.0, "{file} {name}");
            let sum: f64 = values.iter().sum();
            assert_eq!(value(&text, &format!("{name}_sum")), sum, "{file} {name}");
            for q in [0.5, 0.9, 0.95, 0.99] {
                let pinned = value(&text, &format!("{name}{{quantile=\"{q}\"}}"));
                let exact = support::exact_rank(&values, q);
                assert!(
                    (pinned - exact).abs() <= exact * 0.01,
                    "{file} {name} quantile {q}: pinned {pinned}, exact {exact}"
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 12, "{file}");
    }
}

#[test]
fn exact_ranks_are_the_nearest_ranks() {
    let values = [380.0, 420.0, 515.0, 910.0];
    assert_eq!(support::exact_rank(&values, 0.5), 420.0);
    assert_eq!(support::exact_rank(&values, 0.75), 515.0);
    assert_eq!(support::exact_rank(&values, 0.9), 910.0);
    let hundred: Vec<f64> = (1..=100).map(f64::from).collect();
    // 0.9 × 100 is rank 90, not the 91 a float product would give.
    assert_eq!(support::exact_rank(&hundred, 0.9), 90.0);
    assert_eq!(support::exact_rank(&hundred, 0.01), 1.0);
    assert_eq!(support::exact_rank(&hundred, 0.999), 100.0);
}
