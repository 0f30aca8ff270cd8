"""`make bench-compare`: the Rust criterion benches, the Python and Node comparisons, one table.

Runs, in one go on a quiet machine:
  1. cargo bench (verify, impersonation, cache) — criterion writes target/criterion/*/estimates.json;
  2. benches/compare/python/bench.py — prints markdown tables (ours against PyJWT, authlib, joserfc);
  3. benches/compare/node/bench.mjs — prints markdown tables (ours against jose, fast-jwt, ...);
three times (`--runs N`), then writes the section of docs/benchmarks.md between
`<!-- bench-compare:start -->` and `<!-- bench-compare:end -->`:
one summary table (per algorithm: the raw aws-lc-rs signature floor, Rust, Python and Node, the
fastest peer in each language; each cell the median of the runs with their spread, and its multiple
of the floor), the targets with the median of each run's ratio, and the last run's full tables;
and the README's section between `<!-- bench-summary:start -->` and `<!-- bench-summary:end -->`:
when and how it was measured, and the targets table (Rust's included: full verification ÷ the
signature check, the impersonation verification and a cache hit in µs).

A run whose raw signature floor is more than 10% away from the runs' median floor for any algorithm
measured a machine that was busy with something else: it is discarded and another run is made, up
to twice the runs asked for; with fewer valid runs than asked, nothing is written.
Usage: python3 scripts/bench_compare.py [--quick] [--runs N] | --render-only
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
import platform
import re
import subprocess
import sys
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

ROOT = pathlib.Path(__file__).resolve().parent.parent
CACHE = pathlib.Path(os.environ.get("IFX_CACHE", pathlib.Path.home() / ".cache/incidentfox-auth"))
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", CACHE / "target"))
# cargo and criterion must agree with the reader on where results go.
os.environ["CARGO_TARGET_DIR"] = str(TARGET)
# scripts/test-python.sh's venv: it holds the release wheel; the peers are added to it from the
# `bench` dependency group of bindings-python/pyproject.toml.
VENV_PY = CACHE / "venv/bin/python"
ALGS = ["RS256", "ES256", "EdDSA", "HS256"]
START, END = "<!-- bench-compare:start -->", "<!-- bench-compare:end -->"
# The page the generated section lives in.
REPORT = ROOT / "docs/benchmarks.md"
# The README's summary: the targets table and when it was measured, between these markers.
README = ROOT / "README.md"
SUMMARY_START, SUMMARY_END = "<!-- bench-summary:start -->", "<!-- bench-summary:end -->"
# The Rust targets: full verification ÷ the raw signature check, at most; the impersonation
# (HS256) verification and a verified-token cache hit, in µs, at most.
RUST_RATIO_TARGET = 1.1
RUST_HS256_TARGET_US = 1.5
RUST_HIT_TARGET_US = 0.5
# A run whose reference measure (bench-compare: the signature floor; bench-load: the no-auth
# baseline) is more than this far from the runs' median of it measured a busy machine.
TOLERANCE = 0.10
# A run type for the run loop, whatever a script keeps of one run.
Run = TypeVar("Run")


def run(cmd: list[str], cwd: pathlib.Path = ROOT) -> str:
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.PIPE, text=True)
    return out.stdout


def criterion_us(group: str, bench: str | None = None) -> float | None:
    """Criterion's median for `group/bench`, or for an ungrouped `bench_function(group)`."""
    folder = TARGET / "criterion" / group
    path = (folder / bench if bench else folder) / "new" / "estimates.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())["median"]["point_estimate"] / 1000.0


def verification_table(markdown: str) -> dict[str, dict[str, float]]:
    """Rows of the first table whose second header cell is incidentfox-auth: {alg: {column: µs}}."""
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 2 and "incidentfox" in cells[1]:
            header = ["token", "incidentfox-auth", *cells[2:]]
            rows: dict[str, dict[str, float]] = {}
            for row in lines[i + 2 :]:
                if not row.startswith("|"):
                    break
                values = [c.strip() for c in row.strip().strip("|").split("|")]
                alg = next((a for a in ALGS if a in values[0]), None)
                if alg is None:
                    continue
                rows[alg] = {}
                for name, value in zip(header[1:], values[1:]):
                    m = re.search(r"([\d.,]+)\s*µs", value)
                    if m and "÷" not in name and "target" not in name:
                        rows[alg][name] = float(m.group(1).replace(",", ""))
            return rows
    return {}


