/**
 * Templates with PennyLane's exact decompositions and weight shapes:
 * AmplitudeEmbedding, AngleEmbedding, BasisEmbedding,
 * StronglyEntanglingLayers, BasicEntanglerLayers.
 *
 * Weights may be numbers or symbolic references ({@link weight}, {@link input});
 * nested arrays follow PennyLane's shapes, flat arrays its row-major order.
 */
import { QDistillError, assertFinite } from '../errors.js';
import { checkWireList, type Circuit } from './circuit.js';
import { weight, type ParamSource } from './params.js';

type Nested = ParamSource | readonly Nested[];

function flatten(values: Nested | ArrayLike<ParamSource>, where: string): ParamSource[] {
  const out: ParamSource[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'number' || (typeof v === 'object' && v !== null && ('weight' in v || 'input' in v))) {
      out.push(v as ParamSource);
    } else if (typeof v === 'object' && v !== null && 'length' in v) {
      for (let i = 0; i < (v as ArrayLike<unknown>).length; i++) walk((v as ArrayLike<unknown>)[i]);
    } else {
      throw new QDistillError('E_INVALID_ARGUMENT', `${where}: weights must be numbers or weight/input references, got ${JSON.stringify(v)}`);
    }
  };
  walk(values);
  return out;
}

/**
 * For nested (array-of-arrays) weights, checks every level's length against
 * `expected` (null = any); flat arrays are checked by their total length.
 */
function checkNestedShape(values: unknown, expected: readonly (number | null)[], where: string, text: string): void {
  if (!Array.isArray(values) || !Array.isArray(values[0])) return;
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === expected.length) {
      if (Array.isArray(v)) throw new QDistillError('E_SHAPE', `${where}: weights must have shape ${text}; ${path} is nested deeper`);
      return;
    }
    if (!Array.isArray(v)) throw new QDistillError('E_SHAPE', `${where}: weights must have shape ${text}; ${path || 'weights'} is not an array`);
    const want = expected[depth];
    if (want !== null && want !== undefined && v.length !== want) {
      throw new QDistillError('E_SHAPE', `${where}: weights must have shape ${text}; ${path || 'weights'} has length ${v.length}, expected ${want}`);
    }
    v.forEach((item, i) => walk(item, depth + 1, `${path}[${i}]`));
  };
  walk(values, 0, '');
}

function defaultWires(circuit: Circuit, wires: readonly number[] | undefined): number[] {
  return wires ? [...wires] : Array.from({ length: circuit.numQubits }, (_, i) => i);
}

/** `count` consecutive trainable-weight references starting at `offset`. */
export function weightRefs(count: number, offset = 0): ParamSource[] {
  return Array.from({ length: count }, (_, i) => weight(offset + i));
}

/** Options of {@link amplitudeEmbedding}. */
export interface AmplitudeEmbeddingOptions {
  wires?: readonly number[];
  /** Pad value for fewer than 2^k features (PennyLane `pad_with`); without it, the length must be exactly 2^k. */
  pad?: number;
  /** Divide by the L2 norm (after padding). Without it, the features must already have norm 1. */
  normalize?: boolean;
  /**
   * A constant amplitude c ≠ 0 appended after the features (and the norm
   * feature) before normalisation — not PennyLane's; needs `normalize`.
   * See {@link amplitudeEmbedding} for why.
   */
  bias?: number;
  /**
   * s > 0: append the norm feature s·‖x‖² after the features before
   * normalisation — not PennyLane's; needs `normalize`. See
   * {@link amplitudeEmbedding}.
   */
  normScale?: number;
}

/**
 * How many extra amplitudes an amplitude embedding appends after its
 * features: the norm feature and the bias, each if set.
 *
 * @example
 * ```ts
 * amplitudeExtraCount({ bias: 1, normScale: 0.1 }); // 2
 * ```
 */
export function amplitudeExtraCount(options: { bias?: number; normScale?: number }): number {
  return (options.normScale ? 1 : 0) + (options.bias ? 1 : 0);
}

/**
 * The vector an amplitude embedding normalises, before padding: the
 * features x, then s·‖x‖² if `normScale` = s is set, then the bias c if set.
 *
 * @example
 * ```ts
 * amplitudeVector([3, 4], { normScale: 0.1, bias: 1 }); // [3, 4, 2.5, 1]
 * ```
 */
