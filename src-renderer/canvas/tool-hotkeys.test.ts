import { describe, expect, it } from 'vitest';
import { activeTool, cursorFor, toolForKey, typingIn } from './tool-hotkeys.js';

describe('canvas tools', () => {
  it('Space held pans whatever tool is picked', () => {
    for (const selected of ['brush', 'eraser', 'bbox', 'view'] as const)
      expect(activeTool({ selected, spaceHeld: true, paintable: true })).toBe('view');
  });
  it('the picked tool acts otherwise; brush and eraser pan where there is no mask to paint', () => {
    expect(activeTool({ selected: 'eraser', spaceHeld: false, paintable: true })).toBe('eraser');
    expect(activeTool({ selected: 'bbox', spaceHeld: false, paintable: false })).toBe('bbox');
    expect(activeTool({ selected: 'brush', spaceHeld: false, paintable: false })).toBe('view');
  });
  it('keys pick tools; painting keys only while painting', () => {
    expect(toolForKey('B', true)).toBe('brush');
    expect(toolForKey('e', true)).toBe('eraser');
    expect(toolForKey('e', false)).toBeNull();
    expect(toolForKey('c', false)).toBe('bbox');
    expect(toolForKey('h', true)).toBe('view');
    expect(toolForKey('x', true)).toBeNull();
  });
  it('keys typed into a field are not the canvas', () => {
    expect(typingIn({ tagName: 'TEXTAREA' } as unknown as EventTarget)).toBe(true);
    expect(typingIn({ tagName: 'DIV', isContentEditable: false } as unknown as EventTarget)).toBe(false);
    expect(typingIn(null)).toBe(false);
  });
  it('cursors', () => {
    expect(cursorFor('brush', false)).toBe('none');
    expect(cursorFor('view', true)).toBe('grabbing');
    expect(cursorFor('bbox', false)).toBe('move');
  });
});
