#!/usr/bin/env python3
"""Writes a Batch API output file (JSONL) for openai-images-batch-output-bench.

Every line is an ImagesResponse line as the Batch API writes it, carrying one real PNG (random
pixels, so the deflate stream does not shrink: 1.5 to 3 MiB per image) as b64_json, or, one line
in 50, a 400 error body. Three images are made once and cycled, so the file is written at disk
speed; custom_id, id and request_id differ per line.

    bench/gen_batch_output.py [--size-gb 2.1] [--dir DIR]   # prints the file's path

Standard library only. The file is large: delete it after the run.
"""
import argparse
import base64
import json
import os
import struct
import tempfile
import zlib


def png(width, height, channels, seed):
    """A valid PNG of random pixels (colour type 2 = RGB, 6 = RGBA)."""
    rnd = __import__("random").Random(seed)
    row = width * channels
    raw = b"".join(b"\x00" + rnd.randbytes(row) for _ in range(height))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2 if channels == 3 else 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 1)) +
            chunk(b"IEND", b""))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-gb", type=float, default=2.1, help="file size in GB (10^9 bytes)")
    ap.add_argument("--dir", default=None, help="where to write (default: a new temp dir)")
    args = ap.parse_args()

    out_dir = args.dir or tempfile.mkdtemp(prefix="batch-output-bench-")
    path = os.path.join(out_dir, "batch_output.jsonl")
    images = [png(1024, 1024, 3, 1), png(1024, 768, 3, 2), png(640, 640, 4, 3)]
    b64 = [base64.b64encode(i).decode("ascii") for i in images]
    target = int(args.size_gb * 1e9)
    written = 0
    line_no = 0
    with open(path, "w", encoding="ascii", newline="\n") as f:
        while written < target:
            line_no += 1
            head = {"id": "batch_req_%08d" % line_no, "custom_id": "image-%d" % line_no}
            if line_no % 50 == 0:
                body = {"error": {"message": "Invalid value for 'size'.",
                                  "type": "invalid_request_error", "param": "size",
                                  "code": "invalid_value"}}
                line = json.dumps({**head, "response": {"status_code": 400,
                                   "request_id": "req_%d" % line_no, "body": body},
                                   "error": None}, separators=(",", ":"))
            else:
                k = line_no % 3
                # The image string goes in by hand: json.dumps of 4 MB per line is slow.
                line = ('{"id":"%s","custom_id":"%s","response":{"status_code":200,'
                        '"request_id":"req_%d","body":{"created":1713833628,"data":[{'
                        '"b64_json":"%s"}],"background":"opaque","output_format":"png",'
                        '"quality":"high","size":"1024x1024","usage":{"total_tokens":4200,'
                        '"input_tokens":50,"output_tokens":4150,"input_tokens_details":'
                        '{"text_tokens":50,"image_tokens":0}}}},"error":null}'
                        % (head["id"], head["custom_id"], line_no, b64[k]))
            f.write(line)
            f.write("\n")
            written += len(line) + 1
    print(path)
    print("lines %d, bytes %d, images %s bytes" % (line_no, written,
                                                   "/".join(str(len(i)) for i in images)),
          file=__import__("sys").stderr)


if __name__ == "__main__":
    main()
