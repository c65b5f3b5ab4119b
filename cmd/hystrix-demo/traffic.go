package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// tally counts what happened to one command's calls, as its callers saw
// them. hystrix's own metrics are rolling and cleared when a circuit closes;
// these cover the whole run, for the summary.
type tally struct {
	calls         atomic.Int64
	successes     atomic.Int64
	failures      atomic.Int64 // the downstream answered with an error
	timeouts      atomic.Int64
	shortCircuits atomic.Int64
	rejected      atomic.Int64 // over MaxConcurrentRequests
	fallbacks     atomic.Int64
}

// record files one finished call. cause is what the fallback was given, nil
// if it did not run.
func (t *tally) record(cause error) {
	t.calls.Add(1)
	if cause == nil {
		t.successes.Add(1)
		return
	}
	t.fallbacks.Add(1)
	switch {
	case errors.Is(cause, hystrix.ErrTimeout):
		t.timeouts.Add(1)
	case errors.Is(cause, hystrix.ErrCircuitOpen):
		t.shortCircuits.Add(1)
	case errors.Is(cause, hystrix.ErrMaxConcurrency):
		t.rejected.Add(1)
	default:
		t.failures.Add(1)
	}
}

// traffic sends calls through the commands at a bounded rate from a bounded
// number of workers.
type traffic struct {
	cmds    []*command
	tallies map[string]*tally
	// phases counts the same calls by the downstream's phase when each
	// started.
	phases  [numPhases]tally
	sched   schedule
	client  *http.Client
	baseURL string
	// skipped counts calls that were due while every worker was busy.
	skipped atomic.Int64
	wg      sync.WaitGroup
}

func newTraffic(cmds []*command, client *http.Client, baseURL string, sched schedule) *traffic {
	t := &traffic{
		cmds:    cmds,
		sched:   sched,
		tallies: make(map[string]*tally, len(cmds)),
		client:  client,
		baseURL: baseURL,
	}
	for _, c := range cmds {
		t.tallies[c.name] = new(tally)
	}
	return t
}

// start begins sending until ctx ends; wait returns once it has stopped.
func (t *traffic) start(ctx context.Context, workers, rps int) {
	// An unbuffered channel hands a call only to an idle worker, so a
	// downstream that slows down cannot pile up a backlog of stale calls.
	jobs := make(chan *command)
	t.wg.Add(1 + workers)
	go t.pace(ctx, jobs, rps)
	// Calls in flight when the demo ends are left to finish, within their
	// command's timeout, rather than cancelled: a cancelled call says
	// nothing about the downstream and would only muddle the summary.
	callCtx := context.WithoutCancel(ctx)
	for range workers {
		go func() {
			defer t.wg.Done()
			for c := range jobs {
				t.call(callCtx, c)
			}
		}()
	}
}

// pace offers one call per tick to the workers, taking the commands in
// turn, and closes jobs when ctx ends.
func (t *traffic) pace(ctx context.Context, jobs chan<- *command, rps int) {
	defer t.wg.Done()
	defer close(jobs)
	tick := time.NewTicker(time.Second / time.Duration(rps))
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		select {
		case jobs <- t.cmds[i%len(t.cmds)]:
		default:
			t.skipped.Add(1)
		}
	}
}

// wait returns once the workers have stopped and every run that hystrix
// abandoned at its timeout has returned too, so that nothing is left
// talking to the downstream when it shuts down. It gives up after limit.
func (t *traffic) wait(limit time.Duration) error {
	t.wg.Wait()
	deadline := time.Now().Add(limit)
	for {
		busy := 0
		for _, c := range t.cmds {
			circuit, _, _ := hystrix.GetCircuit(c.name)
			busy += circuit.ActiveCount()
		}
		if busy == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d calls still running %v after the demo ended", busy, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// call makes one call through hystrix. The fallback always succeeds, as a
// real one serving a cached or default answer would, so callers never see
// an error; what went wrong is only counted.
func (t *traffic) call(ctx context.Context, c *command) {
	var cause error
	ph, _ := t.sched.at(time.Now())
	url := t.baseURL + c.path
	// DoC runs the fallback on this goroutine, so cause needs no lock.
	_ = hystrix.DoC(ctx, c.name, func(ctx context.Context) error {
		return t.get(ctx, url)
	}, func(_ context.Context, err error) error {
		cause = err
		return nil
	})
	t.tallies[c.name].record(cause)
	t.phases[ph].record(cause)
}

// get fetches url; ctx carries the command's timeout, so the request is
// abandoned when hystrix stops waiting for it.
func (t *traffic) get(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// Reading the body to the end lets the connection be reused.
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}