def ratios(markdown: str) -> dict[str, tuple[float, str, float]]:
    """The first verification table's verdict cells: {alg: (ours ÷ fastest peer, peer, target)}."""
    found: dict[str, tuple[float, str, float]] = {}
    for line in markdown.splitlines():
        m = re.search(r"\*\*([\d.]+)×\*\* \(vs ([^)]+)\)\s*\|\s*≥ ([\d.]+)×", line)
        alg = next((a for a in ALGS if a in line.split("|")[1]), None) if line.startswith("|") else None
        if m and alg and alg not in found:
            found[alg] = (float(m.group(1)), m.group(2), float(m.group(3)))
    return found


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def spread(values: list[float | None]) -> tuple[float | None, float | None, float | None]:
    """(median, min, max) of the values present."""
    present = [v for v in values if v is not None]
    if not present:
        return None, None, None
    return median(present), min(present), max(present)


def fmt(us: float | None) -> str:
    if us is None:
        return "—"
    rate = 1e6 / us
    rate_s = f"{rate / 1e6:.2f}M/s" if rate >= 1e6 else f"{rate / 1e3:.1f}k/s"
    return f"{us:.1f} µs ({rate_s})" if us >= 1 else f"{us * 1000:.0f} ns ({rate_s})"


def times(us: float | None, floor: float | None) -> str:
    return f"{us / floor:.2f}×" if us and floor else "—"


def demoted(markdown: str) -> str:
    """`markdown` with its headings turned into level-4 ones, so a script's report nested in
    docs/benchmarks.md does not add top-level sections to it."""
    return re.sub(r"^#{1,3} ", "#### ", markdown, flags=re.MULTILINE)


def criterion_figures() -> dict[str, float | None]:
    """The criterion medians one run wrote, read before the next run overwrites them."""
    figures: dict[str, float | None] = {
        "hit": criterion_us("verified cache hit (RS256 token)"),
        "hit_es": criterion_us("verified cache hit (ES256 token)"),
        "hit_read": criterion_us("verified cache hit, identity read (RS256 token)"),
        "hit_off": criterion_us("verified cache hit (RS256 token), counting off"),
        "hit_sha": criterion_us("sha256 of the token (cache key)"),
    }
    for alg in ALGS:
        figures[f"floor {alg}"] = criterion_us(alg, "raw aws-lc-rs signature check")
        figures[f"rust {alg}"] = criterion_us(alg, "incidentfox-auth verify")
    return figures


def one_run(quick: bool) -> dict:
    crit = ["--", "--warm-up-time", "1", "--measurement-time", "1" if quick else "4"]
    run(["cargo", "bench", "-p", "incidentfox-auth-benches", "--bench", "verify", "--bench", "impersonation", "--bench", "cache", *crit])
    figures = criterion_figures()
    py = run([str(VENV_PY), "benches/compare/python/bench.py", *(["--quick"] if quick else [])])
    # --expose-gc as `npm run bench` runs it: each timed loop then pays for its own garbage.
    node = run(["node", "--expose-gc", "bench.mjs", *(["--quick"] if quick else [])], cwd=ROOT / "benches/compare/node")
    return {"criterion": figures, "python": py, "node": node}


def moved(runs: list[Run], measures: Iterable[Hashable], value: Callable[[Run, Hashable], float | None]) -> list[Run]:
    """The runs whose `value` of some measure (None where a run lacks it) is more than
    TOLERANCE from the median of that measure over the runs that have it, in run order."""
    bad: list[Run] = []
    for measure in measures:
        values = [value(r, measure) for r in runs]
        mid = spread(values)[0]
        if mid is None:
            continue
        bad += [r for r, v in zip(runs, values) if v is not None and abs(v - mid) > TOLERANCE * mid]
    return [r for r in runs if any(r is b for b in bad)]


