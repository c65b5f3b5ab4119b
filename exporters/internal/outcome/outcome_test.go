package outcome

import (
	"testing"
	"time"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

func TestCounts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		r        metricCollector.MetricResult
		outcome  string // "" for none
		fallback string // "" for none
		ran      bool
	}{
		{"success", metricCollector.MetricResult{Attempts: 1, Successes: 1, RunDuration: time.Millisecond}, Success, "", true},
		{"failure", metricCollector.MetricResult{Attempts: 1, Errors: 1, Failures: 1, FallbackSuccesses: 1}, Failure, FallbackSuccess, true},
		{"rejected", metricCollector.MetricResult{Attempts: 1, Errors: 1, Rejects: 1, FallbackFailures: 1}, Rejected, FallbackFailure, false},
		{"short circuit", metricCollector.MetricResult{Attempts: 1, Errors: 1, ShortCircuits: 1}, ShortCircuit, "", false},
		{"timeout", metricCollector.MetricResult{Attempts: 1, Errors: 1, Timeouts: 1}, Timeout, "", true},
		{"context canceled", metricCollector.MetricResult{Attempts: 1, ContextCanceled: 1}, ContextCanceled, "", false},
		{"context canceled while running", metricCollector.MetricResult{Attempts: 1, ContextCanceled: 1, RunDuration: time.Millisecond}, ContextCanceled, "", true},
		{"deadline exceeded", metricCollector.MetricResult{Attempts: 1, ContextDeadlineExceeded: 1}, ContextDeadlineExceeded, "", false},
		{"bad request", metricCollector.MetricResult{Attempts: 1, BadRequests: 1, RunDuration: time.Millisecond}, BadRequest, "", true},
		// A run quicker than the clock's resolution still ran.
		{"instant bad request", metricCollector.MetricResult{Attempts: 1, BadRequests: 1}, BadRequest, "", true},
		{"nothing", metricCollector.MetricResult{}, "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			counts := Counts(tc.r)
			for i, n := range Names {
				want := 0.0
				if n == tc.outcome {
					want = 1
				}
				if counts[i] != want {
					t.Errorf("%s: %v, want %v", n, counts[i], want)
				}
			}
			fallbacks := FallbackCounts(tc.r)
			for i, n := range FallbackNames {
				want := 0.0
				if n == tc.fallback {
					want = 1
				}
				if fallbacks[i] != want {
					t.Errorf("fallback %s: %v, want %v", n, fallbacks[i], want)
				}
			}
			if got := RunRan(tc.r); got != tc.ran {
				t.Errorf("RunRan %v, want %v", got, tc.ran)
			}
		})
	}
}

func TestNames(t *testing.T) {
	want := [Count]string{"success", "failure", "rejected", "short_circuit", "timeout",
		"context_canceled", "context_deadline_exceeded", "bad_request"}
	if Names != want {
		t.Errorf("Names %q, want %q", Names, want)
	}
	if FallbackNames != [FallbackCount]string{"success", "failure"} {
		t.Errorf("FallbackNames %q", FallbackNames)
	}
}
