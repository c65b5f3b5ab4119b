module example.com/app

go 1.24.0

require github.com/afex/hystrix-go v0.0.0-20180502004556-fa1af6a1f4f5

require github.com/gohystrix/hystrix-go v0.0.0-00010101000000-000000000000 // indirect

// Both replaces are needed: the main module's replaces are the only ones Go
// honours, so the compat module's own replace of the engine does not reach
// here.
replace github.com/afex/hystrix-go => ../..

replace github.com/gohystrix/hystrix-go => ../../../..