def steady_runs(wanted: int, one_run: Callable[[], Run], noisy: Callable[[list[Run]], list[Run]]) -> tuple[list[Run], list[Run]]:
    """Makes runs until `wanted` of them are valid (not `noisy` among all the runs made so far)
    or twice `wanted` runs were made: (every run made, the valid ones). A run found noisy stays
    among the runs, so that it still counts in the medians that judge the next ones."""
    runs: list[Run] = []
    while True:
        valid = [r for r in runs if not any(r is n for n in noisy(runs))]
        if len(valid) >= wanted or len(runs) >= 2 * wanted:
            return runs, valid
        print(f"run {len(runs) + 1} ({len(valid)} valid of {wanted} wanted)", file=sys.stderr, flush=True)
        runs.append(one_run())


def noisy(runs: list[dict]) -> list[dict]:
    """The runs whose floor is more than 10% from the median floor of some algorithm."""
    return moved(runs, ALGS, lambda r, alg: r["criterion"].get(f"floor {alg}"))


def machine() -> str:
    """The CPU model and core count, or what `platform` knows where /proc/cpuinfo says nothing."""
    text = platform.processor() or platform.machine()
    try:
        model = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
        text = f"{model}, {os.cpu_count()} cores"
    except (OSError, StopIteration):
        pass
    return text


def cell(values: list[float | None], floor: float | None) -> str:
    mid, low, high = spread(values)
    if mid is None:
        return "—"
    text = fmt(mid)
    if len([v for v in values if v is not None]) > 1 and low is not None and high is not None:
        text += f" [{fmt_short(low)}–{fmt_short(high)}]"
    return f"{text} · {times(mid, floor)}" if floor else text


def target_row(language: str, what: str, figures: tuple[float | None, float | None, float | None],
               unit: str, measured_as: str, target: str, met: bool, bound: str = "—") -> str:
    """One row of the targets table: the median and range of the runs' figures, the verdict,
    which is the median's, and the bound the work measured sets on the figure."""
    mid, low, high = figures
    if mid is None or low is None or high is None:
        return f"| {language} | {what} | — | {measured_as} | {target} | {bound} | **not measured** |"
    digits = 2 if unit == "×" or mid < 10 else 1
    value = f"{mid:.{digits}f}{unit} [{low:.{digits}f}–{high:.{digits}f}]"
    verdict = "met" if met else "**missed**"
    return f"| {language} | {what} | {value} | {measured_as} | {target} | {bound} | {verdict} |"


# The targets table's head. "Bound" is the best the figure could be were everything but the work
# it cannot skip free: for a ratio to the fastest peer, that peer ÷ the raw signature check (ours
# makes that check); for a cache hit, the SHA-256 of the token (its key).
TARGETS_HEAD = [
    "| language | what | median [spread] | measured as | target | bound | verdict |",
    "|---|---|---|---|---|---|---|",
]


def rust_targets(crit: list[dict[str, float | None]]) -> list[str]:
    """The Rust rows of the targets table: each run's full verification ÷ its raw signature check
    (RS256, ES256, EdDSA), the impersonation verification and the cache hit, in µs."""
    rows = []
    for alg in ("RS256", "ES256", "EdDSA"):
        per_run = [
            full / floor
            for full, floor in ((c.get(f"rust {alg}"), c.get(f"floor {alg}")) for c in crit)
            if full and floor
        ]
        figures = spread(per_run)  # type: ignore[arg-type]
        rows.append(target_row(
            "Rust", alg, figures, "×", "full verification ÷ raw signature check",
            f"≤ {RUST_RATIO_TARGET}×", figures[0] is not None and figures[0] <= RUST_RATIO_TARGET,
        ))
    for what, key, target, floor_key in (
        ("HS256 (impersonation)", "rust HS256", RUST_HS256_TARGET_US, None),
        ("verified-token cache hit, 634-byte RS256 token", "hit", RUST_HIT_TARGET_US, "hit_sha"),
    ):
        figures = spread([c.get(key) for c in crit])
        floor = spread([c.get(floor_key) for c in crit])[0] if floor_key else None
        rows.append(target_row(
            "Rust", what, figures, " µs", "µs per call", f"≤ {target} µs",
            figures[0] is not None and figures[0] <= target,
            f"{floor:.2f} µs (the token's SHA-256)" if floor else "—",
        ))
    return rows


