"""`make bench-compare`: the Rust criterion benches, the Python and Node comparisons, one table.

Runs, in one go on a quiet machine:
  1. cargo bench (verify, impersonation, cache) — criterion writes target/criterion/*/estimates.json;
  2. benches/compare/python/bench.py — prints markdown tables (ours against PyJWT, authlib, joserfc);
  3. benches/compare/node/bench.mjs — prints markdown tables (ours against jose, fast-jwt, ...);
then writes the section of docs/benchmarks.md between `<!-- bench-compare:start -->` and
`<!-- bench-compare:end -->`:
one summary table (µs/op and ops/s per algorithm: the raw aws-lc-rs signature floor, Rust, Python and
Node, the fastest peer in each language, and each figure as a multiple of the floor), followed by
each language's full tables. Usage: python3 scripts/bench_compare.py [--quick | --render-only]
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


def fmt(us: float | None) -> str:
    if us is None:
        return "—"
    rate = 1e6 / us
    rate_s = f"{rate / 1e6:.2f}M/s" if rate >= 1e6 else f"{rate / 1e3:.1f}k/s"
    return f"{us:.1f} µs ({rate_s})" if us >= 1 else f"{us * 1000:.0f} ns ({rate_s})"


def times(us: float | None, floor: float | None) -> str:
    return f"{us / floor:.2f}×" if us and floor else "—"


def from_report(summary: str) -> str:
    """A language's full output as the last run wrote it into docs/benchmarks.md."""
    text = REPORT.read_text()
    start = text.index(f"<summary>{summary}</summary>") + len(f"<summary>{summary}</summary>")
    return text[start : text.index("</details>", start)].strip()


def demoted(markdown: str) -> str:
    """`markdown` with its headings turned into level-4 ones, so a script's report nested in
    docs/benchmarks.md does not add top-level sections to it."""
    return re.sub(r"^#{1,3} ", "#### ", markdown, flags=re.MULTILINE)


def main() -> int:
    quick = "--quick" in sys.argv
    if "--render-only" in sys.argv:
        # Rebuild the summary from the last run (criterion's files and docs/benchmarks.md) without
        # measuring again.
        py, node = from_report("Python, in full"), from_report("Node, in full")
    else:
        crit = ["--", "--warm-up-time", "1", "--measurement-time", "1" if quick else "4"]
        run(["cargo", "bench", "-p", "incidentfox-auth-benches", "--bench", "verify", "--bench", "impersonation", "--bench", "cache", *crit])
        if not VENV_PY.exists():
            sys.exit(f"{VENV_PY} is missing: run scripts/test-python.sh first (it builds the release wheel into it)")
        pip = [str(VENV_PY), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        run([*pip, "pip>=25.1"])
        run([*pip, "--group", f"{ROOT / 'bindings-python/pyproject.toml'}:bench"])
        py = run([str(VENV_PY), "benches/compare/python/bench.py", *(["--quick"] if quick else [])])
        node_dir = ROOT / "benches/compare/node"
        if not (node_dir / "node_modules").exists():
            # `npm install`, not `npm ci`: benches/compare/node/README.md says why.
            run(["npm", "install", "--no-audit", "--no-fund"], cwd=node_dir)
        # --expose-gc as `npm run bench` runs it: each timed loop then pays for its own garbage.
        node = run(["node", "--expose-gc", "bench.mjs", *(["--quick"] if quick else [])], cwd=node_dir)
    python_rows, node_rows = verification_table(py), verification_table(node)

    hit = criterion_us("verified cache hit (RS256 token)")
    hit_es = criterion_us("verified cache hit (ES256 token)")
    hit_read = criterion_us("verified cache hit, identity read (RS256 token)")
    table = [
        "| algorithm | raw signature floor (Rust) | Rust full verify | Python | fastest Python peer | Node | fastest Node peer |",
        "|---|---|---|---|---|---|---|",
    ]
    ceilings = []
    for alg in ALGS:
        floor = criterion_us(alg, "raw aws-lc-rs signature check")
        rust = criterion_us(alg, "incidentfox-auth verify")
        p, n = python_rows.get(alg, {}), node_rows.get(alg, {})
        p_ours, n_ours = p.get("incidentfox-auth"), n.get("incidentfox-auth")
        p_peer = min((v for k, v in p.items() if k != "incidentfox-auth"), default=None)
        n_peer = min((v for k, v in n.items() if k != "incidentfox-auth"), default=None)
        cells = [alg, fmt(floor)]
        for value in (rust, p_ours, p_peer, n_ours, n_peer):
            cells.append(f"{fmt(value)} · {times(value, floor)}" if floor else fmt(value))
        table.append("| " + " | ".join(cells) + " |")
        if floor and n_peer:
            ceilings.append(f"{alg} {n_peer / floor:.2f}×")
    machine = platform.processor() or platform.machine()
    try:
        model = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
        machine = f"{model}, {os.cpu_count()} cores"
    except (OSError, StopIteration):
        pass
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if "--render-only" in sys.argv:
        text = REPORT.read_text()
        found = re.search(r"Measured (\d{4}-\d\d-\d\d \d\d:\d\d UTC)", text[text.find(START):])
        when = found.group(1) if found else when
    section = [
        START,
        f"Measured {when} on {machine} with `make bench-compare`{' (quick)' if quick else ''}. "
        "Each figure is the median time per verification (ops/s in brackets) and, after the dot, its "
        "multiple of the raw aws-lc-rs signature check with a pre-parsed key (HS256 has no Rust floor "
        "row). No verified-token cache in these rows; a cache hit in Rust takes "
        f"{fmt(hit)} for the 634-byte RS256 token (half of it the SHA-256 of the token), "
        f"{fmt(hit_es)} for a 400-byte ES256 one, and {fmt(hit_read)} when the claims are read "
        "back (a hit keeps only the verdict; the claims are parsed from the token on first use).",
        "",
        *table,
        "",
        # Our Node call cannot take less than the signature check it makes, so the fastest Node
        # peer ÷ the floor bounds the ratio the Node targets ask for.
        "The most that ours ÷ the fastest Node peer could be in this run, were everything but the "
        f"signature check free (fastest Node peer ÷ floor): {', '.join(ceilings) or '—'}. The floor is "
        "criterion's, measured minutes before the Node run.",
        "",
        "<details><summary>Python, in full</summary>",
        "",
        demoted(py.strip()),
        "",
        "</details>",
        "",
        "<details><summary>Node, in full</summary>",
        "",
        demoted(node.strip()),
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
    print("\n".join(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
