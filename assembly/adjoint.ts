// Building blocks of adjoint differentiation: accumulating O·ψ into λ for
// each kind of readout, generator inner products, and reduced density
// matrices for matrix-observable gradients. Sums run in index order.
import { amp, insertZeros, parity } from './kernels/bits';
import { spread } from './kernels/dense-k';

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

/**
 * Imaginary part of ⟨λ|Π_ctrl · i^ny X^x Z^z|ψ⟩ (the sum over indices whose
 * control bits are all 1).
 */
export function innerPauliIm(lambda: usize, psi: usize, numQubits: i32, xMask: u32, zMask: u32, ctrlMask: u32, numY: i32): f64 {
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(ctrlMask);
  let sr = 0.0, si = 0.0;
  for (let k: u32 = 0; k < count; k++) {
    const j = insertZeros(k, ctrlMask) | ctrlMask;
    const l = j ^ xMask;
    const p = amp(lambda, j), q = amp(psi, l);
    const ar = load<f64>(p), ai = load<f64>(p, 8);
    const br = load<f64>(q), bi = load<f64>(q, 8);
    let tr = ar * br + ai * bi;
    let ti = ar * bi - ai * br;
    if (parity(l & zMask)) { tr = -tr; ti = -ti; }
    sr += tr;
    si += ti;
  }
  // multiply by i^ny and take the imaginary part
  switch (numY & 3) {
    case 0: return si;
    case 1: return sr;
    case 2: return -si;
    default: return -sr;
  }
}

/** Imaginary part of Σ_{i: mask bits all 1} conj(λ_i)·ψ_i. */
export function innerMaskIm(lambda: usize, psi: usize, numQubits: i32, mask: u32): f64 {
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(mask);
  let si = 0.0;
  for (let k: u32 = 0; k < count; k++) {
    const i = insertZeros(k, mask) | mask;
    const p = amp(lambda, i), q = amp(psi, i);
    si += load<f64>(p) * load<f64>(q, 8) - load<f64>(p, 8) * load<f64>(q);
  }
  return si;
}
