/**
 * Every reader of outside bytes, as a fuzz target: a valid seed set, a
 * mutation arbitrary and the call. The property (see {@link runCase}) is the
 * same for all: the call returns, or throws a `QDistillError` with a stable
 * code — never another exception, never a crash or a hang.
 *
 * Used by `npm run fuzz` (scripts/fuzz.ts, ≥ 10⁵ cases per reader) and by
 * test/fuzz/readers.test.ts (a few seconds per reader in CI).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { fromQASM, toQASM } from '../../sdk/circuit/qasm.js';
import { circuitFromJSON, circuitToJSON } from '../../sdk/circuit/serialize.js';
import { amplitudeEmbedding, stronglyEntanglingLayers } from '../../sdk/circuit/templates.js';
import { encodeIdx, decodeIdx, idxToDataset, parseCifar10, parseIdx, CIFAR10_RECORD_BYTES, type IdxArray } from '../../sdk/data/formats.js';
import { createDataset } from '../../sdk/data/dataset.js';
import { validateKDConfig } from '../../sdk/distill/config.js';
import { validateDDConfig } from '../../sdk/distill/dataset-experiment.js';
import { parseDistilled, serializeDistilled } from '../../sdk/distill/dataset-file.js';
import { distillKnowledge, type DistillKnowledgeOptions } from '../../sdk/distill/knowledge.js';
import { ERROR_CODES, isQDistillError } from '../../sdk/errors.js';
import { init as initNN } from '../../sdk/nn/backend.js';
import { loadCheckpointInto, parseCheckpoint, restoreModel, serializeCheckpoint } from '../../sdk/nn/checkpoint.js';
import { BatchNorm1d, Dropout, Linear, ReLU, Sequential } from '../../sdk/nn/layers.js';
import { Adam } from '../../sdk/nn/optim/adam.js';
import { StepLR } from '../../sdk/nn/optim/scheduler.js';
import { SGD } from '../../sdk/nn/optim/sgd.js';
import { Tensor } from '../../sdk/nn/tensor.js';
import { parseTrainingState } from '../../sdk/nn/training-state.js';
import { createModel } from '../../sdk/nn/zoo.js';
import { createHybridModel, type HybridModelConfig } from '../../sdk/qnn/hybrid.js';
import { restoreHybridModel, serializeHybridCheckpoint } from '../../sdk/qnn/hybrid-checkpoint.js';
import { encodeOnnx } from '../../sdk/teachers/export.js';
import { OnnxTeacher } from '../../sdk/teachers/onnx-teacher.js';
import { readGraphSignature } from '../../sdk/teachers/onnx-schema.js';
import { buildInputAdapter, type TensorSignature } from '../../sdk/teachers/shape.js';
import { decodeFrame, encodeFrame } from '../../sdk/util/container.js';
import { Random } from '../../sdk/util/random.js';
import { KD_PRESETS } from '../../sdk/cli/presets.js';
import { DD_PRESETS } from '../../sdk/cli/dd-presets.js';
import { randomCircuit } from '../circuit-io/helpers.js';
import { tinyOnnx, toVersion1Checkpoint } from '../helpers/files.js';
import { byteEdit, editBytes, editJson, jsonEdit, mutatedBytes, mutatedJson, mutatedText, weirdValue } from './mutate.js';

/** A reader under fuzz. */
export interface FuzzTarget<T = unknown> {
  name: string;
  /** What it reads. */
  reads: string;
  /** Cases in the CI test (a few seconds). */
  ciRuns: number;
  /** At most this many cases in `npm run fuzz` (readers whose every case costs tens of milliseconds). */
  maxRuns?: number;
  /** Builds the seeds and returns the arbitrary and the call (async setup: wasm, ONNX sessions, seed files). */
  setup(): Promise<{ arbitrary: fc.Arbitrary<T>; call: (input: T) => unknown }>;
}

/** Erases a target's input type (each target's call takes what its own arbitrary makes). */
function target<T>(t: FuzzTarget<T>): FuzzTarget {
  return t as unknown as FuzzTarget;
}

/** A failure of the property: an untyped exception (or a code outside ERROR_CODES). */
export class UntypedError extends Error {}

/**
 * Runs one case: a return (`'ok'`) or a typed `QDistillError` (its code)
 * passes; anything else throws {@link UntypedError} carrying the original.
 */
