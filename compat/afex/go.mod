module github.com/afex/hystrix-go

go 1.24.0

require (
	github.com/gohystrix/hystrix-go v0.0.0-00010101000000-000000000000
	go.uber.org/goleak v1.3.0
)

require (
	github.com/DataDog/datadog-go/v5 v5.9.1 // indirect
	github.com/Microsoft/go-winio v0.5.0 // indirect
	github.com/cactus/go-statsd-client/v5 v5.1.0 // indirect
	github.com/rcrowley/go-metrics v0.0.0-20250401214520-65e299d6c5c9 // indirect
	golang.org/x/sys v0.41.0 // indirect
)

// The compat module is built from this repository, against the engine beside
// it; a replace in a dependency is ignored, so programs that use this module
// repeat it (see testdata/app).
replace github.com/gohystrix/hystrix-go => ../..
