/**
 * The versioned session format (browser storage now; share links and file export build on it).
 * Everything read back is untrusted: it is validated with zod, plus structural checks zod cannot
 * express (node ids, parents before children, token ids inside the vocabulary), before any of it is used.
 */
import { z } from 'zod';
import { MAX_TREE_NODES, type GenerationTree } from '../engine/tree.ts';
import type { SettingsSlice, StoredRecord } from './store.ts';
import type { DistributionRecord } from '../engine/distribution.ts';
import type { ChatMessage } from '../domain/types.ts';
import { validateBeamSettings, validateSamplingSettings } from '../engine/settings.ts';

/**
 * The current format. History (each older version is read through {@link migrateSession}):
 * - 1: tree, settings, prompt, conversation, records.
 * - 2: `classroom` (quiz answers and score, class votes, Monte-Carlo histogram and tree) and
 *   `chatAllowSpecial` (special-token strings in the user's chat text were matched as special tokens).
 */
export const SESSION_VERSION = 2;
/** A tree larger than this is refused: the most a tree can grow to (MAX_TREE_NODES, enforced in addChild). */
export const MAX_NODES = MAX_TREE_NODES;
const MAX_PROMPT_TOKENS = 100_000;

const u32 = z.number().int().min(0).max(0xffffffff);
const tokenId = z.number().int().min(0);
const probability = z.number().min(0).max(1);

const drawKey = z.object({ seed: u32, depth: u32, reroll: u32, stream: u32 });

const edge = z.object({
  tokenId,
  method: z.enum(['sampled', 'greedy', 'beam', 'manual', 'speculative']),
  settingsKey: z.string().max(4000),
  drawKey: drawKey.nullable(),
  u: z.number().min(0).lt(1).nullable(),
  prob: probability,
  finalProb: probability,
  logprob: z.number().max(0),
  rank: z.number().int().min(0),
});

const node = z.object({
  id: z.number().int().min(0),
  parent: z.number().int().min(0).nullable(),
  depth: z.number().int().min(0),
  edge: edge.nullable(),
  children: z.array(z.number().int().min(0)),
  rerolls: u32,
  stop: z.enum(['eos', 'max-length', 'user']).nullable(),
});

const processor = z.enum(['temperature', 'topK', 'topP', 'minP']);

const settings = z.object({
  strategy: z.enum(['greedy', 'sample', 'beam']),
  sampling: z.object({
    temperature: z.number().min(0).max(100),
    topK: z.number().int().min(0),
    topP: z.number().gt(0).max(1),
    minP: z.number().min(0).max(1),
    repetitionPenalty: z.number().gt(0).max(100),
    order: z.array(processor).length(4).refine((o) => new Set(o).size === 4, 'order must list temperature, topK, topP, minP once each'),
  }),
  orderName: z.enum(['hf', 'temperature-last']),
  beam: z.object({
    beamWidth: z.number().int().min(1).max(8),
    lengthPenalty: z.number().min(-100).max(100),
    earlyStopping: z.enum(['true', 'false', 'never']),
    repetitionPenalty: z.number().gt(0).max(100),
  }),
  seed: u32,
  maxNewTokens: z.number().int().min(1).max(1_000_000),
  topN: z.number().int().min(1).max(200),
  /** The constraint stage (issue #21); absent in files without one. */
  constraint: z.object({ kind: z.enum(['none', 'choice', 'regex', 'json']), text: z.string().max(100_000) }).optional(),
});

