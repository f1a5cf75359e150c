/**
 * A small seeded pseudo-random generator whose output is bit-identical in every
 * JavaScript runtime (Node, Chromium, Firefox, Safari, workers).
 *
 * Algorithm: **xoshiro128\*\*** (Blackman & Vigna, 2018; 128-bit state,
 * period 2^128 − 1, 32-bit outputs), seeded by **splitmix64** as its authors
 * recommend. Everything is computed with 32-bit integer operations
 * (`Math.imul`, shifts, xor) and float operations that IEEE 754 defines
 * exactly (+, −, ×, ÷, `Math.sqrt`, multiplication by powers of two). The
 * normal variates use a logarithm implemented here with those operations only,
 * because `Math.log` may differ in the last bit between engines. No
 * `Math.random` anywhere.
 *
 * @example
 * ```ts
 * import { Random } from 'qdistill';
 * const rng = new Random(42);
 * rng.uniform();        // in [0, 1), 53 random bits
 * rng.normal();         // standard normal
 * rng.int(10);          // 0..9, unbiased
 * rng.shuffle([1, 2, 3]);
 * ```
 *
 * @module
 */
import { QDistillError } from '../errors.js';

/**
 * A seed: a safe integer, or a list of safe integers combined in order (e.g. `[seed, epoch]`).
 *
 * @example
 * ```ts
 * new Random([seed, epoch]); // a Seed can be a list
 * ```
 */
export type Seed = number | readonly number[];

const MASK64 = (1n << 64n) - 1n;
const TWO_POW_32 = 4294967296;
const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;
const SQRT1_2 = 0.7071067811865476;
const LN2 = 0.6931471805599453;

function toUint64(value: number, where: string): bigint {
  if (!Number.isSafeInteger(value)) {
    throw new QDistillError('E_INVALID_ARGUMENT', `${where}: a seed must be a safe integer, got ${value}`);
  }
  return BigInt.asUintN(64, BigInt(value));
}

/** splitmix64 step: advances `state` by the golden gamma and returns the mixed output. */
function splitmix64(state: bigint): [next: bigint, output: bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [next, z ^ (z >> 31n)];
}

/**
 * Combines a seed (or list of seeds) into one 64-bit key: the first number as
 * is, then for each further number `key = splitmix64(key) ^ number`.
 */
function seedKey(seed: Seed): bigint {
  const parts = typeof seed === 'number' ? [seed] : seed;
  if (parts.length === 0) throw new QDistillError('E_INVALID_ARGUMENT', 'Random: the seed list is empty; pass at least one integer');
  let key = toUint64(parts[0]!, 'Random seed[0]');
  for (let i = 1; i < parts.length; i++) key = splitmix64(key)[1] ^ toUint64(parts[i]!, `Random seed[${i}]`);
  return key;
}

/**
 * Natural logarithm of a positive finite double using only exactly-rounded
 * operations, so it is bit-identical everywhere: x = m·2^e with m in
 * [√½, √2), ln x = e·ln 2 + 2·atanh((m−1)/(m+1)) by its odd series.
 */
function deterministicLog(x: number): number {
  let m = x;
  let e = 0;
  while (m >= 2 * SQRT1_2) {
    m *= 0.5;
    e++;
  }
  while (m < SQRT1_2) {
    m *= 2;
    e--;
  }
  const t = (m - 1) / (m + 1);
  const t2 = t * t;
  // |t| <= 0.1716, t2 <= 0.0295: 12 terms reach 1e-19 relative.
  let sum = 0;
  for (let k = 23; k >= 1; k -= 2) sum = sum * t2 + 1 / k;
  return e * LN2 + 2 * t * sum;
}

/**
 * Seeded xoshiro128** generator. Same seed → same sequence in every runtime.
 *
 * @example
 * ```ts
 * const a = new Random(7), b = new Random(7);
 * a.uint32() === b.uint32(); // true
 * const perEpoch = new Random([7, 3]); // a stream for (seed 7, epoch 3)
 * ```
 */
