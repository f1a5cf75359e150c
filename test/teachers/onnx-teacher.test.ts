// OnnxTeacher: bad input gives a clear typed error (wrong class count,
// input shapes that do not fit, corrupted / truncated / random / empty /
// missing files), and the loader's other paths work: file and http URLs,
// fixed batch sizes, several outputs, symbolic axes, preprocessing, NHWC,
// caching, concurrency.
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Conv2d, createModel, Flatten, init, Linear, ReLU, Sequential } from '../../sdk/nn/index.js';
import { Random } from '../../sdk/util/random.js';
import { exportOnnx, OnnxTeacher } from '../../sdk/teachers/index.js';
import { loadOnnxSchema } from '../../sdk/teachers/onnx-schema.js';
import { expectRejects, maxAbsDiff, referenceImages, readManifest, TEACHERS_DIR } from './helpers.js';

const LENET = join(TEACHERS_DIR, 'lenet-mnist-c6.onnx');
let tmp: string;
let lenet: OnnxTeacher;
let images: Float32Array; // the 8 reference images of lenet-mnist-c6
let referenceLogits: number[];
let exported: Uint8Array; // a qdistill LeNet-5, 10 classes

beforeAll(async () => {
  await init();
  tmp = await mkdtemp(join(tmpdir(), 'qdistill-teachers-'));
  lenet = await OnnxTeacher.load(LENET);
  const entry = (await readManifest()).models.find((m) => m.file === 'lenet-mnist-c6.onnx')!;
  images = await referenceImages(entry);
  referenceLogits = entry.reference.logits.flat();
  exported = await exportOnnx(createModel({ arch: 'lenet5', numClasses: 10, seed: 1 }), { inputShape: [1, 28, 28] });
});

