import { EngineError } from '../errors.ts';

/** Why a constraint cannot be compiled or continued; the UI maps each code to a translated message. */
export type ConstraintErrorCode =
  /** The regex or JSON text does not parse. */
  | 'constraint-syntax'
  /** A feature outside the documented subset (lookarounds, backreferences, `$ref`, nesting > 4, …). */
  | 'constraint-unsupported'
  /** The automaton would exceed the state limit. */
  | 'constraint-too-large'
  /** The language is empty: no text can satisfy the constraint. */
  | 'constraint-empty'
  /** No token of the vocabulary can continue the text (a byte the vocabulary cannot spell). */
  | 'constraint-dead-end';

/**
 * An error of the constraint stage: an EngineError `invalid-setting` (what the worker reports and
 * the UI translates), with the precise reason.
 */
export class ConstraintError extends EngineError {
  readonly reason: ConstraintErrorCode;
  constructor(reason: ConstraintErrorCode, message: string) {
    super('invalid-setting', message);
    this.name = 'ConstraintError';
    this.reason = reason;
  }
}
