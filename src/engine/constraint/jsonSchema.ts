/**
 * JSON Schema (a documented subset) → a regex over the JSON text, so a schema constraint is a
 * regex constraint. Supported (anything else throws `constraint-unsupported`):
 * - `type`: "object" | "array" | "string" | "number" | "integer" | "boolean" | "null" (one type, no list);
 * - `enum` (any JSON values, emitted in their compact JSON form) and `const`, at any level;
 * - objects: `properties` (each a supported schema), `required`, `additionalProperties: false` (also
 *   when absent: only declared properties are emitted), properties in declaration order;
 * - arrays: `items` (one schema), `minItems`, `maxItems` (≤ 32);
 * - strings: `minLength` / `maxLength` (≤ 256, in code points) or `pattern` (ECMAScript, searched as
 *   JSON Schema says, i.e. unanchored unless `^`/`$` anchor it); strings without a pattern may use
 *   JSON escapes (except `\u` surrogates), strings with a pattern are emitted without escapes
 *   (`"`, `\` and control characters are excluded from them);
 * - numbers and integers in JSON syntax with at most 15 integer digits, 15 fraction digits and a
 *   2-digit exponent, so every value is a finite double (JSON's grammar alone allows `5e1119`, which
 *   parses to Infinity and fails "type": "number"); no `minimum`/`maximum`/`multipleOf`;
 * - whitespace wherever JSON allows it, optionally bounded (`maxWhitespace`), plus leading whitespace;
 * - annotations (`title`, `description`, `default`, `examples`, `$schema`) are ignored.
 * No `$ref`, `anyOf`/`oneOf`/`allOf`, recursion or `{}` (any value: not a regular language);
 * containers nest at most JSON_MAX_DEPTH = 4 deep.
 */
import { CharSet, JS, visitAst } from 'refa';
import { escapeRegex } from './byteDfa.ts';
import { ConstraintError } from './errors.ts';

/** Deepest nesting of objects and arrays the subset compiles. */
export const JSON_MAX_DEPTH = 4;

/** Options of the schema compiler. */
export interface JsonRegexOptions {
  /** Longest whitespace run between tokens (unbounded when absent, as JSON allows). */
  maxWhitespace?: number;
}

