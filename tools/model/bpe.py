"""Byte-level BPE tokenizer, GPT-2 style, compatible with Hugging Face `tokenizer.json`.

Ids: 0..255 are the 256 single bytes (in byte order), then one id per merge in merge order,
and the special token <|endoftext|> is the LAST id (like GPT-2's 50256).
Encoding = GPT-2 pre-tokenization regex, then per pre-token repeated merging of the adjacent
pair with the lowest merge rank (exactly what transformers.js / HF tokenizers do).
"""
import json

import regex

from config import EOT

# GPT-2's pre-tokenization pattern (contractions, letters, numbers, other, whitespace)
GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
PRETOKENIZE = regex.compile(GPT2_PATTERN)


def bytes_to_unicode():
    """GPT-2's reversible map byte -> printable unicode char (space -> 'Ġ', newline -> 'Ċ', ...)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BYTE_TO_CHAR = bytes_to_unicode()
CHAR_TO_BYTE = {c: b for b, c in BYTE_TO_CHAR.items()}


def split_special(text):
    """Split text on <|endoftext|>: yields (piece, is_special)."""
    parts = text.split(EOT)
    for i, part in enumerate(parts):
        if i > 0:
            yield EOT, True
        if part:
            yield part, False


class BPETokenizer:
    def __init__(self, merges):
        """merges: list of (left_id, right_id) in rank order; merge r creates id 256 + r."""
        self.merges = [tuple(m) for m in merges]
        self.ranks = {pair: r for r, pair in enumerate(self.merges)}
        # token strings in GPT-2's byte->unicode alphabet
        self.tokens = [BYTE_TO_CHAR[b] for b in range(256)]
        for a, b in self.merges:
            self.tokens.append(self.tokens[a] + self.tokens[b])
        self.eot_id = len(self.tokens)
        self.tokens.append(EOT)
        self.vocab_size = len(self.tokens)
        self.token_bytes = [bytes(CHAR_TO_BYTE[c] for c in t) for t in self.tokens[:-1]] + [EOT.encode()]
        self.cache = {}

    # ---- encoding -------------------------------------------------------------------------
    def encode_word(self, word):
        """One pre-token (str) -> list of ids, merging lowest-rank pairs first."""
        ids = self.cache.get(word)
        if ids is not None:
            return ids
        ids = list(word.encode("utf-8"))
        while len(ids) >= 2:
            best = None
            best_rank = None
            for pair in zip(ids, ids[1:]):
                r = self.ranks.get(pair)
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = pair, r
            if best is None:
                break
            new_id = 256 + best_rank
            out, i = [], 0
            while i < len(ids):                           # merge every occurrence, left to right
                if i + 1 < len(ids) and ids[i] == best[0] and ids[i + 1] == best[1]:
                    out.append(new_id)
                    i += 2
                else:
                    out.append(ids[i])
                    i += 1
            ids = out
        self.cache[word] = ids
        return ids

    def encode(self, text):
        out = []
        for piece, special in split_special(text):
            if special:
                out.append(self.eot_id)
                continue
            for word in PRETOKENIZE.findall(piece):
                out.extend(self.encode_word(word))
        return out

    def decode(self, ids):
        return b"".join(self.token_bytes[i] for i in ids).decode("utf-8", errors="replace")

    # ---- Hugging Face files ---------------------------------------------------------------
    def hf_tokenizer_json(self):
        vocab = {tok: i for i, tok in enumerate(self.tokens)}
        special = {"id": self.eot_id, "content": EOT, "single_word": False, "lstrip": False,
                   "rstrip": False, "normalized": False, "special": True}
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [special],
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                              "use_regex": True},
            "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False,
                               "use_regex": True},
            "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                        "use_regex": True},
            "model": {
                "type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                "ignore_merges": False,
                "vocab": vocab,
                "merges": [self.tokens[a] + " " + self.tokens[b] for a, b in self.merges],
            },
        }

    def hf_tokenizer_config(self, model_max_length):
        return {
            "tokenizer_class": "GPT2Tokenizer",
            "bos_token": EOT, "eos_token": EOT, "unk_token": EOT,
            "add_bos_token": False, "add_prefix_space": False,
            "model_max_length": model_max_length,
            "clean_up_tokenization_spaces": False,
            "added_tokens_decoder": {str(self.eot_id): {
                "content": EOT, "lstrip": False, "normalized": False, "rstrip": False,
                "single_word": False, "special": True}},
        }

    def save(self, path):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.hf_tokenizer_json(), f, ensure_ascii=False)

    @classmethod
    def load(cls, path):
        """Read our own tokenizer.json back (merges as 'a b' strings over the vocab)."""
        with open(path, encoding="utf-8") as f:
            model = json.load(f)["model"]
        vocab = model["vocab"]
        merges = []
        for m in model["merges"]:
            a, b = m.split(" ")
            merges.append((vocab[a], vocab[b]))
        tok = cls(merges)
        assert tok.tokens == sorted(vocab, key=vocab.get), "vocab order mismatch"
        return tok
