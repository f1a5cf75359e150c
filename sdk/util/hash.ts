import { QDistillError } from '../errors.js';

/**
 * Bit-exact fingerprints of float64 data, identical in every JavaScript
 * runtime (Node, browsers, workers). Used to check that a computation gives
 * the *same bits* in Node and in Chromium, e.g. a statevector after a seeded
 * circuit.
 *
 * Algorithm: **FNV-1a, 64-bit** (offset basis `0xcbf29ce484222325`, prime
 * `0x100000001b3`) over a byte stream. For each array, in order, the stream
 * holds its length as a 32-bit little-endian integer, then the IEEE-754 bits
 * of every element as 8 little-endian bytes (whatever the platform's
 * endianness). The length prefix makes `hashFloat64([a, b], [c])` differ
 * from `hashFloat64([a], [b, c])`. No rounding or canonicalisation happens:
 * `0` and `-0` hash differently, and so do NaNs with different payloads.
 *
 * The 64-bit multiply runs on four 16-bit limbs with plain number
 * arithmetic, so it is synchronous, needs no `crypto`, no BigInt, and hashes
 * about 1 MB in a few milliseconds.
 *
 * Not a cryptographic hash: it detects differences, it does not resist
 * forgery.
 *
 * @param arrays the data to fingerprint, in order (Float64Array or number arrays,
 *   which are read as float64)
 * @returns 16 lowercase hex digits
 * @throws `E_INVALID_ARGUMENT` if an argument is not a Float64Array or an array of
 *   numbers, or is a view over a detached buffer
 *
 * @example
 * ```ts
 * const { re, im } = simulator.state(circuit);
 * hashFloat64(re, im); // e.g. '9f0c4e6a1b2d3c4e', the same in Node and Chromium
 * ```
 */
export function hashFloat64(...arrays: ReadonlyArray<Float64Array | ReadonlyArray<number>>): string {
  // h = h3:h2:h1:h0, 16 bits each; start at the FNV-1a 64-bit offset basis.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;

  const mix = (byte: number): void => {
    h0 ^= byte;
    // h *= 0x100000001b3  ==  h * 0x1b3 + (h << 40)   (mod 2^64)
    const t0 = h0 * 0x1b3;
    let t1 = h1 * 0x1b3;
    let t2 = h2 * 0x1b3 + (h0 << 8);
    let t3 = h3 * 0x1b3 + (h1 << 8);
    t1 += t0 >>> 16;
    t2 += t1 >>> 16;
    t3 += t2 >>> 16;
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  };

  for (let a = 0; a < arrays.length; a++) {
    const input = arrays[a];
    let values: Float64Array;
    if (input instanceof Float64Array) values = input;
    else if (Array.isArray(input) && input.every((v) => typeof v === 'number')) values = Float64Array.from(input);
    else {
      throw new QDistillError(
        'E_INVALID_ARGUMENT',
        `hashFloat64: argument ${a} must be a Float64Array or an array of numbers, got ${describe(input)}`,
      );
    }
    const n = values.length;
    mix(n & 0xff);
    mix((n >>> 8) & 0xff);
    mix((n >>> 16) & 0xff);
    mix((n >>> 24) & 0xff);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    } catch (cause) {
      throw new QDistillError(
        'E_INVALID_ARGUMENT',
        `hashFloat64: argument ${a} is a view over a detached buffer (e.g. WebAssembly memory that grew after the view was made); take a fresh view`,
        { cause },
      );
    }
    if (LITTLE_ENDIAN) {
      for (let i = 0; i < bytes.length; i++) mix(bytes[i]!);
    } else {
      for (let i = 0; i < bytes.length; i += 8) for (let j = 7; j >= 0; j--) mix(bytes[i + j]!);
    }
  }
  return hex16(h3) + hex16(h2) + hex16(h1) + hex16(h0);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function hex16(limb: number): string {
  return limb.toString(16).padStart(4, '0');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (Array.isArray(value)) return 'an array containing non-numbers';
  return typeof value;
}
