#!/usr/bin/env python3
"""Runs one example program against a fresh emulator and checks what it did.

    run_example.py --emulator PATH --example PATH NAME

NAME picks the checks (generate, edit, callbacks, future, concurrent). The emulator is started
over TLS with its own CA; the example gets OPENAI_BASE_URL, SSL_CERT_FILE and OPENAI_API_KEY, as a
user would set them. Checks look at the example's output, the files it wrote and the requests the
emulator received (GET /v1/_emulator/requests). Exits non-zero with the reason on failure.
"""
import argparse
import json
import os
import re
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


class Emulator:
    def __init__(self, binary, workdir, extra=()):
        self.cert_dir = os.path.join(workdir, "certs-%d" % len(os.listdir(workdir)))
        self.proc = subprocess.Popen([binary, "--tls", "--cert-dir", self.cert_dir, *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        check(line.startswith("listening on https://"), "emulator did not start: %r %s" %
              (line, self.proc.stderr.read() if self.proc.poll() is not None else ""))
        self.url = line[len("listening on "):]
        self.ca = os.path.join(self.cert_dir, "ca.pem")
        self.ssl = ssl.create_default_context(cafile=self.ca)

    def get(self, path):
        with urllib.request.urlopen(self.url + path, context=self.ssl, timeout=30) as r:
            return json.load(r)

    def requests(self):
        return [r for r in self.get("/v1/_emulator/requests")["requests"]
                if r["path"].startswith("/v1/images/")]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def run(example, emu, args, cwd, timeout=120):
    env = dict(os.environ)
    for name in ("OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "HTTPS_PROXY", "https_proxy"):
        env.pop(name, None)
    env.update(OPENAI_BASE_URL=emu.url + "/v1", SSL_CERT_FILE=emu.ca,
               OPENAI_API_KEY="sk-example-test")
    started = time.monotonic()
    p = subprocess.run([example, *args], cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=timeout)
    elapsed = time.monotonic() - started
    sys.stdout.write("$ %s %s -> %d in %.2f s\n%s%s" % (os.path.basename(example), " ".join(args),
                                                        p.returncode, elapsed, p.stdout, p.stderr))
    return p, elapsed


def png(width, height, alpha=False, hole=None):
    """A real PNG: a gradient, RGB or RGBA; `hole` (x0, y0, x1, y1) fully transparent."""
    channels = 4 if alpha else 3
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            px = [x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), 128]
            if alpha:
                inside = hole and hole[0] <= x < hole[2] and hole[1] <= y < hole[3]
                px.append(0 if inside else 255)
            row += bytes(px)
        rows.append(bytes(row))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    return PNG_MAGIC + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"".join(rows))) + \
        chunk(b"IEND", b"")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def wrote(p, cwd, name):
    """The example said it wrote `name`: the file is a PNG of the size it reported."""
    m = re.search(r"^wrote %s \((\d+) bytes" % re.escape(name), p.stdout, re.M)
    check(m, "no 'wrote %s' line" % name)
    data = read(os.path.join(cwd, name))
    check(data.startswith(PNG_MAGIC), "%s is not a PNG" % name)
    check(len(data) == int(m.group(1)), "%s: %d bytes on disk, %s reported" %
          (name, len(data), m.group(1)))
    return data


def prompts(emu):
    return [r["body"].get("prompt") if isinstance(r["body"], dict) and "prompt" in r["body"]
            else next((p.get("value") for p in r["body"].get("parts", [])
                       if p.get("name") == "prompt"), None)
            for r in emu.requests()]


# ---- the examples