const stage = z.enum(['raw', 'repetitionPenalty', 'constraint', 'temperature', 'topK', 'topP', 'minP']);
const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** A recorded distribution (the columnar DistributionRecord as plain arrays). */
const record = z
  .object({
    key: z.string().max(4000),
    vocabSize: z.number().int().min(1),
    stages: z.array(stage).min(1).max(6),
    tokenIds: z.array(tokenId).min(1).max(1000),
    logits: z.array(finite),
    stageProbs: z.array(probability),
    kept: z.array(z.union([z.literal(0), z.literal(1)])),
    restMass: z.array(z.number().min(0).max(1.000001)),
    removedAt: z.array(z.number().int().min(-1).max(5)),
    cumBefore: z.array(z.number().min(0).max(1.000001)),
    entropyRawBits: z.number().min(0),
    entropyFinalBits: z.number().min(0),
    /** A top-N server's step (issue #16): the mass it did not report, and what it reported. */
    unreportedMass: z.number().min(0).max(1.000001).optional(),
    top: z.object({ reported: z.number().int().min(1), reportedMass: z.number().min(0).max(1.001), approximateStages: z.array(stage).max(6) }).optional(),
  })
  .refine((r) => {
    const n = r.tokenIds.length;
    const S = r.stages.length;
    return r.logits.length === n && r.cumBefore.length === n && r.stageProbs.length === S * n && r.kept.length === S * n && r.restMass.length === S && r.removedAt.length === n;
  }, 'record arrays have inconsistent lengths');

/** Most messages a conversation holds (the chat editor stops adding exchanges there). */
export const MAX_CHAT_MESSAGES = 64;
/** Longest message, in UTF-16 code units (the same limit as share links). */
export const MAX_CHAT_CONTENT = 20_000;

/** A conversation for a chat template (roles as in Hugging Face chat templates). */
export const chatMessages = z
  .array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(MAX_CHAT_CONTENT) }))
  .min(1)
  .max(MAX_CHAT_MESSAGES);

const seqKey = z.string().regex(/^\d+(,\d+)*$/).max(2_000_000);
const count = z.number().int().min(0).max(1_000_000_000);

/** Quiz, class votes and Monte-Carlo results (classroom tools), keyed by the token sequence of their step. */
const classroom = z.object({
  quizAnswers: z.record(seqKey, z.object({ pick: tokenId, top: tokenId, options: z.array(tokenId).max(50) })),
  quizScore: z.object({ right: count, total: count }).refine((q) => q.right <= q.total, 'more right answers than answers'),
  votes: z.record(seqKey, z.record(z.string().regex(/^\d+$/), count)),
  voteRevealed: z.record(seqKey, z.boolean()),
  mc: z
    .object({
      seqKey,
      settingsKey: z.string().max(4000),
      histogram: z.object({
        n: count,
        seed: u32,
        depth: count,
        tokenIds: z.array(tokenId).max(1000),
        counts: z.array(count).max(1000),
        probs: z.array(probability).max(1000),
        finalProbs: z.array(probability).max(1000),
        restCount: count,
        restProb: z.number().min(0).max(1.000001),
        restFinalProb: z.number().min(0).max(1.000001),
        chiSquared: z.object({ statistic: z.number().min(0), dof: count, pValue: probability, bins: count }),
        tvd: z.number().min(0).max(1),
      }),
    })
    .nullable(),
  mcTree: z
    .object({
      seqKey,
      settingsKey: z.string().max(4000),
      nodes: z
        .array(
          z.object({
            id: count,
            parent: z.number().int().min(-1),
            tokenId: z.number().int().min(-1),
            depth: count,
            visits: count,
            prob: probability,
            finalProb: probability,
            eos: z.boolean(),
            children: z.array(count),
          }),
        )
        .max(200_000),
    })
    .nullable(),
});

export type SessionClassroom = z.infer<typeof classroom>;

/** The last speculative run (issue #21): its rounds as the panel shows them; its kept tokens are the tree's 'speculative' edges. */
const specToken = z.object({
  tokenId,
  state: z.enum(['proposed', 'accepted', 'rejected', 'resampled', 'bonus']),
  p: probability,
  q: probability,
  position: z.number().int().min(0).max(64),
  acceptProbability: probability.optional(),
  u: z.number().min(0).lt(1).optional(),
});
const speculative = z.object({
  startNode: z.number().int().min(0),
  tokens: z.array(tokenId).max(MAX_NODES),
  rounds: z
    .array(
      z.object({
        depth: u32,
        drafter: z.enum(['prompt-lookup', 'draft-model']),
        mode: z.enum(['sample', 'greedy']),
        proposed: z.number().int().min(0).max(64),
        accepted: z.number().int().min(0).max(64),
        forwardCount: z.number().int().min(0).max(64),
        draftForwardCount: z.number().int().min(0).max(64),
        tokens: z.array(specToken).max(130),
        emitted: z.array(tokenId).max(65),
      }),
    )
    .max(MAX_NODES),
  targetForwards: count,
  draftForwards: count,
  ms: z.number().min(0),
});

