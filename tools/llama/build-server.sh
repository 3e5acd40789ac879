#!/usr/bin/env bash
# Builds llama.cpp's llama-server offline from the npm registry and caches it outside the clone.
#
# node-llama-cpp@3.21.1 ships the full llama.cpp source as llama/gitRelease.bundle (release "v0.4.0" in
# llama/binariesGithubRelease.json). The tarball's sha512 is checked against the committed value below.
# Output (keyed by version, reused when present):
#   $CACHE/llama-src-v0.4.0/      the source tree (also gives gguf-py to tools/model/gguf_*.py)
#   $CACHE/llama-server-v0.4.0/llama-server   the static binary
# Needs: npm, git, cmake, ninja-build, a C++ compiler. About 11 minutes on 2 cores (run under nice).
# Usage: tools/llama/build-server.sh [--src-only]   prints the binary's path on the last line.
set -euo pipefail

NLC_VERSION="3.21.1"
NLC_SHA512="E3N0Ev2Va0wzydvXYFwM9Hvyo07PoWjt8T/9GMc43Cvt8YkV/NU/tYUgEMC1grTPv2o9PRjQi0G3Wb5P/awiMg=="
LLAMA_RELEASE="v0.4.0"
CACHE="${TBT_CACHE:-/root/.cache/token-by-token}"
SRC="$CACHE/llama-src-$LLAMA_RELEASE"
OUT="$CACHE/llama-server-$LLAMA_RELEASE"
BIN="$OUT/llama-server"

log() { echo "[llama-server] $*" >&2; }

if [[ -x "$BIN" && "${1:-}" != "--src-only" ]]; then
  echo "$BIN"
  exit 0
fi

# The source tree alone (for gguf-py) needs no lock once it is complete.
if [[ "${1:-}" == "--src-only" && -f "$SRC/.complete" ]]; then echo "$SRC"; exit 0; fi

mkdir -p "$CACHE"
# One builder at a time (the test command and a person may start it together).
exec 9>"$CACHE/llama-build.lock"
flock 9
if [[ -x "$BIN" && "${1:-}" != "--src-only" ]]; then echo "$BIN"; exit 0; fi

if [[ ! -f "$SRC/.complete" ]]; then
  for tool in npm git cmake ninja; do
    command -v "$tool" >/dev/null || { log "missing $tool (apt-get install cmake ninja-build git)"; exit 1; }
  done
  WORK="$(mktemp -d "$CACHE/llama-pack.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  log "npm pack node-llama-cpp@$NLC_VERSION"
  (cd "$WORK" && npm pack "node-llama-cpp@$NLC_VERSION" --silent >/dev/null)
  TGZ="$WORK/node-llama-cpp-$NLC_VERSION.tgz"
  GOT="$(openssl dgst -sha512 -binary "$TGZ" | base64 -w0)"
  if [[ "$GOT" != "$NLC_SHA512" ]]; then
    log "sha512 mismatch for node-llama-cpp@$NLC_VERSION: got $GOT, want $NLC_SHA512"
    exit 1
  fi
  tar xzf "$TGZ" -C "$WORK" package/llama/gitRelease.bundle package/llama/binariesGithubRelease.json
  REL="$(sed -n 's/.*"release": *"\([^"]*\)".*/\1/p' "$WORK/package/llama/binariesGithubRelease.json")"
  if [[ "$REL" != "$LLAMA_RELEASE" ]]; then log "bundle is release $REL, expected $LLAMA_RELEASE"; exit 1; fi
  rm -rf "$SRC"
  git clone --quiet "$WORK/package/llama/gitRelease.bundle" "$SRC"
  touch "$SRC/.complete"
fi

if [[ "${1:-}" == "--src-only" ]]; then echo "$SRC"; exit 0; fi

log "building llama-server $LLAMA_RELEASE (about 11 minutes on 2 cores)"
cd "$SRC"
nice -n 10 cmake -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=OFF -DLLAMA_OPENSSL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF \
  -DBUILD_SHARED_LIBS=OFF -DLLAMA_CURL=OFF >&2
nice -n 10 cmake --build build --target llama-server -j2 >&2
mkdir -p "$OUT.tmp"
cp build/bin/llama-server "$OUT.tmp/llama-server"
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
log "built $BIN"
echo "$BIN"
