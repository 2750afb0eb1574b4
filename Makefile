# Baohao: `make run` starts the bot, `make test` runs every test. Both install the
# system packages they need first (libcurl, SQLite, libmicrohttpd, CA certificates).
SHELL := /bin/bash
SWIFT ?= swift
SYSTEM_PACKAGES := libcurl4-openssl-dev libsqlite3-dev libmicrohttpd-dev ca-certificates tzdata

.PHONY: run test bench release deps build clean fuzz

deps:
	@bash .ci/install-deps $(SYSTEM_PACKAGES)

build: deps
	$(SWIFT) build

# With BOT_TOKEN set: serve Telegram. Without: console chat on a demo database.
run: deps
	@$(SWIFT) build -c release --product baohao
	@.build/release/baohao run

# Every target is built first (the fuzz harnesses too, so CI compiles them), then the suite
# runs and the harnesses replay their checked-in seeds without libFuzzer.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test
	.build/debug/FuzzUpdates Tests/Fuzz/Seeds/updates
	.build/debug/FuzzNormalizer Tests/Fuzz/Seeds/normalizer

# Release-built benchmark: prints figures against DESIGN.md's budgets, writes .bench/latest.json.
bench: deps
	$(SWIFT) build -c release --product baohao-bench
	$(SWIFT) build -c release --static-swift-stdlib --product baohao
	.build/release/baohao-bench

# libFuzzer on the getUpdates decoder and on normalization + classification, FUZZ_SECONDS each
# (default 60): the package's FuzzUpdates and FuzzNormalizer targets built with the fuzzer and
# address sanitizers (and -DFUZZING, which hands their main to libFuzzer) into .build/fuzz-pkg.
# The corpora grow in fuzz-corpus/ (gitignored) from the seeds in Tests/Fuzz/Seeds; a crash
# leaves its input in .build/fuzz/, and `swift build` then `.build/debug/FuzzUpdates FILE`
# (or FuzzNormalizer) replays it without sanitizers. Swift's backtracer is off: libFuzzer
# reports crashes itself, and the backtracer stalls on sanitized binaries.
FUZZ_SECONDS ?= 60
FUZZ_BUILD := $(SWIFT) build -c release --scratch-path .build/fuzz-pkg -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
fuzz: deps
	@mkdir -p .build/fuzz fuzz-corpus/updates fuzz-corpus/normalizer
	set -o pipefail; $(FUZZ_BUILD) --product FuzzUpdates 2>&1 | { grep -v "Cannot export local symbol" || true; }
	set -o pipefail; $(FUZZ_BUILD) --product FuzzNormalizer 2>&1 | { grep -v "Cannot export local symbol" || true; }
	SWIFT_BACKTRACE=enable=no .build/fuzz-pkg/release/FuzzUpdates -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -artifact_prefix=.build/fuzz/ fuzz-corpus/updates Tests/Fuzz/Seeds/updates
	SWIFT_BACKTRACE=enable=no .build/fuzz-pkg/release/FuzzNormalizer -max_total_time=$(FUZZ_SECONDS) -max_len=2048 -artifact_prefix=.build/fuzz/ fuzz-corpus/normalizer Tests/Fuzz/Seeds/normalizer

# A release binary with the Swift runtime linked in: .build/release/baohao
release: deps
	$(SWIFT) build -c release --product baohao --static-swift-stdlib

clean:
	rm -rf .build .bench
