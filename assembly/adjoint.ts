// Building blocks of adjoint differentiation: accumulating O·ψ into λ for
// each kind of readout, generator inner products, and reduced density
// matrices for matrix-observable gradients. Every sum runs in a fixed order
// (SIMD lanes and partial sums are combined the same way every time), so
// results are deterministic across runtimes.
import { amp, insertZeros, nextFree, pairRun, pairStep, parity, runSkip } from './kernels/bits';
import { laneDiff, laneSum, swapReIm } from './kernels/complex';
import { spread } from './kernels/dense-k';
import { Z_TABLE_BITS } from './measure';

/** λ += g · (i^ny · X^x Z^z) ψ on the whole register. */
export function accumulatePauli(lambda: usize, psi: usize, numQubits: i32, xMask: u32, zMask: u32, numY: i32, g: f64): void {
  const size: u32 = <u32>1 << <u32>numQubits;
  // phase i^ny times g as a complex (pr, pi)
  let pr = g, pi = 0.0;
  switch (numY & 3) {
    case 1: pr = 0.0; pi = g; break;
    case 2: pr = -g; break;
    case 3: pr = 0.0; pi = -g; break;
    default: break;
  }
  for (let j: u32 = 0; j < size; j++) {
    const l = j ^ xMask;
    const q = amp(psi, l);
    let br = load<f64>(q), bi = load<f64>(q, 8);
    if (parity(l & zMask)) { br = -br; bi = -bi; }
    const p = amp(lambda, j);
    store<f64>(p, load<f64>(p) + (pr * br - pi * bi));
    store<f64>(p, load<f64>(p, 8) + (pr * bi + pi * br), 8);
  }
}

/**
 * λ_i += c_i · ψ_i with c_i = Σ_b g_b · (−1)^(bit b of i): the seed of every
 * single-qubit ⟨Z_b⟩ readout in ONE pass, given the per-bit upstream sums
 * g_b at `perBit` (n f64). c is built per 2^Z_TABLE_BITS block as
 * (table of the low bits) + (sum over the high bits), the table at `table`
 * (2^min(n, Z_TABLE_BITS) f64) filled here.
 */
export function accumulateZ(lambda: usize, psi: usize, numQubits: i32, perBit: usize, table: usize): void {
  const lowBits = min(numQubits, Z_TABLE_BITS);
  const block: u32 = <u32>1 << <u32>lowBits;
  // table[j] = Σ_{b < lowBits} g_b (−1)^(bit b of j), by doubling.
  let all = 0.0;
  for (let b = 0; b < lowBits; b++) all += load<f64>(perBit + (<usize>b << 3));
  store<f64>(table, all);
  for (let b = 0; b < lowBits; b++) {
    const half: u32 = <u32>1 << <u32>b;
    const twice = 2.0 * load<f64>(perBit + (<usize>b << 3));
    for (let j: u32 = 0; j < half; j++) {
      store<f64>(table + (<usize>(j + half) << 3), load<f64>(table + (<usize>j << 3)) - twice);
    }
  }
  const blocks: u32 = <u32>1 << <u32>(numQubits - lowBits);
  for (let h: u32 = 0; h < blocks; h++) {
    let high = 0.0;
    for (let b = lowBits; b < numQubits; b++) {
      const g = load<f64>(perBit + (<usize>b << 3));
      high += ((h >> <u32>(b - lowBits)) & 1) != 0 ? -g : g;
    }
    const p = amp(lambda, h << <u32>lowBits), q = amp(psi, h << <u32>lowBits);
    for (let j: u32 = 0; j < block; j++) {
      const o = <usize>j << 4;
      const c = f64x2.splat(load<f64>(table + (<usize>j << 3)) + high);
      v128.store(p + o, f64x2.add(v128.load(p + o), f64x2.mul(c, v128.load(q + o))));
    }
  }
}

/** λ += g · M ψ for a 2^k matrix M (row-major interleaved) on `bits` (bits[0] most significant). */
export function accumulateMatrix(lambda: usize, psi: usize, numQubits: i32, bits: usize, k: i32, matrix: usize, g: f64): void {
  const dim: u32 = <u32>1 << <u32>k;
  let fixed: u32 = 0;
  for (let t = 0; t < k; t++) fixed |= <u32>1 << load<u32>(bits + (<usize>t << 2));
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(fixed);
  for (let gi: u32 = 0; gi < count; gi++) {
    const base = insertZeros(gi, fixed);
    for (let r: u32 = 0; r < dim; r++) {
      let sr = 0.0, si = 0.0;
      const row = matrix + ((<usize>r * <usize>dim) << 4);
      for (let c: u32 = 0; c < dim; c++) {
        const q = amp(psi, base | spread(c, bits, k));
        const yr = load<f64>(q), yi = load<f64>(q, 8);
        const mr = load<f64>(row + (<usize>c << 4)), mi = load<f64>(row + (<usize>c << 4), 8);
        sr += mr * yr - mi * yi;
        si += mr * yi + mi * yr;
      }
      const p = amp(lambda, base | spread(r, bits, k));
      store<f64>(p, load<f64>(p) + g * sr);
      store<f64>(p, load<f64>(p, 8) + g * si, 8);
    }
  }
}

