"""Writes BENCHMARKS.md (to stdout) from a run of scripts/bench.sh: the
interleaved timings, callgrind's instruction counts and the compile costs
it left under target/bench/."""

import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "target", "bench")


def load(name, default=None):
    path = os.path.join(OUT, name)
    if not os.path.exists(path):
        return default
    with open(path) as f:
        return json.load(f) if name.endswith(".json") else f.read().strip()


def versions():
    lock = open(os.path.join(ROOT, "Cargo.lock")).read()
    found = {}
    for name, version in re.findall(r'name = "([^"]+)"\nversion = "([^"]+)"', lock):
        found.setdefault(name, []).append(version)
    wanted = ["measured", "prometheus-client", "prometheus", "prometheus-static-metric",
              "metrics", "metrics-exporter-prometheus", "opentelemetry_sdk"]
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


class Run:
    def __init__(self):
        self.times = load("times.json", {"scenarios": [], "render": [], "memory": []})
        self.instructions = load("instructions.json", {})
        self.compile = load("compile.json", {})
        self.remote_write = load("remote_write.json", [])

    def samples(self, scenario, contender):
        for s in self.times["scenarios"]:
            if s["name"] == scenario:
                for c in s["contenders"]:
                    if c["name"] == contender:
                        return c["ns"]
        return None

    def median(self, scenario, contender):
        ns = self.samples(scenario, contender)
        return None if ns is None else statistics.median(ns)

    def contenders(self, scenario):
        for s in self.times["scenarios"]:
            if s["name"] == scenario:
                return [c["name"] for c in s["contenders"]]
        return []

    def ir(self, scenario, contender):
        return self.instructions.get(f"{scenario}/{contender}")


def fmt(value, digits=2):
    return "—" if value is None else f"{value:,.{digits}f}"


def ratio(a, b):
    return "—" if a is None or b is None or b == 0 else f"{a / b:.2f}×"


def spread(ns, scale=1.0, digits=2):
    return "—" if not ns else f"{min(ns) * scale:,.{digits}f}–{max(ns) * scale:,.{digits}f}"


