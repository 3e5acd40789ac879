/**
 * JSON over HTTP to a model server, with validation of every answer and classified errors.
 * Runs in the worker (browser) and in Node tests alike: only `fetch`, `AbortSignal` and `URL`.
 */
import type { z } from 'zod';
import { ServerError, classifyHttpError, classifyNetworkFailure, mixedContentError, type NetworkFailureFacts } from './errors.ts';

/** Facts the environment can give about a failed fetch (see `classifyNetworkFailure`). */
export interface NetworkProbe {
  /** The page origin, or null outside a browser. */
  pageOrigin: string | null;
  /** The page protocol (`https:` triggers the mixed-content check), null outside a browser. */
  pageProtocol: string | null;
  /** Whether the server answers at the transport level although fetch failed (null: cannot tell). */
  serverAnswers(url: string): Promise<boolean | null>;
  /** The `local-network-access` permission state, null when unknown. */
  localNetworkPermission(): Promise<NetworkFailureFacts['localNetworkPermission']>;
}

/** A probe that knows nothing (Node): failures are classified as unreachable. */
export const NO_PROBE: NetworkProbe = {
  pageOrigin: null,
  pageProtocol: null,
  serverAnswers: async () => null,
  localNetworkPermission: async () => null,
};

export interface RequestOptions {
  /** Time limit in ms (default the client's). */
  timeoutMs?: number;
  /** Cancels the request (classified `cancelled`). */
  signal?: AbortSignal;
}

/** One server: base URL, optional API key (memory only), default time limit. */
export class ServerHttp {
  readonly base: URL;
  private readonly apiKey: string | null;
  private readonly timeoutMs: number;
  private readonly probe: NetworkProbe;

  constructor(base: URL, options: { apiKey?: string | null; timeoutMs?: number; probe?: NetworkProbe } = {}) {
    this.base = base;
    this.apiKey = options.apiKey ? options.apiKey : null;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.probe = options.probe ?? NO_PROBE;
  }

  /** Absolute URL of an endpoint path such as `/v1/models` (kept under the base path). */
  url(path: string): string {
    return `${this.base.origin}${this.base.pathname.replace(/\/+$/, '')}${path}`;
  }

  /**
   * GET (body undefined) or POST JSON; parses the answer with `schema`.
   * @returns the validated answer and the wall time in ms
   * @throws ServerError: mixed-content, unreachable, cors, local-network, timeout, cancelled (no
   *   status); unauthorized, context-full, not-found, server-error (HTTP status); bad-answer (not JSON
   *   or failed validation)
   */
  async json<S extends z.ZodType>(path: string, body: unknown, schema: S, options: RequestOptions = {}): Promise<{ value: z.infer<S>; ms: number }> {
    const { text, ms } = await this.text(path, body, options);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ServerError('bad-answer', `${path}: the answer is not JSON`, { detail: text.slice(0, 200) });
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new ServerError('bad-answer', `${path}: unexpected answer at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? ''}`);
    }
    return { value: result.data, ms };
  }

  /** The raw text of a successful answer (see `json` for errors). */
  async text(path: string, body: unknown, options: RequestOptions = {}): Promise<{ text: string; ms: number }> {
    const blocked = this.probe.pageProtocol ? mixedContentError(this.base, this.probe.pageProtocol) : null;
    if (blocked) throw blocked;
    const url = this.url(path);
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.apiKey) headers.Authorization = `Bearer ${this.apiKey}`;
    const t0 = performance.now();
    let res: Response;
    try {
      res = await fetch(url, {
        method: body === undefined ? 'GET' : 'POST',
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (err) {
      throw await this.networkFailure(url, err, timeout, options.signal);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw await this.networkFailure(url, err, timeout, options.signal);
    }
    const ms = performance.now() - t0;
    if (!res.ok) throw classifyHttpError(res.status, text);
    return { text, ms };
  }

  private async networkFailure(url: string, err: unknown, timeout: AbortSignal, user?: AbortSignal): Promise<ServerError> {
    if (err instanceof ServerError) return err;
    const cancelled = user?.aborted ?? false;
    const timedOut = !cancelled && timeout.aborted;
    const facts: NetworkFailureFacts = {
      pageOrigin: this.probe.pageOrigin,
      cancelled,
      timedOut,
      localNetworkPermission: cancelled || timedOut ? null : await this.probe.localNetworkPermission(),
      serverAnswers: cancelled || timedOut ? null : await this.probe.serverAnswers(url),
    };
    return classifyNetworkFailure(this.base, facts);
  }
}
