# Baohao: `make run` starts the bot, `make test` runs every test. Both install the
# system packages they need first (libcurl, SQLite, CA certificates).
SHELL := /bin/bash
SWIFT ?= swift
SYSTEM_PACKAGES := libcurl4-openssl-dev libsqlite3-dev ca-certificates tzdata

.PHONY: run test bench release deps build clean

deps:
	@bash .ci/install-deps $(SYSTEM_PACKAGES)

build: deps
	$(SWIFT) build

# With BOT_TOKEN set: serve Telegram. Without: console chat on a demo database.
run: deps
	@$(SWIFT) build -c release --product baohao
	@.build/release/baohao run

test: deps
	$(SWIFT) test

# Release-built benchmark: prints figures against DESIGN.md's budgets, writes .bench/latest.json.
bench: deps
	$(SWIFT) build -c release --product baohao-bench
	$(SWIFT) build -c release --static-swift-stdlib --product baohao
	.build/release/baohao-bench

# A release binary with the Swift runtime linked in: .build/release/baohao
release: deps
	$(SWIFT) build -c release --product baohao --static-swift-stdlib

clean:
	rm -rf .build .bench