export function amplitudeVector(features: ArrayLike<number>, options: { bias?: number; normScale?: number }): number[] {
  const out = Array.from(features);
  if (options.normScale) {
    let nx2 = 0;
    for (let i = 0; i < features.length; i++) nx2 += features[i]! * features[i]!;
    out.push(options.normScale * nx2);
  }
  if (options.bias) out.push(options.bias);
  return out;
}

/**
 * PennyLane `AmplitudeEmbedding(features, wires, pad_with, normalize)`: the
 * features become the amplitudes of the state. Must be the first operation.
 * `features` may be numbers, or `{ inputs: count, offset? }` to read them from
 * each sample's inputs in a QNN layer.
 *
 * Two extras (not PennyLane's) keep what normalisation throws away. The
 * embedded state is u = v/‖v‖ with v = [x, s·‖x‖² (normScale), c (bias), pad…]:
 *
 * - **bias c**: u = [x, c]/√(‖x‖² + c²). The features' weight in the state,
 *   ‖x‖/√(‖x‖² + c²), and the bias amplitude c/√(‖x‖² + c²) now depend on
 *   ‖x‖; and a readout's overlap ⟨w|u⟩ = (w·x + w_c·c)/‖v‖ is affine in x,
 *   so |⟨w|u⟩|² no longer treats x and −x alike. A zero x embeds as the bias
 *   basis state instead of being an error. Choose c near a typical ‖x‖.
 * - **norm feature s·‖x‖²** (`normScale` = s): u = [x̂, s·‖x‖]/√(1 + s²‖x‖²),
 *   x̂ = x/‖x‖: the direction x̂ kept and one amplitude that grows with ‖x‖
 *   (saturating past ‖x‖ ≈ 1/s; choose s near 1/typical ‖x‖). Being ≥ 0
 *   beside ±x̂, it also tells x from −x (less so as ‖x‖ → 0, where it
 *   vanishes). It appends s·‖x‖², not s·‖x‖: [x, s·‖x‖]/‖·‖ = [x̂, s]/√(1 + s²)
 *   is the same for every ‖x‖ and would carry nothing.
 *
 * Both need `normalize` and numFeatures + extras ≤ 2^n. Gradients with
 * respect to x go through the normalisation and the norm feature
 * (∂v_F/∂x_j = 2s·x_j).
 *
 * @throws E_ZERO_VECTOR, E_TOO_MANY_FEATURES, E_NON_FINITE, E_SHAPE, E_INVALID_ARGUMENT (bias/normScale)
 * @example
 * ```ts
 * amplitudeEmbedding(new Circuit(2), [1, 2, 3], { pad: 0, normalize: true });
 * amplitudeEmbedding(new Circuit(2), [1, -2], { pad: 0, normalize: true, bias: 2 }); // [1, −2, 2, 0]/3
 * ```
 */
export function amplitudeEmbedding(
  circuit: Circuit,
  features: readonly number[] | ArrayLike<number> | { inputs: number; offset?: number },
  options: AmplitudeEmbeddingOptions = {},
): Circuit {
  const wires = defaultWires(circuit, options.wires);
  checkWireList(wires, circuit.numQubits, 'AmplitudeEmbedding');
  if (wires.length !== circuit.numQubits) {
    throw new QDistillError('E_UNSUPPORTED', `AmplitudeEmbedding: must cover all ${circuit.numQubits} wires, got [${wires.join(', ')}]`);
  }
  if (wires.some((w, i) => w !== i)) {
    throw new QDistillError('E_UNSUPPORTED', `AmplitudeEmbedding: wires must be 0..${circuit.numQubits - 1} in order, got [${wires.join(', ')}]`);
  }
  const dim = 1 << wires.length;
  const pad = options.pad;
  const normalize = options.normalize ?? false;
  if (pad !== undefined) assertFinite(pad, 'AmplitudeEmbedding pad');
  const extras = checkExtras(options, normalize);
  const numExtras = amplitudeExtraCount(extras);
  if ('inputs' in features && typeof features.inputs === 'number') {
    const count = features.inputs;
    checkFeatureCount(count, numExtras, dim, pad, wires.length);
    return circuit.setPrep({ kind: 'amplitude', wires, features: null, numFeatures: count, inputOffset: features.offset ?? 0, pad: pad ?? 0, normalize, ...extras });
  }
  const values = Array.from(features as ArrayLike<number>);
  checkFeatureCount(values.length, numExtras, dim, pad, wires.length);
  values.forEach((v, i) => assertFinite(v, `AmplitudeEmbedding feature ${i}`));
  prepareAmplitudes(values, dim, pad ?? 0, normalize, 'AmplitudeEmbedding', extras); // validates now, not at run time
  return circuit.setPrep({ kind: 'amplitude', wires, features: values, numFeatures: values.length, inputOffset: 0, pad: pad ?? 0, normalize, ...extras });
}

