import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatPercent, formatProbability } from './format.ts';

describe('formatPercent: one percent style for every size', () => {
  it.each(['en', 'zh-Hans', 'zh-Hant'])('%s: small and large probabilities in the same style', (locale) => {
    const intl = new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 });
    // the two sizes that were formatted two ways ("0.051 %" and "0.18%") now share the locale's percent style
    const small = formatProbability(0.00051, locale);
    const large = formatProbability(0.0018, locale);
    expect(large).toBe(intl.format(0.0018));
    const style = (s: string) => s.replace(/[\d.,]+/, '#');
    expect(style(small)).toBe(style(large));
    expect(formatPercent(0.123, locale)).toBe(new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(0.123));
  });
  it('en values', () => {
    expect(formatProbability(0.00051, 'en')).toBe('0.051%');
    expect(formatProbability(0.0018, 'en')).toBe('0.18%');
    expect(formatProbability(2.3e-5, 'en')).toBe('0.0023%');
    expect(formatProbability(0, 'en')).toBe('0.0%');
    expect(formatPercent(0.0004, 'en')).toBe('< 0.1%');
    expect(formatPercent(NaN, 'en')).toBe('—');
  });
});

/** Every source file of the UI and the store (tests and format.ts itself left out). */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|tsx)$/.test(f) && !/\.test\.tsx?$/.test(f) && f !== 'format.ts' ? [p] : [];
  });
}

describe('every panel formats percentages with formatPercent', () => {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const files = [...sources(join(root, 'components')), ...sources(join(root, 'store')), ...sources(join(root, 'charts'))];
  /** Ways to make a percentage by hand. */
  const handMade: [string, RegExp][] = [
    ['× 100', /\*\s*100\b(?!_)/],
    ['toFixed', /\.toFixed\(/],
    ["Intl percent style", /style:\s*['"]percent['"]/],
    ['a % after an interpolation', /\}\s?%/],
    ["a '%' string", /['"`]\s?%['"`]/],
  ];
  it.each(files.map((f) => [f.slice(root.length), f]))('%s makes no percentage by hand', (_, f) => {
    // CSS lengths (style={{ width: `${p * 100}%` }}) are not shown text
    const text = readFileSync(f, 'utf8').replace(/(width|height|left|top):\s*`\$\{[^}]*\}%`/g, '');
    for (const [name, re] of handMade) expect(re.test(text), `${name} in ${f}`).toBe(false);
  });
  it('the panels that show percentages use the formatter', () => {
    const panels = files.filter((f) => /formatPercent|formatProbability/.test(readFileSync(f, 'utf8')));
    const names = panels.map((f) => f.slice(root.length)).sort();
    for (const p of ['DistributionChart.tsx', 'MonteCarloPanel.tsx', 'QuizPanel.tsx', 'VotePanel.tsx', 'ComparePanel.tsx', 'TokenQuery.tsx', 'TeacherForcing.tsx', 'GeneratedText.tsx', 'PathTree.tsx', 'LessonPanel.tsx', 'StatusBar.tsx']) {
      expect(names.some((n) => n.endsWith(p)), p).toBe(true);
    }
  });
});
