/**
 * The X/Y(/Z) grid picture: the cells side by side, X values over the
 * columns, Y values before the rows, one block per Z value stacked below the
 * other with its value as a title. Labels are SVG text drawn by sharp.
 */
import sharp from 'sharp';

export interface GridLabels {
  x: string[];
  y: string[];
  z: string[];
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function textImage(text: string, width: number, height: number, anchor: 'middle' | 'end'): Buffer {
  const x = anchor === 'middle' ? width / 2 : width - 8;
  // As large as fits: at most 18 px, and narrow enough for the column (about 0.6 em per character).
  const size = Math.max(
    7,
    Math.min(18, Math.floor(height * 0.45), Math.floor((width - 8) / (0.6 * Math.max(1, text.length)))),
  );
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><text x="${x}" y="${height / 2}" font-family="sans-serif" font-size="${size}" fill="#111" text-anchor="${anchor}" dominant-baseline="middle">${escapeXml(text.slice(0, 60))}</text></svg>`,
  );
}

/** `cells[z][y][x]`: PNG bytes, all of one size (the first cell's). */
export async function composeGrid(cells: Buffer[][][], labels: GridLabels): Promise<Buffer> {
  const first = await sharp(cells[0]![0]![0]!).metadata();
  const cw = first.width!;
  const ch = first.height!;
  const left = labels.y.some((l) => l) ? Math.min(240, Math.max(80, cw)) : 0;
  const top = labels.x.some((l) => l) ? 36 : 0;
  const title = labels.z.some((l) => l) ? 36 : 0;
  const block = title + top + labels.y.length * ch;
  const width = left + labels.x.length * cw;
  const height = block * labels.z.length;
  const parts: sharp.OverlayOptions[] = [];
  for (const [zi, zl] of labels.z.entries()) {
    const y0 = zi * block;
    if (title) parts.push({ input: textImage(zl, width, title, 'middle'), left: 0, top: y0 });
    for (const [xi, xl] of labels.x.entries())
      if (top) parts.push({ input: textImage(xl, cw, top, 'middle'), left: left + xi * cw, top: y0 + title });
    for (const [yi, yl] of labels.y.entries()) {
      if (left) parts.push({ input: textImage(yl, left, ch, 'end'), left: 0, top: y0 + title + top + yi * ch });
      for (let xi = 0; xi < labels.x.length; xi++) {
        const cell = await sharp(cells[zi]![yi]![xi]!)
          .resize(cw, ch, { fit: 'contain', background: '#ffffff' })
          .png()
          .toBuffer();
        parts.push({ input: cell, left: left + xi * cw, top: y0 + title + top + yi * ch });
      }
    }
  }
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite(parts)
    .png()
    .toBuffer();
}