/** Validates bias/normScale; returns the ones that are set. */
function checkExtras(options: AmplitudeEmbeddingOptions, normalize: boolean): { bias?: number; normScale?: number } {
  const out: { bias?: number; normScale?: number } = {};
  if (options.bias !== undefined) {
    if (!(typeof options.bias === 'number' && Number.isFinite(options.bias) && options.bias !== 0)) {
      throw new QDistillError('E_INVALID_ARGUMENT', `AmplitudeEmbedding bias: expected a finite non-zero number, got ${options.bias}`);
    }
    out.bias = options.bias;
  }
  if (options.normScale !== undefined) {
    if (!(typeof options.normScale === 'number' && Number.isFinite(options.normScale) && options.normScale > 0)) {
      throw new QDistillError('E_INVALID_ARGUMENT', `AmplitudeEmbedding normScale: expected a finite number > 0, got ${options.normScale}`);
    }
    out.normScale = options.normScale;
  }
  if ((out.bias || out.normScale) && !normalize) {
    throw new QDistillError('E_INVALID_ARGUMENT', 'AmplitudeEmbedding: a bias amplitude or a norm feature needs normalize: true (they exist to survive normalisation)');
  }
  return out;
}

function checkFeatureCount(count: number, numExtras: number, dim: number, pad: number | undefined, numWires: number): void {
  if (!Number.isInteger(count) || count < 1) {
    throw new QDistillError('E_SHAPE', `AmplitudeEmbedding: expected at least 1 feature, got ${count}`);
  }
  if (count + numExtras > dim) {
    throw new QDistillError(
      'E_TOO_MANY_FEATURES',
      numExtras
        ? `AmplitudeEmbedding: ${count} features + ${numExtras} extra amplitude${numExtras > 1 ? 's (norm feature and bias)' : ' (bias or norm feature)'} do not fit in ${numWires} wires (2^${numWires} = ${dim} amplitudes: at most ${dim - numExtras} features)`
        : `AmplitudeEmbedding: ${count} features do not fit in ${numWires} wires (at most 2^${numWires} = ${dim})`,
    );
  }
  if (count + numExtras < dim && pad === undefined) {
    throw new QDistillError(
      'E_SHAPE',
      `AmplitudeEmbedding: ${count} features for ${numWires} wires need padding to ${dim}; pass { pad: 0 }`,
    );
  }
}

/**
 * The amplitudes of an embedding: `features` with the extras appended (see
 * {@link amplitudeVector}), padded to `dim` and normalised (or checked to
 * have norm 1). Shared by the simulator, the reference engine and the
 * OpenQASM export so all embed identically.
 *
 * @example
 * ```ts
 * prepareAmplitudes([3, 4], 4, 0, true, 'example'); // [0.6, 0.8, 0, 0]
 * ```
 */
export function prepareAmplitudes(
  features: ArrayLike<number>, dim: number, pad: number, normalize: boolean, where: string,
  extras: { bias?: number; normScale?: number } = {},
): Float64Array {
  const vector = amplitudeVector(features, extras);
  const out = new Float64Array(dim).fill(pad);
  for (let i = 0; i < vector.length; i++) out[i] = vector[i]!;
  let norm2 = 0;
  for (let i = 0; i < dim; i++) norm2 += out[i]! * out[i]!;
  if (!(norm2 > 0)) {
    throw new QDistillError('E_ZERO_VECTOR', `${where}: cannot embed a zero vector (its L2 norm is 0)`);
  }
  const norm = Math.sqrt(norm2);
  if (normalize) {
    for (let i = 0; i < dim; i++) out[i] = out[i]! / norm;
  } else if (Math.abs(norm - 1) > 1e-8) {
    throw new QDistillError(
      'E_INVALID_ARGUMENT',
      `${where}: the features have L2 norm ${norm}, expected 1; pass { normalize: true } to normalise them`,
    );
  }
  return out;
}

