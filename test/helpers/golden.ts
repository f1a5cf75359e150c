/**
 * Golden fixtures generated with PennyLane (`test/fixtures/golden`, or the
 * directory in `QDISTILL_GOLDEN_DIR`, resolved from the repository root:
 * test/helpers/fixtures.ts) and the generic harness that checks them.
 *
 * The harness dispatches on a case's FIELDS (`op`, `inputs.measurement`,
 * `inputs.observable.type`, `template`, …), never on its name, so a new case
 * with a known schema is tested with no code change. Every field of a case is
 * read through a {@link Fields} tracker: a field nobody reads, a value of a
 * discriminating field nobody handles, or a case no handler claims makes the
 * case FAIL with a message naming the fields — nothing is skipped silently.
 * Fields that belong to another suite are consumed explicitly by
 * {@link Fields.defer} with the reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { getGate } from '../../sdk/circuit/gates.js';
import type { ComplexMatrix } from '../../sdk/circuit/matrix.js';
import type { Observable } from '../../sdk/circuit/observables.js';
import { referenceRun } from '../../sdk/circuit/reference.js';
import {
  amplitudeEmbedding, angleEmbedding, basicEntanglerLayers, stronglyEntanglingLayers,
} from '../../sdk/circuit/templates.js';
import type { Simulator, StateVector } from '../../sdk/qnn/simulator.js';
import { expvalOf, fullMatrixOf, pauliWordObservable, probsOf, varianceOf, type LocalObservable } from './reference-measure.js';
import { goldenDir } from './fixtures.js';
import { expectArrayClose, expectClose, expectComplexClose, tolerance } from './tolerance.js';

export { goldenDir, REPO_ROOT } from './fixtures.js';

/** One fixture case as stored. */
export interface GoldenCase {
  readonly name: string;
  readonly [field: string]: unknown;
}

/** A fixture file. */
export interface GoldenFile {
  readonly file: string;
  readonly header: Record<string, unknown>;
  readonly cases: GoldenCase[];
}

/** Every `*.json` file of the fixture directory, sorted by name. */
export function loadGoldenFiles(dir = goldenDir()): GoldenFile[] {
  const names = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  if (names.length === 0) throw new Error(`golden fixtures: no .json file in ${dir}`);
  return names.map((file) => {
    const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
    const { cases, ...header } = json;
    if (!Array.isArray(cases) || cases.length === 0) throw new Error(`golden fixtures: ${file} has no "cases" array`);
    return { file, header, cases: cases as GoldenCase[] };
  });
}

// ------------------------------------------------------------------ fields

/**
 * Reads the fields of one JSON object and remembers which were read, so the
 * caller can fail on fields nobody understood.
 */
export class Fields {
  private readonly used = new Set<string>();
  private readonly children: Fields[] = [];

  constructor(
    private readonly object: Record<string, unknown>,
    readonly where: string,
  ) {
    if (typeof object !== 'object' || object === null || Array.isArray(object)) {
      throw new Error(`${where}: expected a JSON object, got ${JSON.stringify(object)}`);
    }
  }

  /** True if the field exists (does not consume it). */
  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.object, key);
  }

  /** Keys of the object. */
  keys(): string[] {
    return Object.keys(this.object);
  }

  /** Reads a required field. */
  get<T = unknown>(key: string): T {
    if (!this.has(key)) throw new Error(`${this.where}: missing field "${key}" (fields: ${this.keys().join(', ')})`);
    this.used.add(key);
    return this.object[key] as T;
  }

  /** Reads an optional field. */
  opt<T = unknown>(key: string): T | undefined {
    return this.has(key) ? this.get<T>(key) : undefined;
  }

  /** A tracked reader of a nested object field. */
  child(key: string): Fields {
    const f = new Fields(this.get<Record<string, unknown>>(key), `${this.where}.${key}`);
    this.children.push(f);
    return f;
  }

  /** Tracked readers of an array of objects. */
  list(key: string): Fields[] {
    const list = this.get<unknown[]>(key);
    if (!Array.isArray(list)) throw new Error(`${this.where}.${key}: expected an array`);
    return list.map((item, i) => {
      const f = new Fields(item as Record<string, unknown>, `${this.where}.${key}[${i}]`);
      this.children.push(f);
      return f;
    });
  }

  /** Marks every field matching `pattern` as handled elsewhere (`reason` says where); returns them. */
  defer(pattern: RegExp, _reason: string): string[] {
    const keys = this.keys().filter((k) => pattern.test(k));
    keys.forEach((k) => this.used.add(k));
    return keys;
  }

  /** Throws if any field (here or in a nested reader) was never read. */
  assertAllRead(): void {
    const unknown = this.keys().filter((k) => !this.used.has(k));
    if (unknown.length > 0) {
      throw new Error(
        `${this.where}: unknown field(s) ${unknown.map((k) => `"${k}"`).join(', ')} — the golden harness does not know ` +
          `this field combination; teach it (test/helpers/golden.ts) rather than ignoring the field`,
      );
    }
    this.children.forEach((c) => c.assertAllRead());
  }
}

