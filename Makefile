# crowdfund: `make run` and `make test` install whatever is missing first.
# Python tools live in two virtual environments because eth-brownie pins exact versions
# (python-dotenv 0.16 among them) that the gateway's pydantic-settings cannot share:
#   .venv          the crowdfund package, the gateway and the test runner
#   .venv-brownie  eth-brownie: compiling, the contract tests, the deploy scripts
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BVENV := .venv-brownie
BROWNIE := $(BVENV)/bin/brownie
ANVIL_BIN := node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
# The compiler pin is brownie-config.yaml's `compiler:` section (crowdfund/compiler.py
# explains why); read here with awk because this runs before any Python environment exists.
SOLC_VERSION := $(shell awk '/^ *solc:/ { s = 1 } s && /^ *version:/ { print $$2; exit }' brownie-config.yaml)
# Ports of the project's local chains: `make run` keeps one on 18545; `make test` lets
# brownie start and stop its own on 18546 (CONTRACTS_PORT=... for another, so that two
# clones can test side by side) and starts one on 18548 for the script tests; benchmarks
# use 18547. Never 8545, which other tools on the machine may hold.
RUN_PORT ?= 18545
CONTRACTS_PORT ?= 18546
CONTRACTS_NETWORK := crowdfund-contracts-$(CONTRACTS_PORT)
# brownie attaches to whatever already listens on its port, silently: refuse that instead.
PORT_FREE = (! (exec 3<>/dev/tcp/127.0.0.1/$(1)) 2>/dev/null) || { echo "error: port $(1) is taken; brownie would run the tests on that node: stop it, or pick another port with CONTRACTS_PORT=..." >&2; exit 1; }
# Swagger UI's files for the gateway's /docs, copied into the package (see below).
DOCS_ASSETS := api/http/docs_assets/.copied

export PATH := $(CURDIR)/.toolchain/bin:$(PATH)
export SOLCX_BINARY_PATH := $(CURDIR)/.toolchain/solcx
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup networks system-packages compile run test test-contracts test-python test-unit test-deep coverage bench-gas bench-api bench-audit mutate audit lint clean help
.DEFAULT_GOAL := help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

# ---------------------------------------------------------------- installation

setup: node_modules/.installed $(VENV)/.installed $(BVENV)/.installed $(BVENV)/.dotted-paths .toolchain/.installed networks  ## install everything the project needs (idempotent)

node_modules/.installed: package.json package-lock.json
	@echo "==> npm tools: solc-js, anvil, OpenZeppelin Contracts"
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(VENV)/.installed: pyproject.toml
	@echo "==> Python environment for the gateway and tests ($(VENV))"
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[api,test]' 'setuptools>=77'
	$(VENV)/bin/pip check
	@touch $@

$(BVENV)/.installed: pyproject.toml
	@echo "==> Python environment for brownie ($(BVENV))"
	@test -d $(BVENV) || $(PYTHON) -m venv $(BVENV)
	$(BVENV)/bin/pip install --quiet --upgrade pip
	$(BVENV)/bin/pip install --quiet -e '.[contracts]'
	@# brownie 1.22.2's wheel ships three broken mypyc-compiled modules beside their
	@# Python sources: state machine tests and --coverage crash with them. Removing the
	@# .so files makes Python import the working .py sources instead.
	rm -f $(BVENV)/lib/python3*/site-packages/brownie/test/{stateful,coverage,output}.cpython-*.so
	$(BVENV)/bin/pip check
	@touch $@

# The package's dependencies as wheels, for the test that installs the built wheel into a
# fresh environment while the tests run offline (tests/packaging).
.toolchain/wheelhouse/.filled: pyproject.toml $(VENV)/.installed
	@echo "==> wheels of the package's dependencies (.toolchain/wheelhouse)"
	$(VENV)/bin/pip wheel --quiet --wheel-dir .toolchain/wheelhouse '.[api]'
	@touch $@

