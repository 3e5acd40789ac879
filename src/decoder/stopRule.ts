/**
 * The one stop rule: a sequence ends after EOS or after the end-of-turn token of an instruct model
 * (ChatML `<|im_end|>`, Llama 3 `<|eot_id|>`, …), as Hugging Face `generate()` ends at any id of a
 * list-valued `eos_token_id`. Every lane uses it: a step (its answer says whether the chosen token
 * ends the sequence), Run to end, beam search (both finish a hypothesis), the Monte-Carlo
 * continuation tree and compare mode's pane B.
 */

/** The special-token ids the rule reads (fields of ModelInfo). */
export interface StopTokens {
  eosTokenId: number | null;
  endOfTurnTokenId: number | null;
}

/** The ids that end a sequence: EOS and the end-of-turn token, each when the model has it (no duplicates). */
export function stopTokenIds(t: StopTokens): number[] {
  const out: number[] = [];
  if (t.eosTokenId !== null) out.push(t.eosTokenId);
  if (t.endOfTurnTokenId !== null && t.endOfTurnTokenId !== t.eosTokenId) out.push(t.endOfTurnTokenId);
  return out;
}

/** True when `tokenId` ends the sequence (EOS or end-of-turn). */
export function isStopToken(t: StopTokens, tokenId: number): boolean {
  return tokenId === t.eosTokenId || (t.endOfTurnTokenId !== null && tokenId === t.endOfTurnTokenId);
}
