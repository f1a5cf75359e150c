// ONNX export of qdistill's classical models: the exported file loads back
// through onnxruntime-web (OnnxTeacher) and gives the same logits as
// qdistill's own forward pass, for every zoo architecture the teachers use,
// and the graph has the documented nodes and attributes.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BatchNorm2d,
  Conv2d,
  createModel,
  Flatten,
  init,
  Lambda,
  Linear,
  MaxPool2d,
  noGrad,
  ReLU,
  Residual,
  Sequential,
  Sigmoid,
  Softmax,
  Tensor,
  type Module,
} from '../../sdk/nn/index.js';
import { Random } from '../../sdk/util/random.js';
import { exportOnnx, ModelTeacher, OnnxTeacher, readGraphSignature } from '../../sdk/teachers/index.js';
import { loadOnnxSchema } from '../../sdk/teachers/onnx-schema.js';
import { expectRejects, maxAbsDiff } from './helpers.js';

beforeAll(async () => {
  await init();
});

function images(count: number, shape: readonly number[], seed: number): Float32Array {
  const rng = new Random(seed);
  const x = new Float32Array(count * shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform();
  return x;
}

function qdistillLogits(model: Module, x: Float32Array, batch: number, shape: readonly number[]): Float32Array {
  model.eval();
  return noGrad(() => model.forward(new Tensor(x.slice(), [batch, ...shape]))).data as Float32Array;
}

/** Exports, loads back, and compares onnxruntime's logits with qdistill's on a few batches. */
async function roundTrip(model: Module, shape: readonly number[], opsetVersion = 13): Promise<{ diff: number; scale: number; teacher: OnnxTeacher; bytes: Uint8Array }> {
  const bytes = await exportOnnx(model, { inputShape: shape, opsetVersion });
  const teacher = await OnnxTeacher.load(bytes, { name: `${model.label}.onnx` });
  let diff = 0;
  let scale = 1;
  for (const [batch, seed] of [
    [5, 1],
    [1, 2],
  ] as const) {
    const x = images(batch, shape, seed);
    const expected = qdistillLogits(model, x, batch, shape);
    const got = await teacher.predict(x, batch);
    diff = Math.max(diff, maxAbsDiff(got, expected));
    for (const v of expected) scale = Math.max(scale, Math.abs(v));
  }
  return { diff, scale, teacher, bytes };
}

describe('exportOnnx round trip through onnxruntime-web', () => {
  const cases: Array<[string, Record<string, unknown>, number[]]> = [
    ['lenet5', { arch: 'lenet5', numClasses: 10, seed: 1 }, [1, 28, 28]],
    ['lenet-003', { arch: 'lenet-003', numClasses: 6, seed: 2 }, [1, 28, 28]],
    ['lenet-000', { arch: 'lenet-000', numClasses: 8, seed: 3 }, [1, 28, 28]],
    ['alexnet-mini (FC width 16, 14×14 images)', { arch: 'alexnet-mini', numClasses: 6, seed: 4, fcWidths: [16, 12], imageSize: 14 }, [1, 14, 14]],
    ['alexnet-mini (FC width 8, 28×28 images)', { arch: 'alexnet-mini', numClasses: 8, seed: 5, fcWidths: 8 }, [1, 28, 28]],
    ['mlp', { arch: 'mlp', numClasses: 3, seed: 6, inputSize: 20, hiddenSizes: [16, 8], activation: 'sigmoid' }, [20]],
  ];

  it.each(cases)('%s: the exported model gives qdistill’s logits within 1e-5', async (_name, config, shape) => {
    const model = createModel(config);
    const { diff, scale, teacher } = await roundTrip(model, shape);
    expect(diff / scale, `max |Δ| = ${diff}`).toBeLessThan(1e-5);
    expect(teacher.numClasses).toBe(config.numClasses);
    expect(teacher.input.dims).toEqual(['batch', ...shape]);
    expect(teacher.fixedBatch).toBeNull();
    await teacher.dispose();
  });

  it('trained-like weights (scaled up) still agree within 1e-5 relative', async () => {
    const model = createModel({ arch: 'lenet5', numClasses: 6, seed: 7 });
    // Larger weights make larger logits and stress the summation order.
    model.setFlatParams(Float64Array.from(model.getFlatParams(), (v) => v * 3));
    const { diff, scale, teacher } = await roundTrip(model, [1, 28, 28]);
    expect(scale).toBeGreaterThan(1);
    expect(diff / scale).toBeLessThan(1e-5);
    await teacher.dispose();
  });

  it('exports strided/padded convolutions, overlapping max-pooling, batch norm (running statistics), residual blocks, sigmoid and softmax', async () => {
    const net = new Sequential(
      new Conv2d(2, 4, 3, { stride: 2, padding: 1, seed: 1 }),
      new BatchNorm2d(4),
      new ReLU(),
      new Residual(new Sequential(new Conv2d(4, 4, 3, { padding: 1, seed: 2 }), new Sigmoid())),
      new MaxPool2d(3, 2),
      new Flatten(),
      new Linear(4 * 3 * 3, 5, { seed: 3, bias: false }),
      new Softmax(),
    );
    // Give batch norm non-trivial running statistics (training-mode passes), then evaluate.
    net.train();
    for (let s = 0; s < 3; s++) noGrad(() => net.forward(new Tensor(images(6, [2, 13, 13], 10 + s).map((v) => 3 * v + s), [6, 2, 13, 13])));
    const { diff, teacher } = await roundTrip(net, [2, 13, 13], 13);
    expect(diff).toBeLessThan(1e-6);
    await teacher.dispose();
  });

  it('opset 21 (IR 10) loads and agrees too', async () => {
    const model = createModel({ arch: 'lenet5', numClasses: 4, seed: 8 });
    const { diff, scale, teacher, bytes } = await roundTrip(model, [1, 28, 28], 21);
    expect(diff / scale).toBeLessThan(1e-5);
    expect((await readGraphSignature(bytes)).opsets['']).toBe(21);
    await teacher.dispose();
  });

  it('a ModelTeacher of the same module agrees with the exported OnnxTeacher on a whole dataset', async () => {
    const model = createModel({ arch: 'lenet-000', numClasses: 10, seed: 9 });
    const bytes = await exportOnnx(model, { inputShape: [1, 28, 28] });
    const onnxTeacher = await OnnxTeacher.load(bytes, { chunkSize: 7 });
    const modelTeacher = ModelTeacher.fromModule(model, { dataShape: [1, 28, 28], chunkSize: 5 });
    const data = { x: images(23, [784], 11), shape: [784], numClasses: 10 };
    const a = await onnxTeacher.logitsFor(data);
    const b = await modelTeacher.logitsFor(data);
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
    await onnxTeacher.dispose();
  });
});

describe('exported graph', () => {
  it('LeNet-5: Conv(pads 2) → Tanh → AveragePool → … → Flatten(axis 1) → Gemm(transB 1), dynamic batch, opset 13, named weights', async () => {
    const model = createModel({ arch: 'lenet5', numClasses: 10, seed: 1 });
    const bytes = await exportOnnx(model, { inputShape: [1, 28, 28], inputName: 'image', outputName: 'scores' });
    const onnx = await loadOnnxSchema();
    const proto = onnx.ModelProto.decode(bytes);
    expect(Number(proto.irVersion)).toBe(7);
    expect(proto.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
    expect(proto.producerName).toBe('qdistill');
    const graph = proto.graph as import('onnx-proto').onnx.GraphProto;
    expect(graph.node.map((n) => n.opType)).toEqual(['Conv', 'Tanh', 'AveragePool', 'Conv', 'Tanh', 'AveragePool', 'Flatten', 'Gemm', 'Tanh', 'Gemm', 'Tanh', 'Gemm']);
    const attrs = (i: number): Record<string, unknown> =>
      Object.fromEntries((graph.node[i]!.attribute ?? []).map((a) => [a.name, a.ints?.length ? a.ints.map(Number) : a.type === 1 ? a.f : Number(a.i)]));
    expect(attrs(0)).toEqual({ dilations: [1, 1], group: 1, kernel_shape: [5, 5], pads: [2, 2, 2, 2], strides: [1, 1] });
    expect(attrs(2)).toEqual({ ceil_mode: 0, kernel_shape: [2, 2], pads: [0, 0, 0, 0], strides: [2, 2], count_include_pad: 0 });
    expect(attrs(3)).toMatchObject({ pads: [0, 0, 0, 0] });
    expect(attrs(6)).toEqual({ axis: 1 });
    expect(attrs(7)).toEqual({ alpha: 1, beta: 1, transB: 1 });
    expect(graph.node[graph.node.length - 1]!.output).toEqual(['scores']);
    expect(graph.initializer.map((t) => [t.name, (t.dims ?? []).map(Number)])).toEqual([
      ['0.weight', [6, 1, 5, 5]],
      ['0.bias', [6]],
      ['3.weight', [16, 6, 5, 5]],
      ['3.bias', [16]],
      ['7.weight', [120, 400]],
      ['7.bias', [120]],
      ['9.weight', [84, 120]],
      ['9.bias', [84]],
      ['11.weight', [10, 84]],
      ['11.bias', [10]],
    ]);
    const signature = await readGraphSignature(bytes);
    expect(signature.inputs).toEqual([{ name: 'image', type: 'float32', dims: ['batch', 1, 28, 28] }]);
    expect(signature.outputs).toEqual([{ name: 'scores', type: 'float32', dims: ['batch', 10] }]);
  });

  it('AlexNet-mini: dropout is dropped (eval mode), max-pools and padded convolutions remain', async () => {
    const model = createModel({ arch: 'alexnet-mini', numClasses: 6, fcWidths: 8, imageSize: 12 });
    const proto = (await loadOnnxSchema()).ModelProto.decode(await exportOnnx(model, { inputShape: [1, 12, 12] }));
    const nodes = proto.graph!.node ?? [];
    expect(nodes.map((n) => n.opType)).toEqual([
      'Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'Flatten', 'Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm',
    ]);
    expect((nodes[0]!.attribute ?? []).find((a) => a.name === 'pads')!.ints!.map(Number)).toEqual([1, 1, 1, 1]);
  });

  it('exporting is deterministic (same model → same bytes)', async () => {
    const a = await exportOnnx(createModel({ arch: 'lenet-003', numClasses: 6, seed: 3 }), { inputShape: [1, 28, 28] });
    const b = await exportOnnx(createModel({ arch: 'lenet-003', numClasses: 6, seed: 3 }), { inputShape: [1, 28, 28] });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});

describe('exportOnnx errors', () => {
  it('a layer without an ONNX mapping → E_UNSUPPORTED naming the layer and the exportable ones', async () => {
    const net = new Sequential(new Linear(4, 4, { seed: 1 }), new Lambda((x) => x, 'Identity'));
    await expectRejects(() => exportOnnx(net, { inputShape: [4] }), 'E_UNSUPPORTED', 'layer 1 (Identity)', 'exportable layers: Sequential, Conv2d');
  });

  it('an input shape that does not chain through the layers → E_SHAPE naming the layer', async () => {
    const model = createModel({ arch: 'lenet5', numClasses: 10 });
    await expectRejects(() => exportOnnx(model, { inputShape: [1, 32, 32] }), 'E_SHAPE', 'layer 7 (Linear(400→120)) expects [400]', 'receives [576]');
    await expectRejects(() => exportOnnx(model, { inputShape: [3, 28, 28] }), 'E_SHAPE', 'layer 0 (Conv2d(1→6, 5×5, padding 2)) expects [1, H, W]');
  });

  it('float64 models, unknown opsets and Flatten of inner axes → E_UNSUPPORTED', async () => {
    const model64 = createModel({ arch: 'mlp', numClasses: 2, inputSize: 3, hiddenSizes: [4], dtype: 'float64' });
    await expectRejects(() => exportOnnx(model64, { inputShape: [3] }), 'E_UNSUPPORTED', 'float64', "model.to('float32')");
    const model = createModel({ arch: 'mlp', numClasses: 2, inputSize: 3, hiddenSizes: [4] });
    await expectRejects(() => exportOnnx(model, { inputShape: [3], opsetVersion: 12 }), 'E_UNSUPPORTED', 'opsetVersion 12');
    await expectRejects(() => exportOnnx(new Sequential(new Flatten(2)), { inputShape: [2, 3, 4] }), 'E_UNSUPPORTED', 'Flatten(axis=1)');
    await expectRejects(() => exportOnnx(model, { inputShape: [0] }), 'E_SHAPE', 'positive integers');
  });
});
