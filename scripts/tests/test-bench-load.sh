#!/usr/bin/env bash
# The load benchmark's report (scripts/bench_load.py): wrk's output, scaling and shares, noisy
# runs, the section between its markers. Starts no server and times nothing.
set -euo pipefail
python3 "$(dirname "$0")/bench_load_test.py"
