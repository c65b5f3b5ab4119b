module github.com/afex/hystrix-go

go 1.24

require (
	github.com/gohystrix/hystrix-go v0.0.0-00010101000000-000000000000
	go.uber.org/goleak v1.3.0
)

// The compat module is built from this repository, against the engine beside
// it; a replace in a dependency is ignored, so programs that use this module
// repeat it (see testdata/app).
replace github.com/gohystrix/hystrix-go => ../..