export async function runCase(call: () => unknown): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    if (isQDistillError(error) && (ERROR_CODES as readonly string[]).includes(error.code)) return error.code;
    const e = error as Error;
    throw new UntypedError(`untyped ${e?.name ?? typeof error}: ${e?.message ?? String(error)}\n${e?.stack ?? ''}`, { cause: error });
  }
}

const root = join(import.meta.dirname, '..', '..');

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function idxSeeds(): Uint8Array[] {
  const rng = new Random(1);
  const arrays: IdxArray[] = [
    { dtype: 'uint8', dims: [3, 4, 4], data: Uint8Array.from({ length: 48 }, () => rng.int(256)) },
    { dtype: 'uint8', dims: [5], data: Uint8Array.of(0, 1, 2, 9, 3) },
    { dtype: 'int8', dims: [2, 3], data: Int8Array.of(-1, 2, -3, 4, -5, 6) },
    { dtype: 'int16', dims: [4], data: Int16Array.of(-300, 2, 3, 30000) },
    { dtype: 'int32', dims: [2, 2], data: Int32Array.of(1, -2, 3, 2 ** 30) },
    { dtype: 'float32', dims: [2, 3], data: Float32Array.of(0.5, -1, 2, 3, 1e30, -0) },
    { dtype: 'float64', dims: [3], data: Float64Array.of(Math.PI, -1e300, 0) },
  ];
  return arrays.map(encodeIdx);
}

function cifarSeeds(): Uint8Array[] {
  const rng = new Random(2);
  const two = new Uint8Array(2 * CIFAR10_RECORD_BYTES).map(() => rng.int(256));
  two[0] = 3;
  two[CIFAR10_RECORD_BYTES] = 9;
  return [two, two.subarray(0, CIFAR10_RECORD_BYTES)];
}

/** Edits of a framed file's JSON header, re-framed with valid CRCs (so the content checks, not the CRCs, are fuzzed). */
function reframed(seeds: readonly Uint8Array[], magic: string): fc.Arbitrary<Uint8Array> {
  const frames = seeds.map((s) => decodeFrame(s, { magic, minVersion: 1, maxVersion: 99, what: 'seed' }));
  return fc
    .tuple(fc.constantFrom(...frames), fc.array(jsonEdit, { minLength: 1, maxLength: 4 }), fc.option(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 })))
    .map(([f, edits, dataEdits]) => {
      const header = editJson(f.header, edits);
      const data = f.data.slice();
      for (const [at, v] of dataEdits ?? []) if (data.length) data[at % data.length] = v;
      return encodeFrame(magic, f.version, (typeof header === 'object' && header !== null ? header : { header }) as Record<string, unknown>, data);
    });
}

const smallNet = (): Sequential => new Sequential(new Linear(3, 4, { seed: 1 }), new BatchNorm1d(4), new ReLU(), new Dropout(0.2, { seed: 2 }), new Linear(4, 2, { seed: 3 }));

const tinyQnn: HybridModelConfig = {
  arch: 'qnn-classifier', numClasses: 2, numQubits: 2, encoder: { type: 'AngleEmbedding' }, ansatz: { type: 'StronglyEntanglingLayers', layers: 1 },
  measurements: [{ type: 'expvalZ', wires: [0, 1] }], head: false,
} as HybridModelConfig;

/** A tiny KD run (hand-built MLP, augmentation-free) whose states the training-state target resumes. */
function tinyRun(): DistillKnowledgeOptions {
  const rng = new Random(4);
  const n = 24;
  const y = Int32Array.from({ length: n }, () => rng.int(2));
  const x = new Float32Array(n * 3).map(() => rng.normal());
  const train = createDataset({ x, y, shape: [3], numClasses: 2 });
  return {
    student: new Sequential(new Linear(3, 4, { seed: 1 }), new ReLU(), new Dropout(0.2, { seed: 2 }), new Linear(4, 2, { seed: 3 })),
    teacher: null, data: { train, validation: train, test: train }, epochs: 3, batchSize: 8, seed: 1,
    optimizer: { type: 'sgd', lr: 0.1, momentum: 0.5 },
  };
}

