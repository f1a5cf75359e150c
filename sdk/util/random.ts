import { QDistillError } from '../errors.js';

/**
 * Seeded pseudo-random numbers, identical in every JavaScript runtime.
 *
 * Generator: **xoshiro128\*\*** (Blackman & Vigna) on four 32-bit words,
 * seeded by running **splitmix32** on the seed. Only 32-bit integer ops
 * (`Math.imul`, shifts) are used, so a seed gives the same stream in Node and
 * in every browser. `uniform()` takes 53 bits from two outputs:
 * `((a >>> 5) · 2²⁶ + (b >>> 6)) / 2⁵³`, a double in [0, 1).
 *
 * @example
 * ```ts
 * const rng = new Random(42);
 * rng.uniform();   // same number on every run and runtime
 * rng.int(10);     // integer in [0, 10)
 * rng.normal();    // standard normal (Box–Muller)
 * ```
 */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;

  /** @param seed any integer (taken modulo 2³²) */
  constructor(seed: number) {
    if (!Number.isFinite(seed) || !Number.isInteger(seed)) {
      throw new QDistillError('E_INVALID_ARGUMENT', `Random: seed must be an integer, got ${seed}`);
    }
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform double in [low, high). */
  range(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) {
      throw new QDistillError('E_INVALID_ARGUMENT', `Random.int: n must be an integer in 1..2^32, got ${n}`);
    }
    const limit = Math.floor(0x100000000 / n) * n;
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % n;
    }
  }

  /**
   * Standard normal N(0, 1) by Marsaglia's polar method (pairs are cached).
   * It needs only a logarithm, which {@link portableLog} computes with
   * IEEE-754 +, −, ×, ÷ and √ alone: `Math.log`/`Math.sin` differ in their
   * last bits between JavaScript engines, and seeded numbers must not.
   */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      const factor = Math.sqrt((-2 * portableLog(s)) / s);
      this.spare = v * factor;
      return u * factor;
    }
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T, A extends { length: number; [i: number]: T }>(items: A): A {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  /** A permutation of 0..n−1. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }

  /** A new independent generator derived from this one (for sub-streams). */
  fork(): Random {
    return new Random(this.nextUint32() ^ Math.imul(this.nextUint32(), 0x9e3779b1));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const scratch = new DataView(new ArrayBuffer(8));

/**
 * Natural logarithm of a positive finite number, computed the same way in
 * every JavaScript engine (only correctly rounded IEEE operations): split
 * x = m·2^e with m in [√½, √2) through the float's bits, then
 * log m = 2·atanh(t), t = (m − 1)/(m + 1), |t| < 0.172, by its series.
 * Accurate to about one unit in the last place.
 */
export function portableLog(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) {
    throw new QDistillError('E_INVALID_ARGUMENT', `portableLog: expected a positive finite number, got ${x}`);
  }
  let e = 0;
  let m = x;
  if (m < 2.2250738585072014e-308) {
    m *= 18014398509481984; // 2^54: bring subnormals into the normal range
    e -= 54;
  }
  scratch.setFloat64(0, m);
  const hi = scratch.getUint32(0);
  e += ((hi >>> 20) & 0x7ff) - 1023;
  scratch.setUint32(0, (hi & 0x800fffff) | (1023 << 20));
  m = scratch.getFloat64(0); // in [1, 2)
  if (m > Math.SQRT2) {
    m /= 2;
    e += 1;
  }
  const t = (m - 1) / (m + 1);
  const t2 = t * t;
  // 2·(t + t³/3 + t⁵/5 + …), Horner form, enough terms for |t| < 0.172
  let series = 1 / 23;
  for (let k = 21; k >= 1; k -= 2) series = 1 / k + t2 * series;
  const logM = 2 * t * series;
  return e * LN2_HI + (logM + e * LN2_LO);
}
