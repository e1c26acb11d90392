"""A CLIP-format byte-level BPE vocabulary learnt from the grammar's own words.

The files have the layout of openai/clip-vit-large-patch14's tokenizer
(vocab.json: the 256 byte symbols, the same with `</w>`, one token per merge,
then `<|startoftext|>` and `<|endoftext|>`; merges.txt with a `#version`
header), so the engine's CLIP tokenizer reads them unchanged. Only the
learning is ours: merges are taken greedily by pair frequency over the
grammar's words, ties broken alphabetically, until every word is one token.
"""
import json
import re
from collections import Counter

from .grammar import all_words

BOS, EOS = "<|startoftext|>", "<|endoftext|>"
MAX_LENGTH = 77


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character table (the published algorithm)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def learn(words=None):
    """Returns (vocab: dict token->id, merges: list of 'a b' strings)."""
    words = words or all_words()
    byte_chars = list(bytes_to_unicode().values())
    vocab_list = byte_chars + [c + "</w>" for c in byte_chars]
    seqs = {w: tuple(w[:-1]) + (w[-1] + "</w>",) for w in words}
    merges = []
    while True:
        pairs = Counter()
        for seq in seqs.values():
            for a, b in zip(seq, seq[1:]):
                pairs[(a, b)] += 1
        if not pairs:
            break
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        merges.append(best)
        vocab_list.append(best[0] + best[1])
        for w, seq in seqs.items():
            out, i = [], 0
            while i < len(seq):
                if i + 1 < len(seq) and (seq[i], seq[i + 1]) == best:
                    out.append(seq[i] + seq[i + 1])
                    i += 2
                else:
                    out.append(seq[i])
                    i += 1
            seqs[w] = tuple(out)
    vocab_list += [BOS, EOS]
    return {t: i for i, t in enumerate(vocab_list)}, [f"{a} {b}" for a, b in merges]


class Tokenizer:
    """CLIP's encoding rules over our vocabulary; the grammar's words are single tokens."""

    def __init__(self, vocab, merges):
        self.vocab = vocab
        self.ranks = {tuple(m.split()): i for i, m in enumerate(merges)}
        self.byte_map = bytes_to_unicode()
        self.bos, self.eos = vocab[BOS], vocab[EOS]

    def _bpe(self, word):
        seq = tuple(word[:-1]) + (word[-1] + "</w>",)
        while len(seq) > 1:
            pairs = [(self.ranks.get(p, float("inf")), i) for i, p in enumerate(zip(seq, seq[1:]))]
            rank, i = min(pairs)
            if rank == float("inf"):
                break
            merged = seq[i] + seq[i + 1]
            out, j = [], 0
            while j < len(seq):
                if j + 1 < len(seq) and seq[j] + seq[j + 1] == merged and (seq[j], seq[j + 1]) in self.ranks \
                        and self.ranks[(seq[j], seq[j + 1])] == rank:
                    out.append(merged)
                    j += 2
                else:
                    out.append(seq[j])
                    j += 1
            seq = tuple(out)
        return seq

    def encode(self, text):
        """[BOS, tokens..., EOS, EOS padding] of length 77, as the engine builds it."""
        ids = []
        for word in re.findall(r"[a-z]+|[0-9]|[^\sa-z0-9]+", re.sub(r"\s+", " ", text.strip().lower())):
            chars = "".join(self.byte_map[b] for b in word.encode("utf-8"))
            ids += [self.vocab.get(t, self.eos) for t in self._bpe(chars)]
        ids = [self.bos] + ids[: MAX_LENGTH - 2] + [self.eos]
        return ids + [self.eos] * (MAX_LENGTH - len(ids))


def write_tokenizer_folder(folder, vocab, merges):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
    (folder / "special_tokens_map.json").write_text(json.dumps(
        {"bos_token": BOS, "eos_token": EOS, "pad_token": EOS, "unk_token": EOS}, indent=2))
    (folder / "tokenizer_config.json").write_text(json.dumps(
        {"model_max_length": MAX_LENGTH, "do_lower_case": True, "tokenizer_class": "CLIPTokenizer",
         "bos_token": BOS, "eos_token": EOS, "pad_token": EOS, "unk_token": EOS}, indent=2))