const QASM_SEEDS = [
  'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[3];\ncreg c[3];\nh q[0];\ncx q[0],q[1];\nrz(pi/4) q[2];\nu3(0.1,-0.2,pi^2) q[1];\nbarrier q;\nmeasure q -> c;\n',
  'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg a[2];\nqreg b[1];\ngate g(t) x,y { rx(t) x; cx x,y; }\ngate h2 x,y { g(pi/2) x,y; g(-pi/2) y,x; }\nh2 a[0],b[0];\ncu3(1,2,3) a[1],a[0];\nccx a[0],a[1],b[0];\n',
  'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nu1(sin(0.3)*cos(2)/sqrt(3)+exp(1)-ln(2)) q[0];\nrxx(asin(0.5)) q[0],q[1];\nryy(acos(0.1)) q[1],q[0];\nrzz(-atan(9)) q;\ncswap q[0],q[1],q[0];\n',
  'OPENQASM 2.0;\nqreg q[1];\nU(1,2,3) q[0];\nCX q[0],q[0];\n',
];
const QASM_VOCABULARY = [
  'OPENQASM', '2.0', ';', 'include', '"qelib1.inc"', 'qreg', 'creg', 'gate', 'opaque', 'measure', 'reset', 'barrier', 'if', '==', '->', '{', '}',
  '(', ')', '[', ']', ',', 'q', 'c', 'x', 'h', 'cx', 'u3', 'rz', 'g', 'h2', 'pi', '+', '-', '*', '/', '^', 'sin', 'ln', 'sqrt', '0', '1', '2', '1e308',
  '99999999999', '4294967296', '-1', '.', 'e', '"', '//', '/*', '\n', ' ',
];

function circuitSeeds(): unknown[] {
  const rng = new Random(5);
  const seeds: unknown[] = [];
  for (let i = 0; i < 6; i++) seeds.push(circuitToJSON(randomCircuit(rng, 2 + (i % 3), 6, { symbolic: i % 2 === 0, prep: true, maxUnitaryWires: 2 })));
  const c = new Circuit(3);
  amplitudeEmbedding(c, [0.1, 0.2, 0.3, 0.4, 0.5], { pad: 0.1, normalize: true });
  stronglyEntanglingLayers(c, Array.from({ length: 2 * 3 * 3 }, (_, k) => k / 10));
  seeds.push(circuitToJSON(c));
  return seeds;
}

function distilledSeeds(): string[] {
  const rng = new Random(6);
  const base = {
    format: 'qdistill-distilled-dataset' as const, version: 1, model: { arch: 'lenet-000', numClasses: 2 } as never,
    images: new Float32Array(2 * 16).map(() => rng.normal()), imageShape: [1, 4, 4], labels: Int32Array.of(0, 1), numClasses: 2,
    classIds: [3, 5], classNames: ['three', 'five'], steps: 1, epochs: 2, imagesPerClass: 1, learningRates: [0.02, 0.01],
    init: 'fixed' as const, weightInit: 'paper-000' as const, theta0: new Float64Array(5).map(() => rng.normal()), innerPrecision: 'float64' as const,
    freezeCircuitWeights: false, normalization: { mean: [0.13], std: [0.3] }, seed: 0, iterations: 10,
  };
  return [serializeDistilled(base, { testAccuracy: 0.5 }), serializeDistilled({ ...base, theta0: Float64Array.of(0.5, 0.25), classIds: undefined as never, classNames: undefined as never })];
}

function kdConfigSeeds(): unknown[] {
  const files = ['kd-labels/kd-labels-mnist-c6-10.json', 'paper-002/002-mnist-1v5-q15-student-L4.json'].map((f) => JSON.parse(readFileSync(join(root, 'experiments', f), 'utf8')) as unknown);
  return [...Object.values(KD_PRESETS).map((p) => p.config), ...files];
}

function ddConfigSeeds(): unknown[] {
  const files = ['000-mnist-10-qlenet-r-h.json', '000-cifar10-100-lenet.json'].map((f) => JSON.parse(readFileSync(join(root, 'experiments', 'paper-000', f), 'utf8')) as unknown);
  return [...Object.values(DD_PRESETS).map((p) => p.config), ...files];
}

