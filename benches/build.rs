//! Generates the large label enums the render benchmarks need (100 and 1000
//! values), for enumeter and for measured, which cannot share one enum: both
//! derives read a `#[label]` attribute.

use std::fmt::Write;

fn label_enum(out: &mut String, derive: &str, attrs: &str, name: &str, count: usize) {
    writeln!(
        out,
        "#[derive(Clone, Copy, Debug, PartialEq, Eq, {derive})]"
    )
    .unwrap();
    out.push_str(attrs);
    writeln!(out, "pub enum {name} {{").unwrap();
    for i in 0..count {
        writeln!(out, "    V{i},").unwrap();
    }
    out.push_str("}\n");
}

fn main() {
    let mut out = String::new();
    out.push_str("pub mod enumeter_labels {\n");
    let attrs = "#[label(rename_all = \"lowercase\")]\n";
    label_enum(&mut out, "enumeter::LabelValue", attrs, "Hundred", 100);
    label_enum(&mut out, "enumeter::LabelValue", attrs, "Thousand", 1000);
    out.push_str("}\npub mod measured_labels {\n");
    label_enum(
        &mut out,
        "measured::FixedCardinalityLabel",
        "",
        "Hundred",
        100,
    );
    label_enum(
        &mut out,
        "measured::FixedCardinalityLabel",
        "",
        "Thousand",
        1000,
    );
    out.push_str("}\n");
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("labels.rs");
    std::fs::write(path, out).unwrap();
}
