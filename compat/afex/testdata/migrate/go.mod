// The go.mod of an afex/hystrix-go program before it moves to this
// repository: it requires afex's last commit. .ci/compat-test.sh copies it,
// with the sources of ../app, into a temporary directory and applies to it
// the lines that README.md's "Migrating from afex/hystrix-go" gives.
module example.com/app

go 1.24.0

require github.com/afex/hystrix-go v0.0.0-20180502004556-fa1af6a1f4f5
