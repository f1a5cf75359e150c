/**
 * Building blocks for the JSON config schemas (zod): strict objects whose
 * unknown-field errors list the allowed fields, unions whose errors list the
 * allowed kinds, and one formatter that turns zod issues into `E_CONFIG`
 * errors naming the path, the bad value and what is allowed.
 *
 * zod was chosen over valibot and ajv because its schemas are TypeScript
 * values (types are inferred from them, no separate JSON Schema to keep in
 * sync), it validates unions and refinements with precise paths, it emits a
 * JSON Schema for editors (`z.toJSONSchema`), and it runs unchanged in Node and
 * browsers.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { QDistillError } from '../errors.js';

/** A strict object: an unknown field is an error that lists the allowed ones. */
export function strictObject<S extends z.ZodRawShape>(shape: S): z.ZodObject<S, z.core.$strict> {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (allowed: ${allowed})` : undefined),
  });
}

/** A union discriminated by `type` (or another key) whose error lists the allowed values. */
export function tagged<const K extends string, const T extends readonly [z.ZodObject, ...z.ZodObject[]]>(key: K, options: T): z.ZodDiscriminatedUnion<T, K> {
  const values = options.map((o) => JSON.stringify((o.shape as Record<string, z.ZodType>)[key] instanceof z.ZodLiteral ? ((o.shape as Record<string, z.ZodLiteral>)[key]!.value) : '?')).join(', ');
  return z.discriminatedUnion(key, options as never, {
    error: (issue) => (issue.code === 'invalid_union' ? `expected ${key} to be one of ${values}` : undefined),
  }) as never;
}

/** A positive integer. */
export const positiveInt = (): z.ZodInt => z.int().positive();
/** A non-negative integer. */
export const nonNegativeInt = (): z.ZodInt => z.int().nonnegative();
/** A finite positive number. */
export const positive = (): z.ZodNumber => z.number().positive();

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** `dataset.classes[2]` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(root)';
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/**
 * Parses `input` with `schema`; on failure throws ONE `E_CONFIG` error whose
 * message names every problem: `config student.layers: expected a positive integer, got 0`.
 *
 * @throws E_CONFIG listing path, problem and bad value of each issue (details.issues holds them all)
 */
export function parseConfig<T>(schema: z.ZodType<T>, input: unknown, what = 'config'): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const path = formatPath(issue.path);
    const got = issue.code === 'unrecognized_keys' ? '' : `, got ${describeValue(valueAt(input, issue.path))}`;
    return { path, message: `${what} ${path}: ${plain(issue)}${got}` };
  });
  throw new QDistillError('E_CONFIG', issues.map((i) => i.message).join('; '), { details: { issues } });
}

/** zod's messages in our words. */
function plain(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `missing (expected ${issue.expected})` : `expected ${issue.expected}`;
    case 'too_small':
      if (issue.origin === 'array') return `expected at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      return `expected ${issue.origin === 'int' || issue.origin === 'number' ? 'a number' : 'a value'} ${issue.inclusive ? '≥' : '>'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'array') return `expected at most ${issue.maximum} item${issue.maximum === 1 ? '' : 's'}`;
      return `expected a value ${issue.inclusive ? '≤' : '<'} ${issue.maximum}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}
