/**
 * Where the heavy classical kernels run.
 *
 * - float32 tensors use the WebAssembly SIMD kernels (`assembly/classical/`)
 *   once {@link init} has run. Before that, a float32 matmul / conv2d / pool
 *   throws `E_NOT_INITIALIZED`, unless {@link useReferenceBackend} chose the
 *   (slow) TypeScript loops explicitly. Nothing falls back silently.
 * - float64 tensors (dataset distillation's inner steps, gradient checks) use
 *   the float64 WebAssembly kernels (`assembly/classical/*-f64.ts`) once
 *   {@link init} has run, and the TypeScript reference kernels
 *   (`reference.ts`) otherwise (before `init`, after
 *   {@link useReferenceBackend}, or with {@link setFloat64Backend}
 *   `('reference')`). The float64 kernels add every term in the reference's
 *   order, so both give the same bits (test/nn/kernels-f64.test.ts).
 *
 * Data lives in JavaScript typed arrays; each heavy op copies its operands
 * into one reusable WebAssembly workspace, runs one engine call for the whole
 * batch, and copies the result out. (Measured: the copies are a few percent
 * of a LeNet step; see bench/nn.ts.)
 *
 * @packageDocumentation
 */
import { QDistillError } from '../errors.js';
import { createKernel, type Kernel, type KernelOptions } from '../kernel/kernel.js';
import {
  conv2dBackwardReference,
  conv2dForwardReference,
  gemmReference,
  poolBackwardReference,
  poolForwardReference,
  type ConvGeometry,
} from './reference.js';
import type { TypedData } from './tensor.js';
import { splitConv2dBackward, splitConv2dForward, splitLinearBackward, splitLinearForward, type NNKernels } from './backend-parallel.js';

/** Which implementation runs float32 heavy kernels. */
export type BackendName = 'wasm' | 'reference';

/** Options for {@link init}. */
export interface NNInitOptions extends KernelOptions {
  /** Use this engine instance (e.g. one shared with a simulator) instead of creating one. */
  kernel?: Kernel;
}

/** Counters of the float32 WebAssembly backend (see {@link setBackendProfiling}). */
export interface BackendProfile {
  /** Engine calls. */
  calls: number;
  /** Bytes copied into / out of engine memory. */
  bytesIn: number;
  bytesOut: number;
  /** Milliseconds inside engine calls, and copying in and out. */
  kernelMs: number;
  copyMs: number;
  /** Engine milliseconds and calls per op (`conv2d`, `conv2d backward`, `relu`…). */
  byOp: Record<string, { calls: number; ms: number }>;
}

const profile: BackendProfile = { calls: 0, bytesIn: 0, bytesOut: 0, kernelMs: 0, copyMs: 0, byOp: {} };
let profiling = false;
const now = (): number => globalThis.performance.now();

/**
 * Turns timing of engine calls and copies on or off (off by default; the
 * timers cost a little). Resets the counters.
 *
 * @example
 * ```ts
 * setBackendProfiling(true);
 * trainStep();
 * backendProfile(); // { calls, bytesIn, bytesOut, kernelMs, copyMs }
 * ```
 */
export function setBackendProfiling(on: boolean): void {
  profiling = on;
  profile.calls = profile.bytesIn = profile.bytesOut = profile.kernelMs = profile.copyMs = 0;
  profile.byOp = {};
}

/**
 * A copy of the profiling counters.
 *
 * @example
 * ```ts
 * const { kernelMs, copyMs } = backendProfile();
 * ```
 */
export function backendProfile(): BackendProfile {
  return { ...profile, byOp: Object.fromEntries(Object.entries(profile.byOp).map(([k, v]) => [k, { ...v }])) };
}

class WasmBackend {
  readonly kernel: Kernel;
  private ptr = 0;
  private bytes = 0;

  constructor(kernel: Kernel) {
    this.kernel = kernel;
  }

