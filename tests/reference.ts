import { readFileSync } from 'node:fs';

/** The committed torch reference outputs of the embedded model (tools/model/reference.py). */
export interface Reference {
  model: string;
  vocab_size: number;
  eos_token_id: number;
  forward: { name: string; text: string; ids: number[]; last_logits: number[] }[];
  greedy: { text: string; ids: number[]; new_ids: number[]; steps: { top5_ids: number[]; top5_probs: number[] }[] }[];
  beam: {
    text: string;
    ids: number[];
    num_beams: number;
    length_penalty: number;
    early_stopping: boolean;
    max_new_tokens: number;
    hypotheses: { new_ids: number[]; sum_logprobs: number; score: number }[];
  }[];
  processors: {
    text: string;
    ids: number[];
    repetition_penalty: number;
    temperature: number;
    top_k: number;
    top_p: number;
    min_p: number;
    raw_logits: number[];
    probs: number[];
  };
}

export const MODEL_NAME = 'tiny-bilingual-gpt2';
export const reference: Reference = JSON.parse(
  readFileSync(new URL(`../tools/model/reference/${MODEL_NAME}.json`, import.meta.url), 'utf8'),
);
