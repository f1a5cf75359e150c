/**
 * Elementwise ops: unary functions and activations, and the four arithmetic
 * ops with NumPy broadcasting. Each op's forward and VJP sit side by side.
 *
 * @packageDocumentation
 */
import { QDistillError } from '../../errors.js';
import { activationBackward, activationForward } from '../backend.js';
import { allocData, assertSameDtype, record, Tensor, type DType, type TypedData } from '../tensor.js';
import { broadcastMap, broadcastShapes } from './indexing.js';
import * as pm from '../../util/portable-math.js';

function like(x: Tensor, data?: TypedData): Tensor {
  return new Tensor(data ?? allocData(x.dtype, x.size), x.shape);
}

/**
 * A constant scalar tensor of `dtype` (no gradient).
 *
 * @example
 * ```ts
 * scalar(2, 'float64');
 * ```
 */
export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  const d = allocData(dtype, 1);
  d[0] = value;
  return new Tensor(d, []);
}

function asTensor(v: Tensor | number, dtype: DType): Tensor {
  return typeof v === 'number' ? scalar(v, dtype) : v;
}

// ---------------------------------------------------------------------------
// Unary

/**
 * −x.
 *
 * @example
 * ```ts
 * neg(tensor([1, -2])).toArray(); // [-1, 2]
 * ```
 */
export function neg(x: Tensor): Tensor {
  const y = like(x);
  const xd = x.data;
  const yd = y.data;
  for (let i = 0; i < xd.length; i++) yd[i] = -xd[i]!;
  return record('neg', [x], y, (g, sink) => {
    const gx = sink(0);
    if (gx) for (let i = 0; i < g.length; i++) gx[i]! -= g[i]!;
  });
}

/**
 * eˣ.
 *
 * @example
 * ```ts
 * exp(tensor([0])).item(); // 1
 * ```
 */
export function exp(x: Tensor): Tensor {
  const y = like(x);
  const xd = x.data;
  const yd = y.data;
  for (let i = 0; i < xd.length; i++) yd[i] = pm.exp(xd[i]!);
  return record('exp', [x], y, (g, sink) => {
    const gx = sink(0);
    if (gx) for (let i = 0; i < g.length; i++) gx[i]! += g[i]! * yd[i]!;
  });
}

/**
 * Natural logarithm (log 0 = −∞; VJP g/x).
 *
 * @example
 * ```ts
 * log(tensor([Math.E])).item(); // ≈ 1
 * ```
 */
export function log(x: Tensor): Tensor {
  const y = like(x);
  const xd = x.data;
  const yd = y.data;
  for (let i = 0; i < xd.length; i++) yd[i] = pm.log(xd[i]!);
  return record('log', [x], y, (g, sink) => {
    const gx = sink(0);
    if (gx) for (let i = 0; i < g.length; i++) gx[i]! += g[i]! / xd[i]!;
  });
}

/**
 * √x.
 *
 * @example
 * ```ts
 * sqrt(tensor([4])).item(); // 2
 * ```
 */
export function sqrt(x: Tensor): Tensor {
  const y = like(x);
  const xd = x.data;
  const yd = y.data;
  for (let i = 0; i < xd.length; i++) yd[i] = Math.sqrt(xd[i]!);
  return record('sqrt', [x], y, (g, sink) => {
    const gx = sink(0);
    if (gx) for (let i = 0; i < g.length; i++) gx[i]! += g[i]! / (2 * yd[i]!);
  });
}

/**
 * x².
 *
 * @example
 * ```ts
 * square(tensor([3])).item(); // 9
 * ```
 */
export function square(x: Tensor): Tensor {
  const y = like(x);
  const xd = x.data;
  const yd = y.data;
  for (let i = 0; i < xd.length; i++) yd[i] = xd[i]! * xd[i]!;
  return record('square', [x], y, (g, sink) => {
    const gx = sink(0);
    if (gx) for (let i = 0; i < g.length; i++) gx[i]! += 2 * g[i]! * xd[i]!;
  });
}

/**
 * sin x.
 *
 * @example
 * ```ts
 * sin(tensor([0])).item(); // 0
 * ```
 */
export function sin(x: Tensor): Tensor {
  const y = like(x);
  const xd = x.data;
  const yd = y.data;
  for (let i = 0; i < xd.length; i++) yd[i] = pm.sin(xd[i]!);
  return record('sin', [x], y, (g, sink) => {
    const gx = sink(0);
    if (gx) for (let i = 0; i < g.length; i++) gx[i]! += g[i]! * pm.cos(xd[i]!);
  });
}

