#!/usr/bin/env bash
# The Debian packages: built by CPack from the (already built) release tree, inspected with
# dpkg-deb (and lintian where installed: its output is reported; see README "Debian packages" for
# the tags that remain), extracted into a throwaway root, and used from there: the programs run,
# and a consumer program builds against the root with find_package(openai_images) and with
# pkg-config, then runs.
#   package_test.sh BUILD_DIR SOURCE_DIR WORK VERSION CXX GENERATOR
set -euo pipefail
BUILD=$1 SOURCE=$2 WORK=$3 VERSION=$4 CXX=$5 GENERATOR=$6
for tool in cpack dpkg-deb dpkg-shlibdeps; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIPPED: $tool is not installed (Debian packages cmake, dpkg, dpkg-dev)"
        exit 77
    fi
done
rm -rf "$WORK"
mkdir -p "$WORK"
step() { printf '\n== %s\n' "$*"; }

step "cpack (components dev and tools) from $BUILD"
cpack --config "$BUILD/CPackConfig.cmake" -B "$WORK/out" >"$WORK/cpack.log" 2>&1 ||
    { cat "$WORK/cpack.log"; exit 1; }
dev_deb=$(ls "$WORK"/out/libopenai-images-dev_*.deb)
tools_deb=$(ls "$WORK"/out/openai-images_*.deb)
ls -l "$dev_deb" "$tools_deb"

field() { dpkg-deb --field "$1" "$2"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
for deb in "$dev_deb" "$tools_deb"; do
    step "dpkg-deb --info $(basename "$deb")"
    dpkg-deb --info "$deb"
    [ "$(field "$deb" Version)" = "$VERSION" ] || fail "$deb: Version is not $VERSION"
    step "dpkg-deb --contents $(basename "$deb")"
    dpkg-deb --contents "$deb"
done

step "Depends"
dev_depends=$(field "$dev_deb" Depends)
tools_depends=$(field "$tools_deb" Depends)
echo "libopenai-images-dev: $dev_depends"
echo "openai-images: $tools_depends"
for want in libboost-json1.81-dev libboost-url1.81-dev libssl-dev; do
    grep -q "$want" <<<"$dev_depends" || fail "libopenai-images-dev does not depend on $want"
done
# What the programs link, as dpkg-shlibdeps found it from their NEEDED entries.
for want in libssl3 libboost-json1.81.0 libboost-url1.81.0 libpng16-16 libjpeg62-turbo libwebp7 \
            zlib1g libc6 libstdc++6; do
    grep -q "$want" <<<"$tools_depends" || fail "openai-images does not depend on $want"
done

step "contents"
dev_contents=$(dpkg-deb --contents "$dev_deb")
tools_contents=$(dpkg-deb --contents "$tools_deb")
grep -q '/usr/include/openai/version.hpp$' <<<"$dev_contents" || fail "no version.hpp"
grep -q '/usr/include/openai/client.hpp$' <<<"$dev_contents" || fail "no client.hpp"
grep -q 'openai_images-config.cmake$' <<<"$dev_contents" || fail "no CMake config"
grep -q 'pkgconfig/openai-images.pc$' <<<"$dev_contents" || fail "no pkg-config file"
grep -q 'libopenai_images.a$' <<<"$dev_contents" || fail "no library"
for f in usr/bin/openai-images usr/bin/openai-images-emulator \
         usr/share/man/man1/openai-images.1.gz \
         usr/share/bash-completion/completions/openai-images \
         usr/share/zsh/vendor-completions/_openai-images \
         usr/share/fish/vendor_completions.d/openai-images.fish; do
    grep -q "\./$f\$" <<<"$tools_contents" || fail "openai-images lacks /$f"
done

if grep -q '^OPENAI_IMAGES_HELP2MAN:FILEPATH=/' "$BUILD/CMakeCache.txt"; then
    grep -q "usr/share/man/man1/openai-images-emulator.1.gz\$" <<<"$tools_contents" ||
        fail "openai-images lacks the emulator's man page"
fi

if command -v lintian >/dev/null 2>&1; then
    step "lintian (reported, not enforced)"
    lintian --tag-display-limit 0 "$dev_deb" "$tools_deb" 2>&1 || true
else
    step "lintian is not installed: not run"
fi

step "extract into a throwaway root"
ROOT=$WORK/root
dpkg-deb -x "$dev_deb" "$ROOT"
dpkg-deb -x "$tools_deb" "$ROOT"
"$ROOT/usr/bin/openai-images" version | tee "$WORK/version.txt"
grep -qx "openai-images $VERSION" "$WORK/version.txt" || fail "the packaged CLI is not $VERSION"
"$ROOT/usr/bin/openai-images-emulator" --help >/dev/null
bash -c "source '$ROOT/usr/share/bash-completion/completions/openai-images' && complete -p openai-images"
if command -v groff >/dev/null 2>&1; then
    zcat "$ROOT/usr/share/man/man1/openai-images.1.gz" | groff -man -Tutf8 -ww -z
fi

step "consumer with find_package(openai_images), CMAKE_PREFIX_PATH=$ROOT/usr"
cmake -S "$SOURCE/test/consumer/project" -B "$WORK/consumer-cmake" -G "$GENERATOR" \
    -DCMAKE_PREFIX_PATH="$ROOT/usr" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_FIND_PACKAGE_NO_SYSTEM_PACKAGE_REGISTRY=ON >/dev/null
grep -q "openai_images_DIR:PATH=$ROOT/usr/" "$WORK/consumer-cmake/CMakeCache.txt" ||
    fail "find_package did not take the package from the root"
cmake --build "$WORK/consumer-cmake"
"$WORK/consumer-cmake/consumer" | tee "$WORK/consumer.txt"
grep -qx "openai_images $VERSION" "$WORK/consumer.txt" || fail "consumer (CMake) not $VERSION"

step "consumer with pkg-config, PKG_CONFIG_PATH into the root"
pc_dir=$(dirname "$(find "$ROOT/usr" -name openai-images.pc | head -1)")
export PKG_CONFIG_PATH=$pc_dir
[ "$(pkg-config --modversion openai-images)" = "$VERSION" ] || fail "pkg-config --modversion"
flags=$(pkg-config --cflags --libs openai-images)
echo "pkg-config --cflags --libs openai-images: $flags"
include_dir=$(pkg-config --variable=includedir openai-images)
[ "$(realpath "$include_dir")" = "$(realpath "$ROOT/usr/include")" ] ||
    fail "pkg-config's include dir $include_dir is not the root's"
# shellcheck disable=SC2086
"$CXX" -std=c++20 "$SOURCE/test/consumer/project/main.cpp" $flags -o "$WORK/consumer-pc"
"$WORK/consumer-pc" | tee "$WORK/consumer-pc.txt"
grep -qx "openai_images $VERSION" "$WORK/consumer-pc.txt" || fail "consumer (pkg-config) not $VERSION"

step "consumer with pkg-config, PKG_CONFIG_SYSROOT_DIR=$ROOT (the .pc file's paths are not prefixed twice)"
flags=$(PKG_CONFIG_SYSROOT_DIR=$ROOT pkg-config --cflags --libs openai-images)
echo "$flags"
# shellcheck disable=SC2086
"$CXX" -std=c++20 "$SOURCE/test/consumer/project/main.cpp" $flags -o "$WORK/consumer-sysroot"
out=$("$WORK/consumer-sysroot")
echo "$out"
[ "$out" = "openai_images $VERSION" ] || fail "consumer (sysroot) not $VERSION"

step "packages: all good"
