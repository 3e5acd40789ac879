#!/usr/bin/env bash
# Rebuild the tiny bilingual GPT-2 end to end:
#   setup -> corpus -> tokenizer -> train -> export -> reference -> card -> verify -> fixture
# Usage (from anywhere):
#   bash tools/model/build.sh                 # everything (training resumes from build/ckpt.pt if present)
#   bash tools/model/build.sh --from export   # only export + reference + card + verify from the checkpoint
#   bash tools/model/build.sh --clean         # delete tools/model/build/ first (fresh, seeded rebuild)
# Stages: setup corpus tokenizer train export reference card verify fixture
# (fixture = the random-weight test-fixtures/tiny-llama/, independent of the others)
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3
STAGES=(setup corpus tokenizer train export reference card verify fixture)
FROM=setup
while [ $# -gt 0 ]; do
  case "$1" in
    --from) FROM="$2"; shift 2 ;;
    --clean) rm -rf build/*; shift ;;
    *) echo "unknown argument $1"; exit 2 ;;
  esac
done
mkdir -p build
[ -f build/.gitignore ] || printf '*\n!.gitignore\n' > build/.gitignore

run=0
for s in "${STAGES[@]}"; do
  [ "$s" = "$FROM" ] && run=1
  [ $run = 1 ] || continue
  echo "=== $s"
  case "$s" in
    setup)
      # Debian packages: torch/onnx/regex for python, OpenBLAS (25x faster matmuls than the reference
      # BLAS torch links by default), the `bible` command. Installed only if missing.
      need=()
      for p in python3-torch python3-onnx python3-regex python3-numpy libopenblas0-pthread bible-kjv; do
        dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
      done
      if [ ${#need[@]} -gt 0 ]; then apt-get install -y "${need[@]}"; fi ;;
    corpus)    $PY corpus.py ;;
    tokenizer) $PY train_tokenizer.py ;;
    train)     $PY train.py 2>&1 | tee -a build/train.log ;;
    export)    $PY export.py ;;
    reference) $PY reference.py && $PY sampling_reference.py ;;
    card)      $PY model_card.py ;;
    verify)
      $PY verify.py
      # optional: the same checks through transformers.js itself, if it is installed in the project
      if [ -d ../../node_modules/@huggingface/transformers ]; then
        (cd ../.. && node tools/model/check_transformersjs.mjs)
      fi ;;
    fixture)
      $PY tiny_llama_fixture.py
      if [ -d ../../node_modules/@huggingface/transformers ]; then
        (cd ../.. && node tools/model/check_transformersjs.mjs test-fixtures test-fixtures/tiny-llama/reference.json)
      fi ;;
  esac
done