def op_table(run, scenario, title, reference, out, note=""):
    ref = run.median(scenario, reference)
    ref_ir = run.ir(scenario, reference)
    ours = run.median(scenario, "enumeter")
    out.append(f"### {title}\n")
    if note:
        out.append(note + "\n")
    out.append(f"| contender | median ns/op | min–max | vs {reference} | vs enumeter "
               f"| instructions/op | vs {reference} |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in run.contenders(scenario):
        ns = run.samples(scenario, name)
        m = statistics.median(ns)
        ir = run.ir(scenario, name)
        out.append(f"| {name} | {fmt(m)} | {spread(ns)} | {ratio(m, ref)} | {ratio(m, ours)} "
                   f"| {fmt(ir, 1)} | {ratio(ir, ref_ir)} |")
    out.append("")


def threads_table(run, out):
    out.append("### Counter increment, two threads at once\n")
    out.append("Two threads started together, each doing its own sequence of operations; one "
               "iteration is one increment on each thread, so that ns per iteration is the "
               "time of an increment when both run at once. *random*: any of the 18 series; "
               "*disjoint*: thread 0 the even series, thread 1 the odd ones (no series "
               "shared, neighbouring series written by different threads); *hot*: both the "
               "same series. `bare_atomic` is one packed atomic per series (8 bytes apart); "
               "`padded_atomic` one per series, each on its own 128 bytes: the floor without "
               "sharding. `enumeter` is a plain `#[counter]`, whose 18 series (at most 64) are "
               "spaced 128 bytes apart; `enumeter_sparse` the same declared `sparse`, whose "
               "series are packed 8 bytes apart (sparse counters are not spaced).\n")
    scenarios = [("counter_2_threads_random", "random"), ("counter_2_threads_disjoint", "disjoint"),
                 ("counter_2_threads_hot", "hot")]
    header = "| contender |" + "".join(f" {label} ns/iter (min–max) | vs bare |" for _, label in scenarios)
    out.append(header)
    out.append("| --- |" + " ---: | ---: |" * len(scenarios))
    for name in run.contenders(scenarios[0][0]):
        row = f"| {name} |"
        for scenario, _ in scenarios:
            ns = run.samples(scenario, name)
            bare = run.median(scenario, "bare_atomic")
            m = None if ns is None else statistics.median(ns)
            row += f" {fmt(m)} ({spread(ns)}) | {ratio(m, bare)} |"
        out.append(row)
    out.append("")


def scrape_table(run, out):
    rows = run.times.get("scrape_cpu", [])
    if not rows and not run.contenders("scrape_10k_tls"):
        return
    out.append("### A scrape of 10,000 series from the exporter, plain and over TLS\n")
    out.append("One scrape over loopback of the exporter serving `render_10k` (no gzip): connect, "
               "`GET /metrics`, read to the end. `tls`: the web configuration's "
               "`tls_server_config` (P-256 certificate, TLS 1.3), a full handshake every scrape as "
               "Prometheus makes (its client keeps no sessions; the exporter closes every "
               "connection). Wall time from the interleaved rounds above; CPU time is the "
               "process's CPU clock (exporter and client together) over 15 interleaved rounds "
               "of 20 scrapes.\n")
    out.append("| contender | median µs per scrape | min–max | vs plain | CPU µs per scrape (median) "
               "| min–max | vs plain | bytes |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    cpu = {r["name"]: r for r in rows}
    plain_wall = run.median("scrape_10k_tls", "plain")
    plain_cpu = statistics.median(cpu["plain"]["cpu_ns"]) if "plain" in cpu else None
    for name in run.contenders("scrape_10k_tls"):
        ns = run.samples("scrape_10k_tls", name)
        m = statistics.median(ns)
        c = cpu.get(name, {})
        cm = statistics.median(c["cpu_ns"]) if c else None
        out.append(f"| {name} | {fmt(m / 1000)} | {spread(ns, 1e-3)} | {ratio(m, plain_wall)} "
                   f"| {fmt(cm / 1000 if cm else None)} | {spread(c.get('cpu_ns'), 1e-3)} "
                   f"| {ratio(cm, plain_cpu)} | {c.get('bytes', '—'):,} |")
    out.append("")


def render_table(run, out):
    out.append("### Rendering (the Prometheus text format; `enumeter_protobuf`: the protobuf exposition)\n")
    out.append("Counter series with two labels, each incremented once; the buffer is reused "
               "across renders where the contender allows it. Allocations are counted during "
               "one render after a first one; instructions per series from callgrind.\n")
    out.append("| contender | series | median ms | min–max | MB/s | bytes | allocations per render "
               "| instructions per series | vs enumeter |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    figures = {(r["contender"], r["series"]): r for r in run.times.get("render", [])}
    for series, scenario in [(10_000, "render_10k"), (100_000, "render_100k")]:
        ours = run.median(scenario, "enumeter")
        for name in run.contenders(scenario):
            ns = run.samples(scenario, name)
            m = statistics.median(ns)
            f = figures.get((name, series), {})
            size = f.get("bytes")
            mbs = None if size is None else size / (m / 1e9) / 1e6
            ir = run.ir(scenario, name)
            out.append(f"| {name} | {series:,} | {fmt(m / 1e6)} | {spread(ns, 1e-6)} | {fmt(mbs, 0)} "
                       f"| {fmt(size, 0)} | {fmt(f.get('allocations'), 0)} "
                       f"| {fmt(None if ir is None else ir / series, 1)} | {ratio(m, ours)} |")
    out.append("")


def facade_render_table(run, out):
    scenario = "render_facade"
    if not run.contenders(scenario):
        return
    out.append("### Rendering the `metrics` facade's series\n")
    out.append("10,000 counter series with two labels (100 × 100 values), each incremented once: "
               "a typed group (`render_10k`'s), the same series recorded through the facade into "
               "`enumeter::facade::FacadeRecorder` (one family, rendered through "
               "`facade::group()`), and into metrics-exporter-prometheus 0.18 "
               "(`PrometheusHandle::render`, which returns a new `String`). The Prometheus text "
               "format; instructions per series from callgrind.\n")
    out.append("| contender | median ms per render | min–max | ns per series | instructions per series "
               "| vs enumeter_typed_10k |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    typed = run.median(scenario, "enumeter_typed_10k")
    for name in run.contenders(scenario):
        ns = run.samples(scenario, name)
        m = statistics.median(ns)
        ir = run.ir(scenario, name)
        out.append(f"| {name} | {fmt(m / 1e6)} | {spread(ns, 1e-6)} | {fmt(m / 10_000)} "
                   f"| {fmt(None if ir is None else ir / 10_000, 1)} | {ratio(m, typed)} |")
    out.append("")


def sparse_render_table(run, out):
    scenario = "render_sparse"
    if not run.contenders(scenario):
        return
    out.append("### Rendering a sparse metric\n")
    out.append("A `#[counter(sparse)]` of 10,000 declared series (two labels) with 100 of them "
               "recorded into (scattered over the whole), and with all 10,000, each against a "
               "dense counter of as many series whose lines have the same shape; the Prometheus "
               "text format into a reused buffer.\n")
    out.append("| contender | median µs | min–max | instructions per render | vs dense, ns "
               "| vs dense, instructions |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    dense_of = {"enumeter_sparse_100_of_10k": "enumeter_dense_100",
                "enumeter_sparse_10k_of_10k": "enumeter_dense_10k"}
    for name in run.contenders(scenario):
        ns = run.samples(scenario, name)
        m = statistics.median(ns)
        ir = run.ir(scenario, name)
        dense = dense_of.get(name)
        vs_ns = ratio(m, run.median(scenario, dense)) if dense else ""
        vs_ir = ratio(ir, run.ir(scenario, dense)) if dense else ""
        out.append(f"| {name} | {fmt(m / 1e3)} | {spread(ns, 1e-3)} | {fmt(ir, 0)} | {vs_ns} "
                   f"| {vs_ir} |")
    out.append("")


def names_render_table(run, out):
    scenario = "render_names"
    if not run.contenders(scenario):
        return
    out.append("### Rendering names under each escaping scheme\n")
    out.append("10,000 counter series (two labels) in the Prometheus text format 1.0.0 into a "
               "reused buffer: `legacy` is the group of `render_10k` (legacy names, as declared: "
               "the writer of before escaping existed), `legacy_dots` the same under `dots`, which "
               "doubles its underscores; `utf8_*` the same group with Prometheus 3 names "
               "(`render.counters_total`, labels `a.x` and `b.x`) quoted (`allow_utf8`) or "
               "escaped by each scheme, and in protobuf.\n")
    out.append("| contender | median µs | min–max | instructions per series | vs utf8_allow_utf8, ns "
               "| vs utf8_allow_utf8, instructions |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    ref, ref_ir = run.median(scenario, "utf8_allow_utf8"), run.ir(scenario, "utf8_allow_utf8")
    for name in run.contenders(scenario):
        ns = run.samples(scenario, name)
        m = statistics.median(ns)
        ir = run.ir(scenario, name)
        out.append(f"| {name} | {fmt(m / 1e3)} | {spread(ns, 1e-3)} "
                   f"| {fmt(None if ir is None else ir / 10_000, 1)} | {ratio(m, ref)} "
                   f"| {ratio(ir, ref_ir)} |")
    out.append("")
    op_table(run, "negotiate", "Negotiating one scrape", "prometheus_2_42", out,
             "`Exposition::from_accept` of the `Accept` Prometheus 3.5.3 sends with native "
             "histograms on (six ranges; recorded from a real one) and of 2.42's (four).")


def memory_table(run, out):
    out.append("### Memory per series\n")
    out.append("Heap bytes still allocated after creating 10,000 counter series (two labels), "
               "divided by 10,000, measured with a counting allocator. enumeter's storage is "
               "normally static; the benchmark boxes it so the allocator sees it. "
               "`enumeter_sharded` is `#[counter(sharded)]`: 16 shards and the shared one, "
               "8 bytes each (the bound is 16 bytes per shard). A summary series takes about "
               "70 KB at the default 1% error.\n")
    out.append("| contender | bytes per series |")
    out.append("| --- | ---: |")
    for r in run.times.get("memory", []):
        out.append(f"| {r['contender']} | {fmt(r['bytes_per_series'], 1)} |")
    out.append("")


def compile_table(run, out):
    c = run.compile
    if not c:
        return
    out.append("### Compile cost\n")
    out.append("`python3 scripts/compile_cost.py`: rustc alone on a crate with one label enum of "
               "N values (deriving `Clone, Copy, PartialEq, Eq` and, or not, `LabelValue`, with a "
               "counter labelled by it), or with one group of M metrics of mixed kinds; median of "
               "3 builds with the dependencies built and incremental compilation off. Machine code: `.text` + `.rodata` + "
               "`.data.rel.ro` of the binary. (std's `derive(Debug)` on a 10,000-value enum "
               "alone takes 2.6 GB in release: leave it off very large label enums.) The cost "
               "per label value grows with the set: the derive names each variant once, and "
               "rustc finds each variant named in code by a search through the enum's variants "
               "(`-Z self-profile`, 100,000 values in release: `thir_body` 7.1 s, of the 15.5 s "
               "beyond the enum itself).\n")
    out.append("| crate | profile | seconds (min–max) | peak MB | machine code bytes |")
    out.append("| --- | --- | ---: | ---: | ---: |")
    for key, v in c.items():
        m = re.match(r"(values_(\d+)_(derive|plain)|metrics_(\d+))_(debug|release)", key)
        if not m:
            continue
        if m.group(2):
            what = f"{int(m.group(2)):,} label values" + (
                ", `LabelValue` and a metric" if m.group(3) == "derive" else ", enum alone")
        else:
            what = f"{int(m.group(4)):,} metrics"
        out.append(f"| {what} | {m.group(5)} | {v['seconds']:.2f} ({v['seconds_min']:.2f}–"
                   f"{v['seconds_max']:.2f}) | {v['peak_mb']:.0f} | {v['code_bytes']:,} |")
    out.append("")
    slopes = []
    for profile in ("debug", "release"):
        a, b = c.get(f"values_10000_derive_{profile}"), c.get(f"values_100000_derive_{profile}")
        pa, pb = c.get(f"values_10000_plain_{profile}"), c.get(f"values_100000_plain_{profile}")
        if a and b and pa and pb:
            extra = ((b["seconds"] - pb["seconds"]) - (a["seconds"] - pa["seconds"])) / 90_000
            code = ((b["code_bytes"] - pb["code_bytes"]) - (a["code_bytes"] - pa["code_bytes"])) / 90_000
            slopes.append(f"per label value ({profile}, between 10,000 and 100,000, beyond the "
                          f"enum itself): {extra * 1e6:.1f} µs and {code:.1f} bytes of machine code")
        a, b = c.get(f"metrics_50_{profile}"), c.get(f"metrics_500_{profile}")
        if a and b:
            slopes.append(f"per metric ({profile}, between 50 and 500): "
                          f"{(b['seconds'] - a['seconds']) / 450 * 1e3:.2f} ms and "
                          f"{(b['code_bytes'] - a['code_bytes']) / 450:.0f} bytes of machine code")
    for s in slopes:
        out.append(f"- {s}")
    out.append("")


def step_cell(row, key):
    """A push step's ns per series: median (min–max)."""
    step = row[key]
    return f"{step['median']:.0f} ({step['min']:.0f}–{step['max']:.0f})"


def remote_write_table(run, out):
    if not run.remote_write:
        return
    out.append("### Remote write: one sampling\n")
    out.append("`cargo bench -p enumeter-benches --bench remote_write`: what "
               "`enumeter::push::RemoteWrite` does every interval, per series of a group of "
               "counters with two labels and two external labels: reading the registry while "
               "writing the `WriteRequest` protobuf (one step: the encoder writes the wire format "
               "directly, with the protobuf exposition's writer), then compressing with Snappy. "
               "ns per series, median (min–max) over the rounds; bytes per series before and "
               "after compression. Recording is untouched: the pusher reads the cells a scrape "
               "reads, on threads of its own.\n")
    out.append("| series | read and encode (ns) | snappy (ns) | total per sampling | "
               "bytes/series | compressed bytes/series |")
    out.append("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in run.remote_write:
        n = r["series"]
        cell = lambda k: step_cell(r, k)
        total_ms = sum(r[k]["median"] for k in ("encode_ns", "snappy_ns")) * n / 1e6
        out.append(f"| {n:,} | {cell('encode_ns')} | {cell('snappy_ns')} | "
                   f"{total_ms:.0f} ms | {r['bytes'] / n:.1f} | {r['compressed_bytes'] / n:.1f} |")
    out.append("")
    if "v2_encode_ns" in run.remote_write[0]:
        out.append("### Remote-Write 2.0: one sampling\n")
        out.append("The same bench, rounds and registry: the 2.0 `Request` the pusher sends by "
                   "default (every string once per request in its symbols table, each series "
                   "with its metadata and start), read and encoded, then Snappy; against 1.0's "
                   "above.\n")
        out.append("| series | read and encode (ns) | vs 1.0 | snappy (ns) | bytes/series "
                   "| compressed bytes/series | compressed vs 1.0 |")
        out.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in run.remote_write:
            n = r["series"]
            cell = lambda k: step_cell(r, k)
            out.append(f"| {n:,} | {cell('v2_encode_ns')} | "
                       f"{ratio(r['v2_encode_ns']['median'], r['encode_ns']['median'])} | "
                       f"{cell('v2_snappy_ns')} | {r['v2_bytes'] / n:.1f} | "
                       f"{r['v2_compressed_bytes'] / n:.1f} | "
                       f"{ratio(r['v2_compressed_bytes'], r['compressed_bytes'])} |")
        out.append("")
    if "otlp_encode_ns" not in run.remote_write[0]:
        return
    out.append("### OTLP: one sampling\n")
    out.append("The same bench and rounds, the same registry: what `enumeter::push::otlp::Otlp` "
               "does every interval, reading the registry while writing the "
               "`ExportMetricsServiceRequest` protobuf (the two labels of remote write as resource "
               "attributes), then compressing with gzip at level 1 (as the pusher does when asked; "
               "uncompressed unless it is). A metric's name is written once per family, not per "
               "series as in remote write, hence the fewer bytes.\n")
    out.append("| series | read and encode (ns) | vs remote write | gzip (ns) | total per sampling "
               "| bytes/series | gzipped bytes/series |")
    out.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in run.remote_write:
        n = r["series"]
        cell = lambda k: step_cell(r, k)
        total_ms = sum(r[k]["median"] for k in ("otlp_encode_ns", "gzip_ns")) * n / 1e6
        out.append(f"| {n:,} | {cell('otlp_encode_ns')} | "
                   f"{ratio(r['otlp_encode_ns']['median'], r['encode_ns']['median'])} | "
                   f"{cell('gzip_ns')} | {total_ms:.0f} ms | {r['otlp_bytes'] / n:.1f} | "
                   f"{r['otlp_gzip_bytes'] / n:.1f} |")
    out.append("")


def targets(run, out):
    rows = []

    def add(target, value, goal, met):
        rows.append(f"| {target} | {value} | {goal} | {'met' if met else '**not met**'} |")

    bare = run.median("counter_inc", "bare_atomic")
    ours = run.median("counter_inc", "enumeter")
    if bare and ours:
        add("labelled counter vs bare atomic, one thread", ratio(ours, bare), "≤ 1.05×",
            ours <= bare * 1.05)
        peers = [(n, run.median("counter_inc", n)) for n in run.contenders("counter_inc")
                 if n != "bare_atomic" and not n.startswith("enumeter")]
        fastest = min(peers, key=lambda p: p[1])
        add("labelled counter vs fastest peer", f"{ratio(fastest[1], ours)} ({fastest[0]} / enumeter)",
            "faster than every peer", ours < fastest[1])
    for scenario, goal in [("counter_2_threads_disjoint", 0.4), ("counter_2_threads_hot", 0.4),
                           ("counter_2_threads_random", 0.15)]:
        b = run.median(scenario, "bare_atomic")
        s = run.median(scenario, "enumeter_sharded")
        if b and s:
            add(f"sharded, 2 threads, {scenario.rsplit('_', 1)[1]} vs contended bare", ratio(s, b),
                f"≤ {goal}×", s <= b * goal)
    padded = run.median("counter_2_threads_disjoint", "padded_atomic")
    plain = run.median("counter_2_threads_disjoint", "enumeter")
    if padded and plain:
        add("plain counter, 2 threads, disjoint neighbouring series vs one atomic per line",
            ratio(plain, padded), "≤ 1.5×", plain <= 1.5 * padded)
    for scenario, what in [("counter_inc", "counter inc"), ("histogram_observe", "histogram observe")]:
        dense_ir, sparse_ir = run.ir(scenario, "enumeter"), run.ir(scenario, "enumeter_sparse")
        if dense_ir and sparse_ir:
            add(f"sparse {what} vs dense, instructions", f"{sparse_ir:.0f} vs {dense_ir:.0f}",
                "within +2", sparse_ir <= dense_ir + 2)
    for sparse, dense in [("enumeter_sparse_100_of_10k", "enumeter_dense_100"),
                          ("enumeter_sparse_10k_of_10k", "enumeter_dense_10k")]:
        sn, dn = run.median("render_sparse", sparse), run.median("render_sparse", dense)
        si, di = run.ir("render_sparse", sparse), run.ir("render_sparse", dense)
        if sn and dn:
            add(f"render {sparse.removeprefix('enumeter_').replace('_', ' ')} vs "
                f"{dense.removeprefix('enumeter_').replace('_', ' ')}, ns", ratio(sn, dn), "≤ 1.2×",
                sn <= 1.2 * dn)
        if si and di:
            add(f"render {sparse.removeprefix('enumeter_').replace('_', ' ')} vs "
                f"{dense.removeprefix('enumeter_').replace('_', ' ')}, instructions", ratio(si, di),
                "≤ 1.2×", si <= 1.2 * di)
    enum_ir, runtime_ir = run.ir("runtime_label_inc", "enumeter_enum"), run.ir("runtime_label_inc", "enumeter_runtime")
    if enum_ir and runtime_ir:
        add("record with a runtime label handle vs an enum label, instructions",
            f"{runtime_ir:.0f} vs {enum_ir:.0f}", "within +2", runtime_ir <= enum_ir + 2)
    for scenario, what in [("facade_counter_lookup", "`counter!` looked up"),
                           ("facade_counter_handle", "a kept handle")]:
        for suffix, idle in [("", ""), ("_idle", ", series that retire")]:
            f = run.median(scenario, "enumeter_facade" + suffix)
            m = run.median(scenario, "metrics_exporter_prometheus" + suffix)
            if f and m:
                add(f"metrics facade, {what}{idle}, vs metrics-exporter-prometheus, ns",
                    ratio(f, m), "≤ 0.5×", f <= 0.5 * m)
    h = run.median("histogram_observe", "enumeter")
    hb = run.median("histogram_observe", "bare_atomic")
    if h and hb:
        add("histogram observe vs bare atomic", ratio(h, hb), "≤ 2.5×", h <= 2.5 * hb)
    sn = run.median("summary_observe", "enumeter")
    hn = run.median("summary_observe", "enumeter_histogram")
    si = run.ir("summary_observe", "enumeter")
    hi = run.ir("summary_observe", "enumeter_histogram")
    if sn and hn:
        add("summary observe vs our classic histogram, ns", ratio(sn, hn), "≤ 2×", sn <= 2 * hn)
    if si and hi:
        add("summary observe vs our classic histogram, instructions", ratio(si, hi), "≤ 2×", si <= 2 * hi)
    for series, scenario in [(10_000, "render_10k"), (100_000, "render_100k")]:
        o = run.median(scenario, "enumeter")
        peers = [(n, run.median(scenario, n)) for n in run.contenders(scenario)
                 if not n.startswith("enumeter")]
        if o and peers:
            fastest = min(peers, key=lambda p: p[1])
            add(f"render {series:,} series vs fastest peer", f"{ratio(fastest[1], o)} ({fastest[0]})",
                "faster than every peer", o < fastest[1])
    for series, scenario in [(10_000, "render_10k"), (100_000, "render_100k")]:
        text, proto = run.median(scenario, "enumeter"), run.median(scenario, "enumeter_protobuf")
        if text and proto:
            add(f"protobuf render vs our text render, {series:,} series", ratio(proto, text),
                "≤ 1.0×", proto <= text)
    classic = run.median("native_observe", "enumeter_classic")
    native = run.median("native_observe", "enumeter_native")
    client = run.median("native_observe", "prometheus_client_native")
    if classic and native:
        add("native histogram observe vs our classic, ns", ratio(native, classic), "≤ 1.5×",
            native <= 1.5 * classic)
    ci, ni = run.ir("native_observe", "enumeter_classic"), run.ir("native_observe", "enumeter_native")
    if ci and ni:
        add("native histogram observe vs our classic, instructions", ratio(ni, ci), "≤ 1.5×",
            ni <= 1.5 * ci)
    lc, ln = run.median("native_observe", "enumeter_classic_labelled"), run.median(
        "native_observe", "enumeter_native_labelled")
    if lc and ln:
        add("native observe vs our classic, 18 labelled series, ns", ratio(ln, lc), "≤ 1.5×",
            ln <= 1.5 * lc)
    lci, lni = run.ir("native_observe", "enumeter_classic_labelled"), run.ir(
        "native_observe", "enumeter_native_labelled")
    if lci and lni:
        add("native observe vs our classic, 18 labelled series, instructions", ratio(lni, lci),
            "≤ 1.5×", lni <= 1.5 * lci)
    if native and client:
        add("native histogram observe vs prometheus-client's", ratio(native, client),
            "faster", native < client)
    wi = run.ir("native_observe", "enumeter_classic_declared_with_exemplars")
    if wi and ci:
        add("observe on a histogram declared with exemplars (none given), instructions",
            f"{wi:.0f} vs {ci:.0f}", "as today", wi <= ci)
    plain_ir = run.ir("histogram_traced", "enumeter")
    outside_ir = run.ir("histogram_traced", "enumeter_traced_outside_span")
    if plain_ir and outside_ir:
        add("observe declared `exemplars = trace`, outside any span, vs without exemplars, "
            "instructions", f"{outside_ir:.0f} vs {plain_ir:.0f}", "within +10",
            outside_ir <= plain_ir + 10)
    in_span = run.median("histogram_traced", "enumeter_traced_in_span")
    by_hand = run.median("histogram_traced", "enumeter_exemplar_by_hand")
    if in_span and by_hand:
        add("observe `exemplars = trace` in a sampled span vs `observe_with_exemplar` by hand, ns",
            ratio(in_span, by_hand), "≤ 2×", in_span <= 2 * by_hand)
    memory = {r["contender"]: r["bytes_per_series"] for r in run.times.get("memory", [])}
    if "enumeter" in memory:
        # 10,000 series of one group: 8 bytes each, and per group instance
        # its 8-byte created time and the padding to the 128-byte alignment
        # of plain counter cells (spaced when few): at most 128 bytes.
        add("plain counter memory per series", f"{memory['enumeter']:.4f} bytes",
            "8 bytes (+ at most 128 per group instance)", memory["enumeter"] <= 8.0 + 128 / 10_000)
    if "enumeter_sharded" in memory:
        add("sharded counter memory per series (16 shards)", f"{memory['enumeter_sharded']:.1f} bytes",
            "≤ 16 × 16 = 256 bytes", memory["enumeter_sharded"] <= 256)
    for r in run.remote_write:
        if "v2_encode_ns" in r:
            v2, v1 = r["v2_compressed_bytes"], r["compressed_bytes"]
            add(f"Remote-Write 2.0 compressed bytes vs 1.0's, {r['series']:,} series",
                f"{v2 / r['series']:.1f} vs {v1 / r['series']:.1f} ({ratio(v2, v1)})", "≤ 0.6×",
                v2 <= 0.6 * v1)
            e2, e1 = r["v2_encode_ns"]["median"], r["encode_ns"]["median"]
            add(f"Remote-Write 2.0 read and encode vs 1.0's, {r['series']:,} series",
                f"{e2:.0f} vs {e1:.0f} ns ({ratio(e2, e1)})", "≤ 1.0×", e2 <= e1)
        if "otlp_encode_ns" in r:
            otlp, rw = r["otlp_encode_ns"]["median"], r["encode_ns"]["median"]
            add(f"OTLP read and encode vs remote write's, {r['series']:,} series",
                f"{otlp:.0f} vs {rw:.0f} ns ({ratio(otlp, rw)})", "≤ 1.5×", otlp <= 1.5 * rw)
    for scenario, kind in (("counter_inc", "counter inc"), ("histogram_observe", "histogram observe")):
        ours, bound = run.median(scenario, "enumeter"), run.median(scenario, "opentelemetry_sdk_bound")
        if ours and bound:
            add(f"labelled {kind} vs opentelemetry_sdk's bound instrument", ratio(ours, bound),
                "faster", ours < bound)
    c = run.compile
    for profile in ("debug", "release"):
        v = c.get(f"values_10000_derive_{profile}")
        if v:
            add(f"10,000-value label enum, {profile}", f"{v['seconds']:.2f} s, {v['peak_mb']:.0f} MB",
                "≤ 3 s, ≤ 500 MB", v["seconds"] <= 3 and v["peak_mb"] <= 500)
        v = c.get(f"values_100000_derive_{profile}")
        if v:
            add(f"100,000-value label enum, {profile}", f"{v['seconds']:.1f} s", "≤ 60 s", v["seconds"] <= 60)
        v = c.get(f"metrics_50_{profile}")
        if v:
            add(f"50-metric group, {profile}", f"{v['seconds']:.2f} s", "about 0.2 s", v["seconds"] <= 0.5)
    out.append("### Targets\n")
    out.append("| target | this run | goal | |")
    out.append("| --- | ---: | --- | --- |")
    out.extend(rows)
    out.append("")


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else "scripts/bench.sh"
    run = Run()
    today = datetime.date.today().isoformat()
    before, after = load("load-before", "?"), load("load-after", "?")
    rounds = {len(c["ns"]) for s in run.times["scenarios"] for c in s["contenders"]}
    out = [
        "# Benchmarks",
        "",
        f"Measured by `{command}` on {today}: every contender in the same process, the same work "
        "for each, in interleaved rounds (each round runs every contender once, in an order "
        "that rotates from round to round, so that load from elsewhere hits all alike); "
        "medians over the rounds, with the minimum and maximum. Instruction counts come from "
        "`valgrind --tool=callgrind` and do not depend on the load. Reproduce with the same "
        "command.",
        "",
        f"- Machine: {machine()}",
        f"- Load average before the timings: {before}; after: {after} (1, 5 and 15 minutes; "
        "2 cores, shared with other work)",
        f"- Rounds per scenario: {', '.join(str(r) for r in sorted(rounds))}",
        f"- Peers: {versions()}",
        "- Work: 2 labels (6 endpoints × 3 outcomes = 18 series), a random series per operation "
        "from a fixed seed; histograms have 10 buckets; summaries report P50/P90/P95/P99. "
        "Each loop includes picking the series, the same for every contender.",
    ]
    compile_file, times_file = os.path.join(OUT, "compile.json"), os.path.join(OUT, "times.json")
    if os.path.exists(compile_file) and os.path.getmtime(compile_file) < os.path.getmtime(times_file):
        stamp = datetime.datetime.fromtimestamp(os.path.getmtime(compile_file)).strftime("%Y-%m-%d %H:%M")
        out.append(f"- Compile cost: kept from an earlier run ({stamp}; `COMPILE_COST=0`), "
                   "not measured with these timings.")
    out.append("")
    otel = ("`opentelemetry_sdk` is the OpenTelemetry SDK 0.33's instrument given its two "
            "attributes (prebuilt `KeyValue`s) on every call; `opentelemetry_sdk_bound` the same "
            "instrument bound to each attribute set once (its "
            "`experimental_metrics_bound_instruments`), both recording into an SDK meter provider "
            "with a manual reader.")
    op_table(run, "counter_inc", "Counter increment, one thread", "bare_atomic", out, otel)
    threads_table(run, out)
    op_table(run, "histogram_observe", "Histogram observe (10 buckets, 2 labels)", "bare_atomic", out,
             "`hand_written` is what a histogram cannot do with less: a bucket search over the "
             "10 bounds, an atomic add to the bucket and a compare-and-swap on the sum. " + otel)
    op_table(run, "histogram_traced", "Histogram observe with exemplars from the trace", "bare_atomic", out,
             "The values of `histogram_observe`. `enumeter` observes a histogram declared without "
             "exemplars; `enumeter_traced_outside_span` one declared `exemplars = trace`, no span "
             "current; `enumeter_traced_in_span` the same inside a sampled span (its OpenTelemetry "
             "context attached), which keeps the span's ids as the bucket's exemplar; "
             "`enumeter_exemplar_by_hand` calls `observe_with_exemplar` with the same ids, as "
             "strings. Ratios against a bare atomic, and against `enumeter`.")
    op_table(run, "summary_observe", "Summary observe (4 quantiles, no labels)", "enumeter_histogram",
             out, "Ratios against enumeter's classic histogram of the same values "
             "(`enumeter_histogram`, 10 buckets, no labels).")
    op_table(run, "http_request", "Request middleware (tower), per request", "no_layer", out,
             "A tower `Service` that answers 200 at once, called in process: each request is "
             "built (GET, one of 4 paths), called, its future polled once (ready) and its body "
             "read to the end, as a server would. `no_layer` is that alone; `enumeter` wraps it "
             "in `enumeter::tower::RequestMetricsLayer` recording into `http_server_metrics!` "
             "(in-flight gauge, counter, 11-bucket histogram by method, status class and route); "
             "`enumeter_traced` declares the duration histogram `exemplars = trace` (the layer "
             "then keeps each request's OpenTelemetry context), no span current; "
             "`enumeter_traced_in_span` runs it inside a sampled span, so every request keeps the "
             "span's ids as an exemplar; "
             "`axum_prometheus` in `axum_prometheus::PrometheusMetricLayer` (its counter, "
             "histogram and in-flight gauge through `metrics-exporter-prometheus`). Ratios "
             "against `no_layer`; a layer's overhead is its time minus `no_layer`'s.")
    op_table(run, "native_observe", "Native histogram observe, and exemplars (one series)",
             "enumeter_classic", out,
             "The values of `histogram_observe`, into one unlabelled series: our classic 10-bucket "
             "histogram; the same declared with `exemplars` and observed without one; observed "
             "with an exemplar (a 16-character trace id, timestamped); native buckets at schema 3 "
             "(`#[histogram(native)]`); `prometheus-client` 0.25's native histogram at schema 3; "
             "and the 18 labelled series of `histogram_observe`, classic and native "
             "(`*_labelled`). Ratios against our classic histogram.")
    op_table(run, "runtime_label_inc", "Recording with a label known only at run time (18 series)",
             "enumeter_enum", out,
             "A sparse counter of 6 endpoints × 3 outcomes: `enumeter_enum` with the endpoint an "
             "enum value, `enumeter_runtime` with a `runtime_label!` handle interned at start "
             "(capacity 5 and `other`), both taken from a table as an application keeps them; "
             "`enumeter_runtime_retiring` the same with a label declared `idle = …` (values "
             "retire; none does in the run), whose handle enters and leaves the value's slot; "
             "`enumeter_runtime_lookup` looks the handle up by its string on every record. "
             "`measured_fixed` is `measured`'s label set fixed at start (`lasso::RodeoReader`), "
             "`measured_dynamic` its concurrent interner (`ThreadedRodeo`), both given the "
             "endpoint as a string; `prometheus_client` is `Family::get_or_create` with `String` "
             "labels (the keys prebuilt). Ratios against `enumeter_enum`.")
    op_table(run, "runtime_label_table", "A runtime label's table: lookup and interning by string",
             "enumeter_lookup", out,
             "`enumeter_lookup`: `lookup` of an existing value (lock-free: one SipHash and a "
             "probe); `enumeter_intern_existing`: `intern` of an existing one (the same, plus the "
             "value's checks); `enumeter_intern_new`: `intern` of new values into fresh tables of "
             "1,024 (a lock, two leaked strings and the escape; the table's making is included). "
             "Against `measured`'s interners (`RodeoReader::get`, `ThreadedRodeo::get_or_intern` "
             "of an existing value) and a `RwLock<HashMap<String, u32>>` read.")
    op_table(run, "basic_auth_check", "The web configuration's basic-auth check",
             "bare_constant_time_compare", out,
             "`enumeter_remembered`: a scrape's `Authorization: Basic` checked against "
             "`basic_auth_users` once it has passed (the credentials compared in constant time with "
             "each remembered one, under a mutex); `bare_constant_time_compare` the comparison alone; "
             "`bcrypt_cost_10` the bcrypt check the memory saves (`bcrypt::verify`, cost 10, as "
             "`htpasswd -nBC 10` makes).")
    facade = ("A counter with two labels (the 18 series of `counter_inc`) recorded through the "
              "`metrics` facade into metrics-exporter-prometheus 0.18's recorder and into "
              "`enumeter::facade::FacadeRecorder`, each the local recorder of the loop. The "
              "`_idle` pair records into series that retire when idle (an hour, so none does "
              "during the run): metrics-exporter-prometheus built with `idle_timeout`, a facade "
              "family made with `FacadeRecorder::idle_timeout`, whose handles check their "
              "slot's generation. ")
    op_table(run, "facade_counter_lookup", "The `metrics` facade: `counter!` looked up at every "
             "increment", "metrics_exporter_prometheus", out,
             facade + "`counter!(\"requests_total\", &labels)` then `increment(1)` on every "
             "operation, as code that does not keep its handle does. Ratios against "
             "metrics-exporter-prometheus.")
    op_table(run, "facade_counter_handle", "The `metrics` facade: a kept handle",
             "metrics_exporter_prometheus", out,
             facade + "The 18 `metrics::Counter` handles registered once and kept, as "
             "`tokio-metrics` and most dependencies keep them; each recorder is reached through "
             "the handle's one dynamic call. Ratios against metrics-exporter-prometheus.")
    scrape_table(run, out)
    render_table(run, out)
    facade_render_table(run, out)
    sparse_render_table(run, out)
    names_render_table(run, out)
    memory_table(run, out)
    compile_table(run, out)
    remote_write_table(run, out)
    targets(run, out)
    print("\n".join(out))


if __name__ == "__main__":
    main()
