#!/usr/bin/env bash
# The benchmark report's arithmetic (scripts/bench_compare.py): medians, spreads, noisy runs.
set -euo pipefail
python3 "$(dirname "$0")/bench_compare_test.py"
