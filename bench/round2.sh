#!/usr/bin/env bash
# The measurements of the second performance round (BENCHMARKS.md,
# "Performance round two"), in results/round2/:
#   suite.txt     the per-call scenarios and the memory rows, ours beside
#                 afex/hystrix-go and gobreaker (the ratios the targets name)
#   engine.txt    the engine's own benchmarks: open rejection on every core,
#                 a passing call under every policy, the stream round
#   procs.txt     the hot paths at GOMAXPROCS 1, 2 and every core
#   pairs.txt     each policy's passing call against the default, and
#                 10,000 circuits against one, paired round by round
#                 (pairs.sh) on one pinned core
#   benchstat.txt benchstat of the three
#   procs.svg, policies.svg, suite.svg
#
# About 12 minutes on 2 cores; run it on a quiet machine.
#
#   COUNT=10 BENCHTIME=300ms ./round2.sh
set -euo pipefail
cd "$(dirname "$0")"

export GOMAXPROCS=${GOMAXPROCS:-$(nproc)}
count=${COUNT:-10}
benchtime=${BENCHTIME:-300ms}
benchstat_pkg=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
out=results/round2
mkdir -p "$out"

echo "GOMAXPROCS $GOMAXPROCS, count $count, benchtime $benchtime" >&2
{
	go test -run '^$' -timeout 60m -count "$count" -benchtime "$benchtime" \
		-bench '^BenchmarkSuite$/^(pass|fail|hystrix-pass|hystrix-fallback|open|circuits10k)$/^(ours|ours-caller|afex|gobreaker)$' .
	go test -run '^$' -timeout 60m -count "$count" -benchtime 1x \
		-bench '^BenchmarkSuite$/^memory$' .
} | tee "$out/suite.txt"
# The engine's benchmarks run from the root module.
# (-bench splits its pattern at slashes, so Do/open is a run of its own.)
(cd .. && {
	go test -run '^$' -timeout 60m -count "$count" -benchtime "$benchtime" \
		-bench '^BenchmarkDo$/^open$' ./hystrix
	go test -run '^$' -timeout 60m -count "$count" -benchtime "$benchtime" \
		-bench '^Benchmark(PolicyPass|StreamRound|Circuits)' ./hystrix
}) | tee "$out/engine.txt"
(cd .. && go test -c -o "$OLDPWD/$out/hystrix.test" ./hystrix)
{
	echo "# a passing call under each policy against the default"
	./pairs.sh "$out/hystrix.test" '^BenchmarkPolicyPass$' default 15 100ms
	for iso in caller goroutine; do
		for reg in default own; do
			echo "# 10,000 circuits against one: $iso isolation, $reg registry"
			./pairs.sh "$out/hystrix.test" "^BenchmarkCircuits\$/^$iso\$/^$reg\$" 1 9 300ms
		done
	done
} | tee "$out/pairs.txt"
rm -f "$out/hystrix.test"
go test -run '^$' -timeout 60m -count "$count" -benchtime "$benchtime" \
	-bench '^BenchmarkProcs$' . | tee "$out/procs.txt"

bs() { if command -v benchstat >/dev/null; then benchstat "$@"; else go run "$benchstat_pkg" "$@"; fi; }
{
	bs "$out/suite.txt"
	bs "$out/engine.txt"
	bs "$out/procs.txt"
} >"$out/benchstat.txt"
go run ./cmd/benchchart -include '^Procs/' \
	-title "Our hot paths at GOMAXPROCS 1, 2 and every core (b.RunParallel)" \
	-o "$out/procs.svg" "$out/procs.txt"
go run ./cmd/benchchart -include '^PolicyPass/' \
	-title "A passing call under each policy (caller isolation, one goroutine)" \
	-o "$out/policies.svg" "$out/engine.txt"
go run ./cmd/benchchart -include '^Suite/' -exclude '/memory/' \
	-title "Ours, afex/hystrix-go and gobreaker: one call (GOMAXPROCS $GOMAXPROCS)" \
	-o "$out/suite.svg" "$out/suite.txt"
