/**
 * {@link OnnxTeacher}: a classical teacher network loaded from an ONNX file
 * (a path in Node, a URL, or bytes) and run by onnxruntime-web's CPU build.
 *
 * @module
 */
import type * as Ort from 'onnxruntime-web/wasm';
import { QDistillError } from '../errors.js';
import { readGraphSignature } from './onnx-schema.js';
import { loadOnnxRuntime } from './runtime.js';
import {
  buildInputAdapter,
  formatDims,
  isFixedDim,
  type InputAdapter,
  type ModelDim,
  type PreprocessOptions,
  type TensorSignature,
} from './shape.js';
import { TeacherBase } from './teacher.js';

/**
 * Where an ONNX model comes from: a file path (Node), a URL (`https:`, `file:`, `blob:`, `data:`) or its bytes.
 *
 * @example
 * ```ts
 * await OnnxTeacher.load('teachers/lenet.onnx');              // path (Node)
 * await OnnxTeacher.load(new URL('https://example.org/t.onnx')); // fetch
 * await OnnxTeacher.load(bytes);                                  // Uint8Array
 * ```
 */
export type OnnxSource = string | URL | Uint8Array | ArrayBuffer;

/**
 * Options of {@link OnnxTeacher.load}.
 *
 * @example
 * ```ts
 * const options: OnnxTeacherOptions = { dataShape: [784], numClasses: 6, scale: 1 / 255, chunkSize: 1024 };
 * ```
 */
export interface OnnxTeacherOptions extends PreprocessOptions {
  /** Name used in messages (default: the file name, or `onnx-model` for bytes). */
  name?: string;
  /** The model input to feed (required only when the model has several inputs). */
  inputName?: string;
  /** The model output holding the logits (required only when the model has several outputs). */
  outputName?: string;
  /**
   * Per-sample shape of the data this teacher will see, e.g. `[1, 28, 28]`
   * or `[784]`. Checked against the model at load. Default: the model's
   * input without its batch axis (when all its axes are fixed).
   */
  dataShape?: readonly number[];
  /** Number of classes of the data; checked against the model's outputs at load. */
  numClasses?: number;
  /** Samples per onnxruntime call (default 512; a fixed-batch model uses its own batch size). */
  chunkSize?: number;
  /** The fetch used for URLs (default `globalThis.fetch`). */
  fetch?: (url: string) => Promise<Response>;
  /** Extra onnxruntime session options (the execution provider is always `wasm`). */
  sessionOptions?: Ort.InferenceSession.SessionOptions;
}

const DEFAULT_CHUNK = 512;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

