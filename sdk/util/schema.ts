/**
 * Building blocks for the JSON config schemas (zod): strict objects whose
 * unknown-field errors list the allowed fields, unions whose errors list the
 * allowed kinds, bounded numbers (no config may ask for a million layers and
 * take gigabytes before anything checks it: {@link LIMITS}), and one
 * formatter that turns zod issues into `E_CONFIG` errors naming the path, the
 * bad value and what is allowed. Every config kind (hybrid models, zoo
 * models, KD and dataset-distillation experiments) is one schema built from
 * these.
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

/**
 * Upper bounds of config sizes: far above any experiment of the papers, far
 * below what would exhaust memory or run for days before a first result.
 */
export const LIMITS = {
  /** Qubits of a trainable circuit (a batch of 2^20-amplitude states is already gigabytes). */
  qubits: 20,
  /** Layers / repeats of an ansatz or a quantum autoencoder (the papers use ≤ 32). */
  layers: 1000,
  /** Classes of a classifier. */
  classes: 1000,
  /** Features of an encoder, pixels of a resized image, components of a PCA. */
  features: 1 << 20,
  /** Side of an image (resize, crop, imageSize). */
  imageSide: 4096,
  /** Channels, kernel sizes and other small structural counts. */
  small: 1024,
  /** Width of a classical layer. */
  width: 65_536,
  /** Training epochs (teacher, student, outer distillation epochs). */
  epochs: 100_000,
  /** Optimiser steps, outer iterations. */
  steps: 10_000_000,
  /** Batch size. */
  batchSize: 65_536,
  /** Samples per class, samples of a split, distilled images. */
  samples: 1_000_000,
  /** Measurement shots. */
  shots: 100_000_000,
  /** Seeds per experiment. */
  seeds: 1000,
  /** A seed value (32 bits). */
  seed: 2 ** 32 - 1,
} as const;

/** An integer in [min, max]. */
export const int = (min: number, max: number): z.ZodInt => z.int().min(min).max(max);
/** A union whose error says what is allowed in words (`a finite number or { init, trainable }`). */
export function oneOf<const T extends readonly [z.ZodType, z.ZodType, ...z.ZodType[]]>(description: string, options: T): z.ZodUnion<T> {
  return z.union(options, { error: (issue) => (issue.code === 'invalid_union' ? `expected ${description}` : undefined) });
}

/** A positive integer (at most `max`). */
export const positiveInt = (max: number = Number.MAX_SAFE_INTEGER): z.ZodInt => z.int().positive().max(max);
/** A non-negative integer (at most `max`). */
export const nonNegativeInt = (max: number = Number.MAX_SAFE_INTEGER): z.ZodInt => z.int().nonnegative().max(max);
/** A seed: an integer in [0, 2^32 − 1]. */
export const seedValue = (): z.ZodInt => nonNegativeInt(LIMITS.seed);
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

/**
 * A union none of whose options matched reports only "expected A or B"; when
 * the value has the type of exactly one option (`{ init: "big" }` for
 * `number | { init, trainable }`), that option's own issues say more.
 */
function expandUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return [issue];
  const typeMismatch = (errors: z.core.$ZodIssue[]): boolean => errors.every((e) => e.code === 'invalid_type' && e.path.length === 0);
  const candidates = issue.errors.filter((errors) => !typeMismatch(errors));
  if (candidates.length !== 1) return [issue];
  return candidates[0]!.flatMap((e) => expandUnion({ ...e, path: [...issue.path, ...e.path] } as z.core.$ZodIssue));
}

/** `dataset.classes[2]` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(root)';
}

function describeValue(v: unknown): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
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
  const issues = result.error.issues.flatMap(expandUnion).map((issue) => {
    const path = formatPath(issue.path);
    const where = issue.path.length ? `${what} ${path}` : what;
    const value = valueAt(input, issue.path);
    if (issue.code === 'unrecognized_keys') return { path, message: `${where}: ${plain(issue)}` };
    if (value === undefined) return { path, message: `${where}: missing (${plain(issue)})` };
    return { path, message: `${where}: ${plain(issue)}, got ${describeValue(value)}` };
  });
  throw new QDistillError('E_CONFIG', issues.map((i) => i.message).join('; '), { details: { issues } });
}

const TYPE_NAMES: Record<string, string> = {
  boolean: 'true or false',
  number: 'a finite number',
  int: 'an integer',
  string: 'a string',
  object: 'an object',
  array: 'a list',
  tuple: 'a list',
  record: 'an object',
  null: 'null',
};

/** zod's messages in our words. */
function plain(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      // (zod does not report the input; parseConfig says "missing" when there is no value at the path)
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    }
    case 'too_small':
      if (issue.origin === 'array') return `expected at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      return `expected ${issue.origin === 'int' || issue.origin === 'number' ? 'a number' : 'a value'} ${issue.inclusive ? '≥' : '>'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'array') return `expected at most ${issue.maximum} item${issue.maximum === 1 ? '' : 's'}`;
      return `expected ${issue.origin === 'int' || issue.origin === 'number' ? 'a number' : 'a value'} ${issue.inclusive ? '≤' : '<'} ${issue.maximum}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}