/**
 * grad(a, b) += g · Σ_rest conj(ψ[a, rest]) · ψ[b, rest] — the derivative of
 * ⟨ψ|M|ψ⟩ with respect to M_ab — as interleaved complex at `out` (dim² entries).
 */
export function accumulateDensity(out: usize, psi: usize, numQubits: i32, bits: usize, k: i32, g: f64): void {
  const dim: u32 = <u32>1 << <u32>k;
  let fixed: u32 = 0;
  for (let t = 0; t < k; t++) fixed |= <u32>1 << load<u32>(bits + (<usize>t << 2));
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(fixed);
  for (let a: u32 = 0; a < dim; a++) {
    for (let b: u32 = 0; b < dim; b++) {
      let sr = 0.0, si = 0.0;
      const sa = spread(a, bits, k), sb = spread(b, bits, k);
      for (let gi: u32 = 0; gi < count; gi++) {
        const base = insertZeros(gi, fixed);
        const p = amp(psi, base | sa), q = amp(psi, base | sb);
        const ar = load<f64>(p), ai = load<f64>(p, 8);
        const br = load<f64>(q), bi = load<f64>(q, 8);
        sr += ar * br + ai * bi;
        si += ar * bi - ai * br;
      }
      const o = out + ((<usize>(a * dim + b)) << 4);
      store<f64>(o, load<f64>(o) + g * sr);
      store<f64>(o, load<f64>(o, 8) + g * si, 8);
    }
  }
}

// Inner products conj(a)·b in SIMD: with a, b one complex per v128,
//   Re = laneSum(a ⊙ b),  Im = laneDiff(a ⊙ swap(b)),
// so a sum over many terms keeps two vector accumulators ("prod", "cross")
// and reduces their lanes once at the end.

/** Im (i^ny · (sr + i·si)). */
// @ts-ignore: decorator
@inline
function imTimesPhase(sr: f64, si: f64, numY: i32): f64 {
  switch (numY & 3) {
    case 0: return si;
    case 1: return sr;
    case 2: return -si;
    default: return -sr;
  }
}

/**
 * Imaginary part of ⟨λ|Π_ctrl · i^ny X^x Z^z|ψ⟩ (the sum over indices whose
 * control bits are all 1).
 */
export function innerPauliIm(lambda: usize, psi: usize, numQubits: i32, xMask: u32, zMask: u32, ctrlMask: u32, numY: i32): f64 {
  if (popcnt(xMask) == 1 && (zMask & ~xMask) == 0) return innerSingleBitIm(lambda, psi, numQubits, xMask, zMask, ctrlMask, numY);
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(ctrlMask);
  const one = f64x2.splat(1.0), minusOne = f64x2.splat(-1.0);
  let prod = f64x2.splat(0.0), cross = f64x2.splat(0.0);
  let i: u32 = 0;
  for (let k: u32 = 0; k < count; k++) {
    const j = i | ctrlMask;
    const l = j ^ xMask;
    const a = v128.load(amp(lambda, j)), b = v128.load(amp(psi, l));
    const sign = parity(l & zMask) ? minusOne : one; // ×(±1) is exact
    prod = f64x2.add(prod, f64x2.mul(f64x2.mul(a, b), sign));
    cross = f64x2.add(cross, f64x2.mul(f64x2.mul(a, swapReIm(b)), sign));
    i = nextFree(i, ctrlMask);
  }
  return imTimesPhase(laneSum(prod), laneDiff(cross), numY);
}

/**
 * innerPauliIm for X or Y on one bit (zMask ⊆ xMask), walked in pair runs:
 * Σ conj(λ_j)·ψ_{j+h}·s_hi + conj(λ_{j+h})·ψ_j, where s_hi = −1 for Y
 * (the Z factor on the partner that has the bit set), +1 for X.
 */