/** Options of {@link angleEmbedding}. */
export interface AngleEmbeddingOptions {
  wires?: readonly number[];
  /** Rotation axis (PennyLane `rotation`): 'X' (default), 'Y' or 'Z'. */
  rotation?: 'X' | 'Y' | 'Z';
}

/**
 * PennyLane `AngleEmbedding(features, wires, rotation)`: R_rotation(features[i]) on wires[i].
 * Fewer features than wires is allowed; more is an error.
 *
 * @example
 * ```ts
 * angleEmbedding(circuit, [0.1, 0.2, 0.3], { rotation: 'Y' });
 * angleEmbedding(circuit, [input(0, Math.PI), input(1, Math.PI)]); // θ = π·x in a QNN layer
 * ```
 */
export function angleEmbedding(circuit: Circuit, features: ArrayLike<ParamSource>, options: AngleEmbeddingOptions = {}): Circuit {
  const wires = defaultWires(circuit, options.wires);
  const rotation = options.rotation ?? 'X';
  if (!['X', 'Y', 'Z'].includes(rotation)) {
    throw new QDistillError('E_INVALID_ARGUMENT', `AngleEmbedding: rotation must be 'X', 'Y' or 'Z', got ${JSON.stringify(rotation)}`);
  }
  const values = flatten(features as Nested, 'AngleEmbedding');
  if (values.length > wires.length) {
    throw new QDistillError('E_TOO_MANY_FEATURES', `AngleEmbedding: ${values.length} features for ${wires.length} wires (at most one per wire)`);
  }
  values.forEach((v, i) => circuit.op(`R${rotation}`, [wires[i]!], [v]));
  return circuit;
}

/**
 * PennyLane `BasisEmbedding(features, wires)`: PauliX on every wire whose bit
 * is 1. `features` is a bit list (one per wire) or an integer (wire 0 = most
 * significant bit).
 *
 * @example
 * ```ts
 * basisEmbedding(circuit, [1, 0, 1]); // same as basisEmbedding(circuit, 5)
 * ```
 */
export function basisEmbedding(circuit: Circuit, features: ArrayLike<number> | number, options: { wires?: readonly number[] } = {}): Circuit {
  const wires = defaultWires(circuit, options.wires);
  let bits: number[];
  if (typeof features === 'number') {
    if (!Number.isInteger(features) || features < 0 || features >= 2 ** wires.length) {
      throw new QDistillError('E_INVALID_ARGUMENT', `BasisEmbedding: integer ${features} does not fit in ${wires.length} wires`);
    }
    bits = wires.map((_, i) => (features >> (wires.length - 1 - i)) & 1);
  } else {
    bits = Array.from(features);
    if (bits.length !== wires.length) {
      throw new QDistillError('E_SHAPE', `BasisEmbedding: expected ${wires.length} bits (one per wire), got ${bits.length}`);
    }
    bits.forEach((b, i) => {
      if (b !== 0 && b !== 1) throw new QDistillError('E_INVALID_ARGUMENT', `BasisEmbedding: bit ${i} is ${b}, expected 0 or 1`);
    });
  }
  bits.forEach((b, i) => {
    if (b === 1) circuit.x(wires[i]!);
  });
  return circuit;
}

/** Options of {@link stronglyEntanglingLayers}. */
export interface StronglyEntanglingOptions {
  wires?: readonly number[];
  /** Range of the entangler in each layer; default r_l = (l mod (n−1)) + 1. */
  ranges?: readonly number[];
  /** Two-qubit gate of the entangler (default CNOT); any parameter-free 2-wire gate, e.g. 'CZ'. */
  imprimitive?: string;
}

/** Weight shape of StronglyEntanglingLayers: [numLayers, numWires, 3]. */
export function stronglyEntanglingLayersShape(numLayers: number, numWires: number): [number, number, number] {
  return [numLayers, numWires, 3];
}

/**
 * PennyLane `StronglyEntanglingLayers(weights, wires, ranges, imprimitive)`:
 * layer l applies Rot(w[l,i,0], w[l,i,1], w[l,i,2]) on every wire i, then
 * imprimitive(wires[i], wires[(i + r_l) mod n]) for i = 0..n−1 (n > 1).
 * Weights: shape (L, n, 3), nested or flat.
 *
 * @example
 * ```ts
 * stronglyEntanglingLayers(circuit, [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]]); // L = 1, n = 2
 * stronglyEntanglingLayers(circuit, weightRefs(2 * 4 * 3), { wires: [0, 1, 2, 3] }); // trainable
 * ```
 */
