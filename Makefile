# ops: two commands on a fresh machine. `make demo` runs the main job on the bundled demo
# data; `make test` runs the tests. Both install the system packages they need first.

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN := .build/debug/ops
# libgit2 for Git; libcmark-gfm renders pack.html as GitHub renders Markdown (the cmark-gfm
# command checks generated Markdown in tests); chromium renders pack.html in a test;
# prometheus-alertmanager (with amtool) for the end-to-end test of ops serve; prometheus is
# the server `ops slo pull` reads in its end-to-end test; openssh-server
# gives the sync tests a real sshd on a loopback port; openssh-client's ssh-keygen signs and
# checks release approvals (ops release approve, ops verify), gnupg's gpg the OpenPGP ones; strace kills writes at
# each file system call in the crash-safety test; postgresql gives the PostgreSQL dataset tests
# a real server (initdb, postgres, psql under /usr/lib/postgresql/VERSION/bin) on loopback.
PACKAGES := libgit2-dev libcmark-gfm-dev libcmark-gfm-extensions-dev pkg-config git python3 python3-yaml python3-pip cmark-gfm chromium prometheus-alertmanager prometheus openssh-server openssh-client gnupg strace postgresql

.PHONY: deps build test quick crash-test demo bench release fuzz format clean

deps:
	@if ! pkg-config --exists libgit2 libcmark-gfm 2>/dev/null || ! command -v git >/dev/null || ! command -v python3 >/dev/null \
		|| ! command -v cmark-gfm >/dev/null || ! command -v chromium >/dev/null \
		|| ! command -v prometheus-alertmanager >/dev/null || ! command -v amtool >/dev/null || [ ! -x /usr/bin/prometheus ] \
		|| [ ! -x /usr/sbin/sshd ] || ! command -v ssh-keygen >/dev/null || ! command -v strace >/dev/null \
		|| ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		|| ! { python3 -c "import icalendar, numpy, scipy" 2>/dev/null || python3 -m pip --version >/dev/null 2>&1; }; then \
		echo "Installing system packages: $(PACKAGES)" >&2; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PACKAGES) >/dev/null; \
	fi
	@# The iCalendar test reads ops's calendar with a real parser, icalendar from PyPI (Debian's is older).
	@if ! python3 -c "import icalendar" 2>/dev/null; then \
		echo "Installing icalendar for python3 (pip)" >&2; \
		python3 -m pip install --quiet icalendar 2>/dev/null || python3 -m pip install --quiet --break-system-packages icalendar; \
	fi
	@# The drift statistics are checked against numpy and scipy themselves (DriftStatisticsOracleTests).
	@if ! python3 -c "import numpy, scipy" 2>/dev/null; then \
		echo "Installing numpy and scipy for python3 (pip)" >&2; \
		python3 -m pip install --quiet numpy scipy 2>/dev/null || python3 -m pip install --quiet --break-system-packages numpy scipy; \
	fi

build: deps
	$(SWIFT) build

# Swift sources the formatter checks; .swift-format holds its settings.
FORMATTED := Sources Tests bench/Sources fuzz/Sources

test: deps
	$(SWIFT) build --build-tests
	bash scripts/check-layers
	$(SWIFT) format lint --strict --recursive $(FORMATTED)
	$(SWIFT) test --skip-build

# The fast tests only: skips every suite and test tagged `.integration` (those that start
# Chromium, Alertmanager, sshd or strace, or kill hundreds of writes).
quick: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip "$$(bash scripts/integration-tests)"

# The long crash run: 500 SIGKILLs at random points of ops writes (the default suite runs 100).
crash-test: deps
	$(SWIFT) build --build-tests
	OPS_KILL_RUNS=$${OPS_KILL_RUNS:-500} $(SWIFT) test --skip-build --filter CrashSafetyTests

demo: build
	@bash scripts/demo.sh

release: deps
	$(SWIFT) build -c release --static-swift-stdlib

bench: release
	@bash bench/run

# libFuzzer on every parser (fuzz/run): FUZZ_SECONDS per target, from the seed corpus in
# fuzz/corpus/<target>/. The toolchain ships libFuzzer and AddressSanitizer; nothing else to install.
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) bash fuzz/run

# Rewrites the sources in the project's format (the same check make test runs).
format:
	$(SWIFT) format format --in-place --recursive $(FORMATTED)

clean:
	rm -rf .build demo bench/out
