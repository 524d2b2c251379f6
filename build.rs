//! Generates the label enums too large to write by hand that the suite's
//! tests need (`tests/label_value_large_enums.rs` includes `large_label_enums.rs`),
//! and looks for the real systems the end-to-end tests need: for each one
//! missing it sets `missing_<name>` (see `src/support/tools.rs`), which
//! makes cargo report the tests that need it as ignored, with what to
//! install. In CI (`CI` set) it sets none: a missing system fails there.

use std::fmt::Write;
use std::path::Path;

#[path = "src/support/tools.rs"]
#[allow(dead_code)] // the tests' half of it
mod tools;

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
    println!("cargo::rerun-if-changed=src/support/tools.rs");
    look_for_tools();
}

/// Sets `missing_<name>` for each real system that is not here (none in
/// CI), and asks cargo to look again when one may have been installed or
/// removed: a directory of `PATH` changes, or a variable that names one.
fn look_for_tools() {
    let cfgs: Vec<String> = tools::TOOLS
        .iter()
        .map(|tool| format!("missing_{}", tool.name))
        .collect();
    println!("cargo::rustc-check-cfg=cfg({})", cfgs.join(", "));
    for var in [
        "CI",
        "PATH",
        "ENUMETER_VM_OTLP",
        "ENUMETER_PROMETHEUS3_DIR",
        "ENUMETER_STATSD_DIR",
        "ENUMETER_LEZER_PROMQL_DIR",
    ] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
        if dir.is_absolute() && dir.is_dir() {
            println!("cargo::rerun-if-changed={}", dir.display());
        }
    }
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&root);
    // Those installed under target/ are watched once there (so that a
    // removal is seen); one installed later is seen after `touch build.rs`,
    // as the ignored tests say: watching target/ itself would rebuild the
    // suite on every build.
    for path in [
        tools::victoria_metrics_otlp_path(root),
        tools::statsd_path(root),
        tools::lezer_promql_path(root),
        tools::prometheus3_path(root, "prometheus"),
    ] {
        if path.exists() {
            println!("cargo::rerun-if-changed={}", path.display());
        }
    }
    if std::env::var_os("CI").is_some() {
        return;
    }
    for tool in tools::TOOLS {
        if !tools::present(tool.name, root) {
            println!("cargo::rustc-cfg=missing_{}", tool.name);
            println!(
                "cargo::warning=the tests that need {} are ignored: {}",
                tool.name, tool.install
            );
        }
    }
}