// ------------------------------------------------------------- conversions

/** `{ re: [...], im: [...] }` (flat) → a state. */
export function toState(value: unknown, where: string): StateVector {
  const v = value as { re?: unknown; im?: unknown };
  if (!Array.isArray(v?.re) || !Array.isArray(v?.im) || v.re.length !== v.im.length || Array.isArray(v.re[0])) {
    throw new Error(`${where}: expected a complex vector {re: [...], im: [...]}`);
  }
  return { re: Float64Array.from(v.re as number[]), im: Float64Array.from(v.im as number[]) };
}

/** A real list or `{ re, im }` → a complex vector. */
export function toComplexVector(value: unknown, where: string): StateVector {
  if (Array.isArray(value)) return { re: Float64Array.from(value as number[]), im: new Float64Array(value.length) };
  return toState(value, where);
}

/** `{ re: rows, im: rows }` → a {@link ComplexMatrix}. */
export function toMatrix(value: unknown, where: string): ComplexMatrix {
  const v = value as { re?: unknown; im?: unknown };
  if (!Array.isArray(v?.re) || !Array.isArray(v?.im) || !Array.isArray(v.re[0])) {
    throw new Error(`${where}: expected a complex matrix {re: rows, im: rows}`);
  }
  const rowsRe = v.re as number[][];
  const rowsIm = v.im as number[][];
  const dim = rowsRe.length;
  const re = new Float64Array(dim * dim);
  const im = new Float64Array(dim * dim);
  for (let r = 0; r < dim; r++) {
    if (rowsRe[r]!.length !== dim || rowsIm[r]!.length !== dim) throw new Error(`${where}: row ${r} is not ${dim} long`);
    for (let c = 0; c < dim; c++) {
      re[r * dim + c] = rowsRe[r]![c]!;
      im[r * dim + c] = rowsIm[r]![c]!;
    }
  }
  return { dim, re, im };
}

/** Flattens a nested numeric array, also returning its shape. */
export function flattenNested(value: unknown): { values: number[]; shape: number[] } {
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const values = (value as unknown[]).flat(Infinity) as number[];
  return { values, shape };
}

// ----------------------------------------------------------------- harness

/** What a case handler needs. */
export interface GoldenContext {
  readonly sim: Simulator;
}

/** A handler for one kind of case, chosen by the presence of a discriminating field. */
export interface CaseKind {
  readonly kind: string;
  /** What a passing case shows (used in test names). */
  readonly behaviour: string;
  matches(c: Fields): boolean;
  run(c: Fields, ctx: GoldenContext): void;
}

const GOLDEN = (): number => tolerance('golden');

