#!/usr/bin/env python3
"""The benchmark harness: the C++ library, the official Node SDK and curl, one after another,
against the same openai-images-emulator over TLS on loopback, with the same parameters.

For every client run it records wall time, the client process's own CPU time (user+sys) and peak
resident memory (os.wait4 on the child: the emulator is never counted), and the work the client
reports (requests, decoded image bytes, events). It then computes the metrics of issue 7, the
ratios between clients, checks the targets, prints a table, writes OUT/latest.md and
OUT/latest.json, and draws OUT/latest.png with gnuplot.

    bench/run.py [--quick] [--out-dir DIR] [--build-dir DIR] [--scenarios a,b] [--clients a,b]
                 [--check]

--quick runs tiny sizes (seconds), for the test that keeps the harness from rotting; --check
exits non-zero unless every run did its work. Python 3 standard library only.
"""

import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MB = 1_000_000

# The scenarios of the issue. `quick` replaces values for --quick.
SCENARIOS = [
    {
        "name": "small-unary-c1",
        "title": "small unary, concurrency 1",
        "emulator": {"payload_bytes": 1000},
        "driver": {"scenario": "unary", "requests": 2000, "concurrency": 1},
        "quick": {"requests": 40},
        "clients": ["cpp", "node"],
    },
    {
        "name": "small-unary-c64",
        "title": "small unary, concurrency 64",
        "emulator": {"payload_bytes": 1000},
        "driver": {"scenario": "unary", "requests": 2000, "concurrency": 64},
        "quick": {"requests": 40, "concurrency": 8},
        "clients": ["cpp", "node"],
    },
    {
        "name": "large-unary",
        "title": "large unary, n=4 x 3 MB, concurrency 4",
        "emulator": {"payload_bytes": 3_000_000},
        "quick_emulator": {"payload_bytes": 100_000},
        "driver": {"scenario": "unary", "requests": 60, "concurrency": 4, "n": 4},
        "quick": {"requests": 4, "concurrency": 2, "n": 2},
        "clients": ["cpp", "node", "curl"],
    },
    {
        "name": "streaming",
        "title": "streaming, 500 concurrent, 3 partial images of 1 MB",
        "emulator": {"payload_bytes": 1_000_000},
        "quick_emulator": {"payload_bytes": 20_000},
        "driver": {"scenario": "stream", "requests": 500, "concurrency": 500, "partial_images": 3},
        "quick": {"requests": 6, "concurrency": 6},
        # The Node SDK needs minutes here (its SSE decoding of 1.3 MB events): a client still
        # running after this is stopped and reported as such, so the harness keeps its budget.
        "time_cap_s": 150,
        "clients": ["cpp", "node"],
    },
    {
        "name": "open-streams",
        "title": "10,000 open streams on one thread",
        # The first event comes only after the interval: streams stay open and idle.
        "emulator": {"payload_bytes": 1000, "partial_interval_ms": 900_000},
        "driver": {"scenario": "open-streams", "requests": 10_000, "partial_images": 1,
                   "open_concurrency": 200, "hold_ms": 1000, "deadline_s": 240},
        "quick": {"requests": 20, "open_concurrency": 10, "hold_ms": 100, "deadline_s": 60},
        # A fresh emulator per client: streams of the previous client would still be open there.
        "fresh_emulator": True,
        "clients": ["cpp", "node"],
    },
]

TARGETS = {
    "small_unary_ratio": 10.0,  # C++ requests per CPU-second / Node's, at least
    "large_cpu_vs_curl": 1.5,  # C++ CPU per decoded MB / curl's, at most
    "large_mem_ratio": 1.3,  # peak RSS above baseline / decoded bytes in flight, at most
    "base64_gbps": 2.0,  # GB/s, at least
    "sse_gbps": 1.0,  # GB/s, at least
    "open_stream_kib": 100.0,  # KiB per open TLS stream, at most
}


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Emulator:
    """openai-images-emulator over TLS on loopback, with a CA made at start-up."""

    def __init__(self, binary, payload_bytes=None, partial_interval_ms=None, threads=1):
        self.dir = tempfile.mkdtemp(prefix="openai-bench-")
        args = [binary, "--tls", "--cert-dir", self.dir, "--threads", str(threads)]
        if payload_bytes:
            args += ["--payload-bytes", str(payload_bytes)]
        if partial_interval_ms:
            args += ["--partial-interval-ms", str(partial_interval_ms)]
        args += ["--shutdown-grace-ms", "0", "--log-capacity", "16"]
        self.args = args
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
        line = self.proc.stdout.readline().strip()
        m = re.match(r"^listening on (https://\S+)$", line)
        if not m:
            self.stop()
            raise RuntimeError(f"emulator did not start: {line!r}")
        self.origin = m.group(1)
        self.base_url = self.origin + "/v1"
        self.ca = os.path.join(self.dir, "ca.pem")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


