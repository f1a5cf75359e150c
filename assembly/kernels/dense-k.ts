// Dense k-qubit gates (any k up to the state size), scalar: used for
// QubitUnitary on 3+ wires and other rare wide matrices.
import { amp, insertZeros } from './bits';

/**
 * Applies the 2^k x 2^k complex matrix at `matrix` (row-major, interleaved
 * re/im) to the bits listed at `bits` (k i32; bits[0] is the MOST significant
 * bit of the local index) on the amplitudes whose `ctrlMask` bits are 1.
 * `scratch` must hold 2^k complex values (16·2^k bytes).
 */
export function applyDenseK(
  state: usize, numQubits: i32, bits: usize, k: i32, ctrlMask: u32, matrix: usize, scratch: usize,
): void {
  const dim: u32 = <u32>1 << <u32>k;
  let fixed = ctrlMask;
  for (let t = 0; t < k; t++) fixed |= <u32>1 << load<u32>(bits + (<usize>t << 2));
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(fixed);
  for (let g: u32 = 0; g < count; g++) {
    const base = insertZeros(g, fixed) | ctrlMask;
    // Gather the 2^k amplitudes of this group.
    for (let a: u32 = 0; a < dim; a++) {
      v128.store(scratch + (<usize>a << 4), v128.load(amp(state, base | spread(a, bits, k))));
    }
    for (let r: u32 = 0; r < dim; r++) {
      let sr = 0.0, si = 0.0;
      const row = matrix + ((<usize>r * <usize>dim) << 4);
      for (let c: u32 = 0; c < dim; c++) {
        const mr = load<f64>(row + (<usize>c << 4)), mi = load<f64>(row + (<usize>c << 4), 8);
        const xr = load<f64>(scratch + (<usize>c << 4)), xi = load<f64>(scratch + (<usize>c << 4), 8);
        sr += mr * xr - mi * xi;
        si += mr * xi + mi * xr;
      }
      const p = amp(state, base | spread(r, bits, k));
      store<f64>(p, sr);
      store<f64>(p, si, 8);
    }
  }
}

/** Maps a local index (bit k-1 = bits[0]) to the global bits it sets. */
// @ts-ignore: decorator
@inline
export function spread(local: u32, bits: usize, k: i32): u32 {
  let out: u32 = 0;
  for (let t = 0; t < k; t++) {
    if ((local >> <u32>(k - 1 - t)) & 1) out |= <u32>1 << load<u32>(bits + (<usize>t << 2));
  }
  return out;
}