const signatureDim = fc.oneof(fc.constantFrom<number | string | null>(null, 'batch', 'N', 0, -1, 1, 3, 4, 16, 28, 2 ** 31), fc.integer({ min: -2, max: 64 }));
const signature: fc.Arbitrary<TensorSignature> = fc.record({
  name: fc.constantFrom('input', 'x', ''),
  type: fc.constantFrom('float32', 'float64', 'int64', 'unknown', 'string'),
  dims: fc.option(fc.array(signatureDim, { maxLength: 5 })),
}) as fc.Arbitrary<TensorSignature>;
const dataShape = fc.oneof(fc.array(fc.oneof(fc.integer({ min: -1, max: 32 }), fc.constantFrom(NaN, 1.5, 2 ** 40)), { maxLength: 4 }), weirdValue);
const preprocess = fc.record({
  scale: fc.option(fc.oneof(fc.double(), fc.constant(255)), { nil: undefined }),
  mean: fc.option(fc.oneof(fc.double(), fc.array(fc.double(), { maxLength: 4 })), { nil: undefined }),
  std: fc.option(fc.oneof(fc.double(), fc.array(fc.double(), { maxLength: 4 })), { nil: undefined }),
  layout: fc.option(fc.constantFrom('NCHW', 'NHWC', 'CHW', ''), { nil: undefined }),
}, { requiredKeys: [] });

