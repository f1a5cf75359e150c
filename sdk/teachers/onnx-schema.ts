/**
 * The ONNX protobuf schema (npm `onnx-proto`: protobufjs static code
 * generated from onnx.proto v1.10, IR version 8), loaded lazily by dynamic
 * `import()` so the core bundle does not carry it. Used to write exported
 * models and to read a model's graph signature when onnxruntime does not
 * report it.
 *
 * @module
 */
import type { onnx as OnnxNamespace } from 'onnx-proto';
import { QDistillError } from '../errors.js';
import type { ModelDim, TensorSignature } from './shape.js';

/**
 * @internal
 * The `onnx` namespace of `onnx-proto` (ModelProto, GraphProto, NodeProto, …).
 *
 * @example
 * ```ts
 * const onnx: OnnxSchema = await loadOnnxSchema();
 * onnx.ModelProto.decode(bytes).graph?.node.length;
 * ```
 */
export type OnnxSchema = typeof OnnxNamespace;

let pending: Promise<OnnxSchema> | null = null;

/**
 * @internal
 * Loads the ONNX protobuf schema once.
 *
 * @throws E_ONNX if the `onnx-proto` package cannot be loaded
 * @example
 * ```ts
 * const onnx = await loadOnnxSchema();
 * const model = onnx.ModelProto.decode(bytes);
 * ```
 */
export function loadOnnxSchema(): Promise<OnnxSchema> {
  if (!pending) {
    pending = (async () => {
      try {
        // onnx-proto is CommonJS: its exports arrive as the default export under ESM.
        const mod = (await import('onnx-proto')) as unknown as { onnx?: OnnxSchema; default?: { onnx?: OnnxSchema } };
        const schema = mod.onnx ?? mod.default?.onnx;
        if (!schema?.ModelProto) throw new Error('the package does not export the onnx namespace');
        return schema;
      } catch (cause) {
        throw new QDistillError('E_ONNX', `cannot load the ONNX schema package onnx-proto (${(cause as Error)?.message ?? String(cause)}); npm install onnx-proto@8.0.1`, {
          cause,
        });
      }
    })();
    pending.catch(() => {
      pending = null;
    });
  }
  return pending;
}

/** Element type names of ONNX's TensorProto.DataType, as onnxruntime spells them. */
const ELEMENT_TYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  16: 'bfloat16',
};

function toNumber(value: number | { toNumber(): number } | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'number' ? value : value.toNumber();
}

function signatureOf(info: OnnxNamespace.IValueInfoProto): TensorSignature {
  const tensorType = info.type?.tensorType;
  const type = tensorType?.elemType ? (ELEMENT_TYPES[tensorType.elemType] ?? `type ${tensorType.elemType}`) : 'unknown';
  const dims: ModelDim[] | null = tensorType?.shape?.dim
    ? tensorType.shape.dim.map((d) => {
        if (d.dimParam) return d.dimParam;
        const v = toNumber(d.dimValue as number | { toNumber(): number } | null | undefined);
        return v !== null && v > 0 ? v : null;
      })
    : null;
  return { name: info.name ?? '', type, dims };
}

/**
 * Inputs (excluding initializers) and outputs of a model's main graph, plus its opsets.
 *
 * @example
 * ```ts
 * const { inputs, outputs, opsets } = await readGraphSignature(bytes);
 * opsets['']; // 13
 * ```
 */
export interface GraphSignature {
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  /** Operator set versions by domain (`''` is the default ONNX domain). */
  opsets: Record<string, number>;
  irVersion: number | null;
  producer: string;
}

/**
 * Reads the graph signature of an ONNX model from its bytes.
 *
 * @throws E_ONNX if the bytes are not a decodable ONNX ModelProto with a graph
 * @example
 * ```ts
 * const sig = await readGraphSignature(bytes);
 * sig.inputs[0]; // { name: 'input', type: 'float32', dims: ['batch', 1, 28, 28] }
 * ```
 */
export async function readGraphSignature(bytes: Uint8Array, where = 'ONNX model'): Promise<GraphSignature> {
  const onnx = await loadOnnxSchema();
  let model: OnnxNamespace.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (cause) {
    throw new QDistillError('E_ONNX', `${where}: not a valid ONNX protobuf (${(cause as Error).message})`, { cause });
  }
  const graph = model.graph;
  if (!graph) throw new QDistillError('E_ONNX', `${where}: the ONNX model has no graph`);
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const opsets: Record<string, number> = {};
  for (const o of model.opsetImport ?? []) opsets[o.domain ?? ''] = toNumber(o.version as number | { toNumber(): number }) ?? 0;
  return {
    inputs: (graph.input ?? []).filter((i) => !initializers.has(i.name)).map(signatureOf),
    outputs: (graph.output ?? []).map(signatureOf),
    opsets,
    irVersion: toNumber(model.irVersion as number | { toNumber(): number }),
    producer: `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim(),
  };
}
