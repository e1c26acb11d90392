/**
 * A session that opens its graph once per set of input sizes it is run with,
 * each copy declaring those sizes instead of symbolic ones. ONNX Runtime's
 * memory planner is slow on symbolic shapes (about 105 of the built-in UNet's
 * 155 ms of session creation; 7 ms with fixed sizes), and fixed sizes let it
 * fold the shape arithmetic away. A picture runs each graph at one or two
 * sizes, so this costs one graph per size, and every path (app, command line,
 * tests) runs the same graph for the same sizes: the numbers do not depend on
 * which sizes came before. Runs that come in many sizes (the tiles of a tiled
 * VAE) use the graph as it is instead (`runAnySize`), which is the same for
 * every size.
 */
import type * as ort from 'onnxruntime-node';
import type { GraphIoDeclared, InputShapes } from './graph-io.js';

/** What the pipeline needs of a session; an ONNX Runtime session is one. */
export interface ModelSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: ort.InferenceSession.FeedsType): Promise<ort.InferenceSession.ReturnType>;
  release(): Promise<void>;
}

interface Entry {
  session: Promise<ort.InferenceSession>;
  running: number;
  dropped: boolean;
}

/** Graphs kept open per session: a picture needs one size, hires fix and plots a few. */
export const SIZES_KEPT = 3;

export class ShapedSession implements ModelSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** As a session reports them, for reading the model's signature. */
  readonly inputMetadata: readonly object[];
  readonly outputMetadata: readonly object[];
  /** Open graphs by their sizes, least recently used first. */
  private readonly open = new Map<string, Entry>();
  private asIs: Promise<ort.InferenceSession> | null = null;

  constructor(
    io: GraphIoDeclared,
    /** Opens the graph with these sizes fixed; null: as it is, for any size. */
    private readonly openFor: (shapes: InputShapes | null) => Promise<ort.InferenceSession>,
    private readonly keep = SIZES_KEPT,
  ) {
    this.inputNames = io.inputs.map((i) => i.name);
    this.outputNames = io.outputs.map((o) => o.name);
    this.inputMetadata = io.inputs.map((i) => ({ ...i, isTensor: true }));
    this.outputMetadata = io.outputs.map((o) => ({ ...o, isTensor: true }));
  }

  /** How many graphs are open (for tests). */
  get openGraphs(): number {
    return this.open.size;
  }

  async run(feeds: ort.InferenceSession.FeedsType): Promise<ort.InferenceSession.ReturnType> {
    const shapes: InputShapes = Object.fromEntries(
      Object.entries(feeds)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, tensor]) => [name, (tensor as ort.Tensor).dims]),
    );
    const entry = this.entryFor(shapes);
    entry.running++;
    try {
      return await (await entry.session).run(feeds);
    } finally {
      entry.running--;
      if (entry.dropped && entry.running === 0) this.close(entry);
    }
  }

  /** A run on the graph as it is, opened once for runs of any size. */
  async runAnySize(feeds: ort.InferenceSession.FeedsType): Promise<ort.InferenceSession.ReturnType> {
    if (!this.asIs) {
      const opening = this.openFor(null);
      opening.catch(() => {
        if (this.asIs === opening) this.asIs = null; // tried again next time
      });
      this.asIs = opening;
    }
    return (await this.asIs).run(feeds);
  }

  private entryFor(shapes: InputShapes): Entry {
    const key = JSON.stringify(shapes);
    const found = this.open.get(key);
    if (found) {
      this.open.delete(key); // most recently used last
      this.open.set(key, found);
      return found;
    }
    const entry: Entry = { session: this.openFor(shapes), running: 0, dropped: false };
    // A graph that failed to open is forgotten, so a later run tries again.
    entry.session.catch(() => {
      if (this.open.get(key) === entry) this.open.delete(key);
    });
    this.open.set(key, entry);
    for (const [oldKey, old] of this.open) {
      if (this.open.size <= this.keep) break;
      this.open.delete(oldKey);
      old.dropped = true;
      if (old.running === 0) this.close(old);
    }
    return entry;
  }

  private close(entry: Entry): void {
    entry.session.then((s) => s.release()).catch(() => {});
  }

  async release(): Promise<void> {
    const sessions = [...this.open.values()].map((e) => e.session);
    if (this.asIs) sessions.push(this.asIs);
    this.open.clear();
    this.asIs = null;
    await Promise.all(sessions.map((s) => s.then((x) => x.release()).catch(() => {})));
  }
}

/** Runs of many sizes (tiles): on a ShapedSession, its graph as it is; any other session as usual. */
export function runAnySize(
  session: ModelSession,
  feeds: ort.InferenceSession.FeedsType,
): Promise<ort.InferenceSession.ReturnType> {
  return session instanceof ShapedSession ? session.runAnySize(feeds) : session.run(feeds);
}
