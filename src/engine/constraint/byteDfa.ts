/**
 * Regex → deterministic automaton over UTF-8 BYTES, the form the token mask needs (a token is a
 * byte string, and may end in the middle of a character).
 *
 * Library choice (issue #21 asks for libraries first):
 * - `refa` 0.12.1 (MIT, pure JavaScript, no WebAssembly, no network; ≈ 1.0 MB minified, 209 kB gzip,
 *   plus its parser `@eslint-community/regexpp` 18 kB gzip) parses JavaScript regex syntax with the
 *   `u` flag (classes, `\d \w \s`, `\p{…}`, counted repetition), builds the NFA, determinises and
 *   minimises. We add the part it lacks: the UTF-8 byte expansion (`utf8Ranges.ts`), then let refa
 *   determinise and minimise again over the byte alphabet 0..255, and flatten to a dense table.
 *   Chosen: it runs anywhere the engine runs (Node tests, a worker), is inspectable, and keeps the
 *   automaton ours, so the mask can be checked against a brute force and shown state by state.
 * - `@mlc-ai/web-xgrammar` 0.1.27 (Apache-2.0; XGrammar compiled to WebAssembly) computes token
 *   bitmasks for JSON schema / regex / EBNF and is fast, but: 1.1 MB of JavaScript with the wasm
 *   inlined (394 kB gzip); the published file is a UMD bundle inside a `"type": "module"` package
 *   that calls `require('url')` at import, so `import` fails in Node ESM (vitest) and exports nothing
 *   to an ES-module worker without a shim; and its JSON-schema support is its own (wider) subset, so
 *   the documented subset here would not be the one enforced. Not chosen.
 * Only a `^` at the very start and a `$` at the very end are accepted as anchors (the constraint
 * is always a full match); lookarounds, backreferences, inner anchors and word boundaries are
 * rejected (`constraint-unsupported`).
 */
import { CharSet, DFA, JS, NFA, TooManyNodesError } from 'refa';
import { ConstraintError } from './errors.ts';
import { utf8Sequences } from './utf8Ranges.ts';

/** A deterministic byte automaton with dead states removed. State 0 is the start state. */
export interface ByteDfa {
  stateCount: number;
  /** next[s · 256 + b]: the state after byte b in state s, or −1 when no word of the language continues that way. */
  next: Int32Array;
  /** accepting[s] = 1 when the bytes read so far form a complete word. */
  accepting: Uint8Array;
}

/** Largest automaton (states of any intermediate NFA/DFA) compiled before `constraint-too-large`. */
export const MAX_STATES = 20_000;

/** Strips one leading `^` and one trailing unescaped `$` (a full match is implied anyway). */
function stripOuterAnchors(source: string): string {
  let s = source;
  if (s.startsWith('^')) s = s.slice(1);
  if (s.endsWith('$')) {
    let backslashes = 0;
    for (let i = s.length - 2; i >= 0 && s[i] === '\\'; i--) backslashes++;
    if (backslashes % 2 === 0) s = s.slice(0, -1);
  }
  return s;
}

