#!/usr/bin/env bash
# openai-images generate end to end, against the emulator started inside the CLI (--emulator):
# files written with the right type, --json lines, exit statuses, and the key never printed.
set -euo pipefail
cli=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Text output names the file it wrote.
text=$("$cli" generate --emulator --model gpt-image-1 --quality low --prompt "a smoke test" --out "$out/text")
file=$(sed -n 's/^wrote \(.*\) (.*bytes)$/\1/p' <<<"$text")
[ -f "$file" ] || fail "no file reported in: $text"
[ "$(head -c 8 "$file" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "$file is not a PNG"

# --json: one result line with the files, usage and request id; webp has its extension.
line=$("$cli" generate --emulator --model gpt-image-1 --n 2 --output-format webp \
       --prompt "json please" --out "$out/json" --json)
python3 - "$line" <<'PY'
import json, os, sys
d = json.loads(sys.argv[1])
assert d["type"] == "result", d
assert len(d["files"]) == 2, d
for f in d["files"]:
    assert f.endswith(".webp") and os.path.getsize(f) > 0, f
    assert open(f, "rb").read(12)[8:12] == b"WEBP", f
assert d["usage"]["total_tokens"] > 0 and d["request_id"], d
PY

# Usage errors and refused parameters exit 2 and send nothing; other failures exit 1.
set +e
"$cli" generate --emulator >/dev/null 2>&1; [ $? -eq 2 ] || fail "missing --prompt is not status 2"
"$cli" generate --emulator --prompt x --model dall-e-3 --n 3 >/dev/null 2>&1
[ $? -eq 2 ] || fail "an invalid n is not status 2"
"$cli" frobnicate >/dev/null 2>&1; [ $? -eq 2 ] || fail "an unknown command is not status 2"
secret="sk-cli-test-secret-0123456789"
err=$(OPENAI_API_KEY=$secret "$cli" generate --prompt x --base-url https://127.0.0.1:1/v1 \
      --max-retries 0 --json 2>&1)
[ $? -eq 1 ] || fail "a connection failure is not status 1"
set -e
grep -q '"type":"error"' <<<"$err" || fail "no JSON error line: $err"
if grep -q "$secret" <<<"$err"; then fail "the API key was printed"; fi
echo "cli generate: all checks passed"
