#!/usr/bin/env python3
"""Runs `openai-images sse-dump` on event streams and compares its JSON lines.

  sse_dump_test.py --cli PATH                     hand-written cases (always)
  sse_dump_test.py --cli PATH --vectors FILE      every vector of shared/sse-vectors/vectors.json

Inputs with `chunks` are written to the program's stdin one chunk per write (with a short pause,
so that its reads see them apart); the others in one write. Exit status 0 when all match.
"""
import argparse
import json
import subprocess
import sys
import time


def dump(cli, data, chunks=None, extra=()):
    proc = subprocess.Popen([cli, "sse-dump", *extra], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    pieces = []
    start = 0
    for offset in chunks or []:
        if start < offset <= len(data):
            pieces.append(data[start:offset])
            start = offset
    pieces.append(data[start:])
    try:
        for piece in pieces:
            if piece:
                proc.stdin.write(piece)
                proc.stdin.flush()
                if len(pieces) > 1:
                    time.sleep(0.002)
        proc.stdin.close()
    except BrokenPipeError:
        pass  # the program stopped reading (an error): its status tells
    out = proc.stdout.read()
    err = proc.stderr.read()
    status = proc.wait(timeout=60)
    # One event per '\n'-terminated line (str.splitlines would also split at U+2028 and the
    # like, which JSON strings may hold unescaped).
    lines = [json.loads(line) for line in out.decode("utf-8").split("\n") if line]
    return status, lines, err.decode("utf-8", "replace")


def check(name, cli, data, chunks, events, retry, failures):
    status, lines, err = dump(cli, data, chunks)
    expected = [{"event": e["event"], "data": e["data"], "id": e["id"]} for e in events]
    expected.append({"retry": retry})
    if status != 0 or lines != expected:
        failures.append(f"{name}: status {status}, stderr {err!r}\n  got      {lines!r}\n"
                        f"  expected {expected!r}")


def builtin_cases(cli, failures):
    # CRLF, CR, comments, ids, a retry, a BOM, and a block left unfinished at the end.
    check("crlf-cr-mix", cli,
          b"\xef\xbb\xbf: hello\r\nid: 7\r\nevent: a\r\ndata: one\r\n\r\ndata: two\rdata: 2\r\r"
          b"retry: 1500\ndata: cut", [5, 21, 22, 40], [
              {"event": "a", "data": "one", "id": "7"},
              {"event": "message", "data": "two\n2", "id": "7"},
          ], 1500, failures)
    # No events at all.
    check("empty", cli, b"", None, [], None, failures)
    # Invalid UTF-8 becomes U+FFFD.
    check("bad-utf8", cli, b"data: a\xffb\n\n", None,
          [{"event": "message", "data": "a\ufffdb", "id": ""}], None, failures)
    # Bigger than one 4 KiB read: an event split across many reads.
    big = "x" * 100000
    check("big", cli, ("data: " + big + "\n\n").encode(), None,
          [{"event": "message", "data": big, "id": ""}], None, failures)
    # The size limit fails clearly with status 1 after the events before it.
    status, lines, err = dump(cli, b"data: ok\n\ndata: " + b"y" * 5000 + b"\n\n",
                              extra=["--max-event-size", "1000"])
    if status != 1 or lines != [{"event": "message", "data": "ok", "id": ""}] or \
            "exceeds" not in err or "1000" not in err:
        failures.append(f"max-event-size: status {status}, lines {lines!r}, stderr {err!r}")
    # A bad option is a usage error (status 2).
    status, _, err = dump(cli, b"", extra=["--bogus"])
    if status != 2 or "--bogus" not in err:
        failures.append(f"bad option: status {status}, stderr {err!r}")


def vector_cases(cli, path, failures):
    with open(path, encoding="utf-8") as f:
        vectors = json.load(f)
    for v in vectors:
        data = bytes.fromhex(v["input_hex"]) if "input_hex" in v else v["input"].encode("utf-8")
        check(v["name"], cli, data, v.get("chunks"), v["events"], v["retry"], failures)
    return len(vectors)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--vectors")
    args = parser.parse_args()
    failures = []
    if args.vectors:
        n = vector_cases(args.cli, args.vectors, failures)
        print(f"{n} vectors through sse-dump, {len(failures)} failed")
    else:
        builtin_cases(args.cli, failures)
        print(f"hand-written sse-dump cases, {len(failures)} failed")
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
