/**
 * Convolution and pooling over NCHW tensors. float32 runs in the
 * WebAssembly kernels (im2col + SIMD gemm, one call per batch), float64 in
 * the float64 WebAssembly kernels after `nn.init()` (the reference loops'
 * bits) or in the direct reference loops.
 *
 * @packageDocumentation
 */
import { QDistillError } from '../../errors.js';
import * as backend from '../backend.js';
import type { ConvGeometry } from '../reference.js';
import { allocData, assertSameDtype, formatShape, record, Tensor } from '../tensor.js';

/** Options of {@link conv2d}. */
export interface Conv2dOptions {
  /** Step between windows (default 1). */
  stride?: number;
  /** Zero padding on every side (default 0). */
  padding?: number;
}

function positiveInt(where: string, name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) {
    throw new QDistillError('E_INVALID_ARGUMENT', `${where}: ${name} must be an integer ≥ ${min}, got ${v}`);
  }
}

function outSize(where: string, inSize: number, k: number, stride: number, pad: number, what: string, xShape: readonly number[]): number {
  const o = Math.floor((inSize + 2 * pad - k) / stride) + 1;
  if (o < 1) {
    throw new QDistillError(
      'E_SHAPE',
      `${where}: input ${formatShape(xShape)} is too small: ${what} ${inSize} with padding ${pad} is smaller than the kernel ${k}`,
    );
  }
  return o;
}

/**
 * 2-D cross-correlation (PyTorch `conv2d`): x `[N, C, H, W]`, w `[F, C, kH, kW]`,
 * b `[F]` → `[N, F, oH, oW]` with oH = ⌊(H + 2p − kH)/s⌋ + 1.
 *
 * @throws E_SHAPE naming `where` and the shapes on rank, channel or size mismatch
 * @example
 * ```ts
 * conv2d(x, weight, bias, { stride: 1, padding: 2 });
 * ```
 */
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null = null, options: Conv2dOptions = {}, where = 'conv2d'): Tensor {
  const dtype = assertSameDtype(where, b ? [x, w, b] : [x, w]);
  const stride = options.stride ?? 1;
  const padding = options.padding ?? 0;
  positiveInt(where, 'stride', stride);
  positiveInt(where, 'padding', padding, 0);
  if (w.rank !== 4) throw new QDistillError('E_SHAPE', `${where}: weight must be [F, C, kH, kW], got ${formatShape(w.shape)}`);
  const [F, C, KH, KW] = w.shape as [number, number, number, number];
  if (x.rank !== 4 || x.shape[1] !== C) {
    throw new QDistillError('E_SHAPE', `${where}: expected input [N, ${C}, H, W], got ${formatShape(x.shape)}`);
  }
  if (b && (b.rank !== 1 || b.shape[0] !== F)) {
    throw new QDistillError('E_SHAPE', `${where}: bias must be [${F}], got ${formatShape(b.shape)}`);
  }
  const [N, , H, W] = x.shape as [number, number, number, number];
  const g: ConvGeometry = {
    batch: N,
    channels: C,
    height: H,
    width: W,
    filters: F,
    kernelH: KH,
    kernelW: KW,
    stride,
    padding,
    outH: outSize(where, H, KH, stride, padding, 'height', x.shape),
    outW: outSize(where, W, KW, stride, padding, 'width', x.shape),
  };
  const y = new Tensor(allocData(dtype, N * F * g.outH * g.outW), [N, F, g.outH, g.outW]);
  backend.conv2dForward(g, x.data, w.data, b ? b.data : null, y.data);
  return record('conv2d', b ? [x, w, b] : [x, w], y, (gy, sink) => {
    backend.conv2dBackward(g, x.data, w.data, gy, sink(0), sink(1), b ? sink(2) : null);
  });
}

/** Options of {@link avgPool2d} and {@link maxPool2d}. */
export interface Pool2dOptions {
  /** Window size (square). */
  kernelSize: number;
  /** Step (default `kernelSize`). */
  stride?: number;
}

function pool(kind: 'avg' | 'max', x: Tensor, options: Pool2dOptions, where: string): Tensor {
  const k = options.kernelSize;
  const stride = options.stride ?? k;
  positiveInt(where, 'kernelSize', k);
  positiveInt(where, 'stride', stride);
  if (x.rank !== 4) throw new QDistillError('E_SHAPE', `${where}: expected input [N, C, H, W], got ${formatShape(x.shape)}`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const g: ConvGeometry = {
    batch: N,
    channels: C,
    height: H,
    width: W,
    filters: C,
    kernelH: k,
    kernelW: k,
    stride,
    padding: 0,
    outH: outSize(where, H, k, stride, 0, 'height', x.shape),
    outW: outSize(where, W, k, stride, 0, 'width', x.shape),
  };
  const y = new Tensor(allocData(x.dtype, N * C * g.outH * g.outW), [N, C, g.outH, g.outW]);
  backend.poolForward(kind, g, x.data, y.data);
  return record(`${kind}Pool2d`, [x], y, (gy, sink) => {
    const gx = sink(0);
    if (gx) backend.poolBackward(kind, g, x.data, gy, gx);
  });
}

/**
 * Average pooling (no padding, floor mode) over NCHW.
 *
 * @example
 * ```ts
 * avgPool2d(zeros([1, 6, 24, 24]), { kernelSize: 2 }).shape; // [1, 6, 12, 12]
 * ```
 */
export function avgPool2d(x: Tensor, options: Pool2dOptions, where = 'avgPool2d'): Tensor {
  return pool('avg', x, options, where);
}

/**
 * Max pooling (no padding, floor mode) over NCHW. The gradient goes to the
 * first maximum of each window.
 *
 * @example
 * ```ts
 * maxPool2d(zeros([1, 6, 28, 28]), { kernelSize: 2 }).shape; // [1, 6, 14, 14]
 * ```
 */
export function maxPool2d(x: Tensor, options: Pool2dOptions, where = 'maxPool2d'): Tensor {
  return pool('max', x, options, where);
}
