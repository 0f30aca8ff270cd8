"""The pure parts of scripts/bench_compare.py: reading each language's table, the median and
spread of several runs, which runs a moving signature floor invalidates, and the loop that makes
runs until enough are valid."""

import contextlib
import importlib.util
import io
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("bench_compare", ROOT / "scripts/bench_compare.py")
bc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bc)

NODE = """
| token | @incidentfox/auth | jose | fast-jwt | ours ÷ fastest peer | target |
|---|---|---|---|---|---|
| OIDC RS256 | 28.9k/s · 34.6 µs | 4.1k/s · 242.1 µs | 16.5k/s · 60.5 µs | **1.74×** (vs fast-jwt) | ≥ 1.4×: met |
| Impersonation HS256 | 94.1k/s · 10.6 µs | 5.8k/s · 171.8 µs | 41.3k/s · 24.2 µs | **2.28×** (vs fast-jwt) | ≥ 2×: met |
"""

rows = bc.verification_table(NODE)
assert rows["RS256"] == {"incidentfox-auth": 34.6, "jose": 242.1, "fast-jwt": 60.5}, rows
assert bc.ratios(NODE) == {"RS256": (1.74, "fast-jwt", 1.4), "HS256": (2.28, "fast-jwt", 2.0)}
assert bc.spread([3.0, None, 1.0, 2.0]) == (2.0, 1.0, 3.0)
assert bc.median([1.0, 2.0, 3.0, 10.0]) == 2.5
steady = [{"criterion": {"floor RS256": f}} for f in (27.0, 27.6, 26.8)]
assert bc.noisy(steady) == []
moved = steady + [{"criterion": {"floor RS256": 31.0}}]
assert bc.noisy(moved) == [moved[3]]


def floors(*values: float):
    """A stand-in for one_run: each call is the next run, with these RS256 floors."""
    made = iter(values)
    return lambda: {"criterion": {"floor RS256": next(made)}}


# The third run's floor moved: it is discarded, and a fourth run makes three valid ones.
progress = io.StringIO()
with contextlib.redirect_stderr(progress):
    runs, valid = bc.steady_runs(3, floors(27.0, 27.2, 35.0, 26.9), bc.noisy)
assert progress.getvalue().splitlines()[-1] == "run 4 (2 valid of 3 wanted)", progress.getvalue()
assert [r["criterion"]["floor RS256"] for r in runs] == [27.0, 27.2, 35.0, 26.9], runs
assert [r["criterion"]["floor RS256"] for r in valid] == [27.0, 27.2, 26.9], valid
# Never steady: it stops at twice the runs asked for, with fewer valid ones than asked.
with contextlib.redirect_stderr(io.StringIO()):
    runs, valid = bc.steady_runs(2, floors(10.0, 20.0, 40.0, 80.0, 160.0), bc.noisy)
assert len(runs) == 4 and valid == [], (runs, valid)
assert bc.cell([1.0, 2.0, 3.0], 1.0).endswith("[1.0–3.0] · 2.00×")

# The Rust targets: each run's ratio to its own floor, the median's verdict; µs figures as they are.
crit = [
    {"rust RS256": 17.6, "floor RS256": 16.0, "rust ES256": 52.0, "floor ES256": 50.0,
     "rust EdDSA": 40.0, "floor EdDSA": 38.0, "rust HS256": 1.4, "hit": 0.7, "hit_sha": 0.4},
    {"rust RS256": 18.0, "floor RS256": 16.0, "rust ES256": 51.0, "floor ES256": 50.0,
     "rust EdDSA": None, "floor EdDSA": 38.0, "rust HS256": 1.6, "hit": 0.6},
    {"rust RS256": 16.8, "floor RS256": 16.0, "rust ES256": 53.0, "floor ES256": 50.0,
     "rust EdDSA": 41.0, "floor EdDSA": 40.0, "rust HS256": 1.45, "hit": 0.65},
]
rows = bc.rust_targets(crit)
assert rows[0] == "| Rust | RS256 | 1.10× [1.05–1.12] | full verification ÷ raw signature check | ≤ 1.1× | — | met |", rows[0]
assert rows[1].endswith("| ≤ 1.1× | — | met |") and "1.04× [1.02–1.06]" in rows[1], rows[1]
# A run without the figure leaves the others; the median of two is their mean.
assert "1.04× [1.02–1.05]" in rows[2], rows[2]
assert rows[3] == "| Rust | HS256 (impersonation) | 1.45 µs [1.40–1.60] | µs per call | ≤ 1.5 µs | — | met |", rows[3]
# The cache hit's bound is the SHA-256 of the token (the median of the runs that measured it).
assert rows[4].endswith("| ≤ 0.5 µs | 0.40 µs (the token's SHA-256) | **missed** |") and "0.65 µs [0.60–0.70]" in rows[4], rows[4]
assert bc.target_row("Node", "ES256", (1.37, 1.34, 1.45), "×", "ours ÷ fastest peer (fast-jwt)", "≥ 1.4×", False, "1.50×") == (
    "| Node | ES256 | 1.37× [1.34–1.45] | ours ÷ fastest peer (fast-jwt) | ≥ 1.4× | 1.50× | **missed** |")
assert bc.rust_targets([{}])[0].endswith("| **not measured** |")

# The README's section replaces only what lies between its markers.
page = f"# x\n\nbefore\n{bc.SUMMARY_START}\nold\n{bc.SUMMARY_END}\nafter\n"
new = bc.replace_between(page, bc.SUMMARY_START, bc.SUMMARY_END, bc.summary("Measured now.", ["| t |"]))
assert new.startswith("# x\n\nbefore\n<!-- bench-summary:start -->\nMeasured now. The per-call"), new
assert "\n| t |\n\n\"Bound\" is the best" in new, new
assert new.endswith("#what-the-numbers-say-the-runs-above).\n<!-- bench-summary:end -->\nafter\n"), new
try:
    bc.replace_between("no markers", bc.SUMMARY_START, bc.SUMMARY_END, [])
    raise AssertionError("a page without the markers must be refused")
except ValueError:
    pass
assert bc.SUMMARY_START in (ROOT / "README.md").read_text(), "README.md lacks the summary's markers"
print("bench_compare: ok")
sys.exit(0)
