/**
 * The float32 conv2d and Linear kernels split by samples over a worker pool
 * (sdk/kernel/parallel.ts): the caller's side (when to split, the tasks,
 * the reductions) and the workers' side ({@link nnTaskHandlers}), which run
 * the same engine kernels on their own engine.
 *
 * Bit-identity with the single-call kernels (assembly/classical/):
 * - forward outputs and ∂L/∂x are per sample (rows), computed by the same
 *   kernel code whatever the batch;
 * - conv2d's ∂L/∂w and ∂L/∂b are, in the one-call kernel, `dw += S_n`
 *   sample by sample (S_n: sample n's sum over output positions, from 0):
 *   each worker returns every S_n (the kernel with per-sample rows, each a
 *   −0 accumulator, which gives S_n exactly), and the caller adds them into
 *   dw in sample order — the same float32 additions in the same order;
 * - Linear's ∂L/∂w = gᵀx sums over the batch inside one gemm: it is not
 *   split but runs whole on one worker while the others compute ∂L/∂x.
 *
 * @module
 */
import type { ParallelOutputs, ParallelRunner, ParallelTask, TaskHandler } from '../kernel/parallel.js';
import { runnerFor, splitRanges } from '../kernel/parallel.js';
import type { ConvGeometry } from './reference.js';
import type { TypedData } from './tensor.js';

/** The unsplit kernels (nn/backend.ts): what the workers run and what a failed task falls back to. */
export interface NNKernels {
  conv2dForward(g: ConvGeometry, x: TypedData, w: TypedData, bias: TypedData | null, y: TypedData): void;
  conv2dBackward(g: ConvGeometry, x: TypedData, w: TypedData, dy: TypedData, dx: TypedData | null, dw: TypedData | null, db: TypedData | null): void;
  conv2dBackwardTerms(g: ConvGeometry, x: TypedData, w: TypedData, dy: TypedData, dx: TypedData | null, dwTerms: TypedData | null, dbTerms: TypedData | null): void;
  linearForward(rows: number, inF: number, outF: number, x: TypedData, w: TypedData, bias: TypedData | null, y: TypedData): void;
  linearBackward(rows: number, inF: number, outF: number, x: TypedData, w: TypedData, g: TypedData, dx: TypedData | null, dw: TypedData | null, db: TypedData | null): void;
}

/** Task kinds. */
const CONV_FORWARD = 'nn.conv2d.forward';
const CONV_BACKWARD = 'nn.conv2d.backward';
const LINEAR_FORWARD = 'nn.linear.forward';
const LINEAR_BACKWARD_INPUTS = 'nn.linear.backward.inputs';
const LINEAR_BACKWARD_WEIGHTS = 'nn.linear.backward.weights';

/**
 * Single-thread nanoseconds per multiply-add of the float32 kernels
 * (bench/nn.ts: LeNet's convolutions at batch 64 run at 0.085–0.09 ns).
 */
const NS_PER_MAC = 0.09;

/** While positive, ops run unsplit (inside a worker's task, or a task run on the calling thread). */
let unsplitDepth = 0;

function unsplit<T>(body: () => T): T {
  unsplitDepth++;
  try {
    return body();
  } finally {
    unsplitDepth--;
  }
}

/** The runner and chunk count for work of `macs` multiply-adds over `batch` samples, or null. */
function splitFor(build: string, macs: number, batch: number, minChunks = 1): { runner: ParallelRunner; chunks: number } | null {
  if (unsplitDepth > 0) return null;
  const runner = runnerFor(build);
  if (!runner) return null;
  const chunks = runner.chunksFor((macs * NS_PER_MAC) / 1e6, batch);
  return chunks >= minChunks ? { runner, chunks } : null;
}

const f32 = (length: number) => ({ type: 'f32' as const, length });
/** An output the runner writes straight into `data[from, to)` (no copy made here). */
const into = (data: TypedData, from: number, to: number) => ({ type: 'f32' as const, length: to - from, into: data.subarray(from, to) as Float32Array });

/** Runs tasks on the workers; a task whose worker died runs here, through its handler, unsplit. */
function run(runner: ParallelRunner, tasks: ParallelTask[], kernels: NNKernels): ParallelOutputs[] {
  const handlers = nnTaskHandlers(kernels);
  return runner.runSync(tasks, (task) => {
    const outputs: ParallelOutputs = {};
    for (const [name, spec] of Object.entries(task.outputs)) outputs[name] = spec.into ?? new Float32Array(spec.length);
    unsplit(() => handlers[task.kind]!({ meta: task.meta, inputs: task.inputs, outputs }, undefined as never));
    return outputs;
  });
}

