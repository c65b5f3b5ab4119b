package policy

// Defaults of the bounds that AIMD and Gradient share.
const (
	DefaultLimitMin     = 1
	DefaultLimitMax     = 1000
	DefaultLimitInitial = 20
)

// limitBounds applies the defaults of the bounds of an adaptive limit: a
// zero or negative Min means DefaultLimitMin, Max DefaultLimitMax and
// Initial DefaultLimitInitial. A Min above Max raises Max to Min, and
// Initial is clamped into [Min, Max].
func limitBounds(lo, hi, initial int) (int64, int64, int64) {
	if lo <= 0 {
		lo = DefaultLimitMin
	}
	if hi <= 0 {
		hi = DefaultLimitMax
	}
	hi = max(hi, lo)
	if initial <= 0 {
		initial = DefaultLimitInitial
	}
	return int64(lo), int64(hi), int64(min(max(initial, lo), hi))
}