  /** Runs an engine call (timed when profiling). */
  run(where: string, body: (exports: Kernel['exports']) => void): void {
    if (!profiling) {
      this.kernel.run(where, body);
      return;
    }
    const t = now();
    this.kernel.run(where, body);
    const dt = now() - t;
    profile.kernelMs += dt;
    profile.calls++;
    const entry = (profile.byOp[where] ??= { calls: 0, ms: 0 });
    entry.calls++;
    entry.ms += dt;
  }

  /**
   * Lays out buffers of the given element counts (`bytesPer` bytes each: 4
   * for float32, 8 for float64) in the workspace (each 16-byte aligned),
   * growing it if needed, and returns their pointers.
   */
  layout(counts: readonly number[], bytesPer: 4 | 8 = 4): number[] {
    let total = 0;
    const offsets: number[] = [];
    for (const n of counts) {
      offsets.push(total);
      total += Math.ceil((n * bytesPer) / 16) * 16;
    }
    if (total > this.bytes) {
      if (this.ptr) this.kernel.free(this.ptr);
      this.ptr = 0;
      this.bytes = 0;
      const want = Math.max(total, 1 << 20);
      this.ptr = this.kernel.alloc(want, 'nn workspace');
      this.bytes = want;
    }
    return offsets.map((o) => this.ptr + o);
  }

  /** Copies data into engine memory at ptr, in its own precision. */
  put(ptr: number, data: TypedData): void {
    const t = profiling ? now() : 0;
    if (data instanceof Float64Array) this.kernel.f64(ptr, data.length).set(data);
    else this.kernel.f32(ptr, data.length).set(data);
    if (profiling) {
      profile.copyMs += now() - t;
      profile.bytesIn += data.byteLength;
    }
  }

  /** Copies engine memory at ptr into out, in out's precision. */
  get(ptr: number, out: TypedData): void {
    const t = profiling ? now() : 0;
    if (out instanceof Float64Array) out.set(this.kernel.f64(ptr, out.length));
    else out.set(this.kernel.f32(ptr, out.length));
    if (profiling) {
      profile.copyMs += now() - t;
      profile.bytesOut += out.byteLength;
    }
  }
}

let state: { name: 'uninitialized' } | { name: 'reference' } | { name: 'wasm'; wasm: WasmBackend } = { name: 'uninitialized' };
let float64Backend: BackendName = 'wasm';

/**
 * Initialises the float32 WebAssembly backend (idempotent: a second call
 * without a kernel keeps the current one). Call once before running float32
 * models.
 *
 * @throws E_UNSUPPORTED if the engine build is missing
 * @example
 * ```ts
 * import { nn } from 'qdistill';
 * await nn.init();
 * const model = nn.createModel({ arch: 'lenet-000', numClasses: 10 });
 * ```
 */
export async function init(options: NNInitOptions = {}): Promise<void> {
  if (options.kernel) {
    state = { name: 'wasm', wasm: new WasmBackend(options.kernel) };
    return;
  }
  if (state.name === 'wasm' && !state.wasm.kernel.retired) return;
  const kernel = await createKernel(options);
  state = { name: 'wasm', wasm: new WasmBackend(kernel) };
}

/**
 * Runs float32 heavy kernels with the TypeScript reference loops instead of
 * WebAssembly (slow; for environments without WebAssembly and for tests).
 *
 * @example
 * ```ts
 * useReferenceBackend();
 * ```
 */
export function useReferenceBackend(): void {
  state = { name: 'reference' };
}

/**
 * The current float32 backend (`undefined` before {@link init}).
 *
 * @example
 * ```ts
 * await init();
 * backendName(); // 'wasm'
 * ```
 */
export function backendName(): BackendName | undefined {
  return state.name === 'uninitialized' ? undefined : state.name;
}

/**
 * The engine instance used by the float32 backend, if initialised.
 *
 * @example
 * ```ts
 * await init();
 * backendKernel()?.bytesInUse;
 * ```
 */
export function backendKernel(): Kernel | undefined {
  return state.name === 'wasm' ? state.wasm.kernel : undefined;
}