GNU_TIME = "/usr/bin/time"


def run_child(args, env=None, timeout=900):
    """Runs one client; returns (stdout, stderr, wall_s, cpu_s, maxrss_kib, status).

    CPU (user+sys) and peak RSS come from wait4(2) on the client process. A child forked from
    this Python process starts with Python's own resident set as its high-water mark (Linux
    carries it over exec), so the client is started by GNU time, a small process whose wait4
    figures of its child are read back; without /usr/bin/time, os.wait4 on the child is used and
    peak RSS has Python's size as a floor.
    """
    with tempfile.TemporaryDirectory(prefix="openai-bench-run-") as tmp:
        out_path, err_path = os.path.join(tmp, "out"), os.path.join(tmp, "err")
        usage_path = os.path.join(tmp, "usage")
        measured = os.access(GNU_TIME, os.X_OK)
        cmd = ([GNU_TIME, "-o", usage_path, "-f", "%U %S %M %x"] + args) if measured else args
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            start = time.monotonic()
            # A session of its own, so that a time cap stops the client itself and not only GNU
            # time in front of it (which would leave the client running on).
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, start_new_session=True)
            deadline = start + timeout
            try:
                while True:
                    pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
                    if pid == proc.pid:
                        break
                    if time.monotonic() > deadline:
                        os.killpg(proc.pid, signal.SIGKILL)
                        pid, status, ru = os.wait4(proc.pid, 0)
                        break
                    time.sleep(0.02)
            except BaseException:
                # Interrupted: stop the client's whole process group.
                os.killpg(proc.pid, signal.SIGTERM)
                os.wait4(proc.pid, 0)
                raise
            wall = time.monotonic() - start
            proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        cpu, rss, code = ru.ru_utime + ru.ru_stime, ru.ru_maxrss, proc.returncode
        if measured:
            try:
                with open(usage_path) as f:
                    last = f.read().strip().splitlines()[-1].split()
                cpu, rss, code = float(last[0]) + float(last[1]), int(last[2]), int(last[3])
            except (OSError, IndexError, ValueError):
                pass  # killed: keep wait4's figures
        with open(out_path, "rb") as f:
            out_text = f.read().decode(errors="replace")
        with open(err_path, "rb") as f:
            err_text = f.read().decode(errors="replace")
        return out_text, err_text, wall, cpu, rss, code


