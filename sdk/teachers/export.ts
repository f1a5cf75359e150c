/**
 * ONNX export of qdistill's classical models (the zoo's `Sequential`s), so
 * a teacher trained here runs anywhere ONNX does — and loads back as an
 * {@link OnnxTeacher}. Encoded with protobufjs through the ONNX schema of
 * the `onnx-proto` package (loaded on first use).
 *
 * | qdistill layer | ONNX node (opset 13) |
 * |---|---|
 * | `Conv2d` | `Conv` (kernel_shape, strides, pads [p,p,p,p], dilations, group 1) |
 * | `Linear` | `Gemm` (alpha 1, beta 1, transB 1) |
 * | `ReLU`, `Tanh`, `Sigmoid` | `Relu`, `Tanh`, `Sigmoid` |
 * | `AvgPool2d` | `AveragePool` (no padding, count_include_pad 0, floor mode) |
 * | `MaxPool2d` | `MaxPool` (no padding, floor mode) |
 * | `Flatten` (dims 1…−1) | `Flatten` (axis 1) |
 * | `Softmax`, `LogSoftmax` | `Softmax`, `LogSoftmax` (same axis) |
 * | `BatchNorm1d/2d` | `BatchNormalization` (running statistics, epsilon) |
 * | `Residual` | the inner layers, then `Add` |
 * | `Dropout` | nothing (the export is the eval-mode model) |
 * | `Sequential` (and zoo models) | its layers in order |
 *
 * @module
 */
import { QDistillError } from '../errors.js';
import {
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  Dropout,
  Flatten,
  Linear,
  LogSoftmax,
  MaxPool2d,
  ReLU,
  Residual,
  Sequential,
  Sigmoid,
  Softmax,
  Tanh,
} from '../nn/layers.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../nn/tensor.js';
import { loadOnnxSchema, type OnnxSchema } from './onnx-schema.js';
import type { onnx } from 'onnx-proto';
import { assertDataShape, formatDataShape } from './shape.js';

/**
 * Options of {@link exportOnnx}.
 *
 * @example
 * ```ts
 * const options: ExportOnnxOptions = { inputShape: [1, 28, 28], opsetVersion: 13, inputName: 'input', outputName: 'logits' };
 * ```
 */
export interface ExportOnnxOptions {
  /** Per-sample input shape without the batch axis, e.g. `[1, 28, 28]`. */
  inputShape: readonly number[];
  /** ONNX operator set, 13 (default) to 21. */
  opsetVersion?: number;
  /** Graph input name (default `input`, like the shared teachers). */
  inputName?: string;
  /** Graph output name (default `logits`). */
  outputName?: string;
  /** Symbolic name of the dynamic batch axis (default `batch`). */
  batchName?: string;
  /** Graph name (default the model's label). */
  graphName?: string;
  /** Free text stored as the model's doc_string. */
  docString?: string;
  /** Key/value pairs stored in the model's metadata_props (e.g. the zoo config as JSON). */
  metadata?: Record<string, string>;
}

/** Operator sets exportOnnx writes, with the IR version each needs. */
const IR_VERSION_FOR_OPSET: Record<number, number> = { 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10 };

/**
 * Layers exportOnnx knows, for error messages.
 *
 * @example
 * ```ts
 * EXPORTABLE_LAYERS.includes('Conv2d'); // true
 * ```
 */
export const EXPORTABLE_LAYERS = [
  'Sequential',
  'Conv2d',
  'Linear',
  'ReLU',
  'Tanh',
  'Sigmoid',
  'AvgPool2d',
  'MaxPool2d',
  'Flatten',
  'Dropout',
  'Softmax',
  'LogSoftmax',
  'BatchNorm1d',
  'BatchNorm2d',
  'Residual',
] as const;

const FLOAT = 1;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

type Attribute = onnx.IAttributeProto;

const ints = (name: string, values: number[]): Attribute => ({ name, type: ATTR_INTS, ints: values });
const int = (name: string, value: number): Attribute => ({ name, type: ATTR_INT, i: value });
const float = (name: string, value: number): Attribute => ({ name, type: ATTR_FLOAT, f: value });