/**
 * Chooses where float64 heavy kernels run while the WebAssembly backend is
 * initialised: `'wasm'` (the default; the float64 engine kernels) or
 * `'reference'` (the TypeScript loops). Both give the same bits; the switch
 * exists so benchmarks and tests can run the two side by side. Without
 * {@link init} float64 always runs the reference loops.
 *
 * @example
 * ```ts
 * setFloat64Backend('reference');
 * ```
 */
export function setFloat64Backend(name: BackendName): void {
  float64Backend = name;
}

function retiredError(op: string): QDistillError {
  return new QDistillError('E_KERNEL_RETIRED', `${op}: the nn WebAssembly engine trapped earlier; call nn.init() again to create a new one`);
}

/** The float64 engine when every array is float64 and the wasm backend runs float64; null → reference loops. */
function wasm64For(op: string, ...data: ReadonlyArray<TypedData | null>): WasmBackend | null {
  if (state.name !== 'wasm' || float64Backend !== 'wasm') return null;
  for (const d of data) if (d && !(d instanceof Float64Array)) return null;
  if (state.wasm.kernel.retired) throw retiredError(op);
  return state.wasm;
}

function wasmFor(op: string, data: TypedData): WasmBackend | null {
  if (data instanceof Float64Array) return null;
  if (state.name === 'wasm') {
    if (state.wasm.kernel.retired) throw retiredError(op);
    return state.wasm;
  }
  if (state.name === 'reference') return null;
  throw new QDistillError(
    'E_NOT_INITIALIZED',
    `${op}: the float32 WebAssembly backend is not initialised; call "await nn.init()" once first ` +
      `(or nn.useReferenceBackend() for the slow TypeScript loops, or use float64 tensors)`,
  );
}

/**
 * c (+)= op(A)·op(B) (row-major; see {@link gemmReference}). float32 runs in
 * WebAssembly (`transA && transB` is not supported there).
 *
 * @example
 * ```ts
 * gemm('matmul', 2, 2, 2, a, false, b, false, c, false);
 * ```
 */
export function gemm(
  op: string,
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
  if (c instanceof Float64Array) {
    const wasm64 = wasm64For(op, a, b);
    if (wasm64) gemmF64Wasm(wasm64, op, m, n, k, a, transA, b, transB, c, accumulate);
    else gemmReference(m, n, k, a, transA, b, transB, c, accumulate);
    return;
  }
  const wasm = wasmFor(op, c);
  if (!wasm) {
    gemmReference(m, n, k, a, transA, b, transB, c, accumulate);
    return;
  }
  if (transA && transB) {
    throw new QDistillError('E_UNSUPPORTED', `${op}: gemm with both operands transposed is not implemented`);
  }
  const [pa, pb, pc] = wasm.layout([m * k, k * n, m * n]) as [number, number, number];
  wasm.put(pa, a);
  wasm.put(pb, b);
  if (accumulate) wasm.put(pc, c);
  wasm.run(op, (ex) => {
    if (transB) ex.gemmNtF32(m, n, k, pa, k, pb, k, pc, n, accumulate ? 1 : 0);
    else if (transA) ex.gemmF32(m, n, k, pa, 1, m, pb, n, pc, n, accumulate ? 1 : 0);
    else ex.gemmF32(m, n, k, pa, k, 1, pb, n, pc, n, accumulate ? 1 : 0);
  });
  wasm.get(pc, c);
}

/**
 * float64 c (+)= op(A)·op(B) in one engine call: a transposed B is first
 * transposed to [k, n] in the workspace, then gemmF64 (bits of gemmReference).
 */
