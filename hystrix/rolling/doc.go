// Package rolling keeps statistics over a sliding window of recent time
// without locks on the write path.
//
// A Number sums (or keeps the maximum of) values over the last ten seconds in
// one-second buckets. A Timing keeps a latency distribution over the last
// sixty seconds in six ten-second buckets, each a log-linear histogram of
// bounded size, so its memory does not grow with traffic. The histogram's
// counters are allocated one power of two at a time, when a duration of that
// size is first recorded, and kept for reuse: an unused Timing holds two
// pointers, and one whose durations span 1ms to 100ms about 3.5 KB. Its
// smallest and largest durations are exact, and the percentiles between them
// are interpolated within buckets no wider than 1/16 of their value, so they
// are accurate to a few percent. A Timing can include another, whose
// durations its reads then count as its own: two distributions that mostly
// hold the same durations (an execution's run time and its total time, when
// no fallback ran) keep those once.
//
// Buckets are recycled in place: a write that lands in a bucket left over from
// an earlier lap of the ring clears it first. Writers use atomic operations
// only; a short mutex guards the clearing of a stale bucket, which happens at
// most once per bucket per lap.
//
// The API mirrors afex/hystrix-go's rolling package. Methods whose names end in
// At take the current time as a parameter, so callers that already read the
// clock, and tests that drive their own, need not read it again:
//
//	n := rolling.NewNumber()
//	n.Increment(1)
//	total := n.Sum(time.Now())
package rolling
