// Pauli-sum kernels: out = Σ_k c_k P_k ψ and ⟨ψ|Σ_k c_k P_k|ψ⟩.
//
// The engine never allocates: the SDK (sdk/data/hamiltonian.ts) packs the terms
// and hands over pointers.
//
// State layout: 2^n complex128 amplitudes, interleaved (re, im) as f64, one
// amplitude per v128. Index bit (n-1-w) is wire w (PennyLane: wire 0 = MSB);
// the SDK converts wires to bit masks, this file only sees index bits.
//
// Term record, PAULI_TERM_BYTES = 32 bytes, 16-byte aligned:
//   offset  0  u32  xMask   index bits where the word has X or Y
//   offset  4  u32  zMask   index bits where the word has Z or Y
//   offset  8  u32  reserved (0)
//   offset 12  u32  reserved (0)
//   offset 16  f64  coefRe  real part of c'_k
//   offset 24  f64  coefIm  imaginary part of c'_k
// where c'_k = c_k · i^(number of Y) already folded in by the SDK, because
// Y = i·X·Z, so a Pauli word equals i^{#Y} · X^{xMask} · Z^{zMask} and
//   (P ψ)[j] = i^{#Y} · (−1)^{popcount((j ^ xMask) & zMask)} · ψ[j ^ xMask].
//
// Consecutive terms with the same xMask form a group. For each output index j
// the groups are taken in order; per group the signed coefficients are summed
// (in term order, starting from 0), multiplied by ψ[j ^ xMask] and added to
// out[j], which starts at 0. (Single-term groups compute 0 + c first, which
// equals the group sum, so the paths agree bit for bit.) The SDK sorts terms by xMask so that groups are maximal. The plain TypeScript reference
// (applyPauliSumReference in sdk/data/hamiltonian.ts) performs the same
// operations in the same order, so both give bit-identical results
// (no fused multiply-add anywhere).

// Flips the sign bit of both f64 lanes when `parity` is 1 (exact, branch-free).
// @ts-ignore: decorator
@inline
function signMask(parity: u32): v128 {
  return i64x2.splat(i64(parity) << 63);
}

// Complex product (c · a) with c = [cr, ci], a = [ar, ai]:
//   [cr·ar + (−ci)·ai, cr·ai + ci·ar]
// @ts-ignore: decorator
@inline
function complexMul(c: v128, a: v128): v128 {
  const cr = v128.shuffle<f64>(c, c, 0, 0);
  const ciSigned = f64x2.mul(v128.shuffle<f64>(c, c, 1, 1), f64x2(-1.0, 1.0));
  const aSwapped = v128.shuffle<f64>(a, a, 1, 0);
  return f64x2.add(f64x2.mul(cr, a), f64x2.mul(ciSigned, aSwapped));
}

/**
 * (H ψ)[j] and (H ψ)[j ^ 1] for an even j, as two v128 (re, im): for each
 * group of consecutive terms with equal xMask (in term order), the signed
 * coefficients are summed starting from 0, multiplied by ψ[j ^ x], and added
 * to the accumulator (which starts at 0).
 */
// @ts-ignore: decorator
@inline
function rowPair(statePtr: usize, termsPtr: usize, numTerms: i32, j: u32, out: usize): void {
  let acc0 = f64x2.splat(0.0);
  let acc1 = f64x2.splat(0.0);
  let k: i32 = 0;
  while (k < numTerms) {
    const x = load<u32>(termsPtr + (<usize>k << 5));
    const s0 = j ^ x;
    const s1 = s0 ^ 1;
    let c0 = f64x2.splat(0.0);
    let c1 = f64x2.splat(0.0);
    do {
      const t = termsPtr + (<usize>k << 5);
      const z = load<u32>(t, 4);
      const c = v128.load(t, 16);
      c0 = f64x2.add(c0, v128.xor(c, signMask(popcnt<u32>(s0 & z) & 1)));
      c1 = f64x2.add(c1, v128.xor(c, signMask(popcnt<u32>(s1 & z) & 1)));
      k++;
    } while (k < numTerms && load<u32>(termsPtr + (<usize>k << 5)) == x);
    acc0 = f64x2.add(acc0, complexMul(c0, v128.load(statePtr + (<usize>s0 << 4))));
    acc1 = f64x2.add(acc1, complexMul(c1, v128.load(statePtr + (<usize>s1 << 4))));
  }
  v128.store(out, acc0);
  v128.store(out, acc1, 16);
}

// Debug-build checks shared by both kernels.
// @ts-ignore: decorator
@inline
function checkArguments(statePtr: usize, numQubits: i32, termsPtr: usize, numTerms: i32): void {
  assert(numQubits >= 1 && numQubits <= 30, 'pauliSum: numQubits out of range 1..30');
  assert(numTerms >= 0, 'pauliSum: negative numTerms');
  assert((statePtr & 15) == 0 && (termsPtr & 15) == 0, 'pauliSum: pointers must be 16-byte aligned');
  if (ASC_NO_ASSERT) return;
  const dim: u32 = 1 << numQubits;
  for (let k = 0; k < numTerms; k++) {
    const t = termsPtr + (<usize>k << 5);
    assert(load<u32>(t) < dim && load<u32>(t, 4) < dim, 'pauliSum: a term mask has bits beyond numQubits');
  }
}

/**
 * out = Σ_k c'_k X^{x_k} Z^{z_k} ψ over `numTerms` packed term records
 * (layout above). `statePtr` and `outPtr` each point to 2^numQubits
 * interleaved complex128 amplitudes (16-byte aligned) and must not overlap.
 * `out` is overwritten.
 */
