/**
 * CLIP byte-level BPE, as transformers' CLIPTokenizer (tokenizers backend)
 * does it: NFC, whitespace collapsed, lower-cased; the CLIP pre-tokenizer
 * regex; bytes mapped to printable characters; BPE with `</w>` word ends.
 * Exact to test/fixtures/tokenizer-cases.json.
 */
import fs from 'node:fs';
import path from 'node:path';

export const CHUNK_TOKENS = 75;
export const CONTEXT_LENGTH = 77;

const PRETOKENIZE = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu;
const BOS = '<|startoftext|>';
const EOS = '<|endoftext|>';

/** GPT-2's reversible byte -> printable character table. */
function byteToUnicode(): string[] {
  const table: string[] = new Array(256);
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(printable(b) ? b : 256 + extra++);
  return table;
}
const BYTE_CHARS = byteToUnicode();

export interface TokenizerFiles {
  vocab: Record<string, number>;
  merges: string[];
  /** Pad id: 49407 (eos) for SD 1.x, 0 ("!") for SD 2.x and SDXL's second tokenizer. */
  padToken?: string;
}

const MAX_CACHED_PIECE = 64;
const MAX_CACHE_BYTES = 8 * 1024 * 1024;

export class ClipTokenizer {
  readonly bosId: number;
  eosId: number;
  padId: number;
  private readonly vocab: Map<string, number>;
  private readonly ranks = new Map<string, number>();
  /** Word -> ids for words seen before; bounded by an estimate of its bytes, since prompts come from clients. */
  private readonly cache = new Map<string, number[]>();
  private cacheBytes = 0;

  constructor(files: TokenizerFiles) {
    this.vocab = new Map(Object.entries(files.vocab));
    for (const [rank, line] of files.merges.entries()) this.ranks.set(line, rank);
    const id = (token: string) => {
      const v = this.vocab.get(token);
      if (v === undefined) throw new Error(`tokenizer vocabulary lacks ${token}`);
      return v;
    };
    this.bosId = id(BOS);
    this.eosId = id(EOS);
    this.padId = files.padToken ? id(files.padToken) : this.eosId;
  }

  /**
   * Loads a Hugging Face tokenizer folder: `vocab.json` and `merges.txt`, or
   * a fast tokenizer's `tokenizer.json` alone (some exports ship only that),
   * and the pad token.
   */
  static fromFolder(dir: string): ClipTokenizer {
    const { vocab, merges } = fs.existsSync(path.join(dir, 'vocab.json'))
      ? {
          vocab: JSON.parse(fs.readFileSync(path.join(dir, 'vocab.json'), 'utf8')) as Record<string, number>,
          merges: fs
            .readFileSync(path.join(dir, 'merges.txt'), 'utf8')
            .split('\n')
            .filter((line, i) => line.trim() !== '' && !(i === 0 && line.startsWith('#version'))),
        }
      : readFastTokenizer(path.join(dir, 'tokenizer.json'));
    let padToken: string | undefined;
    for (const name of ['special_tokens_map.json', 'tokenizer_config.json']) {
      const file = path.join(dir, name);
      if (!fs.existsSync(file)) continue;
      const pad = (JSON.parse(fs.readFileSync(file, 'utf8')) as { pad_token?: string | { content: string } }).pad_token;
      if (pad) {
        padToken = typeof pad === 'string' ? pad : pad.content;
        break;
      }
    }
    return new ClipTokenizer({ vocab, merges, padToken });
  }

  /** True when the folder holds a tokenizer this class reads. */
  static folderHasTokenizer(dir: string): boolean {
    return (
      (fs.existsSync(path.join(dir, 'vocab.json')) && fs.existsSync(path.join(dir, 'merges.txt'))) ||
      fs.existsSync(path.join(dir, 'tokenizer.json'))
    );
  }

  static normalize(text: string): string {
    return text.normalize('NFC').replace(/\s+/gu, ' ').toLowerCase();
  }

  /** Token ids without BOS/EOS, not truncated; textual-inversion words replaced by their vectors' ids. */
  encodeText(text: string): number[] {
    const ids: number[] = [];
    for (const match of ClipTokenizer.normalize(text).matchAll(PRETOKENIZE)) {
      const piece = match[0];
      if (piece === BOS) ids.push(this.bosId);
      else if (piece === EOS) ids.push(this.eosId);
      else ids.push(...this.bpeIds(piece));
    }
    return this.inversions.length ? this.replaceInversions(ids) : ids;
  }

