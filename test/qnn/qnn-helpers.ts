/**
 * Shared pieces of the QNN-layer suites: the engine, tolerances keyed by
 * gradient method, an independent central-difference VJP, seeded random
 * readouts and small array helpers.
 *
 * The central difference here is the test's OWN: it only calls
 * `layer.forward` at perturbed parameters/inputs, so it shares nothing with
 * the layer's `finite-diff` backward beyond the forward pass.
 */
import { expect } from 'vitest';
import type { ComplexMatrix } from '../../sdk/circuit/matrix.js';
import type { RowsMatrix } from '../../sdk/circuit/circuit.js';
import { createKernel, type Kernel } from '../../sdk/kernel/kernel.js';
import { QNNLayer, type DiffMethod, type MeasurementConfig, type QNNGradients, type QNNLayerConfig } from '../../sdk/qnn/qnn-layer.js';
import type { ErrorCode } from '../../sdk/errors.js';
import { expectQDistillErrorValue, thrownBy } from '../helpers/errors.js';
import { Random, randomHermitian } from '../helpers/random.js';
import { requestedBuild } from '../helpers/engine.js';
import { expectArrayClose } from '../helpers/tolerance.js';

export const DIFF_METHODS: readonly DiffMethod[] = ['adjoint', 'parameter-shift', 'finite-diff'];

/** A kernel of the build the environment asks for (debug under vitest: engine asserts on). */
export async function testKernel(): Promise<Kernel> {
  const kernel = await createKernel({ build: requestedBuild() });
  expect(kernel.build, 'the QNN suites run on the requested engine build').toBe(requestedBuild());
  return kernel;
}

/**
 * What a gradient entry is, for tolerances: parameter-shift rules cannot
 * differentiate a state preparation, so the layer takes those by central
 * differences (and the observable parameters by an exact-in-theory central
 * difference of a linear function).
 */
export type GradientQuantity = 'weights' | 'angle-inputs' | 'prep-inputs' | 'observable-params';

/** Which way a gradient was obtained; `central-difference` is this suite's own check. */
export type GradientSource = DiffMethod | 'central-difference';

/** Central-difference step of {@link centralDifferenceVjp}. */
export const TEST_FD_STEP = 1e-5;

/**
 * Absolute tolerance (times max(1, |value|)) for a gradient from `source`
 * against the exact one:
 * - analytic (adjoint; parameter-shift on shift-rule slots): 1e-8 — rounding only
 *   (observed ≤ 1e-14);
 * - central differences (the layer's `finite-diff` with h = 1e-6, parameter-shift's
 *   fallback for preparation inputs, this suite's own with h = 1e-5):
 *   truncation O(h²·f''') plus rounding O(ε·|f|/h): 1e-6.
 */
export function gradientTolerance(source: GradientSource, quantity: GradientQuantity): number {
  switch (source) {
    case 'adjoint':
      return 1e-8;
    case 'parameter-shift':
      return quantity === 'prep-inputs' ? 1e-6 : 1e-8;
    case 'finite-diff':
    case 'central-difference':
      return 1e-6;
    default: {
      const never: never = source;
      throw new Error(`gradientTolerance: unknown source ${String(never)}`);
    }
  }
}

/** Asserts `actual` ≈ `expected` with an absolute tolerance scaled by max(1, |expected|_∞). */
export function expectGradClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  expectArrayClose(actual, expected, tol * scale, what);
}

/** Σ_i a_i·b_i. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * The VJP by this suite's own central differences: L(θ, x) = Σ g·forward(x; θ),
 * dL/dθ_i ≈ (L(θ + h e_i) − L(θ − h e_i)) / 2h for every parameter (weights
 * then observable parameters) and every input entry in `inputIndices` (per
 * sample; default all). Leaves the layer's parameters as they were.
 */
