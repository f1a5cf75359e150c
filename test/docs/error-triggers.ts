/**
 * One real trigger per error code: a public call that a user could make and
 * that throws that code. test/docs/errors.test.ts runs each, and checks
 * docs/errors.md against them (every code documented, the documented message
 * is the one the SDK gives).
 */
import { gzipSync } from 'node:zlib';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { fromQASM, toQASM } from '../../sdk/circuit/qasm.js';
import { circuitFromJSON } from '../../sdk/circuit/serialize.js';
import { amplitudeEmbedding, angleEmbedding } from '../../sdk/circuit/templates.js';
import { weight } from '../../sdk/circuit/params.js';
import { createDataset } from '../../sdk/data/dataset.js';
import { parseIdx } from '../../sdk/data/formats.js';
import { lanczos } from '../../sdk/data/lanczos.js';
import { validateKDConfig } from '../../sdk/distill/config.js';
import { distillKnowledge } from '../../sdk/distill/knowledge.js';
import { parseSetFlag } from '../../sdk/distill/sweep.js';
import { teacherLogits } from '../../sdk/distill/teacher.js';
import type { ErrorCode } from '../../sdk/errors.js';
import { compileTape } from '../../sdk/qnn/tape.js';
import { createKernel, type Kernel } from '../../sdk/kernel/kernel.js';
import { OP_WIDTH } from '../../sdk/qnn/tape-format.js';
import { parseCheckpoint } from '../../sdk/nn/checkpoint.js';
import { Linear, Sequential } from '../../sdk/nn/layers.js';
import { crossEntropy } from '../../sdk/nn/losses.js';
import { matmul } from '../../sdk/nn/ops/linalg.js';
import { Tensor } from '../../sdk/nn/tensor.js';
import { createSimulator, MAX_SIMULATED_QUBITS } from '../../sdk/qnn/simulator.js';
import { OnnxTeacher } from '../../sdk/teachers/onnx-teacher.js';
import { Random } from '../../sdk/util/random.js';

/** A trigger: the call (sync or async) that throws the code. */
export type Trigger = () => unknown;

const tiny = () => createDataset({ x: new Float32Array(8), y: Int32Array.of(0, 1), shape: [4], numClasses: 2 });

/**
 * E_WORKER: a pool worker whose script cannot load. The worker pool
 * (sdk/workers/spawn.ts) is being written in this checkout, so the module is
 * imported by a computed specifier and the test runs only where it exists.
 */
export const WORKER_MODULE = 'sdk/workers/spawn.ts';
export async function workerTrigger(): Promise<never> {
  const specifier = '../../sdk/workers/spawn.js';
  const { spawnWorker } = (await import(/* @vite-ignore */ specifier)) as {
    spawnWorker(url: URL): Promise<{ onExit(listener: (error: Error) => void): void; terminate(): Promise<void> }>;
  };
  const worker = await spawnWorker(new URL('file:///no/such/worker.js'));
  return new Promise((_, reject) => worker.onExit(reject));
}