const gateCase: CaseKind = {
  kind: 'gate',
  behaviour: 'engine and reference states, local and full matrices match PennyLane',
  matches: (c) => c.has('op'),
  run(c, { sim }) {
    c.get('name');
    const opName = c.get<string>('op');
    const n = c.get<number>('n_wires');
    const inputs = c.child('inputs');
    const outputs = c.child('outputs');
    const initial = toState(inputs.get('state'), `${c.where}.inputs.state`);
    expect(initial.re.length, `${c.where}: inputs.state has 2^n_wires amplitudes`).toBe(1 << n);
    const wires = inputs.get<number[]>('wires');
    const params = inputs.get<unknown[]>('params');
    const circuit = new Circuit(n).op(opName, wires, params as never);
    const op = circuit.ops[0]!;
    const expected = toState(outputs.get('state'), `${c.where}.outputs.state`);
    expectComplexClose(sim.state(circuit, { initialState: initial }), expected, GOLDEN(), `${c.where}: engine state`);
    expectComplexClose(referenceRun(circuit, initial), expected, GOLDEN(), `${c.where}: reference state`);

    // The local matrix, in the op's own wire order (controls first).
    expect(outputs.get<number[]>('matrix_wire_order'), `${c.where}: matrix_wire_order is the op's wire order`).toEqual(wires);
    const gate = getGate(opName);
    const local = gate.matrixParam ? op.matrix! : gate.matrix(params as number[], wires.length);
    expectComplexClose(local, toMatrix(outputs.get('matrix'), `${c.where}.outputs.matrix`), GOLDEN(), `${c.where}: local matrix`);

    // The full matrix on the recorded wire order, column j = op applied to basis state j.
    const order = outputs.get<number[]>('matrix_full_wire_order');
    expect([...order].sort((a, b) => a - b), `${c.where}: matrix_full_wire_order covers every wire`).toEqual(
      Array.from({ length: n }, (_, i) => i),
    );
    const goldenFull = toMatrix(outputs.get('matrix_full'), `${c.where}.outputs.matrix_full`);
    expectComplexClose(fullMatrixOf(circuit, order), goldenFull, GOLDEN(), `${c.where}: full matrix (reference engine)`);
    expectComplexClose(
      fullMatrixOf(circuit, order, (cc, init) => sim.state(cc, { initialState: init })),
      goldenFull,
      GOLDEN(),
      `${c.where}: full matrix (WebAssembly engine)`,
    );
  },
};

/** The SDK observable and the independent reference matrix of an `inputs.observable`. */
function readObservable(o: Fields): { sdk: Observable; local: LocalObservable } {
  const type = o.get<string>('type');
  switch (type) {
    case 'pauli_word': {
      const text = o.get<string>('pauli');
      o.opt('pl_repr'); // PennyLane's printed form of the same word, for humans
      return { sdk: { pauli: text }, local: pauliWordObservable(text) };
    }
    case 'hermitian': {
      const matrix = toMatrix(o.get('matrix'), `${o.where}.matrix`);
      const wires = o.get<number[]>('wires');
      o.opt('note'); // free text for humans (the wire-order convention)
      return { sdk: { hermitian: matrix, wires }, local: [{ matrix, wires }] };
    }
    default:
      throw new Error(`${o.where}: unknown observable type "${type}" (the harness knows pauli_word and hermitian)`);
  }
}

const measurementCase: CaseKind = {
  kind: 'measurement',
  behaviour: 'engine and reference measurements match PennyLane',
  matches: (c) => c.has('inputs') && new Fields(c.get('inputs'), '').has('measurement'),
  run(c, { sim }) {
    c.get('name');
    const n = c.get<number>('n_wires');
    const inputs = c.child('inputs');
    const outputs = c.child('outputs');
    const state = toState(inputs.get('state'), `${c.where}.inputs.state`);
    expect(state.re.length, `${c.where}: inputs.state has 2^n_wires amplitudes`).toBe(1 << n);
    const circuit = new Circuit(n);
    const measurement = inputs.get<string>('measurement');
    switch (measurement) {
      case 'expval':
      case 'var': {
        const obs = readObservable(inputs.child('observable'));
        const expected = outputs.get<number>('value');
        const engine = measurement === 'expval'
          ? sim.expval(circuit, obs.sdk, { initialState: state })
          : sim.var(circuit, obs.sdk, { initialState: state });
        const reference = measurement === 'expval' ? expvalOf(state, obs.local) : varianceOf(state, obs.local);
        expectClose(engine, expected, GOLDEN(), `${c.where}: engine ${measurement}`);
        expectClose(reference, expected, GOLDEN(), `${c.where}: reference ${measurement}`);
        return;
      }
      case 'probs': {
        const wires = inputs.get<number[]>('wires');
        const expected = outputs.get<number[]>('probs');
        expectArrayClose(sim.probs(circuit, wires, { initialState: state }), expected, GOLDEN(), `${c.where}: engine probs`);
        expectArrayClose(probsOf(state, wires), expected, GOLDEN(), `${c.where}: reference probs`);
        return;
      }
      default:
        throw new Error(`${c.where}: unknown measurement "${measurement}" (the harness knows expval, var and probs)`);
    }
  },
};

type Part = 'AmplitudeEmbedding' | 'AngleEmbedding' | 'StronglyEntanglingLayers' | 'BasicEntanglerLayers';
const EMBEDDINGS: readonly Part[] = ['AmplitudeEmbedding', 'AngleEmbedding'];
const LAYERS: readonly Part[] = ['StronglyEntanglingLayers', 'BasicEntanglerLayers'];