function wrap<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ConstraintError) throw e;
    if (e instanceof TooManyNodesError) throw new ConstraintError('constraint-too-large', `${what}: more than ${MAX_STATES} automaton states`);
    if (e instanceof SyntaxError) throw new ConstraintError('constraint-syntax', `${what}: ${e.message}`);
    throw new ConstraintError('constraint-unsupported', `${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Compiles a JavaScript regex source (`u` flag semantics, full match) to a byte DFA.
 * @param source the pattern without slashes, e.g. `(yes|no)` or `^[0-9]{3}$`
 * @throws ConstraintError `constraint-syntax` (does not parse), `constraint-unsupported` (assertions,
 *   backreferences), `constraint-too-large` (over MAX_STATES states), `constraint-empty` (matches nothing)
 */
export function compileRegex(source: string): ByteDfa {
  const body = stripOuterAnchors(source);
  const cpDfa = wrap('regex', () => {
    const { expression, maxCharacter } = JS.Parser.fromLiteral({ source: body, flags: 'u' }).parse({ backreferences: 'throw', assertions: 'throw' });
    const nfa = NFA.fromRegex(expression, { maxCharacter }, { assertions: 'throw' }, new NFA.LimitedNodeFactory(MAX_STATES));
    const dfa = DFA.fromFA(nfa, new DFA.LimitedNodeFactory(MAX_STATES));
    dfa.minimize();
    return dfa;
  });
  return wrap('regex', () => toByteDfa(cpDfa));
}

/** Expands a code-point DFA into a byte DFA: UTF-8 sequences through shared intermediate states, then determinise + minimise. */
function toByteDfa(cp: DFA): ByteDfa {
  // code-point states get ids 0..C−1 (start = 0); intermediate byte states are appended after them
  const ids = new Map<DFA.ReadonlyNode, number>([[cp.initial, 0]]);
  const order: DFA.ReadonlyNode[] = [cp.initial];
  for (let i = 0; i < order.length; i++) {
    for (const [, target] of order[i].out) {
      if (!ids.has(target)) {
        ids.set(target, order.length);
        order.push(target);
      }
    }
  }
  // byte NFA: node → (target → byte ranges)
  const out: Map<number, [number, number][]>[] = order.map(() => new Map());
  const link = (from: number, to: number, lo: number, hi: number) => {
    const list = out[from].get(to);
    if (list) list.push([lo, hi]);
    else out[from].set(to, [[lo, hi]]);
  };
  // the states reading the suffix seq[j..] into t are the same whatever the source: share them
  const suffixNode = new Map<string, number>();
  for (let i = 0; i < order.length; i++) {
    for (const [range, target] of order[i].out) {
      const t = ids.get(target) as number;
      for (const seq of utf8Sequences(range.min, range.max)) {
        let next = t;
        for (let j = seq.length - 1; j >= 1; j--) {
          const key = `${t}|${seq.slice(j).map((r) => r.join('-')).join(',')}`;
          let mid = suffixNode.get(key);
          if (mid === undefined) {
            if (out.length >= MAX_STATES * 4) throw new TooManyNodesError('byte NFA');
            mid = out.push(new Map()) - 1;
            link(mid, next, seq[j][0], seq[j][1]);
            suffixNode.set(key, mid);
          }
          next = mid;
        }
        link(i, next, seq[0][0], seq[0][1]);
      }
    }
  }
  const iter = {
    initial: 0,
    getOut: (n: number) => {
      const m = new Map<number, CharSet>();
      for (const [to, ranges] of out[n]) m.set(to, CharSet.empty(255).union(ranges.map(([min, max]) => ({ min, max }))));
      return m;
    },
    isFinal: (n: number) => n < order.length && cp.finals.has(order[n] as DFA.Node),
    stableOut: false,
  };
  const bytes = DFA.fromTransitionIterator(iter, { maxCharacter: 255 }, new DFA.LimitedNodeFactory(MAX_STATES));
  bytes.minimize();
  return flatten(bytes);
}

/** Dense transition table with the start state at 0 and states that cannot reach an accepting state removed. */
function flatten(dfa: DFA): ByteDfa {
  const ids = new Map<DFA.ReadonlyNode, number>([[dfa.initial, 0]]);
  const order: DFA.ReadonlyNode[] = [dfa.initial];
  for (let i = 0; i < order.length; i++) {
    for (const [, target] of order[i].out) {
      if (!ids.has(target)) {
        ids.set(target, order.length);
        order.push(target);
      }
    }
  }
  const n = order.length;
  const next = new Int32Array(n * 256).fill(-1);
  const accepting = new Uint8Array(n);
  const reverse: number[][] = Array.from({ length: n }, () => []);
  for (let s = 0; s < n; s++) {
    if (dfa.finals.has(order[s] as DFA.Node)) accepting[s] = 1;
    for (const [range, target] of order[s].out) {
      const t = ids.get(target) as number;
      for (let b = range.min; b <= range.max; b++) next[s * 256 + b] = t;
      reverse[t].push(s);
    }
  }
  // live = can reach an accepting state
  const live = new Uint8Array(n);
  const stack: number[] = [];
  const reach = (s: number) => {
    if (live[s]) return;
    live[s] = 1;
    stack.push(s);
  };
  for (let s = 0; s < n; s++) if (accepting[s]) reach(s);
  while (stack.length > 0) for (const s of reverse[stack.pop() as number]) reach(s);
  if (!live[0]) throw new ConstraintError('constraint-empty', 'the constraint matches no text');
  // renumber the live states (start stays 0)
  const map = new Int32Array(n).fill(-1);
  let m = 0;
  for (let s = 0; s < n; s++) if (live[s]) map[s] = m++;
  const next2 = new Int32Array(m * 256).fill(-1);
  const acc2 = new Uint8Array(m);
  for (let s = 0; s < n; s++) {
    if (!live[s]) continue;
    const s2 = map[s];
    acc2[s2] = accepting[s];
    for (let b = 0; b < 256; b++) {
      const t = next[s * 256 + b];
      if (t >= 0 && live[t]) next2[s2 * 256 + b] = map[t];
    }
  }
  return { stateCount: m, next: next2, accepting: acc2 };
}

/**
 * Runs the automaton over bytes from a state.
 * @returns the state after the bytes, or −1 when they leave the language's prefixes
 */
export function runBytes(dfa: ByteDfa, state: number, bytes: Uint8Array): number {
  let s = state;
  for (let i = 0; i < bytes.length && s >= 0; i++) s = dfa.next[s * 256 + bytes[i]];
  return s;
}

/** Regex source matching exactly the given strings (for the choice-list constraint). */
export function choiceRegex(choices: readonly string[]): string {
  if (choices.length === 0) throw new ConstraintError('constraint-empty', 'the choice list is empty');
  return choices.map(escapeRegex).join('|');
}

/** Escapes the syntax characters of a `u`-flag regex (the only identity escapes the `u` flag allows). */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
