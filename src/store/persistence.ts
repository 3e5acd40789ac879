/**
 * Keeps the last session in IndexedDB (idb-keyval) plus a synchronous journal in localStorage
 * (journal.ts), so a reload restores it exactly, even right after a step. Failures (quota, private
 * mode, no IndexedDB) degrade to an in-memory session with a notice; the journal still keeps what it can.
 */
import { delMany, getMany, setMany } from 'idb-keyval';
import { parseSession, type ParseResult, type SessionFile } from './sessionSchema.ts';
import { Journal, replayJournal, type KeyValueStorage } from './journal.ts';

const KEY = 'token-by-token:session:v1';
/** The number of the last journal entry the snapshot holds (written in the same transaction). */
const SEQ_KEY = 'token-by-token:session:journal-seq';
/** The tab whose journal chain the snapshot continues. */
const TAB_KEY = 'token-by-token:session:journal-tab';

let journal: Journal | null | undefined;

/** A storage failure as text: IndexedDB's QuotaExceededError has an empty message, so its name stands in. */
export function storageMessage(e: unknown): string {
  if (e instanceof Error || (typeof DOMException !== 'undefined' && e instanceof DOMException)) return e.message || e.name || 'storage error';
  return String(e) || 'storage error';
}

/** The app's journal in localStorage, or null when localStorage cannot be used. */
export function appJournal(): Journal | null {
  if (journal !== undefined) return journal;
  try {
    journal = typeof localStorage === 'undefined' ? null : new Journal(localStorage as KeyValueStorage);
  } catch {
    journal = null;
  }
  return journal;
}

/** What a load finds: the snapshot with the journal replayed, and a storage problem if IndexedDB failed. */
export interface SavedRead {
  result: ParseResult | null;
  /** IndexedDB could not be read (missing, blocked): the session came from the journal alone, if any. */
  storageError: string | null;
  /** Journal entries replayed on top of the snapshot. */
  replayed: number;
  /** True when every journal entry was replayed: new entries can continue the chain. */
  complete: boolean;
}

/** Reads the IndexedDB snapshot and replays the journal entries written after it. */
export async function readSavedSession(): Promise<SavedRead> {
  let raw: unknown = undefined;
  let seq = 0;
  let tab: string | null = null;
  let storageError: string | null = null;
  try {
    const [s, n, t] = await getMany([KEY, SEQ_KEY, TAB_KEY]);
    raw = s;
    seq = typeof n === 'number' ? n : 0;
    tab = typeof t === 'string' ? t : null;
  } catch (e) {
    storageError = storageMessage(e);
  }
  const j = appJournal();
  const entries = j ? j.entriesAfter(seq) : [];
  const { value, applied } = replayJournal(raw ?? null, entries, tab);
  const complete = applied === entries.length;
  if (value === null || value === undefined) return { result: null, storageError, replayed: 0, complete };
  return { result: parseSession(value), storageError, replayed: applied, complete };
}

/**
 * Writes the session snapshot with the number of the last journal entry it holds; the journal is
 * folded (entries up to it removed) once the write has committed.
 */
export async function writeSession(s: SessionFile, journalSeq: number): Promise<void> {
  await setMany([
    [KEY, s],
    [SEQ_KEY, journalSeq],
    [TAB_KEY, appJournal()?.tab ?? null],
  ]);
  appJournal()?.fold(journalSeq);
}

export async function clearSavedSession(): Promise<void> {
  appJournal()?.clear();
  await delMany([KEY, SEQ_KEY, TAB_KEY]);
}
