#!/usr/bin/env bash
# Paired A/B of the engine at two commits, for a noisy machine.
#
#   ./ab.sh BASE [HEAD]      # commits; HEAD defaults to the working tree
#
# Builds this module's test binary against each engine (a git worktree of
# BASE under a temporary directory) and runs the two at the same time, each
# pinned to a core of its own with GOMAXPROCS=1, swapping the cores every
# round, so that whatever else the host does slows both alike. Writes
# results/ab/base.txt, results/ab/head.txt and results/ab/benchstat.txt.
# Needs taskset (util-linux) and two cores. ROUNDS (12) and BENCH (the
# default paths at one goroutine) override what is run; SEQUENTIAL=1 runs
# the two one after the other on one core instead. OUT (results/ab) is
# where the results go.
set -euo pipefail
cd "$(dirname "$0")"
base=${1:?usage: ab.sh BASE [HEAD]}
head=${2:-}
rounds=${ROUNDS:-12}
out=${OUT:-results/ab}
bench=${BENCH:-'^BenchmarkSuite$/^(pass|fail|open|hystrix-fallback)$/^(ours|ours-caller)$/^g1$'}
benchstat_pkg=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/base" >/dev/null 2>&1 || true; git worktree remove --force "$tmp/head" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT

build() { # commit, name
	git worktree add -q --detach "$tmp/$2" "$1"
	(cd "$tmp/$2/bench" && go test -c -o "$tmp/$2.test" .)
}
build "$base" base
if [ -n "$head" ]; then
	build "$head" head
else
	go test -c -o "$tmp/head.test" .
fi

mkdir -p "$out"
: >"$out/base.txt"
: >"$out/head.txt"
run() { # binary, core, output
	GOMAXPROCS=1 taskset -c "$2" "$1" -test.run '^$' -test.bench "$bench" \
		-test.benchtime 200ms -test.benchmem >>"$3" 2>&1
}
for i in $(seq 1 "$rounds"); do
	if [ -n "${SEQUENTIAL:-}" ]; then
		# One after the other on one core, the first of them swapped every
		# round: slower, but neither build shares the host with the other.
		if [ $((i % 2)) = 0 ]; then
			run "$tmp/base.test" 1 "$out/base.txt"
			run "$tmp/head.test" 1 "$out/head.txt"
		else
			run "$tmp/head.test" 1 "$out/head.txt"
			run "$tmp/base.test" 1 "$out/base.txt"
		fi
		continue
	fi
	if [ $((i % 2)) = 0 ]; then cb=0 ch=1; else cb=1 ch=0; fi
	run "$tmp/base.test" $cb "$out/base.txt" &
	run "$tmp/head.test" $ch "$out/head.txt" &
	wait
done
if command -v benchstat >/dev/null; then
	benchstat "$out/base.txt" "$out/head.txt" >"$out/benchstat.txt"
else
	go run "$benchstat_pkg" "$out/base.txt" "$out/head.txt" >"$out/benchstat.txt"
fi
cat "$out/benchstat.txt"
