"""Writes BENCHMARKS.md (to stdout) from a run of scripts/bench.sh:
criterion's median estimates under target/criterion and the extra figures
the run wrote to target/bench-extra.json."""

import datetime
import json
import os
import platform
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRITERION = os.path.join(ROOT, "target", "criterion")
PEERS = ["measured", "prometheus_client", "prometheus_vec", "prometheus_static", "metrics"]


def median(*path):
    """Median time in ns of one benchmark, or None if it did not run."""
    file = os.path.join(CRITERION, *path, "new", "estimates.json")
    if not os.path.exists(file):
        return None
    with open(file) as f:
        return json.load(f)["median"]["point_estimate"]


def versions():
    lock = open(os.path.join(ROOT, "Cargo.lock")).read()
    found = {}
    for name, version in re.findall(r'name = "([^"]+)"\nversion = "([^"]+)"', lock):
        found.setdefault(name, []).append(version)
    wanted = ["measured", "prometheus-client", "prometheus", "prometheus-static-metric",
              "metrics", "metrics-exporter-prometheus", "criterion"]
    return ", ".join(f"{n} {'/'.join(found.get(n, ['?']))}" for n in wanted)


def machine():
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(open("/proc/meminfo").readline().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{model}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; {rustc}"


def ns(value):
    return "—" if value is None else f"{value:.2f}"


def ratio(a, b):
    return "—" if a is None or b is None else f"{a / b:.2f}×"


def op_table(group, title, contenders, out):
    bare = median(group, "bare_atomic")
    ours = median(group, "enumeter")
    out.append(f"### {title}\n")
    out.append("| contender | median ns/op | vs bare atomic | vs enumeter |")
    out.append("| --- | ---: | ---: | ---: |")
    for name in contenders:
        value = median(group, name)
        if value is None:
            continue
        out.append(f"| {name} | {ns(value)} | {ratio(value, bare)} | {ratio(value, ours)} |")
    out.append("")


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else "scripts/bench.sh"
    extra = {}
    path = os.path.join(ROOT, "target", "bench-extra.json")
    if os.path.exists(path):
        extra = json.load(open(path))
    out = []
    out.append("# Benchmarks\n")
    out.append(f"Measured by `{command}` on {datetime.date.today()}: one run, every contender "
               "in the same process, the same work for each (criterion medians). "
               "Reproduce with the same command.\n")
    out.append(f"- Machine: {machine()}")
    out.append(f"- Peers: {versions()}")
    out.append("- Work: 2 labels (6 endpoints × 3 outcomes = 18 series), a random series per "
               "operation from a fixed seed; histograms have 10 buckets; summaries report "
               "P50/P90/P95/P99.\n")

    op_table("counter_inc", "Counter increment, one thread",
             ["bare_atomic", "enumeter", "enumeter_sharded"] + PEERS, out)

    out.append("### Counter increment, two threads at once on the same 18 series\n")
    out.append("Both columns use the same harness (spawned threads started together, the "
               "operation inlined into the loop); one iteration is one increment on each "
               "thread. Scaling is the two-thread throughput over the one-thread throughput "
               "(2.0 would be perfect). The spawned-thread harness costs about 0.5 ns per "
               "operation more than criterion's own loop above.\n")
    out.append("| contender | 1 thread ns/op | 2 threads ns/iteration | 2-thread Mops/s | scaling | vs enumeter_sharded (2 threads) |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    sharded2 = median("counter_inc_2_threads", "enumeter_sharded")
    for name in ["bare_atomic", "enumeter", "enumeter_sharded"] + PEERS:
        two = median("counter_inc_2_threads", name)
        one = median("counter_inc_1_thread_spawned", name)
        if two is None:
            continue
        scaling = "—" if one is None else f"{2 * one / two:.2f}"
        out.append(f"| {name} | {ns(one)} | {ns(two)} | {2000 / two:.0f} | {scaling} | {ratio(two, sharded2)} |")
    out.append("")

    op_table("histogram_observe", "Histogram observe (10 buckets, 2 labels)",
             ["bare_atomic", "enumeter", "measured", "prometheus_client", "prometheus_vec", "metrics"],
             out)
    op_table("summary_observe", "Summary observe (4 quantiles)",
             ["bare_atomic", "enumeter", "metrics"], out)

    render = extra.get("render", {})
    out.append("### Rendering the Prometheus text format\n")
    out.append("Counter series with two labels, each incremented once; the buffer is reused "
               "across renders where the contender allows it. Allocations are counted during "
               "one render after a first one.\n")
    out.append("| contender | series | median ms | MB/s | bytes | allocations per render | vs enumeter |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for series in ["10000", "100000"]:
        ours = median("render", "enumeter", series)
        for name in ["enumeter", "measured", "prometheus_client", "prometheus", "metrics"]:
            value = median("render", name, series)
            if value is None:
                continue
            figures = render.get(f"{name}/{series}", {})
            size = figures.get("bytes")
            mbs = "—" if size is None else f"{size / value * 1e9 / 1e6:.0f}"
            out.append(f"| {name} | {int(series):,} | {value / 1e6:.2f} | {mbs} | "
                       f"{'—' if size is None else f'{int(size):,}'} | "
                       f"{int(figures.get('allocations', -1)):,} | {ratio(value, ours)} |")
    out.append("")

    memory = extra.get("memory", {})
    if memory:
        out.append("### Memory per series\n")
        out.append("Heap bytes still allocated after creating 10,000 counter series (two labels), "
                   "divided by 10,000, measured with a counting allocator. enumeter's storage is "
                   "normally static; the benchmark boxes it so the allocator sees it. A sharded "
                   "counter series takes 2,176 bytes, a summary series about 69 KB at the "
                   "default 1% error.\n")
        out.append("| contender | bytes per series |")
        out.append("| --- | ---: |")
        for name, figures in sorted(memory.items(), key=lambda kv: kv[1]["bytes_per_series"]):
            out.append(f"| {name} | {figures['bytes_per_series']:.1f} |")
        out.append("")

    out.extend(targets())
    print("\n".join(out))


def targets():
    """The targets of the performance issue, checked against this run."""
    rows = []

    def check(name, value, goal, ok):
        rows.append(f"| {name} | {value} | {goal} | {'met' if ok else 'MISSED'} |")

    counter = median("counter_inc", "enumeter")
    bare = median("counter_inc", "bare_atomic")
    if counter and bare:
        check("labelled counter vs bare atomic", f"{counter / bare:.2f}×", "≤ 1.2×", counter / bare <= 1.2)
        peers = {p: median("counter_inc", p) for p in PEERS}
        fastest = min((v, p) for p, v in peers.items() if v)
        check("labelled counter vs fastest peer", f"{fastest[0] / counter:.2f}× ({fastest[1]})",
              "faster than every peer", counter < fastest[0])
    one = median("counter_inc_1_thread_spawned", "enumeter_sharded")
    two = median("counter_inc_2_threads", "enumeter_sharded")
    measured2 = median("counter_inc_2_threads", "measured")
    if one and two:
        check("sharded counter, 2 threads vs 1", f"{2 * one / two:.2f}×", "≥ 1.8×", 2 * one / two >= 1.8)
    if two and measured2:
        check("sharded counter vs measured, 2 threads", f"{measured2 / two:.1f}×", "≥ 10×", measured2 / two >= 10)
    hist = median("histogram_observe", "enumeter")
    hist_bare = median("histogram_observe", "bare_atomic")
    if hist and hist_bare:
        check("histogram observe vs bare atomic", f"{hist / hist_bare:.2f}×", "≤ 2.5×", hist / hist_bare <= 2.5)
    summary = median("summary_observe", "enumeter")
    if summary:
        check("summary observe", f"{summary:.1f} ns", "≤ 30 ns", summary <= 30)
    for series in ["10000", "100000"]:
        ours = median("render", "enumeter", series)
        others = [(median("render", p, series), p) for p in
                  ["measured", "prometheus_client", "prometheus", "metrics"]]
        others = [(v, p) for v, p in others if v]
        if ours and others:
            best = min(others)
            check(f"render {int(series):,} series vs fastest peer", f"{best[0] / ours:.2f}× ({best[1]})",
                  "faster than every peer", ours < best[0])
    if not rows:
        return []
    return ["### Targets\n", "| target | this run | goal | |", "| --- | ---: | --- | --- |"] + rows + [""]


if __name__ == "__main__":
    main()
