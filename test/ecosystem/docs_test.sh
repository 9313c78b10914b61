#!/usr/bin/env bash
# The reference manual: built with Doxygen from this build tree (target "docs", warnings are
# errors), warning-free, and the contract blocks of a few public functions are in the HTML.
#   docs_test.sh BUILD_DIR
set -uo pipefail
BUILD=$1
if ! command -v doxygen >/dev/null 2>&1; then
    echo "SKIPPED: doxygen is not installed (Debian package doxygen; ./dev docs installs it)"
    exit 77
fi
if ! cmake --build "$BUILD" --target docs; then
    echo "FAIL: the docs build failed"; cat "$BUILD/docs/warnings.log" 2>/dev/null; exit 1
fi
if [ -s "$BUILD/docs/warnings.log" ]; then
    echo "FAIL: Doxygen warnings:"; cat "$BUILD/docs/warnings.log"; exit 1
fi
html=$BUILD/docs/html
status=0
# file pattern | text of the function's documentation that must be in it
while IFS='|' read -r pattern text; do
    [ -z "$pattern" ] && continue
    if ! grep -lF -- "$text" $html/$pattern >/dev/null 2>&1; then
        echo "FAIL: '$text' not found in $pattern"; status=1
    else
        echo "ok: $pattern has '$text'"
    fi
done <<'CASES'
index.html|Reference manual
classopenai_1_1image__stream.html|Handler signature
classopenai_1_1image__stream.html|Object lifetimes
classopenai_1_1images.html|POST /images/generations
namespaceopenai.html|Checks a request against the API
namespaceopenai.html|the first rule the request breaks
namespaceopenai.html|leaves no temporary file behind
namespaceopenai.html|Differs from the header constants only
overview.html|The codec includes no Asio
example_programs.html|images.generate
CASES
exit $status
