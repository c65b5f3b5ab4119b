// Package hystrixtest helps test code that uses package hystrix: a manual
// Clock that fires timers as the test moves it, a Registry on such a clock
// that the test cleans up, and a Recorder of state changes.
//
// With them a test drives a circuit through its states at fixed instants,
// with no sleeps, and runs in parallel with other tests:
//
//	func TestOpensAfterFiveFailures(t *testing.T) {
//		t.Parallel()
//		reg, clk := hystrixtest.NewRegistry(t)
//		reg.ConfigureCommand("inventory", hystrix.CommandConfig{
//			Trip: hystrix.TripConfig{ConsecutiveFailures: 5},
//		})
//		for range 6 {
//			_ = reg.Do("inventory", failing, nil)
//		}
//		// ... the circuit is open; move past the sleep window:
//		clk.Add(5 * time.Second)
//	}
package hystrixtest