export function pauliSumApply(statePtr: usize, outPtr: usize, numQubits: i32, termsPtr: usize, numTerms: i32): void {
  pauliSumApplyRows(statePtr, outPtr, numQubits, termsPtr, numTerms, 0, 1 << numQubits);
}

/**
 * Rows [rowStart, rowStart + rowCount) of H·ψ: out[j − rowStart] = (Hψ)[j].
 * `out` holds rowCount amplitudes; rowStart and rowCount are even (or the
 * whole 2-amplitude state). Used when only some rows are needed, e.g. one
 * representative per orbit of a bit-flip symmetry. Per row: zeroed, then one
 * streaming pass per group adds g(j)·ψ[j ^ x] (the same operations, in the
 * same order, as {@link rowPair}).
 */
export function pauliSumApplyRows(
  statePtr: usize,
  outPtr: usize,
  numQubits: i32,
  termsPtr: usize,
  numTerms: i32,
  rowStart: u32,
  rowCount: u32,
): void {
  checkArguments(statePtr, numQubits, termsPtr, numTerms);
  const dim: u32 = 1 << numQubits;
  assert((outPtr & 15) == 0, 'pauliSumApply: out must be 16-byte aligned');
  assert((rowStart & 1) == 0 && (rowCount & 1) == 0 && rowStart + rowCount <= dim && rowStart + rowCount >= rowStart,
    'pauliSumApplyRows: rowStart and rowCount must be even and within the state');
  assert(outPtr + (<usize>rowCount << 4) <= statePtr || statePtr + (<usize>dim << 4) <= outPtr, 'pauliSumApply: state and out overlap');
  memory.fill(outPtr, 0, <usize>rowCount << 4);
  const rowEnd = rowStart + rowCount;
  const base = outPtr - (<usize>rowStart << 4);
  let start: i32 = 0;
  while (start < numTerms) {
    const x = load<u32>(termsPtr + (<usize>start << 5));
    let end = start + 1;
    while (end < numTerms && load<u32>(termsPtr + (<usize>end << 5)) == x) end++;
    if (end - start == 1) {
      const z = load<u32>(termsPtr + (<usize>start << 5), 4);
      const c = f64x2.add(f64x2.splat(0.0), v128.load(termsPtr + (<usize>start << 5), 16));
      for (let j: u32 = rowStart; j < rowEnd; j += 2) {
        const s0 = j ^ x;
        const s1 = s0 ^ 1;
        const c0 = v128.xor(c, signMask(popcnt<u32>(s0 & z) & 1));
        const c1 = v128.xor(c, signMask(popcnt<u32>(s1 & z) & 1));
        const o = base + (<usize>j << 4);
        v128.store(o, f64x2.add(v128.load(o), complexMul(c0, v128.load(statePtr + (<usize>s0 << 4)))));
        v128.store(o, f64x2.add(v128.load(o, 16), complexMul(c1, v128.load(statePtr + (<usize>s1 << 4)))), 16);
      }
    } else {
      for (let j: u32 = rowStart; j < rowEnd; j += 2) {
        const s0 = j ^ x;
        const s1 = s0 ^ 1;
        let c0 = f64x2.splat(0.0);
        let c1 = f64x2.splat(0.0);
        for (let k = start; k < end; k++) {
          const t = termsPtr + (<usize>k << 5);
          const z = load<u32>(t, 4);
          const c = v128.load(t, 16);
          c0 = f64x2.add(c0, v128.xor(c, signMask(popcnt<u32>(s0 & z) & 1)));
          c1 = f64x2.add(c1, v128.xor(c, signMask(popcnt<u32>(s1 & z) & 1)));
        }
        const o = base + (<usize>j << 4);
        v128.store(o, f64x2.add(v128.load(o), complexMul(c0, v128.load(statePtr + (<usize>s0 << 4)))));
        v128.store(o, f64x2.add(v128.load(o, 16), complexMul(c1, v128.load(statePtr + (<usize>s1 << 4)))), 16);
      }
    }
    start = end;
  }
}

/**
 * Re ⟨ψ| Σ_k c'_k X^{x_k} Z^{z_k} |ψ⟩ (the expectation value when the sum is
 * Hermitian) without an output buffer. h = (Hψ)[j] is formed exactly as in
 * {@link pauliSumApply}; the lane-wise products (ψ[j].re·h.re, ψ[j].im·h.im)
 * are accumulated separately for even and odd j in increasing j; at the end
 * the two accumulators are added lane-wise and the two lanes summed.
 * `scratchPtr` is 32 bytes of 16-byte aligned scratch memory.
 */
export function pauliSumExpectation(statePtr: usize, numQubits: i32, termsPtr: usize, numTerms: i32, scratchPtr: usize): f64 {
  checkArguments(statePtr, numQubits, termsPtr, numTerms);
  assert((scratchPtr & 15) == 0, 'pauliSumExpectation: scratch must be 16-byte aligned');
  const dim: u32 = 1 << numQubits;
  let acc0 = f64x2.splat(0.0);
  let acc1 = f64x2.splat(0.0);
  for (let j: u32 = 0; j < dim; j += 2) {
    rowPair(statePtr, termsPtr, numTerms, j, scratchPtr);
    const b = statePtr + (<usize>j << 4);
    acc0 = f64x2.add(acc0, f64x2.mul(v128.load(b), v128.load(scratchPtr)));
    acc1 = f64x2.add(acc1, f64x2.mul(v128.load(b, 16), v128.load(scratchPtr, 16)));
  }
  const acc = f64x2.add(acc0, acc1);
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}
