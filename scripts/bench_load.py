"""`make bench-load`: one service process authenticating requests with 1 and N workers, under wrk.

For each language, a small service that authenticates the request's bearer token with the package
the way a service does (Python: FastAPI's `Depends(require_principal())` under uvicorn
`--workers`; Node: the `requirePrincipal()` middleware on `node:http` under `cluster`), its
authenticator built from the environment with an inline JWKS (no network):
  benches/load/app.py      GET /auth (authenticated), GET /noauth (baseline), run by
                           benches/load/serve.py: uvicorn's command line with TCP_NODELAY kept
                           for N workers (uvicorn's `--workers N` path loses it; serve.py says why)
  benches/load/server.js   the same routes, node:http, `cluster` with WORKERS workers
Every server is started with 1 worker and then with N (the machine's cores, `--workers N`), and
`wrk` on loopback sends the same request, an RS256 OIDC bearer in `Authorization`, to:
  - /noauth                                       (baseline: no authentication)
  - /auth, verified-token cache on (the default)  (the same token again: a cache hit)
  - /auth, OIDC_VERIFIED_CACHE_TTL_SECONDS=0      (every request verified in full)
each after a warm-up, in three short windows taken in turn across the rows (a server with the cache
on and one with it off are up together), each row's figure its median window: a slow moment of
the machine then falls on every row alike, not on one. Before it is timed, every server must answer the token
with 200 and a request without it, or with a tampered signature, with 401; a timed run with any
other answer than 2xx stops the script.

Three complete runs (`--runs N`); a run whose no-auth baseline, for either language and worker
count, is more than 10% away from the runs' median measured a machine busy with something else:
it is discarded and another run is made, up to twice the runs asked for; with fewer valid runs
than asked, nothing is written. Then the section of docs/benchmarks.md between
`<!-- bench-load:start -->` and `<!-- bench-load:end -->` is rewritten: requests/s for 1 and N
workers (median of the runs, their range), N ÷ 1, wrk's latency percentiles, and the library's
share of the request time, (1/auth − 1/noauth) ÷ (1/auth) = 1 − auth ÷ noauth, per run.

Every server runs in its own process group, which is killed when its rows are done, on an error
and on Ctrl-C or SIGTERM. wrk runs on the same cores as the servers (said in the output).

Usage: python3 scripts/bench_load.py [--quick] [--runs N] [--workers N] [--python PATH] [--no-write]
  --python: the interpreter holding the package and FastAPI (default: the test venv, which
            scripts/test-python.sh leaves with the release wheel; the `bench` group is added);
  --no-write: print the section instead of writing docs/benchmarks.md.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import pathlib
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
# The same statistics, the same rule for a run that measured a busy machine, and the same run loop
# as bench-compare.
from bench_compare import machine, median, moved, spread, steady_runs  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
CACHE = pathlib.Path(os.environ.get("IFX_CACHE", pathlib.Path.home() / ".cache/incidentfox-auth"))
VENV_PY = CACHE / "venv/bin/python"
START, END = "<!-- bench-load:start -->", "<!-- bench-load:end -->"
REPORT = ROOT / "docs/benchmarks.md"
LANGS = ["python", "node"]
LANG_NAMES = {"python": "Python (FastAPI, uvicorn)", "node": "Node (node:http, cluster)"}
# (key, path, cache on, what the row is)
ROWS = [
    ("noauth", "/noauth", True, "no authentication (baseline)"),
    ("hit", "/auth", True, "authenticated, cache on: the same token, a verified-token cache hit"),
    ("full", "/auth", False, "authenticated, cache off: every request verified in full"),
]
ISSUER = "https://idp.example.com"
AUDIENCE = "incidentfox-config-service"
ADMIN_GROUP = "incidentfox-config-admin"

# ----------------------------------------------------------------------------- wrk's output

UNITS_US = {"us": 1.0, "ms": 1e3, "s": 1e6, "m": 60e6, "h": 3600e6}


def duration_us(text: str) -> float:
    """A wrk duration (`812.00us`, `4.80ms`, `1.02s`, `2.00m`) in µs."""
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not m:
        raise ValueError(f"not a wrk duration: `{text}`")
    return float(m.group(1)) * UNITS_US[m.group(2)]


def parse_wrk(text: str) -> dict[str, Any]:
    """wrk's report (run with `--latency`): requests/s, the latency percentiles in µs, the number
    of requests, of non-2xx/3xx answers and of socket errors."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.MULTILINE)
    total = re.search(r"^\s*(\d+) requests in ", text, re.MULTILINE)
    if not rps or not total:
        raise ValueError("no `Requests/sec` or `requests in` line in wrk's output")
    latency = {
        int(p): duration_us(v)
        for p, v in re.findall(r"^\s+(\d+)%\s+([\d.]+(?:us|ms|s|m|h))\s*$", text, re.MULTILINE)
    }
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return {
        "rps": float(rps.group(1)),
        "requests": int(total.group(1)),
        "latency_us": latency,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0,
    }


