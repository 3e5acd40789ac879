/**
 * Which dialect a server speaks, from what it answers: `GET /props` (llama.cpp: `total_slots`,
 * `default_generation_settings`), `GET /api/version` (Ollama: `{version}`), `GET /v1/models`
 * (OpenAI-compatible, e.g. vLLM). Asked together; llama.cpp wins over the others because it also
 * answers `/v1/models` (and some Ollama-compatible paths).
 */
import { z } from 'zod';
import { ServerError, type ServerDialect } from './errors.ts';
import type { RequestOptions, ServerHttp } from './http.ts';
import { ollamaVersionSchema } from './ollama.ts';
import { openaiModelsSchema } from './openai.ts';

const llamaPropsMarker = z.object({
  default_generation_settings: z.object({}).passthrough(),
  total_slots: z.number().int().positive(),
});

/** The three answers (or the errors) detection looked at. */
export interface DetectionAnswers {
  props: unknown | ServerError;
  apiVersion: unknown | ServerError;
  models: unknown | ServerError;
}

export interface Detection {
  dialect: ServerDialect;
  /** The model ids the server lists (`/v1/models`), empty for Ollama (its names come from `/api/tags`). */
  modelIds: string[];
  /** Ollama's version string. */
  version: string | null;
}

/**
 * Decides the dialect from the three answers (pure; exported for the fixture tests).
 * @throws the most telling ServerError when no dialect answered: one a person can act on
 *   (unauthorized, cors, unreachable, mixed-content, local-network, timeout) before `unknown-dialect`
 */
export function decideDialect(a: DetectionAnswers): Detection {
  const models = openaiModelsSchema.safeParse(a.models);
  const modelIds = models.success ? models.data.data.map((m) => m.id) : [];
  if (llamaPropsMarker.safeParse(a.props).success) return { dialect: 'llama.cpp', modelIds, version: null };
  const version = ollamaVersionSchema.safeParse(a.apiVersion);
  if (version.success) return { dialect: 'ollama', modelIds: [], version: version.data.version };
  if (models.success) return { dialect: 'openai', modelIds, version: null };
  const errors = [a.props, a.apiVersion, a.models].filter((x): x is ServerError => x instanceof ServerError);
  const actionable = ['mixed-content', 'local-network', 'unauthorized', 'cors', 'unreachable', 'timeout', 'cancelled'] as const;
  for (const code of actionable) {
    const hit = errors.find((e) => e.code === code);
    if (hit) throw hit;
  }
  throw new ServerError('unknown-dialect', 'no llama.cpp (/props), Ollama (/api/version) or OpenAI-compatible (/v1/models) answer');
}

/** Asks the three detection endpoints (in parallel) and decides. */
export async function detectDialect(http: ServerHttp, options?: RequestOptions): Promise<Detection> {
  const ask = async (path: string): Promise<unknown> => {
    try {
      return (await http.json(path, undefined, z.unknown(), options)).value;
    } catch (err) {
      if (err instanceof ServerError) return err;
      throw err;
    }
  };
  const [props, apiVersion, models] = await Promise.all([ask('/props'), ask('/api/version'), ask('/v1/models')]);
  return decideDialect({ props, apiVersion, models });
}
