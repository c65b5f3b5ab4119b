package hystrix_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

func TestListenersSeeEveryTransitionInOrderWithItsGeneration(t *testing.T) {
	t.Parallel()
	var rec hystrixtest.Recorder
	reg, clk := hystrixtest.NewRegistry(t)
	reg.OnStateChange(rec.Record)
	require.NoError(t, reg.TryConfigureCommand("c", firstFailureOpens()))
	_ = reg.Do("c", fail, nil)
	clk.Add(5 * time.Second)
	_ = reg.Do("c", fail, nil) // the probe fails
	clk.Add(5 * time.Second)
	_ = reg.Do("c", pass, nil)
	changes := rec.Changes()
	want := []struct{ from, to hystrix.State }{
		{hystrix.StateClosed, hystrix.StateOpen},
		{hystrix.StateOpen, hystrix.StateHalfOpen},
		{hystrix.StateHalfOpen, hystrix.StateOpen},
		{hystrix.StateOpen, hystrix.StateHalfOpen},
		{hystrix.StateHalfOpen, hystrix.StateClosed},
	}
	require.Len(t, changes, len(want))
	for i, w := range want {
		assert.Equal(t, "c", changes[i].Command)
		assert.Equal(t, w.from, changes[i].From, "change %d", i)
		assert.Equal(t, w.to, changes[i].To, "change %d", i)
		assert.Equal(t, uint64(i+1), changes[i].Generation)
	}
	assert.WithinDuration(t, hystrixtest.Epoch, changes[0].At, 0)
	assert.WithinDuration(t, hystrixtest.Epoch.Add(5*time.Second), changes[1].At, 0, "half-open exactly at the end of the sleep window")
	assert.Equal(t, int64(1), changes[0].Counts.ConsecutiveFailures, "the counts that opened it")
	assert.Equal(t, int64(1), changes[0].Counts.Failures)
}

func TestListenerMayCallTheLibraryAndItsOwnTransitionsComeAfterIt(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", firstFailureOpens()))
	var order []string
	reg.OnStateChange(func(sc hystrix.StateChange) {
		order = append(order, "enter "+sc.To.String())
		// Everything a listener might do, including a call that makes the
		// next transition of the very circuit it is told about.
		_ = reg.Circuits()
		_ = reg.GetCircuitSettings()
		c, _, _ := reg.GetCircuit(sc.Command)
		_ = c.State()
		if sc.To == hystrix.StateHalfOpen {
			_ = reg.Do(sc.Command, pass, nil) // closes it
		}
		order = append(order, "leave "+sc.To.String())
	})
	within(t, 5*time.Second, "a listener that calls the library", func() {
		_ = reg.Do("c", fail, nil)
		clk.Add(5 * time.Second)
	})
	assert.Equal(t, []string{
		"enter open", "leave open",
		"enter half-open", "leave half-open",
		"enter closed", "leave closed",
	}, order, "one at a time, in the order the transitions happened")
}

func TestListenersAreCalledOneAtATimeAcrossCircuits(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	var inside, overlaps, calls atomic.Int32
	reg.OnStateChange(func(hystrix.StateChange) {
		if inside.Add(1) > 1 {
			overlaps.Add(1)
		}
		time.Sleep(100 * time.Microsecond) // widen the window for overlap
		inside.Add(-1)
		calls.Add(1)
	})
	var wg sync.WaitGroup
	for i := range 20 {
		name := fmt.Sprintf("c%d", i)
		require.NoError(t, reg.TryConfigureCommand(name, firstFailureOpens()))
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = reg.Do(name, fail, nil)
		}()
	}
	wg.Wait()
	assert.Zero(t, overlaps.Load())
	assert.Equal(t, int32(20), calls.Load())
}

func TestPanickingListenerIsReportedAndTheOthersStillRun(t *testing.T) {
	t.Parallel()
	logs := &lines{}
	reg, _ := hystrixtest.NewRegistry(t, hystrix.WithLogger(logs))
	require.NoError(t, reg.TryConfigureCommand("c", firstFailureOpens()))
	var got []hystrix.State
	reg.OnStateChange(func(hystrix.StateChange) { panic("listener bug") })
	reg.OnCommandStateChange("c", func(sc hystrix.StateChange) { got = append(got, sc.To) })
	reg.OnCommandStateChange("other", func(hystrix.StateChange) { t.Error("told of another command") })
	_ = reg.Do("c", fail, nil)
	assert.Equal(t, []hystrix.State{hystrix.StateOpen}, got)
	assert.Contains(t, logs.String(), "listener bug")
}

func TestRemovedListenerIsNotCalled(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", firstFailureOpens()))
	calls := 0
	remove := reg.OnStateChange(func(hystrix.StateChange) { calls++ })
	remove()
	remove()
	_ = reg.Do("c", fail, nil)
	assert.Zero(t, calls)
}

func TestLoggerKeepsHystrixGoLinesForTransitions(t *testing.T) {
	t.Parallel()
	logs := &lines{}
	reg, clk := hystrixtest.NewRegistry(t, hystrix.WithLogger(logs))
	require.NoError(t, reg.TryConfigureCommand("c", firstFailureOpens()))
	_ = reg.Do("c", fail, nil)
	clk.Add(5 * time.Second)
	_ = reg.Do("c", pass, nil)
	assert.Equal(t, "hystrix-go: opening circuit c\n"+
		"hystrix-go: allowing a single probe to possibly close circuit c\n"+
		"hystrix-go: closing circuit c", logs.String())
}