/** Every reader of outside bytes. */
export const FUZZ_TARGETS: FuzzTarget[] = [
  target({
    name: 'idx',
    reads: 'IDX files (parseIdx) and IDX image/label pairs (idxToDataset)',
    ciRuns: 3000,
    async setup() {
      const rng = new Random(3);
      const pair = (images: IdxArray, labels: IdxArray): [Uint8Array, Uint8Array] => [encodeIdx(images), encodeIdx(labels)];
      const pairs = [
        pair({ dtype: 'uint8', dims: [3, 4, 4], data: Uint8Array.from({ length: 48 }, () => rng.int(256)) }, { dtype: 'uint8', dims: [3], data: Uint8Array.of(0, 2, 1) }),
        pair({ dtype: 'float32', dims: [2, 3], data: Float32Array.of(0.5, -1, 2, 3, 1, 0) }, { dtype: 'int32', dims: [2], data: Int32Array.of(1, 0) }),
        pair({ dtype: 'uint8', dims: [4, 2, 2, 2], data: Uint8Array.from({ length: 32 }, () => rng.int(256)) }, { dtype: 'int16', dims: [4], data: Int16Array.of(3, 0, 1, 2) }),
      ];
      const options = fc.record({ numClasses: weirdValue, scale: weirdValue, classNames: weirdValue }, { requiredKeys: [] });
      return {
        arbitrary: fc.oneof(
          mutatedBytes(idxSeeds()).map((bytes) => ({ bytes })),
          fc.tuple(fc.constantFrom(...pairs), fc.boolean(), fc.array(byteEdit, { minLength: 1, maxLength: 3 }), fc.option(options, { nil: undefined }))
            .map(([[images, labels], which, edits, o]) => ({ images: which ? editBytes(images, edits) : images, labels: which ? labels : editBytes(labels, edits), options: o })),
        ),
        call: (c) => ('bytes' in c ? parseIdx(c.bytes, 'idx') : idxToDataset(parseIdx(c.images, 'images'), parseIdx(c.labels, 'labels'), c.options as never)),
      };
    },
  } as FuzzTarget<{ bytes: Uint8Array } | { images: Uint8Array; labels: Uint8Array; options: unknown }>),
  target({
    name: 'idx-gzip',
    reads: 'gzipped IDX files (decodeIdx: gunzip, then parseIdx)',
    ciRuns: 800,
    async setup() {
      const seeds = await Promise.all(idxSeeds().map(gzip));
      return { arbitrary: mutatedBytes(seeds), call: (bytes) => decodeIdx(bytes, 'gz') };
    },
  } as FuzzTarget<Uint8Array>),
  target({
    name: 'cifar10',
    reads: 'CIFAR-10 binary batches (parseCifar10)',
    ciRuns: 2000,
    async setup() {
      return { arbitrary: mutatedBytes(cifarSeeds()), call: (bytes) => parseCifar10(bytes, 'batch') };
    },
  } as FuzzTarget<Uint8Array>),
  target({
    name: 'qasm',
    reads: 'OpenQASM 2.0 programs (fromQASM)',
    ciRuns: 3000,
    async setup() {
      const rng = new Random(7);
      const exported = [0, 1, 2].map((i) => toQASM(randomCircuit(rng, 2 + i, 8, { gates: ['Hadamard', 'RX', 'CNOT', 'CRot', 'U3', 'IsingYY', 'Toffoli', 'MultiRZ'], prep: true })));
      return { arbitrary: mutatedText([...QASM_SEEDS, ...exported], QASM_VOCABULARY, 6), call: (text) => fromQASM(text) };
    },
  } as FuzzTarget<string>),
  target({
    name: 'circuit-json',
    reads: 'circuit JSON (circuitFromJSON)',
    ciRuns: 3000,
    async setup() {
      return { arbitrary: mutatedJson(circuitSeeds()), call: (json) => circuitFromJSON(json) };
    },
  }),
  target({
    name: 'checkpoint',
    reads: 'model checkpoints, versions 1 and 2 (parseCheckpoint, loadCheckpointInto, restoreModel)',
    ciRuns: 1500,
    async setup() {
      await initNN();
      const net = smallNet();
      net.forward(new Tensor(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]));
      const adam = new Adam(net, { lr: 0.01 });
      const sched = new StepLR(adam, { stepSize: 2 });
      const mlp = createModel({ arch: 'mlp', inputSize: 3, hiddenSizes: [4], numClasses: 2 });
      const v2 = [
        serializeCheckpoint(net, { optimizer: adam, scheduler: sched, metadata: { epoch: 1, loss: NaN } }),
        serializeCheckpoint(mlp, { optimizer: new SGD(mlp, { lr: 0.1, momentum: 0.9 }), seed: 4 }),
      ];
      const v1 = v2.map((b) => toVersion1Checkpoint(b));
      const framed = reframed(v2, 'QDNNCKPT');
      const v1Edited = fc.tuple(fc.constantFrom(...v2), fc.array(jsonEdit, { minLength: 1, maxLength: 3 })).map(([b, e]) => toVersion1Checkpoint(b, editJson(decodeFrame(b, { magic: 'QDNNCKPT', minVersion: 2, maxVersion: 2, what: 's' }).header, e)));
      return {
        arbitrary: fc.oneof(mutatedBytes([...v2, ...v1]), framed, v1Edited),
        call: (bytes) => {
          const ckpt = parseCheckpoint(bytes);
          if (ckpt.config) restoreModel(ckpt);
          const target = ckpt.config ? createModel({ arch: 'mlp', inputSize: 3, hiddenSizes: [4], numClasses: 2 }) : smallNet();
          loadCheckpointInto(target, ckpt, { optimizer: new Adam(target), scheduler: new StepLR(new SGD(target, { lr: 1 }), { stepSize: 1 }) });
        },
      };
    },
  } as FuzzTarget<Uint8Array>),
  target({
    name: 'hybrid-checkpoint',
    reads: 'hybrid-model checkpoints, whose metadata rebuilds the model (restoreHybridModel)',
    ciRuns: 300,
    async setup() {
      await initNN();
      const model = await createHybridModel(tinyQnn);
      const seeds = [serializeHybridCheckpoint(model, { optimizer: new Adam(model) })];
      return { arbitrary: fc.oneof(mutatedBytes(seeds), reframed(seeds, 'QDNNCKPT')), call: (bytes) => restoreHybridModel(bytes) };
    },
  } as FuzzTarget<Uint8Array>),
  target({
    name: 'training-state',
    reads: 'KD training states (parseTrainingState, distillKnowledge resumeFrom)',
    ciRuns: 300,
    async setup() {
      await initNN();
      const states: Uint8Array[] = [];
      const controller = new AbortController();
      await distillKnowledge({ ...tinyRun(), checkpoint: { save: (b) => void states.push(b) } });
      await distillKnowledge({
        ...tinyRun(), signal: controller.signal, onProgress: (p) => void (p.epoch === 2 && p.step === 2 && controller.abort()),
        checkpoint: { save: (b, e) => void (e.reason === 'cancelled' && states.push(b)) },
      }).catch(() => undefined);
      return {
        arbitrary: fc.oneof(mutatedBytes(states), reframed(states, 'QDSTATE1')),
        call: async (bytes) => {
          parseTrainingState(bytes);
          await distillKnowledge({ ...tinyRun(), resumeFrom: bytes });
        },
      };
    },
  } as FuzzTarget<Uint8Array>),
  target({
    name: 'kd-config',
    reads: 'KD experiment configs (validateKDConfig)',
    ciRuns: 2000,
    async setup() {
      return { arbitrary: mutatedJson(kdConfigSeeds()), call: (json) => validateKDConfig(json) };
    },
  }),
  target({
    name: 'dd-config',
    reads: 'dataset-distillation experiment configs (validateDDConfig)',
    ciRuns: 2000,
    async setup() {
      return { arbitrary: mutatedJson(ddConfigSeeds()), call: (json) => validateDDConfig(json) };
    },
  }),
  target({
    name: 'distilled-file',
    reads: 'dataset-distillation replay files (parseDistilled)',
    ciRuns: 2000,
    async setup() {
      const texts = distilledSeeds();
      const objects = texts.map((t) => JSON.parse(t) as unknown);
      return {
        arbitrary: fc.oneof(
          { weight: 3, arbitrary: mutatedJson(objects).map((o) => JSON.stringify(o) ?? 'undefined') },
          { weight: 1, arbitrary: mutatedBytes(texts.map((t) => new TextEncoder().encode(t))).map((b) => new TextDecoder().decode(b)) },
        ),
        call: (text) => parseDistilled(text, 'replay'),
      };
    },
  } as FuzzTarget<string>),
  target({
    name: 'onnx-signature',
    reads: "ONNX model bytes: the graph signature reader (readGraphSignature) and the input adapter's validation (buildInputAdapter)",
    ciRuns: 1500,
    async setup() {
      await initNN();
      const small = await tinyOnnx();
      const conv = (await encodeOnnx(createModel({ arch: 'lenet5', numClasses: 2 }), { inputShape: [1, 28, 28] })).bytes;
      return {
        arbitrary: fc.oneof(
          { weight: 2, arbitrary: mutatedBytes([small, conv], 6).map((bytes) => ({ bytes }) as const) },
          { weight: 1, arbitrary: fc.record({ input: signature, shape: dataShape, pre: preprocess }) },
        ),
        call: async (c: { bytes: Uint8Array } | { input: TensorSignature; shape: unknown; pre: Record<string, unknown> }) => {
          if ('bytes' in c) {
            const sig = await readGraphSignature(c.bytes);
            for (const input of sig.inputs) buildInputAdapter('fuzz', input, [4]);
          } else buildInputAdapter('fuzz', c.input, c.shape as number[], c.pre);
        },
      };
    },
  } as FuzzTarget<unknown>),
  target({
    name: 'onnx-teacher-io',
    reads: "an ONNX teacher's input checks (checkCompatible, predict) and its output checks (logit count, finiteness)",
    ciRuns: 1000,
    async setup() {
      await initNN();
      const teacher = await OnnxTeacher.load(await tinyOnnx(), { name: 'fuzz' });
      const values = fc.oneof(fc.float32Array({ maxLength: 24 }), fc.constantFrom<unknown>(null, [1, 2, 3, 4], new Float64Array(4), 'x'));
      return {
        arbitrary: fc.record({
          x: values, batch: fc.oneof(fc.integer({ min: -1, max: 7 }), fc.constantFrom(NaN, 1.5, 2 ** 40)), shape: fc.option(dataShape, { nil: undefined }),
          classes: fc.option(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 4 }) }, { weight: 1, arbitrary: weirdValue }), { nil: undefined }),
        }),
        call: async ({ x, batch, shape, classes }) => {
          if (shape !== undefined) teacher.checkCompatible({ shape: shape as number[], ...(classes !== undefined ? { numClasses: classes as number } : {}) });
          await teacher.predict(x as Float32Array, batch, shape as number[] | undefined);
        },
      };
    },
  } as FuzzTarget<{ x: unknown; batch: number; shape: unknown; classes: unknown }>),
  target({
    name: 'onnx-load',
    reads: 'ONNX model bytes loaded as a teacher (OnnxTeacher.load: onnxruntime-web parses them, qdistill wraps its errors and validates the graph)',
    ciRuns: 40,
    async setup() {
      return {
        arbitrary: mutatedBytes([await tinyOnnx()], 3),
        call: async (bytes) => (await OnnxTeacher.load(bytes, { name: 'fuzz' })).dispose(),
      };
    },
  } as FuzzTarget<Uint8Array>),
];
