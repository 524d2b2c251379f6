//! A histogram declared `native` without classic `buckets` is seen only by
//! the outputs that carry native buckets (the protobuf exposition, remote
//! write, OTLP): with none of their features enabled it does not compile,
//! and the error is on its `native` key and names the features. So with a
//! latency objective whose `below` is no classic bound (its rules read the
//! native buckets): the error is on `below`; one on a classic bound reads
//! the classic buckets and compiles everywhere. The suite's own build
//! enables those features, so a small crate of its own is checked here
//! with enumeter's default features, then with `protobuf`.

use std::path::{Path, PathBuf};
use std::process::Command;

const MAIN: &str = r#"use enumeter::metrics;

/// Uploads.
#[metrics(namespace = "upload")]
pub enum Upload {
    /// Upload sizes, native buckets only.
    #[histogram(unit = "bytes", native(schema = 1, max = 1e9))]
    Size,
    /// Upload time, classic and native buckets.
    #[histogram(unit = "seconds", buckets = [0.1, 0.3], native,
        objective(name = "fast-uploads", target = 0.99, below = 0.2))]
    Duration,
    /// Upload time again, its objective on a classic bound.
    #[histogram(unit = "seconds", buckets = [0.1, 0.3], native,
        objective(name = "classic-uploads", target = 0.99, below = 0.3))]
    ClassicDuration,
}

fn main() {
    Upload::size().observe(1024.0);
    Upload::duration().observe(0.2);
    Upload::classic_duration().observe(0.2);
}
"#;

/// A crate depending on this checkout's enumeter with `features`, in
/// `target/fixtures/native-only`, with the workspace's lock file so that
/// it resolves offline.
fn fixture(root: &Path) -> PathBuf {
    let dir = root.join("target/fixtures/native-only");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let manifest = format!(
        "[package]\nname = \"native-only\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nenumeter = {{ path = {:?} }}\n\n\
         # Its own workspace, not a member of enumeter's.\n[workspace]\n",
        root.join("runtime").display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(dir.join("src/main.rs"), MAIN).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    dir
}

/// `cargo check` of the fixture with `features`: its exit status and
/// stderr.
fn check(dir: &Path, features: &[&str]) -> (bool, String) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .current_dir(dir)
        .args(["check", "--offline", "--quiet", "--message-format=short"])
        .arg("--target-dir")
        .arg(dir.join("target"))
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS");
    for feature in features {
        command.args(["--features", feature]);
    }
    let output = command.output().expect("cargo runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn native_buckets_without_an_output_that_carries_them_do_not_compile() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = fixture(root);

    let (ok, stderr) = check(&dir, &[]);
    assert!(
        !ok,
        "compiled without an output for native buckets:\n{stderr}"
    );
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error")).collect();
    assert_eq!(
        errors[..2],
        [
            "src/main.rs:7:33: error: a histogram declared `native` without classic `buckets` \
             is seen only by outputs that carry native buckets, and none is enabled: enable \
             enumeter's `protobuf` feature (scrapes), `remote-write` or `otlp`, or declare \
             classic `buckets` too",
            "src/main.rs:11:65: error: this `below` is not a classic bucket bound, so the \
             objective's rules read the native buckets, which no enabled output carries: \
             enable enumeter's `protobuf` feature (scrapes), `remote-write` or `otlp`, or \
             make `below` one of the classic bounds",
        ],
        "{stderr}"
    );
    // The objective on a classic bound is no error.
    assert_eq!(errors.len(), 3, "{stderr}"); // and the summary line

    let (ok, stderr) = check(&dir, &["enumeter/protobuf"]);
    assert!(ok, "with `protobuf` it compiles:\n{stderr}");
}
