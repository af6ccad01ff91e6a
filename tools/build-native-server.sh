#!/usr/bin/env bash
# Build llama.cpp's own `llama-server` for this CPU (AVX-512/VNNI where it has them), once, from a pinned
# source package on PyPI: the llama-cpp-python sdist vendors llama.cpp with tools/server. xuncha then
# prefers it over the prebuilt xllamacpp wheel (a generic AVX2 build): measured here, ~2x the prompt speed.
#
#   bash tools/build-native-server.sh          # ~10 minutes on 2 cores; needs cmake, g++ (on every kind)
#
# The binary lands in ${XUNCHA_CACHE_DIR:-~/.cache/xuncha}/bin/llama-server, where xuncha looks for it
# (after a `llama-server` on PATH). Delete it to go back to the wheel.
set -euo pipefail

VERSION=0.3.36
SHA256=832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e
CACHE="${XUNCHA_CACHE_DIR:-$HOME/.cache/xuncha}"
WORK="$CACHE/build/llama-cpp-python-$VERSION"
mkdir -p "$CACHE/bin" "$CACHE/build"

tarball="$CACHE/build/llama_cpp_python-$VERSION.tar.gz"
if [ ! -f "$tarball" ]; then
  url=$(python - "$VERSION" <<'EOF'
import json, sys, urllib.parse, urllib.request
version = sys.argv[1]
base = "https://pypi.org/pypi/llama-cpp-python/json"
with urllib.request.urlopen(base, timeout=60) as r:
    files = json.load(r)["releases"][version]
print(urllib.parse.urljoin(base, next(f["url"] for f in files if f["packagetype"] == "sdist")))
EOF
)
  echo "downloading $url" >&2
  curl -fsSL -o "$tarball.part" "$url"
  mv "$tarball.part" "$tarball"
fi
echo "$SHA256  $tarball" | sha256sum -c - >&2

rm -rf "$WORK" && mkdir -p "$WORK"
tar xzf "$tarball" -C "$WORK" --strip-components=1
src="$WORK/vendor/llama.cpp"
cmake -S "$src" -B "$WORK/build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF \
  -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF >&2
cmake --build "$WORK/build" --target llama-server -j "$(nproc)" >&2
install -m 0755 "$WORK/build/bin/llama-server" "$CACHE/bin/llama-server"
rm -rf "$WORK"
echo "$CACHE/bin/llama-server"
