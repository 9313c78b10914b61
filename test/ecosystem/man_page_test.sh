#!/usr/bin/env bash
# openai-images(1), printed by `openai-images man`: renders without a warning (groff -ww, and
# man -l where man is installed) and documents every command and a few options.
#   man_page_test.sh CLI
set -uo pipefail
CLI=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$CLI" man >"$dir/openai-images.1" || { echo "FAIL: openai-images man exited $?"; exit 1; }
if ! command -v groff >/dev/null 2>&1; then
    echo "groff is not installed (Debian package groff-base): the page is not rendered"
    exit 77
fi
groff -man -Tutf8 -ww -z "$dir/openai-images.1" 2>"$dir/warnings"
if [ -s "$dir/warnings" ]; then
    echo "FAIL: groff warnings:"; cat "$dir/warnings"; exit 1
fi
text=$(groff -man -Tutf8 -P-cbou "$dir/openai-images.1" 2>&1)
status=0
for want in NAME SYNOPSIS COMMANDS ENVIRONMENT "EXIT STATUS" "OPTIONS OF GENERATE" \
            "OPTIONS OF LOADTEST" "--quality" "--output-format" "--max-event-size" "--shard" \
            "--emulator" "completion" "OPENAI_API_KEY"; do
    grep -qF -- "$want" <<<"$text" || { echo "FAIL: the rendered page lacks '$want'"; status=1; }
done
if command -v man >/dev/null 2>&1; then
    MANWIDTH=100 man -l "$dir/openai-images.1" >/dev/null 2>"$dir/man-errors" || status=1
    if [ -s "$dir/man-errors" ]; then echo "FAIL: man -l:"; cat "$dir/man-errors"; status=1; fi
fi
[ $status -eq 0 ] && echo "man page: renders clean ($(wc -l <<<"$text") lines)"
exit $status