export class Random {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /**
   * @param seed a safe integer or a list of safe integers (combined in order).
   * @throws QDistillError `E_INVALID_ARGUMENT` if a seed is not a safe integer.
   */
  constructor(seed: Seed = 0) {
    let state = seedKey(seed);
    const words: number[] = [];
    for (let i = 0; i < 2; i++) {
      const [next, out] = splitmix64(state);
      state = next;
      words.push(Number(out & 0xffffffffn), Number(out >> 32n));
    }
    if (!words.some((w) => w !== 0)) words[0] = 1; // the all-zero state is a fixed point of xoshiro
    this.setState(words);
  }

  /**
   * Restores a generator from {@link getState}.
   *
   * @example
   * ```ts
   * const saved = rng.getState();
   * const again = Random.fromState(saved);
   * ```
   * @throws QDistillError `E_INVALID_ARGUMENT` unless `state` is four uint32 values, not all zero.
   */
  static fromState(state: readonly number[]): Random {
    const rng = new Random(0);
    rng.setState(state);
    return rng;
  }

  /**
   * The 128-bit state as four uint32 (plain JSON; for checkpoints).
   *
   * @example
   * ```ts
   * JSON.stringify(new Random(1).getState()); // "[…four integers…]"
   * ```
   */
  getState(): number[] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /**
   * An independent copy with the same state.
   *
   * @example
   * ```ts
   * const copy = rng.clone(); copy.uint32() === rng.uint32(); // true
   * ```
   */
  clone(): Random {
    return Random.fromState(this.getState());
  }