/** Adds rows of per-sample terms (each `width` long, parts in sample order) into `into`, row by row: float32 additions in sample order. */
function addRows(into: TypedData, parts: readonly Float32Array[]): void {
  const width = into.length;
  for (const part of parts) {
    for (let row = 0; row < part.length; row += width) {
      for (let j = 0; j < width; j++) into[j]! += part[row + j]!;
    }
  }
}

interface ConvMeta {
  geometry: ConvGeometry;
  hasBias: boolean;
  dx: boolean;
  dw: boolean;
  db: boolean;
}

/**
 * conv2d forward split by samples over the installed pool; false (nothing
 * done) when it should run on the calling thread.
 */
export function splitConv2dForward(kernels: NNKernels, build: string, g: ConvGeometry, x: TypedData, w: TypedData, bias: TypedData | null, y: TypedData): boolean {
  const ckk = g.channels * g.kernelH * g.kernelW;
  const ohw = g.outH * g.outW;
  const split = splitFor(build, g.batch * g.filters * ckk * ohw, g.batch);
  if (!split) return false;
  const xPer = g.channels * g.height * g.width;
  const yPer = g.filters * ohw;
  const tasks = splitRanges(g.batch, split.chunks).map(([a, b]): ParallelTask => ({
    kind: CONV_FORWARD,
    meta: { geometry: { ...g, batch: b - a }, hasBias: bias !== null, dx: false, dw: false, db: false } satisfies ConvMeta,
    inputs: { x: x.subarray(a * xPer, b * xPer) as Float32Array, w: w as Float32Array, ...(bias ? { bias: bias as Float32Array } : {}) },
    outputs: { y: into(y, a * yPer, b * yPer) },
  }));
  run(split.runner, tasks, kernels);
  return true;
}

/**
 * conv2d backward split by samples: ∂L/∂x per chunk; ∂L/∂w and ∂L/∂b from
 * every sample's terms, added in sample order here.
 */
export function splitConv2dBackward(
  kernels: NNKernels, build: string, g: ConvGeometry, x: TypedData, w: TypedData, dy: TypedData, dx: TypedData | null, dw: TypedData | null, db: TypedData | null,
): boolean {
  const ckk = g.channels * g.kernelH * g.kernelW;
  const ohw = g.outH * g.outW;
  const passes = (dx ? 1 : 0) + (dw ? 1 : 0);
  const split = splitFor(build, g.batch * g.filters * ckk * ohw * Math.max(1, passes), g.batch);
  if (!split) return false;
  const xPer = g.channels * g.height * g.width;
  const yPer = g.filters * ohw;
  const tasks = splitRanges(g.batch, split.chunks).map(([a, b]): ParallelTask => {
    const n = b - a;
    return {
      kind: CONV_BACKWARD,
      meta: { geometry: { ...g, batch: n }, hasBias: false, dx: dx !== null, dw: dw !== null, db: db !== null } satisfies ConvMeta,
      inputs: {
        x: x.subarray(a * xPer, b * xPer) as Float32Array,
        w: w as Float32Array,
        dy: dy.subarray(a * yPer, b * yPer) as Float32Array,
        ...(dx ? { dx: dx.subarray(a * xPer, b * xPer) as Float32Array } : {}),
      },
      outputs: {
        ...(dx ? { dx: into(dx, a * xPer, b * xPer) } : {}),
        ...(dw ? { dwTerms: f32(n * w.length) } : {}),
        ...(db ? { dbTerms: f32(n * g.filters) } : {}),
      },
    };
  });
  const results = run(split.runner, tasks, kernels);
  if (dw) addRows(dw, results.map((r) => r.dwTerms as Float32Array));
  if (db) addRows(db, results.map((r) => r.dbTerms as Float32Array));
  return true;
}

interface LinearMeta {
  rows: number;
  inF: number;
  outF: number;
  hasBias: boolean;
  dw: boolean;
  db: boolean;
}

/** Linear forward split by rows. */
export function splitLinearForward(
  kernels: NNKernels, build: string, rows: number, inF: number, outF: number, x: TypedData, w: TypedData, bias: TypedData | null, y: TypedData,
): boolean {
  const split = splitFor(build, rows * inF * outF, rows);
  if (!split) return false;
  const tasks = splitRanges(rows, split.chunks).map(([a, b]): ParallelTask => ({
    kind: LINEAR_FORWARD,
    meta: { rows: b - a, inF, outF, hasBias: bias !== null, dw: false, db: false } satisfies LinearMeta,
    inputs: { x: x.subarray(a * inF, b * inF) as Float32Array, w: w as Float32Array, ...(bias ? { bias: bias as Float32Array } : {}) },
    outputs: { y: into(y, a * outF, b * outF) },
  }));
  run(split.runner, tasks, kernels);
  return true;
}

