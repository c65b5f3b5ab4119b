#!/usr/bin/env bash
# Checks the afex compatibility module (compat/afex) and the afex-style
# program that uses it (compat/afex/testdata/app). Both are modules of their
# own, so the root module's go test ./... never reaches them; this script is
# how they get built and tested. Then it applies the migration lines of
# README.md ("Migrating from afex/hystrix-go"), taken from README.md itself,
# to a fresh copy of that program, so the README cannot drift into lines
# that do not work. Needs only Go and the module proxy (and git, for the
# published-version route; without it that route is skipped, loudly).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
compat="$root/compat/afex"
app="$compat/testdata/app"
migrate="$compat/testdata/migrate"
readme="$root/README.md"

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

# ---- README.md's migration lines, as written there ----

# readme_block NAME prints the contents of the one fenced code block that
# README.md puts between <!-- compat-replace:NAME --> and
# <!-- /compat-replace:NAME -->, and fails unless there is exactly that.
readme_block() {
	local name="$1"
	awk -v first="<!-- compat-replace:$name -->" -v last="<!-- /compat-replace:$name -->" '
		$0 == first { opened++; inside = 1; next }
		$0 == last { closed++; bad += !inside || fence; inside = 0; next }
		inside && /^```/ { fence = !fence; blocks += fence; next }
		inside && fence { print; lines++ }
		END { exit !(opened == 1 && closed == 1 && !inside && !bad && blocks == 1 && lines > 0) }
	' "$readme" ||
		fail "README.md must have exactly one <!-- compat-replace:$name -->, then one non-empty fenced code block, then <!-- /compat-replace:$name -->"
}

# The lines are tried on a copy of the afex-style program: its sources, and
# the go.mod (with go.sum) it had before the migration, which requires afex.
work="$(mktemp -d "${TMPDIR:-/tmp}/compat-readme.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# fresh_app NAME makes the copy in $work/NAME and sets dir to it.
fresh_app() {
	dir="$work/$1"
	mkdir -p "$dir"
	cp "$app"/*.go "$dir"/
	cp "$migrate/go.mod" "$migrate/go.sum" "$dir"/
}

# check_app DIR tidies, vets, builds and runs the program in DIR, after
# making sure it still imports only afex's paths.
check_app() {
	local dir="$1" imports
	(cd "$dir" && go mod tidy) || fail "go mod tidy fails after README.md's lines (go.mod was:
$(grep -v '^//' "$dir/go.mod"))"
	imports="$(cd "$dir" && go list -f '{{join .Imports "\n"}}{{"\n"}}{{join .TestImports "\n"}}' .)"
	if grep -q '^github.com/gohystrix/' <<<"$imports"; then
		fail "the afex-style program must import only github.com/afex/hystrix-go/..., but imports:
$(grep '^github.com/gohystrix/' <<<"$imports")"
	fi
	(cd "$dir" && go vet ./...)
	(cd "$dir" && go build -o /dev/null .)
	(cd "$dir" && go run .) || fail "the afex-style program reported a problem on README.md's lines (see above)"
}

# With a checkout: the block is go.mod lines, and ../hystrix-go is the one
# thing README.md tells the reader to change (to the checkout's path).
placeholder='../hystrix-go'
step "README.md, with a checkout: the lines of <!-- compat-replace:checkout -->"
lines="$(readme_block checkout)"
[[ "$lines" == *"$placeholder"* ]] ||
	fail "README.md's checkout block no longer contains $placeholder, the path this script replaces with the checkout's"
lines="${lines//"$placeholder"/"$root"}"
printf '%s\n' "$lines"
fresh_app checkout
printf '\n%s\n' "$lines" >>"$dir/go.mod"
# Nothing of this repository may come from anywhere but the checkout: no
# proxy, no VCS. Only afex's dependencies come from the module proxy.
(
	export GOWORK=off GOPRIVATE=github.com/gohystrix GOVCS='github.com/gohystrix:off'
	check_app "$dir"
)

# A published version: the block is shell commands, and COMMIT is the one
# thing README.md tells the reader to change (here, to HEAD). There is no
# GitHub here, so the go command fetches this repository directly, through
# git, from the local clone (a git config of the script's own rewrites
# https://github.com/gohystrix/hystrix-go to it). That is how the module
# proxy makes the versions it serves, so the pseudo-versions and zips are the
# ones a user gets; but of the committed HEAD, not of the work tree.
step "README.md, a published version: the commands of <!-- compat-replace:published -->"
cmds="$(readme_block published)"
[[ "$cmds" == *COMMIT* ]] ||
	fail "README.md's published block no longer contains COMMIT, the word this script replaces with a commit hash"
gitcfg="$work/gitconfig"
published_ok=
if ! command -v git >/dev/null 2>&1; then
	printf 'WARNING: no git: NOT checking the published-version route\n' >&2
elif ! commit="$(git -C "$root" rev-parse --verify -q HEAD 2>/dev/null)"; then
	printf 'WARNING: %s is not a git clone: NOT checking the published-version route\n' "$root" >&2
elif ! printf '[url "file://%s"]\n\tinsteadOf = https://github.com/gohystrix/hystrix-go\n[safe]\n\tdirectory = *\n' "$root" >"$gitcfg" ||
	[[ "$(GIT_CONFIG_GLOBAL="$gitcfg" git config --global --get "url.file://$root.insteadof" 2>/dev/null)" != https://github.com/gohystrix/hystrix-go ]]; then
	printf 'WARNING: %s ignores GIT_CONFIG_GLOBAL (needs git 2.32 or later): NOT checking the published-version route\n' "$(git --version)" >&2
else
	published_ok=1
fi
if [[ -n "$published_ok" ]]; then
	if [[ -n "$(git -C "$root" status --porcelain -- '*.go' go.mod go.sum '*/go.mod' '*/go.sum' ':(exclude)compat/afex/testdata' 2>/dev/null)" ]]; then
		printf 'NOTE: uncommitted changes to Go files are not part of this check: it uses HEAD, %s\n' "$commit" >&2
	fi
	cmds="${cmds//COMMIT/$commit}"
	printf '%s\n' "$cmds"
	fresh_app published
	cache="$(go env GOMODCACHE)/cache/download"
	proxy="$(go env GOPROXY)"
	[[ -d "$cache" ]] && proxy="file://$cache,$proxy"
	(
		# A module cache of its own, so that versions made from the local
		# clone never reach the real one; the real one serves as a proxy for
		# everything else. This repository is fetched only through git (and
		# so from the clone), nothing else through a VCS.
		export GOWORK=off GOMODCACHE="$work/modcache" GOPROXY="$proxy" \
			GOFLAGS="$GOFLAGS -modcacherw" GOPRIVATE=github.com/gohystrix \
			GOVCS='github.com/gohystrix:git,*:off' \
			GIT_CONFIG_GLOBAL="$gitcfg" GIT_CONFIG_NOSYSTEM=1
		(cd "$dir" && bash -euo pipefail -c "$cmds") ||
			fail "README.md's published-version commands fail (go.mod is now:
$(grep -v '^//' "$dir/go.mod"))"
		check_app "$dir"

		# The route must really be the published modules: the forwarding
		# module at a version, the engine required at one, no directories.
		got="$(cd "$dir" && go list -m -f '{{.Path}} {{.Version}}{{with .Replace}} => {{.Path}} {{.Version}}{{end}}' github.com/afex/hystrix-go github.com/gohystrix/hystrix-go)"
		printf '%s\n' "$got"
		pseudo="$(cd "$dir" && go list -m -f '{{.Version}}' "github.com/gohystrix/hystrix-go/compat/afex@$commit")"
		grep -qxF "github.com/afex/hystrix-go v0.0.0-20180502004556-fa1af6a1f4f5 => github.com/gohystrix/hystrix-go/compat/afex $pseudo" <<<"$got" ||
			fail "afex's module is not replaced by the forwarding module at $pseudo"
		grep -qx "github.com/gohystrix/hystrix-go v[^ ]*-${commit:0:12}" <<<"$got" ||
			fail "the engine is not required at commit ${commit:0:12}"

		# README.md states the pseudo-version's form; true while there are no
		# compat/afex/v* tags.
		if [[ -z "$(git -C "$root" tag -l 'compat/afex/v*')" ]]; then
			want="v0.0.0-$(TZ=UTC git -C "$root" show -s --format=%cd --date=format-local:%Y%m%d%H%M%S "$commit")-${commit:0:12}"
			[[ "$pseudo" == "$want" ]] ||
				fail "the forwarding module's pseudo-version is $pseudo, not $want as README.md says"
		fi
	)
fi

printf '\ncompat: all checks passed\n'