# `brownie run` cannot import a script from a checkout whose path has a dot in it
# (/home/jane.doe/...): it turns the folders into a dotted module name. Its code is
# compiled, so an import finder that resolves such names is installed beside it, loaded at
# every start by a .pth file (tools/brownie_dotted_paths.py says how).
$(BVENV)/.dotted-paths: tools/brownie_dotted_paths.py $(BVENV)/.installed
	cp tools/brownie_dotted_paths.py $(BVENV)/lib/python3*/site-packages/
	echo "import brownie_dotted_paths" > "$$(echo $(BVENV)/lib/python3*/site-packages)/crowdfund-brownie-dotted-paths.pth"
	@touch $@

# Debian packages: PostgreSQL for the index tests (they start a throwaway server when it is
# installed, and skip that variant otherwise), wrk for `make bench-api` (which falls back
# to a Python load generator without it), and Chromium for the backer page's tests
# (skipped without it). Needs root, as in CI.
system-packages:  ## PostgreSQL, wrk and Chromium from Debian (root; CI runs it)
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v wrk >/dev/null && command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "==> Debian packages: postgresql, wrk, chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql wrk chromium >/dev/null; \
	else echo "note: not root; install postgresql, wrk and chromium with apt-get for the PostgreSQL tests, bench-api and the page tests"; fi

# py-solc-x and brownie find the compiler as solc-v<version> in SOLCX_BINARY_PATH; it is
# tools/solc.js, a native-style command line over the npm solc-js package.
.toolchain/.installed: node_modules/.installed tools/solc.js
	@mkdir -p .toolchain/solcx .toolchain/bin
	ln -sf ../../tools/solc.js .toolchain/solcx/solc-v$(SOLC_VERSION)
	ln -sf ../../$(ANVIL_BIN) .toolchain/bin/anvil
	@.toolchain/solcx/solc-v$(SOLC_VERSION) --version | tail -1
	@anvil --version | head -1
	@touch $@

# brownie keeps networks in ~/.brownie/network-config.yaml, shared by every clone (a
# networks: block in brownie-config.yaml crashes brownie 1.22): registered under a lock and
# replaced atomically on every setup, so that clones setting up at once never leave it
# half-written (tools/brownie_networks.py).
networks: $(VENV)/.installed $(BVENV)/.installed
	@$(VENV)/bin/python tools/brownie_networks.py --contracts-port $(CONTRACTS_PORT) \
	  --default "$$(echo $(BVENV)/lib/python3*/site-packages/brownie/data/network-config.yaml)"

# ------------------------------------------------------------------ building

# The package ships what it deploys (ABI, bytecode, compiler) as data in
# crowdfund/artifacts/, exported from brownie's build and committed.
compile: setup $(DOCS_ASSETS)  ## compile the contracts (brownie skips unchanged sources) and export them into the package
	@# brownie's banner and progress are shown only when the compile fails.
	@echo "==> contracts (brownie compile into build/contracts)"
	@out=$$($(BROWNIE) compile 2>&1) || { echo "$$out" >&2; exit 1; }
	@$(VENV)/bin/python -m crowdfund.artifacts

# Swagger UI for the gateway's /docs ships inside the package (api/http/docs_assets), so
# that an installed gateway serves it without node_modules and without a CDN.
$(DOCS_ASSETS): node_modules/.installed
	@mkdir -p $(@D)
	cp node_modules/swagger-ui-dist/{swagger-ui-bundle.js,swagger-ui.css,favicon-32x32.png,LICENSE,NOTICE} $(@D)/
	@touch $@

# --------------------------------------------------------------------- using

run: compile  ## local chain + escrow + demo campaigns + gateway on http://127.0.0.1:8000 (Ctrl-C stops all)
	@RUN_PORT=$(RUN_PORT) VENV=$(VENV) tools/run_local.sh

clean:  ## forget the local chain, its deployment record and all build output
	rm -rf .chain deployments/31337.json build reports .hypothesis

# ------------------------------------------------------------------- testing

# After setup, the tests run with no network but loopback (tools/offline.sh): a test or a
# tool that reaches beyond 127.0.0.1 fails instead of passing only while online.
test: compile .toolchain/wheelhouse/.filled  ## the whole test suite (offline): contracts on anvil, then the Python side
	tools/offline.sh $(MAKE) --no-print-directory test-contracts test-python

