/**
 * Mutation arbitraries for fuzzing readers of outside bytes: byte-level edits
 * of valid files (bit flips, overwrites with interesting values, truncation,
 * insertion, deletion), edits of JSON values at random paths, and token-level
 * edits of text. Each starts from a valid seed so the fuzzer gets past the
 * first checks and into the parser.
 */
import fc from 'fast-check';

/** One edit of a byte string; positions are taken modulo the length. */
export type ByteEdit =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'u32'; at: number; value: number; littleEndian: boolean }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number };

/** 32-bit values that break length and count fields. */
const INTERESTING_U32 = [0, 1, 2, 3, 4, 7, 8, 16, 255, 256, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** Arbitrary byte edits. */
export const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(0, 1, 0x7f, 0x80, 0xff), fc.integer({ min: 0, max: 255 })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(...INTERESTING_U32), fc.nat()), littleEndian: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 32 }) }) },
);

/** Applies edits to a copy of `seed`. */
export function editBytes(seed: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  let b = seed.slice();
  for (const e of edits) {
    const at = b.length === 0 ? 0 : e.at % b.length;
    switch (e.kind) {
      case 'flip':
        if (b.length) b[at]! ^= 1 << e.bit;
        break;
      case 'set':
        if (b.length) b[at] = e.value;
        break;
      case 'u32':
        if (b.length >= 4) new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(Math.min(at, b.length - 4), e.value >>> 0, e.littleEndian);
        break;
      case 'truncate':
        b = b.slice(0, at);
        break;
      case 'insert': {
        const out = new Uint8Array(b.length + e.bytes.length);
        out.set(b.subarray(0, at));
        out.set(e.bytes, at);
        out.set(b.subarray(at), at + e.bytes.length);
        b = out;
        break;
      }
      case 'delete': {
        const end = Math.min(b.length, at + e.length);
        const out = new Uint8Array(b.length - (end - at));
        out.set(b.subarray(0, at));
        out.set(b.subarray(end), at);
        b = out;
        break;
      }
    }
  }
  return b;
}

/** Mutated copies of the seeds (a few edits each), and now and then pure random bytes. */
export function mutatedBytes(seeds: readonly Uint8Array[], maxEdits = 4): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.tuple(fc.constantFrom(...seeds), fc.array(byteEdit, { minLength: 1, maxLength: maxEdits })).map(([s, e]) => editBytes(s, e)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }) },
  );
}

/** Values that break validators: wrong types, edge numbers, long and odd strings, nesting. */
export const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, true, false, 0, -0, -1, 1, 0.5, 1e308, -1e308, 2 ** 31, 2 ** 53, NaN, Infinity, -Infinity, '', '0', 'NaN', '__proto__', 'constructor', [], {}, [[]], { '': null }),
  fc.integer({ min: -1000, max: 100000 }),
  fc.double(),
  fc.string({ maxLength: 12 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** One edit of a JSON-like value at a path chosen by indices (taken modulo the keys found). */
export interface JsonEdit {
  path: number[];
  op: 'replace' | 'delete' | 'add' | 'wrap' | 'copy';
  value: unknown;
  key: string;
}

export const jsonEdit: fc.Arbitrary<JsonEdit> = fc.record({
  path: fc.array(fc.nat(), { maxLength: 6 }),
  op: fc.constantFrom('replace', 'replace', 'replace', 'delete', 'add', 'wrap', 'copy'),
  value: weirdValue,
  key: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('type', 'name', 'arch', '__proto__', 'constructor', 'length')),
});

/** Applies edits to a deep copy of `seed` (plain JSON data). */
export function editJson(seed: unknown, edits: readonly JsonEdit[]): unknown {
  let root: unknown = structuredClone(seed);
  for (const edit of edits) {
    // Walk to the container of the target.
    let parent: Record<string | number, unknown> | null = null;
    let key: string | number | null = null;
    let node: unknown = root;
    for (const i of edit.path) {
      if (node === null || typeof node !== 'object') break;
      const keys = Array.isArray(node) ? node.map((_, k) => k) : Object.keys(node);
      if (keys.length === 0) break;
      parent = node as Record<string | number, unknown>;
      key = keys[i % keys.length]!;
      node = parent[key];
    }
    // A copy: weirdValue's constants ([], {}, [[]]) are shared between cases, and an edit must not grow them.
    const value = structuredClone(edit.op === 'copy' ? node : edit.value);
    if (parent === null || key === null) {
      if (edit.op === 'replace') root = value;
      else if (edit.op === 'wrap') root = [root];
      continue;
    }
    switch (edit.op) {
      case 'replace':
        parent[key] = value;
        break;
      case 'delete':
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
        break;
      case 'add':
        if (Array.isArray(parent)) parent.push(value);
        else Object.defineProperty(parent, edit.key, { value, enumerable: true, writable: true, configurable: true });
        break;
      case 'wrap':
        parent[key] = [node];
        break;
      case 'copy':
        if (Array.isArray(parent)) parent.push(value);
        else parent[key] = { ...(typeof node === 'object' && node !== null ? (node as object) : {}), extra: value };
        break;
    }
  }
  return root;
}

/** Mutated copies of JSON seeds, and now and then anything at all. */
export function mutatedJson(seeds: readonly unknown[], maxEdits = 4): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.tuple(fc.constantFrom(...seeds), fc.array(jsonEdit, { minLength: 1, maxLength: maxEdits })).map(([s, e]) => editJson(s, e)) },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
  );
}

/** Token-level edits of source text (delete, duplicate, replace by a vocabulary word, insert random text). */
export function mutatedText(seeds: readonly string[], vocabulary: readonly string[], maxEdits = 4): fc.Arbitrary<string> {
  const tokenize = (s: string): string[] => s.match(/\s+|[A-Za-z_][\w]*|\d+(?:\.\d*)?(?:e[+-]?\d+)?|./g) ?? [];
  const edit = fc.record({
    at: fc.nat(),
    op: fc.constantFrom('delete', 'duplicate', 'replace', 'insert', 'insert-random', 'truncate'),
    word: fc.constantFrom(...vocabulary),
    random: fc.string({ maxLength: 6, unit: 'binary' }),
  });
  return fc.oneof(
    {
      weight: 12,
      arbitrary: fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: maxEdits })).map(([seed, edits]) => {
        let tokens = tokenize(seed);
        for (const e of edits) {
          const at = tokens.length ? e.at % tokens.length : 0;
          if (e.op === 'delete') tokens.splice(at, 1);
          else if (e.op === 'duplicate' && tokens.length) tokens.splice(at, 0, tokens[at]!);
          else if (e.op === 'replace') tokens[at] = e.word;
          else if (e.op === 'insert') tokens.splice(at, 0, e.word);
          else if (e.op === 'insert-random') tokens.splice(at, 0, e.random);
          else tokens = tokens.slice(0, at);
        }
        return tokens.join('');
      }),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 200, unit: 'binary' }) },
  );
}
