import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StudioError } from '../../src-shared/domain/errors.js';
import { type Style, readA1111Styles, zStyle } from '../../src-shared/domain/styles.js';
import { writeFileAtomic } from '../fs-atomic.js';

/** The user's prompt styles, as JSON in the data folder (a damaged file is kept aside, as settings are). */
export class StylesStore {
  private styles: Style[] = [];
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'styles.json');
    if (!fs.existsSync(this.file)) return;
    try {
      this.styles = z.array(zStyle).parse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
    } catch {
      fs.renameSync(this.file, `${this.file}.broken`);
    }
  }

  list(): Style[] {
    return this.styles.map((s) => ({ ...s }));
  }

  /** The named styles in the order given; an unknown name is an error naming it. */
  pick(names: readonly string[]): Style[] {
    return names.map((n) => {
      const s = this.styles.find((x) => x.name === n);
      if (!s) throw new StudioError('INVALID_INPUT', `no style named ${JSON.stringify(n)}`);
      return s;
    });
  }

  save(style: Style): Style[] {
    this.styles = [...this.styles.filter((s) => s.name !== style.name), style];
    return this.write();
  }

  delete(name: string): Style[] {
    this.styles = this.styles.filter((s) => s.name !== name);
    return this.write();
  }

  importA1111(csv: string): { styles: Style[]; imported: number } {
    let incoming: Style[];
    try {
      incoming = readA1111Styles(csv);
    } catch (err) {
      throw new StudioError('INVALID_INPUT', (err as Error).message);
    }
    const names = new Set(incoming.map((s) => s.name));
    this.styles = [...this.styles.filter((s) => !names.has(s.name)), ...incoming];
    return { styles: this.write(), imported: incoming.length };
  }

  private write(): Style[] {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileAtomic(this.file, `${JSON.stringify(this.styles, null, 2)}\n`);
    return this.list();
  }
}
