# Baohao: `make run` starts the bot, `make test` runs every test. Both install the
# system packages they need first (libcurl, SQLite, libmicrohttpd, libpq, CA certificates), and
# the PostgreSQL server the PostgreSQL tests start a throwaway cluster of.
SHELL := /bin/bash
SWIFT ?= swift
SYSTEM_PACKAGES := libcurl4-openssl-dev libsqlite3-dev libmicrohttpd-dev libpq-dev postgresql ca-certificates tzdata

.PHONY: run test bench release deps build clean fuzz fuzz-burst install uninstall install-check

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
	@# The suites whose databases come from `temporaryDatabase` (storage, lines, FAQ, alerts,
	@# outbox, the bot end to end, the CLI) again, on a throwaway PostgreSQL server.
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || [ -n "$$BAOHAO_POSTGRES_BINDIR" ]; then \
		echo "== the same suites on PostgreSQL (BAOHAO_TEST_ENGINE=postgres)"; \
		BAOHAO_TEST_ENGINE=postgres $(SWIFT) test --skip-build --filter 'BaohaoCoreTests|TelegramTests|BaohaoAppTests'; \
	else echo "PostgreSQL not installed: the suites on PostgreSQL were NOT RUN"; fi
	.ci/fuzz replay
	@$(MAKE) --no-print-directory install-check
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

# Installing, the Unix way: `make install` builds the release binary (as `make release` does)
# and installs, under $(DESTDIR):
#   $(PREFIX)/bin/baohao, $(PREFIX)/Config/ (Config/ without the unit), $(PREFIX)/Intents/ (all
#   of it: intents, FAQ, the regression set, training data), and the systemd unit
#   $(SYSTEMD_UNIT_DIR)/baohao.service with @PREFIX@ filled in;
# and lists what it installed, and each directory it created, in $(PREFIX)/install-manifest.txt,
# which `make uninstall` reads to remove exactly that (a directory only when it is empty).
# BAOHAO_BIN=path installs that binary instead of building one (to install as root what you
# built as yourself: `make release`, then `sudo make install BAOHAO_BIN=.build/release/baohao`).
PREFIX ?= /opt/baohao
DESTDIR ?=
SYSTEMD_UNIT_DIR ?= /etc/systemd/system
BAOHAO_BIN ?=
INSTALL_BIN = $(or $(BAOHAO_BIN),.build/release/baohao)
INSTALL_MANIFEST = $(PREFIX)/install-manifest.txt

