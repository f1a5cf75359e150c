/**
 * Portable elementary functions: `exp`, `log`, `log1p`, `expm1`, `tanh`,
 * `pow`, `sin` and `cos` computed with IEEE-754 double operations only (+, −, ×, ÷, which
 * are exactly rounded everywhere, and bit access to a double), so they give
 * the **same bits in every JavaScript engine**.
 *
 * Why: `Math.exp`, `Math.log`, `Math.pow`, … are not required to be
 * correctly rounded and do differ between engines: between Node 20 (V8 11.3)
 * and Chromium 156, 3–10 % of random arguments of `Math.exp`, `Math.log`
 * and `Math.pow` come out one bit apart (measured in the `portable-math`
 * browser test). Training that feeds them into losses, softmax, activations
 * or Adam's bias correction then drifts apart step by step.
 *
 * The algorithms are those of fdlibm 5.3 (Sun Microsystems' freely
 * distributable libm, which V8 itself followed up to at least 11.3): argument
 * reduction by a split ln 2, a Remez polynomial of the reduced argument and
 * a scaling by 2^k; errors below 1 ulp. With the same algorithm the results
 * are bit-identical to Node 20's `Math` functions (checked on 10⁵ arguments
 * each in `test/util/portable-math.test.ts`), so switching the SDK's losses
 * to these functions changed no Node number. One exception: `sin`/`cos` of
 * |x| > 2^19·π/2 ≈ 8.2·10⁵ reduce the argument exactly with big integers,
 * where fdlibm uses its own multi-precision routine; there about 1 argument
 * in 2,000 comes out 1 ulp apart from Node's `Math.sin`.
 *
 * Special values follow ECMAScript (`pow(1, NaN)` is NaN, `pow(x, ±0)` is 1).
 *
 * @packageDocumentation
 */

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** High 32 bits of a double as a signed int32 (sign, exponent, top 20 significand bits). */
function high(x: number): number {
  F64[0] = x;
  return U32[HI]! | 0;
}
/** Low 32 bits of a double as an unsigned int. */
function low(x: number): number {
  F64[0] = x;
  return U32[LO]!;
}
function fromWords(hi: number, lo: number): number {
  U32[HI] = hi >>> 0;
  U32[LO] = lo >>> 0;
  return F64[0]!;
}
function withHigh(x: number, hi: number): number {
  F64[0] = x;
  U32[HI] = hi >>> 0;
  return F64[0]!;
}
/** x with its low word cleared (the top 21 significand bits kept). */
function truncLow(x: number): number {
  F64[0] = x;
  U32[LO] = 0;
  return F64[0]!;
}

const HUGE = 1e300;
const TINY = 1e-300;
const TWO54 = 1.8014398509481984e16;
const TWOM54 = 5.551115123125783e-17;
const TWOM1000 = 9.332636185032189e-302;
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700e0;
const O_THRESHOLD = 7.09782712893383973096e2;
const U_THRESHOLD = -7.45133219101941108420e2;
// exp's Remez polynomial on [0, 0.347].
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.65339022054652515390e-6;
const P5 = 4.13813679705723846039e-8;
// log's Remez polynomial of s = f/(2+f).
const LG1 = 6.666666666666735130e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;

/** 2^k for an integer k in [−1022, 1023], exactly. */
function twoTo(k: number): number {
  return fromWords((0x3ff + k) << 20, 0);
}

/** x·2^n for an integer n, exactly unless the result is subnormal (then rounded once), like C's scalbn. */
function scalbn(x: number, n: number): number {
  let k = (high(x) >> 20) & 0x7ff;
  if (k === 0) {
    if (x === 0) return x;
    x *= TWO54;
    k = ((high(x) >> 20) & 0x7ff) - 54;
  }
  if (k === 0x7ff) return x + x;
  k += n;
  if (k > 0x7fe) return HUGE * (x < 0 ? -HUGE : HUGE);
  if (k > 0) return withHigh(x, (high(x) & 0x800fffff) | (k << 20));
  if (k <= -54) return TINY * (x < 0 ? -TINY : TINY);
  k += 54;
  return withHigh(x, (high(x) & 0x800fffff) | (k << 20)) * TWOM54;
}

