/**
 * Keeps the last session in IndexedDB (idb-keyval) so a reload restores it exactly. Failures
 * (quota, private mode) degrade to an in-memory session with a notice.
 */
import { del, get, set } from 'idb-keyval';
import { parseSession, type ParseResult, type SessionFile } from './sessionSchema.ts';

const KEY = 'token-by-token:session:v1';

export async function readSavedSession(): Promise<ParseResult | null> {
  const raw = await get(KEY);
  if (raw === undefined) return null;
  return parseSession(raw);
}

export async function writeSession(s: SessionFile): Promise<void> {
  await set(KEY, s);
}

export async function clearSavedSession(): Promise<void> {
  await del(KEY);
}
