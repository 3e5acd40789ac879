/** The lesson list, in teaching order. Each lesson lives in its own file. */
import type { Lesson } from './types.ts';
import { nextToken } from './01-next-token.ts';
import { loop } from './02-loop.ts';
import { stopping } from './03-stopping.ts';
import { choosing } from './04-choosing.ts';
import { beam } from './05-beam.ts';
import { tokens } from './06-tokens.ts';
import { teacherForcing } from './07-teacher-forcing.ts';
import { exposureBias } from './08-exposure-bias.ts';
import { fasterSafer } from './09-faster-safer.ts';
import { attention } from './10-attention.ts';

export const LESSONS: readonly Lesson[] = [nextToken, loop, stopping, choosing, beam, tokens, teacherForcing, exposureBias, fasterSafer, attention];

/** The lesson with this id, or undefined. */
export function lessonById(id: string): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}
