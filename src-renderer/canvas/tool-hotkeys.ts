/**
 * Which canvas tool acts, decided in one place (pure, tested): the tool the
 * user picked, unless Space is held (the view tool pans while it is), or the
 * mask is not shown (img2img: brush and eraser have nothing to paint).
 */
export type CanvasTool = 'brush' | 'eraser' | 'bbox' | 'view';

export interface ToolInputs {
  selected: CanvasTool;
  spaceHeld: boolean;
  /** Inpainting: the mask is shown and painted. */
  paintable: boolean;
}

export function activeTool({ selected, spaceHeld, paintable }: ToolInputs): CanvasTool {
  if (spaceHeld) return 'view';
  if (!paintable && (selected === 'brush' || selected === 'eraser')) return 'view';
  return selected;
}

/** The tool a key picks (B brush, E eraser, C box, H hand), or null; brush and eraser only while painting. */
export function toolForKey(key: string, paintable: boolean): CanvasTool | null {
  switch (key.toLowerCase()) {
    case 'b':
      return paintable ? 'brush' : null;
    case 'e':
      return paintable ? 'eraser' : null;
    case 'c':
      return 'bbox';
    case 'h':
      return 'view';
    default:
      return null;
  }
}

/** Whether a key event belongs to a text field rather than to the canvas. */
export const typingIn = (target: EventTarget | null): boolean =>
  !!target &&
  typeof (target as HTMLElement).tagName === 'string' &&
  (/^(INPUT|TEXTAREA|SELECT)$/.test((target as HTMLElement).tagName) || (target as HTMLElement).isContentEditable);

/** The pointer over the stage: painting tools draw their own circle, the view tool grabs. */
export function cursorFor(tool: CanvasTool, dragging: boolean): string {
  if (tool === 'view') return dragging ? 'grabbing' : 'grab';
  if (tool === 'bbox') return 'move';
  return 'none';
}