class Harness:
    def __init__(self, opts):
        self.opts = opts
        self.bin = os.path.join(opts.build_dir, "bin")
        self.emulator_bin = os.path.join(self.bin, "openai-images-emulator")
        self.cpp_bin = os.path.join(self.bin, "openai-images-bench")
        self.micro_bin = os.path.join(self.bin, "openai-images-microbench")
        self.node = shutil.which("node")
        self.node_driver = os.path.join(HERE, "node", "driver.mjs")
        self.node_sdk = os.path.join(ROOT, "test", "node", "node_modules", "openai", "index.mjs")
        self.curl = shutil.which("curl")
        self.runs = []  # every client run
        self.baselines = {}  # client -> peak RSS KiB of the idle run
        self.notes = []
        self.micro = []

    def available(self, client):
        if client == "cpp":
            return os.access(self.cpp_bin, os.X_OK)
        if client == "node":
            return bool(self.node) and os.path.exists(self.node_sdk)
        if client == "curl":
            return bool(self.curl)
        return False

    def clients(self, wanted):
        out = []
        for c in wanted:
            if self.opts.clients and c not in self.opts.clients:
                continue
            if not self.available(c):
                note = f"client {c} skipped: not available"
                if note not in self.notes:
                    self.notes.append(note)
                    log(note)
                continue
            out.append(c)
        return out

    # ---- one client run

    def driver_args(self, params):
        args = []
        for key in ("scenario", "requests", "concurrency", "n", "partial_images",
                    "open_concurrency", "hold_ms", "deadline_s"):
            if key in params:
                args += ["--" + key.replace("_", "-"), str(params[key])]
        return args

    def run_client(self, client, emu, params, label):
        if client == "curl":
            return self.run_curl(emu, params, label)
        if client == "cpp":
            cmd = [self.cpp_bin, "--base-url", emu.base_url, "--ca", emu.ca]
            env = None
        else:
            cmd = [self.node, self.node_driver, "--base-url", emu.base_url, "--ca", emu.ca]
            env = dict(os.environ, NODE_EXTRA_CA_CERTS=emu.ca, OPENAI_NODE_SDK=self.node_sdk)
        cmd += self.driver_args(params)
        cap = params.get("time_cap_s", 900)
        out, err, wall, cpu, rss, code = run_child(cmd, env=env, timeout=cap)
        result = None
        for line in out.splitlines():
            if line.startswith("{"):
                result = json.loads(line)
        if result is None and wall >= cap:
            result = {"requests": 0, "errors": 1, "image_bytes": 0, "events": 0,
                      "first_error": f"stopped at the scenario's time cap of {cap} s "
                                     f"(CPU and memory figures are up to that point)"}
        if result is None:
            result = {"requests": 0, "errors": 1, "image_bytes": 0, "events": 0,
                      "first_error": f"no result (exit {code}): {err.strip()[-300:]}"}
        run = {"scenario": label, "client": client, "wall_s": wall, "cpu_s": cpu,
               "maxrss_kib": rss, "exit": code, "requests": result.get("requests", 0),
               "errors": result.get("errors", 0), "image_bytes": result.get("image_bytes", 0),
               "events": result.get("events", 0), "opened": result.get("opened", 0),
               "open_s": result.get("open_s", 0), "rss_open_kib": result.get("rss_open_kib", 0),
               "first_error": result.get("first_error", ""), "command": cmd}
        log(f"{label:16} {client:5} wall {wall:7.2f} s  cpu {cpu:7.2f} s  rss {rss / 1024:8.1f} MiB"
            f"  requests {run['requests']}  errors {run['errors']}"
            + (f"  ({run['first_error'][:100]})" if run["errors"] else ""))
        return run

    def run_curl(self, emu, params, label):
        """Only receiving the bytes: the same request body, the response to /dev/null."""
        body = {"model": "gpt-image-1", "prompt": "a lighthouse at dawn, watercolour",
                "size": "1024x1024", "quality": "low"}
        if params.get("n", 1) != 1:
            body["n"] = params["n"]
        tmp = tempfile.mkdtemp(prefix="openai-bench-curl-")
        try:
            body_path = os.path.join(tmp, "body.json")
            with open(body_path, "w") as f:
                json.dump(body, f, separators=(",", ":"))
            config = os.path.join(tmp, "urls.txt")
            with open(config, "w") as f:
                for _ in range(params["requests"]):
                    f.write(f'url = "{emu.base_url}/images/generations"\noutput = "/dev/null"\n')
            cmd = [self.curl, "-sS", "--cacert", emu.ca, "--parallel", "--parallel-max",
                   str(params.get("concurrency", 1)), "-H", "content-type: application/json",
                   "-H", "authorization: Bearer sk-bench", "--data-binary", "@" + body_path,
                   "-w", "%{http_code} %{size_download}\\n", "-K", config]
            out, err, wall, cpu, rss, code = run_child(cmd)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        ok = errors = received = 0
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "200":
                ok += 1
                received += int(parts[1])
            elif parts:
                errors += 1
        errors += params["requests"] - ok - errors
        run = {"scenario": label, "client": "curl", "wall_s": wall, "cpu_s": cpu,
               "maxrss_kib": rss, "exit": code, "requests": ok, "errors": errors,
               "image_bytes": 0, "events": 0, "body_bytes": received,
               "first_error": err.strip()[:200] if errors else "", "command": cmd}
        log(f"{label:16} curl  wall {wall:7.2f} s  cpu {cpu:7.2f} s  rss {rss / 1024:8.1f} MiB"
            f"  requests {ok}  errors {errors}  received {received / MB:.1f} MB")
        return run

    # ---- the whole run

    def baseline(self, emu, client):
        """Peak RSS of a process that made one small request: what the scenarios are above."""
        if client in self.baselines or client == "curl":
            return
        run = self.run_client(client, emu, {"scenario": "idle", "requests": 1}, "baseline")
        self.runs.append(run)
        self.baselines[client] = run["maxrss_kib"]

    def scenario_params(self, sc):
        params = dict(sc["driver"])
        if "time_cap_s" in sc and not self.opts.quick:
            params["time_cap_s"] = sc["time_cap_s"]
        emu = dict(sc["emulator"])
        if self.opts.quick:
            params.update(sc.get("quick", {}))
            emu.update(sc.get("quick_emulator", {}))
        return params, emu

    def run(self):
        selected = [s for s in SCENARIOS
                    if not self.opts.scenarios or s["name"] in self.opts.scenarios]
        for sc in selected:
            params, emu_opts = self.scenario_params(sc)
            clients = self.clients(sc["clients"])
            if not clients:
                continue
            log(f"scenario {sc['name']}: {params} emulator {emu_opts}")
            emu = None if sc.get("fresh_emulator") else Emulator(self.emulator_bin, **emu_opts)
            try:
                for client in clients:
                    if sc.get("fresh_emulator"):
                        emu = Emulator(self.emulator_bin, **emu_opts)
                    try:
                        self.baseline(emu, client)
                        run = self.run_client(client, emu, params, sc["name"])
                        run["params"] = params
                        run["emulator"] = emu_opts
                        self.runs.append(run)
                    finally:
                        if sc.get("fresh_emulator"):
                            emu.stop()
                            emu = None
            finally:
                if emu:
                    emu.stop()
        if not self.opts.clients or "micro" in self.opts.clients:
            self.run_micro()

    def run_micro(self):
        if not os.access(self.micro_bin, os.X_OK):
            self.notes.append("micro-benchmarks skipped: openai-images-microbench not built")
            return
        min_time = "0.01" if self.opts.quick else "0.5"
        cmd = [self.micro_bin, f"--benchmark_min_time={min_time}", "--benchmark_format=json"]
        log("micro-benchmarks: " + " ".join(cmd[1:]))
        out, err, wall, cpu, rss, code = run_child(cmd)
        try:
            data = json.loads(out)
        except json.JSONDecodeError:
            self.notes.append(f"micro-benchmarks failed (exit {code}): {err.strip()[-200:]}")
            return
        self.micro_context = data.get("context", {})
        for b in data.get("benchmarks", []):
            self.micro.append({"name": b["name"], "gbps": b.get("bytes_per_second", 0) / 1e9,
                               "cpu_ns": b.get("cpu_time", 0), "iterations": b.get("iterations", 0),
                               "error": b.get("error_message", "")})

    # ---- metrics

    def find(self, scenario, client):
        for r in self.runs:
            if r["scenario"] == scenario and r["client"] == client:
                return r
        return None

    def above_baseline_kib(self, run):
        return max(0, run["maxrss_kib"] - self.baselines.get(run["client"], 0))

    def metrics(self):
        """Per scenario, a list of (metric, unit, {client: value}, better) rows."""
        rows = []

        def per_client(scenario, fn):
            vals = {}
            for c in ("cpp", "node", "curl"):
                r = self.find(scenario, c)
                # A run that did no work (stopped at a time cap, failed) has no figures to show.
                if r and r["requests"] > 0:
                    try:
                        vals[c] = fn(r)
                    except ZeroDivisionError:
                        vals[c] = None
            return vals

        for name in ("small-unary-c1", "small-unary-c64"):
            rows.append((name, "requests per client CPU-second", "req/CPU-s",
                         per_client(name, lambda r: r["requests"] / r["cpu_s"]), "higher"))
            rows.append((name, "requests per wall second", "req/s",
                         per_client(name, lambda r: r["requests"] / r["wall_s"]), "higher"))
            rows.append((name, "peak RSS", "MiB",
                         per_client(name, lambda r: r["maxrss_kib"] / 1024), "lower"))

        cpp_large = self.find("large-unary", "cpp")
        per_request = (cpp_large["image_bytes"] / cpp_large["requests"]
                       if cpp_large and cpp_large["requests"] else 0)
        if cpp_large:
            p = cpp_large["params"]
            self.in_flight_bytes = per_request * min(p["concurrency"], p["requests"])

        def decoded_mb(r):
            # curl decodes nothing: it is charged for the same images the library decoded.
            if r["client"] == "curl":
                return r["requests"] * per_request / MB
            return r["image_bytes"] / MB

        rows.append(("large-unary", "client CPU per decoded MB", "ms/MB",
                     per_client("large-unary", lambda r: 1000 * r["cpu_s"] / decoded_mb(r)),
                     "lower"))
        rows.append(("large-unary", "decoded MB per wall second", "MB/s",
                     per_client("large-unary", lambda r: decoded_mb(r) / r["wall_s"]), "higher"))
        rows.append(("large-unary", "peak RSS above baseline / decoded bytes in flight", "x",
                     per_client("large-unary", lambda r: self.above_baseline_kib(r) * 1024 /
                                self.in_flight_bytes
                                if r["client"] != "curl" else None), "lower"))
        rows.append(("large-unary", "peak RSS", "MiB",
                     per_client("large-unary", lambda r: r["maxrss_kib"] / 1024), "lower"))

        rows.append(("streaming", "client CPU per stream", "ms",
                     per_client("streaming", lambda r: 1000 * r["cpu_s"] / r["requests"]),
                     "lower"))
        rows.append(("streaming", "peak RSS above baseline per stream", "KiB",
                     per_client("streaming", lambda r: self.above_baseline_kib(r) /
                                r["params"]["concurrency"]), "lower"))
        rows.append(("streaming", "decoded MB per wall second", "MB/s",
                     per_client("streaming", lambda r: r["image_bytes"] / MB / r["wall_s"]),
                     "higher"))

        rows.append(("open-streams", "streams held open", "streams",
                     per_client("open-streams", lambda r: r["opened"]), "higher"))
        rows.append(("open-streams", "peak RSS above baseline per open stream", "KiB",
                     per_client("open-streams", lambda r: self.above_baseline_kib(r) /
                                r["opened"]), "lower"))
        rows.append(("open-streams", "client CPU per stream opened", "ms",
                     per_client("open-streams", lambda r: 1000 * r["cpu_s"] / r["opened"]),
                     "lower"))
        rows.append(("open-streams", "time to open all", "s",
                     per_client("open-streams", lambda r: r["open_s"]), "lower"))
        return [r for r in rows if r[3]]

    def targets(self, rows):
        """(target, wanted, measured, met) tuples; measured None when not run."""
        def value(scenario, metric, client):
            for s, m, _u, vals, _b in rows:
                if s == scenario and m == metric:
                    return vals.get(client)
            return None

        out = []
        for name, label in (("small-unary-c1", "concurrency 1"),
                            ("small-unary-c64", "concurrency 64")):
            c = value(name, "requests per client CPU-second", "cpp")
            n = value(name, "requests per client CPU-second", "node")
            ratio = c / n if c and n else None
            out.append((f"small unary ({label}): requests per CPU-second vs Node SDK",
                        f">= {TARGETS['small_unary_ratio']:.0f}x",
                        None if ratio is None else f"{ratio:.1f}x",
                        None if ratio is None else ratio >= TARGETS["small_unary_ratio"]))
        c = value("large-unary", "client CPU per decoded MB", "cpp")
        k = value("large-unary", "client CPU per decoded MB", "curl")
        ratio = c / k if c and k else None
        out.append(("large unary: CPU per decoded MB vs curl receiving the same bytes",
                    f"<= {TARGETS['large_cpu_vs_curl']}x",
                    None if ratio is None else f"{ratio:.2f}x",
                    None if ratio is None else ratio <= TARGETS["large_cpu_vs_curl"]))
        m = value("large-unary", "peak RSS above baseline / decoded bytes in flight", "cpp")
        out.append(("large unary: peak RSS above baseline / decoded bytes in flight",
                    f"<= {TARGETS['large_mem_ratio']}x",
                    None if m is None else f"{m:.2f}x",
                    None if m is None else m <= TARGETS["large_mem_ratio"]))
        b64 = max((b["gbps"] for b in self.micro if b["name"].startswith("bm_base64_decode/")),
                  default=None)
        out.append(("base64 decoding, one core", f">= {TARGETS['base64_gbps']} GB/s",
                    None if b64 is None else f"{b64:.2f} GB/s",
                    None if b64 is None else b64 >= TARGETS["base64_gbps"]))
        sse = min((b["gbps"] for b in self.micro if b["name"].startswith("bm_sse_parse")),
                  default=None)
        out.append(("SSE parsing of multi-megabyte events, one core",
                    f">= {TARGETS['sse_gbps']} GB/s", None if sse is None else f"{sse:.2f} GB/s",
                    None if sse is None else sse >= TARGETS["sse_gbps"]))
        kib = value("open-streams", "peak RSS above baseline per open stream", "cpp")
        opened = value("open-streams", "streams held open", "cpp")
        out.append((f"open TLS streams on one thread ({opened or 0:,} held): RSS per stream",
                    f"<= {TARGETS['open_stream_kib']:.0f} KiB",
                    None if kib is None else f"{kib:.1f} KiB",
                    None if kib is None else kib <= TARGETS["open_stream_kib"]))
        return out

    def check(self):
        """Every run did its work; the C++ runs without errors."""
        problems = []
        for r in self.runs:
            if r["requests"] <= 0:
                problems.append(f"{r['scenario']} {r['client']}: no request completed "
                                f"({r['first_error']})")
            if r["client"] == "cpp" and r["errors"]:
                problems.append(f"{r['scenario']} cpp: {r['errors']} errors ({r['first_error']})")
            if r["scenario"] != "baseline" and r["client"] != "curl" and \
                    r["scenario"] != "open-streams" and r["image_bytes"] <= 0:
                problems.append(f"{r['scenario']} {r['client']}: no image bytes")
            if r["scenario"] == "streaming" and r["events"] <= 0:
                problems.append(f"{r['scenario']} {r['client']}: no events")
        if self.opts.clients is None or "micro" in self.opts.clients:
            if not self.micro or any(b["error"] or b["gbps"] <= 0 for b in self.micro):
                problems.append("micro-benchmarks missing or failed")
        return problems