let reducedHi = 0;
let reducedLo = 0;
/**
 * x = k·ln 2 + (hi − lo) for |x| > ln2/2 (hx: |x|'s high word): returns k and
 * leaves hi, lo in `reducedHi`, `reducedLo` (no allocation on the hot path).
 */
function reduceLn2(x: number, hx: number, negative: boolean): number {
  if (hx < 0x3ff0a2b2) {
    // |x| < 1.5·ln2: k = ±1
    reducedHi = negative ? x + LN2_HI : x - LN2_HI;
    reducedLo = negative ? -LN2_LO : LN2_LO;
    return negative ? -1 : 1;
  }
  const k = Math.trunc(INV_LN2 * x + (negative ? -0.5 : 0.5));
  reducedHi = x - k * LN2_HI;
  reducedLo = k * LN2_LO;
  return k;
}

/**
 * eˣ, bit-identical in every engine (fdlibm's algorithm, error < 1 ulp).
 *
 * @example
 * ```ts
 * exp(1); // 2.718281828459045
 * ```
 */
export function exp(x: number): number {
  if (x === 1) return Math.E; // as V8: the correctly rounded e (fdlibm's polynomial gives 1 ulp more)
  let hx = high(x);
  const negative = hx < 0;
  hx &= 0x7fffffff;
  if (hx >= 0x40862e42) {
    // |x| >= 709.78…: overflow, underflow, NaN, ±∞
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | low(x)) !== 0) return x + x;
      return negative ? 0 : x;
    }
    if (x > O_THRESHOLD) return Infinity;
    if (x < U_THRESHOLD) return 0;
  }
  let hi = 0;
  let lo = 0;
  let k = 0;
  if (hx > 0x3fd62e42) {
    // |x| > ln2/2: x = k·ln2 + r, |r| <= ln2/2
    k = reduceLn2(x, hx, negative);
    hi = reducedHi;
    lo = reducedLo;
    x = hi - lo;
  } else if (hx < 0x3e300000) {
    return 1 + x; // |x| < 2^-28
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - (lo - (x * c) / (2 - c) - hi);
  if (k >= -1021) {
    if (k === 1024) return y * 2 * twoTo(1023);
    return y * twoTo(k);
  }
  return y * twoTo(k + 1000) * TWOM1000;
}

/**
 * Natural logarithm, bit-identical in every engine (fdlibm's algorithm,
 * error < 1 ulp). log 0 = −∞, log of a negative number is NaN.
 *
 * @example
 * ```ts
 * log(Math.E); // 1
 * ```
 */
