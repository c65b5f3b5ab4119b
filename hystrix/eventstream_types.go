package hystrix

// streamCmdMetric is the dashboard's HystrixCommand event; the keys are
// those Netflix Hystrix and hystrix-go send. The stream writes these types
// by hand (eventstream_json.go) in the order and form json.Marshal gives
// their tags, which remain the reference: a key added here must be added
// there too, and TestStreamEventWritersMatchEncodingJSON fails until it is.
type streamCmdMetric struct {
	Type string `json:"type"`
	Name string `json:"name"`
	// quotedName, when set, is Name as a JSON string, made once for the
	// three times an event pair writes it.
	quotedName     []byte
	Group          string `json:"group"`
	Time           int64  `json:"currentTime"`
	ReportingHosts uint32 `json:"reportingHosts"`

	RequestCount       uint32 `json:"requestCount"`
	ErrorCount         uint32 `json:"errorCount"`
	ErrorPct           uint32 `json:"errorPercentage"`
	CircuitBreakerOpen bool   `json:"isCircuitBreakerOpen"`
	// CircuitState tells half-open from open, which isCircuitBreakerOpen
	// cannot; dashboards that do not know the key ignore it.
	CircuitState string `json:"circuitState"`
	// AdmittedPerMinute is the rate at which a half-open circuit on the
	// ramp-up recovery admits executions; absent otherwise.
	AdmittedPerMinute *float64 `json:"admittedPerMinute,omitempty"`
	// SlowCallPercentage is the share of slow calls in the window of a
	// closed circuit on the slow-call rate; absent otherwise.
	SlowCallPercentage *float64 `json:"slowCallPercentage,omitempty"`
	// ThrottlePercentage is the share of calls that a circuit on adaptive
	// throttling refuses now; absent otherwise.
	ThrottlePercentage *float64 `json:"throttlePercentage,omitempty"`

	RollingCountBadRequests        uint32 `json:"rollingCountBadRequests"`
	RollingCountCollapsedRequests  uint32 `json:"rollingCountCollapsedRequests"`
	RollingCountExceptionsThrown   uint32 `json:"rollingCountExceptionsThrown"`
	RollingCountFailure            uint32 `json:"rollingCountFailure"`
	RollingCountFallbackFailure    uint32 `json:"rollingCountFallbackFailure"`
	RollingCountFallbackRejection  uint32 `json:"rollingCountFallbackRejection"`
	RollingCountFallbackSuccess    uint32 `json:"rollingCountFallbackSuccess"`
	RollingCountResponsesFromCache uint32 `json:"rollingCountResponsesFromCache"`
	RollingCountSemaphoreRejected  uint32 `json:"rollingCountSemaphoreRejected"`
	RollingCountShortCircuited     uint32 `json:"rollingCountShortCircuited"`
	RollingCountSuccess            uint32 `json:"rollingCountSuccess"`
	RollingCountThreadPoolRejected uint32 `json:"rollingCountThreadPoolRejected"`
	RollingCountTimeout            uint32 `json:"rollingCountTimeout"`

	CurrentConcurrentExecutionCount uint32 `json:"currentConcurrentExecutionCount"`

	LatencyExecuteMean uint32           `json:"latencyExecute_mean"`
	LatencyExecute     streamCmdLatency `json:"latencyExecute"`
	LatencyTotalMean   uint32           `json:"latencyTotal_mean"`
	LatencyTotal       streamCmdLatency `json:"latencyTotal"`

	CircuitBreakerRequestVolumeThreshold uint32 `json:"propertyValue_circuitBreakerRequestVolumeThreshold"`
	CircuitBreakerSleepWindow            uint32 `json:"propertyValue_circuitBreakerSleepWindowInMilliseconds"`
	CircuitBreakerErrorThresholdPercent  uint32 `json:"propertyValue_circuitBreakerErrorThresholdPercentage"`
	// CircuitBreakerConsecutiveFailures is how many failures in a row a
	// circuit on that rule tolerates (the next one opens it); absent for
	// the others.
	CircuitBreakerConsecutiveFailures                *uint32 `json:"propertyValue_circuitBreakerConsecutiveFailures,omitempty"`
	CircuitBreakerForceOpen                          bool    `json:"propertyValue_circuitBreakerForceOpen"`
	CircuitBreakerForceClosed                        bool    `json:"propertyValue_circuitBreakerForceClosed"`
	CircuitBreakerEnabled                            bool    `json:"propertyValue_circuitBreakerEnabled"`
	ExecutionIsolationStrategy                       string  `json:"propertyValue_executionIsolationStrategy"`
	ExecutionIsolationThreadTimeout                  uint32  `json:"propertyValue_executionIsolationThreadTimeoutInMilliseconds"`
	ExecutionIsolationThreadInterruptOnTimeout       bool    `json:"propertyValue_executionIsolationThreadInterruptOnTimeout"`
	ExecutionIsolationThreadPoolKeyOverride          string  `json:"propertyValue_executionIsolationThreadPoolKeyOverride"`
	ExecutionIsolationSemaphoreMaxConcurrentRequests uint32  `json:"propertyValue_executionIsolationSemaphoreMaxConcurrentRequests"`
	FallbackIsolationSemaphoreMaxConcurrentRequests  uint32  `json:"propertyValue_fallbackIsolationSemaphoreMaxConcurrentRequests"`
	RollingStatsWindow                               uint32  `json:"propertyValue_metricsRollingStatisticalWindowInMilliseconds"`
	RequestCacheEnabled                              bool    `json:"propertyValue_requestCacheEnabled"`
	RequestLogEnabled                                bool    `json:"propertyValue_requestLogEnabled"`
	// RollingStatsWindowFilled is how many milliseconds the rolling counts
	// cover: less than the window while it fills, after the circuit was
	// made or its window cleared on closing. Dividing a count by it gives
	// the true rate; dashboards that do not know the key divide by the
	// whole window and read low meanwhile.
	RollingStatsWindowFilled uint32 `json:"rollingStatsWindowFilledInMilliseconds"`
}

