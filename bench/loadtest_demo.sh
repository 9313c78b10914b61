#!/usr/bin/env bash
# The load test run shown in the README ("Load testing an image service"): the emulator as a
# service with a capacity of 4 generations and a long-tailed latency, streamed generations with 2
# partial images, an open-loop step schedule that overloads it, a client-side cap of 4 requests
# in flight. Writes bench/results/loadtest.txt (the commands and the table) and loadtest.png (the
# plot). Needs `./dev build` first; takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/release/bin
OUT=bench/results
for p in "$BIN/openai-images" "$BIN/openai-images-emulator"; do
    [ -x "$p" ] || { echo "missing $p: run ./dev build first" >&2; exit 1; }
done
work=$(mktemp -d)
emulator_pid=
cleanup() {
    if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

"$BIN/openai-images-emulator" --tls --cert-dir "$work" \
    --latency-ms 500 --latency-jitter-ms 250 --latency-distribution exponential \
    --partial-interval-ms 150 --max-concurrent-generations 4 > "$work/ready" &
emulator_pid=$!
for _ in $(seq 100); do grep -q listening "$work/ready" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/ready")

run() {
    OPENAI_API_KEY=demo "$BIN/openai-images" loadtest --base-url "$url/v1" --ca-file "$work/ca.pem" \
        --prompt "a lighthouse at dawn, watercolour" --model gpt-image-1 --quality low \
        --stream --partial-images 2 \
        --rate 1:10s,3:10s,6:10s --warmup 2s --max-in-flight 4 \
        --slo 'p99(service_complete)<3s,errors<1%' "$@"
}
cmd="openai-images loadtest --prompt '...' --model gpt-image-1 --quality low --stream --partial-images 2 --rate 1:10s,3:10s,6:10s --warmup 2s --max-in-flight 4 --slo 'p99(service_complete)<3s,errors<1%' --csv run.csv --plot loadtest.png"
{
    echo "\$ openai-images-emulator --tls --latency-ms 500 --latency-jitter-ms 250 --latency-distribution exponential --partial-interval-ms 150 --max-concurrent-generations 4"
    echo "\$ $cmd"
    run --csv "$work/run.csv" --plot "$OUT/loadtest.png"
} > "$OUT/loadtest.txt"
echo "rows in the CSV: $(($(wc -l < "$work/run.csv") - 1))" >> "$OUT/loadtest.txt"
sed -n '1,200p' "$OUT/loadtest.txt"