afterAll(async () => {
  await lenet?.dispose();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function random(count: number, seed: number, scale = 1): Float32Array {
  const rng = new Random(seed);
  return Float32Array.from({ length: count }, () => scale * rng.uniform());
}

/** The exported LeNet with its graph edited by `edit` (onnx-proto). */
async function edited(edit: (graph: import('onnx-proto').onnx.IGraphProto) => void): Promise<Uint8Array> {
  const onnx = await loadOnnxSchema();
  const model = onnx.ModelProto.decode(exported);
  edit(model.graph!);
  return onnx.ModelProto.encode(model).finish();
}

describe('a teacher whose classes do not fit the data', () => {
  it('is refused at load when numClasses is given', async () => {
    const e = await expectRejects(() => OnnxTeacher.load(LENET, { numClasses: 8 }), 'E_TEACHER', 'teacher lenet-mnist-c6.onnx: has 6 output classes but the data has 8');
    expect(e.details).toMatchObject({ teacherClasses: 6, dataClasses: 8 });
  });

  it('is refused by logitsFor and checkCompatible for a dataset with another class count', async () => {
    const data = { x: images, shape: [1, 28, 28], numClasses: 8 };
    await expectRejects(() => lenet.logitsFor(data), 'E_TEACHER', 'has 6 output classes but the data has 8');
    expect(() => lenet.checkCompatible(data)).toThrow(/has 6 output classes but the data has 8/);
  });
});

describe('an input shape that does not fit', () => {
  it('is refused at load with the model’s and the data’s shapes', async () => {
    await expectRejects(
      () => OnnxTeacher.load(LENET, { dataShape: [1, 32, 32] }),
      'E_TEACHER',
      "teacher lenet-mnist-c6.onnx: input 'input' expects [batch,1,28,28] but the data has shape [1,32,32]",
      '784 values per sample expected, 1024 given',
    );
  });

  it('is refused by predict / logitsFor for another sample shape, and the same values arranged differently', async () => {
    await expectRejects(() => lenet.predict(new Float32Array(2 * 3 * 784), 2, [3, 28, 28]), 'E_TEACHER', "expects [batch,1,28,28] but the data has shape [3,28,28]");
    await expectRejects(() => lenet.logitsFor({ x: new Float32Array(2 * 784), shape: [14, 56] }), 'E_TEACHER', 'shape [14,56]', 'arranged differently');
  });

  it('flat samples, a missing channel axis and extra size-1 axes are the same images', async () => {
    const base = await lenet.predict(images, 8);
    expect(maxAbsDiff(base, referenceLogits)).toBeLessThan(1e-4);
    for (const shape of [[784], [28, 28], [28, 28, 1], [1, 1, 28, 28]]) expect(maxAbsDiff(await lenet.predict(images, 8, shape), base)).toBe(0);
  });

  it('a sample count that does not match the values → E_SHAPE; NaN features → E_NON_FINITE', async () => {
    await expectRejects(() => lenet.predict(images, 7), 'E_SHAPE', 'predict got 6272 values for 7 samples of shape [1,28,28]; expected 5488');
    const bad = images.slice();
    bad[784 * 2 + 5] = Number.NaN;
    await expectRejects(() => lenet.predict(bad, 8), 'E_NON_FINITE', 'value 5 of sample 2 is NaN');
  });
});

describe('files that are not loadable ONNX models', () => {
  it('a truncated copy → E_ONNX wrapping onnxruntime’s error as cause', async () => {
    const bytes = await readFile(LENET);
    const file = join(tmp, 'lenet-truncated.onnx');
    await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const e = await expectRejects(() => OnnxTeacher.load(file), 'E_ONNX', 'teacher lenet-truncated.onnx: onnxruntime-web cannot load the ONNX model', 'truncated, corrupted or not an ONNX model');
    expect(e.cause).toBeInstanceOf(Error);
    expect(e.message).toContain((e.cause as Error).message.trim().slice(0, 40));
    expect(e.details).toMatchObject({ problem: 'unloadable', bytes: Math.floor(bytes.length / 2) });
  });

  it('random bytes → E_ONNX', async () => {
    const noise = new Uint8Array(4096);
    const rng = new Random(7);
    for (let i = 0; i < noise.length; i++) noise[i] = rng.int(256);
    const file = join(tmp, 'noise.onnx');
    await writeFile(file, noise);
    await expectRejects(() => OnnxTeacher.load(file), 'E_ONNX', 'teacher noise.onnx: onnxruntime-web cannot load the ONNX model');
    await expectRejects(() => OnnxTeacher.load(noise, { name: 'noise-bytes' }), 'E_ONNX', 'teacher noise-bytes: onnxruntime-web cannot load', '4096 bytes');
  });

  it('an empty file, a missing file and a directory → E_ONNX naming the file', async () => {
    const empty = join(tmp, 'empty.onnx');
    await writeFile(empty, new Uint8Array(0));
    await expectRejects(() => OnnxTeacher.load(empty), 'E_ONNX', 'is empty (0 bytes)');
    const missing = join(tmp, 'does-not-exist.onnx');
    const e = await expectRejects(() => OnnxTeacher.load(missing), 'E_ONNX', `cannot read the ONNX model ${missing}: no such file`);
    expect(e.details).toMatchObject({ problem: 'missing-file' });
    await expectRejects(() => OnnxTeacher.load(tmp), 'E_ONNX', 'is not a file');
  });
});

describe('sources', () => {
  it('a file: URL, an ArrayBuffer and an http URL give the same teacher; HTTP errors → E_ONNX', async () => {
    const bytes = await readFile(LENET);
    const server: Server = createServer((req, res) => {
      if (req.url === '/lenet.onnx') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(bytes);
      } else {
        res.writeHead(404, 'Not Found');
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const fromUrl = await OnnxTeacher.load(`http://127.0.0.1:${port}/lenet.onnx`);
      expect(fromUrl.name).toBe('lenet.onnx');
      expect(maxAbsDiff(await fromUrl.predict(images, 8), referenceLogits)).toBeLessThan(1e-4);
      await fromUrl.dispose();
      await expectRejects(() => OnnxTeacher.load(`http://127.0.0.1:${port}/missing.onnx`), 'E_ONNX', `cannot fetch the ONNX model http://127.0.0.1:${port}/missing.onnx: HTTP 404`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const fromFileUrl = await OnnxTeacher.load(pathToFileURL(LENET));
    const fromBuffer = await OnnxTeacher.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), { name: 'buffer' });
    expect(fromFileUrl.name).toBe('lenet-mnist-c6.onnx');
    expect(await fromFileUrl.predict(images, 8)).toEqual(await fromBuffer.predict(images, 8));
    await fromFileUrl.dispose();
    await fromBuffer.dispose();
  });
});

describe('model signatures', () => {
  it('a fixed batch size: calls are padded to it, results equal the dynamic model', async () => {
    const fixed = await OnnxTeacher.load(
      await edited((g) => {
        g.input![0]!.type!.tensorType!.shape!.dim![0] = { dimValue: 4 };
        g.output![0]!.type!.tensorType!.shape!.dim![0] = { dimValue: 4 };
      }),
      { name: 'fixed4' },
    );
    const dynamic = await OnnxTeacher.load(exported, { chunkSize: 3 });
    expect(fixed.fixedBatch).toBe(4);
    expect(fixed.chunkSize).toBe(4);
    const x = random(10 * 784, 3);
    expect(maxAbsDiff(await fixed.predict(x, 10), await dynamic.predict(x, 10))).toBeLessThan(1e-6);
    await fixed.dispose();
    await dynamic.dispose();
  });

  it('an unnamed dynamic batch axis (no dim_value, no dim_param: onnxruntime-web reports 4294967295) is dynamic, not a batch of 2^32 − 1', async () => {
    const bytes = await edited((g) => {
      g.input![0]!.type!.tensorType!.shape!.dim![0] = {};
      g.output![0]!.type!.tensorType!.shape!.dim![0] = {};
    });
    const unnamed = await OnnxTeacher.load(bytes, { name: 'unnamed-batch' });
    const dynamic = await OnnxTeacher.load(exported);
    expect(unnamed.fixedBatch).toBeNull();
    expect(unnamed.input.dims).toEqual([null, 1, 28, 28]);
    const x = random(5 * 784, 4);
    expect(maxAbsDiff(await unnamed.predict(x, 5), await dynamic.predict(x, 5))).toBe(0);
    await unnamed.dispose();
    await dynamic.dispose();
  });

  it('several outputs: the logits output must be named; a wrong name lists the outputs', async () => {
    const bytes = await edited((g) => {
      const flatten = g.node!.find((n) => n.opType === 'Flatten')!;
      g.output!.push({ name: flatten.output![0]!, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: 400 }] } } } });
    });
    await expectRejects(() => OnnxTeacher.load(bytes, { name: 'two-outputs' }), 'E_TEACHER', 'the model has 2 outputs', "'logits' [batch,10]", 'outputName');
    await expectRejects(() => OnnxTeacher.load(bytes, { outputName: 'probs' }), 'E_TEACHER', "has no output 'probs'");
    const teacher = await OnnxTeacher.load(bytes, { outputName: 'logits' });
    expect(teacher.numClasses).toBe(10);
    await teacher.dispose();
    await expectRejects(() => OnnxTeacher.load(exported, { inputName: 'image' }), 'E_TEACHER', "the model has no input 'image'; its inputs are 'input' [batch,1,28,28]");
  });

  it('symbolic image axes: the data shape resolves them (given at load or per call)', async () => {
    const bytes = await edited((g) => {
      const dims = g.input![0]!.type!.tensorType!.shape!.dim!;
      dims[2] = { dimParam: 'height' };
      dims[3] = { dimParam: 'width' };
      // A symbolic class axis: onnxruntime's shape inference still reports 10.
      g.output![0]!.type!.tensorType!.shape!.dim![1] = { dimParam: 'classes' };
    });
    const open = await OnnxTeacher.load(bytes, { name: 'symbolic' });
    expect(open.dataShape).toBeUndefined();
    expect(open.numClasses).toBe(10);
    await expectRejects(() => open.predict(new Float32Array(784), 1), 'E_SHAPE', "the model's input has symbolic axes; pass the per-sample shape");
    expect((await open.predict(new Float32Array(784), 1, [1, 28, 28])).length).toBe(10);
    await open.dispose();
    const teacher = await OnnxTeacher.load(bytes, { name: 'symbolic', dataShape: [28, 28] });
    expect(teacher.numClasses).toBe(10);
    expect(teacher.dataShape).toEqual([28, 28]);
    const reference = await OnnxTeacher.load(exported);
    const x = random(3 * 784, 4);
    expect(maxAbsDiff(await teacher.predict(x, 3), await reference.predict(x, 3))).toBe(0);
    await expectRejects(() => teacher.predict(new Float32Array(2 * 2 * 784), 2, [2, 28, 28]), 'E_TEACHER', 'axis 1 must be 1, got 2');
    await teacher.dispose();
    await reference.dispose();
  });
});

