// hashFloat64 (sdk/util/hash.ts) against an independent BigInt FNV-1a 64
// over the documented byte stream. Its Node == Chromium agreement is checked
// in smoke.test.ts.
import { describe, expect, it } from 'vitest';
import { isQDistillError } from '../../sdk/errors.js';
import { hashFloat64 } from '../../sdk/index.js';

const MASK = (1n << 64n) - 1n;

function referenceFnv1a64(bytes: Iterable<number>): string {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & MASK;
  return h.toString(16).padStart(16, '0');
}

/** The documented stream: per array, u32 LE length, then each double's 8 LE bytes. */
function* documentedStream(arrays: number[][]): Generator<number> {
  const view = new DataView(new ArrayBuffer(8));
  for (const values of arrays) {
    view.setUint32(0, values.length, true);
    for (let i = 0; i < 4; i++) yield view.getUint8(i);
    for (const v of values) {
      view.setFloat64(0, v, true);
      for (let i = 0; i < 8; i++) yield view.getUint8(i);
    }
  }
}

describe('hashFloat64', () => {
  it('matches the FNV-1a 64-bit reference vectors on raw bytes', () => {
    expect(referenceFnv1a64([])).toBe('cbf29ce484222325');
    expect(referenceFnv1a64([0x61])).toBe('af63dc4c8601ec8c'); // "a"
    expect(hashFloat64()).toBe('cbf29ce484222325');
  });

  it('equals a BigInt FNV-1a over the length-prefixed little-endian bytes', () => {
    const cases: number[][][] = [
      [[]],
      [[0]],
      [[-0]],
      [[1, 2, 3]],
      [[Math.PI, -Infinity, Infinity, NaN, 5e-324, Number.MAX_VALUE]],
      [[1, 2], [3]],
      [[1], [2, 3]],
    ];
    let x = 12345;
    const random: number[] = [];
    for (let i = 0; i < 999; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      random.push((x / 2 ** 32 - 0.5) * 10 ** ((x % 40) - 20));
    }
    cases.push([random, random.slice(0, 7)]);
    for (const arrays of cases) {
      const expected = referenceFnv1a64(documentedStream(arrays));
      expect(hashFloat64(...arrays.map((a) => Float64Array.from(a)))).toBe(expected);
      expect(hashFloat64(...arrays)).toBe(expected);
    }
  });

  it('tells apart 0 and -0, NaN payloads, and different splits of the same values', () => {
    expect(hashFloat64([0])).not.toBe(hashFloat64([-0]));
    const nanA = new Float64Array(new BigUint64Array([0x7ff8000000000000n]).buffer);
    const nanB = new Float64Array(new BigUint64Array([0x7ff8000000000001n]).buffer);
    expect(hashFloat64(nanA)).not.toBe(hashFloat64(nanB));
    expect(hashFloat64([1, 2], [3])).not.toBe(hashFloat64([1], [2, 3]));
    expect(hashFloat64([1, 2, 3])).not.toBe(hashFloat64([1, 2], [3]));
  });

  it('hashes only the elements a subarray view covers', () => {
    const whole = Float64Array.from([9, 1, 2, 3, 9]);
    expect(hashFloat64(whole.subarray(1, 4))).toBe(hashFloat64([1, 2, 3]));
  });

  it('hashes a 16-qubit statevector (2 × 65536 doubles) in well under 100 ms', () => {
    const re = new Float64Array(1 << 16).map((_, i) => Math.sin(i));
    const im = new Float64Array(1 << 16).map((_, i) => Math.cos(i));
    hashFloat64(re, im);
    const started = performance.now();
    hashFloat64(re, im);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('rejects arguments that are not float64 data, with E_INVALID_ARGUMENT naming the argument', () => {
    const cases: Array<[unknown, RegExp]> = [
      [new Float32Array(2), /argument 1 must be a Float64Array or an array of numbers, got Float32Array/],
      [['1'], /argument 1 must be .*, got an array containing non-numbers/],
      [null, /argument 1 .*got null/],
    ];
    for (const [bad, message] of cases) {
      let caught: unknown;
      try {
        hashFloat64([1], bad as number[]);
      } catch (e) {
        caught = e;
      }
      expect(isQDistillError(caught) && caught.code).toBe('E_INVALID_ARGUMENT');
      expect((caught as Error).message).toMatch(message);
    }
  });

  it('rejects a view over a detached buffer (memory that grew) instead of hashing nothing', () => {
    const buffer = new ArrayBuffer(16);
    const view = new Float64Array(buffer);
    structuredClone(buffer, { transfer: [buffer] }); // detaches `buffer`
    expect(() => hashFloat64(view)).toThrow(/detached buffer .* take a fresh view/);
  });
});