/**
 * cos x.
 *
 * @example
 * ```ts
 * cos(tensor([0])).item(); // 1
 * ```
 */
export function cos(x: Tensor): Tensor {
  const y = like(x);
  const xd = x.data;
  const yd = y.data;
  for (let i = 0; i < xd.length; i++) yd[i] = pm.cos(xd[i]!);
  return record('cos', [x], y, (g, sink) => {
    const gx = sink(0);
    if (gx) for (let i = 0; i < g.length; i++) gx[i]! -= g[i]! * pm.sin(xd[i]!);
  });
}

/**
 * max(x, 0) (NaN stays NaN). The VJP passes the gradient where x > 0 (0 at x = 0, like PyTorch).
 *
 * @example
 * ```ts
 * relu(tensor([-1, 2])).toArray(); // [0, 2]
 * ```
 */
export function relu(x: Tensor): Tensor {
  const y = like(x);
  const xd = x.data;
  const yd = y.data;
  // float32: branch-free SIMD kernel in WebAssembly; float64: this loop defines it.
  if (!activationForward('relu', xd, yd)) {
    for (let i = 0; i < xd.length; i++) {
      const v = xd[i]!;
      yd[i] = v > 0 || v !== v ? v : 0;
    }
  }
  return record('relu', [x], y, (g, sink) => {
    const gx = sink(0);
    if (gx && !activationBackward('relu', xd, g, gx)) for (let i = 0; i < g.length; i++) if (xd[i]! > 0) gx[i]! += g[i]!;
  });
}

/**
 * tanh x (VJP g·(1 − y²)). float32 on the WebAssembly backend uses a SIMD
 * rational approximation (Eigen's float32 tanh, relative error ≤ 4e-7);
 * float64 uses the portable tanh (bit-identical in every engine).
 *
 * @example
 * ```ts
 * tanh(tensor([0])).item(); // 0
 * ```
 */
export function tanh(x: Tensor): Tensor {
  const y = like(x);
  const xd = x.data;
  const yd = y.data;
  if (!activationForward('tanh', xd, yd)) for (let i = 0; i < xd.length; i++) yd[i] = pm.tanh(xd[i]!);
  return record('tanh', [x], y, (g, sink) => {
    const gx = sink(0);
    if (gx && !activationBackward('tanh', yd, g, gx)) {
      for (let i = 0; i < g.length; i++) {
        const t = yd[i]!;
        gx[i]! += g[i]! * (1 - t * t);
      }
    }
  });
}

/**
 * 1/(1 + e⁻ˣ), computed without overflow (VJP g·y·(1 − y)).
 *
 * @example
 * ```ts
 * sigmoid(tensor([0])).item(); // 0.5
 * ```
 */
export function sigmoid(x: Tensor): Tensor {
  const y = like(x);
  const xd = x.data;
  const yd = y.data;
  for (let i = 0; i < xd.length; i++) {
    const v = xd[i]!;
    if (v >= 0) yd[i] = 1 / (1 + pm.exp(-v));
    else {
      const e = pm.exp(v);
      yd[i] = e / (1 + e);
    }
  }
  return record('sigmoid', [x], y, (g, sink) => {
    const gx = sink(0);
    if (gx) {
      for (let i = 0; i < g.length; i++) {
        const s = yd[i]!;
        gx[i]! += g[i]! * s * (1 - s);
      }
    }
  });
}

/**
 * x · c for a constant c (no broadcasting needed).
 *
 * @example
 * ```ts
 * scale(tensor([1, 2]), 3).toArray(); // [3, 6]
 * ```
 */
export function scale(x: Tensor, c: number): Tensor {
  const y = like(x);
  const xd = x.data;
  const yd = y.data;
  for (let i = 0; i < xd.length; i++) yd[i] = xd[i]! * c;
  return record('scale', [x], y, (g, sink) => {
    const gx = sink(0);
    if (gx) for (let i = 0; i < g.length; i++) gx[i]! += g[i]! * c;
  });
}

// ---------------------------------------------------------------------------
// Binary with broadcasting

type BinaryKind = 'add' | 'sub' | 'mul' | 'div';

