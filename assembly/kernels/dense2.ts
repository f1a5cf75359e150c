// Dense two-qubit gates: a general complex 4x4 matrix on bits (hi, lo), where
// `hi` is the most significant bit of the local index, optionally controlled.
import { amp, nextFree } from './bits';
import { swapReIm } from './complex';

/**
 * Applies the 4x4 complex matrix at `matrix` (row-major, interleaved re/im:
 * 32 f64) to bits (bitHi, bitLo) on the amplitudes whose `ctrlMask` bits are 1.
 */
export function applyDense2(state: usize, numQubits: i32, bitHi: i32, bitLo: i32, ctrlMask: u32, matrix: usize): void {
  // Row r, column c: (mr, mr) in re[r*4+c], (-mi, mi) in im[r*4+c].
  const r00 = f64x2.splat(load<f64>(matrix, 0)), i00 = f64x2(-load<f64>(matrix, 8), load<f64>(matrix, 8));
  const r01 = f64x2.splat(load<f64>(matrix, 16)), i01 = f64x2(-load<f64>(matrix, 24), load<f64>(matrix, 24));
  const r02 = f64x2.splat(load<f64>(matrix, 32)), i02 = f64x2(-load<f64>(matrix, 40), load<f64>(matrix, 40));
  const r03 = f64x2.splat(load<f64>(matrix, 48)), i03 = f64x2(-load<f64>(matrix, 56), load<f64>(matrix, 56));
  const r10 = f64x2.splat(load<f64>(matrix, 64)), i10 = f64x2(-load<f64>(matrix, 72), load<f64>(matrix, 72));
  const r11 = f64x2.splat(load<f64>(matrix, 80)), i11 = f64x2(-load<f64>(matrix, 88), load<f64>(matrix, 88));
  const r12 = f64x2.splat(load<f64>(matrix, 96)), i12 = f64x2(-load<f64>(matrix, 104), load<f64>(matrix, 104));
  const r13 = f64x2.splat(load<f64>(matrix, 112)), i13 = f64x2(-load<f64>(matrix, 120), load<f64>(matrix, 120));
  const r20 = f64x2.splat(load<f64>(matrix, 128)), i20 = f64x2(-load<f64>(matrix, 136), load<f64>(matrix, 136));
  const r21 = f64x2.splat(load<f64>(matrix, 144)), i21 = f64x2(-load<f64>(matrix, 152), load<f64>(matrix, 152));
  const r22 = f64x2.splat(load<f64>(matrix, 160)), i22 = f64x2(-load<f64>(matrix, 168), load<f64>(matrix, 168));
  const r23 = f64x2.splat(load<f64>(matrix, 176)), i23 = f64x2(-load<f64>(matrix, 184), load<f64>(matrix, 184));
  const r30 = f64x2.splat(load<f64>(matrix, 192)), i30 = f64x2(-load<f64>(matrix, 200), load<f64>(matrix, 200));
  const r31 = f64x2.splat(load<f64>(matrix, 208)), i31 = f64x2(-load<f64>(matrix, 216), load<f64>(matrix, 216));
  const r32 = f64x2.splat(load<f64>(matrix, 224)), i32_ = f64x2(-load<f64>(matrix, 232), load<f64>(matrix, 232));
  const r33 = f64x2.splat(load<f64>(matrix, 240)), i33 = f64x2(-load<f64>(matrix, 248), load<f64>(matrix, 248));

  const hi: u32 = <u32>1 << <u32>bitHi;
  const lo: u32 = <u32>1 << <u32>bitLo;
  const fixed = ctrlMask | hi | lo;
  const count: u32 = (<u32>1 << <u32>numQubits) >> <u32>popcnt(fixed);
  const offLo = <usize>lo << 4, offHi = <usize>hi << 4, offBoth = offLo + offHi;
  let i: u32 = 0;
  for (let k: u32 = 0; k < count; k++) {
    const p = amp(state, i | ctrlMask);
    i = nextFree(i, fixed);
    const a0 = v128.load(p), a1 = v128.load(p + offLo), a2 = v128.load(p + offHi), a3 = v128.load(p + offBoth);
    const s0 = swapReIm(a0), s1 = swapReIm(a1), s2 = swapReIm(a2), s3 = swapReIm(a3);
    v128.store(p, f64x2.add(f64x2.add(f64x2.add(
      f64x2.add(f64x2.mul(a0, r00), f64x2.mul(s0, i00)),
      f64x2.add(f64x2.mul(a1, r01), f64x2.mul(s1, i01))),
      f64x2.add(f64x2.mul(a2, r02), f64x2.mul(s2, i02))),
      f64x2.add(f64x2.mul(a3, r03), f64x2.mul(s3, i03))));
    v128.store(p + offLo, f64x2.add(f64x2.add(f64x2.add(
      f64x2.add(f64x2.mul(a0, r10), f64x2.mul(s0, i10)),
      f64x2.add(f64x2.mul(a1, r11), f64x2.mul(s1, i11))),
      f64x2.add(f64x2.mul(a2, r12), f64x2.mul(s2, i12))),
      f64x2.add(f64x2.mul(a3, r13), f64x2.mul(s3, i13))));
    v128.store(p + offHi, f64x2.add(f64x2.add(f64x2.add(
      f64x2.add(f64x2.mul(a0, r20), f64x2.mul(s0, i20)),
      f64x2.add(f64x2.mul(a1, r21), f64x2.mul(s1, i21))),
      f64x2.add(f64x2.mul(a2, r22), f64x2.mul(s2, i22))),
      f64x2.add(f64x2.mul(a3, r23), f64x2.mul(s3, i23))));
    v128.store(p + offBoth, f64x2.add(f64x2.add(f64x2.add(
      f64x2.add(f64x2.mul(a0, r30), f64x2.mul(s0, i30)),
      f64x2.add(f64x2.mul(a1, r31), f64x2.mul(s1, i31))),
      f64x2.add(f64x2.mul(a2, r32), f64x2.mul(s2, i32_))),
      f64x2.add(f64x2.mul(a3, r33), f64x2.mul(s3, i33))));
  }
}
