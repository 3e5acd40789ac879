import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Ajv from 'ajv';
import { compileRegex, runBytes } from './byteDfa.ts';
import { ConstraintError } from './errors.ts';
import { jsonSchemaToRegex } from './jsonSchema.ts';

const utf8 = new TextEncoder();
const accepts = (schema: object, text: string, maxWhitespace?: number) => {
  const dfa = compileRegex(jsonSchemaToRegex(schema, { maxWhitespace }));
  const s = runBytes(dfa, 0, utf8.encode(text));
  return s >= 0 && dfa.accepting[s] === 1;
};

describe('jsonSchemaToRegex(schema)', () => {
  it('objects: declared order, optional members may be absent, commas only between present ones', () => {
    const schema = { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'boolean' }, c: { type: 'null' } }, required: ['b'] };
    const ok = ['{"b":true}', '{"a":1,"b":false}', '{"b":true,"c":null}', '{"a":-2,"b":true,"c":null}', '{ "a" : 0 ,\n"b":true }'];
    const bad = ['{}', '{"a":1}', '{"b":true,"a":1}', '{"b":true,}', '{,"b":true}', '{"b":true "c":null}', '{"a":01,"b":true}'];
    for (const t of ok) expect(accepts(schema, t), t).toBe(true);
    for (const t of bad) expect(accepts(schema, t), t).toBe(false);
    expect(accepts({ type: 'object', properties: { a: { type: 'integer' } } }, '{ }')).toBe(true);
  });

  it('arrays: minItems / maxItems', () => {
    const schema = { type: 'array', items: { enum: ['x', 1] }, minItems: 1, maxItems: 2 };
    expect(['[]', '["x"]', '[1, "x"]', '[1,1,1]'].map((t) => accepts(schema, t))).toEqual([false, true, true, false]);
    expect(accepts({ type: 'array', items: { type: 'number' }, maxItems: 0 }, '[ ]')).toBe(true);
  });

  it('whitespace: leading and between tokens, bounded by maxWhitespace', () => {
    const schema = { type: 'array', items: { type: 'number' } };
    expect(accepts(schema, ' \n[1 ,\t2.5e-3 ]')).toBe(true);
    expect(accepts(schema, '[1,  2]', 1)).toBe(false);
    expect(accepts(schema, '[1, 2]', 1)).toBe(true);
    expect(accepts(schema, '[1, 2] ')).toBe(false);
  });

  it('numbers stay finite doubles', () => {
    const schema = { type: 'number' };
    expect(['0', '-0.5', '123456789012345', '1e99', '1.5E-7'].every((t) => accepts(schema, t))).toBe(true);
    expect(['1e100', '1234567890123456', '.5', '1.', '+1', '01'].some((t) => accepts(schema, t))).toBe(false);
  });

  it('strings: JSON escapes (no surrogate \\u escapes), lengths in code points', () => {
    const schema = { type: 'string', minLength: 1, maxLength: 2 };
    const ok = ['"a"', '"\\n"', '"\\u00e9x"', '"中😀"', '"\\""'];
    const bad = ['""', '"abc"', '"\\ud800"', '"\\x"', '"\n"', '"a'];
    for (const t of ok) expect(accepts(schema, t), t).toBe(true);
    for (const t of bad) expect(accepts(schema, t), t).toBe(false);
  });

  it.each(['^[a-c]{1,3}$', '[0-9]{2}', '^x', 'y$', '(a|b)c'])('pattern %s: accepted strings are exactly those ajv accepts that need no escape', (pattern) => {
    const schema = { type: 'string', pattern };
    const validate = new Ajv().compile(schema);
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'x', 'y', '0', '1', '"', '\\', 'é'), { maxLength: 6 }), (parts) => {
        const content = parts.join('');
        const needsEscape = /["\\]/.test(content);
        expect(accepts(schema, JSON.stringify(content))).toBe(!needsEscape && validate(content));
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    [{ $ref: '#/definitions/x' }, /\$ref/],
    [{}, /type/],
    [{ type: ['string', 'null'] }, /type/],
    [{ anyOf: [{ type: 'string' }] }, /anyOf/],
    [{ type: 'number', minimum: 0 }, /minimum/],
    [{ type: 'object', additionalProperties: true }, /additionalProperties/],
    [{ type: 'object', properties: { a: { type: 'string' } }, required: ['b'] }, /required/],
    [{ type: 'array' }, /items/],
    [{ type: 'string', pattern: '(?=a)a' }, /pattern/],
    [{ type: 'string', pattern: 'a|^b' }, /pattern/],
  ])('%j is outside the subset', (schema, message) => {
    expect(() => jsonSchemaToRegex(schema)).toThrow(ConstraintError);
    expect(() => jsonSchemaToRegex(schema)).toThrow(message);
  });

  it('nesting: depth 4 compiles, depth 5 does not', () => {
    const nest = (d: number): object => (d === 0 ? { type: 'integer' } : { type: 'array', items: nest(d - 1) });
    expect(accepts(nest(4), '[[[[1]]]]')).toBe(true);
    expect(() => jsonSchemaToRegex(nest(5))).toThrow(/deeper than 4/);
  });
});