function gemmF64Wasm(
  wasm: WasmBackend, op: string, m: number, n: number, k: number,
  a: TypedData, transA: boolean, b: TypedData, transB: boolean, c: TypedData, accumulate: boolean,
): void {
  const [pa, pb, pbt, pc] = wasm.layout([m * k, k * n, transB ? k * n : 0, m * n], 8) as [number, number, number, number];
  wasm.put(pa, a);
  wasm.put(pb, b);
  if (accumulate) wasm.put(pc, c);
  wasm.run(`${op} float64`, (ex) => {
    if (transB) ex.transposeF64(n, k, pb, pbt);
    ex.gemmF64(m, n, k, pa, transA ? 1 : k, transA ? m : 1, transB ? pbt : pb, n, pc, n, accumulate ? 1 : 0);
  });
  wasm.get(pc, c);
}

/**
 * Fully connected forward y[N, out] = x[N, in]·wᵀ + bias in one engine call
 * (float32, and float64 after init) or the reference loops. Overwrites y.
 *
 * @example
 * ```ts
 * linearForward(64, 400, 120, x, w, b, y);
 * ```
 */
export function linearForward(
  rows: number,
  inF: number,
  outF: number,
  x: TypedData,
  w: TypedData,
  bias: TypedData | null,
  y: TypedData,
): void {
  if (y instanceof Float64Array) {
    const wasm64 = wasm64For('linear', x, w, bias);
    if (wasm64) gemmF64Wasm(wasm64, 'linear', rows, outF, inF, x, false, w, true, y, false);
    else gemmReference(rows, outF, inF, x, false, w, true, y, false);
    if (bias) for (let r = 0; r < rows; r++) for (let j = 0; j < outF; j++) y[r * outF + j]! += bias[j]!;
    return;
  }
  const wasm = wasmFor('linear', y);
  if (!wasm) {
    gemmReference(rows, outF, inF, x, false, w, true, y, false);
    if (bias) for (let r = 0; r < rows; r++) for (let j = 0; j < outF; j++) y[r * outF + j]! += bias[j]!;
    return;
  }
  if (splitLinearForward(KERNELS, wasm.kernel.build, rows, inF, outF, x, w, bias, y)) return;
  const [px, pw, pb, py] = wasm.layout([rows * inF, outF * inF, outF, rows * outF]) as [number, number, number, number];
  wasm.put(px, x);
  wasm.put(pw, w);
  if (bias) wasm.put(pb, bias);
  wasm.run('linear', (ex) => {
    ex.gemmNtF32(rows, outF, inF, px, inF, pw, inF, py, outF, 0);
    if (bias) ex.addRowBiasF32(rows, outF, py, pb);
  });
  wasm.get(py, y);
}

/**
 * Adds the Linear VJP into dx (= g·w), dw (= gᵀ·x), db (= Σ_rows g), each optional.
 *
 * @example
 * ```ts
 * linearBackward(64, 400, 120, x, w, g, dx, dw, db);
 * ```
 */
export function linearBackward(
  rows: number,
  inF: number,
  outF: number,
  x: TypedData,
  w: TypedData,
  g: TypedData,
  dx: TypedData | null,
  dw: TypedData | null,
  db: TypedData | null,
): void {
  if (g instanceof Float64Array) {
    const wasm64 = wasm64For('linear backward', x, w, dx, dw, db);
    if (wasm64) linearBackwardWasm(wasm64, true, rows, inF, outF, x, w, g, dx, dw, null);
    else {
      if (dx) gemmReference(rows, inF, outF, g, false, w, false, dx, true);
      if (dw) gemmReference(outF, inF, rows, g, true, x, false, dw, true);
    }
    if (db) for (let r = 0; r < rows; r++) for (let j = 0; j < outF; j++) db[j]! += g[r * outF + j]!;
    return;
  }
  const wasm = wasmFor('linear', g);
  if (!wasm) {
    if (dx) gemmReference(rows, inF, outF, g, false, w, false, dx, true);
    if (dw) gemmReference(outF, inF, rows, g, true, x, false, dw, true);
    if (db) for (let r = 0; r < rows; r++) for (let j = 0; j < outF; j++) db[j]! += g[r * outF + j]!;
    return;
  }
  if (splitLinearBackward(KERNELS, wasm.kernel.build, rows, inF, outF, x, w, g, dx, dw, db)) return;
  linearBackwardWasm(wasm, false, rows, inF, outF, x, w, g, dx, dw, db);
}

