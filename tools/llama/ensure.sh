#!/usr/bin/env bash
# Run by `npm test` (pretest): builds llama-server when missing (about 11 minutes on 2 cores, cached by
# version), writes the GGUFs of the embedded model and the chat fixture (cached by content hash), prints
# the server's version. Timings go to stderr.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
t0=$(date +%s)
BIN="$(bash "$ROOT/tools/llama/build-server.sh" | tail -n 1)"
for folder in public/models/tiny-bilingual-gpt2 test-fixtures/tiny-chat; do
  bash "$ROOT/tools/model/gguf_cached.sh" "$ROOT/$folder" >/dev/null
done
echo "llama-server: $BIN"
"$BIN" --version 2>&1 | grep -i -E "version|built" || true
echo "llama-server and GGUFs ready in $(( $(date +%s) - t0 )) s" >&2