/** Every other code → its trigger. */
export const TRIGGERS: Record<Exclude<ErrorCode, 'E_WORKER'>, Trigger> = {
  E_INVALID_ARGUMENT: () => new Random(1.5),
  E_WIRE_RANGE: () => new Circuit(5).rx(0.1, 7),
  E_DUPLICATE_WIRES: () => new Circuit(2).cnot(1, 1),
  E_PARAM_COUNT: () => new Circuit(1).op('RX', [0], [0.1, 0.2]),
  E_WIRE_COUNT: () => new Circuit(3).op('CNOT', [0, 1, 2]),
  E_UNKNOWN_GATE: () => new Circuit(1).op('Sqrt', [0]),
  E_NON_FINITE: () => createDataset({ x: [NaN, 0], y: [0], shape: [2], numClasses: 1 }),
  E_NOT_UNITARY: () => new Circuit(1).op('QubitUnitary', [0], { dim: 2, re: Float64Array.of(1, 1, 0, 1), im: new Float64Array(4) }),
  E_NOT_HERMITIAN: async () => (await createSimulator()).expval(new Circuit(1), { hermitian: { dim: 2, re: Float64Array.of(0, 1, 0, 0), im: new Float64Array(4) }, wires: [0] }),
  E_ZERO_VECTOR: () => amplitudeEmbedding(new Circuit(2), [0, 0, 0, 0], { normalize: true }),
  E_TOO_MANY_FEATURES: () => angleEmbedding(new Circuit(2), [0.1, 0.2, 0.3]),
  E_TOO_MANY_QUBITS: async () => (await createSimulator()).state(new Circuit(MAX_SIMULATED_QUBITS + 1)),
  E_OUT_OF_MEMORY: async () => (await createKernel()).alloc(2 ** 32, 'state'),
  E_SHAPE: () => matmul(new Tensor(new Float64Array(6), [2, 3]), new Tensor(new Float64Array(8), [4, 2])),
  E_OBSERVABLE: async () => (await createSimulator()).expval(new Circuit(1), 'Q0'),
  E_SHOTS: async () => (await createSimulator()).sample(new Circuit(1).h(0), 0),
  E_WASM_TRAP: async () => runBadTape(await createKernel({ build: 'debug' })),
  E_KERNEL_RETIRED: async () => {
    const kernel = await createKernel({ build: 'debug' });
    try {
      runBadTape(kernel);
    } catch {
      // the trap retires the kernel
    }
    return kernel.alloc(16, 'state');
  },
  E_PARSE: () => circuitFromJSON({ format: 'qdistill.circuit', version: 1, numQubits: 1, operations: 'h q[0]' }),
  E_QASM: () => fromQASM('OPENQASM 2.0;\nqreg q[1];\nfoo q[0];\n'),
  E_DATA: () => distillKnowledge({ student: new Sequential(new Linear(4, 2)), teacher: null, data: { train: createDataset({ x: new Float32Array(0), y: new Int32Array(0), shape: [4], numClasses: 2 }) }, epochs: 1, batchSize: 1 }),
  E_FILE_FORMAT: () => parseIdx(new Uint8Array(gzipSync(new Uint8Array(8))), 'train-images-idx3-ubyte.gz'),
  E_CHECKPOINT: () => parseCheckpoint(new TextEncoder().encode('{"weights": [1, 2, 3]}')),
  E_CONFIG: () => validateKDConfig({ dataset: { name: 'mnist', classes: [0, 1] }, teacher: null, student: { arch: 'student-003', numClasses: 2, numQubits: 1 }, train: { epochs: 0, batchSize: 8 } }),
  E_USAGE: () => parseSetFlag('kd.temperature'),
  E_TEACHER: () => teacherLogits({ numClasses: 10, logitsFor: () => new Float32Array(20) }, tiny(), 'distillKnowledge'),
  E_ONNX: () => OnnxTeacher.load(Uint8Array.of(1, 2, 3), { name: 'lenet.onnx' }),
  E_NAN: () => crossEntropy(new Tensor(Float32Array.of(0, NaN), [1, 2]), [0]),
  E_ABORTED: () => distillKnowledge({ student: new Sequential(new Linear(4, 2)), teacher: null, data: { train: tiny() }, epochs: 1, batchSize: 1, signal: AbortSignal.abort() }),
  E_NOT_CONVERGED: () =>
    lanczos({ dimension: 400, isReal: true, applyInterleaved: (x, y) => x.forEach((v, i) => (y[i] = v * (1 + (i >> 1)))) }, { numEigenpairs: 3, maxIterations: 6, maxBasisSize: 6, exhaustBelow: 1 }),
  E_UNSUPPORTED: () => toQASM(new Circuit(1).rx(weight(0), 0)),
  // Needs a process where nn.init() has not run yet: the test runs it first.
  E_NOT_INITIALIZED: () => matmul(new Tensor(new Float32Array(4), [2, 2]), new Tensor(new Float32Array(4), [2, 2])),
};

/** Runs a tape with an unknown opcode on a debug engine: the engine traps. */
function runBadTape(kernel: Kernel): void {
  const tape = compileTape(new Circuit(1).h(0));
  const ops = Int32Array.from(tape.ops);
  ops[0] = 99;
  const opsPtr = kernel.allocI32(ops, 'bad tape');
  const statePtr = kernel.alloc(32, 'state');
  const constsPtr = kernel.allocF64([0], 'consts');
  const scratchPtr = kernel.alloc(64, 'scratch');
  kernel.run('tapeApply', (ex) => ex.tapeApply(statePtr, 1, opsPtr, ops.length / OP_WIDTH, constsPtr, constsPtr, false, scratchPtr));
}
