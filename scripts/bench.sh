#!/usr/bin/env bash
# Runs the peer benchmarks (benches/benches/peers.rs) and writes BENCHMARKS.md
# from criterion's estimates and the run's extra figures.
#
#   scripts/bench.sh                      # about 5 minutes on 2 cores
#   WARMUP=3 MEASURE=5 scripts/bench.sh   # criterion's defaults, slower
set -euo pipefail
cd "$(dirname "$0")/.."

export ENUMETER_BENCH_EXTRA="$PWD/target/bench-extra.json"
for group in counter_inc counter_inc_1_thread_spawned counter_inc_2_threads histogram_observe summary_observe render; do
    rm -rf "target/criterion/$group"
done
cargo bench -p enumeter-benches --bench peers -- \
    --warm-up-time "${WARMUP:-1}" --measurement-time "${MEASURE:-3}" | tee target/bench.log
python3 scripts/bench_report.py "WARMUP=${WARMUP:-1} MEASURE=${MEASURE:-3} scripts/bench.sh" > BENCHMARKS.md
echo "wrote BENCHMARKS.md"
