/**
 * Share links: the model id, prompt, settings, the current path and the other explored branches
 * (up to a size limit), in the URL fragment
 * (`#share=<base64url JSON>`), never sent to a server. Opening one replays the path with the same
 * choice rules (same backend → same tokens). The payload is untrusted: validated with zod.
 */
import { z } from 'zod';

export const SHARE_VERSION = 1;
const MAX_PATH = 512;
/** Most explored branches a link carries besides its current path. */
export const MAX_SHARE_BRANCHES = 32;
/**
 * Longest fragment a link may grow to by carrying branches (characters): browsers and chat apps
 * keep URLs of this size intact; the export keeps any tree.
 */
export const MAX_SHARE_CHARS = 6000;

const edge = z.object({
  /** token id */
  t: z.number().int().min(0),
  /** how it was chosen: greedy, sampled, manual, beam */
  m: z.enum(['g', 's', 'm', 'b']),
  /** settings key of the choice (sampled and greedy edges) */
  k: z.string().max(2000).optional(),
  /** re-roll count of the parent when the token was sampled */
  r: z.number().int().min(0).max(0xffffffff).optional(),
});

export const sharePayload = z.object({
  v: z.literal(SHARE_VERSION),
  model: z.string().min(1).max(300),
  prompt: z.string().max(20_000),
  /** Chat mode: the conversation the chat template turns into the prompt. */
  chat: z
    .array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(20_000) }))
    .min(1)
    .max(64)
    .optional(),
  /**
   * Chat mode: special-token strings typed in the conversation were matched as special tokens (the
   * switch "allow special tokens in my text"); absent: they are text. Without it the prompt ids differ.
   */
  special: z.literal(true).optional(),
  path: z.array(edge).max(MAX_PATH),
  /** Other explored branches, each a path from the prompt (replayed before `path`, which ends at the cursor). */
  branches: z.array(z.array(edge).max(MAX_PATH)).max(MAX_SHARE_BRANCHES).optional(),
});

export type SharePayload = z.infer<typeof sharePayload>;
export type ShareEdge = z.infer<typeof edge>;

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(s: string): Uint8Array {
  const b64 = s.replaceAll('-', '+').replaceAll('_', '/').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(b64)) throw new Error('not base64url');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** The fragment for a payload: `share=<base64url of the UTF-8 JSON>`. */
export function encodeShare(p: SharePayload): string {
  return `share=${toBase64Url(new TextEncoder().encode(JSON.stringify(p)))}`;
}

/**
 * Reads a share fragment (with or without the leading '#').
 * @returns the validated payload, or a message saying what is wrong; null when there is no share fragment
 */
export function decodeShare(hash: string): { ok: true; payload: SharePayload } | { ok: false; message: string } | null {
  const m = /^#?share=(.*)$/s.exec(hash);
  if (!m) return null;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(m[1])));
  } catch (e) {
    return { ok: false, message: `share link is not readable (${e instanceof Error ? e.message : String(e)})` };
  }
  const r = sharePayload.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, message: `share link: ${issue.path.join('.') || 'payload'}: ${issue.message}` };
  }
  return { ok: true, payload: r.data };
}

/** Settings encoded in a settings key (`strategy:{json}`, see engine/tree.ts settingsKey). */
export function settingsFromKey(key: string): { strategy: string; values: Record<string, unknown> } | null {
  const i = key.indexOf(':');
  if (i < 0) return null;
  try {
    const values = JSON.parse(key.slice(i + 1));
    return values && typeof values === 'object' ? { strategy: key.slice(0, i), values } : null;
  } catch {
    return null;
  }
}
