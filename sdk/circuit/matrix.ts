import { QDistillError } from '../errors.js';

/**
 * A dense complex matrix, row-major: entry (r, c) is
 * `re[r * dim + c] + i·im[r * dim + c]`. Local index convention: the first
 * wire of an op is the MOST significant bit (PennyLane).
 */
export interface ComplexMatrix {
  readonly dim: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/** A zero `dim`×`dim` matrix. */
export function zeros(dim: number): ComplexMatrix {
  return { dim, re: new Float64Array(dim * dim), im: new Float64Array(dim * dim) };
}

/** The identity. */
export function identity(dim: number): ComplexMatrix {
  const m = zeros(dim);
  for (let i = 0; i < dim; i++) m.re[i * dim + i] = 1;
  return m;
}

/** Builds a matrix from rows of [re, im] pairs or real numbers. */
export function fromRows(rows: ReadonlyArray<ReadonlyArray<number | readonly [number, number]>>): ComplexMatrix {
  const dim = rows.length;
  const m = zeros(dim);
  rows.forEach((row, r) => {
    if (row.length !== dim) throw new QDistillError('E_SHAPE', `matrix: row ${r} has ${row.length} entries, expected ${dim}`);
    row.forEach((v, c) => {
      if (typeof v === 'number') m.re[r * dim + c] = v;
      else {
        m.re[r * dim + c] = v[0];
        m.im[r * dim + c] = v[1];
      }
    });
  });
  return m;
}

/** a · b. */
export function matmul(a: ComplexMatrix, b: ComplexMatrix): ComplexMatrix {
  const n = a.dim;
  const out = zeros(n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      let sr = 0;
      let si = 0;
      for (let k = 0; k < n; k++) {
        const ar = a.re[r * n + k]!, ai = a.im[r * n + k]!;
        const br = b.re[k * n + c]!, bi = b.im[k * n + c]!;
        sr += ar * br - ai * bi;
        si += ar * bi + ai * br;
      }
      out.re[r * n + c] = sr;
      out.im[r * n + c] = si;
    }
  }
  return out;
}

/** Conjugate transpose a†. */
export function dagger(a: ComplexMatrix): ComplexMatrix {
  const n = a.dim;
  const out = zeros(n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      out.re[c * n + r] = a.re[r * n + c]!;
      out.im[c * n + r] = -a.im[r * n + c]!;
    }
  }
  return out;
}

/** s · a for a complex scalar s = sr + i·si. */
export function scale(a: ComplexMatrix, sr: number, si = 0): ComplexMatrix {
  const out = zeros(a.dim);
  for (let i = 0; i < a.re.length; i++) {
    out.re[i] = sr * a.re[i]! - si * a.im[i]!;
    out.im[i] = sr * a.im[i]! + si * a.re[i]!;
  }
  return out;
}

/** a + b. */
export function add(a: ComplexMatrix, b: ComplexMatrix): ComplexMatrix {
  const out = zeros(a.dim);
  for (let i = 0; i < a.re.length; i++) {
    out.re[i] = a.re[i]! + b.re[i]!;
    out.im[i] = a.im[i]! + b.im[i]!;
  }
  return out;
}

/** Kronecker product a ⊗ b (a acts on the more significant bits). */
export function kron(a: ComplexMatrix, b: ComplexMatrix): ComplexMatrix {
  const n = a.dim * b.dim;
  const out = zeros(n);
  for (let ar = 0; ar < a.dim; ar++)
    for (let ac = 0; ac < a.dim; ac++)
      for (let br = 0; br < b.dim; br++)
        for (let bc = 0; bc < b.dim; bc++) {
          const xr = a.re[ar * a.dim + ac]!, xi = a.im[ar * a.dim + ac]!;
          const yr = b.re[br * b.dim + bc]!, yi = b.im[br * b.dim + bc]!;
          const idx = (ar * b.dim + br) * n + ac * b.dim + bc;
          out.re[idx] = xr * yr - xi * yi;
          out.im[idx] = xr * yi + xi * yr;
        }
  return out;
}

/** Largest |a_ij − b_ij|. */
export function maxAbsDiff(a: ComplexMatrix, b: ComplexMatrix): number {
  let worst = 0;
  for (let i = 0; i < a.re.length; i++) {
    worst = Math.max(worst, Math.hypot(a.re[i]! - b.re[i]!, a.im[i]! - b.im[i]!));
  }
  return worst;
}

/** max |(a†a − I)_ij|: zero for a unitary. */
export function unitarityError(a: ComplexMatrix): number {
  return maxAbsDiff(matmul(dagger(a), a), identity(a.dim));
}

/** max |(a − a†)_ij|: zero for a Hermitian matrix. */
export function hermiticityError(a: ComplexMatrix): number {
  return maxAbsDiff(a, dagger(a));
}

/** Controlled version: identity on the first (dim_c − 1)·dim blocks, `u` on the last (controls first). */
export function controlled(u: ComplexMatrix, numControls: number): ComplexMatrix {
  const dim = u.dim << numControls;
  const out = identity(dim);
  const offset = dim - u.dim;
  for (let r = 0; r < u.dim; r++) {
    for (let c = 0; c < u.dim; c++) {
      out.re[(offset + r) * dim + offset + c] = u.re[r * u.dim + c]!;
      out.im[(offset + r) * dim + offset + c] = u.im[r * u.dim + c]!;
    }
  }
  return out;
}

/** Interleaves a matrix as [re, im, re, im, …] (the engine's layout). */
export function interleave(a: ComplexMatrix): Float64Array {
  const out = new Float64Array(a.re.length * 2);
  for (let i = 0; i < a.re.length; i++) {
    out[2 * i] = a.re[i]!;
    out[2 * i + 1] = a.im[i]!;
  }
  return out;
}

/** Eigenvalues of a Hermitian matrix (Jacobi on the real 2n×2n embedding), ascending, each once. */
export function hermitianEigenvalues(a: ComplexMatrix): number[] {
  const n = a.dim;
  const m = 2 * n;
  // [[Re, -Im], [Im, Re]] is real symmetric with every eigenvalue of a twice.
  const s: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) {
      const re = a.re[r * n + c]!, im = a.im[r * n + c]!;
      s[r]![c] = re;
      s[r + n]![c + n] = re;
      s[r]![c + n] = -im;
      s[r + n]![c] = im;
    }
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < m; p++) for (let q = p + 1; q < m; q++) off += s[p]![q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < m; p++)
      for (let q = p + 1; q < m; q++) {
        const apq = s[p]![q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (s[q]![q]! - s[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < m; k++) {
          const skp = s[k]![p]!, skq = s[k]![q]!;
          s[k]![p] = c * skp - sn * skq;
          s[k]![q] = sn * skp + c * skq;
        }
        for (let k = 0; k < m; k++) {
          const spk = s[p]![k]!, sqk = s[q]![k]!;
          s[p]![k] = c * spk - sn * sqk;
          s[q]![k] = sn * spk + c * sqk;
        }
      }
  }
  const values = s.map((row, i) => row[i]!).sort((x, y) => x - y);
  return values.filter((_, i) => i % 2 === 0);
}
