/**
 * The constraint stage's settings and compiler: none / a list of choices / a regex / a JSON schema,
 * each compiled to one byte automaton (`byteDfa.ts`), then to a TokenMasker over a vocabulary.
 * The constraint applies to the generated text only (not the prompt): state 0 is the empty answer.
 */
import { ConstraintError } from './errors.ts';
import { choiceRegex, compileRegex, type ByteDfa } from './byteDfa.ts';
import { jsonSchemaToRegex, type JsonRegexOptions } from './jsonSchema.ts';
import { TokenMasker } from './tokenMask.ts';
import type { VocabTrie } from './vocabTrie.ts';

/** The constraint kinds (TESTING.md `constraint-kind`). */
export type ConstraintKind = 'none' | 'choice' | 'regex' | 'json';

/** A constraint as the user writes it (`constraint-input`: choices one per line, a regex, or a JSON schema). */
export interface ConstraintSpec {
  kind: ConstraintKind;
  text: string;
}

/**
 * The regex source a constraint compiles through, or null for `none`.
 * Choices: one per line, empty lines ignored, matched exactly (no trimming inside a line).
 * @throws ConstraintError `constraint-syntax` for a JSON schema that is not JSON, and as jsonSchemaToRegex
 */
export function constraintRegex(spec: ConstraintSpec, options: JsonRegexOptions = {}): string | null {
  switch (spec.kind) {
    case 'none':
      return null;
    case 'choice':
      return choiceRegex(spec.text.split(/\r?\n/).filter((line) => line.length > 0));
    case 'regex':
      return spec.text;
    case 'json': {
      let schema: unknown;
      try {
        schema = JSON.parse(spec.text);
      } catch (e) {
        throw new ConstraintError('constraint-syntax', `JSON schema is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
      }
      return jsonSchemaToRegex(schema, options);
    }
    default: {
      const _exhaustive: never = spec.kind;
      throw new RangeError(`unknown constraint kind: ${String(_exhaustive)}`);
    }
  }
}

/** Compiles a constraint to its byte automaton (null for `none`). @throws ConstraintError as constraintRegex / compileRegex */
export function compileConstraint(spec: ConstraintSpec, options: JsonRegexOptions = {}): ByteDfa | null {
  const source = constraintRegex(spec, options);
  return source === null ? null : compileRegex(source);
}

/**
 * A masker for a constraint over a vocabulary.
 * @param bytes bytes[id] = the token's bytes (null for special tokens); build the trie once per vocabulary with buildVocabTrie
 * @param stopIds EOS and end-of-turn ids (allowed exactly when the text is complete)
 */
export function constraintMasker(spec: ConstraintSpec, trie: VocabTrie, stopIds: readonly number[], options: JsonRegexOptions = {}): TokenMasker | null {
  const dfa = compileConstraint(spec, options);
  return dfa === null ? null : new TokenMasker(dfa, trie, stopIds);
}