function binary(op: BinaryKind, aIn: Tensor | number, bIn: Tensor | number): Tensor {
  if (typeof aIn === 'number' && typeof bIn === 'number') {
    throw new QDistillError('E_INVALID_ARGUMENT', `${op}: at least one operand must be a Tensor, got two numbers`);
  }
  const dtype = typeof aIn === 'number' ? (bIn as Tensor).dtype : aIn.dtype;
  const a = asTensor(aIn, dtype);
  const b = asTensor(bIn, dtype);
  assertSameDtype(op, [a, b]);
  const outShape = broadcastShapes(op, a.shape, b.shape);
  const ma = broadcastMap(a.shape, outShape);
  const mb = broadcastMap(b.shape, outShape);
  const y = new Tensor(allocData(dtype, a.size === 0 || b.size === 0 ? 0 : outShape.reduce((p, d) => p * d, 1)), outShape);
  const ad = a.data;
  const bd = b.data;
  const yd = y.data;
  const n = yd.length;
  switch (op) {
    case 'add':
      for (let i = 0; i < n; i++) yd[i] = ad[ma ? ma[i]! : i]! + bd[mb ? mb[i]! : i]!;
      break;
    case 'sub':
      for (let i = 0; i < n; i++) yd[i] = ad[ma ? ma[i]! : i]! - bd[mb ? mb[i]! : i]!;
      break;
    case 'mul':
      for (let i = 0; i < n; i++) yd[i] = ad[ma ? ma[i]! : i]! * bd[mb ? mb[i]! : i]!;
      break;
    case 'div':
      for (let i = 0; i < n; i++) yd[i] = ad[ma ? ma[i]! : i]! / bd[mb ? mb[i]! : i]!;
      break;
    default:
      throw unreachableOp(op);
  }
  return record(op, [a, b], y, (g, sink) => {
    const ga = sink(0);
    const gb = sink(1);
    // The VJP of a broadcast read is a sum back into the read element.
    if (ga) {
      switch (op) {
        case 'add':
        case 'sub':
          for (let i = 0; i < n; i++) ga[ma ? ma[i]! : i]! += g[i]!;
          break;
        case 'mul':
          for (let i = 0; i < n; i++) ga[ma ? ma[i]! : i]! += g[i]! * bd[mb ? mb[i]! : i]!;
          break;
        case 'div':
          for (let i = 0; i < n; i++) ga[ma ? ma[i]! : i]! += g[i]! / bd[mb ? mb[i]! : i]!;
          break;
        default:
          throw unreachableOp(op);
      }
    }
    if (gb) {
      switch (op) {
        case 'add':
          for (let i = 0; i < n; i++) gb[mb ? mb[i]! : i]! += g[i]!;
          break;
        case 'sub':
          for (let i = 0; i < n; i++) gb[mb ? mb[i]! : i]! -= g[i]!;
          break;
        case 'mul':
          for (let i = 0; i < n; i++) gb[mb ? mb[i]! : i]! += g[i]! * ad[ma ? ma[i]! : i]!;
          break;
        case 'div':
          for (let i = 0; i < n; i++) {
            const bv = bd[mb ? mb[i]! : i]!;
            gb[mb ? mb[i]! : i]! -= (g[i]! * yd[i]!) / bv;
          }
          break;
        default:
          throw unreachableOp(op);
      }
    }
  });
}

function unreachableOp(op: never): Error {
  return new QDistillError('E_INVALID_ARGUMENT', `binary op: unexpected kind ${String(op)}`);
}

/**
 * a + b with NumPy broadcasting (either may be a number).
 *
 * @throws E_SHAPE when the shapes do not broadcast (both shapes named)
 * @example
 * ```ts
 * add(tensor([[1, 2], [3, 4]]), tensor([10, 20])).toArray(); // [11, 22, 13, 24]
 * ```
 */
export function add(a: Tensor | number, b: Tensor | number): Tensor {
  return binary('add', a, b);
}

/**
 * a − b with broadcasting.
 *
 * @example
 * ```ts
 * sub(tensor([3, 4]), 1).toArray(); // [2, 3]
 * ```
 */
export function sub(a: Tensor | number, b: Tensor | number): Tensor {
  return binary('sub', a, b);
}

/**
 * a ⊙ b (elementwise) with broadcasting.
 *
 * @example
 * ```ts
 * mul(tensor([1, 2]), tensor([3, 4])).toArray(); // [3, 8]
 * ```
 */
export function mul(a: Tensor | number, b: Tensor | number): Tensor {
  return binary('mul', a, b);
}

/**
 * a / b (elementwise) with broadcasting.
 *
 * @example
 * ```ts
 * div(tensor([1, 2]), 2).toArray(); // [0.5, 1]
 * ```
 */
export function div(a: Tensor | number, b: Tensor | number): Tensor {
  return binary('div', a, b);
}
