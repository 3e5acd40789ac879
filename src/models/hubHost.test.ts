import { describe, expect, it } from 'vitest';
import { effectiveHost, hostProblem, normalizeHost, saveHost, savedHost } from './hubHost.ts';

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k), m };
}

describe('normalizeHost', () => {
  it.each([
    ['hf-mirror.com', 'https://hf-mirror.com/'],
    ['https://hf-mirror.com', 'https://hf-mirror.com/'],
    [' https://hf-mirror.com/ ', 'https://hf-mirror.com/'],
    ['https://example.org/hub', 'https://example.org/hub/'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080/'],
    ['http://localhost:3000/', 'http://localhost:3000/'],
  ])('%s → %s', (input, out) => expect(normalizeHost(input)).toBe(out));
  it.each([[''], ['http://hf-mirror.com/'], ['ftp://x.org/'], ['javascript:alert(1)'], ['https://u:p@x.org/'], ['https://x.org/?a=1'], ['https://']])('refuses %j', (input) =>
    expect(normalizeHost(input)).toBeNull(),
  );
});

describe('remembered host', () => {
  it('saves a mirror, forgets the default, and ignores a bad stored value', () => {
    const s = memoryStorage();
    expect(savedHost(s)).toBe('https://huggingface.co/');
    expect(saveHost('hf-mirror.com', s)).toBe('https://hf-mirror.com/');
    expect(savedHost(s)).toBe('https://hf-mirror.com/');
    expect(saveHost('http://evil.example/', s)).toBeNull();
    expect(savedHost(s)).toBe('https://hf-mirror.com/');
    saveHost('https://huggingface.co', s);
    expect(s.m.size).toBe(0);
    s.setItem('tbt.hubHost', 'not a url at all');
    expect(savedHost(s)).toBe('https://huggingface.co/');
  });
  it('?hubHost= wins over the setting', () => {
    const s = memoryStorage();
    saveHost('hf-mirror.com', s);
    expect(effectiveHost('?hubHost=http://127.0.0.1:9/', s)).toBe('http://127.0.0.1:9/');
    expect(effectiveHost('', s)).toBe('https://hf-mirror.com/');
  });
});

describe('hostProblem', () => {
  it('names the host and the setting, and says why for a failed fetch', () => {
    const m = hostProblem('https://hf-mirror.com/', 'Failed to fetch');
    expect(m).toContain('https://hf-mirror.com/');
    expect(m).toContain('download host setting');
    expect(m).toContain('could not be reached');
    expect(hostProblem(undefined, 'HTTP 401')).toContain('https://huggingface.co/');
  });
});