install: $(if $(BAOHAO_BIN),,release)
	@set -euo pipefail; \
	root='$(DESTDIR)'; manifest="$$root$(INSTALL_MANIFEST)"; \
	[ -x '$(INSTALL_BIN)' ] || { echo "make install: no executable at $(INSTALL_BIN)" >&2; exit 1; }; \
	entries=(); [ -f "$$manifest" ] && mapfile -t entries < "$$manifest"; \
	note() { local e; for e in "$${entries[@]}"; do [ "$$e" = "$$1" ] && return 0; done; entries+=("$$1"); }; \
	directory() { local d="$$1" todo=(); \
	  while [ "$$d" != / ] && [ ! -d "$$root$$d" ]; do todo=("$$d" "$${todo[@]}"); d=$$(dirname "$$d"); done; \
	  for d in "$${todo[@]}"; do install -d -m 755 "$$root$$d"; note "dir $$d"; done; }; \
	put() { directory "$$(dirname "$$3")"; install -m "$$1" "$$2" "$$root$$3"; note "file $$3"; }; \
	put 755 '$(INSTALL_BIN)' '$(PREFIX)/bin/baohao'; \
	for f in Config/*; do [ "$$f" = Config/baohao.service ] || put 644 "$$f" "$(PREFIX)/$$f"; done; \
	while IFS= read -r f; do put 644 "$$f" "$(PREFIX)/$$f"; done < <(find Intents -type f | LC_ALL=C sort); \
	unit=$$(mktemp); trap 'rm -f "$$unit"' EXIT; \
	sed 's|@PREFIX@|$(PREFIX)|g' Config/baohao.service > "$$unit"; \
	put 644 "$$unit" '$(SYSTEMD_UNIT_DIR)/baohao.service'; \
	printf '%s\n' "$${entries[@]}" > "$$manifest"; chmod 644 "$$manifest"; \
	echo "installed $$(grep -c '^file ' "$$manifest") files: $$root$(PREFIX)/bin/baohao, Config/ and Intents/ beside it, and the unit $$root$(SYSTEMD_UNIT_DIR)/baohao.service; the list is in $$manifest"; \
	if [ -z "$$root" ]; then echo "next: put BOT_TOKEN=... in /etc/baohao.env (mode 600), then: systemctl daemon-reload && systemctl enable --now baohao"; fi

uninstall:
	@set -euo pipefail; \
	root='$(DESTDIR)'; manifest="$$root$(INSTALL_MANIFEST)"; \
	[ -f "$$manifest" ] || { echo "make uninstall: no $$manifest: nothing was installed with PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)" >&2; exit 1; }; \
	mapfile -t entries < "$$manifest"; files=0; \
	for e in "$${entries[@]}"; do case "$$e" in "file "*) rm -f "$$root$${e#file }"; files=$$((files + 1));; esac; done; \
	rm -f "$$manifest"; \
	for ((i = $${#entries[@]} - 1; i >= 0; i--)); do e="$${entries[i]}"; case "$$e" in \
	  "dir "*) d="$$root$${e#dir }"; [ -d "$$d" ] && { rmdir "$$d" 2>/dev/null || echo "kept $$d: it holds files make install did not put there"; };; esac; done; \
	echo "removed $$files files from $$root$(PREFIX) and $$root$(SYSTEMD_UNIT_DIR)"

# `make install` and `make uninstall` checked without root and without a release build (which
# would add a minute or two to CI): the debug binary `make test` has just built is installed
# into a temporary DESTDIR; from another directory the installed `check-config` must find the
# installed Config/bot.json, carrier catalogue and regression set, and `classify` the whole of
# Intents/; the unit must name the installed binary; `make uninstall` must leave nothing.
install-check:
	@set -euo pipefail; \
	fail() { echo "install-check: $$*" >&2; exit 1; }; \
	stage=$$(mktemp -d); trap 'rm -rf "$$stage"' EXIT; \
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) install DESTDIR="$$stage" PREFIX=/opt/baohao BAOHAO_BIN=$(or $(BAOHAO_BIN),.build/debug/baohao) >/dev/null; \
	installed="$$stage/opt/baohao"; unit="$$stage/etc/systemd/system/baohao.service"; \
	diff <(cd Intents && find . -type f | LC_ALL=C sort) <(cd "$$installed/Intents" && find . -type f | LC_ALL=C sort) \
	  || fail "the installed Intents/ differs from Intents/ (above)"; \
	grep -qx "ExecStart=/opt/baohao/bin/baohao run" "$$unit" || fail "the unit does not start /opt/baohao/bin/baohao"; \
	! grep -q @PREFIX@ "$$unit" || fail "the unit still holds @PREFIX@"; \
	mkdir "$$stage/elsewhere"; cd "$$stage/elsewhere"; \
	config=$$(env -u BAOHAO_CONFIG -u BAOHAO_DB -u BOT_TOKEN "$$installed/bin/baohao" check-config 2>&1) \
	  || fail "the installed baohao check-config failed: $$config"; \
	grep -q "^carriers: .* in $$installed/Config/carriers.json" <<< "$$config" || fail "check-config did not read the installed carriers.json: $$config"; \
	grep -q "^regression set: .* questions in $$installed/Intents/regression.jsonl" <<< "$$config" || fail "check-config did not read the installed regression set: $$config"; \
	answer=$$(env -u BAOHAO_CONFIG "$$installed/bin/baohao" classify "我的余额还有多少" 2>&1) \
	  || fail "the installed baohao classify failed: $$answer"; \
	grep -q "^decision: *answer intent:check_balance" <<< "$$answer" || fail "classify did not answer check_balance: $$answer"; \
	cd - >/dev/null; rmdir "$$stage/elsewhere"; \
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) uninstall DESTDIR="$$stage" PREFIX=/opt/baohao >/dev/null; \
	left=$$(find "$$stage" -mindepth 1); \
	[ -z "$$left" ] || fail "make uninstall left: $$left"; \
	echo "install-check: make install into a temporary DESTDIR, the installed baohao run from another directory, make uninstall: ok"