/**
 * Linear backward over at least two workers: ∂L/∂w and ∂L/∂b (sums over
 * the batch) whole on the first, ∂L/∂x split by rows over the others.
 */
export function splitLinearBackward(
  kernels: NNKernels, build: string, rows: number, inF: number, outF: number, x: TypedData, w: TypedData, g: TypedData,
  dx: TypedData | null, dw: TypedData | null, db: TypedData | null,
): boolean {
  if (!dx || !(dw || db)) return false;
  const split = splitFor(build, 2 * rows * inF * outF, rows + 1, 2);
  if (!split) return false;
  const weights: ParallelTask = {
    kind: LINEAR_BACKWARD_WEIGHTS,
    meta: { rows, inF, outF, hasBias: false, dw: dw !== null, db: db !== null } satisfies LinearMeta,
    inputs: { x: x as Float32Array, g: g as Float32Array, ...(dw ? { dw: dw as Float32Array } : {}), ...(db ? { db: db as Float32Array } : {}) },
    outputs: { ...(dw ? { dw: into(dw, 0, dw.length) } : {}), ...(db ? { db: into(db, 0, db.length) } : {}) },
  };
  const inputs = splitRanges(rows, split.chunks - 1).map(([a, b]): ParallelTask => ({
    kind: LINEAR_BACKWARD_INPUTS,
    meta: { rows: b - a, inF, outF, hasBias: false, dw: false, db: false } satisfies LinearMeta,
    inputs: { g: g.subarray(a * outF, b * outF) as Float32Array, w: w as Float32Array, dx: dx.subarray(a * inF, b * inF) as Float32Array },
    outputs: { dx: into(dx, a * inF, b * inF) },
  }));
  run(split.runner, [weights, ...inputs], kernels);
  return true;
}

/**
 * The workers' side: each handler runs the unsplit kernel on its task's
 * arrays (conv2d backward keeping every sample's ∂L/∂w and ∂L/∂b terms).
 */
export function nnTaskHandlers(kernels: NNKernels): Record<string, TaskHandler> {
  return {
    [CONV_FORWARD]: ({ meta, inputs, outputs }) => {
      const m = meta as ConvMeta;
      unsplit(() => kernels.conv2dForward(m.geometry, inputs.x as Float32Array, inputs.w as Float32Array, m.hasBias ? (inputs.bias as Float32Array) : null, outputs.y as Float32Array));
    },
    [CONV_BACKWARD]: ({ meta, inputs, outputs }) => {
      const m = meta as ConvMeta;
      const dx = m.dx ? (outputs.dx as Float32Array) : null;
      if (dx) dx.set(inputs.dx as Float32Array);
      unsplit(() => kernels.conv2dBackwardTerms(
        m.geometry, inputs.x as Float32Array, inputs.w as Float32Array, inputs.dy as Float32Array, dx,
        m.dw ? (outputs.dwTerms as Float32Array) : null, m.db ? (outputs.dbTerms as Float32Array) : null,
      ));
    },
    [LINEAR_FORWARD]: ({ meta, inputs, outputs }) => {
      const m = meta as LinearMeta;
      unsplit(() => kernels.linearForward(m.rows, m.inF, m.outF, inputs.x as Float32Array, inputs.w as Float32Array, m.hasBias ? (inputs.bias as Float32Array) : null, outputs.y as Float32Array));
    },
    [LINEAR_BACKWARD_INPUTS]: ({ meta, inputs, outputs }) => {
      const m = meta as LinearMeta;
      const dx = outputs.dx as Float32Array;
      dx.set(inputs.dx as Float32Array);
      unsplit(() => kernels.linearBackward(m.rows, m.inF, m.outF, new Float32Array(0), inputs.w as Float32Array, inputs.g as Float32Array, dx, null, null));
    },
    [LINEAR_BACKWARD_WEIGHTS]: ({ meta, inputs, outputs }) => {
      const m = meta as LinearMeta;
      const dw = m.dw ? (outputs.dw as Float32Array) : null;
      const db = m.db ? (outputs.db as Float32Array) : null;
      if (dw) dw.set(inputs.dw as Float32Array);
      if (db) db.set(inputs.db as Float32Array);
      unsplit(() => kernels.linearBackward(m.rows, m.inF, m.outF, inputs.x as Float32Array, new Float32Array(0), inputs.g as Float32Array, null, dw, db));
    },
  };
}