export const sessionSchema = z.object({
  version: z.literal(SESSION_VERSION),
  savedAt: z.string().max(64),
  model: z.object({
    id: z.string().min(1).max(300),
    sourceKind: z.enum(['embedded', 'hub', 'folder', 'server']),
    vocabSize: z.number().int().min(1).max(10_000_000),
    fingerprint: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
    /**
     * A server engine (issue #16): its dialect, base URL (never a key) and model name, so a reload can
     * offer to reconnect; `pieces`: the bytes of the token ids the session uses when the server
     * reports no vocabulary up front (vLLM, Ollama), so its chips read right before and after reconnecting.
     */
    engine: z
      .object({
        dialect: z.enum(['llama.cpp', 'openai', 'ollama']),
        url: z.string().url().max(2000).refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL'),
        model: z.string().max(300),
        version: z.string().max(300).nullable().optional(),
        pieces: z.array(z.tuple([tokenId, z.array(z.number().int().min(0).max(255)).max(256)])).max(200_000).optional(),
      })
      .optional(),
  }),
  prompt: z.string().max(1_000_000),
  /** Chat mode: the conversation whose chat-template rendering gave promptIds (absent in plain-prompt sessions). */
  chat: chatMessages.nullable().optional(),
  settings,
  tree: z.object({
    promptIds: z.array(tokenId).max(MAX_PROMPT_TOKENS),
    nodes: z.array(node).min(1).max(MAX_NODES),
  }),
  cursor: z.number().int().min(0),
  /** Distributions seen, by node id: a session opens read-only from these when its model is not loaded. */
  records: z.record(z.string().regex(/^\d+$/), record).optional(),
  /** Classroom results (version 2). */
  classroom: classroom.optional(),
  /** Chat mode: special-token strings in the user's text were matched as special tokens (version 2). */
  chatAllowSpecial: z.boolean().optional(),
  /** The last speculative run's rounds (issue #21; absent when none). */
  speculative: speculative.optional(),
});

export type SessionFile = z.infer<typeof sessionSchema>;

export type ParseResult = { ok: true; session: SessionFile } | { ok: false; message: string };

