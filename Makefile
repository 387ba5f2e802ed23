# sanbai — see README.md. `make run` starts the demo server; `make test` is what CI runs.
GO        ?= go
BIN       := bin/sanbai
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

# The build, the tests and the benchmarks compile against modules patched by our own
# patches/<module>/*.patch (see patches/apply.sh): a go.work in the gitignored $(PATCHED)
# replaces each patched module with a patched copy of the version go.mod selects. GOWORK is set
# only for these targets, so plain `go build`/`go test` still work on a fresh clone, unpatched.
PATCHED   := .patched
PGO       := GOWORK=$(CURDIR)/$(PATCHED)/go.work $(GO)

# encoding/json on Go's v2 implementation (the jsonv2 experiment; same API and output): it
# decodes the store's JSON about twice as fast, which is most of what a county server does in
# the seconds after it starts. Plain `go build` gives the same program, slower to warm up.
export GOEXPERIMENT ?= jsonv2

.PHONY: build run test test-crash fuzz lint bench bench-county tidy-check clean patch

# Rebuilds the patched modules when go.mod or a patch changes.
$(PATCHED)/go.work: go.mod patches/apply.sh $(wildcard patches/*/*.patch)
	GO="$(GO)" bash patches/apply.sh $(PATCHED)

patch: $(PATCHED)/go.work

build: patch
	$(PGO) build -o $(BIN) .

# Builds and starts the server in demo mode on 127.0.0.1:2323, seeding ./sanbai-data on first start.
run: build
	./$(BIN) serve --demo --data ./sanbai-data --listen 127.0.0.1:2323

test: patch
	$(PGO) test -race -count=1 ./...
	$(PGO) test -race -count=1 -run '^(TestKeysDrawnWhenRead|TestReadBeforeResults|TestIdleRendererWakesForResult|TestIdleProgramsRest)$$' charm.land/bubbletea/v2
	$(PGO) test -race -count=1 -run '^TestMarkReads$$' github.com/charmbracelet/ultraviolet
	@$(MAKE) --no-print-directory fuzz

# The fuzz targets of the file readers, with their limits on (see docs/RELIABILITY.md): a few
# seconds each in `make test`, minutes in `make test-crash`, or FUZZTIME=1h make fuzz. New
# inputs are minimized briefly (100 runs), or a fuzzer that keeps finding coverage early on
# spends all its time minimizing.
FUZZ      := ledgerio:FuzzReadXLSX ledgerio:FuzzReadCSV
FUZZTIME  ?= 10s
fuzz: patch
	@set -e; for t in $(FUZZ); do pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$fn ($(FUZZTIME))"; \
		$(PGO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./$$pkg; \
	done

# The crash harness, long version: SIGKILL the server at random moments through 60 restart
# cycles and check every acknowledged write, then 20 SSH sessions triaging the same concerns,
# then the key-fidelity test 50 runs in a row (see e2e/crash_test.go, e2e/concurrency_test.go,
# e2e/fidelity_test.go and docs/RELIABILITY.md), then the file readers' fuzz targets for 5
# minutes each. `make test` runs short versions of all four.
test-crash: patch
	SANBAI_CRASH_CYCLES=$${SANBAI_CRASH_CYCLES:-60} SANBAI_SESSIONS=$${SANBAI_SESSIONS:-20} \
		SANBAI_FIDELITY_RUNS=$${SANBAI_FIDELITY_RUNS:-50} \
		$(PGO) test -race -count=1 -timeout 80m -run '^(TestCrashRestart|TestSessionsTriageTogether|TestKeyFidelity)$$' -v ./e2e
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$${FUZZTIME_CRASH:-5m}

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# The wire/latency/memory harness against an OpenSSH+less baseline, writing the table into
# docs/BENCHMARKS.md (bench/setup.sh installs sshd and less when missing), then the county
# table (the real server on a county store, and BenchmarkCountyMeeting), then the Go
# benchmarks. An unpatched build of the harness serves the "sanbai unpatched" column. The
# county is generated in a temporary directory for the run (about 40 s) unless COUNTY names
# one made beforehand (`sanbai demo --county --data DIR`), which is copied, not changed.
COUNTY    ?= new
bench: build
	bash bench/setup.sh
	GOWORK=off $(GO) build -o $(PATCHED)/sanbai-bench-unpatched ./bench/cmd/sanbai-bench
	$(PGO) run ./bench/cmd/sanbai-bench -unpatched-bin $(PATCHED)/sanbai-bench-unpatched -fps 60 \
		-county $(COUNTY) -sanbai $(BIN) -doc docs/BENCHMARKS.md
	$(PGO) test -run '^$$' -bench . -benchmem ./...

# The county table alone, rewriting only its section of docs/BENCHMARKS.md (a few minutes).
bench-county: build
	$(PGO) run ./bench/cmd/sanbai-bench -only-county -county $(COUNTY) -sanbai $(BIN) -doc docs/BENCHMARKS.md

tidy-check:
	$(GO) mod tidy -diff

clean:
	rm -rf bin $(PATCHED)