# ---- reports

def fmt(v, unit=""):
    if v is None:
        return "-"
    if isinstance(v, int) or unit == "streams":
        return f"{int(v):,}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def ratio_text(vals, better):
    """The C++ library against each peer, as 'N x better' factors."""
    c = vals.get("cpp")
    parts = []
    for peer in ("node", "curl"):
        p = vals.get(peer)
        if c and p:
            f = (c / p) if better == "higher" else (p / c)
            parts.append(f"{f:.2f}x vs {peer}")
    return ", ".join(parts) or "-"


def machine():
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info["nproc"] = os.cpu_count()
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    info["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    info["kernel"] = platform.release()
    return info


def versions(opts, harness):
    v = {}
    try:
        with open("/usr/include/boost/version.hpp") as f:
            m = re.search(r'BOOST_LIB_VERSION "([^"]+)"', f.read())
            v["boost"] = m.group(1).replace("_", ".") if m else "?"
    except OSError:
        v["boost"] = "?"
    try:
        with open(os.path.join(opts.build_dir, "CMakeCache.txt")) as f:
            text = f.read()
        comp = re.search(r"CMAKE_CXX_COMPILER:\w+=(.*)", text)
        btype = re.search(r"CMAKE_BUILD_TYPE:\w+=(.*)", text)
        v["build_type"] = btype.group(1) if btype else "?"
        cxx = comp.group(1) if comp else "c++"
        v["compiler"] = subprocess.run([cxx, "--version"], capture_output=True,
                                       text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        v["compiler"] = "?"
    v["openssl"] = subprocess.run(["openssl", "version"], capture_output=True,
                                  text=True).stdout.strip() if shutil.which("openssl") else "?"
    if harness.node:
        v["node"] = subprocess.run([harness.node, "--version"], capture_output=True,
                                   text=True).stdout.strip()
        try:
            with open(os.path.join(os.path.dirname(harness.node_sdk), "package.json")) as f:
                v["openai_node_sdk"] = json.load(f)["version"]
        except OSError:
            v["openai_node_sdk"] = "not installed"
    if harness.curl:
        v["curl"] = subprocess.run([harness.curl, "--version"], capture_output=True,
                                   text=True).stdout.split("\n")[0]
    return v


def markdown(h, rows, targets, command, started, elapsed):
    m = machine()
    v = versions(h.opts, h)
    L = []
    L.append("# Benchmark results" + (" (quick configuration)" if h.opts.quick else ""))
    L.append("")
    L.append(f"- Command: `{command}`")
    L.append(f"- Date: {started.strftime('%Y-%m-%d %H:%M:%S %Z').strip()} "
             f"(harness took {elapsed:.0f} s)")
    L.append(f"- Machine: {m.get('cpu', '?')}, {m['nproc']} logical CPUs (nproc), "
             f"{m.get('memory', '?')} RAM, Linux {m['kernel']}")
    L.append(f"- Library: Boost {v['boost']}, {v['compiler']}, build type "
             f"{v.get('build_type', '?')}, {v['openssl']}")
    if "node" in v:
        L.append(f"- Peers: Node.js {v['node']} with the official `openai` SDK "
                 f"{v.get('openai_node_sdk')}; {v.get('curl', 'curl not found')}")
    L.append("- Every client runs alone, one after another, against openai-images-emulator over "
             "TLS on loopback (one emulator thread); CPU is the client process's user+sys time "
             "and memory its peak RSS, both from wait4(2) on the client (through GNU time), so "
             "the emulator is never counted. "
             "\"Above baseline\" subtracts the peak RSS of the same client making one small "
             "request.")
    for n in h.notes:
        L.append(f"- Note: {n}")
    L.append("")
    L.append("## Targets")
    L.append("")
    L.append("| target | wanted | measured | |")
    L.append("| --- | --- | --- | --- |")
    for name, wanted, got, met in targets:
        status = "not run" if met is None else ("met" if met else "**missed**")
        L.append(f"| {name} | {wanted} | {got or '-'} | {status} |")
    L.append("")
    L.append("## Scenarios")
    L.append("")
    L.append("| scenario | metric | C++ library | Node SDK | curl | C++ against peers |")
    L.append("| --- | --- | --- | --- | --- | --- |")
    for scenario, metric, unit, vals, better in rows:
        L.append(f"| {scenario} | {metric} ({unit}, {better} is better) | "
                 f"{fmt(vals.get('cpp'), unit)} | {fmt(vals.get('node'), unit)} | "
                 f"{fmt(vals.get('curl'), unit)} | {ratio_text(vals, better)} |")
    L.append("")
    if h.micro:
        L.append("## Micro-benchmarks (one core, Google Benchmark)")
        L.append("")
        L.append("| benchmark | throughput | CPU time per iteration |")
        L.append("| --- | --- | --- |")
        for b in h.micro:
            L.append(f"| {b['name']} | {b['gbps']:.2f} GB/s | {b['cpu_ns'] / 1e6:.3f} ms |")
        L.append("")
    L.append("## Raw runs")
    L.append("")
    L.append("| scenario | client | wall s | CPU s | peak RSS MiB | requests | errors | "
             "image MB | events | first error |")
    L.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in h.runs:
        err = r["first_error"].replace("|", "/")[:80]
        L.append(f"| {r['scenario']} | {r['client']} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | "
                 f"{r['maxrss_kib'] / 1024:.1f} | {r['requests']:,} | {r['errors']:,} | "
                 f"{r['image_bytes'] / MB:.1f} | {r['events']:,} | {err} |")
    L.append("")
    L.append("![chart](latest.png)")
    L.append("")
    return "\n".join(L)


def chart(h, rows, out_dir):
    """Each client's cost relative to the C++ library (1 = same, higher = the peer costs more)."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        h.notes.append("chart skipped: gnuplot not found")
        return None
    picks = [("small-unary-c1", "requests per client CPU-second", "CPU/request c=1"),
             ("small-unary-c64", "requests per client CPU-second", "CPU/request c=64"),
             ("large-unary", "client CPU per decoded MB", "CPU/MB large"),
             ("large-unary", "peak RSS", "peak RSS large"),
             ("streaming", "client CPU per stream", "CPU/stream"),
             ("streaming", "peak RSS above baseline per stream", "RSS/stream"),
             ("open-streams", "peak RSS above baseline per open stream", "RSS/open stream")]
    lines = []
    for scenario, metric, label in picks:
        for s, m_, _u, vals, better in rows:
            if s == scenario and m_ == metric and vals.get("cpp"):
                rel = {}
                for c in ("cpp", "node", "curl"):
                    v = vals.get(c)
                    if v:
                        rel[c] = (vals["cpp"] / v) if better == "higher" else (v / vals["cpp"])
                lines.append(f'"{label}" {rel.get("cpp", "NaN")} {rel.get("node", "NaN")} '
                             f'{rel.get("curl", "NaN")}')
    if not lines:
        return None
    data = os.path.join(out_dir, "latest.dat")
    png = os.path.join(out_dir, "latest.png")
    with open(data, "w") as f:
        f.write("# metric cpp node curl (cost relative to the C++ library)\n")
        f.write("\n".join(lines) + "\n")
    script = f"""
set terminal pngcairo size 1100,560 noenhanced font ",10"
set output "{png}"
set title "Cost relative to the C++ library (1 = same; higher = the peer uses more)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [0.1:*]
set grid ytics
set ylabel "relative cost (log scale)"
set xtics rotate by -20
set key top left
plot "{data}" using 2:xtic(1) title "C++ library", \\
     "" using 3 title "Node SDK", \\
     "" using 4 title "curl (receive only)"
"""
    res = subprocess.run([gnuplot], input=script, text=True, capture_output=True)
    if res.returncode != 0:
        script = script.replace("pngcairo", "png")
        res = subprocess.run([gnuplot], input=script, text=True, capture_output=True)
    os.remove(data)
    if res.returncode != 0:
        h.notes.append(f"chart failed: {res.stderr.strip()[:200]}")
        return None
    return png


def print_table(rows, targets):
    print()
    print(f"{'scenario':16} {'metric':52} {'C++':>10} {'Node':>10} {'curl':>10}  C++ vs peers")
    for scenario, metric, unit, vals, better in rows:
        print(f"{scenario:16} {(metric + ' (' + unit + ')')[:52]:52} "
              f"{fmt(vals.get('cpp'), unit):>10} {fmt(vals.get('node'), unit):>10} "
              f"{fmt(vals.get('curl'), unit):>10}  {ratio_text(vals, better)}")
    print()
    for name, wanted, got, met in targets:
        status = "not run" if met is None else ("met" if met else "MISSED")
        print(f"  [{status:7}] {name}: {got or '-'} (target {wanted})")
    print()


def _interrupted(_signum, _frame):
    raise KeyboardInterrupt


def main():
    # SIGTERM unwinds like Ctrl-C: the running client and the emulator are stopped.
    signal.signal(signal.SIGTERM, _interrupted)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes: seconds, for the test")
    ap.add_argument("--out-dir", default=os.path.join(HERE, "results"))
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build", "release"))
    ap.add_argument("--scenarios", type=lambda s: s.split(","), default=None,
                    help="comma-separated: " + ",".join(s["name"] for s in SCENARIOS))
    ap.add_argument("--clients", type=lambda s: s.split(","), default=None,
                    help="comma-separated subset of cpp,node,curl,micro")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 unless every run did its work (no timing thresholds)")
    opts = ap.parse_args()
    opts.build_dir = os.path.abspath(opts.build_dir)
    command = "bench/run.py " + " ".join(sys.argv[1:]) if sys.argv[1:] else "bench/run.py"

    started = datetime.datetime.now().astimezone()
    t0 = time.monotonic()
    fds = raise_fd_limit()
    log(f"file descriptor limit {fds}")
    h = Harness(opts)
    if not os.access(h.emulator_bin, os.X_OK):
        sys.exit(f"bench: {h.emulator_bin} not found; build the release tree first")
    h.run()
    rows = h.metrics()
    targets = h.targets(rows)
    print_table(rows, targets)

    os.makedirs(opts.out_dir, exist_ok=True)
    png = chart(h, rows, opts.out_dir)
    elapsed = time.monotonic() - t0
    md = markdown(h, rows, targets, command, started, elapsed)
    if not png:
        md = md.replace("![chart](latest.png)\n", "")
    with open(os.path.join(opts.out_dir, "latest.md"), "w") as f:
        f.write(md)
    with open(os.path.join(opts.out_dir, "latest.json"), "w") as f:
        json.dump({"command": command, "date": started.isoformat(), "quick": opts.quick,
                   "machine": machine(), "baselines_kib": h.baselines,
                   "runs": [{k: v for k, v in r.items()} for r in h.runs],
                   "metrics": [{"scenario": s, "metric": m, "unit": u, "values": v,
                                "better": b} for s, m, u, v, b in rows],
                   "targets": [{"target": n, "wanted": w, "measured": g, "met": met}
                               for n, w, g, met in targets],
                   "micro": h.micro}, f, indent=1)
    log(f"wrote {os.path.join(opts.out_dir, 'latest.md')} ({elapsed:.0f} s)")
    if opts.check:
        problems = h.check()
        for p in problems:
            print(f"check failed: {p}", file=sys.stderr)
        if problems:
            sys.exit(1)
        log("check: every run did its work")


if __name__ == "__main__":
    main()