// streamThreadPoolMetric is the dashboard's HystrixThreadPool event.
type streamThreadPoolMetric struct {
	Type string `json:"type"`
	Name string `json:"name"`
	// quotedName is as streamCmdMetric's.
	quotedName     []byte
	ReportingHosts uint32 `json:"reportingHosts"`

	CurrentActiveCount        uint32 `json:"currentActiveCount"`
	CurrentCompletedTaskCount uint32 `json:"currentCompletedTaskCount"`
	CurrentCorePoolSize       uint32 `json:"currentCorePoolSize"`
	CurrentLargestPoolSize    uint32 `json:"currentLargestPoolSize"`
	CurrentMaximumPoolSize    uint32 `json:"currentMaximumPoolSize"`
	CurrentPoolSize           uint32 `json:"currentPoolSize"`
	CurrentQueueSize          uint32 `json:"currentQueueSize"`
	CurrentTaskCount          uint32 `json:"currentTaskCount"`

	RollingMaxActiveThreads     uint32 `json:"rollingMaxActiveThreads"`
	RollingCountThreadsExecuted uint32 `json:"rollingCountThreadsExecuted"`

	RollingStatsWindow          uint32 `json:"propertyValue_metricsRollingStatisticalWindowInMilliseconds"`
	QueueSizeRejectionThreshold uint32 `json:"propertyValue_queueSizeRejectionThreshold"`
	// RollingStatsWindowFilled is the HystrixCommand event's key of the
	// same name: how many milliseconds the rolling counts cover.
	RollingStatsWindowFilled uint32 `json:"rollingStatsWindowFilledInMilliseconds"`
}

// streamCmdLatency holds latency percentiles in milliseconds under the
// dashboard's keys.
type streamCmdLatency struct {
	Timing0   uint32 `json:"0"`
	Timing25  uint32 `json:"25"`
	Timing50  uint32 `json:"50"`
	Timing75  uint32 `json:"75"`
	Timing90  uint32 `json:"90"`
	Timing95  uint32 `json:"95"`
	Timing99  uint32 `json:"99"`
	Timing995 uint32 `json:"99.5"`
	Timing100 uint32 `json:"100"`
}