  private inversions: { pattern: number[]; ids: number[] }[] = [];

  /**
   * Where the tokens of `word` appear, `ids` take their place (one per
   * embedding vector), as A1111 matches an embedding's name by its token ids.
   */
  addInversion(word: string, ids: number[]): void {
    const pattern = this.encodeText(word);
    if (pattern.length === 0) return;
    this.inversions.push({ pattern, ids });
    this.inversions.sort((a, b) => b.pattern.length - a.pattern.length);
  }

  /**
   * A tokenizer sharing this one's vocabulary that also knows these embeddings
   * (word and vector count): for counting a prompt's tokens as the model will
   * see them, without touching this one's own list.
   */
  withInversions(words: readonly { word: string; count: number }[]): ClipTokenizer {
    const view = Object.create(this) as ClipTokenizer;
    view.inversions = [...this.inversions];
    for (const { word, count } of words) view.addInversion(word, new Array<number>(count).fill(0));
    return view;
  }

  /**
   * EOS (and padding that is EOS) gets another id whose row holds the same
   * vector. SDXL's pooled text output is read where ArgMax(input_ids) points,
   * which is EOS only while EOS is the largest id; embeddings' rows come after it.
   */
  moveEos(id: number): void {
    if (this.padId === this.eosId) this.padId = id;
    this.eosId = id;
  }

  private replaceInversions(ids: number[]): number[] {
    const out: number[] = [];
    for (let i = 0; i < ids.length; ) {
      const hit = this.inversions.find((inv) => inv.pattern.every((t, k) => ids[i + k] === t));
      if (hit) {
        out.push(...hit.ids);
        i += hit.pattern.length;
      } else out.push(ids[i++]!);
    }
    return out;
  }

  /** `[BOS] + ids + [EOS]`, not truncated (the fixture's `ids`). */
  encode(text: string): number[] {
    return [this.bosId, ...this.encodeText(text), this.eosId];
  }

  /** Truncated to 77 and padded: what SD pipelines feed the text encoder. */
  encodePadded(text: string, length = CONTEXT_LENGTH): number[] {
    const body = this.encodeText(text).slice(0, length - 2);
    const ids = [this.bosId, ...body, this.eosId];
    while (ids.length < length) ids.push(this.padId);
    return ids;
  }

  private bpeIds(piece: string): number[] {
    const cached = this.cache.get(piece);
    if (cached) return cached;
    const chars = Array.from(new TextEncoder().encode(piece), (b) => BYTE_CHARS[b]!);
    const ids = this.bpe(chars).map((token) => this.vocab.get(token) ?? this.eosId);
    // Real words are short; a long piece (pasted junk) is worked out again rather than kept.
    const bytes = 64 + piece.length * 2 + ids.length * 8;
    if (piece.length <= MAX_CACHED_PIECE && this.cacheBytes + bytes <= MAX_CACHE_BYTES) {
      this.cache.set(piece, ids);
      this.cacheBytes += bytes;
    }
    return ids;
  }

  private bpe(chars: string[]): string[] {
    if (chars.length === 0) return [];
    let word = [...chars];
    word[word.length - 1] += '</w>';
    while (word.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < word.length - 1; i++) {
        const rank = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      const first = word[best]!;
      const second = word[best + 1]!;
      const merged: string[] = [];
      for (let i = 0; i < word.length; ) {
        if (i < word.length - 1 && word[i] === first && word[i + 1] === second) {
          merged.push(first + second);
          i += 2;
        } else {
          merged.push(word[i]!);
          i += 1;
        }
      }
      word = merged;
    }
    return word;
  }
}

/** A fast tokenizer file's BPE vocabulary and merges ("a b" strings, or [a, b] pairs in newer files). */
function readFastTokenizer(file: string): { vocab: Record<string, number>; merges: string[] } {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    model?: { type?: string; vocab?: Record<string, number>; merges?: (string | [string, string])[] };
  };
  const model = doc.model;
  if (!model?.vocab || !Array.isArray(model.merges)) throw new Error(`${path.basename(file)} holds no BPE vocabulary`);
  return { vocab: model.vocab, merges: model.merges.map((m) => (Array.isArray(m) ? m.join(' ') : m)) };
}