/** Structural checks: ids in place, parents before children, children lists consistent, token ids < vocabSize. */
function structuralProblem(s: SessionFile): string | null {
  const { nodes, promptIds } = s.tree;
  const V = s.model.vocabSize;
  if (promptIds.length === 0) return 'the prompt has no tokens';
  try {
    validateSamplingSettings(s.settings.sampling);
    validateBeamSettings(s.settings.beam);
  } catch (e) {
    return `settings: ${e instanceof Error ? e.message : String(e)}`;
  }
  // the ranges the controls allow
  if (s.settings.sampling.temperature > 2) return `settings: temperature must be in [0, 2]: ${s.settings.sampling.temperature}`;
  if (s.settings.sampling.topK > V) return `settings: topK must be in [0, ${V}]: ${s.settings.sampling.topK}`;
  if (Math.abs(s.settings.beam.lengthPenalty) > 5) return `settings: lengthPenalty must be in [-5, 5]: ${s.settings.beam.lengthPenalty}`;
  for (const id of promptIds) if (id >= V) return `prompt token id ${id} is outside the vocabulary (${V})`;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (n.id !== i) return `node ${i} has id ${n.id}`;
    if (i === 0) {
      if (n.parent !== null || n.edge !== null || n.depth !== 0) return 'node 0 must be the root (no parent, no edge, depth 0)';
      continue;
    }
    if (n.parent === null || n.edge === null) return `node ${i} has no parent or no edge`;
    // a parent always has a smaller id, so the tree has no cycles
    if (n.parent >= i) return `node ${i} has parent ${n.parent}: a parent must come before its children (cycle?)`;
    if (n.depth !== nodes[n.parent].depth + 1) return `node ${i} has depth ${n.depth}, expected ${nodes[n.parent].depth + 1}`;
    if (!nodes[n.parent].children.includes(i)) return `node ${i} is missing from its parent's children`;
    if (n.edge.tokenId >= V) return `node ${i} has token id ${n.edge.tokenId}, outside the vocabulary (${V})`;
  }
  for (const n of nodes) {
    if (new Set(n.children).size !== n.children.length) return `node ${n.id} lists a child twice`;
    for (const c of n.children) if (c >= nodes.length || nodes[c].parent !== n.id) return `node ${n.id} lists child ${c} that is not its child`;
  }
  if (s.cursor >= nodes.length) return `cursor ${s.cursor} is not a node`;
  const sp = s.speculative;
  if (sp) {
    if (sp.startNode >= nodes.length) return `speculative run starts at node ${sp.startNode}, which is not in the tree`;
    if (sp.tokens.some((t) => t >= V) || sp.rounds.some((r) => r.emitted.some((t) => t >= V) || r.tokens.some((t) => t.tokenId >= V))) return `speculative run: a token id outside the vocabulary (${V})`;
  }
  const c = s.classroom;
  if (c) {
    const ids = [
      ...Object.values(c.quizAnswers).flatMap((a) => [a.pick, a.top, ...a.options]),
      ...Object.values(c.votes).flatMap((v) => Object.keys(v).map(Number)),
      ...(c.mc?.histogram.tokenIds ?? []),
    ];
    if (ids.some((t) => t >= V)) return `classroom: a token id outside the vocabulary (${V})`;
    const h = c.mc?.histogram;
    if (h && !(h.counts.length === h.tokenIds.length && h.probs.length === h.tokenIds.length && h.finalProbs.length === h.tokenIds.length)) return 'classroom: Monte-Carlo histogram arrays have inconsistent lengths';
  }
  for (const [id, r] of Object.entries(s.records ?? {})) {
    if (Number(id) >= nodes.length) return `record for node ${id}, which is not in the tree`;
    if (r.vocabSize !== V) return `record for node ${id} has vocabulary size ${r.vocabSize}, expected ${V}`;
    if (r.tokenIds.some((t) => t >= V)) return `record for node ${id} has a token id outside the vocabulary (${V})`;
  }
  return null;
}

/**
 * Validates an untrusted value as a session; nothing partial is returned.
 * @returns the session, or a message saying what is wrong
 */
export function parseSession(value: unknown): ParseResult {
  const migrated = migrateSession(value);
  if (!migrated.ok) return migrated;
  const r = sessionSchema.safeParse(migrated.value);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, message: `${issue.path.join('.') || 'session'}: ${issue.message}` };
  }
  const problem = structuralProblem(r.data);
  return problem ? { ok: false, message: problem } : { ok: true, session: r.data };
}

/**
 * The one chain of migrations: entry `v` takes a version-`v` session to version `v + 1`. Every
 * change to the format adds one entry and bumps SESSION_VERSION; a file of any older version is
 * taken through every later step, so each version is read by exactly one path.
 */
const MIGRATIONS: Record<number, (s: Record<string, unknown>) => Record<string, unknown>> = {
  // 1 → 2: classroom results and the chat special-token switch did not exist (none saved, switch off)
  1: (s) => ({ ...s, version: 2 }),
};

/**
 * Brings a session value of any known older version to SESSION_VERSION (untrusted input: only the
 * version field is looked at; the result is validated by the schema afterwards).
 * @returns the migrated value, or a message for a version this app never wrote
 */