/**
 * dx += g·w, dw += gᵀ·x and (float32 only) db += Σ_rows g in one engine call,
 * float32 or float64 (the float64 gemm has the bits of gemmReference).
 */
function linearBackwardWasm(
  wasm: WasmBackend, f64: boolean, rows: number, inF: number, outF: number,
  x: TypedData, w: TypedData, g: TypedData, dx: TypedData | null, dw: TypedData | null, db: TypedData | null,
): void {
  if (!dx && !dw && !db) return;
  const [px, pw, pg, pdx, pdw, pdb] = wasm.layout([
    dw ? rows * inF : 0,
    dx ? outF * inF : 0,
    rows * outF,
    dx ? rows * inF : 0,
    dw ? outF * inF : 0,
    db ? outF : 0,
  ], f64 ? 8 : 4) as [number, number, number, number, number, number];
  wasm.put(pg, g);
  if (dw) {
    wasm.put(px, x);
    wasm.put(pdw, dw);
  }
  if (dx) {
    wasm.put(pw, w);
    wasm.put(pdx, dx);
  }
  if (db) wasm.put(pdb, db);
  wasm.run(f64 ? 'linear backward float64' : 'linear backward', (ex) => {
    const gemm = f64 ? ex.gemmF64 : ex.gemmF32;
    if (dx) gemm(rows, inF, outF, pg, outF, 1, pw, inF, pdx, inF, 1);
    if (dw) gemm(outF, inF, rows, pg, 1, outF, px, inF, pdw, inF, 1);
    if (db) ex.colSumF32(rows, outF, pg, pdb, 1);
  });
  if (dx) wasm.get(pdx, dx);
  if (dw) wasm.get(pdw, dw);
  if (db) wasm.get(pdb, db);
}

/**
 * Conv2d forward for the whole batch (overwrites y).
 *
 * @example
 * ```ts
 * conv2dForward(geometry, x, w, bias, y);
 * ```
 */
export function conv2dForward(g: ConvGeometry, x: TypedData, w: TypedData, bias: TypedData | null, y: TypedData): void {
  if (y instanceof Float64Array) {
    const wasm64 = wasm64For('conv2d', x, w, bias);
    if (!wasm64) {
      conv2dForwardReference(g, x, w, bias, y);
      return;
    }
    const [px, pw, pb, py] = wasm64.layout([x.length, w.length, g.filters, y.length], 8) as [number, number, number, number];
    wasm64.put(px, x);
    wasm64.put(pw, w);
    if (bias) wasm64.put(pb, bias);
    wasm64.run('conv2d float64', (ex) =>
      ex.conv2dForwardF64(
        g.batch, g.channels, g.height, g.width, g.filters, g.kernelH, g.kernelW, g.stride, g.padding, g.outH, g.outW,
        px, pw, pb, bias ? 1 : 0, py,
      ),
    );
    wasm64.get(py, y);
    return;
  }
  const wasm = wasmFor('conv2d', y);
  if (!wasm) {
    conv2dForwardReference(g, x, w, bias, y);
    return;
  }
  if (splitConv2dForward(KERNELS, wasm.kernel.build, g, x, w, bias, y)) return;
  const ckk = g.channels * g.kernelH * g.kernelW;
  const ohw = g.outH * g.outW;
  const [px, pw, pb, py, pcol] = wasm.layout([x.length, w.length, g.filters, y.length, ckk * ohw]) as [
    number,
    number,
    number,
    number,
    number,
  ];
  wasm.put(px, x);
  wasm.put(pw, w);
  if (bias) wasm.put(pb, bias);
  wasm.run('conv2d', (ex) =>
    ex.conv2dForwardF32(
      g.batch, g.channels, g.height, g.width, g.filters, g.kernelH, g.kernelW, g.stride, g.padding, g.outH, g.outW,
      px, pw, pb, bias ? 1 : 0, py, pcol,
    ),
  );
  wasm.get(py, y);
}

