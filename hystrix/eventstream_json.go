package hystrix

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// The events are written by hand rather than with encoding/json, which
// spends most of a round on reflection and allocates for every event. The
// writers below produce the bytes json.Marshal makes of the event types,
// key for key and escape for escape (eventstream_json_test.go checks them
// against it), so that the dashboards see the same stream.

// appendCmdEvent appends the JSON of a HystrixCommand event.
func appendCmdEvent(b []byte, m *streamCmdMetric) []byte {
	b = append(b, `{"type":`...)
	b = appendJSONString(b, m.Type)
	b = append(b, `,"name":`...)
	b = appendName(b, m.Name, m.quotedName)
	b = append(b, `,"group":`...)
	if m.Group == m.Name {
		b = appendName(b, m.Group, m.quotedName)
	} else {
		b = appendJSONString(b, m.Group)
	}
	b = append(b, `,"currentTime":`...)
	b = strconv.AppendInt(b, m.Time, 10)
	b = appendUintKey(b, `,"reportingHosts":`, m.ReportingHosts)
	b = appendUintKey(b, `,"requestCount":`, m.RequestCount)
	b = appendUintKey(b, `,"errorCount":`, m.ErrorCount)
	b = appendUintKey(b, `,"errorPercentage":`, m.ErrorPct)
	b = appendBoolKey(b, `,"isCircuitBreakerOpen":`, m.CircuitBreakerOpen)
	b = append(b, `,"circuitState":`...)
	b = appendJSONString(b, m.CircuitState)
	if m.AdmittedPerMinute != nil {
		b = append(b, `,"admittedPerMinute":`...)
		b = appendJSONFloat(b, *m.AdmittedPerMinute)
	}
	if m.SlowCallPercentage != nil {
		b = append(b, `,"slowCallPercentage":`...)
		b = appendJSONFloat(b, *m.SlowCallPercentage)
	}
	if m.ThrottlePercentage != nil {
		b = append(b, `,"throttlePercentage":`...)
		b = appendJSONFloat(b, *m.ThrottlePercentage)
	}
	b = appendUintKey(b, `,"rollingCountBadRequests":`, m.RollingCountBadRequests)
	b = appendUintKey(b, `,"rollingCountCollapsedRequests":`, m.RollingCountCollapsedRequests)
	b = appendUintKey(b, `,"rollingCountExceptionsThrown":`, m.RollingCountExceptionsThrown)
	b = appendUintKey(b, `,"rollingCountFailure":`, m.RollingCountFailure)
	b = appendUintKey(b, `,"rollingCountFallbackFailure":`, m.RollingCountFallbackFailure)
	b = appendUintKey(b, `,"rollingCountFallbackRejection":`, m.RollingCountFallbackRejection)
	b = appendUintKey(b, `,"rollingCountFallbackSuccess":`, m.RollingCountFallbackSuccess)
	b = appendUintKey(b, `,"rollingCountResponsesFromCache":`, m.RollingCountResponsesFromCache)
	b = appendUintKey(b, `,"rollingCountSemaphoreRejected":`, m.RollingCountSemaphoreRejected)
	b = appendUintKey(b, `,"rollingCountShortCircuited":`, m.RollingCountShortCircuited)
	b = appendUintKey(b, `,"rollingCountSuccess":`, m.RollingCountSuccess)
	b = appendUintKey(b, `,"rollingCountThreadPoolRejected":`, m.RollingCountThreadPoolRejected)
	b = appendUintKey(b, `,"rollingCountTimeout":`, m.RollingCountTimeout)
	b = appendUintKey(b, `,"currentConcurrentExecutionCount":`, m.CurrentConcurrentExecutionCount)
	b = appendUintKey(b, `,"latencyExecute_mean":`, m.LatencyExecuteMean)
	b = append(b, `,"latencyExecute":`...)
	b = appendLatency(b, &m.LatencyExecute)
	b = appendUintKey(b, `,"latencyTotal_mean":`, m.LatencyTotalMean)
	b = append(b, `,"latencyTotal":`...)
	b = appendLatency(b, &m.LatencyTotal)
	b = appendUintKey(b, `,"propertyValue_circuitBreakerRequestVolumeThreshold":`, m.CircuitBreakerRequestVolumeThreshold)
	b = appendUintKey(b, `,"propertyValue_circuitBreakerSleepWindowInMilliseconds":`, m.CircuitBreakerSleepWindow)
	b = appendUintKey(b, `,"propertyValue_circuitBreakerErrorThresholdPercentage":`, m.CircuitBreakerErrorThresholdPercent)
	if m.CircuitBreakerConsecutiveFailures != nil {
		b = appendUintKey(b, `,"propertyValue_circuitBreakerConsecutiveFailures":`, *m.CircuitBreakerConsecutiveFailures)
	}
	b = appendBoolKey(b, `,"propertyValue_circuitBreakerForceOpen":`, m.CircuitBreakerForceOpen)
	b = appendBoolKey(b, `,"propertyValue_circuitBreakerForceClosed":`, m.CircuitBreakerForceClosed)
	b = appendBoolKey(b, `,"propertyValue_circuitBreakerEnabled":`, m.CircuitBreakerEnabled)
	b = append(b, `,"propertyValue_executionIsolationStrategy":`...)
	b = appendJSONString(b, m.ExecutionIsolationStrategy)
	b = appendUintKey(b, `,"propertyValue_executionIsolationThreadTimeoutInMilliseconds":`, m.ExecutionIsolationThreadTimeout)
	b = appendBoolKey(b, `,"propertyValue_executionIsolationThreadInterruptOnTimeout":`, m.ExecutionIsolationThreadInterruptOnTimeout)
	b = append(b, `,"propertyValue_executionIsolationThreadPoolKeyOverride":`...)
	b = appendJSONString(b, m.ExecutionIsolationThreadPoolKeyOverride)
	b = appendUintKey(b, `,"propertyValue_executionIsolationSemaphoreMaxConcurrentRequests":`, m.ExecutionIsolationSemaphoreMaxConcurrentRequests)
	b = appendUintKey(b, `,"propertyValue_fallbackIsolationSemaphoreMaxConcurrentRequests":`, m.FallbackIsolationSemaphoreMaxConcurrentRequests)
	b = appendUintKey(b, `,"propertyValue_metricsRollingStatisticalWindowInMilliseconds":`, m.RollingStatsWindow)
	b = appendBoolKey(b, `,"propertyValue_requestCacheEnabled":`, m.RequestCacheEnabled)
	b = appendBoolKey(b, `,"propertyValue_requestLogEnabled":`, m.RequestLogEnabled)
	b = appendUintKey(b, `,"rollingStatsWindowFilledInMilliseconds":`, m.RollingStatsWindowFilled)
	return append(b, '}')
}

