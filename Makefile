# Entry points. `make run` and `make test` work on a fresh Debian 12 machine: they install what is missing first.
SHELL := /bin/bash
.DEFAULT_GOAL := help
JOBS ?= $(shell nproc)
# Tests spend much of their time waiting on servers and sockets: twice as many at once as cores keeps both busy.
TEST_JOBS ?= $(shell echo $$(( $$(nproc) * 2 )))
SERVICES_DIR := $(CURDIR)/build/services
export CCACHE_DIR ?= $(HOME)/.cache/ccache

.PHONY: help deps build build-dev build-asan dashboard run test test-unit test-asan bench fuzz fmt lint clean docs

help:
	@echo "make run      build (Release) and start pierre-mcp-server on http://127.0.0.1:8081 (SQLite, dev key;"
	@echo "              dashboard at http://127.0.0.1:8081/dashboard)"
	@echo "make test     build, start PostgreSQL+Redis, run every test (unit, integration, sanitizers, fuzz smoke)"
	@echo "make bench    benchmarks in one run (wrk on loopback): GET /health vs nginx; MCP tools/list + tools/call vs the TS SDK"
	@echo "make fmt      clang-format the sources;   make lint   clang-tidy + format check"
	@echo "make docs     regenerate docs/TOOLS.md from the tool registry"

deps:
	@scripts/install-deps.sh

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

build-dev: deps
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j $(JOBS)

build-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)

# The dashboard (web/ → web/dist, served at /dashboard): rebuilt only when its sources changed.
WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) web/index.html web/package.json web/package-lock.json \
               web/vite.config.ts web/tsconfig.json
dashboard: deps web/dist/index.html
web/dist/index.html: $(WEB_SOURCES)
	@echo "Building the dashboard (web/dist)"
	@cd web && npm run build --silent

run: build dashboard
	@mkdir -p data
	@echo "Starting pierre-mcp-server (development mode: generated master key under ./data, SQLite ./data/pierre.db,"
	@echo "MCP without credentials on loopback: point your MCP client at http://127.0.0.1:8081/mcp;"
	@echo "dashboard: http://127.0.0.1:8081/dashboard, sign in as demo@pierre.dev / pierre-demo-athlete)"
	@exec build/release/apps/pierre-mcp-server/pierre-mcp-server --dev --demo --mcp-allow-anonymous $(ARGS)

# Every test, with the services they need; services are stopped whatever the outcome. Exit status is the truth.
test: build-dev build-asan
	@scripts/start-services.sh "$(SERVICES_DIR)"
	@set -o pipefail; status=0; \
	  source "$(SERVICES_DIR)/env"; \
	  export PIERRE_SERVER_BIN="$(CURDIR)/build/dev/apps/pierre-mcp-server/pierre-mcp-server"; \
	  ctest --test-dir build/dev --output-on-failure -j $(TEST_JOBS) | tee build/dev/ctest.log || status=1; \
	  echo "== sanitizer pass (ASan+UBSan) =="; \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-16/bin/llvm-symbolizer \
	  PIERRE_SERVER_BIN="$(CURDIR)/build/asan/apps/pierre-mcp-server/pierre-mcp-server" \
	    ctest --test-dir build/asan --output-on-failure -j $(TEST_JOBS) | tee build/asan/ctest.log || status=1; \
	  scripts/stop-services.sh "$(SERVICES_DIR)"; \
	  echo "== fuzz smoke (libFuzzer, $${FUZZ_SECONDS:-15}s per target) =="; \
	  fuzz_failed=0; FUZZ_SECONDS=$${FUZZ_SECONDS:-15} FUZZ_JOBS=$(JOBS) fuzz/run-smoke.sh || { status=1; fuzz_failed=1; }; \
	  scripts/test-summary.sh build/dev/ctest.log build/asan/ctest.log "$$fuzz_failed"; \
	  exit $$status

bench: build
	@bench/run.sh

fuzz: deps
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-60} fuzz/run-smoke.sh

# docs/TOOLS.md, rendered from the tool registry (the product tools test fails when it is out of date).
docs: build-dev
	@PIERRE_UPDATE_DOCS=1 build/dev/tests/unit/tools/product_tools_test --gtest_filter='*ToolsReference*' >/dev/null
	@echo "docs/TOOLS.md updated"

fmt:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

lint: build-dev
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror
	@# clang 16 reads g++'s compile database; libstdc++ 12 hides std::expected from clang unless told its concepts
	@# support is complete (it is, for what <expected> needs).
	@# clang-tidy needs one compile command per source file: a configure-only tree without the unity build.
	@cmake --preset dev -B build/lint -DCMAKE_UNITY_BUILD=OFF >/dev/null
	@git ls-files 'src/*.cpp' 'apps/*.cpp' | xargs clang-tidy-16 -p build/lint --quiet \
	  --extra-arg=-D__cpp_concepts=202002L --extra-arg=-Wno-macro-redefined

clean:
	rm -rf build
