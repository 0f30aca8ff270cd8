"""The pure parts of scripts/bench_load.py: reading wrk's report, the scaling and share
arithmetic, which runs a moving baseline invalidates, and where the section goes. No server is
started and nothing is timed."""

import importlib.util
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
spec = importlib.util.spec_from_file_location("bench_load", ROOT / "scripts/bench_load.py")
bl = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bl)

WRK = """Running 10s test @ http://127.0.0.1:41235/auth
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.01ms    1.20ms  20.00ms   90.00%
    Req/Sec     3.20k   200.00     3.50k    70.00%
  Latency Distribution
     50%  812.00us
     75%    5.20ms
     90%    6.00ms
     99%    1.02s
  32000 requests in 10.00s, 5.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 5
Requests/sec:   3199.99
Transfer/sec:    512.00KB
"""

# A row's figure is its median window, latency figures included; the lower middle of an even count.
windows = [{"rps": v, "latency_us": {50: v}} for v in (300.0, 100.0, 200.0)]
assert bl.median_window(windows) == {"rps": 200.0, "latency_us": {50: 200.0}}, bl.median_window(windows)
assert bl.median_window(windows[:2])["rps"] == 100.0
assert bl.median_window(windows[:1])["rps"] == 300.0

r = bl.parse_wrk(WRK)
assert r["rps"] == 3199.99, r
assert r["requests"] == 32000, r
assert r["latency_us"] == {50: 812.0, 75: 5200.0, 90: 6000.0, 99: 1020000.0}, r
assert r["non2xx"] == 5 and r["socket_errors"] == 3, r
clean = bl.parse_wrk(WRK.replace("  Socket errors: connect 0, read 2, write 0, timeout 1\n", "").replace(
    "  Non-2xx or 3xx responses: 5\n", ""))
assert clean["non2xx"] == 0 and clean["socket_errors"] == 0, clean
for broken in ("", "Requests/sec: 12\n"):
    try:
        bl.parse_wrk(broken)
    except ValueError:
        pass
    else:
        raise AssertionError(f"parse_wrk accepted {broken!r}")
assert bl.duration_us("2.00m") == 120e6
try:
    bl.duration_us("3 ms")
except ValueError:
    pass
else:
    raise AssertionError("duration_us accepted `3 ms`")

# Auth at 4,000/s against 5,000/s without: 250 µs against 200 µs a request, a fifth of it auth.
assert abs(bl.share(4000.0, 5000.0) - 0.2) < 1e-12
assert abs(bl.added_us(4000.0, 5000.0) - 50.0) < 1e-9
assert bl.share(5000.0, 5000.0) == 0.0


def result(rps: float, p50: float = 1000.0) -> dict:
    return {"rps": rps, "requests": int(rps * 10), "latency_us": {50: p50, 99: 4 * p50}, "non2xx": 0, "socket_errors": 0}


def run(py1: float, py2: float, node1: float, node2: float) -> dict:
    """A run whose authenticated rows are 80% (cache hit) and 50% (full) of its baselines."""
    out = {}
    for lang, one, two in (("python", py1, py2), ("node", node1, node2)):
        for workers, base in ((1, one), (2, two)):
            out[bl.key(lang, workers, "noauth")] = result(base)
            out[bl.key(lang, workers, "hit")] = result(base * 0.8)
            out[bl.key(lang, workers, "full")] = result(base * 0.5)
    return out


steady = [run(3000, 5400, 9000, 15000), run(3100, 5500, 9200, 15500), run(2950, 5300, 8900, 14800)]
assert bl.noisy(steady, [1, 2]) == []
# Node's 2-worker baseline 20% below the others' median: that run alone goes.
moved = steady + [run(3000, 5400, 9000, 12000)]
assert bl.noisy(moved, [1, 2]) == [moved[3]]

lines = bl.tables(steady, 2)
text = "\n".join(lines)
# Python, no auth: median 3,000/s [2,950–3,100] with 1 worker, 5,400/s with 2; 2 ÷ 1 per run.
assert "| Python (FastAPI, uvicorn) | no authentication (baseline) | 3,000/s [2,950–3,100] | 5,400/s [5,300–5,500] | 1.80× [1.77–1.80] |" in text, text
# The shares are computed within each run: 20% and 50% whatever the baseline.
assert "| 20% [20–20] | 20% [20–20] |" in text, text
assert "| 50% [50–50] | 50% [50–50] |" in text, text
# Full verification adds 1/1500 − 1/3000 s = 333 µs at the median single-worker baseline; 1/1550 −
# 1/3100 s = 323 µs and 1/1475 − 1/2950 s = 339 µs in the other runs.
assert "| 333 µs [323–339] |" in text, text
assert "1.0 ms / 4.0 ms" in text, text

meta = {k: "x" for k in ("when", "machine", "quick", "load_start", "load_end", "wrk", "threads",
                          "connections", "seconds", "windows", "warmup", "cores", "token_bytes", "python", "node", "kernel")}
meta["quick"] = ""
sec = bl.section(steady, 2, 1, meta)
assert sec[0] == bl.START and sec[-1] == bl.END
assert "3 complete runs in one sitting (1 more discarded: their no-auth baseline moved by more than 10%)" in sec[1], sec[1]
assert "1 complete run in one sitting." in bl.section(steady[:1], 2, 0, meta)[1]
page = f"# Benchmarks\n\nbefore\n{bl.START}\nold figures\n{bl.END}\nafter\n"
new = bl.replace_section(page, sec)
assert new.startswith("# Benchmarks\n\nbefore\n" + bl.START) and new.endswith(bl.END + "\nafter\n"), new
assert "old figures" not in new and new.count(bl.START) == 1
try:
    bl.replace_section("# Benchmarks\n", sec)
except ValueError:
    pass
else:
    raise AssertionError("replace_section wrote into a page without the markers")
assert bl.tamper("a.b.cdef") != "a.b.cdef" and bl.tamper("a.b.cdef").startswith("a.b.")
print("bench_load: ok")
sys.exit(0)