/** Float32 values as little-endian bytes (TensorProto.raw_data). */
function rawFloat32(data: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return bytes;
}

class GraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private readonly used = new Set<string>();

  unique(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  constant(name: string, shape: readonly number[], data: ArrayLike<number>): string {
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims: [...shape], dataType: FLOAT, rawData: rawFloat32(data) });
    return unique;
  }

  node(opType: string, path: string, inputs: string[], attributes: Attribute[] = []): string {
    const output = this.unique(`${path}/${opType}_output`);
    this.nodes.push({ opType, name: this.unique(`${path}/${opType}`), input: inputs, output: [output], attribute: attributes });
    return output;
  }
}

interface Flow {
  value: string;
  /** Per-sample shape (no batch axis). */
  shape: number[];
}

function unsupported(path: string, module: Module, why: string): QDistillError {
  return new QDistillError('E_UNSUPPORTED', `exportOnnx: layer ${path || '(root)'} (${module.label}) ${why}; exportable layers: ${EXPORTABLE_LAYERS.join(', ')}`);
}

function shapeError(path: string, module: Module, flow: Flow, expected: string): QDistillError {
  return new QDistillError('E_SHAPE', `exportOnnx: layer ${path || '(root)'} (${module.label}) expects ${expected} per sample, but receives ${formatDataShape(flow.shape)}`);
}

function pooledSize(size: number, kernel: number, stride: number, padding = 0): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

function paramData(t: Tensor): ArrayLike<number> {
  return t.data;
}

