#!/usr/bin/env bash
# Prints the path of a model folder's GGUF (tools/model/gguf_export.py), writing it first when missing.
# Cached outside the clone, keyed by the content hash of its inputs (config, tokenizer files, ONNX weights,
# the exporter) and the llama.cpp release whose gguf-py writes it:
#   $CACHE/gguf/<folder name>-<sha256 prefix>.gguf   (about 7.8 MB each for our models: not committed)
# Usage: tools/model/gguf_cached.sh public/models/tiny-bilingual-gpt2
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
FOLDER="$(cd "$1" && pwd)"
CACHE="${TBT_CACHE:-/root/.cache/token-by-token}"
SRC="$(bash "$ROOT/tools/llama/build-server.sh" --src-only | tail -n 1)"
KEY="$( (cat "$FOLDER/config.json" "$FOLDER/tokenizer.json" "$FOLDER/tokenizer_config.json" "$FOLDER/onnx/model.onnx" \
          "$HERE/gguf_export.py"; basename "$SRC") | sha256sum | cut -c1-16)"
OUT="$CACHE/gguf/$(basename "$FOLDER")-$KEY.gguf"
if [[ ! -f "$OUT" ]]; then
  mkdir -p "$CACHE/gguf"
  /usr/bin/python3 "$HERE/gguf_export.py" "$FOLDER" "$OUT" --gguf-py "$SRC/gguf-py" >&2
fi
echo "$OUT"