def summary(measured: str, targets: list[str]) -> list[str]:
    """The README's section: when and how the targets were measured, their table, and where the
    reasons for each missed one are."""
    return [
        SUMMARY_START,
        f"{measured} The per-call figures, every peer and how each is called are in "
        "[docs/benchmarks.md](docs/benchmarks.md).",
        "",
        *targets,
        "",
        "\"Bound\" is the best the figure could be were everything but the work it cannot skip free: "
        "for a ratio to the fastest peer, that peer ÷ the raw signature check our call makes; for a "
        "cache hit, the SHA-256 of the token that keys it. What was tried for each missed target is "
        "in [docs/benchmarks.md](docs/benchmarks.md#what-the-numbers-say-the-runs-above).",
        SUMMARY_END,
    ]


def replace_between(text: str, start: str, end: str, lines: list[str]) -> str:
    """`text` with the part from `start` to `end` (markers included) replaced by `lines`."""
    if start not in text or end not in text or text.index(start) > text.index(end):
        raise ValueError(f"the `{start}` … `{end}` markers are missing")
    return text[: text.index(start)] + "\n".join(lines) + text[text.index(end) + len(end) :]


def fmt_short(us: float) -> str:
    return f"{us:.1f}" if us >= 1 else f"{us * 1000:.0f} ns"


