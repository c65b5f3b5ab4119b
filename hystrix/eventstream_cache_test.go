package hystrix

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var commandEventName = regexp.MustCompile(`"type":"HystrixCommand","name":"([^"]*)"`)

// roundNames returns the names of the HystrixCommand events of one round,
// rendered with sc as a StreamHandler renders its rounds.
func roundNames(r *Registry, sc *streamScratch) []string {
	var names []string
	for _, m := range commandEventName.FindAllStringSubmatch(string(r.appendRound(nil, r.clock.now(), sc)), -1) {
		names = append(names, m[1])
	}
	return names
}

// firstCommandEvent decodes the first HystrixCommand event of a round
// rendered with sc.
func firstCommandEvent(t *testing.T, r *Registry, sc *streamScratch) map[string]any {
	t.Helper()
	round := string(r.appendRound(nil, r.clock.now(), sc))
	line, _, _ := strings.Cut(strings.TrimPrefix(round, "data:"), "\n")
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(line), &m))
	return m
}

func TestStreamRoundOrderFollowsChangesToTheCircuitSet(t *testing.T) {
	r, _ := newTestRegistry(t)
	var sc streamScratch
	get := func(names ...string) {
		for _, n := range names {
			_, _, err := r.GetCircuit(n)
			require.NoError(t, err)
		}
	}
	get("b", "c")
	assert.Equal(t, []string{"b", "c"}, roundNames(r, &sc))
	assert.Equal(t, []string{"b", "c"}, roundNames(r, &sc), "an unchanged set")
	get("a")
	assert.Equal(t, []string{"a", "b", "c"}, roundNames(r, &sc), "a circuit added")
	r.Flush()
	// As many circuits as before, under other names but one.
	get("z", "b", "y")
	assert.Equal(t, []string{"b", "y", "z"}, roundNames(r, &sc), "a set of the same size")
	r.Flush()
	assert.Empty(t, roundNames(r, &sc), "no circuits")
	get("q")
	assert.Equal(t, []string{"q"}, roundNames(r, &sc))
}

func TestStreamRoundShowsACircuitRemadeUnderTheSameName(t *testing.T) {
	r, clk := newTestRegistry(t)
	var sc streamScratch
	c, _, err := r.GetCircuit("svc")
	require.NoError(t, err)
	require.NoError(t, c.ReportEvent([]string{"failure"}, clk.Now(), time.Millisecond))
	cmd := firstCommandEvent(t, r, &sc)
	assert.Equal(t, 1.0, cmd["rollingCountFailure"])
	r.Flush()
	fresh, _, err := r.GetCircuit("svc")
	require.NoError(t, err)
	require.NotSame(t, c, fresh)
	require.NoError(t, fresh.ReportEvent([]string{"success"}, clk.Now(), time.Millisecond))
	cmd = firstCommandEvent(t, r, &sc)
	assert.Equal(t, 0.0, cmd["rollingCountFailure"], "the dropped circuit's counts")
	assert.Equal(t, 1.0, cmd["rollingCountSuccess"])
}