/**
 * Adds the conv2d VJP into dx, dw, db (each optional).
 *
 * @example
 * ```ts
 * conv2dBackward(geometry, x, w, dy, dx, dw, db);
 * ```
 */
export function conv2dBackward(
  g: ConvGeometry,
  x: TypedData,
  w: TypedData,
  dy: TypedData,
  dx: TypedData | null,
  dw: TypedData | null,
  db: TypedData | null,
): void {
  if (dy instanceof Float64Array) {
    const wasm64 = wasm64For('conv2d backward', x, w, dx, dw, db);
    if (wasm64) conv2dBackwardF64Wasm(wasm64, g, x, w, dy, dx, dw, db);
    else conv2dBackwardReference(g, x, w, dy, dx, dw, db);
    return;
  }
  const wasm = wasmFor('conv2d', dy);
  if (!wasm) {
    conv2dBackwardReference(g, x, w, dy, dx, dw, db);
    return;
  }
  if (splitConv2dBackward(KERNELS, wasm.kernel.build, g, x, w, dy, dx, dw, db)) return;
  conv2dBackwardWasm(wasm, g, x, w, dy, dx, dw, db, false);
}

/** float64 conv2d VJP in one engine call (bits of conv2dBackwardReference). */
function conv2dBackwardF64Wasm(
  wasm: WasmBackend, g: ConvGeometry, x: TypedData, w: TypedData, dy: TypedData, dx: TypedData | null, dw: TypedData | null, db: TypedData | null,
): void {
  if (!dx && !dw && !db) return;
  const channelsDx = dx !== null && g.channels >= 2;
  const [px, pw, pdy, pdx, pdw, pdb, pdyt, pwt, pdxt] = wasm.layout([
    dw ? x.length : 0,
    dx ? w.length : 0,
    dy.length,
    dx ? x.length : 0,
    dw ? dw.length : 0,
    db ? db.length : 0,
    dw ? dy.length : 0,
    channelsDx ? w.length : 0,
    channelsDx ? x.length : 0,
  ], 8) as [number, number, number, number, number, number, number, number, number];
  wasm.put(pdy, dy);
  if (dw) {
    wasm.put(px, x);
    wasm.put(pdw, dw);
  }
  if (dx) {
    wasm.put(pw, w);
    wasm.put(pdx, dx);
  }
  if (db) wasm.put(pdb, db);
  wasm.run('conv2d backward float64', (ex) =>
    ex.conv2dBackwardF64(
      g.batch, g.channels, g.height, g.width, g.filters, g.kernelH, g.kernelW, g.stride, g.padding, g.outH, g.outW,
      px, pw, pdy, pdx, dx ? 1 : 0, pdw, dw ? 1 : 0, pdb, db ? 1 : 0, pdyt, pwt, pdxt,
    ),
  );
  if (dx) wasm.get(pdx, dx);
  if (dw) wasm.get(pdw, dw);
  if (db) wasm.get(pdb, db);
}

/**
 * conv2d backward (float32) keeping every sample's ∂w and ∂b terms apart:
 * `dwTerms` is batch × w.length and `dbTerms` batch × filters, each row the
 * sample's term (the rows are overwritten); dx as in {@link conv2dBackward}.
 * Summing the rows in sample order gives conv2dBackward's bits — what a
 * worker pool does.
 *
 * @example
 * ```ts
 * conv2dBackwardTerms(geometry, x, w, dy, dx, dwTerms, dbTerms);
 * ```
 */
