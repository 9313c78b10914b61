#!/usr/bin/env python3
"""Seed inputs for the fuzz targets.

  seeds.py corpus                 rewrites fuzz/corpus/<target>/ from the hand-written cases below
                                  (the tests' own cases, in the fuzz input layout)
  seeds.py shared SHARED OUT      writes OUT/<target>/ from the reference data in SHARED
                                  (../shared: sse-vectors/*.json), at run time: the repository
                                  never holds a copy of that data

Input layout (fuzz/fuzz_input.hpp): one header byte (low nibble: how many piece-length bytes
follow; high nibble: four option bits), the piece lengths, then the text.
"""
import base64
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def framed(text, lengths=(), options=0):
    """The text with a header choosing its pieces (lengths cycle) and the option bits."""
    if isinstance(text, str):
        text = text.encode("utf-8")
    lengths = [max(1, min(255, n)) for n in lengths][:15]
    return bytes([(options << 4) | len(lengths)] + lengths) + text


def variants(text, options=(0,)):
    """Whole, byte by byte and in odd pieces, under each option set."""
    out = []
    for o in options:
        out += [framed(text, (), o), framed(text, (1,), o), framed(text, (3, 7, 2), o)]
    return out


def chunked(body, sizes=(7, 1, 64)):
    if isinstance(body, str):
        body = body.encode()
    out, i, k = b"", 0, 0
    while i < len(body):
        n = sizes[k % len(sizes)]
        out += b"%x\r\n" % n + body[i:i + n] + b"\r\n"
        i, k = i + n, k + 1
    return out + b"0\r\n\r\n"


PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
B64 = base64.b64encode(PNG_1X1).decode()
EVENT = ('{"type":"image_generation.partial_image","b64_json":"%s","created_at":1,'
         '"size":"1024x1024","quality":"low","background":"opaque","output_format":"png",'
         '"partial_image_index":0}' % B64)
DONE = ('{"type":"image_generation.completed","b64_json":"%s","created_at":2,"usage":'
        '{"total_tokens":3,"input_tokens":1,"output_tokens":2,"input_tokens_details":'
        '{"text_tokens":1,"image_tokens":0}}}' % B64)
STREAM = ("event: image_generation.partial_image\ndata: %s\n\n"
          "event: image_generation.completed\ndata: %s\n\n" % (EVENT, DONE))
RESPONSE = ('{"created":1713833628,"data":[{"b64_json":"%s","revised_prompt":"an otter"},'
            '{"url":"https://example.com/a.png"}],"background":"opaque","output_format":"png",'
            '"usage":{"total_tokens":10,"input_tokens":4,"output_tokens":6}}' % B64)
BATCH_OUTPUT = (
    '{"id":"batch_req_1","custom_id":"a-1","response":{"status_code":200,"request_id":"req_1",'
    '"body":%s},"error":null}\n'
    '{"id":"batch_req_2","custom_id":"a-2","response":{"status_code":400,"request_id":"req_2",'
    '"body":{"error":{"message":"Invalid size","type":"invalid_request_error","param":"size",'
    '"code":null}}},"error":null}\r\n\n'
    '{"custom_id":"caf\\u00e9","response":{"status_code":200,"body":{"data":[{"b64_json":"QQ$"}]}}}\n'
    'not json\n{"id":"batch_req_5","response":null,"error":null}\n'
    '{"custom_id":"a-6","response":{"status_code":200,"body":{"data":[{"b64_json":"QUJD"' % RESPONSE)
BATCH_ERRORS = ('{"id":"batch_req_7","custom_id":"late","response":null,"error":{"code":'
                '"batch_expired","message":"This request could not be executed before the '
                'completion window expired."}}\n')
MULTIPART = ("multipart/form-data; boundary=XyZ\n"
             "--XyZ\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nan otter\r\n"
             "--XyZ\r\nContent-Disposition: form-data; name=\"image[]\"; filename=\"a.png\"\r\n"
             "Content-Type: image/png\r\n\r\n").encode() + PNG_1X1 + \
    b"\r\n--XyZ\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\n2\r\n--XyZ--\r\n"