describe('preprocessing', () => {
  it('scale 1/255 on 0..255 pixels gives the [0, 1] logits; mean/std normalise per channel', async () => {
    const pixels = Float32Array.from(images, (v) => Math.round(v * 255));
    const scaled = await OnnxTeacher.load(LENET, { scale: 1 / 255 });
    const unscaled = await lenet.predict(Float32Array.from(pixels, (v) => v / 255), 8);
    expect(maxAbsDiff(await scaled.predict(pixels, 8), unscaled)).toBeLessThan(1e-5);
    await scaled.dispose();
    const normalised = await OnnxTeacher.load(LENET, { mean: 0.5, std: 2 });
    const manual = await lenet.predict(Float32Array.from(images, (v) => (v - 0.5) / 2), 8);
    expect(maxAbsDiff(await normalised.predict(images, 8), manual)).toBeLessThan(1e-6);
    await normalised.dispose();
    await expectRejects(() => OnnxTeacher.load(LENET, { std: [1, 2] }), 'E_INVALID_ARGUMENT', 'std has 2 values; expected 1 or one per channel (1');
    await expectRejects(() => OnnxTeacher.load(LENET, { std: 0 }), 'E_INVALID_ARGUMENT', 'std must be a positive finite number');
  });

  it('NHWC data feeds an NCHW model after transposition', async () => {
    const net = new Sequential(new Conv2d(3, 4, 3, { seed: 1 }), new ReLU(), new Flatten(), new Linear(4 * 4 * 4, 5, { seed: 2 }));
    const teacher = await OnnxTeacher.load(await exportOnnx(net, { inputShape: [3, 6, 6] }), { name: 'rgb', layout: 'NHWC', dataShape: [6, 6, 3], mean: [0.1, 0.2, 0.3] });
    const plain = await OnnxTeacher.load(await exportOnnx(net, { inputShape: [3, 6, 6] }));
    const chw = random(2 * 108, 5);
    const hwc = new Float32Array(chw.length);
    for (let n = 0; n < 2; n++)
      for (let c = 0; c < 3; c++) for (let y = 0; y < 6; y++) for (let x = 0; x < 6; x++) hwc[n * 108 + (y * 6 + x) * 3 + c] = chw[n * 108 + (c * 6 + y) * 6 + x]!;
    const centred = Float32Array.from(chw, (v, i) => v - [0.1, 0.2, 0.3][Math.floor((i % 108) / 36)]!);
    expect(maxAbsDiff(await teacher.predict(hwc, 2), await plain.predict(centred, 2))).toBeLessThan(1e-6);
    // Channels-last data without layout: same size, other arrangement → a hint.
    await expectRejects(() => plain.predict(hwc, 2, [6, 6, 3]), 'E_TEACHER', "expects [batch,3,6,6] but the data has shape [6,6,3]", "pass layout: 'NHWC'");
    await teacher.dispose();
    await plain.dispose();
  });
});

