/**
 * The caption grammar of the embedded model's training scenes (issue 4):
 * `a [small|large] <colour> <shape> [<position>] [on a <colour> background]`.
 * Parsing and generating from one table, so the evaluator and any data
 * generator agree.
 */
export const COLOURS = ['red', 'green', 'blue', 'yellow', 'orange', 'purple', 'white', 'black'] as const;
export const SHAPES = ['circle', 'square', 'triangle', 'star', 'ring'] as const;
export const SIZES = ['small', 'large'] as const;
export const POSITIONS = ['on the left', 'on the right', 'at the top', 'at the bottom', 'in the center'] as const;

export type Colour = (typeof COLOURS)[number];
export type Shape = (typeof SHAPES)[number];
export type Size = (typeof SIZES)[number];
export type Position = 'left' | 'right' | 'top' | 'bottom' | 'center';

/** sRGB of each colour word, as the scenes are drawn. */
export const PALETTE: Record<Colour, [number, number, number]> = {
  red: [220, 30, 30],
  green: [30, 170, 60],
  blue: [30, 70, 220],
  yellow: [240, 220, 30],
  orange: [245, 140, 20],
  purple: [140, 50, 180],
  white: [245, 245, 245],
  black: [15, 15, 15],
};

export interface SceneSpec {
  colour: Colour;
  shape: Shape;
  size: Size | null;
  position: Position | null;
  background: Colour | null;
}

const POSITION_WORD: Record<(typeof POSITIONS)[number], Position> = {
  'on the left': 'left',
  'on the right': 'right',
  'at the top': 'top',
  'at the bottom': 'bottom',
  'in the center': 'center',
};

const CAPTION = new RegExp(
  `^a (?:(${SIZES.join('|')}) )?(${COLOURS.join('|')}) (${SHAPES.join('|')})(?: (${POSITIONS.join('|')}))?(?: on a (${COLOURS.join('|')}) background)?$`,
);

export function parseCaption(caption: string): SceneSpec | null {
  const m = CAPTION.exec(caption.trim().toLowerCase());
  if (!m) return null;
  return {
    size: (m[1] as Size | undefined) ?? null,
    colour: m[2] as Colour,
    shape: m[3] as Shape,
    position: m[4] ? POSITION_WORD[m[4] as keyof typeof POSITION_WORD] : null,
    background: (m[5] as Colour | undefined) ?? null,
  };
}

export function formatCaption(s: SceneSpec): string {
  const pos = s.position ? Object.entries(POSITION_WORD).find(([, p]) => p === s.position)![0] : null;
  return ['a', s.size, s.colour, s.shape, pos, s.background ? `on a ${s.background} background` : null]
    .filter(Boolean)
    .join(' ');
}

/** Deterministic evaluation prompts from a seed: every optional part present about half the time. */
export function evalSpecs(count: number, seed: number): SceneSpec[] {
  let s = seed >>> 0 || 1;
  const rand = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)]!;
  return Array.from({ length: count }, () => {
    const colour = pick(COLOURS);
    const background = rand() < 0.6 ? pick(COLOURS.filter((c) => c !== colour)) : null;
    return {
      colour,
      shape: pick(SHAPES),
      size: rand() < 0.5 ? pick(SIZES) : null,
      position: rand() < 0.6 ? POSITION_WORD[pick(POSITIONS)] : null,
      background,
    };
  });
}
