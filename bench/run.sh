#!/usr/bin/env bash
# Runs the whole benchmark suite and writes, under results/:
#   raw.txt        the go test output, every sample
#   benchstat.txt  benchstat's summary of raw.txt
#   chart.svg      ns/op of the per-call scenarios, libraries side by side
#   memory.svg     B/circuit of the memory scenarios
#   consecutive.svg ns/op of the consecutive-failures comparison
#   typed.svg      ns/op of the typed calls (BenchmarkTyped)
#   slowcall.svg, throttle.svg, probes.svg, limit.svg
#                  ns/op of the policy comparisons
#   procs.svg      ns/op of our hot paths at GOMAXPROCS 1, 2 and every core
#   overload-goodput.svg, overload-p99.svg
#                  goodput and p99 of the overload scenario
#
# About 25 minutes on 2 cores. Run it on a quiet machine: anything else
# running shows in the numbers.
#
#   COUNT=10 BENCHTIME=300ms ./run.sh
set -euo pipefail
cd "$(dirname "$0")"

# Importing go-zero runs automaxprocs, which would lower GOMAXPROCS to a
# container's CPU quota; an explicit GOMAXPROCS keeps the choice ours.
export GOMAXPROCS=${GOMAXPROCS:-$(nproc)}
count=${COUNT:-10}
benchtime=${BENCHTIME:-300ms}
benchstat_pkg=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
mkdir -p results

echo "GOMAXPROCS $GOMAXPROCS, count $count, benchtime $benchtime" >&2
{
	# Every per-call scenario and the stream tick, count samples each.
	go test -run '^$' -timeout 60m -count "$count" -benchtime "$benchtime" \
		-bench '^BenchmarkSuite$/^(pass|fail|hystrix-pass|hystrix-fallback|open|circuits10k|stream)$' .
	# The memory scenarios measure one fresh circuit per iteration: one
	# iteration a sample is enough, and 1M calls through afex take seconds.
	go test -run '^$' -timeout 60m -count "$count" -benchtime 1x \
		-bench '^BenchmarkSuite$/^memory$' .
	# The consecutive-failures rule side by side, the breaker package's
	# calls beside the engine call they make, and the typed calls.
	go test -run '^$' -timeout 60m -count "$count" -benchtime "$benchtime" \
		-bench '^Benchmark(Consecutive|Breaker|Typed)$' .
	# The policy comparisons: slow-call rate, adaptive throttling, several
	# probes, adaptive concurrency limits.
	go test -run '^$' -timeout 60m -count "$count" -benchtime "$benchtime" \
		-bench '^Benchmark(SlowCall|Throttle|Probes|Limit)$' .
	# Our hot paths at GOMAXPROCS 1, 2 and every core: contention.
	go test -run '^$' -timeout 60m -count "$count" -benchtime "$benchtime" \
		-bench '^BenchmarkProcs$' .
	# The overload scenario: each sample is one run of five seconds.
	go test -run '^$' -timeout 60m -count "${OVERLOAD_COUNT:-5}" -benchtime 1x \
		-bench '^BenchmarkOverload$' .
} | tee results/raw.txt

if command -v benchstat >/dev/null; then
	benchstat results/raw.txt >results/benchstat.txt
else
	go run "$benchstat_pkg" results/raw.txt >results/benchstat.txt
fi
go run ./cmd/benchchart -include '^Suite/' -exclude '/(stream|memory)/' \
	-title "hystrix-go and its peers: one call (GOMAXPROCS $GOMAXPROCS)" \
	-o results/chart.svg results/raw.txt
go run ./cmd/benchchart -metric B/circuit -include '/memory/' \
	-title "Heap held by one circuit after 10k and 1M calls" \
	-o results/memory.svg results/raw.txt
go run ./cmd/benchchart -include '^Consecutive/' \
	-title "More than 5 failures in a row: one call (GOMAXPROCS $GOMAXPROCS)" \
	-o results/consecutive.svg results/raw.txt
go run ./cmd/benchchart -include '^Typed/' \
	-title "Calls that return a value: one call (GOMAXPROCS $GOMAXPROCS)" \
	-o results/typed.svg results/raw.txt
for p in SlowCall Throttle Probes Limit; do
	lower=$(echo "$p" | tr '[:upper:]' '[:lower:]')
	go run ./cmd/benchchart -include "^$p/" \
		-title "Policy comparison, $lower: one call (GOMAXPROCS $GOMAXPROCS)" \
		-o "results/$lower.svg" results/raw.txt
done
go run ./cmd/benchchart -include '^Procs/' \
	-title "Our hot paths at GOMAXPROCS 1, 2 and every core (b.RunParallel)" \
	-o results/procs.svg results/raw.txt
go run ./cmd/benchchart -metric goodput/s -linear -higher -include '^Overload/' \
	-title "Overload: calls that succeeded per second (higher is better)" \
	-o results/overload-goodput.svg results/raw.txt
go run ./cmd/benchchart -metric p99-ms -linear -include '^Overload/' \
	-title "Overload: p99 of the calls that succeeded, ms (lower is better)" \
	-o results/overload-p99.svg results/raw.txt
echo "wrote results/raw.txt, results/benchstat.txt and the charts in results/" >&2