describe('caching and concurrency', () => {
  it('logitsFor computes a dataset once (by object, or by id), and not after a failure', async () => {
    const teacher = await OnnxTeacher.load(exported);
    const data = { x: random(600 * 784, 8), shape: [1, 28, 28], numClasses: 10 };
    const t0 = performance.now();
    const first = await teacher.logitsFor(data);
    const cold = performance.now() - t0;
    const t1 = performance.now();
    expect(await teacher.logitsFor(data)).toBe(first);
    expect(performance.now() - t1).toBeLessThan(Math.max(1, cold / 10));
    const copy = { ...data };
    expect(await teacher.logitsFor(copy)).not.toBe(first); // another object: computed again
    expect(await teacher.logitsFor(data, { id: 'train' })).toEqual(first);
    expect(await teacher.logitsFor(copy, { id: 'train' })).toBe(await teacher.logitsFor(data, { id: 'train' }));
    await expectRejects(() => teacher.logitsFor({ x: data.x.subarray(0, 784), shape: [784] }, { id: 'train' }), 'E_INVALID_ARGUMENT', 'cover 600 samples but this dataset has 1');
    teacher.clearCache();
    expect(await teacher.logitsFor(data)).not.toBe(first);
    await teacher.dispose();
    await expectRejects(() => teacher.predict(data.x, 600), 'E_INVALID_ARGUMENT', 'used after dispose()');
  });

  it('concurrent predictions on one session give the sequential results', async () => {
    const teacher = await OnnxTeacher.load(exported, { chunkSize: 5 });
    const a = random(12 * 784, 9);
    const b = random(7 * 784, 10);
    const [ya, yb] = await Promise.all([teacher.predict(a, 12), teacher.predict(b, 7)]);
    expect(ya).toEqual(await teacher.predict(a, 12));
    expect(yb).toEqual(await teacher.predict(b, 7));
    await teacher.dispose();
  });
});