function innerSingleBitIm(lambda: usize, psi: usize, numQubits: i32, xMask: u32, zMask: u32, ctrlMask: u32, numY: i32): f64 {
  const fixed = ctrlMask | xMask;
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(fixed);
  const stride = <usize>xMask << 4;
  const run = pairRun(fixed, count);
  // lo: conj(λ_j)·ψ_{j+h}; hi: conj(λ_{j+h})·ψ_j
  let loProd = f64x2.splat(0.0), loCross = f64x2.splat(0.0), hiProd = f64x2.splat(0.0), hiCross = f64x2.splat(0.0);
  let i: u32 = 0;
  // A run of one pair (bits 0 and 1 both fixed) is the same walk, one pair per run.
  const step = pairStep(fixed), skip = runSkip(fixed, run), runBytes = <usize>run * step;
  const lambdaToPsi = psi - lambda;
  for (let k: u32 = 0; k < count; k += run) {
    const base = amp(lambda, i | ctrlMask);
    for (let o: usize = 0; o < runBytes; o += step) {
      const p = base + o, q = p + lambdaToPsi;
      const l0 = v128.load(p), l1 = v128.load(p + stride);
      const s0 = v128.load(q), s1 = v128.load(q + stride);
      loProd = f64x2.add(loProd, f64x2.mul(l0, s1));
      loCross = f64x2.add(loCross, f64x2.mul(l0, swapReIm(s1)));
      hiProd = f64x2.add(hiProd, f64x2.mul(l1, s0));
      hiCross = f64x2.add(hiCross, f64x2.mul(l1, swapReIm(s0)));
    }
    i = nextFree(i, skip);
  }
  const loR = laneSum(loProd), loI = laneDiff(loCross), hiR = laneSum(hiProd), hiI = laneDiff(hiCross);
  // The partner with the bit set carries the Z sign in the lo term.
  const sr = zMask != 0 ? hiR - loR : loR + hiR;
  const si = zMask != 0 ? hiI - loI : loI + hiI;
  return imTimesPhase(sr, si, numY);
}

/** Imaginary part of Σ_{i: mask bits all 1} conj(λ_i)·ψ_i. */
export function innerMaskIm(lambda: usize, psi: usize, numQubits: i32, mask: u32): f64 {
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(mask);
  let cross = f64x2.splat(0.0);
  let i: u32 = 0;
  for (let k: u32 = 0; k < count; k++) {
    const j = i | mask;
    cross = f64x2.add(cross, f64x2.mul(v128.load(amp(lambda, j)), swapReIm(v128.load(amp(psi, j)))));
    i = nextFree(i, mask);
  }
  return laneDiff(cross);
}

/**
 * The 2x2 overlap of λ and ψ on one bit, M_ab = Σ_rest conj(λ[a, rest])·ψ[b, rest]
 * for a, b ∈ {0, 1} (bit `bit` = a, resp. b), as 8 f64 at `out` (row-major,
 * interleaved re/im), uncontrolled, pairs walked in runs. With it,
 * ⟨λ|A|ψ⟩ = Σ_ab A_ab·M_ab for ANY 2x2 A on that bit, so one pass gives the
 * gradients of every factor of a fused single-qubit run. Those gradients are
 * Im Σ A_ab·M_ab with A Hermitian (real diagonal), which never reads the real
 * parts of M_00 and M_11: they are not computed (written as 0), saving a
 * quarter of the multiplies.
 */
export function overlap1(lambda: usize, psi: usize, numQubits: i32, bit: i32, out: usize): void {
  const half: u32 = <u32>1 << <u32>bit;
  const count: u32 = (<u32>1 << <u32>numQubits) >> 1;
  const stride = <usize>half << 4;
  const run = pairRun(half, count);
  let c00 = f64x2.splat(0.0), p01 = f64x2.splat(0.0), c01 = f64x2.splat(0.0);
  let p10 = f64x2.splat(0.0), c10 = f64x2.splat(0.0), c11 = f64x2.splat(0.0);
  const step = pairStep(half), skip = runSkip(half, run), runBytes = <usize>run * step;
  const lambdaToPsi = psi - lambda;
  let i: u32 = 0;
  for (let k: u32 = 0; k < count; k += run) {
    const base = amp(lambda, i);
    for (let o: usize = 0; o < runBytes; o += step) {
      const p = base + o, q = p + lambdaToPsi;
      const l0 = v128.load(p), l1 = v128.load(p + stride);
      const s0 = v128.load(q), s1 = v128.load(q + stride);
      const w0 = swapReIm(s0), w1 = swapReIm(s1);
      c00 = f64x2.add(c00, f64x2.mul(l0, w0));
      p01 = f64x2.add(p01, f64x2.mul(l0, s1)); c01 = f64x2.add(c01, f64x2.mul(l0, w1));
      p10 = f64x2.add(p10, f64x2.mul(l1, s0)); c10 = f64x2.add(c10, f64x2.mul(l1, w0));
      c11 = f64x2.add(c11, f64x2.mul(l1, w1));
    }
    i = nextFree(i, skip);
  }
  store<f64>(out, 0.0); store<f64>(out, laneDiff(c00), 8);
  store<f64>(out, laneSum(p01), 16); store<f64>(out, laneDiff(c01), 24);
  store<f64>(out, laneSum(p10), 32); store<f64>(out, laneDiff(c10), 40);
  store<f64>(out, 0.0, 48); store<f64>(out, laneDiff(c11), 56);
}
