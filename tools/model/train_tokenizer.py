"""Step 2: train the byte-level BPE on the training corpus, then encode train/val to ids.

Speed: BPE runs over the *distinct* pre-tokens with their frequencies, keeps pair counts and an
index pair -> words containing it, and after each merge only re-counts the words that changed.
Output: build/tokenizer.json, build/train.bin, build/val.bin (uint16 token ids).
"""
import collections
import heapq
import os
import time

import numpy as np

from bpe import PRETOKENIZE, BPETokenizer, split_special
from config import BUILD, TokenizerConfig


def count_words(text):
    counts = collections.Counter()
    for piece, special in split_special(text):
        if not special:
            counts.update(PRETOKENIZE.findall(piece))
    return counts


def train_bpe(word_counts, num_merges, min_pair_count):
    words = [list(w.encode("utf-8")) for w in word_counts]          # each: list of ids
    freqs = [word_counts[w] for w in word_counts]
    pair_count = collections.defaultdict(int)                       # (a, b) -> frequency
    where = collections.defaultdict(set)                            # (a, b) -> word indices
    for wi, (ids, f) in enumerate(zip(words, freqs)):
        for pair in zip(ids, ids[1:]):
            pair_count[pair] += f
            where[pair].add(wi)
    # max-heap by (count, then smallest pair ids) with lazy invalidation
    heap = [(-c, p) for p, c in pair_count.items()]
    heapq.heapify(heap)
    merges = []
    while len(merges) < num_merges and heap:
        neg, pair = heapq.heappop(heap)
        if pair_count.get(pair, 0) != -neg:
            continue                                                # stale entry
        if -neg < min_pair_count:
            break
        new_id = 256 + len(merges)
        merges.append(pair)
        changed = set()
        for wi in list(where[pair]):
            ids, f = words[wi], freqs[wi]
            for p in zip(ids, ids[1:]):                             # remove old pairs of this word
                pair_count[p] -= f
                changed.add(p)
                where[p].discard(wi)
            out, i = [], 0
            while i < len(ids):
                if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
                    out.append(new_id)
                    i += 2
                else:
                    out.append(ids[i])
                    i += 1
            words[wi] = out
            for p in zip(out, out[1:]):                             # add new pairs
                pair_count[p] += f
                changed.add(p)
                where[p].add(wi)
        for p in changed:
            c = pair_count[p]
            if c <= 0:
                pair_count.pop(p, None)
                where.pop(p, None)
            else:
                heapq.heappush(heap, (-c, p))
    return merges


def main():
    cfg = TokenizerConfig()
    with open(os.path.join(BUILD, "corpus_train.txt"), encoding="utf-8") as f:
        train_text = f.read()
    with open(os.path.join(BUILD, "corpus_val.txt"), encoding="utf-8") as f:
        val_text = f.read()
    t0 = time.time()
    counts = count_words(train_text)
    print(f"{len(counts)} distinct pre-tokens ({time.time() - t0:.1f}s)")
    merges = train_bpe(counts, cfg.vocab_size - 256 - 1, cfg.min_pair_count)
    tok = BPETokenizer(merges)
    print(f"{len(merges)} merges, vocab {tok.vocab_size}, eot id {tok.eot_id} ({time.time() - t0:.1f}s)")
    tok.save(os.path.join(BUILD, "tokenizer.json"))
    for name, text in [("train", train_text), ("val", val_text)]:
        ids = np.array(tok.encode(text), dtype=np.uint16)
        ids.tofile(os.path.join(BUILD, f"{name}.bin"))
        print(f"{name}: {len(text)} chars -> {len(ids)} tokens ({len(text) / len(ids):.2f} chars/token)")
    print("longest tokens:", sorted(tok.tokens[:-1], key=len)[-10:])
    print(f"done in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
