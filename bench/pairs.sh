#!/usr/bin/env bash
# Paired comparison of the sub-benchmarks of one test binary against one
# of them: every round runs each sub-benchmark once, briefly, one after the
# other on one pinned core, so that the host's slow spells fall on
# neighbours alike; the ratio to the base is taken within each round, and
# the median of the rounds' ratios is reported with its range.
#
#   bench/pairs.sh BINARY PATTERN BASE [ROUNDS] [BENCHTIME]
#   bench/pairs.sh /tmp/hystrix.test '^BenchmarkPolicyPass$' default 15 100ms
set -euo pipefail
bin=$1 pattern=$2 base=$3 rounds=${4:-15} benchtime=${5:-100ms}
cpu=$(($(nproc) - 1))
names=$("$bin" -test.run '^$' -test.bench "$pattern" -test.benchtime 1x 2>/dev/null |
	awk '/^Benchmark/ {sub(/-[0-9]+$/, "", $1); print $1}')
raw=$(mktemp)
for r in $(seq "$rounds"); do
	for n in $names; do
		taskset -c "$cpu" "$bin" -test.run '^$' -test.bench "^${n}\$" -test.benchtime "$benchtime" |
			awk -v r="$r" '/^Benchmark/ {sub(/-[0-9]+$/, "", $1); print r, $1, $3}' >>"$raw"
	done
done
python3 - "$raw" "$base" <<'PY'
import statistics, sys
from collections import defaultdict
raw, base = sys.argv[1], sys.argv[2]
ns = defaultdict(dict)  # name -> round -> ns/op
for line in open(raw):
    r, name, v = line.split()
    ns[name][int(r)] = float(v)
bases = [n for n in ns if n.endswith("/" + base)]
if not bases:
    sys.exit("no sub-benchmark named " + base)
b = ns[bases[0]]
for name in sorted(ns):
    ratios = sorted(v / b[r] for r, v in ns[name].items() if r in b)
    print(f"{name:<44} {statistics.median(ns[name].values()):9.1f} ns  x{statistics.median(ratios):.3f}"
          f"  ({ratios[0]:.3f} .. {ratios[-1]:.3f}, {len(ratios)} rounds)")
PY
rm -f "$raw"