# ----------------------------------------------------------------------------- the arithmetic


def key(lang: str, workers: int, row: str) -> str:
    return f"{lang} {workers} {row}"


def share(rps_auth: float, rps_noauth: float) -> float:
    """The library's share of an authenticated request's time, from throughputs: per-request time
    with auth (1/auth) less without (1/noauth), over the time with auth."""
    return 1.0 - rps_auth / rps_noauth


def added_us(rps_auth: float, rps_noauth: float) -> float:
    """What authentication adds to a request, in µs of a saturated single worker."""
    return 1e6 / rps_auth - 1e6 / rps_noauth


def noisy(runs: list[dict[str, Any]], worker_counts: list[int]) -> list[dict[str, Any]]:
    """The runs whose no-auth baseline, for some language and worker count, is more than 10% from
    the runs' median of it."""
    baselines = [key(lang, workers, "noauth") for lang in LANGS for workers in worker_counts]
    return moved(runs, baselines, lambda r, k: r[k]["rps"] if k in r else None)


def fmt_rps(values: list[float]) -> str:
    mid, low, high = spread(values)  # type: ignore[arg-type]
    if mid is None or low is None or high is None:
        return "—"
    text = f"{mid:,.0f}/s"
    return text + (f" [{low:,.0f}–{high:,.0f}]" if len(values) > 1 else "")


def fmt_ratio(values: list[float], suffix: str = "×", scale: float = 1.0, digits: int = 2) -> str:
    mid, low, high = spread(values)  # type: ignore[arg-type]
    if mid is None or low is None or high is None:
        return "—"
    text = f"{mid * scale:.{digits}f}{suffix}"
    if len(values) > 1:
        text += f" [{low * scale:.{digits}f}–{high * scale:.{digits}f}]"
    return text


def fmt_latency(us: float) -> str:
    return f"{us / 1000:.1f} ms" if us >= 1000 else f"{us:.0f} µs"


def latency_cell(results: list[dict[str, Any]]) -> str:
    """The runs' median p50 / p99."""
    parts = []
    for p in (50, 99):
        values = [r["latency_us"][p] for r in results if p in r["latency_us"]]
        parts.append(fmt_latency(median(values)) if values else "—")
    return " / ".join(parts)


def tables(runs: list[dict[str, Any]], n: int) -> list[str]:
    """The throughput table and the share table of the valid runs, N being the larger worker count."""
    lines = [
        f"| service | request | 1 worker | {n} workers | {n} ÷ 1 | p50 / p99, 1 worker | p50 / p99, {n} workers |",
        "|---|---|---|---|---|---|---|",
    ]
    for lang in LANGS:
        for row, _, _, what in ROWS:
            one = [r[key(lang, 1, row)] for r in runs]
            many = [r[key(lang, n, row)] for r in runs]
            scaling = [b["rps"] / a["rps"] for a, b in zip(one, many)]
            lines.append(
                f"| {LANG_NAMES[lang]} | {what} | {fmt_rps([x['rps'] for x in one])} "
                f"| {fmt_rps([x['rps'] for x in many])} | {fmt_ratio(scaling)} "
                f"| {latency_cell(one)} | {latency_cell(many)} |"
            )
    lines += [
        "",
        f"| service | request | library's share, 1 worker | library's share, {n} workers | added per request, 1 worker |",
        "|---|---|---|---|---|",
    ]
    for lang in LANGS:
        for row, _, _, what in ROWS[1:]:
            shares = {
                w: [share(r[key(lang, w, row)]["rps"], r[key(lang, w, "noauth")]["rps"]) for r in runs]
                for w in (1, n)
            }
            added = [added_us(r[key(lang, 1, row)]["rps"], r[key(lang, 1, "noauth")]["rps"]) for r in runs]
            lines.append(
                f"| {LANG_NAMES[lang]} | {what} | {fmt_ratio(shares[1], '%', 100, 0)} "
                f"| {fmt_ratio(shares[n], '%', 100, 0)} | {fmt_ratio(added, ' µs', 1, 0)} |"
            )
    return lines


