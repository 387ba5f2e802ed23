# sanbai — see README.md. `make run` starts the demo server; `make test` is what CI runs.
GO        ?= go
BIN       := bin/sanbai
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: build run test lint bench tidy-check clean

build:
	$(GO) build -o $(BIN) .

# Builds and starts the server in demo mode on 127.0.0.1:2323, seeding ./sanbai-data on first start.
run: build
	./$(BIN) serve --demo --data ./sanbai-data --listen 127.0.0.1:2323

test:
	$(GO) test -race -count=1 ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

tidy-check:
	$(GO) mod tidy -diff

clean:
	rm -rf bin
