package rolling

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

var t0 = time.Unix(1_800_000_000, 0)

func TestNumberSumsTheLastTenSeconds(t *testing.T) {
	n := NewNumber()
	for i := 0; i < 15; i++ {
		n.IncrementAt(t0.Add(time.Duration(i)*time.Second), 1)
	}
	at := t0.Add(14 * time.Second)
	assert.Equal(t, 10.0, n.Sum(at), "seconds 5 to 14")
	assert.Equal(t, 1.0, n.Avg(at))
	assert.Equal(t, 0.0, n.Sum(at.Add(10*time.Second)), "all aged out")
}

func TestNumberIgnoresZeroAndCountsFractions(t *testing.T) {
	n := NewNumber()
	n.IncrementAt(t0, 0)
	n.IncrementAt(t0, 0.25)
	n.IncrementAt(t0, 0.5)
	assert.Equal(t, 0.75, n.Sum(t0))
}

func TestNumberRecyclesStaleBuckets(t *testing.T) {
	n := NewNumber()
	n.IncrementAt(t0, 5)
	// Same ring slot, one lap later: the old value must not leak in.
	n.IncrementAt(t0.Add(10*time.Second), 1)
	assert.Equal(t, 1.0, n.Sum(t0.Add(10*time.Second)))
}

func TestNumberMaxOverTheWindow(t *testing.T) {
	n := NewNumber()
	n.UpdateMaxAt(t0, 3)
	n.UpdateMaxAt(t0, 2)
	n.UpdateMaxAt(t0.Add(time.Second), 7)
	assert.Equal(t, 7.0, n.Max(t0.Add(time.Second)))
	assert.Equal(t, 7.0, n.Max(t0.Add(10*time.Second)))
	assert.Equal(t, 0.0, n.Max(t0.Add(11*time.Second)))
}

func TestNumberReset(t *testing.T) {
	n := NewNumber()
	n.IncrementAt(t0, 4)
	n.Reset()
	assert.Equal(t, 0.0, n.Sum(t0))
}

func TestNumberLosesNothingUnderConcurrentIncrements(t *testing.T) {
	var n Number
	const workers, each = 16, 2000
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				// Spread over two seconds so that bucket turnover races
				// with increments.
				n.IncrementAt(t0.Add(time.Duration(i%2)*time.Second), 1)
			}
		}(w)
	}
	wg.Wait()
	assert.Equal(t, float64(workers*each), n.Sum(t0.Add(time.Second)))
}

func TestNumberWithTheRealClock(t *testing.T) {
	n := NewNumber()
	n.Increment(2)
	n.UpdateMax(1)
	assert.GreaterOrEqual(t, n.Sum(time.Now()), 2.0)
}

// Whole and fractional additions and maxima on one bucket add up, and a
// bucket reused for a later second starts from zero.
func TestNumberMixesAdditionsAndMaxima(t *testing.T) {
	var r Number
	sec := t0.Unix()
	for range 3 {
		r.AddUnix(sec, 1)
	}
	r.AddUnix(sec, 0.5)
	assert.Equal(t, 3.5, r.SumUnix(sec))
	r.UpdateMaxUnix(sec, 3)
	assert.Equal(t, 3.5, r.MaxUnix(sec), "3 is below the bucket's value")
	r.UpdateMaxUnix(sec, 10)
	assert.Equal(t, 10.0, r.MaxUnix(sec))
	r.AddUnix(sec, 1)
	assert.Equal(t, 11.0, r.SumUnix(sec))

	later := sec + numberBuckets // the same slot, ten seconds on
	r.AddUnix(later, 1)
	assert.Equal(t, 1.0, r.SumUnix(later), "the slot's value of ten seconds ago is gone")
	r.Reset()
	assert.Zero(t, r.SumUnix(later))
	r.AddUnix(later, 1)
	assert.Equal(t, 1.0, r.SumUnix(later))
}