/** Builds the circuit of a template case; returns it with the op range of each part. */
function buildTemplate(
  c: Fields,
  inputs: Fields,
  n: number,
): { circuit: Circuit; embeddingOnly: Circuit; ranges: Map<Part, [number, number]>; parts: Part[] } {
  const template = c.get<string>('template');
  const parts = template.split('+').map((p) => p.trim()) as Part[];
  const known = [...EMBEDDINGS, ...LAYERS];
  const unknown = parts.filter((p) => !known.includes(p));
  if (unknown.length) throw new Error(`${c.where}: unknown template part(s) ${unknown.join(', ')} in "${template}" (known: ${known.join(', ')})`);
  if (parts.filter((p) => EMBEDDINGS.includes(p)).length > 1 || parts.filter((p) => LAYERS.includes(p)).length > 1) {
    throw new Error(`${c.where}: "${template}" has two embeddings or two layer templates; the harness cannot tell which takes features/weights`);
  }
  const circuit = new Circuit(n);
  const embeddingOnly = new Circuit(n);
  const ranges = new Map<Part, [number, number]>();
  for (const part of parts) {
    const start = circuit.ops.length;
    switch (part) {
      case 'AmplitudeEmbedding': {
        const o = inputs.child('amplitude_embedding');
        const options = { pad: o.get<number>('pad_with'), normalize: o.get<boolean>('normalize') };
        const features = inputs.get<number[]>('features');
        amplitudeEmbedding(circuit, features, options);
        amplitudeEmbedding(embeddingOnly, features, options);
        break;
      }
      case 'AngleEmbedding': {
        const o = inputs.child('angle_embedding');
        const rotation = o.get<'X' | 'Y' | 'Z'>('rotation');
        const features = inputs.get<number[]>('features');
        angleEmbedding(circuit, features, { rotation });
        angleEmbedding(embeddingOnly, features, { rotation });
        break;
      }
      case 'StronglyEntanglingLayers': {
        const o = inputs.child('sel');
        const rangeOption = o.get<'default' | number[]>('ranges');
        const imprimitive = o.get<string>('imprimitive');
        stronglyEntanglingLayers(circuit, checkedWeights(c, inputs), {
          imprimitive,
          ...(rangeOption === 'default' ? {} : { ranges: rangeOption }),
        });
        break;
      }
      case 'BasicEntanglerLayers': {
        const o = inputs.child('basic_entangler');
        const rotation = o.get<string>('rotation');
        const m = /^R([XYZ])$/.exec(rotation);
        if (!m) throw new Error(`${o.where}: unknown rotation "${rotation}" (expected RX, RY or RZ)`);
        basicEntanglerLayers(circuit, checkedWeights(c, inputs), { rotation: m[1] as 'X' | 'Y' | 'Z' });
        break;
      }
    }
    ranges.set(part, [start, circuit.ops.length]);
  }
  return { circuit, embeddingOnly, ranges, parts };
}

/** The weights, after checking them against `weights_shape` and `n_layers`. */
function checkedWeights(c: Fields, inputs: Fields): number[] {
  const { values, shape } = flattenNested(inputs.get('weights'));
  expect(shape, `${c.where}: weights have the recorded weights_shape`).toEqual(inputs.get<number[]>('weights_shape'));
  expect(shape[0], `${c.where}: n_layers is the leading weight dimension`).toBe(c.get<number>('n_layers'));
  return values;
}

const F_DEFINITION = /^f = sum_i c\[i\] \* <Z_i>(?: \+ c_h \* <Hermitian\(A, wires=(\d+)\)>)?$/;