export function centralDifferenceVjp(
  layer: QNNLayer,
  inputs: ArrayLike<number>,
  batch: number,
  upstream: ArrayLike<number>,
  options: { step?: number; inputIndices?: readonly number[] } = {},
): QNNGradients {
  const h = options.step ?? TEST_FD_STEP;
  const saved = layer.getParams();
  const x = Float64Array.from(inputs);
  const loss = (p: Float64Array, xs: Float64Array): number => dot(upstream, layer.forward(xs, batch, p));
  const params = new Float64Array(saved.length);
  for (let i = 0; i < saved.length; i++) {
    const p = saved.slice();
    p[i] = saved[i]! + h;
    const plus = loss(p, x);
    p[i] = saved[i]! - h;
    const minus = loss(p, x);
    params[i] = (plus - minus) / (2 * h);
  }
  layer.setParams(saved);
  const per = layer.numInputs;
  const indices = options.inputIndices ?? Array.from({ length: per }, (_, j) => j);
  const grads = new Float64Array(batch * per);
  const nOut = layer.numOutputs;
  for (const j of indices) {
    const xp = x.slice();
    const xm = x.slice();
    for (let b = 0; b < batch; b++) {
      xp[b * per + j] = x[b * per + j]! + h;
      xm[b * per + j] = x[b * per + j]! - h;
    }
    const plus = layer.forward(xp, batch);
    const minus = layer.forward(xm, batch);
    for (let b = 0; b < batch; b++) {
      let s = 0;
      for (let o = 0; o < nOut; o++) s += upstream[b * nOut + o]! * (plus[b * nOut + o]! - minus[b * nOut + o]!);
      grads[b * per + j] = s / (2 * h);
    }
  }
  return { inputs: grads, params };
}

/** A gradient check: a layer config, a batch of inputs, and which inputs are differentiable and how. */
export interface GradientProblem {
  readonly config: QNNLayerConfig;
  readonly inputs: Float64Array;
  readonly batch: number;
  /** Which input entries (per sample) are differentiable, and how the layer differentiates them. */
  readonly inputQuantity: GradientQuantity;
  readonly inputIndices?: readonly number[];
  /** Also check against this suite's own central difference (off when forward would reject perturbed inputs). */
  readonly ownFiniteDifference?: boolean;
}

/**
 * Runs every backward method on the same problem (same parameters, inputs and
 * upstream), and checks each against the adjoint and the adjoint against the
 * suite's central difference. Returns the adjoint gradients.
 */
export function checkAllMethods(kernel: Kernel, problem: GradientProblem, seed: number, label: string): QNNGradients {
  const rng = new Random(seed);
  const results = new Map<DiffMethod, QNNGradients>();
  let params: Float64Array | undefined;
  let upstream: Float64Array | undefined;
  let numWeights = 0;
  let fd: QNNGradients | undefined;
  for (const method of DIFF_METHODS) {
    const layer = new QNNLayer({ ...problem.config, diffMethod: method }, kernel);
    try {
      numWeights = layer.numWeights;
      // The same random parameters for every method (not the initialiser's, so observable parameters move too).
      params ??= Float64Array.from(layer.getParams(), (v, i) => (i < layer.numWeights ? rng.range(-Math.PI, Math.PI) : v + rng.range(-0.5, 0.5)));
      upstream ??= randomArray(rng, problem.batch * layer.numOutputs, -1, 1);
      layer.setParams(params);
      layer.forward(problem.inputs, problem.batch);
      results.set(method, layer.backward(upstream));
      if (method === 'adjoint' && problem.ownFiniteDifference !== false) {
        fd = centralDifferenceVjp(layer, problem.inputs, problem.batch, upstream, problem.inputIndices ? { inputIndices: problem.inputIndices } : {});
      }
    } finally {
      layer.dispose();
    }
  }
  const adjoint = results.get('adjoint')!;
  const compare = (source: GradientSource, got: QNNGradients): void => {
    expectGradClose(got.params.subarray(0, numWeights), adjoint.params.subarray(0, numWeights), gradientTolerance(source, 'weights'), `${label}: ${source} ∂L/∂weights vs adjoint`);
    expectGradClose(got.params.subarray(numWeights), adjoint.params.subarray(numWeights), gradientTolerance(source, 'observable-params'), `${label}: ${source} ∂L/∂(observable params) vs adjoint`);
    const idx = problem.inputIndices;
    const pick = (g: Float64Array): Float64Array => {
      if (!idx) return g;
      const per = g.length / problem.batch;
      return Float64Array.from({ length: problem.batch * idx.length }, (_, i) => g[Math.floor(i / idx.length) * per + idx[i % idx.length]!]!);
    };
    expectGradClose(pick(got.inputs), pick(adjoint.inputs), gradientTolerance(source, problem.inputQuantity), `${label}: ${source} ∂L/∂inputs vs adjoint`);
  };
  if (fd) compare('central-difference', fd);
  compare('parameter-shift', results.get('parameter-shift')!);
  compare('finite-diff', results.get('finite-diff')!);
  return adjoint;
}