test-contracts: compile  ## only the contract tests, on brownie's own anvil (what an auditor replays)
	@$(call PORT_FREE,$(CONTRACTS_PORT))
	$(BROWNIE) test tests/contracts --network $(CONTRACTS_NETWORK)

test-python: compile .toolchain/wheelhouse/.filled  ## only the Python side: domain, CLI, gateway, page, packaging
	$(VENV)/bin/pytest

test-unit: setup  ## the fast unit layer only: no chain, no server (seconds)
	$(VENV)/bin/pytest tests/unit

test-deep: compile  ## the contract state machines' deep profiles (escrow 2,000 x 50 steps, vault 500 x 50)
	@$(call PORT_FREE,$(CONTRACTS_PORT))
	CROWDFUND_SM_EXAMPLES=2000 CROWDFUND_SM_STEPS=50 CROWDFUND_VAULT_SM_EXAMPLES=500 CROWDFUND_VAULT_SM_STEPS=50 \
	  $(BROWNIE) test tests/contracts -k state_machine --network $(CONTRACTS_NETWORK)

coverage: compile  ## contract tests with brownie's coverage report, then coverage line by line
	@$(call PORT_FREE,$(CONTRACTS_PORT))
	$(BROWNIE) test tests/contracts --coverage --network $(CONTRACTS_NETWORK)
	@# brownie's table skips functions without branches; this lists every statement's line.
	$(BVENV)/bin/python tests/contracts/coverage_lines.py CrowdfundEscrow
	$(BVENV)/bin/python tests/contracts/coverage_lines.py MilestoneVault

bench-gas: compile  ## measure gas per operation; writes docs/gas.md
	@# brownie only finds scripts outside scripts/ by absolute path
	$(BROWNIE) run $(CURDIR)/benchmarks/gas.py --network crowdfund-bench

# Parts: base (1,000 campaigns), scale (1,000,000 events; its chain is seeded once and
# cached in .bench/), live, sse (1,000 clients on /events) and memory. One part alone:
# make bench-api BENCH_ARGS="--only scale" (prints only; a run of all rewrites the report).
bench-api: compile  ## gateway speed, scale, live chain, SSE fan-out and memory; writes docs/performance.md
	$(VENV)/bin/python benchmarks/api_bench.py $(BENCH_ARGS)

# The chain (1,000 campaigns, 99,000 pledges) is seeded once and cached in .bench/ like
# bench-api's. Another count: make bench-audit BENCH_ARGS="--events 20000".
bench-audit: compile  ## `crowdfund audit` over 100,000 escrow events, cold cache and warm; writes docs/audit.md
	$(VENV)/bin/python benchmarks/audit.py $(BENCH_ARGS)

# One brownie network per mutant tested at once: tools/mutate.py runs each on its own anvil.
MUTATE_JOBS ?= 1
mutate: compile  ## mutation campaign over the contracts, scored by the contract tests; writes docs/audit.md
	@for n in $$(seq 0 $$(($(MUTATE_JOBS) - 1))); do \
	  $(VENV)/bin/python tools/brownie_networks.py --contracts-port $$((18950 + n)) \
	    --default "$$(echo $(BVENV)/lib/python3*/site-packages/brownie/data/network-config.yaml)" >/dev/null; done
	$(VENV)/bin/python tools/mutate.py --jobs $(MUTATE_JOBS) --write $(MUTATE_ARGS)

audit: compile $(BVENV)/.slither  ## static analysis of the escrow and the vault with Slither (triage: docs/audit.md)
	benchmarks/slither.sh

# Slither installs beside brownie (its solc-select shim is never used: slither.sh passes
# the project's compiler explicitly).
$(BVENV)/.slither: $(BVENV)/.installed
	$(BVENV)/bin/pip install --quiet 'slither-analyzer==0.11.6' 'typing-extensions==4.15.0'
	$(BVENV)/bin/pip check
	@touch $@

lint: setup  ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
