//! Generates the label enums too large to write by hand that the suite's
//! tests need: `tests/large_label_enums.rs` includes `large_label_enums.rs`.

use std::fmt::Write;

/// Values in a set that spans several of the derive's 256-value chunks and
/// ends in a partial one.
const VALUES: usize = 1000;

fn main() {
    let mut out = String::new();
    out.push_str("/// Values `v0` to `v999`.\n");
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, enumeter::LabelValue)]\n");
    out.push_str("#[label(rename_all = \"lowercase\")]\npub enum Thousand {\n");
    for i in 0..VALUES {
        writeln!(out, "    V{i},").unwrap();
    }
    out.push_str("}\n\n");
    // Discriminants in the opposite order to declaration, so that a table
    // built from discriminants instead of declaration order is caught.
    out.push_str("/// `W0 = 1998` down to `W999 = 0`: the index is the declaration order.\n");
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, enumeter::LabelValue)]\n");
    out.push_str("pub enum Descending {\n");
    for i in 0..VALUES {
        writeln!(out, "    W{i} = {},", 2 * (VALUES - 1 - i)).unwrap();
    }
    out.push_str("}\n");
    let dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    std::fs::write(format!("{dir}/large_label_enums.rs"), out).unwrap();
    println!("cargo::rerun-if-changed=build.rs");
}
