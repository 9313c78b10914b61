#!/usr/bin/env python3
"""Runs one example program against a fresh emulator and checks what it did.

    run_example.py --emulator PATH --example PATH NAME

NAME picks the checks (generate, edit, callbacks, future, concurrent, stream, server). The
emulator is started over TLS with its own CA; the example gets OPENAI_BASE_URL, SSL_CERT_FILE and
OPENAI_API_KEY, as a user would set them. Checks look at the example's output, the files it wrote
and the requests the emulator received (GET /v1/_emulator/requests). Exits non-zero with the
reason on failure.
"""
import argparse
import base64
import concurrent.futures
import http.client
import json
import os
import re
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
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


def example_env(emu):
    env = dict(os.environ)
    for name in ("OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "HTTPS_PROXY", "https_proxy"):
        env.pop(name, None)
    env.update(OPENAI_BASE_URL=emu.url + "/v1", SSL_CERT_FILE=emu.ca,
               OPENAI_API_KEY="sk-example-test")
    return env


def run(example, emu, args, cwd, timeout=120):
    env = example_env(emu)
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


def valid_png(data, name):
    """A whole PNG: signature, chunks with good CRCs from IHDR to a final IEND, and image data
    that inflates to exactly the rows IHDR announces (8-bit samples)."""
    check(data.startswith(PNG_MAGIC), "%s is not a PNG" % name)
    pos, kinds, idat = 8, [], b""
    while pos < len(data):
        check(pos + 12 <= len(data), "%s: a chunk is cut off" % name)
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        check(len(body) == length and pos + 12 + length <= len(data),
              "%s: a chunk is cut off" % name)
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        check(zlib.crc32(kind + body) & 0xFFFFFFFF == crc, "%s: bad CRC in %r" % (name, kind))
        kinds.append(kind)
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    check(kinds[:1] == [b"IHDR"] and kinds[-1] == b"IEND" and b"IDAT" in kinds,
          "%s: chunks %r" % (name, kinds))
    width, height, depth, color = struct.unpack(">IIBB", data[16:26])
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(color)
    check(depth == 8 and channels, "%s: depth %d, colour type %d" % (name, depth, color))
    check(len(zlib.decompress(idat)) == height * (1 + width * channels),
          "%s: the image data does not fill %dx%d" % (name, width, height))
    return data


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


def check_stream(binary, emulator, work):
    emu = Emulator(emulator, work, ["--payload-bytes", "4096", "--partial-interval-ms", "50"])
    try:
        p, _ = run(binary, emu, ["a fox in the snow", "fox.png", "3"], work)
        check(p.returncode == 0, "exit status %d" % p.returncode)
        names = re.findall(r"^wrote (\S+) \(", p.stdout, re.M)
        expected = ["fox.partial-0.png", "fox.partial-1.png", "fox.partial-2.png", "fox.png"]
        check(names == expected, "wrote %r, expected %r (partials in order, then the final)" %
              (names, expected))
        for name in names:
            valid_png(wrote(p, work, name), name)
        check(re.search(r"^wrote fox\.png \(\d+ bytes, [1-9]\d* tokens\)", p.stdout, re.M),
              "no token usage on the final line")
        reqs = emu.requests()
        check(len(reqs) == 1 and reqs[0]["path"] == "/v1/images/generations", "requests %r" % reqs)
        check(reqs[0]["stream"] is True, "the emulator did not answer with a stream")
        check(reqs[0]["body"] == {"model": "gpt-image-1", "prompt": "a fox in the snow",
                                  "stream": True, "partial_images": 3}, "body %r" % reqs[0]["body"])
        # Without partial images: only the final image.
        p, _ = run(binary, emu, ["a fox in the snow", "plain.png", "0"], work)
        check(p.returncode == 0, "exit status %d" % p.returncode)
        check(re.findall(r"^wrote (\S+) \(", p.stdout, re.M) == ["plain.png"], "wrote more files")
        valid_png(wrote(p, work, "plain.png"), "plain.png")
        # Usage.
        p, _ = run(binary, emu, ["only a prompt"], work)
        check(p.returncode == 2 and "usage:" in p.stderr, "usage: %d %r" % (p.returncode, p.stderr))
        p, _ = run(binary, emu, ["a prompt", "x.png", "many"], work)
        check(p.returncode == 2 and "usage:" in p.stderr, "usage: %d %r" % (p.returncode, p.stderr))
        check(len(emu.requests()) == 2, "a usage error reached the emulator")
    finally:
        emu.stop()
    # An error event after the first partial image: that one is saved, the error reported, status 1.
    emu = Emulator(emulator, work, ["--payload-bytes", "4096", "--fault", "sse-error-after=1"])
    try:
        p, _ = run(binary, emu, ["a fox in the snow", "cut.png", "3"], work)
        check(p.returncode == 1, "exit status %d after an error event" % p.returncode)
        check(p.stderr.startswith("error: "), "stderr %r" % p.stderr)
        valid_png(wrote(p, work, "cut.partial-0.png"), "cut.partial-0.png")
        check(not os.path.exists(os.path.join(work, "cut.partial-1.png")), "a second partial?")
        check(not os.path.exists(os.path.join(work, "cut.png")), "wrote a final image")
    finally:
        emu.stop()


class Server:
    """example_server as a process, and callers of POST /render."""

    def __init__(self, binary, emu, work):
        self.log = open(os.path.join(work, "server-%d.log" % len(os.listdir(work))), "w+")
        self.proc = subprocess.Popen([binary], env=example_env(emu), stdout=subprocess.PIPE,
                                     stderr=self.log, text=True)
        line = self.proc.stdout.readline().strip()
        check(line.startswith("listening on http://127.0.0.1:"), "server did not start: %r" % line)
        self.port = int(line.rsplit(":", 1)[1])

    def connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def post(self, body, path="/render", method="POST"):
        """(status, content type, body text) of one call."""
        conn = self.connect()
        try:
            conn.request(method, path, body if isinstance(body, str) else json.dumps(body),
                         {"content-type": "application/json"})
            r = conn.getresponse()
            return r.status, r.getheader("content-type"), r.read().decode()
        finally:
            conn.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.seek(0)
        sys.stdout.write("--- example_server stderr\n" + self.log.read())
        self.log.close()


def sse(text):
    """[(event, data)] of a whole event stream; every block must be complete."""
    check(text.endswith("\n\n"), "the event stream ends mid-event: %r" % text[-80:])
    events = []
    for block in text[:-2].split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n"))
        check(set(fields) == {"event", "data"}, "event block %r" % block[:200])
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def image_event(data, what):
    png = base64.b64decode(data["b64"], validate=True)
    check(len(png) == data["bytes"], "%s: %d bytes decoded, %d announced" % (what, len(png),
                                                                          data["bytes"]))
    valid_png(png, what)


def check_server(binary, emulator, work):
    # Every image is slow enough (200 ms per event) for the callers to overlap. Prompts carrying a
    # tag fail upstream: after the first partial image, or before the stream (a 400).
    emu = Emulator(emulator, work, ["--payload-bytes", "4096", "--partial-interval-ms", "200",
                                    "--fault", "prompt-contains=[mid-stream];sse-error-after=1",
                                    "--fault", "prompt-contains=[refused];status=400"])
    server = Server(binary, emu, work)
    try:
        def render(i):
            status, ctype, text = server.post({"prompt": "a lighthouse, variation %d" % i,
                                               "partial_images": i % 4})
            check(status == 200 and ctype == "text/event-stream", "#%d: %d %s %r" %
                  (i, status, ctype, text[:200]))
            return sse(text)

        count = 8
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(count) as pool:
            results = list(pool.map(render, range(count)))
        elapsed = time.monotonic() - started
        for i, events in enumerate(results):
            names = [name for name, _ in events]
            check(names == ["partial"] * (i % 4) + ["completed"], "#%d: events %r" % (i, names))
            for k, (_, data) in enumerate(events[:-1]):
                check(data["index"] == k, "#%d: partial %d has index %r" % (i, k, data["index"]))
                image_event(data, "#%d partial %d" % (i, k))
            image_event(events[-1][1], "#%d completed" % i)
            check(events[-1][1].get("total_tokens", 0) > 0, "#%d: no usage" % i)
        reqs = emu.requests()
        expected = sorted("a lighthouse, variation %d" % i for i in range(count))
        check(sorted(prompts(emu)) == expected, "prompts %r" % prompts(emu))
        check(all(r["body"].get("stream") is True for r in reqs), "a request without stream=true")
        peak = emu.get("/v1/_emulator/stats")["streams_peak"]
        print("%d callers in %.2f s, %d streams open at most" % (count, elapsed, peak))
        check(peak >= 2, "the streams never overlapped: the callers were served one by one")

        # Upstream failures.
        status, ctype, text = server.post({"prompt": "[mid-stream] a fox", "partial_images": 3})
        check(status == 200, "mid-stream failure: %d %r" % (status, text))
        events = sse(text)
        check([name for name, _ in events] == ["partial", "error"], "events %r" % events)
        check(events[1][1].get("message") and events[1][1].get("type") == "server_error" and
              "status" not in events[1][1], "error event %r" % events[1][1])
        status, ctype, text = server.post({"prompt": "[refused] a fox"})
        body = json.loads(text)
        check(status == 502 and ctype == "application/json" and body["error"]["status"] == 400 and
              body["error"]["type"] == "invalid_request_error" and body["error"]["message"],
              "refused upstream: %d %s %r" % (status, ctype, text))
        # The caller's mistakes never reach the API.
        for request, expected in ((("not json",), 400), (({"prompt": ""},), 400),
                                  (({"prompt": "x", "partial_images": 7},), 400),
                                  (({"prompt": "x"}, "/render", "GET"), 405),
                                  (({"prompt": "x"}, "/elsewhere"), 404)):
            status, ctype, text = server.post(*request)
            check(status == expected and json.loads(text)["error"]["message"],
                  "%r: %d %r, expected %d" % (request, status, text, expected))
        check(len(emu.requests()) == count + 2, "%d requests reached the emulator" %
              len(emu.requests()))
    finally:
        server.stop()
        emu.stop()

    # Shutdown with work in flight: a stream between two partial images (2 s apart), a call
    # whose response head is 30 s away, an idle connection. SIGINT must end all three at once.
    emu = Emulator(emulator, work, ["--payload-bytes", "4096", "--partial-interval-ms", "2000",
                                    "--fault",
                                    "prompt-contains=[slow-head];delay-headers-ms=30000"])
    server = Server(binary, emu, work)
    try:
        first_partial = threading.Event()
        streamed = {}

        def stream():
            conn = server.connect()
            try:
                conn.request("POST", "/render", json.dumps({"prompt": "a slow fox",
                                                            "partial_images": 3}))
                r = conn.getresponse()
                streamed["status"] = r.status
                text = ""
                while not first_partial.is_set():
                    line = r.readline().decode()
                    check(line, "the stream ended before its first partial image")
                    text += line
                    if text.endswith("\n\n"):
                        first_partial.set()
                streamed["text"] = text + r.read().decode()  # IncompleteRead if cut short
            except Exception as e:  # reported by the main thread
                streamed["error"] = repr(e)
                first_partial.set()
            finally:
                conn.close()

        head = {}

        def slow_head():
            try:
                head["reply"] = server.post({"prompt": "[slow-head] a fox"})
            except Exception as e:
                head["error"] = repr(e)

        threads = [threading.Thread(target=stream), threading.Thread(target=slow_head)]
        for t in threads:
            t.start()
        idle = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        check(first_partial.wait(60) and "error" not in streamed, "stream: %r" % streamed)
        deadline = time.monotonic() + 30
        while "[slow-head] a fox" not in prompts(emu):
            check(time.monotonic() < deadline, "the slow call never reached the emulator")
            time.sleep(0.05)
        started = time.monotonic()
        server.proc.send_signal(signal.SIGINT)
        try:
            code = server.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            raise Failure("the server did not exit within 10 s of SIGINT")
        elapsed = time.monotonic() - started
        print("SIGINT -> exit %d in %.2f s" % (code, elapsed))
        check(code == 0, "exit status %d after SIGINT" % code)
        check(elapsed < 1.5, "took %.2f s to stop: the work in flight was waited for" % elapsed)
        for t in threads:
            t.join(10)
            check(not t.is_alive(), "a caller is still connected after the server exited")
        check("error" not in streamed, "stream: %s" % streamed.get("error"))
        events = sse(streamed["text"])
        check([name for name, _ in events] == ["partial", "error"], "events %r" % events)
        check("shutting down" in events[1][1]["message"], "error event %r" % events[1][1])
        check("error" not in head, "slow call: %s" % head.get("error"))
        status, _, text = head["reply"]
        check(status == 503 and "shutting down" in text, "slow call: %d %r" % (status, text))
        check(idle.recv(1) == b"", "the idle connection was not closed")
        idle.close()
    finally:
        server.stop()
        emu.stop()


CHECKS = {"generate": check_generate, "edit": check_edit, "callbacks": check_callbacks,
          "future": check_future, "concurrent": check_concurrent, "stream": check_stream,
          "server": check_server}


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