function emit(g: GraphBuilder, module: Module, path: string, flow: Flow): Flow {
  const label = path === '' ? '' : `/${path.replace(/\./g, '/')}`;
  const prefix = path === '' ? '' : `${path}.`;
  if (module instanceof Sequential) {
    let f = flow;
    for (const [name, child] of module.namedChildren()) f = emit(g, child, `${prefix}${name}`, f);
    return f;
  }
  if (module instanceof Residual) {
    const inner = emit(g, module.inner, `${prefix}inner`, flow);
    if (inner.shape.length !== flow.shape.length || inner.shape.some((d, i) => d !== flow.shape[i])) {
      throw shapeError(path, module, flow, `an inner module that keeps the shape (it maps to ${formatDataShape(inner.shape)})`);
    }
    return { value: g.node('Add', label, [flow.value, inner.value]), shape: flow.shape };
  }
  if (module instanceof Conv2d) {
    const [C, H, W] = flow.shape;
    if (flow.shape.length !== 3 || C !== module.inChannels) throw shapeError(path, module, flow, `[${module.inChannels}, H, W]`);
    const { kernelSize: k, stride: s, padding: p } = module;
    const oh = pooledSize(H!, k, s, p);
    const ow = pooledSize(W!, k, s, p);
    if (oh < 1 || ow < 1) throw shapeError(path, module, flow, `an image of at least ${k - 2 * p}×${k - 2 * p}`);
    const inputs = [flow.value, g.constant(`${prefix}weight`, module.weight.shape, paramData(module.weight))];
    if (module.bias) inputs.push(g.constant(`${prefix}bias`, module.bias.shape, paramData(module.bias)));
    const value = g.node('Conv', label, inputs, [
      ints('dilations', [1, 1]),
      int('group', 1),
      ints('kernel_shape', [k, k]),
      ints('pads', [p, p, p, p]),
      ints('strides', [s, s]),
    ]);
    return { value, shape: [module.outChannels, oh, ow] };
  }
  if (module instanceof Linear) {
    if (flow.shape.length !== 1 || flow.shape[0] !== module.inFeatures) throw shapeError(path, module, flow, `[${module.inFeatures}] (flatten first)`);
    const inputs = [flow.value, g.constant(`${prefix}weight`, module.weight.shape, paramData(module.weight))];
    if (module.bias) inputs.push(g.constant(`${prefix}bias`, module.bias.shape, paramData(module.bias)));
    const value = g.node('Gemm', label, inputs, [float('alpha', 1), float('beta', 1), int('transB', 1)]);
    return { value, shape: [module.outFeatures] };
  }
  if (module instanceof ReLU) return { value: g.node('Relu', label, [flow.value]), shape: flow.shape };
  if (module instanceof Tanh) return { value: g.node('Tanh', label, [flow.value]), shape: flow.shape };
  if (module instanceof Sigmoid) return { value: g.node('Sigmoid', label, [flow.value]), shape: flow.shape };
  if (module instanceof AvgPool2d || module instanceof MaxPool2d) {
    const [C, H, W] = flow.shape;
    if (flow.shape.length !== 3) throw shapeError(path, module, flow, '[C, H, W]');
    const { kernelSize: k, stride: s } = module;
    const oh = pooledSize(H!, k, s);
    const ow = pooledSize(W!, k, s);
    if (oh < 1 || ow < 1) throw shapeError(path, module, flow, `an image of at least ${k}×${k}`);
    const attributes = [int('ceil_mode', 0), ints('kernel_shape', [k, k]), ints('pads', [0, 0, 0, 0]), ints('strides', [s, s])];
    const value =
      module instanceof AvgPool2d
        ? g.node('AveragePool', label, [flow.value], [...attributes, int('count_include_pad', 0)])
        : g.node('MaxPool', label, [flow.value], attributes);
    return { value, shape: [C!, oh, ow] };
  }
  if (module instanceof Flatten) {
    const rank = flow.shape.length + 1; // with the batch axis
    const end = module.endDim < 0 ? rank + module.endDim : module.endDim;
    if (module.startDim !== 1 || end !== rank - 1) {
      throw unsupported(path, module, `flattens axes ${module.startDim}…${module.endDim}; only Flatten(1, -1) maps to ONNX Flatten(axis=1)`);
    }
    const size = flow.shape.reduce((a, b) => a * b, 1);
    return { value: g.node('Flatten', label, [flow.value], [int('axis', 1)]), shape: [size] };
  }
  if (module instanceof Softmax || module instanceof LogSoftmax) {
    const op = module instanceof Softmax ? 'Softmax' : 'LogSoftmax';
    return { value: g.node(op, label, [flow.value], [int('axis', module.axis)]), shape: flow.shape };
  }
  if (module instanceof BatchNorm1d || module instanceof BatchNorm2d) {
    const C = flow.shape[0];
    const ok = module instanceof BatchNorm2d ? flow.shape.length === 3 : flow.shape.length === 1 || flow.shape.length === 2;
    if (!ok || C !== module.numFeatures) {
      throw shapeError(path, module, flow, module instanceof BatchNorm2d ? `[${module.numFeatures}, H, W]` : `[${module.numFeatures}] or [${module.numFeatures}, L]`);
    }
    const params = new Map(module.namedParameters());
    const n = module.numFeatures;
    const scale = params.get('weight')?.data ?? new Float32Array(n).fill(1);
    const shift = params.get('bias')?.data ?? new Float32Array(n);
    const inputs = [
      flow.value,
      g.constant(`${prefix}weight`, [n], scale),
      g.constant(`${prefix}bias`, [n], shift),
      g.constant(`${prefix}running_mean`, [n], module.runningMean.data),
      g.constant(`${prefix}running_var`, [n], module.runningVar.data),
    ];
    return { value: g.node('BatchNormalization', label, inputs, [float('epsilon', module.eps)]), shape: flow.shape };
  }
  if (module instanceof Dropout) return flow; // eval mode: identity
  throw unsupported(path, module, 'has no ONNX mapping');
}

function valueInfo(name: string, batchName: string, shape: readonly number[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: batchName }, ...shape.map((d) => ({ dimValue: d }))] } } },
  };
}

function checkName(value: unknown, what: string, fallback: string): string {
  const name = value ?? fallback;
  if (typeof name !== 'string' || name === '') throw new QDistillError('E_INVALID_ARGUMENT', `exportOnnx: ${what} must be a non-empty string, got ${JSON.stringify(value)}`);
  return name;
}

