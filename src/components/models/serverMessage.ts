import type { MessageKey } from '../../i18n/en.ts';

/** The codes of src/worker/server/errors.ts, each with a translated message (`server.error.<code>`). */
const SERVER_CODES = new Set([
  'invalid-url', 'unreachable', 'cors', 'mixed-content', 'local-network', 'unauthorized', 'context-full', 'timeout',
  'cancelled', 'not-found', 'bad-answer', 'server-error', 'unknown-dialect', 'unsupported-dialect',
]);

/** `<server code>: text` (an EngineError `server` message from src/worker/server) → code and text. */
export function splitServerMessage(message: string): { code: string; text: string } {
  const m = /^([a-z-]+): ([\s\S]*)$/.exec(message);
  return m && SERVER_CODES.has(m[1]) ? { code: m[1], text: m[2] } : { code: 'server-error', text: message };
}

/** The host:port of a URL, else the text itself. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * An EngineError `server` message in the user's language: its code's `server.error.<code>` text, with
 * the host (from `url`, else the first host:port the message names) and this page's origin.
 */
export function serverErrorText(t: (key: MessageKey, vars?: Record<string, unknown>) => string, message: string, url: string | null): string {
  const { code, text } = splitServerMessage(message);
  const host = url ? hostOf(url) : (/\b([\w.-]+:\d{2,5})\b/.exec(text)?.[1] ?? '');
  const origin = typeof location !== 'undefined' ? location.origin : '';
  return t(`server.error.${code}` as MessageKey, { host, origin, message: text });
}