def main() -> int:
    quick = "--quick" in sys.argv
    wanted = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else (1 if quick else 3)
    if "--render-only" in sys.argv:
        sys.exit("--render-only needs the runs' raw results, which are not kept: run again")
    if not VENV_PY.exists():
        sys.exit(f"{VENV_PY} is missing: run scripts/test-python.sh first (it builds the release wheel into it)")
    pip = [str(VENV_PY), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    run([*pip, "pip>=25.1"])
    run([*pip, "--group", f"{ROOT / 'bindings-python/pyproject.toml'}:bench"])
    node_dir = ROOT / "benches/compare/node"
    if not (node_dir / "node_modules").exists():
        # `npm install`, not `npm ci`: benches/compare/node/README.md says why.
        run(["npm", "install", "--no-audit", "--no-fund"], cwd=node_dir)

    runs, valid = steady_runs(wanted, lambda: one_run(quick), noisy)
    discarded = len(runs) - len(valid)
    if len(valid) < wanted:
        print(f"only {len(valid)} of {len(runs)} runs had a steady floor; nothing written", file=sys.stderr)
        return 1

    crit = [r["criterion"] for r in valid]
    py_rows = [verification_table(r["python"]) for r in valid]
    node_rows = [verification_table(r["node"]) for r in valid]
    table = [
        "| algorithm | raw signature floor (Rust) | Rust full verify | Python | fastest Python peer | Node | fastest Node peer |",
        "|---|---|---|---|---|---|---|",
    ]
    ceilings = []
    # Per language and algorithm: the median fastest peer ÷ the median floor.
    bounds: dict[tuple[str, str], float] = {}
    for alg in ALGS:
        floors = [c.get(f"floor {alg}") for c in crit]
        floor = spread(floors)[0]
        columns: list[list[float | None]] = [[c.get(f"rust {alg}") for c in crit]]
        for rows in (py_rows, node_rows):
            columns.append([r.get(alg, {}).get("incidentfox-auth") for r in rows])
            columns.append([
                min((v for k, v in r.get(alg, {}).items() if k != "incidentfox-auth"), default=None)
                for r in rows
            ])
        cells = [alg, cell(floors, None)] + [cell(values, floor) for values in columns]
        table.append("| " + " | ".join(cells) + " |")
        for language, peer in (("Python", spread(columns[2])[0]), ("Node", spread(columns[4])[0])):
            if floor and peer:
                bounds[(language, alg)] = peer / floor
        if ("Node", alg) in bounds:
            ceilings.append(f"{alg} {bounds[('Node', alg)]:.2f}×")

    targets = [*TARGETS_HEAD, *rust_targets(crit)]
    for language, key in (("Python", "python"), ("Node", "node")):
        per_run = [ratios(r[key]) for r in valid]
        for alg in ALGS:
            found = [p[alg] for p in per_run if alg in p]
            if not found:
                continue
            mid, low, high = spread([f[0] for f in found])
            target = found[-1][2]
            peers = sorted({f[1] for f in found})
            bound = bounds.get((language, alg))
            targets.append(target_row(
                language, alg, (mid, low, high), "×", f"ours ÷ fastest peer ({', '.join(peers)})",
                f"≥ {target}×", mid is not None and mid >= target, f"{bound:.2f}×" if bound else "—",
            ))

    hits = {k: spread([c.get(k) for c in crit])[0] for k in ("hit", "hit_es", "hit_read", "hit_off")}
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    section = [
        START,
        f"Measured {when} on {machine()} with `make bench-compare`{' (quick)' if quick else ''}: "
        f"{len(valid)} complete runs in one sitting"
        + (f" ({discarded} more discarded: their signature floor moved by more than 10%)" if discarded else "")
        + ". Each figure is the median of the runs' medians, with the runs' range in brackets (µs), "
        "then its multiple of the raw aws-lc-rs signature check with a pre-parsed key (HS256 has no "
        "Rust floor row). No verified-token cache in these rows; a cache hit in Rust takes "
        f"{fmt(hits['hit'])} for the 634-byte RS256 token (half of it the SHA-256 of the token; "
        f"{fmt(hits['hit_off'])} with every counter switched off), {fmt(hits['hit_es'])} for a "
        f"400-byte ES256 one, and {fmt(hits['hit_read'])} when the claims are read back (a hit keeps "
        "only the verdict; the claims are parsed from the token on first use).",
        "",
        *table,
        "",
        "Targets: each run's ratio is ours ÷ the fastest peer of that run; the verdict is the median's.",
        "",
        *targets,
        "",
        # Our Node call cannot take less than the signature check it makes, so the fastest Node
        # peer ÷ the floor bounds the ratio the Node targets ask for.
        "The most that ours ÷ the fastest Node peer could be, were everything but the signature check "
        f"free (median fastest Node peer ÷ median floor): {', '.join(ceilings) or '—'}.",
        "",
        "The full tables below are the last run's; their verdicts are that run's alone.",
        "",
        "<details><summary>Python, in full</summary>",
        "",
        demoted(valid[-1]["python"].strip()),
        "",
        "</details>",
        "",
        "<details><summary>Node, in full</summary>",
        "",
        demoted(valid[-1]["node"].strip()),
        "",
        "</details>",
        END,
    ]
    text = REPORT.read_text()
    if START in text and END in text:
        text = text[: text.index(START)] + "\n".join(section) + text[text.index(END) + len(END) :]
    else:
        text = text.replace("# Benchmarks\n", "# Benchmarks\n\n" + "\n".join(section) + "\n", 1)
    REPORT.write_text(text)
    measured = (
        f"Measured {when} on {machine()} with `make bench-compare`{' (quick)' if quick else ''}: "
        f"{len(valid)} complete runs in one sitting"
        + (f" ({discarded} more discarded: their signature floor moved by more than 10%)" if discarded else "")
        + "; each figure is the median of the runs, with their range in brackets, and a target "
        "counts as met when the median meets it."
    )
    README.write_text(replace_between(README.read_text(), SUMMARY_START, SUMMARY_END, summary(measured, targets)))
    print("\n".join(table + [""] + targets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
