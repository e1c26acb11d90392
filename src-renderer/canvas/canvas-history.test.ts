import { describe, expect, it } from 'vitest';
import { emptyHistory, HISTORY_LIMIT, stepRecorded, stepRedone, stepUndone } from './canvas-history.js';

/** Applies a change the way the canvas store does: the old document becomes a step. */
const change = (s: { doc: string; h: ReturnType<typeof emptyHistory<string>> }, doc: string) => ({
  doc,
  h: stepRecorded(s.h, s.doc),
});

describe('canvas history', () => {
  it('undo walks back through every change and redo forward again', () => {
    let s = { doc: 'picture', h: emptyHistory<string>() };
    s = change(s, 'picture + stroke');
    s = change(s, 'extended');
    s = change(s, 'accepted result');
    const u1 = stepUndone(s.h, s.doc)!;
    expect(u1.restored).toBe('extended');
    const u2 = stepUndone(u1.history, u1.restored)!;
    expect(u2.restored).toBe('picture + stroke');
    const r = stepRedone(u2.history, u2.restored)!;
    expect(r.restored).toBe('extended');
    expect(stepRedone(r.history, r.restored)!.restored).toBe('accepted result');
  });

  it('a new change after an undo drops what was undone', () => {
    let s = { doc: 'a', h: emptyHistory<string>() };
    s = change(s, 'b');
    const u = stepUndone(s.h, s.doc)!;
    const after = change({ doc: u.restored, h: u.history }, 'c');
    expect(after.h.future).toEqual([]);
    expect(stepRedone(after.h, after.doc)).toBeNull();
    expect(stepUndone(after.h, after.doc)!.restored).toBe('a');
  });

  it('nothing to undo or redo on a new document', () => {
    expect(stepUndone(emptyHistory<string>(), 'x')).toBeNull();
    expect(stepRedone(emptyHistory<string>(), 'x')).toBeNull();
  });

  it('keeps the most recent steps only', () => {
    let s = { doc: '0', h: emptyHistory<string>() };
    for (let i = 1; i <= HISTORY_LIMIT + 10; i++) s = change(s, String(i));
    expect(s.h.past).toHaveLength(HISTORY_LIMIT);
    expect(s.h.past[0]).toBe('10');
  });
});