export function migrateSession(value: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: true, value }; // the schema names the problem
  let s = value as Record<string, unknown>;
  const v = s.version;
  if (typeof v !== 'number' || !Number.isInteger(v) || v > SESSION_VERSION) return { ok: true, value };
  if (v < 1) return { ok: false, message: `version: session format ${v} is not one this app has ever written (1 to ${SESSION_VERSION})` };
  for (let at = v; at < SESSION_VERSION; at++) s = MIGRATIONS[at](s);
  return { ok: true, value: s };
}

/** Builds the session object for the current state. */
export function toSessionFile(args: {
  model: SessionFile['model'];
  prompt: string;
  chat?: ChatMessage[] | null;
  settings: SettingsSlice;
  tree: GenerationTree;
  cursor: number;
  records?: Record<number, StoredRecord>;
  classroom?: SessionClassroom | null;
  chatAllowSpecial?: boolean;
  speculative?: SessionFile['speculative'] | null;
}): SessionFile {
  const { strategy, sampling, orderName, beam, seed, maxNewTokens, topN, constraint } = args.settings;
  return {
    version: SESSION_VERSION,
    savedAt: new Date().toISOString(),
    model: args.model,
    prompt: args.prompt,
    ...(args.chat ? { chat: args.chat.map((m) => ({ ...m })) } : {}),
    settings: { strategy, sampling: { ...sampling, order: [...sampling.order] }, orderName, beam: { ...beam }, seed, maxNewTokens, topN, ...(constraint && constraint.kind !== 'none' ? { constraint: { ...constraint } } : {}) },
    tree: { promptIds: [...args.tree.promptIds], nodes: args.tree.nodes.map((n) => ({ ...n, children: [...n.children] })) },
    cursor: args.cursor,
    ...(args.classroom ? { classroom: args.classroom } : {}),
    ...(args.chatAllowSpecial ? { chatAllowSpecial: true } : {}),
    ...(args.speculative ? { speculative: structuredClone(args.speculative) } : {}),
    records: Object.fromEntries(
      Object.entries(args.records ?? {}).map(([id, { key, record: r }]) => [
        id,
        {
          key,
          vocabSize: r.vocabSize,
          stages: [...r.stages],
          tokenIds: Array.from(r.tokenIds),
          logits: Array.from(r.logits),
          stageProbs: Array.from(r.stageProbs),
          kept: Array.from(r.kept, (k) => (k ? 1 : 0) as 0 | 1),
          restMass: Array.from(r.restMass),
          removedAt: Array.from(r.removedAt),
          cumBefore: Array.from(r.cumBefore),
          entropyRawBits: r.entropyRawBits,
          entropyFinalBits: r.entropyFinalBits,
          ...(r.unreportedMass !== undefined ? { unreportedMass: r.unreportedMass } : {}),
          ...(r.top ? { top: { reported: r.top.reported, reportedMass: r.top.reportedMass, approximateStages: [...r.top.approximateStages] } } : {}),
        },
      ]),
    ),
  };
}

/** The recorded distributions of a validated session, as the store keeps them. */
export function recordsOf(s: SessionFile): Record<number, StoredRecord> {
  const out: Record<number, StoredRecord> = {};
  for (const [id, r] of Object.entries(s.records ?? {})) {
    const record: DistributionRecord = {
      vocabSize: r.vocabSize,
      stages: r.stages,
      tokenIds: Int32Array.from(r.tokenIds),
      logits: Float32Array.from(r.logits),
      stageProbs: Float64Array.from(r.stageProbs),
      kept: Uint8Array.from(r.kept),
      restMass: Float64Array.from(r.restMass),
      removedAt: Int8Array.from(r.removedAt),
      cumBefore: Float64Array.from(r.cumBefore),
      entropyRawBits: r.entropyRawBits,
      entropyFinalBits: r.entropyFinalBits,
      ...(r.unreportedMass !== undefined ? { unreportedMass: r.unreportedMass } : {}),
      ...(r.top ? { top: r.top } : {}),
    };
    out[Number(id)] = { key: r.key, record };
  }
  return out;
}
