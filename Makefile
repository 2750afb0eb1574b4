# Baohao: `make run` starts the bot, `make test` runs every test. Both install the
# system packages they need first (libcurl, SQLite, CA certificates).
SHELL := /bin/bash
SWIFT ?= swift
SYSTEM_PACKAGES := libcurl4-openssl-dev libsqlite3-dev ca-certificates tzdata

.PHONY: run test bench release deps build clean fuzz fuzz-burst

deps:
	@bash .ci/install-deps $(SYSTEM_PACKAGES)

build: deps
	$(SWIFT) build

# With BOT_TOKEN set: serve Telegram. Without: console chat on a demo database.
run: deps
	@$(SWIFT) build -c release --product baohao
	@.build/release/baohao run

# Every target is built first (the fuzz harnesses too, so CI compiles them), then the suite
# runs and every harness replays its checked-in seeds without libFuzzer (.ci/fuzz replay). With
# CI=true (as .ci/run sets), each harness then also runs a short seeded burst of libFuzzer.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test
	.ci/fuzz replay
	@if [ "$$CI" = true ]; then $(MAKE) --no-print-directory fuzz-burst; fi

# Release-built benchmark: prints figures against DESIGN.md's budgets, writes .bench/latest.json.
bench: deps
	$(SWIFT) build -c release --product baohao-bench
	$(SWIFT) build -c release --static-swift-stdlib --product baohao
	.build/release/baohao-bench

# libFuzzer on every harness of Tests/Fuzz (.ci/fuzz lists them): the getUpdates decoders,
# normalization + classification, the lines CSV import, the FAQ import, the Telegram HTML check
# and escape, button payloads and the message splitter, each built with the fuzzer and address
# sanitizers (and -DFUZZING, which hands their main to libFuzzer) into .build/fuzz-pkg, and run
# on its seeds (Tests/Fuzz/Seeds) with its dictionary (Tests/Fuzz/Dictionaries).
# `make fuzz`: FUZZ_SECONDS each (default 60), the corpora growing in fuzz-corpus/ (gitignored),
# libFuzzer picking its seed unless FUZZ_SEED is set.
# `make fuzz-burst` (CI): FUZZ_SECONDS each (default 10) from the seeds alone, with libFuzzer's
# -seed=FUZZ_SEED (default 1717).
# A failing input is left in .build/fuzz/ and the run prints the commands that replay it. A
# toolchain that cannot build with the sanitizers fails the target rather than skipping it.
fuzz: deps
	.ci/fuzz build
	.ci/fuzz run $(or $(FUZZ_SECONDS),60) $(or $(FUZZ_SEED),0) fuzz-corpus

fuzz-burst: deps
	.ci/fuzz build
	rm -rf .build/fuzz/burst-corpus
	.ci/fuzz run $(or $(FUZZ_SECONDS),10) $(or $(FUZZ_SEED),1717) .build/fuzz/burst-corpus

# A release binary with the Swift runtime linked in: .build/release/baohao
release: deps
	$(SWIFT) build -c release --product baohao --static-swift-stdlib

clean:
	rm -rf .build .bench
