/**
 * A small local HTTP server that answers as vLLM v0.11 or Ollama v0.12.11 would, with the answer
 * bodies written from their documentation (tests/fixtures/server/, README there). Neither engine can
 * run on this machine; this lets the app's real HTTP code, backend and decoder step through those
 * documented answers (Node tests and the Chromium e2e). It is not a model: every completion answers
 * the same documented body (or the one `mode` picks), whatever the prompt. CORS is open so a page can call it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/server/${name}`, import.meta.url), 'utf8');

/**
 * vLLM `/detokenize` of one id → its text: the `{prompt}` body shape is documented; these texts are
 * illustrative, matching the ids the documented completion and tokenize bodies use.
 */
export const VLLM_ID_TEXT: Record<number, string> = {
  100644: '今天', 104307: '天', 88051: '气', 35727: '真', 52801: '好', 101042: '不错', 99180: '的', 26288: '热',
  151644: '<|im_start|>', 151645: '<|im_end|>', 872: 'user', 198: '\n', 77091: 'assistant', 104719: '很', 9370: '的',
};

export interface DocumentedServer {
  url: string;
  /** Which completion body to answer with next (per dialect: see `start`). */
  mode: string;
  /** Every request: method, path and parsed JSON body. */
  requests: { method: string; path: string; body: unknown }[];
  /** Milliseconds each Ollama `/api/generate` answer waits (0 unless a test sets it: a slow engine). */
  generateDelayMs: number;
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

/**
 * Starts the server on a free loopback port.
 * - `vllm`: `/v1/models`, `/tokenize`, `/detokenize` (VLLM_ID_TEXT), `/v1/completions` (mode `ids`:
 *   the token-id step body; `empty`: the empty `top_logprobs` body; `text`: the text-keyed body; a
 *   `logprobs` above 20 is refused with the documented max-logprobs error); `/props` and `/api/version` 404.
 * - `ollama`: `/api/version`, `/api/tags`, `/api/generate` (mode `logprobs`: the step body, or `partial`); `/props` and `/v1/models` 404.
 */
export async function startDocumentedServer(dialect: 'vllm' | 'ollama', port = 0): Promise<DocumentedServer> {
  const state: DocumentedServer = { url: '', mode: dialect === 'vllm' ? 'ids' : 'logprobs', requests: [], generateDelayMs: 0, stop: async () => {} };
  const send = (res: import('node:http').ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*' });
    res.end(body);
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*', 'Access-Control-Allow-Methods': 'GET, POST' });
        res.end();
        return;
      }
      const path = (req.url ?? '/').split('?')[0];
      const body = await readBody(req);
      state.requests.push({ method: req.method ?? 'GET', path, body });
      const b = body as Record<string, unknown> | undefined;
      if (dialect === 'vllm') {
        if (path === '/v1/models') return send(res, 200, fixture('vllm-0.11-models.json'));
        if (path === '/tokenize') {
          if (b?.messages) return send(res, 200, fixture('vllm-0.11-tokenize-chat.json'));
          // a special token's text alone (the end-of-turn lookup at connect)
          if (b?.prompt === '<|im_end|>') return send(res, 200, JSON.stringify({ count: 1, max_model_len: 32768, tokens: [151645], token_strs: null }));
          return send(res, 200, fixture('vllm-0.11-tokenize.json'));
        }
        if (path === '/detokenize') {
          const ids = (b?.tokens as number[]) ?? [];
          return send(res, 200, JSON.stringify({ prompt: ids.map((id) => VLLM_ID_TEXT[id] ?? '').join('') }));
        }
        if (path === '/v1/completions') {
          if (typeof b?.logprobs === 'number' && b.logprobs > 20) return send(res, 400, fixture('vllm-0.11-error-max-logprobs.json'));
          if (typeof b?.prompt_logprobs === 'number') return send(res, 200, fixture('vllm-0.11-completions-prompt-logprobs-step.json'));
          const name = state.mode === 'empty' ? 'vllm-0.11-completions-empty-top-logprobs.json' : state.mode === 'text' ? 'vllm-0.11-completions-text-keyed.json' : 'vllm-0.11-completions-step.json';
          return send(res, 200, fixture(name));
        }
      } else {
        if (path === '/api/version') return send(res, 200, fixture('ollama-0.12.11-version.json'));
        if (path === '/api/tags') return send(res, 200, fixture('ollama-0.12.11-tags.json'));
        if (path === '/api/generate' && state.generateDelayMs > 0) await new Promise((r) => setTimeout(r, state.generateDelayMs));
        if (path === '/api/generate') return send(res, 200, fixture(state.mode === 'partial' ? 'ollama-0.12.11-generate-partial.json' : 'ollama-0.12.11-generate-step.json'));
      }
      send(res, 404, JSON.stringify({ error: 'not found' }));
    })().catch((e: unknown) => send(res, 500, JSON.stringify({ error: String(e) })));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
