import { expect, type Page } from '@playwright/test';
import { EMBEDDED_MODEL } from './host';

export interface FormValues {
  prompt?: string;
  negative?: string;
  steps?: number;
  cfg?: number;
  width?: number;
  height?: number;
  seed?: number;
}

const FIELDS: [keyof FormValues, string][] = [
  ['prompt', 'prompt'],
  ['negative', 'negative-prompt'],
  ['steps', 'steps'],
  ['cfg', 'cfg'],
  ['width', 'width'],
  ['height', 'height'],
  ['seed', 'seed'],
];

/** Fills the Generate form fields that are given, in the form's order. */
export async function fillGenerateForm(page: Page, values: FormValues): Promise<void> {
  for (const [key, testId] of FIELDS) {
    const v = values[key];
    if (v !== undefined) await page.getByTestId(testId).fill(String(v));
  }
}

/** Opens the Generate page and waits for the embedded model, the default, to be picked. */
export async function openGenerate(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('model-select')).toHaveValue(EMBEDDED_MODEL);
}

/** The RGB pixels of an <img> on the page, as the browser decoded it. */
export async function imagePixels(
  page: Page,
  testId: string,
): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { width, height, rgba } = await page.getByTestId(testId).evaluate((node) => {
    const img = node as HTMLImageElement;
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    return { width: c.width, height: c.height, rgba: Array.from(ctx.getImageData(0, 0, c.width, c.height).data) };
  });
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) data.set(rgba.slice(p * 4, p * 4 + 3), p * 3);
  return { width, height, data };
}