function baseName(path: string): string {
  const clean = path.split(/[?#]/)[0]!;
  const parts = clean.split(/[\\/]/).filter((s) => s !== '');
  return parts.length > 0 ? decodeURIComponent(parts[parts.length - 1]!) : clean;
}

async function fetchBytes(url: string, where: string, fetcher: ((url: string) => Promise<Response>) | undefined): Promise<Uint8Array> {
  const f = fetcher ?? (globalThis as { fetch?: (url: string) => Promise<Response> }).fetch;
  if (typeof f !== 'function') throw new QDistillError('E_ONNX', `${where}: cannot fetch ${url}: no fetch() in this environment (pass options.fetch, or the bytes)`);
  let response: Response;
  try {
    response = await f(url);
  } catch (cause) {
    throw new QDistillError('E_ONNX', `${where}: cannot fetch the ONNX model ${url}: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
      details: { source: url, problem: 'fetch-failed' },
    });
  }
  if (!response.ok) {
    throw new QDistillError('E_ONNX', `${where}: cannot fetch the ONNX model ${url}: HTTP ${response.status} ${response.statusText}`.trimEnd(), {
      details: { source: url, problem: 'http-status', status: response.status },
    });
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** Reads the model bytes and a default name from any {@link OnnxSource}. */
async function readSource(source: OnnxSource, options: OnnxTeacherOptions): Promise<{ bytes: Uint8Array; name: string; origin: string }> {
  if (source instanceof Uint8Array) return { bytes: source, name: options.name ?? 'onnx-model', origin: `${source.length} bytes` };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), name: options.name ?? 'onnx-model', origin: `${source.byteLength} bytes` };
  const text = source instanceof URL ? source.href : source;
  if (typeof text !== 'string' || text === '') {
    throw new QDistillError('E_INVALID_ARGUMENT', `OnnxTeacher.load: expected a file path, a URL, a Uint8Array or an ArrayBuffer, got ${JSON.stringify(source)}`);
  }
  const name = options.name ?? baseName(source instanceof URL ? source.pathname : text);
  const where = `teacher ${name}`;
  const isFileUrl = /^file:/i.test(text);
  const isRemote = /^(?:https?|blob|data):/i.test(text);
  if (isFileUrl || (!isRemote && isNode())) {
    if (!isNode()) throw new QDistillError('E_ONNX', `${where}: file URLs can only be read in Node; fetch the bytes and pass them instead`);
    const { readModelFile } = await import('./node/files.js');
    return { bytes: await readModelFile(text, where), name, origin: text };
  }
  return { bytes: await fetchBytes(text, where, options.fetch), name, origin: text };
}

function choose(kind: 'input' | 'output', names: readonly string[], wanted: string | undefined, signatures: readonly TensorSignature[], where: string): string {
  const list = names.map((n) => `'${n}' ${formatDims(signatures.find((s) => s.name === n)?.dims ?? null)}`).join(', ');
  if (wanted !== undefined) {
    if (!names.includes(wanted)) {
      throw new QDistillError('E_TEACHER', `${where}: the model has no ${kind} '${wanted}'; its ${kind}s are ${list}`, { details: { [`${kind}s`]: [...names] } });
    }
    return wanted;
  }
  if (names.length === 1) return names[0]!;
  if (names.length === 0) throw new QDistillError('E_TEACHER', `${where}: the model has no ${kind}s`);
  throw new QDistillError(
    'E_TEACHER',
    `${where}: the model has ${names.length} ${kind}s (${list}); say which one to use with ${kind}Name`,
    { details: { [`${kind}s`]: [...names] } },
  );
}

function fromMetadata(meta: readonly Ort.InferenceSession.ValueMetadata[] | undefined, name: string): TensorSignature | null {
  const m = meta?.find((v) => v.name === name);
  if (!m || !m.isTensor || m.shape.length === 0) return null;
  return {
    name,
    type: m.type,
    // An unnamed dynamic axis (no dim_value, no dim_param) comes back as -1 read as uint32 (4294967295):
    // no model has a fixed axis of 2^31 or more, so such a size is "unknown", like -1.
    dims: m.shape.map((d): ModelDim => (typeof d === 'string' ? d : isFixedDim(d) && d < 2 ** 31 ? d : null)),
  };
}

/**
 * A classical teacher loaded from an ONNX model and run by onnxruntime-web
 * (CPU / WebAssembly build, loaded on first use by dynamic `import()`).
 *
 * At load the teacher validates, once: that the file is a loadable ONNX
 * model, which input and output to use, that the input is float32 with a
 * batch axis (dynamic, or fixed — then every call is padded to it), that the
 * data shape fits the input and that the class count fits the output.
 * `predict` runs the model in chunks (512 samples by default); `logitsFor`
 * caches a dataset's logits.
 *
 * @example
 * ```ts
 * import { OnnxTeacher } from 'qdistill';
 * const teacher = await OnnxTeacher.load('../shared/teachers/lenet-mnist-c6.onnx', { numClasses: 6 });
 * const logits = await teacher.logitsFor(test); // Float32Array, test.y.length × 6
 * await teacher.dispose();
 * ```
 */
export class OnnxTeacher extends TeacherBase {
  readonly name: string;
  readonly numClasses: number;
  readonly dataShape: readonly number[] | undefined;
  /** The model input fed with the data. */
  readonly input: TensorSignature;
  /** The model output read as logits. */
  readonly output: TensorSignature;
  /** The model's fixed batch size, or `null` when the batch axis is dynamic. */
  readonly fixedBatch: number | null;
  /** Samples per onnxruntime call. */
  readonly chunkSize: number;
  /** Size of the model file. */
  readonly byteLength: number;
  private readonly ort: typeof Ort;
  private readonly session: Ort.InferenceSession;
  private readonly preprocess: PreprocessOptions;
  private readonly adapters = new Map<string, InputAdapter>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(parts: {
    name: string;
    ort: typeof Ort;
    session: Ort.InferenceSession;
    input: TensorSignature;
    output: TensorSignature;
    numClasses: number;
    dataShape: readonly number[] | undefined;
    chunkSize: number;
    byteLength: number;
    preprocess: PreprocessOptions;
  }) {
    super();
    this.name = parts.name;
    this.ort = parts.ort;
    this.session = parts.session;
    this.input = parts.input;
    this.output = parts.output;
    this.numClasses = parts.numClasses;
    this.dataShape = parts.dataShape;
    this.preprocess = parts.preprocess;
    const batchDim = parts.input.dims?.[0] ?? null;
    this.fixedBatch = isFixedDim(batchDim) ? batchDim : null;
    this.chunkSize = this.fixedBatch ?? parts.chunkSize;
    this.byteLength = parts.byteLength;
  }

  /**
   * Loads an ONNX teacher and validates it against the data once.
   *
   * @param source a file path (Node), a URL (`https:`/`blob:`/`data:` via fetch, `file:` in Node), or the model's bytes
   * @throws E_ONNX for a missing/unreadable file, a failed fetch, or bytes onnxruntime cannot load (truncated, not ONNX; the runtime's error is the `cause`)
   * @throws E_TEACHER when the input/output cannot be chosen, the input is not float32, the data shape does not fit the input, or the class count does not fit the output
   * @example
   * ```ts
   * const teacher = await OnnxTeacher.load(bytes, { name: 'alexnet', dataShape: [784], numClasses: 8 });
   * ```
   */
  static async load(source: OnnxSource, options: OnnxTeacherOptions = {}): Promise<OnnxTeacher> {
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
    if (!Number.isInteger(chunkSize) || chunkSize < 1) {
      throw new QDistillError('E_INVALID_ARGUMENT', `OnnxTeacher.load: chunkSize must be a positive integer, got ${options.chunkSize}`);
    }
    const { bytes, name, origin } = await readSource(source, options);
    const where = `teacher ${name}`;
    if (bytes.length === 0) {
      throw new QDistillError('E_ONNX', `${where}: the ONNX model (${origin}) is empty (0 bytes)`, { details: { source: origin, problem: 'empty' } });
    }
    const ort = await loadOnnxRuntime();
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        logSeverityLevel: 3,
        graphOptimizationLevel: 'all',
        ...options.sessionOptions,
        executionProviders: ['wasm'],
      });
    } catch (cause) {
      const message = (cause as Error)?.message ?? String(cause);
      throw new QDistillError(
        'E_ONNX',
        `${where}: onnxruntime-web cannot load the ONNX model (${origin}, ${bytes.length} bytes): ${message.trim().replace(/\.+$/, '')}. ` +
          'The file may be truncated, corrupted or not an ONNX model.',
        { cause, details: { source: origin, problem: 'unloadable', bytes: bytes.length } },
      );
    }
    try {
      let inputSignatures = session.inputNames.map((n) => fromMetadata(session.inputMetadata, n));
      let outputSignatures = session.outputNames.map((n) => fromMetadata(session.outputMetadata, n));
      if (inputSignatures.includes(null) || outputSignatures.includes(null)) {
        // This runtime does not report shapes: read the graph's declared inputs and outputs.
        const graph = await readGraphSignature(bytes, where);
        const find = (list: TensorSignature[], n: string): TensorSignature => list.find((s) => s.name === n) ?? { name: n, type: 'unknown', dims: null };
        inputSignatures = inputSignatures.map((s, i) => s ?? find(graph.inputs, session.inputNames[i]!));
        outputSignatures = outputSignatures.map((s, i) => s ?? find(graph.outputs, session.outputNames[i]!));
      }
      const inputs = inputSignatures as TensorSignature[];
      const outputs = outputSignatures as TensorSignature[];
      // Choose first: with no outputs at all, find's callback (and its check) would never run.
      const inputName = choose('input', session.inputNames, options.inputName, inputs, where);
      const outputName = choose('output', session.outputNames, options.outputName, outputs, where);
      const input = inputs.find((s) => s.name === inputName)!;
      const output = outputs.find((s) => s.name === outputName)!;
      if (input.type !== 'float32' && input.type !== 'unknown') {
        throw new QDistillError('E_TEACHER', `${where}: input '${input.name}' takes ${input.type} tensors; a teacher feeds float32 samples`);
      }
      if (output.type !== 'float32' && output.type !== 'float64' && output.type !== 'unknown') {
        throw new QDistillError('E_TEACHER', `${where}: output '${output.name}' is ${output.type}; logits must be float32 or float64`);
      }
      if (output.dims !== null && output.dims.length < 2) {
        throw new QDistillError('E_TEACHER', `${where}: output '${output.name}' has shape ${formatDims(output.dims)}; logits must be [batch, classes]`);
      }
      let dataShape = options.dataShape ? [...options.dataShape] : undefined;
      if (dataShape === undefined && input.dims !== null && input.dims.length >= 2 && input.dims.slice(1).every(isFixedDim)) {
        dataShape = input.dims.slice(1) as number[];
      }
      const preprocess: PreprocessOptions = {
        ...(options.scale !== undefined ? { scale: options.scale } : {}),
        ...(options.mean !== undefined ? { mean: options.mean } : {}),
        ...(options.std !== undefined ? { std: options.std } : {}),
        ...(options.layout !== undefined ? { layout: options.layout } : {}),
      };
      const adapter = dataShape ? buildInputAdapter(where, input, dataShape, preprocess) : null;

      let numClasses: number;
      const classDims = output.dims?.slice(1);
      if (classDims && classDims.every(isFixedDim)) {
        numClasses = (classDims as number[]).reduce((a, b) => a * b, 1);
      } else {
        // Symbolic class axis: run one zero sample to see it.
        if (!adapter) {
          throw new QDistillError(
            'E_TEACHER',
            `${where}: output '${output.name}' ${formatDims(output.dims)} and input '${input.name}' ${formatDims(input.dims)} have symbolic axes; pass dataShape so the class count can be measured`,
          );
        }
        const rows = isFixedDim(input.dims?.[0] ?? null) ? (input.dims![0] as number) : 1;
        const probe = new ort.Tensor('float32', new Float32Array(rows * adapter.sampleSize), [rows, ...adapter.feedDims]);
        let dims: readonly number[];
        try {
          dims = (await session.run({ [input.name]: probe }, [output.name]))[output.name]!.dims;
        } catch (cause) {
          throw new QDistillError('E_ONNX', `${where}: onnxruntime failed to run the model on one zero sample of ${formatDims(adapter.feedDims)}: ${(cause as Error)?.message}`, { cause });
        }
        if (dims.length < 2) throw new QDistillError('E_TEACHER', `${where}: output '${output.name}' came out as ${formatDims(dims)}; logits must be [batch, classes]`);
        numClasses = dims.slice(1).reduce((a, b) => a * b, 1);
      }
      if (options.numClasses !== undefined && options.numClasses !== numClasses) {
        throw new QDistillError('E_TEACHER', `${where}: has ${numClasses} output classes but the data has ${options.numClasses}`, {
          details: { teacherClasses: numClasses, dataClasses: options.numClasses },
        });
      }
      const teacher = new OnnxTeacher({ name, ort, session, input, output, numClasses, dataShape, chunkSize, byteLength: bytes.length, preprocess });
      if (adapter) teacher.adapters.set(adapter.dataShape.join(','), adapter);
      return teacher;
    } catch (error) {
      await session.release().catch(() => undefined);
      throw error;
    }
  }

  /** The adapter for data of `shape` (built and validated once per shape). */
  private adapterFor(shape: readonly number[]): InputAdapter {
    const key = shape.join(',');
    let adapter = this.adapters.get(key);
    if (!adapter) {
      adapter = buildInputAdapter(this.where, this.input, shape, this.preprocess);
      this.adapters.set(key, adapter);
    }
    return adapter;
  }

  protected checkShape(shape: readonly number[]): void {
    this.adapterFor(shape);
  }

  /** Runs calls one after another: one session, one run at a time. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  protected run(x: Float32Array, batch: number, shape: readonly number[]): Promise<Float32Array> {
    return this.exclusive(async () => {
      this.assertUsable();
      const adapter = this.adapterFor(shape);
      const C = this.numClasses;
      const F = adapter.sampleSize;
      const out = new Float32Array(batch * C);
      let buffer: Float32Array | null = null;
      for (let start = 0; start < batch; start += this.chunkSize) {
        const count = Math.min(this.chunkSize, batch - start);
        const rows = this.fixedBatch ?? count;
        let data: Float32Array;
        if (adapter.identity && rows === count) data = x.subarray(start * F, (start + count) * F);
        else {
          buffer ??= new Float32Array(this.chunkSize * F);
          adapter.write(x, start, count, buffer, 0);
          if (rows > count) buffer.fill(0, count * F, rows * F); // pad a fixed batch
          data = buffer.subarray(0, rows * F);
        }
        const feed = new this.ort.Tensor('float32', data, [rows, ...adapter.feedDims]);
        let result: Ort.InferenceSession.ReturnType;
        try {
          result = await this.session.run({ [this.input.name]: feed }, [this.output.name]);
        } catch (cause) {
          throw new QDistillError(
            'E_ONNX',
            `${this.where}: onnxruntime failed on a batch of ${rows} × ${formatDims(adapter.feedDims)}: ${(cause as Error)?.message ?? String(cause)}`,
            { cause },
          );
        }
        const y = result[this.output.name] as Ort.Tensor;
        const dims = y.dims;
        const perRow = dims.slice(1).reduce((a, b) => a * b, 1);
        if (dims[0] !== rows || perRow !== C) {
          throw new QDistillError('E_TEACHER', `${this.where}: output '${this.output.name}' came out as ${formatDims(dims)} for a batch of ${rows}; expected [${rows},${C}]`);
        }
        const values = y.data as Float32Array | Float64Array;
        out.set(values.length === count * C ? values : values.subarray(0, count * C), start * C);
      }
      return out;
    });
  }

  protected override async release(): Promise<void> {
    await this.exclusive(() => this.session.release());
  }
}
