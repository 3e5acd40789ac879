"""Step 1: build the training corpus from Debian packages.

Sources (see CORPUS.md): fortunes, fortunes-min (English), fortunes-zh (Chinese), bible-kjv (KJV).
Output (in build/):
  corpus_train.txt, corpus_val.txt   documents joined with <|endoftext|>
  corpus_lines.txt                   every non-empty line of every document (tokenizer round-trip test)
Run: python3 corpus.py   (needs `apt-get download` and the `bible` command from package bible-kjv)
"""
import glob
import os
import random
import re
import subprocess

from config import BUILD, EOT

SEED = 1234
VAL_FRACTION = 0.02
DEBS = ["fortunes", "fortunes-min", "fortunes-zh"]
# English fortune collections left out: ascii-art is pictures, not prose. (The offensive
# collections live in a separate package, fortunes-off, which we never download.)
SKIP_FILES = {"ascii-art"}
ZH_FILES = {"chinese", "tang300", "song100"}

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
OVERSTRIKE = re.compile(r".\x08")                     # "_\bX" underline / bold overstriking
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
ATTRIBUTION = re.compile(r"^\s*(--|——|―)\s*\S")        # "   -- Oscar Wilde", "-- Debian 《...》"
BOX_DRAWING = re.compile(r"[\u2500-\u257f]")
SPACES = re.compile(r"[ \t\u00a0\u3000]+")


def fetch_debs():
    """apt-get download + dpkg-deb -x into build/extract (skipped if already there)."""
    ext = os.path.join(BUILD, "extract")
    if os.path.isdir(os.path.join(ext, "usr/share/games/fortunes")):
        return ext
    debdir = os.path.join(BUILD, "debs")
    os.makedirs(debdir, exist_ok=True)
    subprocess.run(["apt-get", "download"] + DEBS, cwd=debdir, check=True)
    for deb in glob.glob(os.path.join(debdir, "*.deb")):
        subprocess.run(["dpkg-deb", "-x", deb, ext], check=True)
    return ext


def clean_document(text):
    """Strip escapes/overstrikes/attribution lines, squeeze whitespace. Returns '' if nothing left."""
    text = ANSI.sub("", text)
    text = OVERSTRIKE.sub("", text)
    text = CONTROL.sub("", text.replace("\t", " "))
    lines = []
    for line in text.split("\n"):
        if ATTRIBUTION.match(line):
            continue
        line = SPACES.sub(" ", line).strip()
        if line == "" and (not lines or lines[-1] == ""):
            continue                                    # at most one blank line in a row
        lines.append(line)
    while lines and lines[-1] == "":
        lines.pop()
    text = "\n".join(lines)
    if len(BOX_DRAWING.findall(text)) >= 20:            # ASCII/box-drawing tables: not prose
        return ""
    return text


def fortune_documents(path):
    """A fortune file: entries separated by lines holding only '%'."""
    with open(path, encoding="utf-8", errors="replace") as f:
        raw = f.read()
    docs = []
    for entry in re.split(r"^%[ \t]*$", raw, flags=re.M):
        doc = clean_document(entry)
        if doc:
            docs.append(doc)
    return docs


def kjv_documents():
    """One document per chapter; one verse per line, verse references ("Ge1:1 ") removed."""
    out = subprocess.run(["bible", "-f", "Gen1:1-Rev22:21"], check=True,
                         capture_output=True, text=True).stdout
    chapters, current, key = [], [], None
    for line in out.split("\n"):
        m = re.match(r"^(\d?[A-Za-z]+)(\d+):(\d+) (.*)$", line)
        if not m:
            if line.strip() and current:          # wrapped verse continuation (not expected)
                current[-1] += " " + line.strip()
            continue
        book_chapter = (m.group(1), m.group(2))
        if book_chapter != key and current:
            chapters.append("\n".join(current))
            current = []
        key = book_chapter
        current.append(SPACES.sub(" ", m.group(4)).strip())
    if current:
        chapters.append("\n".join(current))
    return chapters


def main():
    ext = fetch_debs()
    fdir = os.path.join(ext, "usr/share/games/fortunes")
    docs, stats = [], {}
    for path in sorted(glob.glob(os.path.join(fdir, "*"))):
        name = os.path.basename(path)
        if "." in name or name in SKIP_FILES or os.path.islink(path):
            continue
        d = fortune_documents(path)
        stats[name] = (len(d), sum(len(x) for x in d))
        docs += d
    bible = kjv_documents()
    stats["kjv"] = (len(bible), sum(len(x) for x in bible))
    docs += bible

    rng = random.Random(SEED)
    rng.shuffle(docs)
    n_val = max(1, int(len(docs) * VAL_FRACTION))
    val, train = docs[:n_val], docs[n_val:]
    for doc in docs:
        assert EOT not in doc
    os.makedirs(BUILD, exist_ok=True)
    with open(os.path.join(BUILD, "corpus_train.txt"), "w", encoding="utf-8") as f:
        f.write(EOT.join(train))
    with open(os.path.join(BUILD, "corpus_val.txt"), "w", encoding="utf-8") as f:
        f.write(EOT.join(val))
    with open(os.path.join(BUILD, "corpus_lines.txt"), "w", encoding="utf-8") as f:
        for doc in docs:
            for line in doc.split("\n"):
                if line:
                    f.write(line + "\n")
    for name, (n, c) in sorted(stats.items()):
        print(f"{name:14s} {n:6d} docs {c:9d} chars")
    print(f"total {len(docs)} docs: {len(train)} train, {len(val)} val, "
          f"{sum(len(d) for d in docs)} chars")


if __name__ == "__main__":
    main()