export function stronglyEntanglingLayers(
  circuit: Circuit,
  weights: Nested | ArrayLike<ParamSource>,
  options: StronglyEntanglingOptions = {},
): Circuit {
  const wires = defaultWires(circuit, options.wires);
  checkWireList(wires, circuit.numQubits, 'StronglyEntanglingLayers');
  const n = wires.length;
  checkNestedShape(weights, [null, n, 3], 'StronglyEntanglingLayers', `(L, ${n}, 3)`);
  const flat = flatten(weights as Nested, 'StronglyEntanglingLayers');
  if (flat.length === 0 || flat.length % (n * 3) !== 0) {
    throw new QDistillError(
      'E_SHAPE',
      `StronglyEntanglingLayers: weights must have shape (L, ${n}, 3) — a multiple of ${n * 3} values — got ${flat.length}`,
    );
  }
  const numLayers = flat.length / (n * 3);
  const imprimitive = options.imprimitive ?? 'CNOT';
  let ranges: number[];
  if (options.ranges) {
    ranges = [...options.ranges];
    if (ranges.length !== numLayers) {
      throw new QDistillError('E_SHAPE', `StronglyEntanglingLayers: ${ranges.length} ranges for ${numLayers} layers`);
    }
    if (n > 1 && ranges.some((r) => !Number.isInteger(r) || r % n === 0)) {
      throw new QDistillError('E_INVALID_ARGUMENT', `StronglyEntanglingLayers: ranges [${ranges}] must be integers not divisible by the number of wires (${n})`);
    }
  } else {
    ranges = Array.from({ length: numLayers }, (_, l) => (n > 1 ? (l % (n - 1)) + 1 : 0));
  }
  for (let l = 0; l < numLayers; l++) {
    for (let i = 0; i < n; i++) {
      const base = (l * n + i) * 3;
      circuit.op('Rot', [wires[i]!], [flat[base]!, flat[base + 1]!, flat[base + 2]!]);
    }
    if (n > 1) {
      for (let i = 0; i < n; i++) circuit.op(imprimitive, [wires[i]!, wires[(i + ranges[l]!) % n]!]);
    }
  }
  return circuit;
}

/** Weight shape of BasicEntanglerLayers: [numLayers, numWires]. */
export function basicEntanglerLayersShape(numLayers: number, numWires: number): [number, number] {
  return [numLayers, numWires];
}

/**
 * PennyLane `BasicEntanglerLayers(weights, wires, rotation)`: layer l applies
 * rotation(w[l,i]) on every wire, then a CNOT ring CNOT(i, i+1 mod n) — a
 * single CNOT(0, 1) for n = 2, none for n = 1. Weights: shape (L, n).
 *
 * @example
 * ```ts
 * basicEntanglerLayers(circuit, [[0.1, 0.2, 0.3]], { rotation: 'X' });
 * ```
 */
export function basicEntanglerLayers(
  circuit: Circuit,
  weights: Nested | ArrayLike<ParamSource>,
  options: { wires?: readonly number[]; rotation?: 'X' | 'Y' | 'Z' } = {},
): Circuit {
  const wires = defaultWires(circuit, options.wires);
  checkWireList(wires, circuit.numQubits, 'BasicEntanglerLayers');
  const n = wires.length;
  checkNestedShape(weights, [null, n], 'BasicEntanglerLayers', `(L, ${n})`);
  const flat = flatten(weights as Nested, 'BasicEntanglerLayers');
  if (flat.length === 0 || flat.length % n !== 0) {
    throw new QDistillError('E_SHAPE', `BasicEntanglerLayers: weights must have shape (L, ${n}), got ${flat.length} values`);
  }
  const rotation = options.rotation ?? 'X';
  const numLayers = flat.length / n;
  for (let l = 0; l < numLayers; l++) {
    for (let i = 0; i < n; i++) circuit.op(`R${rotation}`, [wires[i]!], [flat[l * n + i]!]);
    if (n === 2) circuit.cnot(wires[0]!, wires[1]!);
    else if (n > 2) for (let i = 0; i < n; i++) circuit.cnot(wires[i]!, wires[(i + 1) % n]!);
  }
  return circuit;
}