/** Runs forward then backward on a fresh layer; returns outputs, gradients and the layer (disposed by the caller). */
export function forwardBackward(
  config: QNNLayerConfig,
  kernel: Kernel,
  params: ArrayLike<number> | undefined,
  inputs: ArrayLike<number>,
  batch: number,
  upstream: ArrayLike<number>,
): { layer: QNNLayer; outputs: Float64Array; grads: QNNGradients } {
  const layer = new QNNLayer(config, kernel);
  if (params) layer.setParams(params);
  const outputs = layer.forward(inputs, batch);
  const grads = layer.backward(upstream);
  return { layer, outputs, grads };
}

/** `{ re: rows, im: rows }` of a matrix (the form a layer config takes). */
export function toRows(m: ComplexMatrix): RowsMatrix {
  const rows = (a: Float64Array): number[][] => Array.from({ length: m.dim }, (_, r) => Array.from(a.subarray(r * m.dim, (r + 1) * m.dim)));
  return { re: rows(m.re), im: rows(m.im) };
}

/** A random Hermitian matrix on `k` wires in config form. */
export function randomHermitianRows(rng: Random, k: number): RowsMatrix {
  return toRows(randomHermitian(rng, 1 << k));
}

/**
 * One readout of every kind a layer supports on ≥ 3 qubits: Pauli words
 * (X, Y, a multi-wire word, ⟨Z⟩ on a subset), fixed Hermitians on 1 and 2
 * wires (wires out of order), trainable Hermitians in both parametrisations,
 * probabilities of all wires and of a subset with fewer classes than outcomes.
 */
export function everyReadout(rng: Random, numQubits: number): Record<string, MeasurementConfig> {
  const last = numQubits - 1;
  return {
    'Pauli X': { type: 'expval', observable: `X${last}` },
    'Pauli Y': { type: 'expval', observable: 'Y1' },
    'Pauli word on 3 wires': { type: 'expval', observable: `Z0 X${last} Y1` },
    '<Z> on a wire subset': { type: 'expvalZ', wires: [last, 0] },
    '<Z_i Z_j> on a ring': { type: 'expvalZZ', pairs: 'ring' },
    'fixed 1-qubit Hermitian': { type: 'hermitian', wires: [1], matrix: randomHermitianRows(rng, 1) },
    'fixed 2-qubit Hermitian': { type: 'hermitian', wires: [last, 0], matrix: randomHermitianRows(rng, 2) },
    "trainable Hermitian ('A')": { type: 'hermitian', wires: [0], trainable: true, parametrization: 'A', matrix: randomHermitianRows(rng, 1) },
    "trainable Hermitian ('pauli')": { type: 'hermitian', wires: [last], trainable: true, parametrization: 'pauli', matrix: randomHermitianRows(rng, 1) },
    'probs of all wires': { type: 'probs' },
    'probs of a subset, classes < 2^k': { type: 'probs', wires: [last, 0], classes: 3 },
  };
}

/** Random numbers in [low, high). */
export function randomArray(rng: Random, length: number, low = -1, high = 1): Float64Array {
  return Float64Array.from({ length }, () => rng.range(low, high));
}

/** Asserts `fn` throws a QDistillError with `code` and a message matching every pattern. */
export function expectQError(fn: () => unknown, code: string, ...patterns: RegExp[]): void {
  expectQDistillErrorValue(thrownBy(fn), code as ErrorCode, ...patterns);
}

/** Bitwise equality of two float arrays (distinguishes −0 and +0, NaN never equal). */
export function expectBitwiseEqual(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      expect.fail(`${what}: entry ${i} is ${actual[i]}, expected bit-for-bit ${expected[i]} (diff ${actual[i]! - expected[i]!})`);
    }
  }
}