export function conv2dBackwardTerms(
  g: ConvGeometry,
  x: TypedData,
  w: TypedData,
  dy: TypedData,
  dx: TypedData | null,
  dwTerms: TypedData | null,
  dbTerms: TypedData | null,
): void {
  const wasm = wasmFor('conv2d', dy);
  if (!wasm) throw new QDistillError('E_UNSUPPORTED', 'conv2dBackwardTerms: float32 WebAssembly backend only');
  // −0 is the identity of float32 addition: the kernel's −0 + term is the term exactly.
  dwTerms?.fill(-0);
  dbTerms?.fill(-0);
  conv2dBackwardWasm(wasm, g, x, w, dy, dx, dwTerms, dbTerms, true);
}

function conv2dBackwardWasm(
  wasm: WasmBackend, g: ConvGeometry, x: TypedData, w: TypedData, dy: TypedData, dx: TypedData | null, dw: TypedData | null, db: TypedData | null,
  terms: boolean,
): void {
  const ckk = g.channels * g.kernelH * g.kernelW;
  const ohw = g.outH * g.outW;
  const [px, pw, pdy, pdx, pdw, pdb, pcol, pdcol] = wasm.layout([
    x.length,
    w.length,
    dy.length,
    dx ? x.length : 0,
    dw ? dw.length : 0,
    db ? db.length : 0,
    dw ? ckk * ohw : 0,
    dx ? ckk * ohw : 0,
  ]) as [number, number, number, number, number, number, number, number];
  wasm.put(px, x);
  wasm.put(pw, w);
  wasm.put(pdy, dy);
  if (dx) wasm.put(pdx, dx);
  if (dw) wasm.put(pdw, dw);
  if (db) wasm.put(pdb, db);
  wasm.run('conv2d backward', (ex) =>
    ex.conv2dBackwardF32(
      g.batch, g.channels, g.height, g.width, g.filters, g.kernelH, g.kernelW, g.stride, g.padding, g.outH, g.outW,
      px, pw, pdy, pdx, dx ? 1 : 0, pdw, dw ? 1 : 0, pdb, db ? 1 : 0, pcol, pdcol, terms ? 1 : 0,
    ),
  );
  if (dx) wasm.get(pdx, dx);
  if (dw) wasm.get(pdw, dw);
  if (db) wasm.get(pdb, db);
}

/**
 * The float32 kernels a worker pool splits by samples (nn/backend-parallel.ts):
 * with a pool installed, big batches of these run over its workers with the
 * bits of the single call.
 */
export const KERNELS: NNKernels = { conv2dForward, conv2dBackward, conv2dBackwardTerms, linearForward, linearBackward };

/**
 * Pooling forward (overwrites y).
 *
 * @example
 * ```ts
 * poolForward('avg', geometry, x, y);
 * ```
 */
export function poolForward(kind: 'avg' | 'max', g: ConvGeometry, x: TypedData, y: TypedData): void {
  const op = `${kind}Pool2d`;
  const f64 = y instanceof Float64Array;
  const wasm = f64 ? wasm64For(op, x) : wasmFor(op, y);
  if (!wasm) {
    poolForwardReference(kind, g, x, y);
    return;
  }
  const [px, py] = wasm.layout([x.length, y.length], f64 ? 8 : 4) as [number, number];
  wasm.put(px, x);
  const planes = g.batch * g.channels;
  if (f64) {
    wasm.run(`${op} float64`, (ex) =>
      kind === 'avg'
        ? ex.avgPool2dF64(planes, g.height, g.width, g.kernelH, g.kernelW, g.stride, g.outH, g.outW, px, py)
        : ex.maxPool2dF64(planes, g.height, g.width, g.kernelH, g.kernelW, g.stride, g.outH, g.outW, px, py),
    );
    wasm.get(py, y);
    return;
  }
  wasm.run(op, (ex) =>
    kind === 'avg'
      ? ex.avgPool2dF32(planes, g.height, g.width, g.kernelH, g.kernelW, g.stride, g.outH, g.outW, px, py)
      : ex.maxPool2dF32(planes, g.height, g.width, g.kernelH, g.kernelW, g.stride, g.outH, g.outW, px, py),
  );
  wasm.get(py, y);
}

