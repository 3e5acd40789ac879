#!/usr/bin/env bash
# Rebuild the instruct test fixture test-fixtures/tiny-chat/ from the embedded model:
#   weights read back from public/models/tiny-bilingual-gpt2/onnx/model.onnx, two ChatML special tokens
#   added (<|im_start|> 4000, <|im_end|> 4001), fine-tuned on ChatML exchanges from the fortunes corpus,
#   exported to ONNX + reference.json (torch) and checked through transformers.js.
# Usage (from anywhere):
#   bash tools/model/build_chat_fixture.sh                  # train (resumes build/chat_ckpt.pt) + export + check
#   bash tools/model/build_chat_fixture.sh --from export    # only export + check from the checkpoint
#   bash tools/model/build_chat_fixture.sh --steps 150      # train to this many steps (default 97: the committed
#                                                           # fixture; a fresh run replays the same seeded batches)
#   bash tools/model/build_chat_fixture.sh --minutes 20     # time budget of this run (default 60; stops early with a checkpoint)
# Training runs in the foreground here; to run it in the background:
#   cd tools/model && nohup /usr/bin/python3 chat_fixture.py train --max-steps 97 > build/chat_train.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3
FROM=train
MINUTES=60
STEPS=97
while [ $# -gt 0 ]; do
  case "$1" in
    --from) FROM="$2"; shift 2 ;;
    --minutes) MINUTES="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    *) echo "unknown argument $1"; exit 2 ;;
  esac
done
mkdir -p build
[ -f build/.gitignore ] || printf '*\n!.gitignore\n' > build/.gitignore
need=()
for p in python3-torch python3-onnx python3-regex python3-numpy python3-jinja2 libopenblas0-pthread; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then apt-get install -y "${need[@]}"; fi
if [ "$FROM" = train ]; then
  $PY chat_fixture.py train --max-minutes "$MINUTES" --max-steps "$STEPS" 2>&1 | tee -a build/chat_train.log
fi
$PY chat_fixture.py export
if [ -d ../../node_modules/@huggingface/transformers ]; then
  (cd ../.. && npx vitest run tests/chat.test.ts)
fi