const ANNOTATIONS = new Set(['title', 'description', 'default', 'examples', '$schema']);
const KEYWORDS = new Set(['type', 'enum', 'const', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems', 'pattern', 'minLength', 'maxLength']);
const INTEGER = String.raw`-?(?:0|[1-9][0-9]{0,14})`;
const NUMBER = String.raw`-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?(?:[eE][+\-]?[0-9]{1,2})?`;
/** One code point inside a JSON string: an unescaped character or an escape (no surrogate `\u` escapes). */
const STRING_CHAR = String.raw`(?:[^"\\\u0000-\u001f]|\\(?:["\\\/bfnrt]|u(?:[0-9a-cA-CeEfF][0-9a-fA-F]{3}|[dD][0-7][0-9a-fA-F]{2})))`;

const unsupported = (msg: string) => new ConstraintError('constraint-unsupported', `JSON schema: ${msg}`);

type Schema = Record<string, unknown>;

function checkKeys(schema: Schema, allowed: string[], where: string): void {
  for (const key of Object.keys(schema)) {
    if (ANNOTATIONS.has(key) || allowed.includes(key)) continue;
    throw unsupported(`keyword "${key}" is outside the supported subset (at ${where})`);
  }
}

function boundedInt(v: unknown, name: string, max: number, where: string): number | undefined {
  if (v === undefined) return undefined;
  if (!(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max)) throw unsupported(`${name} must be an integer in [0, ${max}] (at ${where}): ${String(v)}`);
  return v as number;
}

/**
 * Compiles a schema to a regex source (`u` flag, full match) over the JSON text.
 * @param schema the parsed schema object
 * @throws ConstraintError `constraint-unsupported` outside the subset
 */
export function jsonSchemaToRegex(schema: unknown, options: JsonRegexOptions = {}): string {
  const ws = options.maxWhitespace === undefined ? '[ \\t\\n\\r]*' : `[ \\t\\n\\r]{0,${boundedInt(options.maxWhitespace, 'maxWhitespace', 64, 'options')}}`;
  const value = (s: unknown, depth: number, where: string): string => {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) throw unsupported(`a schema must be an object (at ${where})`);
    const sc = s as Schema;
    if ('$ref' in sc) throw unsupported(`$ref is not supported (at ${where})`);
    for (const key of Object.keys(sc)) if (!KEYWORDS.has(key) && !ANNOTATIONS.has(key)) throw unsupported(`keyword "${key}" is outside the supported subset (at ${where})`);
    if ('enum' in sc || 'const' in sc) {
      checkKeys(sc, ['enum', 'const', 'type'], where);
      const values = 'const' in sc ? [sc.const] : sc.enum;
      if (!Array.isArray(values) || values.length === 0) throw unsupported(`enum must be a non-empty array (at ${where})`);
      return `(?:${values.map((v) => escapeRegex(JSON.stringify(v))).join('|')})`;
    }
    switch (sc.type) {
      case 'null':
        checkKeys(sc, ['type'], where);
        return 'null';
      case 'boolean':
        checkKeys(sc, ['type'], where);
        return '(?:true|false)';
      case 'integer':
        checkKeys(sc, ['type'], where);
        return INTEGER;
      case 'number':
        checkKeys(sc, ['type'], where);
        return NUMBER;
      case 'string':
        return stringRegex(sc, where);
      case 'array': {
        checkKeys(sc, ['type', 'items', 'minItems', 'maxItems'], where);
        if (depth >= JSON_MAX_DEPTH) throw unsupported(`nesting deeper than ${JSON_MAX_DEPTH} (at ${where})`);
        if (sc.items === undefined) throw unsupported(`an array needs "items" (at ${where})`);
        const item = value(sc.items, depth + 1, `${where}/items`);
        const min = boundedInt(sc.minItems, 'minItems', 32, where) ?? 0;
        const max = boundedInt(sc.maxItems, 'maxItems', 32, where);
        if (max !== undefined && max < min) throw new ConstraintError('constraint-empty', `JSON schema: maxItems < minItems (at ${where})`);
        if (max === 0) return `\\[${ws}\\]`;
        const more = `(?:${ws},${ws}${item}){${Math.max(0, min - 1)},${max === undefined ? '' : max - 1}}`;
        const list = `${item}${more}`;
        return `\\[${ws}${min === 0 ? `(?:${list})?` : list}${ws}\\]`;
      }
      case 'object': {
        checkKeys(sc, ['type', 'properties', 'required', 'additionalProperties'], where);
        if (depth >= JSON_MAX_DEPTH) throw unsupported(`nesting deeper than ${JSON_MAX_DEPTH} (at ${where})`);
        if (sc.additionalProperties !== undefined && sc.additionalProperties !== false) throw unsupported(`additionalProperties must be false or absent (at ${where})`);
        const props = (sc.properties ?? {}) as Schema;
        if (typeof props !== 'object' || props === null || Array.isArray(props)) throw unsupported(`properties must be an object (at ${where})`);
        const required = (sc.required ?? []) as unknown[];
        if (!Array.isArray(required) || required.some((r) => typeof r !== 'string' || !(r in props))) {
          throw unsupported(`required must list declared properties (at ${where})`);
        }
        const members = Object.keys(props).map((key) => ({
          re: `${escapeRegex(JSON.stringify(key))}${ws}:${ws}${value(props[key], depth + 1, `${where}/properties/${key}`)}`,
          required: required.includes(key),
        }));
        return `\\{${ws}${memberList(members, ws)}${ws}\\}`;
      }
      default:
        throw unsupported(`"type" must be one of object, array, string, number, integer, boolean, null (at ${where}): ${JSON.stringify(sc.type)}`);
    }
  };
  return `${ws}${value(schema, 0, '#')}`;
}

/** Members in declaration order, optional ones may be absent, commas only between present ones. */
function memberList(members: { re: string; required: boolean }[], ws: string): string {
  if (members.length === 0) return '';
  const rest = (from: number) => members.slice(from).map((m) => (m.required ? `${ws},${ws}${m.re}` : `(?:${ws},${ws}${m.re})?`)).join('');
  const firstRequired = members.findIndex((m) => m.required);
  const last = firstRequired === -1 ? members.length - 1 : firstRequired;
  const alternatives: string[] = [];
  for (let f = 0; f <= last; f++) alternatives.push(`${members[f].re}${rest(f + 1)}`);
  const list = `(?:${alternatives.join('|')})`;
  return firstRequired === -1 ? `${list}?` : list;
}

function stringRegex(sc: Schema, where: string): string {
  checkKeys(sc, ['type', 'pattern', 'minLength', 'maxLength'], where);
  const minLength = boundedInt(sc.minLength, 'minLength', 256, where);
  const maxLength = boundedInt(sc.maxLength, 'maxLength', 256, where);
  if (sc.pattern === undefined) {
    if (minLength === undefined && maxLength === undefined) return `"${STRING_CHAR}*"`;
    const lo = minLength ?? 0;
    if (maxLength !== undefined && maxLength < lo) throw new ConstraintError('constraint-empty', `JSON schema: maxLength < minLength (at ${where})`);
    return `"${STRING_CHAR}{${lo},${maxLength ?? ''}}"`;
  }
  if (typeof sc.pattern !== 'string') throw unsupported(`pattern must be a string (at ${where})`);
  if (minLength !== undefined || maxLength !== undefined) throw unsupported(`pattern together with minLength/maxLength (at ${where})`);
  return `"${patternContent(sc.pattern, where)}"`;
}

/** Whether `|` occurs outside groups and classes (then anchors cannot be stripped as a whole). */
function hasTopLevelAlternation(p: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

/**
 * The string contents a pattern allows, as a regex without escapes: characters `"`, `\` and
 * U+0000–U+001F are removed from every character class, which intersects the pattern's language
 * with the strings JSON writes without escapes.
 */
function patternContent(pattern: string, where: string): string {
  let body = pattern;
  let head = '[^]*';
  let tail = '[^]*';
  if (!hasTopLevelAlternation(pattern)) {
    if (body.startsWith('^')) {
      body = body.slice(1);
      head = '';
    }
    if (body.endsWith('$') && !body.endsWith('\\$')) {
      body = body.slice(0, -1);
      tail = '';
    }
  }
  try {
    const { expression } = JS.Parser.fromLiteral({ source: `${head}(?:${body})${tail}`, flags: 'u' }).parse({ backreferences: 'throw', assertions: 'throw' });
    const unsafe = CharSet.empty(0x10ffff).union([{ min: 0, max: 0x1f }, { min: 0x22, max: 0x22 }, { min: 0x5c, max: 0x5c }]);
    visitAst(expression, {
      onCharacterClassEnter(node) {
        node.characters = node.characters.without(unsafe);
      },
    });
    return `(?:${JS.toLiteral(expression, { flags: { unicode: true } }).source})`;
  } catch (e) {
    if (e instanceof SyntaxError) throw new ConstraintError('constraint-syntax', `JSON schema pattern (at ${where}): ${e.message}`);
    throw unsupported(`pattern (at ${where}): ${e instanceof Error ? e.message : String(e)}`);
  }
}
