# qdev build, test and benchmark entry points.
GO ?= go
export CGO_ENABLED := 0
BIN := bin/q
VERSION ?= 0.1.0
LDFLAGS := -s -w -X github.com/qdev/qdev/internal/version.Version=$(VERSION)

.PHONY: build run test bench lint fuzz clean

# make run ARGS='chat --model ollama/llama3.1' builds q and its helpers
# into bin/ and runs it there, where q finds its sandbox helper.
run: build
	./$(BIN) $(ARGS)

# One set of compile flags for everything: `make build`, `make test`, the
# end-to-end harness, `make bench` and `make run` all compile static (no cgo:
# a dynamically linked q maps about 20 MB more at start-up) with Go's other
# defaults, so each reuses the packages the others compiled (the first build
# takes minutes; after it, seconds). Only link flags differ, and linking is
# not cached anyway. Do not add -trimpath or -tags here: either gives every
# package a new cache key. (`go run ./cmd/q` shares the cache only with
# CGO_ENABLED=0 set.)
# The sandbox and knowledge helpers must sit next to q: q looks for them
# nowhere else.
build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/q
	$(GO) build -ldflags '-s -w' -o $(dir $(BIN))qdev-sandbox ./cmd/qdev-sandbox
	$(GO) build -ldflags '-s -w' -o $(dir $(BIN))qdev-knowledge ./cmd/qdev-knowledge

# The whole suite: unit tests, fakes over loopback, end-to-end runs of the
# built binary, the real aws CLI against moto_server.
# Packages with concurrency in their controls run under the race detector
# (and only there, so the suite stays within CI's time).
RACE_PKGS := ./internal/permission/... ./internal/shell/... ./internal/agent/... ./internal/audit/... ./internal/sandbox/...
test:
	@test -x .mcp-servers/node_modules/.bin/mcp-server-everything || echo "note: MCP servers not installed in .mcp-servers (run .ci/run); the MCP tests will be skipped"
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m $$($(GO) list ./... | grep -v -e /internal/permission -e /internal/shell -e /internal/agent -e /internal/audit -e /internal/sandbox)
	CGO_ENABLED=1 $(GO) test -count=1 -race -timeout 20m $(RACE_PKGS)

# Start-up, per-turn overhead and peak memory against a zero-latency fake model.
bench:
	$(GO) run ./tools/bench

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

# Each fuzz target for a fixed number of executions (CI runs this after the
# tests). A count, not a duration: Go 1.26's coordinator can fail a duration
# run with "context deadline exceeded" at the deadline.
# Minimising a new corpus entry is bounded by a count too: by default it may
# take 60 s for each, which stalled CI for minutes without finding anything.
FUZZ_EXECS ?= 50000x
FUZZ_MINIMIZE ?= 2000x
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for fn in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$fn"; \
			$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZ_EXECS) -fuzzminimizetime $(FUZZ_MINIMIZE) $$pkg || exit 1; \
		done; \
	done

clean:
	rm -rf bin
