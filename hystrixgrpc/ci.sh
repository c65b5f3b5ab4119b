#!/usr/bin/env bash
# Checks the hystrixgrpc module, which has a go.mod of its own so that the
# root module never requires gRPC: formatting, vet, and its tests with the
# race detector against a real gRPC server on loopback. Needs only Go and
# the module proxy. The module needs Go 1.26 (google.golang.org/grpc
# v1.85.0 does).
set -euo pipefail
cd "$(dirname "$0")"

go mod download
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "gofmt needed:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go vet ./...
go test -race -count=1 ./...
