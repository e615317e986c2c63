# The whole test suite: Go unit, fuzz-seed and API tests, then the SDK conformance suite
# that drives a real `minicloud serve` with the official CloudBase SDKs.
.PHONY: test test-go test-sdk build bench

build:
	go build -o minicloud .

test: test-go test-sdk

test-go:
	go vet ./...
	go test ./...

test-sdk:
	cd sdk && npm test
	cd conformance && npm test

bench:
	go run ./bench/db

.PHONY: bench-auth
bench-auth:
	go run ./bench/auth
