// Measurements on a state: probabilities, Pauli-word and matrix expectation
// values, inner products. Sums run in index order, so results are
// deterministic across runtimes.
import { amp, insertZeros, parity } from './kernels/bits';
import { spread } from './kernels/dense-k';

/** out[i] = |ψ_i|² for every basis state (2^n f64). */
export function probsAll(state: usize, numQubits: i32, out: usize): void {
  const size: u32 = <u32>1 << <u32>numQubits;
  for (let i: u32 = 0; i < size; i++) {
    const p = amp(state, i);
    const re = load<f64>(p), im = load<f64>(p, 8);
    store<f64>(out + (<usize>i << 3), re * re + im * im);
  }
}

/**
 * Marginal probabilities of the k bits listed at `bits` (i32; bits[0] is the
 * MOST significant bit of the output index): 2^k f64 at `out`. Any k up to
 * the register.
 */
export function probsSubset(state: usize, numQubits: i32, bits: usize, k: i32, out: usize): void {
  probsMarginal(state, numQubits, bits, k, out, <u32>1 << <u32>k);
}

/**
 * The first `count` outcomes of the marginal on `bits` (see probsSubset), at
 * `out`. Outer loop over the outcome, inner over the other bits: each
 * outcome's sum runs in index order.
 */
export function probsMarginal(state: usize, numQubits: i32, bits: usize, k: i32, out: usize, count: u32): void {
  let fixed: u32 = 0;
  for (let t = 0; t < k; t++) fixed |= <u32>1 << load<u32>(bits + (<usize>t << 2));
  const rest: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(fixed);
  for (let a: u32 = 0; a < count; a++) {
    const on = spread(a, bits, k);
    let sum = 0.0;
    for (let g: u32 = 0; g < rest; g++) {
      const p = amp(state, insertZeros(g, fixed) | on);
      const re = load<f64>(p), im = load<f64>(p, 8);
      sum += re * re + im * im;
    }
    store<f64>(out + (<usize>a << 3), sum);
  }
}

/** ⟨ψ|P|ψ⟩ for the Pauli word P = i^ny X^x Z^z (real for a Hermitian word). */
export function expvalPauliWord(state: usize, numQubits: i32, xMask: u32, zMask: u32, numY: i32): f64 {
  const size: u32 = <u32>1 << <u32>numQubits;
  let sr = 0.0, si = 0.0;
  for (let j: u32 = 0; j < size; j++) {
    const l = j ^ xMask;
    const p = amp(state, j), q = amp(state, l);
    const ar = load<f64>(p), ai = load<f64>(p, 8);
    const br = load<f64>(q), bi = load<f64>(q, 8);
    // conj(a)·b with the sign of (-1)^popcount(l & z)
    let tr = ar * br + ai * bi;
    let ti = ar * bi - ai * br;
    if (parity(l & zMask)) { tr = -tr; ti = -ti; }
    sr += tr;
    si += ti;
  }
  switch (numY & 3) {
    case 0: return sr;
    case 1: return -si;
    case 2: return -sr;
    default: return si;
  }
}

/** Bits of the index split used by the one-pass Z readouts (expvalZAll, accumulateZ): 2^Z_TABLE_BITS-amplitude blocks. */
export const Z_TABLE_BITS = 10;

/** f64 of scratch the one-pass Z readouts need: the 2^min(n, Z_TABLE_BITS) table, then n values. */
export function zScratchLength(numQubits: i32): i32 {
  return (1 << min(numQubits, Z_TABLE_BITS)) + numQubits;
}

/**
 * ⟨Z_b⟩ for EVERY bit b in one pass: out[b] (n f64). The state is read in
 * blocks of 2^L amplitudes, L = min(n, Z_TABLE_BITS): the probabilities of a
 * block are added into the low-bit marginal at `table` (2^L f64) and the
 * block's total into the high bits' sums; the low bits' values then come
 * from the marginal by halving (level b: Σ_m (q[2m] − q[2m+1]), q ← pair sums).
 */
export function expvalZAll(state: usize, numQubits: i32, out: usize, table: usize): void {
  const lowBits = min(numQubits, Z_TABLE_BITS);
  const block: u32 = <u32>1 << <u32>lowBits;
  const blocks: u32 = <u32>1 << <u32>(numQubits - lowBits);
  for (let b = lowBits; b < numQubits; b++) store<f64>(out + (<usize>b << 3), 0.0);
  for (let h: u32 = 0; h < blocks; h++) {
    const p = amp(state, h << <u32>lowBits);
    let total = 0.0;
    for (let j: u32 = 0; j < block; j++) {
      const a = v128.load(p + (<usize>j << 4));
      const sq = f64x2.mul(a, a);
      const prob = f64x2.extract_lane(sq, 0) + f64x2.extract_lane(sq, 1);
      const t = table + (<usize>j << 3);
      store<f64>(t, h == 0 ? prob : load<f64>(t) + prob);
      total += prob;
    }
    for (let b = lowBits; b < numQubits; b++) {
      const o = out + (<usize>b << 3);
      store<f64>(o, ((h >> <u32>(b - lowBits)) & 1) != 0 ? load<f64>(o) - total : load<f64>(o) + total);
    }
  }
  let width: u32 = block;
  for (let b = 0; b < lowBits; b++) {
    width >>= 1;
    let z = 0.0;
    for (let m: u32 = 0; m < width; m++) {
      const even = load<f64>(table + (<usize>(2 * m) << 3)), odd = load<f64>(table + (<usize>(2 * m + 1) << 3));
      z += even - odd;
      store<f64>(table + (<usize>m << 3), even + odd);
    }
    store<f64>(out + (<usize>b << 3), z);
  }
}

/**
 * ⟨ψ|M|ψ⟩ (real part) for a 2^k x 2^k complex matrix M (row-major,
 * interleaved) on the bits at `bits` (bits[0] = most significant).
 */
export function expvalMatrix(state: usize, numQubits: i32, bits: usize, k: i32, matrix: usize): f64 {
  const dim: u32 = <u32>1 << <u32>k;
  let fixed: u32 = 0;
  for (let t = 0; t < k; t++) fixed |= <u32>1 << load<u32>(bits + (<usize>t << 2));
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(fixed);
  let total = 0.0;
  for (let g: u32 = 0; g < count; g++) {
    const base = insertZeros(g, fixed);
    for (let r: u32 = 0; r < dim; r++) {
      const pr = amp(state, base | spread(r, bits, k));
      const xr = load<f64>(pr), xi = load<f64>(pr, 8);
      let rowR = 0.0, rowI = 0.0;
      const row = matrix + ((<usize>r * <usize>dim) << 4);
      for (let c: u32 = 0; c < dim; c++) {
        const pc = amp(state, base | spread(c, bits, k));
        const yr = load<f64>(pc), yi = load<f64>(pc, 8);
        const mr = load<f64>(row + (<usize>c << 4)), mi = load<f64>(row + (<usize>c << 4), 8);
        rowR += mr * yr - mi * yi;
        rowI += mr * yi + mi * yr;
      }
      total += xr * rowR + xi * rowI;
    }
  }
  return total;
}

/** Real part of ⟨a|b⟩ over 2^n amplitudes. */
export function innerProductRe(a: usize, b: usize, numQubits: i32): f64 {
  const size: u32 = <u32>1 << <u32>numQubits;
  let sum = 0.0;
  for (let i: u32 = 0; i < size; i++) {
    const p = amp(a, i), q = amp(b, i);
    sum += load<f64>(p) * load<f64>(q) + load<f64>(p, 8) * load<f64>(q, 8);
  }
  return sum;
}
