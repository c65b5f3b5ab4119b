module github.com/gohystrix/hystrix-go

go 1.24