// appendPoolEvent appends the JSON of a HystrixThreadPool event.
func appendPoolEvent(b []byte, m *streamThreadPoolMetric) []byte {
	b = append(b, `{"type":`...)
	b = appendJSONString(b, m.Type)
	b = append(b, `,"name":`...)
	b = appendName(b, m.Name, m.quotedName)
	b = appendUintKey(b, `,"reportingHosts":`, m.ReportingHosts)
	b = appendUintKey(b, `,"currentActiveCount":`, m.CurrentActiveCount)
	b = appendUintKey(b, `,"currentCompletedTaskCount":`, m.CurrentCompletedTaskCount)
	b = appendUintKey(b, `,"currentCorePoolSize":`, m.CurrentCorePoolSize)
	b = appendUintKey(b, `,"currentLargestPoolSize":`, m.CurrentLargestPoolSize)
	b = appendUintKey(b, `,"currentMaximumPoolSize":`, m.CurrentMaximumPoolSize)
	b = appendUintKey(b, `,"currentPoolSize":`, m.CurrentPoolSize)
	b = appendUintKey(b, `,"currentQueueSize":`, m.CurrentQueueSize)
	b = appendUintKey(b, `,"currentTaskCount":`, m.CurrentTaskCount)
	b = appendUintKey(b, `,"rollingMaxActiveThreads":`, m.RollingMaxActiveThreads)
	b = appendUintKey(b, `,"rollingCountThreadsExecuted":`, m.RollingCountThreadsExecuted)
	b = appendUintKey(b, `,"propertyValue_metricsRollingStatisticalWindowInMilliseconds":`, m.RollingStatsWindow)
	b = appendUintKey(b, `,"propertyValue_queueSizeRejectionThreshold":`, m.QueueSizeRejectionThreshold)
	b = appendUintKey(b, `,"rollingStatsWindowFilledInMilliseconds":`, m.RollingStatsWindowFilled)
	return append(b, '}')
}

func appendLatency(b []byte, l *streamCmdLatency) []byte {
	b = appendUintKey(b, `{"0":`, l.Timing0)
	b = appendUintKey(b, `,"25":`, l.Timing25)
	b = appendUintKey(b, `,"50":`, l.Timing50)
	b = appendUintKey(b, `,"75":`, l.Timing75)
	b = appendUintKey(b, `,"90":`, l.Timing90)
	b = appendUintKey(b, `,"95":`, l.Timing95)
	b = appendUintKey(b, `,"99":`, l.Timing99)
	b = appendUintKey(b, `,"99.5":`, l.Timing995)
	b = appendUintKey(b, `,"100":`, l.Timing100)
	return append(b, '}')
}

// appendUintKey appends key, which carries its comma, colon and quotes,
// and then v.
func appendUintKey(b []byte, key string, v uint32) []byte {
	b = append(b, key...)
	// Most of an event's numbers are counts and milliseconds below a
	// hundred; writing them here spares strconv's general path.
	switch {
	case v < 10:
		return append(b, byte('0'+v))
	case v < 100:
		return append(b, byte('0'+v/10), byte('0'+v%10))
	}
	return strconv.AppendUint(b, uint64(v), 10)
}

func appendBoolKey(b []byte, key string, v bool) []byte {
	return strconv.AppendBool(append(b, key...), v)
}

// appendJSONFloat writes f as encoding/json does: the shortest form that
// reads back as f, in positional notation except for magnitudes below
// 1e-6 or from 1e21 up, whose exponent has no leading zero. f is finite.
func appendJSONFloat(b []byte, f float64) []byte {
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// strconv writes e-07 where encoding/json writes e-7.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendJSONString writes s as a quoted JSON string the way encoding/json
// does by default: quote, backslash and the control characters escaped,
// with the short forms where JSON has them; <, > and & escaped for HTML;
// U+2028 and U+2029 escaped for JavaScript; invalid UTF-8 replaced by
// U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0 // s[start:i] is yet to be copied as it is
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonPlain(c) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendName appends name as a JSON string: quoted, if it is set, is that
// string already made.
func appendName(b []byte, name string, quoted []byte) []byte {
	if quoted != nil {
		return append(b, quoted...)
	}
	return appendJSONString(b, name)
}

// jsonPlain reports whether the ASCII byte c stands for itself in a JSON
// string that is safe to embed in HTML.
func jsonPlain(c byte) bool { return jsonPlainBytes[c] }

// jsonPlainBytes is jsonPlain for every byte: one load per byte of a
// string rather than six compares.
var jsonPlainBytes = func() (t [256]bool) {
	for c := range utf8.RuneSelf {
		t[c] = c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()