def section(runs: list[dict[str, Any]], n: int, discarded: int, meta: dict[str, str]) -> list[str]:
    """The generated section, markers included."""
    return [
        START,
        f"Measured {meta['when']} on {meta['machine']} with `make bench-load`{meta['quick']}: "
        f"{len(runs)} complete run{'s' if len(runs) != 1 else ''} in one sitting"
        + (f" ({discarded} more discarded: their no-auth baseline moved by more than 10%)" if discarded else "")
        + ". Each figure is the median of the runs, with their range in brackets; a ratio or share is "
        "computed within each run, then its median and range are taken. Load average at the start "
        f"{meta['load_start']}, at the end {meta['load_end']}.",
        "",
        *tables(runs, n),
        "",
        f"- load: {meta['wrk']} over loopback, {meta['threads']} thread{'s' if meta['threads'] != '1' else ''}, {meta['connections']} "
        f"connections; each figure is the median of {meta['windows']} windows of {meta['seconds']} s, "
        f"the rows' windows taken in turn (no auth, cache hit, full, again), after a {meta['warmup']} s "
        f"warm-up of each; **wrk runs on the same {meta['cores']} cores as the servers**, so it takes CPU "
        f"from the {n}-worker rows",
        f"- request: `GET` with `Authorization: Bearer` and a 1-hour RS256 OIDC token "
        f"({meta['token_bytes']} bytes) on every row, the baseline included; the service's "
        "authenticator comes from `OIDC_*` environment variables with an inline JWKS",
        f"- Python: {meta['python']}",
        f"- Node: {meta['node']}",
        f"- kernel: {meta['kernel']}",
        END,
    ]


def replace_section(text: str, lines: list[str]) -> str:
    """`text` with the part between the markers (markers included) replaced by `lines`."""
    if START not in text or END not in text or text.index(START) > text.index(END):
        raise ValueError(f"{REPORT.name} lacks the `{START}` … `{END}` markers")
    return text[: text.index(START)] + "\n".join(lines) + text[text.index(END) + len(END) :]


# ----------------------------------------------------------------------------- processes

LIVE: list[subprocess.Popen[bytes]] = []


def group_alive(proc: subprocess.Popen[bytes]) -> bool:
    proc.poll()  # reaps the leader, whose zombie would otherwise still count
    try:
        os.killpg(proc.pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Ends the process group `proc` leads (its workers included): SIGTERM, then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        if not group_alive(proc):
            break
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and group_alive(proc):
            time.sleep(0.05)
    if proc in LIVE:
        LIVE.remove(proc)


def stop_all() -> None:
    for proc in list(LIVE):
        stop(proc)


def on_signal(_signum: int, _frame: Any) -> None:
    # SIGTERM and SIGHUP end the run the way Ctrl-C does: every server stopped, nothing written.
    raise KeyboardInterrupt


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def status_of(url: str, token: str | None) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def server_env(cache_on: bool, jwk: dict[str, Any]) -> dict[str, str]:
    # Only what a process needs to start, and the authenticator's settings: a credential in the
    # caller's environment (ADMIN_TOKEN, ...) must not change what is measured.
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    env.update(
        {
            "OIDC_ENABLED": "1",
            "OIDC_ISSUER": ISSUER,
            "OIDC_AUDIENCE": AUDIENCE,
            "OIDC_JWKS_JSON": json.dumps({"keys": [jwk]}),
            "OIDC_ALG": "RS256",
            "ADMIN_AUTH_MODE": "oidc",
            "OIDC_ADMIN_GROUP": ADMIN_GROUP,
        }
    )
    if not cache_on:
        env["OIDC_VERIFIED_CACHE_TTL_SECONDS"] = "0"
    return env


@contextmanager
def server(lang: str, workers: int, cache_on: bool, cfg: dict[str, Any]) -> Iterator[str]:
    """A running service (its base URL), checked to accept the token and refuse a request without
    it or with a tampered one; stopped, workers included, on the way out."""
    port = free_port()
    if lang == "python":
        cmd = [
            # uvicorn's own command line, TCP_NODELAY kept with N workers (serve.py says why).
            cfg["python"], str(ROOT / "benches/load/serve.py"), "app:app", "--app-dir", str(ROOT / "benches/load"),
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--log-level", "warning", "--no-access-log",
        ]
    else:
        cmd = ["node", str(ROOT / "benches/load/server.js"), str(workers), str(port)]
    log = tempfile.TemporaryFile()
    print(f"$ {lang} server: {workers} worker(s), cache {'on' if cache_on else 'off'}, port {port}", file=sys.stderr, flush=True)
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=server_env(cache_on, cfg["jwk"]), stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )
    LIVE.append(proc)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"the {lang} server exited ({proc.returncode}):\n{log.read().decode(errors='replace')[-2000:]}")
            try:
                if status_of(f"{base}/noauth", None) == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the {lang} server did not answer on {base} within 60 s")
            time.sleep(0.2)
        answers = {
            "the token": (status_of(f"{base}/auth", cfg["token"]), 200),
            "no token": (status_of(f"{base}/auth", None), 401),
            "a tampered token": (status_of(f"{base}/auth", cfg["tampered"]), 401),
        }
        wrong = [f"{what}: {got} (want {want})" for what, (got, want) in answers.items() if got != want]
        if wrong:
            raise RuntimeError(f"the {lang} server's /auth answered " + "; ".join(wrong))
        yield base
    finally:
        stop(proc)
        log.close()


