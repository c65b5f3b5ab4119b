package policy

import "time"

// Any returns an Opener that opens a closed circuit when any of openers
// would, such as the error percentage or the slow-call rate, whichever
// comes first.
//
// In words: each closed period asks every opener for a Tripper of its own,
// on the same window. Record tells each of them of every execution, so
// that each counts all of them, and opens when one of them says so. Check
// opens when one of them would. The period's tripper is a Throttle when
// any of theirs is one, and it then lets a call run only when every one
// of those allows it; it is then a ThrottleReporter too, whose probability
// is that of a refusal by any of the members that report one, their draws
// being independent. It adds the counts of the members that are
// CountReporters. It is a SlowCallReporter when one of them is one, and
// it then reports the highest of their shares.
//
// Nil openers, and trippers that an opener does not make (nil), are left
// out. Any of no opener never opens, and Any of one opener is that opener.
// The tripper is safe for concurrent use when its members' trippers are.
// The Opener returned is a pointer: two calls of Any with the same openers
// make two values that are not equal.
func Any(openers ...Opener) Opener {
	a := &anyOf{builtin: true}
	for _, op := range openers {
		if op == nil {
			continue
		}
		a.members = append(a.members, op)
		a.builtin = a.builtin && IsBuiltin(op)
	}
	if len(a.members) == 1 {
		return a.members[0]
	}
	return a
}

type anyOf struct {
	members []Opener
	// builtin says that every member is a built-in.
	builtin bool
}

func (a *anyOf) builtinPolicy() bool { return a.builtin }

// Closed returns the period's Tripper, made of a Tripper of each opener.
func (a *anyOf) Closed(now time.Time, w Window) Tripper {
	p := &anyPeriod{builtin: true}
	for _, op := range a.members {
		tr := op.Closed(now, w)
		if tr == nil {
			continue
		}
		p.trippers = append(p.trippers, tr)
		p.builtin = p.builtin && IsBuiltin(tr)
		if th, ok := tr.(Throttle); ok {
			p.throttles = append(p.throttles, th)
		}
		if rr, ok := tr.(ThrottleReporter); ok {
			p.rejecters = append(p.rejecters, rr)
		}
		if cr, ok := tr.(CountReporter); ok {
			p.counters = append(p.counters, cr)
		}
		if sr, ok := tr.(SlowCallReporter); ok {
			p.slow = append(p.slow, sr)
		}
	}
	for _, tr := range p.trippers {
		f, ok := tr.(FastTripper)
		if !ok {
			p.fast = nil
			break
		}
		p.fast = append(p.fast, f)
	}
	// Only what the members do: a tripper that answered Allow or
	// SlowCallPercent for members that do neither would look like a throttle
	// or a slow-call rule to the engine.
	switch {
	case len(p.throttles) > 0 && len(p.slow) > 0:
		return anyThrottleSlow{p}
	case len(p.throttles) > 0:
		return anyThrottle{p}
	case len(p.slow) > 0:
		return anySlow{p}
	}
	return p
}

type anyPeriod struct {
	trippers  []Tripper
	throttles []Throttle
	rejecters []ThrottleReporter
	counters  []CountReporter
	slow      []SlowCallReporter
	builtin   bool
	// fast holds the members again, as FastTrippers, when every one of
	// them is; otherwise it is nil.
	fast []FastTripper
}

func (p *anyPeriod) builtinPolicy() bool { return p.builtin }

func (p *anyPeriod) Record(r Result) bool {
	open := false
	for _, tr := range p.trippers {
		// Every member counts every execution, even once one has opened.
		if tr.Record(r) {
			open = true
		}
	}
	return open
}

// RecordFast is Record from the outcome, the end and the run's duration.
// Members that cannot record so get a Result with those three set.
func (p *anyPeriod) RecordFast(o Outcome, end int64, d time.Duration) bool {
	if p.fast == nil {
		return p.Record(Result{Outcome: o, End: time.Unix(0, end), Duration: d})
	}
	open := false
	for _, tr := range p.fast {
		if tr.RecordFast(o, end, d) {
			open = true
		}
	}
	return open
}

func (p *anyPeriod) Check(now time.Time) bool {
	for _, tr := range p.trippers {
		if tr.Check(now) {
			return true
		}
	}
	return false
}

func (p *anyPeriod) AddCounts(c *Counts) {
	for _, cr := range p.counters {
		cr.AddCounts(c)
	}
}

func (p *anyPeriod) allow(now time.Time) bool {
	for _, th := range p.throttles {
		if !th.Allow(now) {
			return false
		}
	}
	return true
}

func (p *anyPeriod) rejectProbability(now time.Time) float64 {
	pass := 1.0
	for _, rr := range p.rejecters {
		pass *= 1 - min(max(rr.RejectProbability(now), 0), 1)
	}
	return 1 - pass
}

func (p *anyPeriod) slowCallPercent(now time.Time) float64 {
	var pct float64
	for _, sr := range p.slow {
		pct = max(pct, sr.SlowCallPercent(now))
	}
	return pct
}

type anyThrottle struct{ *anyPeriod }

func (p anyThrottle) Allow(now time.Time) bool { return p.allow(now) }

func (p anyThrottle) RejectProbability(now time.Time) float64 { return p.rejectProbability(now) }

type anySlow struct{ *anyPeriod }

func (p anySlow) SlowCallPercent(now time.Time) float64 { return p.slowCallPercent(now) }

type anyThrottleSlow struct{ *anyPeriod }

func (p anyThrottleSlow) Allow(now time.Time) bool { return p.allow(now) }

func (p anyThrottleSlow) RejectProbability(now time.Time) float64 { return p.rejectProbability(now) }

func (p anyThrottleSlow) SlowCallPercent(now time.Time) float64 { return p.slowCallPercent(now) }

// Same reports whether a and b are the same policy, so that a command
// configured again with what it has keeps the state its policy built up:
// values that are equal with ==, or openers made by Any of the same
// openers in the same order. Values that cannot be compared (those holding
// a func, a slice or a map) are never the same.
func Same(a, b any) (same bool) {
	if x, ok := a.(*anyOf); ok {
		y, ok := b.(*anyOf)
		if !ok || len(x.members) != len(y.members) {
			return false
		}
		for i := range x.members {
			if !Same(x.members[i], y.members[i]) {
				return false
			}
		}
		return true
	}
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}
