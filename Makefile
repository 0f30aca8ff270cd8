# incidentfox-auth — every command a contributor needs. `make help` lists them.

# The project's caches (the test venv, the Rust builds) live outside the clone, under IFX_CACHE,
# so repeated runs and fresh clones stay incremental; .ci/run points all three at an empty folder.
IFX_CACHE ?= $(HOME)/.cache/incidentfox-auth
CARGO_TARGET_DIR ?= $(IFX_CACHE)/target
FUZZ_TARGET_DIR ?= $(IFX_CACHE)/fuzz-target
export IFX_CACHE CARGO_TARGET_DIR FUZZ_TARGET_DIR
CARGO ?= cargo

.PHONY: help test demo fmt lint bench bench-compare bench-load fuzz soak dist

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

demo: ## run the main job on embedded defaults (local key, static JWKS, no network)
	$(CARGO) run --quiet -p incidentfox-auth-cli -- demo

test: ## every check: lint, the scripts' own tests, the Rust, Python and Node suites (PostgreSQL, login, CLI, README, demo), a fuzz smoke; a tally per suite
	scripts/with-postgres.sh scripts/test-all.sh

dist: ## every artifact this machine builds (wheels, sdist, npm packages, crate) into dist/, each checked; docs/install.md
	scripts/dist.sh

fmt: ## format the code
	$(CARGO) fmt --all

lint: ## formatting and clippy, warnings are errors
	CARGO=$(CARGO) scripts/lint.sh

bench: ## criterion benchmarks: verify vs the raw signature check; impersonation; permission checks; cache
	$(CARGO) bench -p incidentfox-auth-benches --bench verify --bench impersonation --bench permissions --bench cache

fuzz: ## run every fuzz target for FUZZ_SECONDS each (default 20)
	scripts/fuzz.sh

soak: ## verify under key rotation, IdP faults and a PostgreSQL restart for SOAK_SECONDS (default 60)
	SOAK_SECONDS=$${SOAK_SECONDS:-60} scripts/with-postgres.sh $(CARGO) test -p incidentfox-auth --features postgres --test soak -- --nocapture

bench-compare: ## criterion benches + the Python and Node comparisons; writes the table in docs/benchmarks.md
	python3 scripts/bench_compare.py

bench-load: ## one service under wrk, 1 and N workers (uvicorn, Node cluster), with and without auth; writes docs/benchmarks.md
	python3 scripts/bench_load.py
