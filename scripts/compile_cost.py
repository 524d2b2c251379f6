#!/usr/bin/env python3
"""Measures what enumeter's macros cost to compile: time and peak memory of
rustc, and the machine code they add, per label value and per metric.

    python3 scripts/compile_cost.py            # about 6 minutes on 2 cores
    python3 scripts/compile_cost.py --quick    # 1,000 and 10,000 values only

Builds small crates under target/compile-cost/ against this checkout's
runtime (dependencies built once, untimed), then times rustc on the crate
alone, three times, and keeps the median. Prints a JSON object, which
scripts/bench_report.py turns into the table in BENCHMARKS.md.

Each label enum derives `Clone, Copy, PartialEq, Eq, LabelValue`: the
derives a label needs. (std's `derive(Debug)` names every variant in a
match and costs more than all of enumeter's code together: 2.6 GB of memory
for 10,000 variants in release; leave it out of very large label enums.)
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "target", "compile-cost")

KINDS = [
    '#[counter]\n    {name}Total {{ a: A, b: B }}',
    '#[gauge]\n    {name} {{ a: A }}',
    '#[histogram(buckets = [0.01, 0.1, 1, 10])]\n    {name} {{ a: A, b: B }}',
    '#[counter(sharded)]\n    {name}ShardedTotal {{ b: B }}',
    '#[summary(quantiles = [0.5, 0.99], max_age_secs = 60)]\n    {name}Latency',
]


def label_enum(name, count):
    variants = "\n".join(f"    V{i}," for i in range(count))
    return (
        "#[derive(Clone, Copy, PartialEq, Eq, enumeter::LabelValue)]\n"
        f"pub enum {name} {{\n{variants}\n}}\n"
    )


def values_crate(count, with_derive=True):
    derive = "enumeter::LabelValue" if with_derive else ""
    variants = "\n".join(f"    V{i}," for i in range(count))
    enum = (
        f"#[derive(Clone, Copy, PartialEq, Eq, {derive})]\n".replace(", )", ")")
        + f"pub enum Big {{\n{variants}\n}}\n"
    )
    if not with_derive:
        return enum + "fn main() { println!(\"{}\", Big::V7 as u32); }\n"
    return (
        enum
        + """
/// A metric labelled by the large enum.
#[enumeter::metrics(namespace = "big")]
pub enum Group {
    /// Counts.
    #[counter]
    CountTotal { big: Big },
}

fn main() {
    Group::count_total(Big::V7).inc();
    let text = enumeter::render(enumeter::Format::Prometheus);
    println!("{} {:?}", text.len(), Big::from_name("V99").map(Big::index));
}
"""
    )


def metrics_crate(count):
    metrics = []
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        metrics.append(f"    /// Metric {i}.\n    " + kind.format(name=f"M{i}"))
    return (
        label_enum("A", 4)
        + label_enum("B", 6)
        + '\n/// A realistic group.\n#[enumeter::metrics(namespace = "app")]\npub enum App {\n'
        + ",\n".join(metrics)
        + ",\n}\n\nfn main() {\n    App::m0_total(A::V1, B::V2).inc();\n"
        "    println!(\"{}\", enumeter::render(enumeter::Format::Prometheus).len());\n}\n"
    )


def make_crate(name, source):
    path = os.path.join(WORK, name)
    os.makedirs(os.path.join(path, "src"), exist_ok=True)
    with open(os.path.join(path, "Cargo.toml"), "w") as f:
        f.write(
            f'[package]\nname = "{name}"\nversion = "0.0.0"\nedition = "2021"\n'
            "publish = false\n\n[workspace]\n\n"
            f'[dependencies]\nenumeter = {{ path = "{ROOT}/runtime", default-features = false }}\n'
        )
    with open(os.path.join(path, "src", "main.rs"), "w") as f:
        f.write(source)
    return path


def rustc_command(path, release):
    """Builds the dependencies, then returns the crate's own rustc command."""
    profile = ["--release"] if release else []
    # Incremental compilation off: debug builds would otherwise reuse the
    # cached results of the first build and time almost nothing.
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(WORK, "target"), CARGO_INCREMENTAL="0")
    subprocess.run(["cargo", "build", "-q"] + profile, cwd=path, env=env, check=True)
    os.utime(os.path.join(path, "src", "main.rs"))
    out = subprocess.run(
        ["cargo", "build", "-v"] + profile, cwd=path, env=env, check=True,
        capture_output=True, text=True,
    ).stderr
    name = os.path.basename(path)
    line = next(l for l in out.splitlines() if f"rustc --crate-name {name} " in l)
    return line.strip().removeprefix("Running `").removesuffix("`")


def measure(path, release, runs=3):
    command = rustc_command(path, release)
    samples = []
    for _ in range(runs):
        started = time.monotonic()
        result = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "sh", "-c", command],
            cwd=path, capture_output=True, text=True,
        )
        elapsed = time.monotonic() - started
        if result.returncode != 0:
            raise SystemExit(f"{path}: rustc failed\n{result.stderr[-2000:]}")
        peak_kb = int(result.stderr.strip().splitlines()[-1])
        samples.append((elapsed, peak_kb))
    binary = os.path.join(WORK, "target", "release" if release else "debug", os.path.basename(path))
    sizes = subprocess.run(["size", "-A", binary], capture_output=True, text=True).stdout
    code = sum(
        int(m.group(2))
        for m in re.finditer(r"^(\.text|\.rodata|\.data\.rel\.ro)\s+(\d+)", sizes, re.M)
    )
    return {
        "seconds": statistics.median(s for s, _ in samples),
        "seconds_min": min(s for s, _ in samples),
        "seconds_max": max(s for s, _ in samples),
        "peak_mb": statistics.median(k for _, k in samples) / 1024,
        "code_bytes": code,
    }


def main():
    quick = "--quick" in sys.argv
    shutil.rmtree(os.path.join(WORK, "src"), ignore_errors=True)
    results = {}
    counts = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    for count in counts:
        for release in (False, True):
            profile = "release" if release else "debug"
            for derive in (False, True):
                name = f"values_{count}_{'derive' if derive else 'plain'}"
                path = make_crate(name, values_crate(count, derive))
                key = f"{name}_{profile}"
                results[key] = measure(path, release)
                print(key, results[key], file=sys.stderr)
    for count in (50, 500):
        path = make_crate(f"metrics_{count}", metrics_crate(count))
        for release in (False, True):
            key = f"metrics_{count}_{'release' if release else 'debug'}"
            results[key] = measure(path, release)
            print(key, results[key], file=sys.stderr)
    json.dump(results, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
