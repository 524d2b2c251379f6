//! A facade series created while a render runs is never written with an
//! empty or missing label value, twice, or lost afterwards, in any output:
//! one thread registers new label values (and another new families) while
//! the test renders every output in a loop (both text formats, protobuf,
//! remote write, OTLP, StatsD lines and the snapshot), and each render is
//! read back and checked. One test: the facade is one per process.

use std::time::Duration;

use enumeter::facade::FacadeRecorder;
use enumeter::Registry;
use enumeter_suite::support::outputs::{check_every_output_while, OUTPUTS};

#[test]
fn a_series_created_during_a_render_is_never_written_empty_in_any_output() {
    const VALUES: usize = 300;
    FacadeRecorder::new().install().expect("the first recorder");
    let registry = Registry::new().with(enumeter::facade::group());
    let fixed = [None, Some("read")];
    let checks = check_every_output_while(
        &registry,
        "late_total",
        &["peer", "op"],
        &fixed,
        |overlap| {
            std::thread::scope(|s| {
                // New families appear while the renders walk the list of them.
                s.spawn(|| {
                    for i in 0..100 {
                        metrics::gauge!(format!("family_{i}"), "k" => "v").set(i as f64);
                        std::thread::sleep(Duration::from_micros(150));
                    }
                });
                for i in 0..VALUES {
                    if i == VALUES / 2 {
                        overlap();
                    }
                    metrics::counter!("late", "peer" => format!("peer-{i}"), "op" => "read")
                        .increment(1);
                    std::thread::sleep(Duration::from_micros(50));
                }
            });
        },
    );
    assert_eq!(checks.last_counts(), [VALUES; OUTPUTS.len()]);
    // Every family made while rendering is there, once, with its value.
    let text = registry.render(enumeter::Format::Prometheus);
    for i in 0..100 {
        assert_eq!(
            text.matches(&format!("# TYPE family_{i} gauge\n")).count(),
            1
        );
        assert!(
            text.contains(&format!("family_{i}{{k=\"v\"}} {i}\n")),
            "{i}"
        );
    }
    println!("renders checked per output: {:?}", checks.checked);
}
