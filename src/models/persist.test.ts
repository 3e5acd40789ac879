import { describe, expect, it } from 'vitest';
import { requestPersistence } from './persist.ts';

describe('requestPersistence', () => {
  it('reports what the Storage API answers', async () => {
    expect(await requestPersistence(undefined)).toBe('unavailable');
    expect(await requestPersistence({ persisted: async () => true, persist: async () => false })).toBe('granted');
    expect(await requestPersistence({ persisted: async () => false, persist: async () => true })).toBe('granted');
    expect(await requestPersistence({ persisted: async () => false, persist: async () => false })).toBe('denied');
    expect(await requestPersistence({ persist: async () => Promise.reject(new Error('x')) })).toBe('unavailable');
  });
});
