package faultinject

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestDownstreamModes checks the downstream itself, so that a failure of the
// fault tests is the library's and not the harness's.
func TestDownstreamModes(t *testing.T) {
	const (
		flapPeriod = 150 * time.Millisecond
		slowMedian = 40 * time.Millisecond
	)
	ds := newDownstream(t, Options{FlapPeriod: flapPeriod, SlowMedian: slowMedian})
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr}
	get := func(ctx context.Context) error { return fetch(ctx, client, ds.URL()) }

	t.Run("healthy", func(t *testing.T) {
		ds.SetMode(Healthy)
		for i := 0; i < 5; i++ {
			if err := get(context.Background()); err != nil {
				t.Fatalf("healthy: %v", err)
			}
		}
	})

	t.Run("flapping", func(t *testing.T) {
		ds.SetMode(Flapping)
		failed := 0
		const n = 20
		for i := 0; i < n; i++ {
			if err := get(context.Background()); err != nil {
				if !strings.Contains(err.Error(), "status 500") {
					t.Fatalf("flapping failed with %v, want a 500", err)
				}
				failed++
			}
		}
		if time.Now().After(ds.HealsAt()) {
			t.Skip("the machine is too slow for the flapping period of this test")
		}
		if failed != n/2 {
			t.Errorf("flapping: %d of %d requests failed, want half", failed, n)
		}
		time.Sleep(time.Until(ds.HealsAt()))
		for i := 0; i < 5; i++ {
			if err := get(context.Background()); err != nil {
				t.Fatalf("after the flapping period: %v", err)
			}
		}
	})

	t.Run("slow", func(t *testing.T) {
		ds.SetMode(Slow)
		var (
			mu    sync.Mutex
			took  []time.Duration
			wg    sync.WaitGroup
			start = time.Now()
		)
		for i := 0; i < len(slowFactors); i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := get(context.Background()); err != nil {
					t.Errorf("slow: %v", err)
				}
				mu.Lock()
				took = append(took, time.Since(start))
				mu.Unlock()
			}()
		}
		wg.Wait()
		sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
		if med := took[len(took)/2]; med < slowMedian || med > 3*slowMedian {
			t.Errorf("slow: median latency %v, want about %v (all: %v)", med, slowMedian, took)
		}
		ctx, cancel := context.WithTimeout(context.Background(), slowMedian/4)
		defer cancel()
		for i := 0; i < len(slowFactors); i++ {
			_ = get(ctx) // the server's handlers end with the requests
		}
		waitFor(t, "slow handlers ending with their requests", time.Second, func() bool { return ds.InFlight() == 0 })
	})

	t.Run("hung", func(t *testing.T) {
		ds.SetMode(Hung)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		start := time.Now()
		if err := get(ctx); err == nil {
			t.Fatal("hung: the request succeeded")
		}
		if took := time.Since(start); took < 30*time.Millisecond {
			t.Errorf("hung: the request ended after %v, before its deadline", took)
		}
		waitFor(t, "the hung handler ending with its request", time.Second, func() bool { return ds.InFlight() == 0 })
	})

	t.Run("refused", func(t *testing.T) {
		ds.SetMode(Refused)
		before := ds.Requests()
		err := get(context.Background())
		if err == nil || !strings.Contains(err.Error(), "refused") {
			t.Errorf("refused: got %v, want connection refused", err)
		}
		if ds.Requests() != before {
			t.Errorf("refused: the request reached the server")
		}
	})

	t.Run("reset", func(t *testing.T) {
		ds.SetMode(Reset)
		for i := 0; i < 5; i++ {
			err := get(context.Background())
			if err == nil {
				t.Fatal("reset: the request succeeded")
			}
			if s := err.Error(); !strings.Contains(s, "reset") && !strings.Contains(s, "EOF") {
				t.Errorf("reset: got %v, want a reset or an unexpected EOF", err)
			}
		}
	})
	ds.SetMode(Healthy)
}
