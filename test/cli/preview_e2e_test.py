#!/usr/bin/env python3
"""openai-images previews, names and the batch contact sheet, end to end.

  preview_e2e_test.py --cli PATH --emulator PATH --artifacts DIR CASE

CASE is one of:
  tmux     `generate --emulator --stream --partial-images 2 --preview blocks` in a tmux pane:
           `capture-pane -e` shows one half-block picture (the partial ones were replaced) whose
           cells carry the final image's colours, and the path line. Needs tmux.
  pipes    pipes and --json: stdout byte-identical with and without a terminal-looking
           environment (request ids and timestamps aside), --json on a terminal has no escapes;
           `preview FILE` with no key and no network, its Kitty payload the file's bytes.
  names    second and third runs give x-2.*/x-3.* with matching partial names; --name ../x
           refused; bytes that are no image: exit 1 saying what came back, or .bin with
           --keep-unknown.
  browser  a batch with ok and failed lines; its index.html loaded in headless Chromium: every
           line present, every image loaded with its natural size, failed lines marked, the
           status filter working; a screenshot kept in DIR. Needs chromium.

Exit status 0 on success, 77 when the case cannot run here (tool missing; said why), else 1.
"""
import argparse
import html
import http.server
import json
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

SKIP = 77


class Failure(Exception):
    pass


def check(cond, message):
    if not cond:
        raise Failure(message)


def run(args, cwd=None, env=None, timeout=120, stdin=subprocess.DEVNULL):
    return subprocess.run(args, cwd=cwd, env=env, stdin=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)


def base_env():
    env = dict(os.environ)
    for k in list(env):
        if (k in ("CI", "NO_COLOR", "COLORTERM", "TERM_PROGRAM", "LC_TERMINAL", "TMUX",
                  "KITTY_WINDOW_ID", "WT_SESSION", "KONSOLE_VERSION", "OPENAI_API_KEY",
                  "OPENAI_BASE_URL") or k.startswith("WEZTERM_") or k.startswith("GHOSTTY_")):
            del env[k]
    return env


def terminal_env():
    env = base_env()
    env.update(TERM="xterm-kitty", KITTY_WINDOW_ID="1", COLORTERM="truecolor",
               TERM_PROGRAM="iTerm.app", LC_TERMINAL="iTerm2", COLUMNS="120", LINES="40")
    return env


def plain_env():
    env = base_env()
    env["TERM"] = "dumb"
    return env


# ---- a small PNG reader (8-bit RGB/RGBA, not interlaced: what the emulator writes)