const templateCase: CaseKind = {
  kind: 'template',
  behaviour: 'engine and reference template circuits, measurements and decomposition match PennyLane',
  matches: (c) => c.has('template'),
  run(c, { sim }) {
    c.get('name');
    c.opt('seed'); // the generator's seed, for provenance
    const n = c.get<number>('n_wires');
    const inputs = c.child('inputs');
    const outputs = c.child('outputs');
    outputs.defer(/^grad_/, 'gradients: checked by the differentiation suite (next issue), not the engine suite');
    const { circuit, embeddingOnly, ranges, parts } = buildTemplate(c, inputs, n);
    const T = GOLDEN();

    const expectedState = toState(outputs.get('state'), `${c.where}.outputs.state`);
    expectComplexClose(sim.state(circuit), expectedState, T, `${c.where}: engine state`);
    expectComplexClose(referenceRun(circuit), expectedState, T, `${c.where}: reference state`);
    if (outputs.has('probs')) {
      expectArrayClose(sim.probs(circuit), outputs.get<number[]>('probs'), T, `${c.where}: engine probs`);
    }
    if (outputs.has('amplitude_embedding_state')) {
      const expected = toComplexVector(outputs.get('amplitude_embedding_state'), `${c.where}.outputs.amplitude_embedding_state`);
      expectComplexClose(sim.state(embeddingOnly), expected, T, `${c.where}: state after the embedding alone`);
    }
    if (outputs.has('sel_ranges')) {
      const [start, end] = ranges.get('StronglyEntanglingLayers') ?? [0, 0];
      const layerOps = circuit.ops.slice(start, end);
      // Each layer is n Rot then n entanglers; the first entangler of layer l is (w_0, w_{r_l}).
      const derived: number[] = [];
      for (let at = 0; at < layerOps.length; at += 2 * n) {
        const first = layerOps[at + n];
        if (first) derived.push((first.wires[1]! - first.wires[0]! + n) % n);
      }
      expect(derived, `${c.where}: entangler ranges of the op list`).toEqual(outputs.get<number[]>('sel_ranges'));
    }

    let expvalZ: number[] | undefined;
    if (outputs.has('expval_z')) {
      const expected = outputs.get<number[]>('expval_z');
      expect(expected.length, `${c.where}: one <Z_i> per wire`).toBe(n);
      expvalZ = sim.expval(circuit, expected.map((_, i) => `Z${i}`));
      expectArrayClose(expvalZ, expected, T, `${c.where}: engine <Z_i>`);
    }
    const hermitianKeys = outputs.keys().filter((k) => /^expval_hermitian_w\d+$/.test(k));
    const hermitianValues = new Map<number, number>();
    for (const key of hermitianKeys) {
      const wire = Number(/\d+$/.exec(key)![0]);
      const a = toMatrix(inputs.get('hermitian_A'), `${c.where}.inputs.hermitian_A`);
      const value = sim.expval(circuit, { hermitian: a, wires: [wire] });
      hermitianValues.set(wire, value);
      expectClose(value, outputs.get<number>(key), T, `${c.where}: engine <Hermitian(A, wire ${wire})>`);
    }
    if (outputs.has('f')) {
      const definition = inputs.get<string>('f_definition');
      const m = F_DEFINITION.exec(definition);
      if (!m) throw new Error(`${c.where}: unknown f_definition "${definition}"`);
      const coefficients = inputs.get<number[]>('c');
      const z = expvalZ ?? sim.expval(circuit, coefficients.map((_, i) => `Z${i}`));
      let f = coefficients.reduce((s, ci, i) => s + ci * z[i]!, 0);
      if (m[1] !== undefined) {
        const wire = Number(m[1]);
        const a = toMatrix(inputs.get('hermitian_A'), `${c.where}.inputs.hermitian_A`);
        f += inputs.get<number>('c_h') * (hermitianValues.get(wire) ?? sim.expval(circuit, { hermitian: a, wires: [wire] }));
      }
      expectClose(f, outputs.get<number>('f'), T, `${c.where}: engine f`);
    }

    if (c.has('decomposition')) checkDecomposition(c, circuit, embeddingOnly, ranges, parts, sim);
  },
};

