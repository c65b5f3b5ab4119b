#!/usr/bin/env bash
# Checks the afex compatibility module (compat/afex) and the afex-style
# program that uses it (compat/afex/testdata/app). Both are modules of their
# own, so the root module's go test ./... never reaches them; this script is
# how they get built and tested. Needs only Go and the module proxy.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
compat="$root/compat/afex"
app="$compat/testdata/app"

step() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nFAIL: %s\n' "$*" >&2; exit 1; }

# A program built inside a git work tree gets VCS stamping, which runs git;
# the check must not depend on git being installed.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false"

step "go version"
go version

# The race detector needs cgo and a C compiler. A machine with only Go has
# neither, and the tests are still worth running there, so say so loudly
# instead of failing.
race=(-race)
cc="$(go env CC)"
if [[ "$(go env CGO_ENABLED)" != 1 ]] || ! command -v "${cc%% *}" >/dev/null 2>&1; then
	printf 'WARNING: no C compiler for cgo (CC=%s): running the tests WITHOUT the race detector\n' "$cc" >&2
	race=()
fi

step "gofmt compat/afex"
unformatted="$(gofmt -l "$compat")"
[[ -z "$unformatted" ]] || fail "not gofmt-ed (run gofmt -w on them):
$unformatted"

# tidy_check fails with the diff when go.mod or go.sum would change, which
# is also what happens when the root module gains a dependency that the
# compat modules' go.sum files do not list yet.
tidy_check() {
	local dir="$1"
	(cd "$dir" && go mod tidy -diff) ||
		fail "go.mod/go.sum in ${dir#"$root"/} are not tidy: run 'go mod tidy' there and commit the result"
}

step "compat/afex: go mod tidy -diff"
tidy_check "$compat"
step "compat/afex: go vet ./..."
(cd "$compat" && go vet ./...)
step "compat/afex: go test ${race[*]:+${race[*]} }./..."
(cd "$compat" && go test "${race[@]}" ./...)

step "compat/afex/testdata/app: go mod tidy -diff"
tidy_check "$app"
step "compat/afex/testdata/app: go vet ./..."
(cd "$app" && go vet ./...)
step "compat/afex/testdata/app: go test ${race[*]:+${race[*]} }./..."
(cd "$app" && go test "${race[@]}" ./...)
step "compat/afex/testdata/app: go run ."
(cd "$app" && go run .) || fail "the afex-style app reported a problem (see above)"

printf '\ncompat: all checks passed\n'
