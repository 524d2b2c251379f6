#!/usr/bin/env bash
# Runs the peer benchmarks and writes BENCHMARKS.md:
#
# 1. timings: every contender of every scenario in interleaved rounds
#    (benches/benches/peers.rs), with the machine's load before and after;
# 2. instructions per operation of every single-thread hot path, counted by
#    callgrind (repeatable whatever the load): the run of N and of 2N
#    operations, the difference divided by N;
# 3. one remote-write sampling of 10,000 and 100,000 series
#    (benches/benches/remote_write.rs);
# 4. compile cost of large label enums and metric groups
#    (scripts/compile_cost.py; COMPILE_COST=0 skips it and keeps the last).
#
#   scripts/bench.sh                   # about 15 minutes on 2 cores
#   ROUNDS=25 RUN_MS=20 scripts/bench.sh
#   TIMINGS=0 COMPILE_COST=0 scripts/bench.sh   # recount, keep the rest
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench
mkdir -p "$out"

bin=$(cargo bench -q -p enumeter-benches --bench peers --no-run --message-format=json \
    | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "peers" and m.get("executable"):
        print(m["executable"])')

if [ "${TIMINGS:-1}" != 0 ] || [ ! -f "$out/times.json" ]; then
    cat /proc/loadavg > "$out/load-before"
    ROUNDS="${ROUNDS:-15}" RUN_MS="${RUN_MS:-10}" "$bin" > "$out/times.json"
    cat /proc/loadavg > "$out/load-after"
fi

command -v valgrind >/dev/null || { echo "valgrind is needed for instruction counts" >&2; exit 1; }
count() { # scenario contender operations -> instructions collected
    valgrind --tool=callgrind --toggle-collect='*counted_run*' --callgrind-out-file=/dev/null \
        "$bin" --instructions "$1" "$2" "$3" 2>&1 | sed -n 's/.*Collected : //p' | tr -d ,
}
python3 - "$out/times.json" > "$out/hot-paths" <<'EOF'
import json, sys
for s in json.load(open(sys.argv[1]))["scenarios"]:
    # Threads of their own (the exporter's) and bcrypt: timed, not counted.
    if "2_threads" in s["name"] or s["name"].startswith("scrape_") or s["name"] == "basic_auth_check":
        continue
    for c in s["contenders"]:
        print(s["name"], c["name"])
EOF
{
    echo "{"
    first=1
    while read -r scenario contender; do
        n=200000
        case "$scenario" in render_*) n=2 ;; http_*) n=20000 ;; esac
        a=$(count "$scenario" "$contender" "$n")
        b=$(count "$scenario" "$contender" $((2 * n)))
        [ $first = 1 ] || echo ","
        first=0
        printf '"%s/%s": %s' "$scenario" "$contender" "$(python3 -c "print(($b - $a) / $n)")"
        echo "$scenario/$contender: $(python3 -c "print(($b - $a) / $n)") instructions" >&2
    done < "$out/hot-paths"
    echo "}"
} > "$out/instructions.json"

cargo bench -q -p enumeter-benches --bench remote_write > "$out/remote_write.json"

if [ "${COMPILE_COST:-1}" != 0 ] || [ ! -f "$out/compile.json" ]; then
    python3 scripts/compile_cost.py > "$out/compile.json"
fi

python3 scripts/bench_report.py "ROUNDS=${ROUNDS:-15} RUN_MS=${RUN_MS:-10} scripts/bench.sh" > BENCHMARKS.md
echo "wrote BENCHMARKS.md"
