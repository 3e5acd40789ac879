/**
 * Errors a person can act on when talking to a model server, and how a failed request is classified.
 * Pure: the caller gathers the facts (page origin, the fetch failure, a reachability probe, the
 * local-network permission) and this module decides what to tell the person.
 */

/** Which API dialect a server speaks (detected from `/props`, `/v1/models`, `/api/version`). */
export type ServerDialect = 'llama.cpp' | 'openai' | 'ollama';

export type ServerErrorCode =
  /** The URL is not an http(s) URL. */
  | 'invalid-url'
  /** Nothing answers at that address (connection refused, DNS, host down). */
  | 'unreachable'
  /** The server answered but the browser refused to show the answer to this page (CORS). */
  | 'cors'
  /** An https page may not call an http server that is not loopback (mixed content). */
  | 'mixed-content'
  /** The browser's local-network-access permission for this site is refused. */
  | 'local-network'
  /** HTTP 401/403: missing or wrong API key. */
  | 'unauthorized'
  /** The prompt plus new tokens exceed the server's context. */
  | 'context-full'
  /** No answer within the time limit. */
  | 'timeout'
  /** The request was cancelled by the user. */
  | 'cancelled'
  /** The endpoint does not exist on this server (HTTP 404/405/501). */
  | 'not-found'
  /** The server answered something this app cannot use (failed validation). */
  | 'bad-answer'
  /** Any other HTTP error (5xx, 400 with a message). */
  | 'server-error'
  /** No known dialect answered. */
  | 'unknown-dialect';

/** A failure talking to a model server; `code` picks the translated message, `detail` is the server's own words (untrusted text). */
export class ServerError extends Error {
  readonly code: ServerErrorCode;
  readonly status: number | null;
  readonly detail: string;
  constructor(code: ServerErrorCode, message: string, options: { status?: number | null; detail?: string } = {}) {
    super(message);
    this.name = 'ServerError';
    this.code = code;
    this.status = options.status ?? null;
    this.detail = options.detail ?? '';
  }
}

/** The flag (or environment variable) that lets a browser page call each server, for the CORS message. */
export const CORS_FLAGS: Record<ServerDialect, string> = {
  'llama.cpp': '--cors-origins',
  openai: '--allowed-origins',
  ollama: 'OLLAMA_ORIGINS',
};

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True for loopback hosts (`localhost`, `*.localhost`, 127.0.0.0/8, ::1): browsers treat http to them as secure. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return LOOPBACK_HOSTS.has(h) || h.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** True for private-network IPv4 literals (10/8, 172.16/12, 192.168/16, 169.254/16) and `.local` names. */
export function isPrivateHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h.endsWith('.local')) return true;
  const m = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(h);
  if (!m) return false;
  const a = Number(m[1]);
  const b = Number(m[2]);
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
}

/**
 * Parses and normalises a server base URL (no trailing slash, no query, no credentials).
 * An address without a scheme ("127.0.0.1:8080") is taken as http.
 * @throws ServerError `invalid-url` for anything but http(s) with a host, or a URL carrying user:password
 */
export function parseServerUrl(raw: string): URL {
  let url: URL;
  // "127.0.0.1:8080" or "localhost:8080", as people type a server's address: http is meant
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw.trim()) ? raw.trim() : `http://${raw.trim()}`;
  try {
    url = new URL(text);
  } catch {
    throw new ServerError('invalid-url', `not a URL: ${raw}`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    throw new ServerError('invalid-url', `only http and https servers: ${raw}`);
  }
  if (url.username || url.password) throw new ServerError('invalid-url', 'put the API key in its own field, not in the URL');
  url.search = '';
  url.hash = '';
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

/**
 * The check before any request: an https page cannot call an http server unless it is loopback
 * (mixed content; browsers block it without a request). Returns null when the call may go ahead.
 */
export function mixedContentError(server: URL, pageProtocol: string): ServerError | null {
  if (pageProtocol === 'https:' && server.protocol === 'http:' && !isLoopbackHost(server.hostname)) {
    return new ServerError('mixed-content', `this https page cannot call http://${server.host} (mixed content)`);
  }
  return null;
}

/** Facts about a fetch that threw before any HTTP status (a TypeError in browsers and Node). */
export interface NetworkFailureFacts {
  /** The page's origin (`location.origin`) or null outside a browser. */
  pageOrigin: string | null;
  /** The browser's `local-network-access` permission state, null when unknown or not applicable. */
  localNetworkPermission: 'granted' | 'denied' | 'prompt' | null;
  /**
   * Whether the server is known to answer at the transport level: `true` when a probe reached it
   * (so the browser, not the network, refused the answer: CORS); `false` when the probe failed too;
   * null when no probe could tell (then the message names both causes).
   */
  serverAnswers: boolean | null;
  /** True when the fetch was aborted by its time limit. */
  timedOut: boolean;
  /** True when the user cancelled. */
  cancelled: boolean;
}

/**
 * Classifies a failure without an HTTP status. Order: cancelled, timeout, local-network permission,
 * then CORS (the server answers) or unreachable (it does not, or nobody can tell: the message then
 * names both, with the CORS flags).
 */
export function classifyNetworkFailure(server: URL, facts: NetworkFailureFacts): ServerError {
  if (facts.cancelled) return new ServerError('cancelled', 'cancelled');
  if (facts.timedOut) return new ServerError('timeout', `no answer from ${server.host} in time`);
  if (facts.localNetworkPermission === 'denied' && (isLoopbackHost(server.hostname) || isPrivateHost(server.hostname))) {
    return new ServerError('local-network', `the browser's local network access permission is refused for this site`);
  }
  if (facts.serverAnswers === true) {
    return new ServerError('cors', `${server.host} answered but does not allow ${facts.pageOrigin ?? 'this page'} (CORS)`);
  }
  return new ServerError(
    'unreachable',
    `cannot reach ${server.host}` + (facts.serverAnswers === null && facts.pageOrigin ? ' (or it refuses this page: CORS)' : ''),
    { detail: facts.serverAnswers === null ? 'unreachable-or-cors' : '' },
  );
}

/**
 * Classifies an HTTP error answer. `body` is the server's text (untrusted, kept as detail only).
 * Context-full is recognised from llama.cpp (`exceed_context_size_error`), vLLM/OpenAI
 * ("maximum context length") and Ollama ("context length", "exceeds") wordings.
 */
export function classifyHttpError(status: number, body: string): ServerError {
  const detail = body.slice(0, 500);
  if (status === 401 || status === 403) return new ServerError('unauthorized', `HTTP ${status}: API key missing or wrong`, { status, detail });
  if (/exceed_context_size|maximum context length|context length|context window|exceeds the available context/i.test(body)) {
    return new ServerError('context-full', `HTTP ${status}: the server's context is full`, { status, detail });
  }
  if (status === 404 || status === 405 || status === 501) return new ServerError('not-found', `HTTP ${status}`, { status, detail });
  if (status === 408 || status === 504) return new ServerError('timeout', `HTTP ${status}`, { status, detail });
  return new ServerError('server-error', `HTTP ${status}`, { status, detail });
}