def wrk(url: str, cfg: dict[str, Any], seconds: int) -> dict[str, Any]:
    cmd = [
        "wrk", f"-t{cfg['threads']}", f"-c{cfg['connections']}", f"-d{seconds}s", "--latency",
        "-H", f"Authorization: Bearer {cfg['token']}", url,
    ]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    result = parse_wrk(out)
    if result["non2xx"]:
        raise RuntimeError(f"{url}: {result['non2xx']} of {result['requests']} answers were not 2xx")
    return result


def median_window(windows: list[dict[str, Any]]) -> dict[str, Any]:
    """Of one row's windows, the one with the median requests/s (the lower middle of an even
    number), its latency figures with it: one figure per row, as wrk measured it."""
    ranked = sorted(windows, key=lambda w: w["rps"])
    return ranked[(len(ranked) - 1) // 2]


def one_run(cfg: dict[str, Any]) -> dict[str, Any]:
    """One run: for each language and worker count, a server with the cache on and one with it
    off, both up at once, and each row timed in `windows` short windows taken in turn (no auth,
    cache hit, full, then again), so that a slow moment of the machine falls on every row alike
    rather than on one; each row's figure is its median window."""
    results: dict[str, Any] = {}
    for lang in LANGS:
        for workers in cfg["worker_counts"]:
            with server(lang, workers, True, cfg) as on, server(lang, workers, False, cfg) as off:
                base = {True: on, False: off}
                for _, path, cache_on, _ in ROWS:
                    wrk(base[cache_on] + path, cfg, cfg["warmup"])
                windows: dict[str, list[dict[str, Any]]] = {row: [] for row, *_ in ROWS}
                for _ in range(cfg["windows"]):
                    for row, path, cache_on, _ in ROWS:
                        windows[row].append(wrk(base[cache_on] + path, cfg, cfg["seconds"]))
                for row, timed in windows.items():
                    r = results[key(lang, workers, row)] = median_window(timed)
                    print(f"  {key(lang, workers, row)}: {r['rps']:,.0f}/s", file=sys.stderr, flush=True)
    return results


# ----------------------------------------------------------------------------- setup

MINT = """
import base64, json, sys, time, jwt
from cryptography.hazmat.primitives import serialization
entry = json.load(open(sys.argv[1]))["rs256"]
der = base64.urlsafe_b64decode(entry["pkcs8_b64"] + "=" * (-len(entry["pkcs8_b64"]) % 4))
key = serialization.load_der_private_key(der, password=None)
now = int(time.time())
claims = {"iss": sys.argv[2], "aud": sys.argv[3], "sub": "alice", "email": "alice@example.com",
          "groups": [sys.argv[4]], "iat": now, "exp": now + 3600}
print(jwt.encode(claims, key, algorithm="RS256", headers={"kid": entry["kid"]}))
"""

VERSIONS = """
import importlib.metadata as m, importlib.util as u, platform
v = {p: m.version(p) for p in ("incidentfox-auth", "fastapi", "uvicorn")}
loop = "uvloop" if u.find_spec("uvloop") else "asyncio"
http = "httptools" if u.find_spec("httptools") else "h11"
print(f"{platform.python_version()} ({platform.python_implementation()}); incidentfox-auth {v['incidentfox-auth']}, "
      f"FastAPI {v['fastapi']}, uvicorn {v['uvicorn']} ({loop}, {http}); `--workers N`, one process per worker")
"""


def tamper(token: str) -> str:
    """The token with one character in the middle of its signature changed."""
    head, payload, sig = token.split(".")
    i = len(sig) // 2
    c = "A" if sig[i] != "A" else "B"
    return f"{head}.{payload}.{sig[:i]}{c}{sig[i + 1 :]}"


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("$ apt-get install -y wrk", file=sys.stderr, flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    if subprocess.run([*sudo, "apt-get", "install", "-y", "wrk"]).returncode != 0:
        subprocess.run([*sudo, "apt-get", "update"], check=True)
        subprocess.run([*sudo, "apt-get", "install", "-y", "wrk"], check=True)


def capture(cmd: list[str], cwd: pathlib.Path = ROOT) -> str:
    return subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.PIPE, text=True).stdout.strip()


def wrk_version() -> str:
    # `wrk -v` prints its banner and usage, and exits 1.
    out = subprocess.run(["wrk", "-v"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    first = out.splitlines()[0] if out else "wrk"
    return first.split(" [")[0].split(" Copyright")[0].replace("debian/", "")


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def arg(name: str, default: str | None) -> str | None:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def main() -> int:
    quick = "--quick" in sys.argv
    wanted = int(arg("--runs", "1" if quick else "3") or 3)
    n = int(arg("--workers", str(os.cpu_count() or 2)) or 2)
    python = arg("--python", str(VENV_PY)) or str(VENV_PY)
    if n < 2:
        sys.exit("--workers must be 2 or more: the scaling is N workers against 1")
    if not pathlib.Path(python).exists():
        sys.exit(f"{python} is missing: run scripts/test-python.sh first (it builds the release wheel into it)")
    if not list((ROOT / "bindings-node").glob("*.node")):
        sys.exit("bindings-node has no built addon: run scripts/test-node.sh first (it builds the release addon)")
    ensure_wrk()
    if python == str(VENV_PY):
        pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        capture([*pip, "pip>=25.1"])
        capture([*pip, "--group", f"{ROOT / 'bindings-python/pyproject.toml'}:bench"])

    keys = json.loads((ROOT / "testdata/keys/keys.json").read_text())
    token = capture([python, "-c", MINT, str(ROOT / "testdata/keys/keys.json"), ISSUER, AUDIENCE, ADMIN_GROUP])
    cfg: dict[str, Any] = {
        "python": python,
        "jwk": keys["rs256"]["public_jwk"],
        "token": token,
        "tampered": tamper(token),
        "worker_counts": [1, n],
        "threads": 1,
        "connections": 16,
        "seconds": 2 if quick else 4,
        "windows": 1 if quick else 3,
        "warmup": 1 if quick else 3,
    }
    pkg = json.loads((ROOT / "bindings-node/package.json").read_text())["version"]
    meta = {
        "machine": machine(),
        "cores": str(os.cpu_count()),
        "load_start": load_average(),
        "quick": " (quick)" if quick else "",
        "wrk": wrk_version(),
        "threads": str(cfg["threads"]),
        "connections": str(cfg["connections"]),
        "seconds": str(cfg["seconds"]),
        "windows": str(cfg["windows"]),
        "warmup": str(cfg["warmup"]),
        "token_bytes": str(len(token)),
        "python": capture([python, "-c", VERSIONS]),
        "node": f"{capture(['node', '--version'])}; @incidentfox/auth {pkg} (release addon), "
        "`requirePrincipal()` on `node:http`; `cluster` with N workers and its default scheduling "
        "(the primary accepts, the workers take turns)",
        "kernel": f"{platform.system()} {platform.release()}",
    }

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    started = time.monotonic()
    try:
        runs, valid = steady_runs(wanted, lambda: one_run(cfg), lambda made: noisy(made, cfg["worker_counts"]))
    except KeyboardInterrupt:
        print("interrupted: every server stopped, nothing written", file=sys.stderr)
        return 130
    finally:
        stop_all()
    discarded = len(runs) - len(valid)
    print(f"{len(runs)} runs in {time.monotonic() - started:.0f} s", file=sys.stderr)
    if len(valid) < wanted:
        print(f"only {len(valid)} of {len(runs)} runs had a steady baseline; nothing written", file=sys.stderr)
        return 1

    meta["load_end"] = load_average()
    meta["when"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = section(valid, n, discarded, meta)
    if "--no-write" in sys.argv:
        print("\n".join(lines))
        return 0
    REPORT.write_text(replace_section(REPORT.read_text(), lines))
    print("\n".join(lines[1:-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
