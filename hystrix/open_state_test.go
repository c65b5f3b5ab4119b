package hystrix

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRefusalsWhileOpenAreCountedWithTheirFallbacks(t *testing.T) {
	t.Parallel()
	r, clk := newTestRegistry(t)
	name := uniqueName(t)
	c := tripCircuit(t, r, name, 60000)
	at := func() time.Time { return unixTime(r.clock.now()) }
	before := c.Metrics().NumRequests().Sum(at())

	for i := 0; i < 3; i++ {
		assert.Equal(t, ErrCircuitOpen, r.Do(name, succeed, nil))
	}
	require.NoError(t, r.Do(name, succeed, func(error) error { return nil }))
	require.Error(t, r.Do(name, succeed, func(error) error { return errors.New("no cache") }))
	clk.Add(2 * time.Second)

	m := c.Metrics()
	assert.Equal(t, 5.0, m.ShortCircuits().Sum(at()))
	assert.Equal(t, before+5, m.NumRequests().Sum(at()))
	assert.Equal(t, 1.0, m.FallbackSuccesses().Sum(at()))
	assert.Equal(t, 1.0, m.FallbackFailures().Sum(at()))

	cmd, _ := streamEvents(c, r.clock.now())
	assert.Equal(t, uint32(5), cmd.RollingCountShortCircuited, "the stream sees them too")
}

func TestConfigureCommandMovesTheProbeOfAnOpenCircuit(t *testing.T) {
	t.Parallel()
	r, clk := newTestRegistry(t)
	name := uniqueName(t)
	c := tripCircuit(t, r, name, 60000)
	clk.Add(2 * time.Second)
	assert.Equal(t, ErrCircuitOpen, r.Do(name, succeed, nil))

	require.NoError(t, r.TryConfigureCommand(name, CommandConfig{
		RequestVolumeThreshold: 10, SleepWindow: 3000, Isolation: CallerIsolation, Timeout: -1,
	}))
	assert.Equal(t, ErrCircuitOpen, r.Do(name, succeed, nil), "one second of the new window is left")
	clk.Add(1001 * time.Millisecond)
	require.NoError(t, r.Do(name, succeed, nil), "the probe comes with the new window, not the old")
	assert.Equal(t, StateClosed, c.State())

	tripCircuit(t, r, name, 60000)
	clk.Add(time.Second)
	require.NoError(t, r.TryConfigureCommand(name, CommandConfig{
		RequestVolumeThreshold: 10, SleepWindow: 500, Isolation: CallerIsolation, Timeout: -1,
	}))
	require.NoError(t, r.Do(name, succeed, nil), "a window already over makes the probe due at once")
}

func TestUserCollectorsSeeEveryRefusal(t *testing.T) {
	t.Parallel()
	r, _ := newTestRegistry(t)
	name := uniqueName(t)
	var got []float64
	c := tripCircuit(t, r, name, 60000)
	c.collectors = append(c.collectors, &lockedCollector{c: collectorFunc(func(res resultT) {
		got = append(got, res.ShortCircuits+10*res.FallbackSuccesses)
	})})
	_ = r.Do(name, succeed, nil)
	_ = r.Do(name, succeed, func(error) error { return nil })
	assert.Equal(t, []float64{1, 11}, got)
}

func TestFlushDisarmsProbeTimers(t *testing.T) {
	t.Parallel()
	r, clk := newTestRegistry(t)
	tripCircuit(t, r, uniqueName(t), 60000)
	r.Flush()
	clk.mu.Lock()
	defer clk.mu.Unlock()
	for _, ft := range clk.timers {
		assert.True(t, ft.stopped)
	}
}