/**
 * Adds the pooling VJP into dx.
 *
 * @example
 * ```ts
 * poolBackward('max', geometry, x, dy, dx);
 * ```
 */
export function poolBackward(kind: 'avg' | 'max', g: ConvGeometry, x: TypedData, dy: TypedData, dx: TypedData): void {
  const op = `${kind}Pool2d backward`;
  const f64 = dy instanceof Float64Array;
  const wasm = f64 ? wasm64For(op, x, dx) : wasmFor(op, dy);
  if (!wasm) {
    poolBackwardReference(kind, g, x, dy, dx);
    return;
  }
  const [px, pdy, pdx] = wasm.layout([kind === 'max' ? x.length : 0, dy.length, dx.length], f64 ? 8 : 4) as [number, number, number];
  if (kind === 'max') wasm.put(px, x);
  wasm.put(pdy, dy);
  wasm.put(pdx, dx);
  const planes = g.batch * g.channels;
  if (f64) {
    wasm.run(`${op} float64`, (ex) =>
      kind === 'avg'
        ? ex.avgPool2dBackwardF64(planes, g.height, g.width, g.kernelH, g.kernelW, g.stride, g.outH, g.outW, pdy, pdx)
        : ex.maxPool2dBackwardF64(planes, g.height, g.width, g.kernelH, g.kernelW, g.stride, g.outH, g.outW, px, pdy, pdx),
    );
    wasm.get(pdx, dx);
    return;
  }
  wasm.run(op, (ex) =>
    kind === 'avg'
      ? ex.avgPool2dBackwardF32(planes, g.height, g.width, g.kernelH, g.kernelW, g.stride, g.outH, g.outW, pdy, pdx)
      : ex.maxPool2dBackwardF32(planes, g.height, g.width, g.kernelH, g.kernelW, g.stride, g.outH, g.outW, px, pdy, pdx),
  );
  wasm.get(pdx, dx);
}

/** Activations with a float32 WebAssembly kernel. */
export type KernelActivation = 'relu' | 'tanh';

/**
 * y = act(x) for float32 data on the WebAssembly backend. Returns false
 * (doing nothing) when the data is float64 or the reference backend is
 * active: the caller then runs its TypeScript loop.
 *
 * @example
 * ```ts
 * if (!activationForward('relu', x, y)) for (let i = 0; i < x.length; i++) y[i] = Math.max(x[i]!, 0);
 * ```
 */
export function activationForward(kind: KernelActivation, x: TypedData, y: TypedData): boolean {
  if (!(x instanceof Float32Array) || state.name !== 'wasm') return false;
  const wasm = wasmFor(kind, x)!;
  const n = x.length;
  const [px, py] = wasm.layout([n, n]) as [number, number];
  wasm.put(px, x);
  wasm.run(kind, (ex) => (kind === 'relu' ? ex.reluF32(n, px, py) : ex.tanhF32(n, px, py)));
  wasm.get(py, y);
  return true;
}

/**
 * gx += VJP of the activation (relu: from x; tanh: from y = tanh(x)) on the
 * WebAssembly backend; false when the caller must run its TypeScript loop.
 *
 * @example
 * ```ts
 * activationBackward('tanh', y, g, gx);
 * ```
 */
export function activationBackward(kind: KernelActivation, saved: TypedData, g: TypedData, gx: TypedData): boolean {
  if (!(gx instanceof Float32Array) || state.name !== 'wasm') return false;
  const wasm = wasmFor(kind, gx)!;
  const n = gx.length;
  const [ps, pg, pgx] = wasm.layout([n, n, n]) as [number, number, number];
  wasm.put(ps, saved);
  wasm.put(pg, g);
  wasm.put(pgx, gx);
  wasm.run(`${kind} backward`, (ex) => (kind === 'relu' ? ex.reluBackwardF32(n, ps, pg, pgx) : ex.tanhBackwardF32(n, ps, pg, pgx)));
  wasm.get(pgx, gx);
  return true;
}