function checkDecomposition(
  c: Fields,
  circuit: Circuit,
  embeddingOnly: Circuit,
  ranges: Map<Part, [number, number]>,
  parts: Part[],
  sim: Simulator,
): void {
  const entries = c.list('decomposition');
  let opIndex = 0;
  entries.forEach((e, i) => {
    const name = e.get<string>('name');
    const template = e.get<Part>('template');
    e.opt('note'); // free text for humans
    if (!parts.includes(template)) throw new Error(`${e.where}: template "${template}" is not part of this case (${parts.join('+')})`);
    if (e.has('state')) {
      // A state preparation: it must be the circuit's preparation, not an op.
      expect(i, `${e.where}: a state preparation comes first`).toBe(0);
      const prep = circuit.prep;
      if (prep?.kind !== 'amplitude') throw new Error(`${e.where}: the circuit does not start with an amplitude preparation`);
      expect(name, `${e.where}: the preparation is the template itself`).toBe(template);
      expect([...prep.wires], `${e.where}: preparation wires`).toEqual(e.get<number[]>('wires'));
      expectComplexClose(sim.state(embeddingOnly), toComplexVector(e.get('state'), `${e.where}.state`), tolerance('golden'), `${e.where}: prepared state`);
      return;
    }
    const op = circuit.ops[opIndex];
    expect(op, `${e.where}: the template has an op here`).toBeDefined();
    const [start, end] = ranges.get(template)!;
    expect(opIndex >= start && opIndex < end, `${e.where}: op ${opIndex} comes from ${template}`).toBe(true);
    expect({ name: op!.name, wires: [...op!.wires], params: [...op!.params], inverse: op!.inverse }, `${e.where}: op ${opIndex}`).toEqual({
      name,
      wires: e.get<number[]>('wires'),
      params: e.get<number[]>('params'),
      inverse: false,
    });
    opIndex++;
  });
  expect(opIndex, `${c.where}: the decomposition lists every op of the templates`).toBe(circuit.ops.length);
}

const hamiltonianSpectrumCase: CaseKind = {
  kind: 'hamiltonian-spectrum',
  behaviour: 'is a Hamiltonian spectrum (exact diagonalisation), checked by the data suite, not the engine',
  matches: (c) => c.has('outputs') && new Fields(c.get('outputs'), '').has('ground_energy'),
  run(c) {
    // Energies, gaps and string orders of sdk/data/hamiltonian.ts: not the statevector
    // engine's concern. Consume the schema explicitly so a new field still fails here.
    c.get('name');
    c.get('n_wires');
    c.child('inputs').defer(/^(J|h1|h2|boundary)$/, 'Hamiltonian parameters (data suite)');
    c.child('outputs').defer(/^(ground_energy|first_gap|lowest_energies|string_order|string_order_.*)$/, 'Hamiltonian spectrum (data suite)');
  },
};

/** Every kind the harness knows. A case must match exactly one. */
export const CASE_KINDS: readonly CaseKind[] = [gateCase, measurementCase, templateCase, hamiltonianSpectrumCase];

/** The kind of a case; throws if none or several match. */
export function classifyCase(raw: GoldenCase, where: string): CaseKind {
  const probe = new Fields(raw as unknown as Record<string, unknown>, where);
  const kinds = CASE_KINDS.filter((k) => k.matches(probe));
  if (kinds.length === 1) return kinds[0]!;
  const describe = (key: string): string => {
    const v = (raw as Record<string, unknown>)[key];
    return v && typeof v === 'object' && !Array.isArray(v) ? `${key}{${Object.keys(v).join(', ')}}` : key;
  };
  const shape = Object.keys(raw).map(describe).join(', ');
  throw new Error(
    kinds.length === 0
      ? `${where}: no handler for a case with fields ${shape} (known kinds: ${CASE_KINDS.map((k) => k.kind).join(', ')})`
      : `${where}: ambiguous case, fields ${shape} match kinds ${kinds.map((k) => k.kind).join(' and ')}`,
  );
}

/**
 * Every case of every fixture file that the harness classifies as `kind`
 * (`template`, `measurement`, …), with its file: the suites that check one
 * kind in more depth (gradients, readouts) run on whatever files hold it.
 * Cases no handler claims are left to test/circuit/golden.test.ts, which fails them.
 */
export function casesOfKind(kind: string, dir = goldenDir()): Array<{ file: string; raw: GoldenCase }> {
  const out: Array<{ file: string; raw: GoldenCase }> = [];
  for (const { file, cases } of loadGoldenFiles(dir)) {
    for (const raw of cases) {
      let found: string | undefined;
      try {
        found = classifyCase(raw, file).kind;
      } catch {
        found = undefined;
      }
      if (found === kind) out.push({ file, raw });
    }
  }
  return out;
}

/** Checks one case; throws (fails the test) on any mismatch or any field it does not understand. */
export function runGoldenCase(file: string, raw: GoldenCase, ctx: GoldenContext): CaseKind {
  const where = `${file} case "${raw.name}"`;
  const kind = classifyCase(raw, where);
  const fields = new Fields(raw as unknown as Record<string, unknown>, where);
  kind.run(fields, ctx);
  fields.assertAllRead();
  return kind;
}
