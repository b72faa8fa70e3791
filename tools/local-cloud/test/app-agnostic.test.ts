import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The engine runs any CDK app, so nothing in it may know the application it is developed beside:
 * what is that application's (its faults, what its flow page follows, its panels) comes from a
 * plugin. The application is about orders, payments and invoices, so those words, in any case and
 * inside identifiers too (`orderId`, `PENDING_PAYMENT`), and its ids (`ord_...`) are the sign that
 * something of it came back into the engine's source or page. "Order" in the sense of a sequence
 * ("in order", "tab order", "reverseOrder") is English, not the application, and so is the CSS
 * property `order`.
 */
const packageDir = join(import.meta.dirname, '..');
const APPLICATION_WORDS = /\b(orders?|payments?|invoices?)\b/gi;
const SEQUENCE = /\b(in|that|reverse|dependency|deployment|field|tab|insertion) $/i;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** Identifiers split into words (`reverseOrder` → `reverse Order`, `PENDING_PAYMENT` → `PENDING PAYMENT`). */
function words(line: string): string {
  return line.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]/g, ' ');
}

function applicationWordsIn(file: string): string[] {
  const found: string[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      const text = words(line);
      for (const match of text.matchAll(APPLICATION_WORDS)) {
        const before = text.slice(0, match.index);
        const english = /^order$/i.test(match[0]) && SEQUENCE.test(before);
        const cssProperty = file.endsWith('.css') && /^\s*order:/.test(line);
        if (!english && !cssProperty)
          found.push(`${relative(packageDir, file)}:${index + 1}: ${line.trim()}`);
      }
      if (/\bord_/.test(line)) found.push(`${relative(packageDir, file)}:${index + 1}: ${line.trim()}`);
    });
  return found;
}

describe("the engine's source and page", () => {
  it("name no order, payment or invoice: what is the application's comes from its plugin", () => {
    const files = [...filesUnder(join(packageDir, 'src')), ...filesUnder(join(packageDir, 'web'))];
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap(applicationWordsIn)).toEqual([]);
  });

  it('import nothing from the services, the infrastructure or the test support', () => {
    const imports = filesUnder(join(packageDir, 'src'))
      .flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map(
          (match) => `${relative(packageDir, file)}: ${match[1]}`,
        ),
      )
      .filter((line) => /: (@shop\/|(\.\.\/){3})/.test(line));
    expect(imports).toEqual([]);
  });
});
