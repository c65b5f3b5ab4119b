// Package metricCollector defines how the outcome of every command execution
// reaches metrics back ends, and holds the default, in-memory collector that
// the circuits use to judge their own health.
//
// Each circuit builds its collectors once, when it is created, by calling
// every initializer in Registry in order. After each execution the circuit
// hands one MetricResult to each of them. The library guarantees that:
//
//   - every execution reaches every collector exactly once, none is dropped;
//   - Update and Reset of one collector are never called concurrently with
//     each other, so a collector needs no locking of its own;
//   - Update runs on the goroutine that finished the execution, before the
//     caller gets its result, so a slow collector slows its command.
//
// Register a collector before the first command runs so that every circuit
// sees it:
//
//	metricCollector.Registry.Register(func(name string) metricCollector.MetricCollector {
//		return newMyCollector(name)
//	})
package metricCollector