def read_png(path):
    data = open(path, "rb").read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG")
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            check(depth == 8 and ctype in (2, 6) and interlace == 0, "unexpected PNG kind")
            channels = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 255
        elif f == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 255
        elif f == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = prev[i]
                c = prev[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        rows.append(line)
        prev = line
    return width, height, channels, rows


def span(i, n, source):
    lo = i * source // n
    hi = (i + 1) * source // n
    if hi <= lo:
        hi = min(lo + 1, source)
    return min(lo, source - 1), hi


def box_average(png, x, y, cols, sample_rows):
    """The colour resize() gives output pixel (x, y) of a cols x sample_rows picture."""
    width, height, channels, rows = png
    x0, x1 = span(x, cols, width)
    y0, y1 = span(y, sample_rows, height)
    tot = [0, 0, 0]
    alpha = 0
    for sy in range(y0, y1):
        line = rows[sy]
        for sx in range(x0, x1):
            a = line[sx * channels + 3] if channels == 4 else 255
            for c in range(3):
                tot[c] += line[sx * channels + c] * a
            alpha += a
    count = (x1 - x0) * (y1 - y0)
    mean_alpha = (alpha + count // 2) // count
    rgb = [(t + alpha // 2) // alpha if alpha else 0 for t in tot]
    return tuple((v * mean_alpha + 127) // 255 for v in rgb)  # flattened on black


# ---- SGR parsing of capture-pane -e output

SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def parse_cells(line):
    """The (foreground, background) of every upper-half-block cell of a captured line."""
    cells, fg, bg, pos = [], None, None, 0
    while pos < len(line):
        m = SGR.match(line, pos)
        if m:
            params = [int(p) if p else 0 for p in re.split("[;:]", m.group(1))] if m.group(1) else [0]
            i = 0
            while i < len(params):
                p = params[i]
                if p in (38, 48) and i + 1 < len(params) and params[i + 1] == 2:
                    colour = tuple(params[i + 2:i + 5])
                    if p == 38:
                        fg = colour
                    else:
                        bg = colour
                    i += 5
                    continue
                if p in (38, 48) and i + 1 < len(params) and params[i + 1] == 5:
                    raise Failure("256-colour cell where 24-bit colour was asked for")
                if p == 0:
                    fg = bg = None
                elif p == 39:
                    fg = None
                elif p == 49:
                    bg = None
                i += 1
            pos = m.end()
            continue
        if line[pos] == "\u2580":
            cells.append((fg, bg))
        pos += 1
    return cells


def strip_sgr(text):
    return re.sub(r"\x1b\[[0-9;:?]*[A-Za-z]", "", text)


# ---- cases

def case_tmux(cli, artifacts, chromium):
    tmux = shutil.which("tmux")
    if not tmux:
        print("SKIP: tmux is not installed (Debian package tmux; ./dev deps installs it)")
        return SKIP
    work = tempfile.mkdtemp(prefix="preview-tmux-")
    sock = f"openai-images-preview-test-{os.getpid()}"
    out = os.path.join(work, "out")
    command = (f"env COLORTERM=truecolor TERM=tmux-256color '{cli}' generate --emulator --stream "
               f"--partial-images 2 --preview blocks --model gpt-image-1 --quality low "
               f"--prompt 'a lighthouse at dawn, in colour' --name shot --out '{out}'; "
               f"echo __EXIT_$?__; sleep 600")
    env = base_env()
    try:
        subprocess.run([tmux, "-L", sock, "-f", "/dev/null", "new-session", "-d", "-x", "120",
                        "-y", "50", "-s", "preview", command], env=env, check=True, timeout=30)
        deadline = time.time() + 120
        text = ""
        while time.time() < deadline:
            text = subprocess.run([tmux, "-L", sock, "capture-pane", "-p", "-t", "preview",
                                   "-S", "-", "-E", "-"], stdout=subprocess.PIPE,
                                  timeout=30).stdout.decode()
            if "__EXIT_" in text:
                break
            time.sleep(0.2)
        capture = subprocess.run([tmux, "-L", sock, "capture-pane", "-p", "-e", "-t", "preview",
                                  "-S", "-", "-E", "-"], stdout=subprocess.PIPE,
                                 timeout=30).stdout.decode()
    finally:
        subprocess.run([tmux, "-L", sock, "kill-server"], stderr=subprocess.DEVNULL, timeout=30)
    plain = strip_sgr(capture)
    check("__EXIT_0__" in plain, "generate did not exit 0:\n" + plain)
    final = os.path.join(out, "shot.png")
    check(os.path.exists(final), "no final image")
    for k in (0, 1):
        check(os.path.exists(os.path.join(out, f"shot.partial-{k}.png")), f"no partial {k}")
    check(f"wrote {final} (" in plain, "no path line for the final image:\n" + plain)
    check(f"wrote {out}/shot.partial-1.png (" in plain, "no path line for partial 1")
    lines = capture.split("\n")
    block_lines = [i for i, l in enumerate(lines) if "\u2580" in l]
    check(block_lines, "no half blocks in the pane:\n" + plain)
    # One picture: the partial previews were replaced in place, and it follows the final path line.
    check(block_lines == list(range(block_lines[0], block_lines[0] + len(block_lines))),
          "half-block lines are not one picture")
    path_line = next(i for i, l in enumerate(lines) if f"wrote {final} (" in strip_sgr(l))
    check(block_lines[0] == path_line + 1, "the picture does not follow the final path line")
    rows = len(block_lines)
    check(rows <= 50 - 3, f"picture taller than the pane allows: {rows} rows")
    grid = [parse_cells(lines[i]) for i in block_lines]
    cols = len(grid[0])
    check(all(len(r) == cols for r in grid), "ragged half-block picture")
    check(0 < cols <= 120, f"picture wider than the pane: {cols}")
    png = read_png(final)
    width, height = png[0], png[1]
    # Aspect kept: cells are about twice as tall as wide, two samples per cell.
    check(abs(cols / (2 * rows) - width / height) < 0.1, "aspect not kept")
    # Sampled cells: a grid of 8 x 8 across the picture.
    checked = 0
    for r in sorted({int(rows * k / 8) for k in range(8)}):
        for c in sorted({int(cols * k / 8) for k in range(8)}):
            fg, bg = grid[r][c]
            want_top = box_average(png, c, 2 * r, cols, 2 * rows)
            want_bottom = box_average(png, c, 2 * r + 1, cols, 2 * rows)
            check(fg is not None and bg is not None, f"cell {c},{r} has no colour")
            for got, want, which in ((fg, want_top, "upper"), (bg, want_bottom, "lower")):
                check(all(abs(g - w) <= 2 for g, w in zip(got, want)),
                      f"cell {c},{r} {which} half is {got}, the image there is {want}")
            checked += 1
    print(f"tmux: {rows} rows x {cols} columns of half blocks, {checked} sampled cells match")
    with open(os.path.join(artifacts, "preview-tmux.ansi"), "w") as f:
        f.write(capture)
    if chromium:
        screenshot_capture(chromium, capture, os.path.join(artifacts, "preview-tmux.png"), cols)
    shutil.rmtree(work, ignore_errors=True)
    return 0


def screenshot_capture(chromium, capture, target, cols):
    """The captured pane as the terminal showed it: coloured cells in HTML, photographed."""
    parts = []
    for line in capture.rstrip("\n").split("\n"):
        fg = bg = None
        pos, out = 0, []
        while pos < len(line):
            m = SGR.match(line, pos)
            if m:
                params = [int(p) if p else 0 for p in re.split("[;:]", m.group(1))] if m.group(1) else [0]
                i = 0
                while i < len(params):
                    if params[i] in (38, 48) and i + 4 < len(params) and params[i + 1] == 2:
                        c = "#%02x%02x%02x" % tuple(params[i + 2:i + 5])
                        if params[i] == 38:
                            fg = c
                        else:
                            bg = c
                        i += 5
                        continue
                    if params[i] == 0:
                        fg = bg = None
                    i += 1
                pos = m.end()
                continue
            style = ""
            if fg:
                style += f"color:{fg};"
            if bg:
                style += f"background:{bg};"
            ch = html.escape(line[pos])
            out.append(f'<span style="{style}">{ch}</span>' if style else ch)
            pos += 1
        parts.append("".join(out))
    page = ("<!DOCTYPE html><meta charset=utf-8><style>body{margin:0;background:#1e1e1e;"
            "color:#ddd}pre{font:14px/16px 'DejaVu Sans Mono',monospace;margin:12px}</style><pre>"
            + "\n".join(parts) + "</pre>")
    page_path = target + ".html"
    with open(page_path, "w") as f:
        f.write(page)
    height = 16 * (len(parts) + 2)
    chromium_run(chromium, ["--window-size=%d,%d" % (max(cols, 80) * 9 + 40, height),
                            "--screenshot=" + target, "file://" + page_path])


def chromium_run(chromium, args):
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        return run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--no-first-run", "--hide-scrollbars", "--user-data-dir=" + profile] + args,
                   timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


REQ = re.compile(rb"req_[0-9a-f]{32}")
CREATED = re.compile(rb'"created(_at)?":[0-9]+')


def normalise(b):
    """Request ids and creation times differ from call to call; nothing else may."""
    return CREATED.sub(b'"created":N', REQ.sub(b"req_ID", b))


def run_pty(args, cwd, env, timeout=120):
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=subprocess.PIPE)
    os.close(slave)
    out = b""
    deadline = time.time() + timeout
    while time.time() < deadline:
        r, _, _ = select.select([master], [], [], 0.5)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    proc.wait(timeout=30)
    return proc.returncode, out.replace(b"\r\n", b"\n")


def case_pipes(cli):
    work = tempfile.mkdtemp(prefix="preview-pipes-")
    commands = [
        ["generate", "--emulator", "--model", "gpt-image-1", "--quality", "low", "--prompt", "a pipe test", "--name", "x", "--out", "out"],
        ["generate", "--emulator", "--model", "gpt-image-1", "--quality", "low", "--prompt", "a pipe test", "--name", "x", "--out", "out",
         "--json"],
        ["generate", "--emulator", "--model", "gpt-image-1", "--quality", "low", "--stream", "--partial-images", "2", "--prompt", "streamed",
         "--name", "s", "--out", "out"],
        ["generate", "--emulator", "--model", "gpt-image-1", "--quality", "low", "--stream", "--partial-images", "2", "--prompt", "streamed",
         "--name", "s", "--out", "out", "--json"],
    ]
    for n, args in enumerate(commands):
        outputs = []
        for label, env in (("terminal", terminal_env()), ("plain", plain_env())):
            cwd = os.path.join(work, f"{n}-{label}")
            os.makedirs(cwd)
            p = run([cli] + args, cwd=cwd, env=env)
            check(p.returncode == 0, f"{args} failed in the {label} environment: {p.stderr}")
            check(b"\x1b" not in p.stdout, f"escape sequences in piped stdout ({label}): {args}")
            check(b"\x1b" not in p.stderr, f"escape sequences in piped stderr ({label}): {args}")
            outputs.append(p.stdout)
            files = sorted(os.listdir(os.path.join(cwd, "out")))
            outputs.append(repr(files).encode())
        check(normalise(outputs[0]) == normalise(outputs[2]),
              f"stdout differs with a terminal-looking environment for {args}:\n"
              f"{outputs[0]!r}\n{outputs[2]!r}")
        check(outputs[1] == outputs[3], f"different files for {args}")
        if "--json" in args:
            # On a real terminal too, --json carries no graphics.
            cwd = os.path.join(work, f"{n}-pty")
            os.makedirs(cwd)
            code, out = run_pty([cli] + args, cwd, terminal_env())
            check(code == 0, f"{args} on a terminal failed")
            check(b"\x1b" not in out, f"--json on a terminal wrote escapes: {out[:200]!r}")
            check(normalise(out) == normalise(outputs[0]),
                  f"--json on a terminal differs from the pipe:\n{out!r}\n{outputs[0]!r}")
    print(f"pipes: {len(commands)} commands identical with and without a terminal environment")

    # preview FILE: no key, no network; in a pipe only the path line; forced Kitty carries the file.
    image = os.path.join(work, "0-plain", "out", "x.png")
    env = plain_env()
    env["OPENAI_BASE_URL"] = "http://127.0.0.1:1/v1"  # would fail if anything were sent
    p = run([cli, "preview", image], env=env)
    check(p.returncode == 0, f"preview failed: {p.stderr}")
    check(p.stdout.decode().startswith(image + " (png, "), f"preview line: {p.stdout!r}")
    check(b"\x1b" not in p.stdout, "preview in a pipe wrote escapes")
    p = run([cli, "preview", image, "--preview", "kitty"], env=env)
    check(p.returncode == 0, f"preview --preview kitty failed: {p.stderr}")
    body = p.stdout.split(b"\n", 1)[1]
    chunks = re.findall(rb"\x1b_G([^;]*);([^\x1b]*)\x1b\\", body)
    check(chunks, "no Kitty graphics commands")
    check(b"a=T" in chunks[0][0] and b"f=100" in chunks[0][0], "first Kitty command")
    import base64
    payload = base64.b64decode(b"".join(c[1] for c in chunks))
    check(payload == open(image, "rb").read(), "the Kitty payload is not the file")
    p = run([cli, "preview", image, "--preview", "iterm2"], env=env)
    m = re.search(rb"\x1b\]1337;File=([^:]*):([^\x07]*)\x07", p.stdout)
    check(m and base64.b64decode(m.group(2)) == open(image, "rb").read(),
          "the iTerm2 payload is not the file")
    p = run([cli, "preview", image, "--preview", "sixel"], env=env)
    check(re.search(rb'\x1bP0;1;0q"1;1;\d+;\d+#0;2;', p.stdout) and
          p.stdout.endswith(b"\x1b\\\n"), "no Sixel picture")
    # A picture that cannot be decoded: a note, never a failure.
    broken = os.path.join(work, "broken.png")
    with open(broken, "wb") as f:
        f.write(open(image, "rb").read()[:200])
    p = run([cli, "preview", broken, "--preview", "blocks"], env=env)
    check(p.returncode == 0 and b"(no preview: " in p.stderr and b"\x1b" not in p.stdout,
          f"a broken picture: {p.returncode} {p.stderr}")
    p = run([cli, "preview", os.path.join(work, "missing.png")], env=env)
    check(p.returncode == 1 and b"missing.png" in p.stderr, "a missing file is not an error")
    print("preview: no key, no network; Kitty, iTerm2 and Sixel output")
    shutil.rmtree(work, ignore_errors=True)
    return 0


class StubHandler(http.server.BaseHTTPRequestHandler):
    """An OpenAI-compatible mock that answers every generation with base64 of "string"."""

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        self.rfile.read(length)
        body = json.dumps({"created": 1, "data": [{"b64_json": "c3RyaW5n"}]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def case_names(cli):
    work = tempfile.mkdtemp(prefix="preview-names-")
    out = os.path.join(work, "out")
    args = [cli, "generate", "--emulator", "--model", "gpt-image-1", "--quality", "low", "--stream", "--partial-images", "2", "--prompt",
            "names", "--name", "x", "--out", out]
    for run_no in range(3):
        p = run(args, env=plain_env())
        check(p.returncode == 0, f"run {run_no + 1} failed: {p.stderr}")
    files = sorted(os.listdir(out))
    want = sorted(f"{stem}{suffix}.png" for stem in ("x", "x-2", "x-3")
                  for suffix in (".partial-0", ".partial-1", ""))
    check(files == want, f"files after three runs: {files}, wanted {want}")
    # Non-streamed runs follow the same rule.
    p = run([cli, "generate", "--emulator", "--model", "gpt-image-1", "--quality", "low", "--prompt", "names", "--name", "x", "--out", out],
            env=plain_env())
    check(p.returncode == 0 and os.path.exists(os.path.join(out, "x-4.png")),
          f"fourth run: {p.stdout} {sorted(os.listdir(out))}")
    for bad in ("../x", "a/b", ".."):
        t0 = time.time()
        p = run([cli, "generate", "--emulator", "--model", "gpt-image-1", "--quality", "low", "--prompt", "names", "--name", bad, "--out",
                 os.path.join(work, "refused")], env=plain_env())
        check(p.returncode == 2, f"--name {bad} exit {p.returncode}")
        check(f"--name '{bad}'".encode() in p.stderr, f"--name {bad} message: {p.stderr}")
        check(not os.path.exists(os.path.join(work, "refused")), "files written for a bad name")
        check(not os.path.exists(os.path.join(work, "x.png")), "escaped the output folder")
    print("names: x, x-2, x-3 with matching partial names; --name ../x refused")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StubHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env = plain_env()
        env["OPENAI_API_KEY"] = "sk-test"
        base = ["--base-url", f"http://127.0.0.1:{server.server_address[1]}/v1", "--prompt",
                "mock", "--name", "odd", "--max-retries", "0", "--no-validate"]
        odd = os.path.join(work, "odd")
        p = run([cli, "generate", "--out", odd] + base, env=env)
        err = p.stderr.decode()
        check(p.returncode == 1, f"not-an-image exit {p.returncode}: {err}")
        check("6 bytes" in err and "73 74 72 69 6e 67" in err and '"string"' in err,
              f"message: {err}")
        saved = os.listdir(odd) if os.path.exists(odd) else []
        check(not saved, f"saved: {saved}")
        p = run([cli, "generate", "--out", odd, "--json"] + base, env=env)
        line = json.loads(p.stdout.decode().strip().split("\n")[-1])
        check(p.returncode == 1 and line["type"] == "error" and
              line["error_code"] == "not_an_image", f"--json: {p.stdout}")
        p = run([cli, "generate", "--out", odd, "--keep-unknown"] + base, env=env)
        check(p.returncode == 0, f"--keep-unknown exit {p.returncode}: {p.stderr}")
        check(os.listdir(odd) == ["odd.bin"], f"files: {os.listdir(odd)}")
        check(open(os.path.join(odd, "odd.bin"), "rb").read() == b"string", "bin content")
        check(b"not an image" in p.stdout, f"--keep-unknown says so: {p.stdout}")
    finally:
        server.shutdown()
    print("names: bytes that are no image refused (exit 1) or kept as .bin")
    shutil.rmtree(work, ignore_errors=True)
    return 0


CHECK_SCRIPT = """
<script>
window.addEventListener('load', () => {
  const report = {lines: [], filters: {}};
  for (const a of document.querySelectorAll('main article')) {
    report.lines.push({
      id: a.id.replace(/^line-/, ''), classes: a.className, status: a.dataset.status,
      error: (a.querySelector('.error') || {}).textContent || '',
      images: [...a.querySelectorAll('img')].map(i => ({
        src: i.getAttribute('src'), complete: i.complete,
        width: i.naturalWidth, height: i.naturalHeight, shown: i.getBoundingClientRect().width}))
    });
  }
  for (const f of document.querySelectorAll('input[name=filter]')) {
    f.checked = true;
    report.filters[f.id] = [...document.querySelectorAll('main article')]
      .filter(a => getComputedStyle(a).display !== 'none').map(a => a.id.replace(/^line-/, ''));
  }
  document.getElementById('show-all').checked = true;
  document.body.setAttribute('data-report', JSON.stringify(report));
});
</script>
"""


def case_browser(cli, emulator, artifacts, chromium):
    if not chromium:
        print("SKIP: chromium is not installed (Debian package chromium; ./dev deps installs it)")
        return SKIP
    work = tempfile.mkdtemp(prefix="preview-browser-")
    seen = set()
    emu = subprocess.Popen([emulator, "--port", "0", "--latency-ms", "400", "--fault",
                            "prompt-contains=[fail];status=500"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        ready = emu.stdout.readline().decode()
        m = re.search(r"listening on (http://\S+)", ready)
        check(m, f"emulator ready line: {ready!r}")
        lines = [
            {"id": "fox", "prompt": "a red fox in the snow", "model": "gpt-image-1",
             "size": "1024x1024", "quality": "low"},
            {"id": "pair", "prompt": "two lighthouses", "model": "gpt-image-1", "n": 2,
             "size": "1024x1536", "quality": "low"},
            {"id": "crash", "prompt": "this one fails [fail]", "model": "gpt-image-1"},
            {"id": "webp", "prompt": "a cat <b>bold</b> & friends", "model": "gpt-image-1",
             "size": "1536x1024", "output_format": "webp", "quality": "low"},
            {"id": "too-many", "prompt": "dall-e-3 makes one", "model": "dall-e-3", "n": 3},
            {"id": "jpeg", "prompt": "a jpeg harbour", "model": "gpt-image-1",
             "output_format": "jpeg", "quality": "low"},
        ]
        batch_file = os.path.join(work, "in.jsonl")
        with open(batch_file, "w") as f:
            for line in lines:
                f.write(json.dumps(line) + "\n")
        run_dir = os.path.join(work, "run")
        env = plain_env()
        env["OPENAI_API_KEY"] = "sk-test"
        # One request at a time, each taking 400 ms: the page is read while the run goes on.
        proc = subprocess.Popen([cli, "batch", batch_file, "--out", run_dir, "--base-url",
                                 m.group(1) + "/v1", "--max-retries", "0", "--concurrency", "1"],
                                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        index = os.path.join(run_dir, "index.html")
        while proc.poll() is None:
            if os.path.exists(index):
                text = open(index, encoding="utf-8").read()
                check(text.endswith("</html>\n"), "a reader saw half a page")
                seen.add(text.count("<article "))
            time.sleep(0.05)
        _, err = proc.communicate(timeout=60)
        check(proc.returncode == 1, f"batch exit {proc.returncode} (two lines fail): {err}")
        # One invalid line is there from the start; finished requests must show up before the end.
        check(any(1 < n < len(lines) for n in seen),
              f"the page was not kept current during the run (line counts seen: {sorted(seen)})")
    finally:
        emu.terminate()
        emu.wait(timeout=30)
    index = os.path.join(run_dir, "index.html")
    check(os.path.exists(index), "no index.html")
    page = open(index, encoding="utf-8").read()
    check("<script" not in page and "http://" not in page and "https://" not in page,
          "the page has a script or an external reference")
    check(not [n for n in os.listdir(run_dir) if n.endswith(".tmp") or n.startswith(".")],
          "temporaries left in the run folder")
    # `batch report DIR` rebuilds the same page.
    os.remove(index)
    p = run([cli, "batch", "report", run_dir], env=plain_env())
    check(p.returncode == 0 and os.path.exists(index), f"batch report: {p.stderr}")
    stamp = re.compile(r"updated [0-9-]+ [0-9:]+ UTC")
    check(stamp.sub("", open(index, encoding="utf-8").read()) == stamp.sub("", page),
          "batch report made a different page")

    check_page = os.path.join(run_dir, "check.html")
    with open(check_page, "w", encoding="utf-8") as f:
        f.write(page.replace("</body>", CHECK_SCRIPT + "</body>"))
    p = chromium_run(chromium, ["--window-size=1280,1000", "--virtual-time-budget=15000",
                                "--allow-file-access-from-files", "--dump-dom",
                                "file://" + check_page])
    dom = p.stdout.decode("utf-8", "replace")
    m = re.search(r'data-report="([^"]*)"', dom)
    check(m, "the page did not report (did it load?):\n" + dom[:2000] + p.stderr.decode()[-2000:])
    report = json.loads(html.unescape(m.group(1)))
    manifest = [json.loads(l) for l in open(os.path.join(run_dir, "results.jsonl"))]
    by_id = {r["id"]: r for r in report["lines"]}
    check(sorted(by_id) == sorted(l["id"] for l in lines), f"lines on the page: {sorted(by_id)}")
    for rec in manifest:
        if rec["status"] == "started":
            continue  # written before each request; a later record of the id is its result
        shown = by_id[rec["id"]]
        if rec["status"] == "ok":
            check(len(shown["images"]) == len(rec["files"]), f"{rec['id']}: images")
            for img, file in zip(shown["images"], rec["files"]):
                check(img["complete"] and img["width"] > 0 and img["height"] > 0,
                      f"{rec['id']}: {file} not loaded: {img}")
                check(img["shown"] > 0, f"{rec['id']}: {file} not displayed")
            check("status-ok" in shown["classes"], f"{rec['id']}: classes {shown['classes']}")
        else:
            check("status-error" in shown["classes"], f"{rec['id']} not marked failed")
            check(shown["error"], f"{rec['id']}: no error shown")
            if rec.get("request_id"):
                check(rec["request_id"] in shown["error"], f"{rec['id']}: request id not shown")
            if rec["error"].get("error_type"):
                check("type: " + rec["error"]["error_type"] in shown["error"],
                      f"{rec['id']}: error type not shown")
    # Natural sizes are the images' own.
    fox = by_id["fox"]["images"][0]
    check((fox["width"], fox["height"]) == (1024, 1024), f"fox natural size {fox}")
    webp = by_id["webp"]["images"][0]
    check((webp["width"], webp["height"]) == (1536, 1024), f"webp natural size {webp}")
    check(sorted(report["filters"]["show-error"]) == ["crash", "too-many"],
          f"failed filter shows {report['filters']['show-error']}")
    check(sorted(report["filters"]["show-ok"]) == ["fox", "jpeg", "pair", "webp"],
          f"ok filter shows {report['filters']['show-ok']}")
    check(len(report["filters"]["show-all"]) == len(lines), "all filter")
    shot = os.path.join(artifacts, "contact-sheet.png")
    if os.path.exists(shot):
        os.remove(shot)
    chromium_run(chromium, ["--window-size=1280,1100", "--virtual-time-budget=15000",
                            "--screenshot=" + shot, "file://" + index])
    check(os.path.exists(shot) and open(shot, "rb").read(8) == b"\x89PNG\r\n\x1a\n",
          "no screenshot")
    print(f"browser: page kept current during the run (lines seen: {sorted(seen)}); "
          f"{len(lines)} lines, every image loaded, failures marked; screenshot {shot}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--emulator")
    ap.add_argument("--artifacts", default=".")
    ap.add_argument("case", choices=["tmux", "pipes", "names", "browser"])
    a = ap.parse_args()
    os.makedirs(a.artifacts, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        if a.case == "tmux":
            return case_tmux(a.cli, a.artifacts, chromium)
        if a.case == "pipes":
            return case_pipes(a.cli)
        if a.case == "names":
            return case_names(a.cli)
        return case_browser(a.cli, a.emulator, a.artifacts, chromium)
    except Failure as e:
        print("FAIL:", e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
