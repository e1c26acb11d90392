import { expect, type Page } from '@playwright/test';

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

/** Opens the Generate page and waits for the tiny-sd model to be picked. */
export async function openGenerate(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('model-select')).toHaveValue('tiny-sd');
}