def check_generate(binary, emulator, work):
    emu = Emulator(emulator, work)
    try:
        p, _ = run(binary, emu, ["a lighthouse at dawn", "lighthouse.png"], work)
        check(p.returncode == 0, "exit status %d" % p.returncode)
        wrote(p, work, "lighthouse.png")
        check(re.search(r"\(\d+ bytes, [1-9]\d* tokens\)", p.stdout), "no token usage printed")
        reqs = emu.requests()
        check(len(reqs) == 1, "%d requests" % len(reqs))
        check(reqs[0]["path"] == "/v1/images/generations", reqs[0]["path"])
        check(reqs[0]["body"] == {"model": "gpt-image-1", "prompt": "a lighthouse at dawn",
                                  "size": "1024x1024"}, "body %r" % reqs[0]["body"])
        check(reqs[0]["auth"] == "bearer", "auth %r" % reqs[0]["auth"])
    finally:
        emu.stop()
    # Failure: a clear message and status 1 (the emulator refuses the key it does not expect).
    emu = Emulator(emulator, work, ["--api-key", "another-key"])
    try:
        p, _ = run(binary, emu, ["x", "never.png"], work)
        check(p.returncode == 1, "exit status %d for a refused key" % p.returncode)
        check(p.stderr.startswith("error: ") and "401" in p.stderr, "error %r" % p.stderr)
        check("sk-example-test" not in p.stderr, "the API key was printed")
        check(not os.path.exists(os.path.join(work, "never.png")), "wrote a file on failure")
    finally:
        emu.stop()


def check_edit(binary, emulator, work):
    room = os.path.join(work, "room.png")
    lamp = os.path.join(work, "lamp.png")
    mask = os.path.join(work, "mask.png")
    small_mask = os.path.join(work, "small-mask.png")
    for path, data in ((room, png(64, 64)), (lamp, png(48, 32, alpha=True)),
                       (mask, png(64, 64, alpha=True, hole=(16, 16, 48, 48))),
                       (small_mask, png(32, 32, alpha=True))):
        with open(path, "wb") as f:
            f.write(data)
    emu = Emulator(emulator, work)
    try:
        p, _ = run(binary, emu, [room, lamp, mask, "put the lamp in the room", "edited.png"], work)
        check(p.returncode == 0, "exit status %d" % p.returncode)
        wrote(p, work, "edited.png")
        reqs = emu.requests()
        check(len(reqs) == 1 and reqs[0]["path"] == "/v1/images/edits", "requests %r" % reqs)
        parts = reqs[0]["body"]["parts"]
        files = [(x["name"], x["filename"], x["content_type"], x["size"]) for x in parts
                 if "filename" in x and x["filename"]]
        check(files == [("image[]", "room.png", "image/png", os.path.getsize(room)),
                        ("image[]", "lamp.png", "image/png", os.path.getsize(lamp)),
                        ("mask", "mask.png", "image/png", os.path.getsize(mask))],
              "file parts %r (in order, basenames only, sniffed types)" % files)
        fields = {x["name"]: x.get("value") for x in parts if not x.get("filename")}
        check(fields.get("prompt") == "put the lamp in the room", "fields %r" % fields)
        check(fields.get("model") == "gpt-image-1", "fields %r" % fields)
        # A mask of the wrong size: refused before sending, naming both files and their sizes.
        p, _ = run(binary, emu, [room, lamp, small_mask, "again", "never.png"], work)
        check(p.returncode == 1, "exit status %d for a bad mask" % p.returncode)
        check("small-mask.png is 32x32" in p.stderr and "room.png) is 64x64" in p.stderr,
              "error %r" % p.stderr)
        check(len(emu.requests()) == 1, "the refused edit reached the emulator")
        check(not os.path.exists(os.path.join(work, "never.png")), "wrote a file on failure")
        # Usage.
        p, _ = run(binary, emu, [room], work)
        check(p.returncode == 2 and "usage:" in p.stderr, "usage: %d %r" % (p.returncode, p.stderr))
    finally:
        emu.stop()


def check_callbacks(binary, emulator, work):
    emu = Emulator(emulator, work)
    try:
        p, _ = run(binary, emu, ["a paper boat", "boat.png"], work)
        check(p.returncode == 0, "exit status %d" % p.returncode)
        wrote(p, work, "boat.png")
        wrote(p, work, "night-boat.png")
        check(prompts(emu) == ["a paper boat", "a paper boat, at night"], "prompts %r" % prompts(emu))
    finally:
        emu.stop()
    # Both handler forms report failures: the first call gets a 500 (no retries left).
    emu = Emulator(emulator, work, ["--fault", "status=500"])
    try:
        p, _ = run(binary, emu, ["a paper boat", "boat2.png"], work)
        check(p.returncode == 1, "exit status %d on a 500" % p.returncode)
        check("first call failed: HTTP 500" in p.stderr, "stderr %r" % p.stderr)
        check(not os.path.exists(os.path.join(work, "boat2.png")), "wrote a file on failure")
    finally:
        emu.stop()


