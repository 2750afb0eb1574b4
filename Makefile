# Baohao: `make run` starts the bot, `make test` runs every test. Both install the
# system packages they need first (libcurl, SQLite, CA certificates).
SHELL := /bin/bash
SWIFT ?= swift
SYSTEM_PACKAGES := libcurl4-openssl-dev libsqlite3-dev ca-certificates tzdata

.PHONY: run test bench release deps build clean fuzz

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

# libFuzzer on the getUpdates decoder and on normalization + classification, FUZZ_SECONDS each
# (default 60). The corpora grow in fuzz-corpus/ (gitignored); a crash leaves its input in .build/fuzz/.
FUZZ_SECONDS ?= 60
SWIFTC ?= swiftc
FUZZ_FLAGS := -sanitize=fuzzer,address -parse-as-library -O
fuzz: deps
	@mkdir -p .build/fuzz fuzz-corpus/updates fuzz-corpus/normalizer
	set -o pipefail; $(SWIFTC) $(FUZZ_FLAGS) -module-name FuzzUpdates Sources/Telegram/BotAPI/BotAPITypes.swift Sources/Telegram/BotAPI/UpdateBytesDecoder.swift Sources/BaohaoCore/Support/JSONEscape.swift Tests/Fuzz/FuzzUpdates.swift -o .build/fuzz/updates 2>&1 | { grep -v "Cannot export local symbol" || true; }
	set -o pipefail; $(SWIFTC) $(FUZZ_FLAGS) -module-name FuzzNormalizer $$(find Sources/Understanding -name '*.swift') Tests/Fuzz/FuzzNormalizer.swift -o .build/fuzz/normalizer 2>&1 | { grep -v "Cannot export local symbol" || true; }
	@test -s fuzz-corpus/updates/seed || printf '{"ok":true,"result":[{"update_id":1,"message":{"message_id":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"A"},"text":"hi"}},{"update_id":2,"callback_query":{"id":"c","from":{"id":5,"is_bot":false,"first_name":"A"},"data":"m:bal","message":{"message_id":3,"chat":{"id":5,"type":"private"}}}}]}' > fuzz-corpus/updates/seed
	@test -s fuzz-corpus/normalizer/seed || printf '我的余额 csl +85291234567 點樣續費呀 how do I renew' > fuzz-corpus/normalizer/seed
	cd .build/fuzz && ./updates -max_total_time=$(FUZZ_SECONDS) -max_len=4096 ../../fuzz-corpus/updates
	./.build/fuzz/normalizer -max_total_time=$(FUZZ_SECONDS) -max_len=2048 -artifact_prefix=.build/fuzz/ fuzz-corpus/normalizer

# A release binary with the Swift runtime linked in: .build/release/baohao
release: deps
	$(SWIFT) build -c release --product baohao --static-swift-stdlib

clean:
	rm -rf .build .bench