  /**
   * Advances the state by 2^64 steps (xoshiro128**'s jump polynomial): calling
   * `jump()` k times on clones gives 2^64 non-overlapping streams.
   *
   * @example
   * ```ts
   * const streams = [0, 1, 2].map((k) => { const r = new Random(9); for (let i = 0; i < k; i++) r.jump(); return r; });
   * ```
   */
  jump(): this {
    const JUMP = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b];
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    for (const word of JUMP) {
      for (let b = 0; b < 32; b++) {
        if ((word >>> b) & 1) {
          t0 ^= this.s0;
          t1 ^= this.s1;
          t2 ^= this.s2;
          t3 ^= this.s3;
        }
        this.uint32();
      }
    }
    this.s0 = t0;
    this.s1 = t1;
    this.s2 = t2;
    this.s3 = t3;
    return this;
  }

  /**
   * Next 32 random bits as an unsigned integer in [0, 2^32).
   *
   * @example
   * ```ts
   * new Random(0).uint32(); // a fixed integer
   * ```
   */
  uint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Alias of {@link uint32}. */
  nextUint32(): number {
    return this.uint32();
  }

  /** Uniform double in [low, high); same as `uniform(low, high)`. */
  range(low: number, high: number): number {
    return this.uniform(low, high);
  }

  /**
   * A new, independent generator seeded from this one's next 64 bits (for
   * sub-streams such as a dropout layer's masks).
   *
   * @example
   * ```ts
   * const dropoutRng = rng.fork();
   * ```
   */
  fork(): Random {
    return new Random([this.uint32(), this.uint32()]);
  }

  /**
   * A uniform double. With no arguments in [0, 1) with 53 random bits
   * (`(a·2^26 + b) / 2^53` from two outputs); with bounds in [low, high).
   *
   * @example
   * ```ts
   * rng.uniform();       // [0, 1)
   * rng.uniform(-1, 1);  // [-1, 1)
   * ```
   * @throws QDistillError `E_INVALID_ARGUMENT` if a bound is not finite or high < low.
   */
  uniform(low = 0, high = 1): number {
    const a = this.uint32() >>> 5;
    const b = this.uint32() >>> 6;
    const u = (a * TWO_POW_26 + b) / TWO_POW_53;
    if (low === 0 && high === 1) return u;
    if (!Number.isFinite(low) || !Number.isFinite(high) || high < low) {
      throw new QDistillError('E_INVALID_ARGUMENT', `Random.uniform: expected finite bounds with low <= high, got [${low}, ${high})`);
    }
    const value = low + (high - low) * u;
    return value < high ? value : low; // guard against rounding up to `high`
  }

  /**
   * A normal variate (Marsaglia's polar method; the second variate of each
   * pair is discarded so the generator state is the only state).
   *
   * @example
   * ```ts
   * const w = rng.normal(0, 0.1);
   * ```
   * @throws QDistillError `E_INVALID_ARGUMENT` if mean/std are not finite or std < 0.
   */
  normal(mean = 0, std = 1): number {
    if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
      throw new QDistillError('E_INVALID_ARGUMENT', `Random.normal: expected a finite mean and std >= 0, got mean ${mean}, std ${std}`);
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      return mean + std * (u * Math.sqrt((-2 * deterministicLog(s)) / s));
    }
  }

  /**
   * An unbiased integer in [0, n) by rejection sampling (n up to 2^53).
   *
   * @example
   * ```ts
   * const die = rng.int(6) + 1;
   * ```
   * @throws QDistillError `E_INVALID_ARGUMENT` unless n is an integer in [1, 2^53].
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_53) {
      throw new QDistillError('E_INVALID_ARGUMENT', `Random.int: expected an integer n in [1, 2^53], got ${n}`);
    }
    if (n <= TWO_POW_32) {
      const limit = TWO_POW_32 - (TWO_POW_32 % n);
      for (;;) {
        const r = this.uint32();
        if (r < limit) return r % n;
      }
    }
    const limit = TWO_POW_53 - (TWO_POW_53 % n);
    for (;;) {
      const r = (this.uint32() >>> 5) * TWO_POW_26 + (this.uint32() >>> 6);
      if (r < limit) return r % n;
    }
  }

  /**
   * Shuffles `items` in place (Fisher–Yates, from the last index down) and returns it.
   *
   * @example
   * ```ts
   * rng.shuffle([0, 1, 2, 3]);
   * ```
   */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /**
   * A random permutation of 0..n−1 (the shuffle of the identity).
   *
   * @example
   * ```ts
   * rng.permutation(5); // e.g. Int32Array [3, 0, 4, 1, 2]
   * ```
   * @throws QDistillError `E_INVALID_ARGUMENT` unless n is a non-negative integer.
   */
  permutation(n: number): Int32Array {
    checkCount(n, 'Random.permutation: n');
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }

  /**
   * `k` distinct integers from 0..n−1, in selection order (a partial
   * Fisher–Yates from the front: position i swaps with i + int(n − i)).
   *
   * @example
   * ```ts
   * rng.sample(100, 5); // five distinct indices below 100
   * ```
   * @throws QDistillError `E_INVALID_ARGUMENT` unless 0 <= k <= n.
   */
  sample(n: number, k: number): Int32Array {
    checkCount(n, 'Random.sample: n');
    checkCount(k, 'Random.sample: k');
    if (k > n) throw new QDistillError('E_INVALID_ARGUMENT', `Random.sample: cannot draw k = ${k} distinct values from n = ${n}`);
    const pool = new Int32Array(n);
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const tmp = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = tmp;
    }
    return pool.slice(0, k);
  }

  /**
   * Sets the state in place from {@link getState} (objects sharing this
   * generator see the change, unlike {@link Random.fromState}).
   *
   * @example
   * ```ts
   * const saved = rng.getState(); rng.uint32(); rng.setState(saved); // rewound
   * ```
   * @throws QDistillError `E_INVALID_ARGUMENT` unless `state` is four uint32 values, not all zero.
   */
  setState(state: readonly number[]): void {
    if (!Array.isArray(state)) throw new QDistillError('E_INVALID_ARGUMENT', `Random.setState: expected four uint32 values, got ${typeof state}`);
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w >= TWO_POW_32)) {
      throw new QDistillError('E_INVALID_ARGUMENT', `Random.fromState: expected four uint32 values, got ${JSON.stringify(state)}`);
    }
    if (state.every((w) => w === 0)) throw new QDistillError('E_INVALID_ARGUMENT', 'Random.fromState: the all-zero state is invalid');
    this.s0 = state[0]! | 0;
    this.s1 = state[1]! | 0;
    this.s2 = state[2]! | 0;
    this.s3 = state[3]! | 0;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function checkCount(n: number, where: string): void {
  if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
    throw new QDistillError('E_INVALID_ARGUMENT', `${where}: expected a non-negative integer below 2^31, got ${n}`);
  }
}

/**
 * @internal exported for tests: the deterministic logarithm used by {@link Random.normal}.
 *
 * @example
 * ```ts
 * _deterministicLog(Math.E); // 1 (to the last bit on every engine)
 * ```
 */
export const _deterministicLog = deterministicLog;