def check_future(binary, emulator, work):
    emu = Emulator(emulator, work)
    try:
        p, _ = run(binary, emu, ["a red kite", "kite.png"], work)
        check(p.returncode == 0, "exit status %d" % p.returncode)
        wrote(p, work, "kite.png")
        wrote(p, work, "winter-kite.png")
        check(sorted(prompts(emu)) == ["a red kite", "a red kite, in winter"],
              "prompts %r" % prompts(emu))
        ids = re.findall(r"request id (req_\w+)", p.stdout)
        logged = {r["request_id"] for r in emu.get("/v1/_emulator/requests")["requests"]}
        check(len(ids) == 2 and set(ids) <= logged, "request ids %r not in the log" % ids)
    finally:
        emu.stop()
    emu = Emulator(emulator, work, ["--fault", "status=400"])
    try:
        p, _ = run(binary, emu, ["a red kite", "kite2.png"], work)
        check(p.returncode == 1 and "error: HTTP 400" in p.stderr, "stderr %r" % p.stderr)
    finally:
        emu.stop()


def summary(p):
    m = re.search(r"^(\d+) requests, (\d+) in flight: (\d+) ok, (\d+) timed out, (\d+) failed",
                  p.stdout, re.M)
    check(m, "no summary line")
    return [int(x) for x in m.groups()]


def check_concurrent(binary, emulator, work):
    # Small pictures (--payload-bytes): the emulator draws 100 distinct ones quickly.
    emu = Emulator(emulator, work, ["--latency-ms", "50", "--payload-bytes", "4096"])
    try:
        p, _ = run(binary, emu, ["100", "8"], work)
        check(p.returncode == 0, "exit status %d" % p.returncode)
        check(summary(p) == [100, 8, 100, 0, 0], "summary %r" % summary(p))
        check(re.search(r"latency p50 \d+ ms, p95 \d+ ms", p.stdout), "no latencies")
        opened = re.search(r"connections opened: (\d+)", p.stdout)
        check(opened and 1 <= int(opened.group(1)) <= 8, "connections opened: more than 8?")
        stats = emu.get("/v1/_emulator/stats")  # first: this GET is one more connection
        check(stats["connections_peak"] <= 9, "%d connections at once: more than 8 in flight" %
              stats["connections_peak"])
        check(stats["connections_accepted"] <= 9, "%d connections: the pool did not reuse them" %
              stats["connections_accepted"])
        reqs = emu.requests()
        check(len(reqs) == 100, "%d requests reached the emulator" % len(reqs))
        check(sorted(prompts(emu)) == sorted("a small robot, variation %d" % i for i in range(100)),
              "not every variation was asked once")
    finally:
        emu.stop()
    # Deadlines: the prompts containing "variation 7" (7 and 70..79) answer after a minute; the
    # 5 s deadline cancels those eleven, and the run does not wait for their answers.
    emu = Emulator(emulator, work, ["--payload-bytes", "4096", "--fault",
                                    "prompt-contains=variation 7;delay-headers-ms=60000"])
    try:
        p, elapsed = run(binary, emu, ["100", "8", "5000"], work)
        check(p.returncode == 1, "exit status %d with timeouts" % p.returncode)
        check(summary(p) == [100, 8, 89, 11, 0], "summary %r" % summary(p))
        check(elapsed < 45.0, "took %.1f s: the slow answers were waited for" % elapsed)
        check(len(emu.requests()) == 100, "a timed-out generation was retried")
    finally:
        emu.stop()


CHECKS = {"generate": check_generate, "edit": check_edit, "callbacks": check_callbacks,
          "future": check_future, "concurrent": check_concurrent}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--emulator", required=True)
    parser.add_argument("--example", required=True)
    parser.add_argument("name", choices=sorted(CHECKS))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="example-%s-" % args.name) as work:
        try:
            CHECKS[args.name](args.example, args.emulator, work)
        except Failure as e:
            print("FAILED: %s" % e)
            return 1
    print("ok: %s" % args.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