export function log(x: number): number {
  let hx = high(x);
  const lx = low(x);
  let k = 0;
  if (hx < 0x00100000) {
    // x < 2^-1022: zero, negative or subnormal
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= TWO54;
    hx = high(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  x = withHigh(x, hx | (i ^ 0x3ff00000)); // x or x/2 into [√2/2, √2)
  k += i >> 20;
  const f = x - 1;
  if ((0x000fffff & (2 + hx)) < 3) {
    // -2^-20 <= f < 2^-20
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + k * LN2_LO;
    const r = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - r : k * LN2_HI - (r - k * LN2_LO - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const r = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + r)) : k * LN2_HI - (hfsq - (s * (hfsq + r) + k * LN2_LO) - f);
  }
  return k === 0 ? f - s * (f - r) : k * LN2_HI - (s * (f - r) - k * LN2_LO - f);
}

/**
 * log(1 + x), accurate for small x, bit-identical in every engine (fdlibm).
 *
 * @example
 * ```ts
 * log1p(1e-20); // 1e-20
 * ```
 */
export function log1p(x: number): number {
  const hx = high(x);
  const ax = hx & 0x7fffffff;
  let k = 1;
  let f = 0;
  let hu = 0;
  let c = 0;
  if (hx < 0x3fda827a) {
    // 1 + x < √2
    if (ax >= 0x3ff00000) return x === -1 ? -Infinity : NaN; // x <= -1
    if (ax < 0x3e200000) {
      // |x| < 2^-29
      if (ax < 0x3c900000) return x;
      return x - x * x * 0.5;
    }
    if (hx > 0 || hx <= (0xbfd2bec4 | 0)) {
      // √2/2 <= 1 + x < √2
      k = 0;
      f = x;
      hu = 1;
    }
  }
  if (hx >= 0x7ff00000) return x + x;
  if (k !== 0) {
    let u: number;
    if (hx < 0x43400000) {
      u = 1 + x;
      hu = high(u);
      k = (hu >> 20) - 1023;
      c = k > 0 ? 1 - (u - x) : x - (u - 1); // the rounding error of 1 + x
      c /= u;
    } else {
      u = x;
      hu = high(u);
      k = (hu >> 20) - 1023;
      c = 0;
    }
    hu &= 0x000fffff;
    if (hu < 0x6a09e) {
      u = withHigh(u, hu | 0x3ff00000);
    } else {
      k += 1;
      u = withHigh(u, hu | 0x3fe00000);
      hu = (0x00100000 - hu) >> 2;
    }
    f = u - 1;
  }
  const hfsq = 0.5 * f * f;
  if (hu === 0) {
    // |f| < 2^-20
    if (f === 0) {
      if (k === 0) return 0;
      c += k * LN2_LO;
      return k * LN2_HI + c;
    }
    const r = hfsq * (1 - 0.66666666666666666 * f);
    return k === 0 ? f - r : k * LN2_HI - (r - (k * LN2_LO + c) - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const r = z * (LG1 + z * (LG2 + z * (LG3 + z * (LG4 + z * (LG5 + z * (LG6 + z * LG7))))));
  return k === 0 ? f - (hfsq - s * (hfsq + r)) : k * LN2_HI - (hfsq - (s * (hfsq + r) + (k * LN2_LO + c)) - f);
}

// expm1's polynomial.
const Q1 = -3.33333333333331316428e-2;
const Q2 = 1.58730158725481460165e-3;
const Q3 = -7.93650757867487942473e-5;
const Q4 = 4.00821782732936239552e-6;
const Q5 = -2.01099218183624371326e-7;

/**
 * eˣ − 1, accurate for small x, bit-identical in every engine (fdlibm).
 *
 * @example
 * ```ts
 * expm1(1e-20); // 1e-20
 * ```
 */
export function expm1(x: number): number {
  let hx = high(x);
  const negative = hx < 0;
  hx &= 0x7fffffff;
  if (hx >= 0x4043687a) {
    // |x| >= 56·ln2
    if (hx >= 0x40862e42) {
      if (hx >= 0x7ff00000) {
        if (((hx & 0xfffff) | low(x)) !== 0) return x + x;
        return negative ? -1 : x;
      }
      if (x > O_THRESHOLD) return Infinity;
    }
    if (negative) return -1; // x < -56·ln2
  }
  let k = 0;
  let c = 0;
  if (hx > 0x3fd62e42) {
    k = reduceLn2(x, hx, negative);
    const hi = reducedHi;
    const lo = reducedLo;
    x = hi - lo;
    c = hi - x - lo;
  } else if (hx < 0x3c900000) {
    return x; // |x| < 2^-54
  }
  const hfx = 0.5 * x;
  const hxs = x * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  let t = 3 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6 - x * t));
  if (k === 0) return x - (x * e - hxs);
  e = x * (e - c) - c;
  e -= hxs;
  if (k === -1) return 0.5 * (x - e) - 0.5;
  if (k === 1) return x < -0.25 ? -2 * (e - (x + 0.5)) : 1 + 2 * (x - e);
  if (k <= -2 || k > 56) {
    let y = 1 - (e - x);
    y = k === 1024 ? y * 2 * twoTo(1023) : y * twoTo(k);
    return y - 1;
  }
  let y: number;
  if (k < 20) {
    t = fromWords(0x3ff00000 - (0x200000 >> k), 0); // 1 − 2^-k
    y = t - (e - x);
  } else {
    t = fromWords((0x3ff - k) << 20, 0); // 2^-k
    y = x - (e + t);
    y += 1;
  }
  return y * twoTo(k);
}

/**
 * tanh x, bit-identical in every engine (fdlibm, via {@link expm1}).
 *
 * @example
 * ```ts
 * tanh(30); // 1
 * ```
 */
export function tanh(x: number): number {
  const jx = high(x);
  const ix = jx & 0x7fffffff;
  if (ix >= 0x7ff00000) return jx >= 0 ? 1 / x + 1 : 1 / x - 1; // ±∞ → ±1, NaN → NaN
  let z: number;
  if (ix < 0x40360000) {
    // |x| < 22
    if (ix < 0x3e300000) return x; // |x| < 2^-28
    if (ix >= 0x3ff00000) {
      const t = expm1(2 * Math.abs(x));
      z = 1 - 2 / (t + 2);
    } else {
      const t = expm1(-2 * Math.abs(x));
      z = -t / (t + 2);
    }
  } else {
    z = 1 - TINY;
  }
  return jx >= 0 ? z : -z;
}

// pow's constants.
const BP = [1, 1.5];
const DP_H = [0, 5.84962487220764160156e-1];
const DP_L = [0, 1.35003920212974897128e-8];
const TWO53 = 9007199254740992;
const L1 = 5.99999999999994648725e-1;
const L2 = 4.28571428578550184252e-1;
const L3 = 3.33333329818377432918e-1;
const L4 = 2.72728123808534006489e-1;
const L5 = 2.30660745775561754067e-1;
const L6 = 2.06975017800338417784e-1;
const LG2_ = 6.93147180559945286227e-1;
const LG2_H = 6.93147182464599609375e-1;
const LG2_L = -1.90465429995776804525e-9;
const OVT = 8.0085662595372944372e-17;
const CP = 9.61796693925975554329e-1;
const CP_H = 9.61796700954437255859e-1;
const CP_L = -7.02846165095275826516e-9;
const IVLN2 = 1.44269504088896338700e0;
const IVLN2_H = 1.44269502162933349609e0;
const IVLN2_L = 1.92596299112661746887e-8;

/**
 * xʸ, bit-identical in every engine (fdlibm's algorithm: log₂ x in extra
 * precision, times y, then 2^(y·log₂ x); error < 1 ulp). Special values as
 * `Math.pow` / `**`.
 *
 * @example
 * ```ts
 * pow(0.9, 10); // Adam's bias correction β₁ᵗ
 * ```
 */
export function pow(x: number, y: number): number {
  const hx = high(x);
  const lx = low(x);
  const hy = high(y);
  const ly = low(y);
  let ix = hx & 0x7fffffff;
  const iy = hy & 0x7fffffff;
  if ((iy | ly) === 0) return 1; // y = ±0
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  // yisint: 0 y is not an integer, 1 odd, 2 even (only needed for x < 0)
  let yisint = 0;
  if (hx < 0) {
    if (iy >= 0x43400000) yisint = 2;
    else if (iy >= 0x3ff00000) {
      const k = (iy >> 20) - 0x3ff;
      if (k > 20) {
        const j = ly >>> (52 - k);
        if (((j << (52 - k)) >>> 0) === ly) yisint = 2 - (j & 1);
      } else if (ly === 0) {
        const j = iy >> (20 - k);
        if (j << (20 - k) === iy) yisint = 2 - (j & 1);
      }
    }
  }
  if (ly === 0) {
    if (iy === 0x7ff00000) {
      // y = ±∞
      if (((ix - 0x3ff00000) | lx) === 0) return NaN; // (±1)^±∞
      if (ix >= 0x3ff00000) return hy >= 0 ? y : 0;
      return hy < 0 ? -y : 0;
    }
    if (iy === 0x3ff00000) return hy < 0 ? 1 / x : x; // y = ±1
    if (hy === 0x40000000) return x * x;
    if (hy === 0x3fe00000 && hx >= 0) return Math.sqrt(x); // exactly rounded everywhere
  }
  let ax = Math.abs(x);
  if (lx === 0 && (ix === 0x7ff00000 || ix === 0 || ix === 0x3ff00000)) {
    // x = ±0, ±∞, ±1
    let z = ax;
    if (hy < 0) z = 1 / z;
    if (hx < 0) {
      if (((ix - 0x3ff00000) | yisint) === 0) z = NaN; // (−1)^non-integer
      else if (yisint === 1) z = -z;
    }
    return z;
  }
  const xPositive = hx >= 0;
  if (!xPositive && yisint === 0) return NaN; // negative^non-integer
  const s = !xPositive && yisint === 1 ? -1 : 1;
  let t1: number;
  let t2: number;
  if (iy > 0x41e00000) {
    // |y| > 2^31
    if (iy > 0x43f00000) {
      if (ix <= 0x3fefffff) return hy < 0 ? Infinity : 0;
      if (ix >= 0x3ff00000) return hy > 0 ? Infinity : 0;
    }
    if (ix < 0x3fefffff) return hy < 0 ? s * Infinity : s * 0;
    if (ix > 0x3ff00000) return hy > 0 ? s * Infinity : s * 0;
    // |1 − x| <= 2^-20: log(x) by its series
    const t = ax - 1;
    const w = t * t * (0.5 - t * (0.3333333333333333333333 - t * 0.25));
    const u = IVLN2_H * t;
    const v = t * IVLN2_L - w * IVLN2;
    t1 = truncLow(u + v);
    t2 = v - (t1 - u);
  } else {
    let n = 0;
    if (ix < 0x00100000) {
      ax *= TWO53;
      n -= 53;
      ix = high(ax);
    }
    n += (ix >> 20) - 0x3ff;
    const j = ix & 0x000fffff;
    ix = j | 0x3ff00000;
    let k: number;
    if (j <= 0x3988e) k = 0; // |x| < √(3/2)
    else if (j < 0xbb67a) k = 1; // |x| < √3
    else {
      k = 0;
      n += 1;
      ix -= 0x00100000;
    }
    ax = withHigh(ax, ix);
    // log₂(ax) in extra precision: ss = (ax − bp)/(ax + bp) split into s_h + s_l
    const bp = BP[k]!;
    const u0 = ax - bp;
    const v0 = 1 / (ax + bp);
    const ss = u0 * v0;
    const sH = truncLow(ss);
    let tH = fromWords(((ix >> 1) | 0x20000000) + 0x00080000 + (k << 18), 0);
    let tL = ax - (tH - bp);
    const sL = v0 * (u0 - sH * tH - sH * tL);
    let s2 = ss * ss;
    let r = s2 * s2 * (L1 + s2 * (L2 + s2 * (L3 + s2 * (L4 + s2 * (L5 + s2 * L6)))));
    r += sL * (sH + ss);
    s2 = sH * sH;
    tH = truncLow(3 + s2 + r);
    tL = r - (tH - 3 - s2);
    const u = sH * tH;
    const v = sL * tH + tL * ss;
    const pH = truncLow(u + v);
    const pL = v - (pH - u);
    const zH = CP_H * pH;
    const zL = CP_L * pH + pL * CP + DP_L[k]!;
    const t = n;
    t1 = truncLow(zH + zL + DP_H[k]! + t);
    t2 = zL - (t1 - t - DP_H[k]! - zH);
  }
  // y·log₂x = pH + pL, split so that pH is exact
  const y1 = truncLow(y);
  const pL = (y - y1) * t1 + y * t2;
  let pH = y1 * t1;
  let z = pL + pH;
  let j = high(z);
  const i0 = low(z);
  if (j >= 0x40900000) {
    // z >= 1024
    if (((j - 0x40900000) | i0) !== 0) return s * Infinity;
    if (pL + OVT > z - pH) return s * Infinity;
  } else if ((j & 0x7fffffff) >= 0x4090cc00) {
    // z <= -1075
    if (((j - (0xc090cc00 | 0)) | i0) !== 0) return s * 0;
    if (pL <= z - pH) return s * 0;
  }
  // 2^(pH + pL)
  const i = j & 0x7fffffff;
  let k = (i >> 20) - 0x3ff;
  let n = 0;
  if (i > 0x3fe00000) {
    // |z| > 0.5: n = nearest integer of z
    n = j + (0x00100000 >> (k + 1));
    k = ((n & 0x7fffffff) >> 20) - 0x3ff;
    const t = fromWords(n & ~(0x000fffff >> k), 0);
    n = ((n & 0x000fffff) | 0x00100000) >> (20 - k);
    if (j < 0) n = -n;
    pH -= t;
  }
  const t = truncLow(pL + pH);
  const u = t * LG2_H;
  const v = (pL - (t - pH)) * LG2_ + t * LG2_L;
  z = u + v;
  const w = v - (z - u);
  const tt = z * z;
  const tt1 = z - tt * (P1 + tt * (P2 + tt * (P3 + tt * (P4 + tt * P5))));
  // V8's variant of fdlibm (its legacy::pow, what Node 20's Math.pow runs) divides by the whole
  // (t1 − 2) − (w + z·w); kept so that Node's numbers do not change.
  const r = (z * tt1) / (tt1 - 2 - (w + z * w));
  z = 1 - (r - z);
  j = high(z);
  j += n << 20;
  z = j >> 20 <= 0 ? scalbn(z, n) : withHigh(z, j);
  return s * z;
}

// ---------------------------------------------------------------------------
// sin and cos: fdlibm's kernels on [−π/4, π/4] after reduction by π/2.

const S1 = -1.66666666666666324348e-1;
const S2 = 8.33333333332248946124e-3;
const S3 = -1.98412698298579493134e-4;
const S4 = 2.75573137070700676789e-6;
const S5 = -2.50507602534068634195e-8;
const S6 = 1.58969099521155010221e-10;
const C1 = 4.16666666666666019037e-2;
const C2 = -1.38888888888741095749e-3;
const C3 = 2.48015872894767294178e-5;
const C4 = -2.75573143513906633035e-7;
const C5 = 2.08757232129817482790e-9;
const C6 = -1.13596475577881948265e-11;

/** sin(x + y) for |x + y| <= π/4, y the tail of x; `hasTail` false when y is 0. */
function kernelSin(x: number, y: number, hasTail: boolean): number {
  const ix = high(x) & 0x7fffffff;
  if (ix < 0x3e400000 && Math.trunc(x) === 0) return x; // |x| < 2^-27
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  if (!hasTail) return x + v * (S1 + z * r);
  return x - (z * (0.5 * y - v * r) - y - v * S1);
}

/** cos(x + y) for |x + y| <= π/4. */
function kernelCos(x: number, y: number): number {
  const ix = high(x) & 0x7fffffff;
  if (ix < 0x3e400000 && Math.trunc(x) === 0) return 1; // |x| < 2^-27
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (ix < 0x3fd33333) return 1 - (0.5 * z - (z * r - x * y)); // |x| < 0.3
  const qx = ix > 0x3fe90000 ? 0.28125 : fromWords(ix - 0x00200000, 0); // x/4
  const hz = 0.5 * z - qx;
  const a = 1 - qx;
  return a - (hz - (z * r - x * y));
}

const INV_PIO2 = 6.36619772367581382433e-1;
const PIO2_1 = 1.57079632673412561417e0;
const PIO2_1T = 6.07710050650619224932e-11;
const PIO2_2 = 6.07710050630396597660e-11;
const PIO2_2T = 2.02226624879595063154e-21;
const PIO2_3 = 2.02226624871116645580e-21;
const PIO2_3T = 8.47842766036889956997e-32;
/** High words of n·π/2, n = 1..32: near these the first reduction step cancels. */
const NPIO2_HW = Array.from({ length: 32 }, (_, i) => high(((i + 1) * Math.PI) / 2));

/** x = n·π/2 + (y0 + y1), |y0 + y1| <= π/4: returns [n, y0, y1] (fdlibm's rem_pio2 up to 2^19·π/2, exact big-integer reduction beyond). */
function remPio2(x: number): [number, number, number] {
  const hx = high(x);
  const ix = hx & 0x7fffffff;
  if (ix < 0x4002d97c) {
    // |x| < 3π/4
    const s = hx > 0 ? 1 : -1;
    let z = x - s * PIO2_1;
    if (ix !== 0x3ff921fb) {
      const y0 = z - s * PIO2_1T;
      return [s, y0, z - y0 - s * PIO2_1T];
    }
    z -= s * PIO2_2; // x is near π/2: 33 more bits of π/2
    const y0 = z - s * PIO2_2T;
    return [s, y0, z - y0 - s * PIO2_2T];
  }
  if (ix <= 0x413921fb) {
    // |x| <= 2^19·π/2: Cody–Waite with π/2 in three 33-bit pieces
    const t = Math.abs(x);
    const n = Math.trunc(t * INV_PIO2 + 0.5);
    const fn = n;
    let r = t - fn * PIO2_1;
    let w = fn * PIO2_1T;
    let y0 = r - w;
    if (!(n < 32 && ix !== NPIO2_HW[n - 1])) {
      const j = ix >> 20;
      let i = j - ((high(y0) >> 20) & 0x7ff);
      if (i > 16) {
        let u = r;
        w = fn * PIO2_2;
        r = u - w;
        w = fn * PIO2_2T - (u - r - w);
        y0 = r - w;
        i = j - ((high(y0) >> 20) & 0x7ff);
        if (i > 49) {
          u = r;
          w = fn * PIO2_3;
          r = u - w;
          w = fn * PIO2_3T - (u - r - w);
          y0 = r - w;
        }
      }
    }
    const y1 = r - y0 - w;
    return hx < 0 ? [-n, -y0, -y1] : [n, y0, y1];
  }
  return remPio2Large(x);
}

/** 2/π and π/2 as big fixed-point integers (computed once, by Machin's formula). */
let bigPi: { twoOverPi: bigint; pio2: bigint } | null = null;
const PI_BITS = 1300n;
function bigPiConstants(): { twoOverPi: bigint; pio2: bigint } {
  if (bigPi) return bigPi;
  const one = 1n << (PI_BITS + 32n);
  const atanInv = (k: bigint): bigint => {
    // atan(1/k) = Σ (−1)^i / ((2i+1)·k^(2i+1))
    let sum = 0n;
    let power = one / k;
    const k2 = k * k;
    for (let i = 0n; power !== 0n; i++) {
      const term = power / (2n * i + 1n);
      sum += i % 2n === 0n ? term : -term;
      power /= k2;
    }
    return sum;
  };
  const pi = (16n * atanInv(5n) - 4n * atanInv(239n)) >> 32n; // π·2^PI_BITS
  bigPi = { twoOverPi: (2n << (2n * PI_BITS)) / pi, pio2: pi >> 1n };
  return bigPi;
}

/** Reduction of a huge |x| (> 2^19·π/2) with exact integer arithmetic on enough bits of 2/π. */
function remPio2Large(x: number): [number, number, number] {
  if (!Number.isFinite(x)) return [0, NaN, NaN];
  const { twoOverPi, pio2 } = bigPiConstants();
  // x = m·2^e exactly, m a 53-bit integer
  const hx = high(x);
  const e = ((hx >> 20) & 0x7ff) - 1075;
  const m = BigInt((hx & 0xfffff) | 0x100000) * 4294967296n + BigInt(low(x));
  // x·2/π = m·T·2^(e − PI_BITS): integer part (quadrant) and 128 bits of fraction
  const product = m * twoOverPi;
  const shift = PI_BITS - BigInt(e); // > 128 for every finite double
  let quadrant = Number((product >> shift) & 3n);
  let fraction = (product >> (shift - 128n)) & ((1n << 128n) - 1n); // f·2^128, f in [0, 1)
  if (fraction >= 1n << 127n) {
    fraction -= 1n << 128n; // f − 1 in [−½, 0)
    quadrant = (quadrant + 1) & 3;
  }
  // y = f·π/2 as a double-double
  const value = fraction * (pio2 >> (PI_BITS - 128n)); // y·2^256
  const scale = fromWords((0x3ff - 256) << 20, 0); // 2^-256, exact
  const head = Number(value);
  const y0 = head * scale;
  const y1 = Number(value - BigInt(head)) * scale;
  return x < 0 ? [-quadrant, -y0, -y1] : [quadrant, y0, y1];
}

/**
 * sin x, bit-identical in every engine (fdlibm's algorithm; arguments beyond
 * 2^19·π/2 are reduced exactly with big integers).
 *
 * @example
 * ```ts
 * sin(Math.PI / 6); // 0.49999999999999994
 * ```
 */
export function sin(x: number): number {
  const ix = high(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelSin(x, 0, false);
  if (ix >= 0x7ff00000) return NaN;
  const [n, y0, y1] = remPio2(x);
  switch (n & 3) {
    case 0:
      return kernelSin(y0, y1, true);
    case 1:
      return kernelCos(y0, y1);
    case 2:
      return -kernelSin(y0, y1, true);
    default:
      return -kernelCos(y0, y1);
  }
}

/**
 * cos x, bit-identical in every engine (fdlibm's algorithm, as {@link sin}).
 *
 * @example
 * ```ts
 * cos(0); // 1
 * ```
 */
export function cos(x: number): number {
  const ix = high(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelCos(x, 0);
  if (ix >= 0x7ff00000) return NaN;
  const [n, y0, y1] = remPio2(x);
  switch (n & 3) {
    case 0:
      return kernelCos(y0, y1);
    case 1:
      return -kernelSin(y0, y1, true);
    case 2:
      return -kernelCos(y0, y1);
    default:
      return kernelSin(y0, y1, true);
  }
}