def hand_written():
    sse = ["data: hello\n\n", "data: a\r\ndata: b\r\n\r\n", "\xef\xbb\xbfdata: bom\n\n",
           ": comment\nevent: e\nid: 7\nretry: 1500\ndata\n\n", "data:x\rdata: y\r\r",
           "id: a\x00b\ndata: nul\n\n", "data: \xff\xfe\xc3\n\n", STREAM]
    errors = ['event: error\ndata: {"error":{"message":"bad","type":"invalid_request_error",'
              '"code":null,"param":"size"}}\n\n',
              'data: {"type":"error","message":"m","code":"c"}\n\n', "data: [DONE]\n\n",
              "data:   \n\n", 'data: {"type":"future.event","x":1}\n\n']
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" \
           b"\xff\xc0\x00\x11\x08\x00\x20\x00\x40\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    webp = b"RIFF\x1a\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x10\x00\x00\x00\x1f\x00\x00\x0f\x00\x00"
    head = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
            "x-request-id: req_1\r\nx-ratelimit-remaining-requests: 9\r\n\r\n").encode()
    return {
        "sse_parser": sum((variants(s, (0, 3)) for s in sse), []),
        "event_decoder": sum((variants(s, (0, 1)) for s in errors + [STREAM]), []),
        "images_response": variants(RESPONSE, (0, 1, 3)) + variants('{"data":[]}') +
        variants('{"created":1,"data":[{"b64_json":"QQ"}]}') +
        variants('{"created":"x","data":[{"b64_json":1}]}'),
        "chunked_decoder": variants(chunked("hello, world")) +
        variants(b"A;name=value\r\n0123456789\r\n0\r\nX-Trailer: yes\r\n\r\nNEXT") +
        variants(b"5\r\nhello\r\n0\r\n\r\n"),
        "http_head": variants(head + chunked(STREAM[:200])) +
        variants(b"HTTP/1.1 429 Too Many Requests\r\nretry-after: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                 b"retry-after-ms: 1500.5\r\nx-should-retry: true\r\nContent-Length: 2\r\n\r\n{}") +
        variants(b"HTTP/1.1 200 Connection established\r\n\r\n", (1,)) +
        variants(b"HTTP/1.0 204 No Content\r\nretry-after: 3\r\n\r\n"),
        "base64": variants(B64) + variants("QUJD") + variants("QUI=") + variants("QQ") +
        variants("QQ==QQ") + variants("A" * 200 + "=" + "B" * 3),
        "image_sniff": variants(PNG_1X1) + variants(jpeg) + variants(webp) +
        variants(b"RIFF\x00\x00\x00\x00WEBPVP8L\x05\x00\x00\x00\x2f\x07\xc0\x00\x10"),
        "multipart": variants(MULTIPART, (0, 1, 2)) +
        variants(b"multipart/form-data; boundary=\"a b\"\n--a b--\r\n"),
        "batch_input": variants('{"prompt":"an otter","model":"gpt-image-1","size":"1024x1024",'
                                '"id":"otter"}\n\n{"prompt":"x","n":2}\r\n{"prompt":"y","id":7}\n'
                                '{"prompt":"z","id":"otter"}\nnot json\n[1]\n{"prompt":"q",'
                                '"typo":1}\n{"prompt":"s","stream":true}\n', (0, 3, 4, 7)),
        "batch_output": variants(BATCH_OUTPUT, (0, 5, 13)) + variants(BATCH_ERRORS, (0, 4)),
        "emulator_batch_lines": variants(
            '{"custom_id":"a","method":"POST","url":"/v1/images/generations","body":{"prompt":"p"}}\n'
            '\n{"custom_id":"a","method":"POST","url":"/v1/images/generations","body":{}}\r\n'
            'not json\n{"custom_id":"e","method":"GET","url":"/v1/images/edits","body":[]}\n'
            '{"custom_id":"b\\u00e9","method":"POST","url":"/v1/images/edits","body":{"images":[]}}',
            (0, 1)) + variants("") + variants("\n \n"),
    }


def write_target(out_dir, target, seeds):
    d = os.path.join(out_dir, target)
    os.makedirs(d, exist_ok=True)
    for s in seeds:
        with open(os.path.join(d, hashlib.sha1(s).hexdigest()[:16]), "wb") as f:
            f.write(s)


def strides(chunks, size):
    """A vector's chunk offsets as piece lengths."""
    pts = [0] + [c for c in chunks if 0 < c < size] + [size]
    return [b - a for a, b in zip(pts, pts[1:]) if b > a] or [size]


def from_shared(shared):
    out = {t: [] for t in hand_written()}
    vectors = json.load(open(os.path.join(shared, "sse-vectors", "vectors.json")))
    for v in vectors:
        text = v["input"].encode("utf-8")
        out["sse_parser"] += [framed(text), framed(text, strides(v.get("chunks") or [], len(text)))]
    streams = json.load(open(os.path.join(shared, "sse-vectors", "openai-image-streams.json")))
    for s in streams["streams"]:
        text = s["input"].encode("utf-8")
        pieces = strides(s.get("chunks") or [], len(text))
        out["sse_parser"].append(framed(text, pieces))
        out["event_decoder"] += [framed(text), framed(text, pieces)]
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        out["http_head"].append(framed(head + chunked(text, (97, 13)), (200, 31)))
        out["chunked_decoder"].append(framed(chunked(text, (61, 4096)), pieces))
    for name, img in streams["images"].items():
        out["base64"] += [framed(img["b64"]), framed(img["b64"], (5, 1))]
        png = base64.b64decode(img["b64"])
        out["image_sniff"] += [framed(png), framed(png, (3,))]
        body = '{"created":1,"data":[{"b64_json":"%s"}],"output_format":"png"}' % img["b64"]
        out["images_response"] += [framed(body), framed(body, (17, 1), 1)]
        out["multipart"].append(framed(b"multipart/form-data; boundary=b\n--b\r\nContent-Disposition: "
                                       b"form-data; name=\"image\"; filename=\"%s.png\"\r\n\r\n"
                                       % name.encode() + png + b"\r\n--b--\r\n", (11,)))
    return out


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "corpus":
        out_dir = os.path.join(HERE, "corpus")
        for target, seeds in hand_written().items():
            d = os.path.join(out_dir, target)
            if os.path.isdir(d):
                for f in os.listdir(d):
                    os.remove(os.path.join(d, f))
            write_target(out_dir, target, seeds)
    elif len(sys.argv) == 4 and sys.argv[1] == "shared":
        for target, seeds in from_shared(sys.argv[2]).items():
            write_target(sys.argv[3], target, seeds)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
