package breaker_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/breaker"
	"github.com/gohystrix/hystrix-go/hystrix"
)

func TestNewRefusesBadSettingsNamingTheField(t *testing.T) {
	t.Parallel()
	ok := breaker.Settings{Name: "svc"}
	with := func(f func(*breaker.Settings)) breaker.Settings {
		s := ok
		f(&s)
		return s
	}
	ramp := func(rp breaker.Ramp) breaker.Settings { return with(func(s *breaker.Settings) { s.Ramp = &rp }) }
	for _, tc := range []struct {
		name  string
		s     breaker.Settings
		field string
	}{
		{"empty name", breaker.Settings{}, "Name"},
		{"negative threshold", with(func(s *breaker.Settings) { s.Threshold = -1 }), "Threshold"},
		{"negative retry", with(func(s *breaker.Settings) { s.RetryAfter = -time.Second }), "RetryAfter"},
		{"retry too long", with(func(s *breaker.Settings) { s.RetryAfter = breaker.MaxDuration + 1 }), "RetryAfter"},
		{"negative start rate", ramp(breaker.Ramp{StartPerMinute: -1}), "Ramp.StartPerMinute"},
		{"NaN start rate", ramp(breaker.Ramp{StartPerMinute: math.NaN()}), "Ramp.StartPerMinute"},
		{"infinite start rate", ramp(breaker.Ramp{StartPerMinute: math.Inf(1)}), "Ramp.StartPerMinute"},
		{"negative factor", ramp(breaker.Ramp{Factor: -2}), "Ramp.Factor"},
		{"factor below one", ramp(breaker.Ramp{Factor: 0.5}), "Ramp.Factor"},
		{"NaN factor", ramp(breaker.Ramp{Factor: math.NaN()}), "Ramp.Factor"},
		{"infinite factor", ramp(breaker.Ramp{Factor: math.Inf(1)}), "Ramp.Factor"},
		{"negative stage", ramp(breaker.Ramp{Stage: -time.Second}), "Ramp.Stage"},
		{"stage too long", ramp(breaker.Ramp{Stage: breaker.MaxDuration + 1}), "Ramp.Stage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cb, err := breaker.New(tc.s)
			if cb != nil || err == nil {
				t.Fatalf("New(%+v) = %v, %v; want an error", tc.s, cb, err)
			}
			if !errors.Is(err, breaker.ErrInvalidSettings) {
				t.Errorf("errors.Is(%v, ErrInvalidSettings) = false", err)
			}
			var se *breaker.SettingsError
			if !errors.As(err, &se) || se.Field != tc.field || se.Name != tc.s.Name {
				t.Fatalf("errors.As(%v, *SettingsError) = %+v; want field %s", err, se, tc.field)
			}
			if !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), `"`+tc.s.Name+`"`) {
				t.Errorf("%q does not name the breaker and the field", err)
			}
		})
	}
}

func TestNewAcceptsTheEdgesOfTheRanges(t *testing.T) {
	t.Parallel()
	for name, s := range map[string]breaker.Settings{
		"longest retry":       {Name: "a", RetryAfter: breaker.MaxDuration},
		"shortest retry":      {Name: "a", RetryAfter: time.Nanosecond},
		"factor one":          {Name: "a", Ramp: &breaker.Ramp{Factor: 1}},
		"longest stage":       {Name: "a", Ramp: &breaker.Ramp{Stage: breaker.MaxDuration}},
		"tiny start rate":     {Name: "a", Ramp: &breaker.Ramp{StartPerMinute: 1e-9}},
		"every zero":          {Name: "a", Ramp: &breaker.Ramp{}},
		"system clock":        {Name: "a", Clock: hystrix.SystemClock{}},
		"nil logger and hook": {Name: "a"},
	} {
		if _, err := breaker.New(s); err != nil {
			t.Errorf("%s: New(%+v): %v", name, s, err)
		}
	}
}

// The breaker takes its own copy of Ramp: changing the caller's afterwards
// changes nothing.
func TestNewCopiesTheRamp(t *testing.T) {
	t.Parallel()
	rp := &breaker.Ramp{StartPerMinute: 60}
	cb, clk := newBreaker(t, breaker.Settings{Threshold: 1, RetryAfter: time.Second, Ramp: rp})
	rp.StartPerMinute = 6000
	trip(t, cb, 2)
	clk.Add(time.Second)
	h := clk.Now()
	_ = cb.Run(pass)
	clk.Set(h.Add(100 * time.Millisecond))
	if err := cb.Run(pass); !errors.Is(err, breaker.ErrOpen) {
		t.Fatalf("got %v: the breaker followed a change to the caller's Ramp", err)
	}
}

// A program may set hystrix's Default variables out of range; a breaker
// sets every field it could take from them, so New still works. Not
// parallel: it changes a package variable.
func TestNewIgnoresHystrixDefaultVariables(t *testing.T) {
	old := hystrix.DefaultSleepWindow
	hystrix.DefaultSleepWindow = -1
	t.Cleanup(func() { hystrix.DefaultSleepWindow = old })
	if _, err := breaker.New(breaker.Settings{Name: "a", RetryAfter: time.Microsecond}); err != nil {
		t.Fatal(err)
	}
}
