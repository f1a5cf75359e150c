/**
 * The readable reference kernels: plain TypeScript loops that *define* the
 * semantics of the heavy ops (matmul, conv2d, pooling). float64 runs on them
 * until `nn.init()`; the float32 WebAssembly kernels (`assembly/classical/`)
 * must agree with them within a tolerance and the float64 ones
 * (`assembly/classical/*-f64.ts`) bit for bit — they add the same terms in the
 * same order (tests compare them). They are written for clarity, not speed,
 * and never share code with the WebAssembly kernels (plain loops here,
 * im2col + gemm and SIMD-blocked loops there).
 *
 * Every function **adds** into its output arrays unless it says otherwise.
 *
 * @packageDocumentation
 */
import type { TypedData } from './tensor.js';

/**
 * Geometry of a 2-D convolution or pooling over NCHW data.
 *
 * @example
 * ```ts
 * const g: ConvGeometry = { batch: 1, channels: 1, height: 28, width: 28, filters: 6,
 *   kernelH: 5, kernelW: 5, stride: 1, padding: 2, outH: 28, outW: 28 };
 * ```
 */
export interface ConvGeometry {
  batch: number;
  channels: number;
  height: number;
  width: number;
  /** Output channels (for pooling: equal to `channels`). */
  filters: number;
  kernelH: number;
  kernelW: number;
  stride: number;
  padding: number;
  outH: number;
  outW: number;
}

/**
 * c (+)= op(A)·op(B), op(A) m×k, op(B) k×n, all row-major. A is stored
 * [m, k] (or [k, m] if `transA`), B is stored [k, n] (or [n, k] if `transB`).
 *
 * @example
 * ```ts
 * const c = new Float64Array(4);
 * gemmReference(2, 2, 2, a, false, b, false, c, false);
 * ```
 */
export function gemmReference(
  m: number,
  n: number,
  k: number,
  a: TypedData,
  transA: boolean,
  b: TypedData,
  transB: boolean,
  c: TypedData,
  accumulate: boolean,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * m + i]! : a[i * k + p]!;
        const bv = transB ? b[j * k + p]! : b[p * n + j]!;
        s += av * bv;
      }
      c[i * n + j] = accumulate ? c[i * n + j]! + s : s;
    }
  }
}

/**
 * y[n,f,oy,ox] = bias[f] + Σ w[f,c,ki,kj]·x[n,c,oy·s−p+ki,ox·s−p+kj] (direct
 * loops; zero padding). Overwrites y.
 *
 * @example
 * ```ts
 * conv2dForwardReference(geometry, x, w, bias, y);
 * ```
 */
export function conv2dForwardReference(g: ConvGeometry, x: TypedData, w: TypedData, bias: TypedData | null, y: TypedData): void {
  const { batch, channels: C, height: H, width: W, filters: F, kernelH: KH, kernelW: KW, stride: S, padding: P, outH: OH, outW: OW } = g;
  for (let n = 0; n < batch; n++) {
    for (let f = 0; f < F; f++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          let s = bias ? bias[f]! : 0;
          for (let c = 0; c < C; c++) {
            for (let ki = 0; ki < KH; ki++) {
              const iy = oy * S - P + ki;
              if (iy < 0 || iy >= H) continue;
              for (let kj = 0; kj < KW; kj++) {
                const ix = ox * S - P + kj;
                if (ix < 0 || ix >= W) continue;
                s += w[((f * C + c) * KH + ki) * KW + kj]! * x[((n * C + c) * H + iy) * W + ix]!;
              }
            }
          }
          y[((n * F + f) * OH + oy) * OW + ox] = s;
        }
      }
    }
  }
}

/**
 * Adds the conv2d VJP into dx, dw, db (each optional).
 *
 * @example
 * ```ts
 * conv2dBackwardReference(geometry, x, w, dy, dx, dw, db);
 * ```
 */
export function conv2dBackwardReference(
  g: ConvGeometry,
  x: TypedData,
  w: TypedData,
  dy: TypedData,
  dx: TypedData | null,
  dw: TypedData | null,
  db: TypedData | null,
): void {
  const { batch, channels: C, height: H, width: W, filters: F, kernelH: KH, kernelW: KW, stride: S, padding: P, outH: OH, outW: OW } = g;
  for (let n = 0; n < batch; n++) {
    for (let f = 0; f < F; f++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          const gv = dy[((n * F + f) * OH + oy) * OW + ox]!;
          if (db) db[f] = db[f]! + gv;
          for (let c = 0; c < C; c++) {
            for (let ki = 0; ki < KH; ki++) {
              const iy = oy * S - P + ki;
              if (iy < 0 || iy >= H) continue;
              for (let kj = 0; kj < KW; kj++) {
                const ix = ox * S - P + kj;
                if (ix < 0 || ix >= W) continue;
                const wi = ((f * C + c) * KH + ki) * KW + kj;
                const xi = ((n * C + c) * H + iy) * W + ix;
                if (dw) dw[wi] = dw[wi]! + gv * x[xi]!;
                if (dx) dx[xi] = dx[xi]! + gv * w[wi]!;
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Average (`avg`) or max pooling forward, no padding, floor mode. Overwrites y.
 * Max: NaN propagates; ties keep the first element in row-major window order.
 *
 * @example
 * ```ts
 * poolForwardReference('max', geometry, x, y);
 * ```
 */
export function poolForwardReference(kind: 'avg' | 'max', g: ConvGeometry, x: TypedData, y: TypedData): void {
  const { batch, channels: C, height: H, width: W, kernelH: KH, kernelW: KW, stride: S, outH: OH, outW: OW } = g;
  for (let pl = 0; pl < batch * C; pl++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let acc = kind === 'avg' ? 0 : x[(pl * H + oy * S) * W + ox * S]!;
        for (let ki = 0; ki < KH; ki++) {
          for (let kj = 0; kj < KW; kj++) {
            const v = x[(pl * H + oy * S + ki) * W + ox * S + kj]!;
            if (kind === 'avg') acc += v;
            else if (v > acc || Number.isNaN(v)) acc = v;
          }
        }
        y[(pl * OH + oy) * OW + ox] = kind === 'avg' ? acc / (KH * KW) : acc;
      }
    }
  }
}

/**
 * Adds the pooling VJP into dx. Max pooling sends each output's gradient to
 * the first maximum of its window (row-major order).
 *
 * @example
 * ```ts
 * poolBackwardReference('avg', geometry, x, dy, dx);
 * ```
 */
export function poolBackwardReference(kind: 'avg' | 'max', g: ConvGeometry, x: TypedData, dy: TypedData, dx: TypedData): void {
  const { batch, channels: C, height: H, width: W, kernelH: KH, kernelW: KW, stride: S, outH: OH, outW: OW } = g;
  for (let pl = 0; pl < batch * C; pl++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const gv = dy[(pl * OH + oy) * OW + ox]!;
        if (kind === 'avg') {
          const share = gv / (KH * KW);
          for (let ki = 0; ki < KH; ki++) {
            for (let kj = 0; kj < KW; kj++) {
              const i = (pl * H + oy * S + ki) * W + ox * S + kj;
              dx[i] = dx[i]! + share;
            }
          }
        } else {
          let best = (pl * H + oy * S) * W + ox * S;
          let m = x[best]!;
          for (let ki = 0; ki < KH; ki++) {
            for (let kj = 0; kj < KW; kj++) {
              const i = (pl * H + oy * S + ki) * W + ox * S + kj;
              if (x[i]! > m) {
                m = x[i]!;
                best = i;
              }
            }
          }
          dx[best] = dx[best]! + gv;
        }
      }
    }
  }
}