/**
 * Encodes a classical qdistill model (the eval-mode network: dropout
 * removed, batch norm with running statistics) as an ONNX model with a
 * dynamic batch axis: input `[batch, ...inputShape]` float32, output
 * `[batch, classes]`. The weights are stored as float32 initializers named
 * like the model's parameters (`0.weight`, …).
 *
 * @returns the bytes of the `.onnx` file
 * @throws E_UNSUPPORTED for a layer without an ONNX mapping, a float64 model, or an opset outside 13–21
 * @throws E_SHAPE when the layers do not chain for `inputShape`
 * @throws E_INVALID_ARGUMENT for empty names
 * @example
 * ```ts
 * const model = nn.createModel({ arch: 'lenet5', numClasses: 10 });
 * const bytes = await exportOnnx(model, { inputShape: [1, 28, 28], opsetVersion: 13 });
 * const teacher = await OnnxTeacher.load(bytes); // same logits as model.forward
 * ```
 */
export async function exportOnnx(model: Module, options: ExportOnnxOptions): Promise<Uint8Array> {
  return (await encodeOnnx(model, options)).bytes;
}

/**
 * {@link exportOnnx} that also returns the per-sample output shape (e.g.
 * `[10]`) and the opset written.
 *
 * @example
 * ```ts
 * const { bytes, outputShape } = await encodeOnnx(model, { inputShape: [1, 28, 28] });
 * ```
 */
export async function encodeOnnx(model: Module, options: ExportOnnxOptions): Promise<{ bytes: Uint8Array; outputShape: number[]; opsetVersion: number }> {
  if (!model || typeof (model as { forwardWith?: unknown }).forwardWith !== 'function') {
    throw new QDistillError('E_INVALID_ARGUMENT', 'exportOnnx: expected an nn Module (e.g. a zoo model)');
  }
  const inputShape = [...assertDataShape(options?.inputShape, 'exportOnnx inputShape')];
  const opset = options.opsetVersion ?? 13;
  const irVersion = IR_VERSION_FOR_OPSET[opset];
  if (irVersion === undefined) {
    throw new QDistillError('E_UNSUPPORTED', `exportOnnx: opsetVersion ${opset} is not supported; use one of ${Object.keys(IR_VERSION_FOR_OPSET).join(', ')}`);
  }
  const float64 = model.namedParameters().find(([, t]) => t.dtype !== 'float32');
  if (float64) {
    throw new QDistillError('E_UNSUPPORTED', `exportOnnx: parameter "${float64[0]}" is ${float64[1].dtype}; ONNX teachers are float32 — convert with model.to('float32') first`);
  }
  const inputName = checkName(options.inputName, 'inputName', 'input');
  const outputName = checkName(options.outputName, 'outputName', 'logits');
  const batchName = checkName(options.batchName, 'batchName', 'batch');
  if (inputName === outputName) throw new QDistillError('E_INVALID_ARGUMENT', `exportOnnx: inputName and outputName are both "${inputName}"`);

  const g = new GraphBuilder();
  g.unique(inputName);
  g.unique(outputName);
  const out = emit(g, model, '', { value: inputName, shape: inputShape });
  // The last node writes the graph output directly (or an Identity, for a model without nodes).
  const last = g.nodes[g.nodes.length - 1];
  if (last && out.value === last.output![0]) last.output = [outputName];
  else g.nodes.push({ opType: 'Identity', name: 'Identity', input: [out.value], output: [outputName] });

  const schema: OnnxSchema = await loadOnnxSchema();
  const proto: onnx.IModelProto = {
    irVersion,
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'qdistill',
    producerVersion: '0.1.0',
    ...(options.docString !== undefined ? { docString: options.docString } : {}),
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value: String(value) })),
    graph: {
      name: options.graphName ?? model.label,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(inputName, batchName, inputShape)],
      output: [valueInfo(outputName, batchName, out.shape)],
    },
  };
  const bytes = schema.ModelProto.encode(proto).finish();
  return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), outputShape: out.shape, opsetVersion: opset };
}
