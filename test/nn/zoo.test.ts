// The classical model zoo: structures, parameter counts (against the ONNX
// teachers' manifest: test/fixtures/teachers or QDISTILL_TEACHERS_DIR) and
// JSON-config validation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, init, noGrad, normalizeModelConfig, Sequential, zeros, type Module } from '../../sdk/nn/index.js';
import { teachersDir } from '../helpers/fixtures.js';
import { expectError } from './helpers.js';

const manifest = JSON.parse(readFileSync(join(teachersDir(), 'manifest.json'), 'utf8')) as {
  models: Array<{ name: string; architecture: string; num_classes: number; parameters: number; architecture_detail: string }>;
};

beforeAll(async () => {
  await init();
});

/** Output shape after each layer for one input. */
function trace(model: Sequential, inputShape: number[]): number[][] {
  return noGrad(() => {
    let h = zeros(inputShape);
    return model.layers.map((m: Module) => {
      h = m.forward(h);
      return [...h.shape];
    });
  });
}

describe('model zoo', () => {
  it('lenet-003 (paper 003): tanh/avg-pool, no padding, 28→24→12→8→4, FC 256→120→84→C', () => {
    const m = createModel({ arch: 'lenet-003', numClasses: 6 });
    expect(m.layers.map((l) => l.label)).toEqual([
      'Conv2d(1→6, 5×5)', 'Tanh', 'AvgPool2d(2)', 'Conv2d(6→16, 5×5)', 'Tanh', 'AvgPool2d(2)', 'Flatten',
      'Linear(256→120)', 'Tanh', 'Linear(120→84)', 'Tanh', 'Linear(84→6)',
    ]);
    const shapes = trace(m, [2, 1, 28, 28]);
    expect(shapes.map((s) => s.slice(2))).toEqual([[24, 24], [24, 24], [12, 12], [8, 8], [8, 8], [4, 4], [], [], [], [], [], []]);
    expect(shapes.at(-1)).toEqual([2, 6]);
    // 6·25+6 + 16·6·25+16 + 256·120+120 + 120·84+84 + 84·6+6
    expect(m.numParameters()).toBe(156 + 2416 + 30840 + 10164 + 510);
    expect(createModel({ arch: 'lenet-003', numClasses: 10 }).numParameters()).toBe(44426);
  });

  it('lenet-000 (paper 000): ReLU/max-pool, padding 2, FC 400→120→84→C', () => {
    const m = createModel({ arch: 'lenet-000', numClasses: 10 });
    expect(m.layers.map((l) => l.label)).toEqual([
      'Conv2d(1→6, 5×5, padding 2)', 'ReLU', 'MaxPool2d(2)', 'Conv2d(6→16, 5×5)', 'ReLU', 'MaxPool2d(2)', 'Flatten',
      'Linear(400→120)', 'ReLU', 'Linear(120→84)', 'ReLU', 'Linear(84→10)',
    ]);
    expect(trace(m, [1, 1, 28, 28]).map((s) => s.slice(1))).toEqual([
      [6, 28, 28], [6, 28, 28], [6, 14, 14], [16, 10, 10], [16, 10, 10], [16, 5, 5], [400], [120], [120], [84], [84], [10],
    ]);
    expect(m.numParameters()).toBe(61706);
  });

  it('every teacher of the manifest has the parameter count of its zoo architecture (lenet → lenet5, alexnet-fc128 → alexnet-mini)', () => {
    const zooArch = (architecture: string): 'lenet5' | 'alexnet-mini' => {
      if (architecture === 'lenet') return 'lenet5';
      if (architecture === 'alexnet-fc128') return 'alexnet-mini';
      throw new Error(`manifest: no zoo architecture known for ${JSON.stringify(architecture)}`);
    };
    expect(manifest.models.length).toBeGreaterThan(0);
    for (const t of manifest.models) expect(createModel({ arch: zooArch(t.architecture), numClasses: t.num_classes }).numParameters(), t.name).toBe(t.parameters);
  });

  it('lenet5 is the LeNet teachers\' layer sequence', () => {
    const teachers = manifest.models.filter((t) => t.architecture === 'lenet');
    expect(teachers.length).toBeGreaterThan(0);
    expect(teachers[0]!.architecture_detail).toContain('conv1 6@5x5 pad2 -> tanh -> avgpool2 -> conv2 16@5x5 -> tanh -> avgpool2 -> flatten 400 -> fc120 -> tanh -> fc84 -> tanh -> fc C');
    const m = createModel({ arch: 'lenet5', numClasses: 6 });
    expect(m.layers.map((l) => l.label)).toEqual([
      'Conv2d(1→6, 5×5, padding 2)', 'Tanh', 'AvgPool2d(2)', 'Conv2d(6→16, 5×5)', 'Tanh', 'AvgPool2d(2)', 'Flatten',
      'Linear(400→120)', 'Tanh', 'Linear(120→84)', 'Tanh', 'Linear(84→6)',
    ]);
  });

  it('alexnet-mini is the alexnet-fc128 teachers\' network (their parameter counts, flatten 18816, dropout placement)', () => {
    // ../shared/teachers/manifest.json: alexnet-fc128-*-c6 3,201,222 and -c8 3,201,480 parameters.
    expect(createModel({ arch: 'alexnet-mini', numClasses: 6 }).numParameters()).toBe(3201222);
    expect(createModel({ arch: 'alexnet-mini', numClasses: 8 }).numParameters()).toBe(3201480);
    const m = createModel({ arch: 'alexnet-mini', numClasses: 6 });
    expect(m.layers.map((l) => l.label)).toEqual([
      'Conv2d(1→64, 3×3, padding 1)', 'ReLU', 'MaxPool2d(2)', 'Conv2d(64→192, 3×3, padding 1)', 'ReLU', 'MaxPool2d(2)',
      'Conv2d(192→384, 3×3, padding 1)', 'ReLU', 'Flatten', 'Dropout(0.5)', 'Linear(18816→128)', 'ReLU', 'Dropout(0.5)',
      'Linear(128→128)', 'ReLU', 'Linear(128→6)',
    ]);
    expect(m.eval().forward(zeros([2, 1, 28, 28])).shape).toEqual([2, 6]);
    // the paper's FC widths (4096) are a config switch
    const wide = createModel({ arch: 'alexnet-mini', numClasses: 10, fcWidths: [256, 64], dropout: 0.25 });
    expect(wide.numParameters()).toBe(640 + 110784 + 663936 + (18816 * 256 + 256) + (256 * 64 + 64) + (64 * 10 + 10));
  });

  it('mlp: Linear/activation stack from the config', () => {
    const m = createModel({ arch: 'mlp', inputSize: 784, hiddenSizes: [128, 64], numClasses: 10, activation: 'tanh', dropout: 0.1 });
    expect(m.layers.map((l) => l.label)).toEqual(['Linear(784→128)', 'Tanh', 'Dropout(0.1)', 'Linear(128→64)', 'Tanh', 'Dropout(0.1)', 'Linear(64→10)']);
    expect(m.numParameters()).toBe(784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10);
  });

  it('models are reproducible from their JSON config (same seed, same weights) and keep the normalised config', () => {
    const cfg = JSON.parse(JSON.stringify({ arch: 'lenet-003', numClasses: 6, seed: 3 }));
    const a = createModel(cfg);
    const b = createModel(JSON.parse(JSON.stringify(a.config)));
    expect(Array.from(b.getFlatParams())).toEqual(Array.from(a.getFlatParams()));
    expect(a.config).toEqual({ arch: 'lenet-003', numClasses: 6, seed: 3, dtype: 'float32', inChannels: 1, imageSize: 28 });
    expect(Array.from(createModel({ ...cfg, seed: 4 }).getFlatParams())).not.toEqual(Array.from(a.getFlatParams()));
    expect(createModel({ arch: 'lenet-000', numClasses: 3, dtype: 'float64' }).parameters()[0]!.dtype).toBe('float64');
    expect(createModel({ arch: 'lenet-000', numClasses: 10, inChannels: 3, imageSize: 32 }).numParameters()).toBe(61706 + 2 * 150 + 16 * 120 * 11);
  });

  it('rejects bad configs with E_CONFIG saying what is wrong', () => {
    expectError(() => createModel({ arch: 'resnet', numClasses: 10 }), 'E_CONFIG', /^model config arch: expected arch to be one of "lenet-003", "lenet-000", "lenet5", "alexnet-mini", "mlp", got "resnet"$/);
    expectError(() => createModel({ arch: 'lenet-000', numClasses: 0 }), 'E_CONFIG', /^model config numClasses: expected a number > 0, got 0$/);
    expectError(() => createModel({ arch: 'lenet-000', numClasses: 10, hidden: 3 }), 'E_CONFIG', /^model config: unknown field "hidden" \(allowed: arch, numClasses, seed, dtype, inChannels, imageSize\)$/);
    expectError(() => createModel({ arch: 'lenet-003', numClasses: 10, imageSize: 12 }), 'E_CONFIG', /imageSize is too small/);
    expectError(() => createModel({ arch: 'mlp', numClasses: 10, inputSize: 4, hiddenSizes: [3, -1] }), 'E_CONFIG', /^model config hiddenSizes\[1\]: expected a number > 0, got -1$/);
    expectError(() => normalizeModelConfig({ arch: 'alexnet-mini', numClasses: 6, dropout: 1 }), 'E_CONFIG', /^model config dropout: expected a number < 1, got 1$/);
    expectError(() => normalizeModelConfig({ arch: 'lenet5', numClasses: 10, dtype: 'float16' }), 'E_CONFIG', /^model config dtype: expected one of "float32", "float64", got "float16"$/);
    // Sizes are bounded before anything is allocated.
    expectError(() => createModel({ arch: 'alexnet-mini', numClasses: 6, fcWidths: 10_000_000 }), 'E_CONFIG', /^model config fcWidths: expected a number ≤ 65536, got 10000000$/);
  });
});
