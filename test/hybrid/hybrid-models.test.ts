// The hybrid models of papers 000 and 003: parameter counts from their
// architecture, ablation switches, and a finite-difference check of the
// whole quantum LeNet (input image, α, Hermitian observables, weights).
import { beforeAll, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../sdk/kernel/kernel.js';
import { createHybridModel, QuantumLeNet, type QuantumLeNetConfig } from '../../sdk/qnn/hybrid.js';
import { crossEntropy, init, Tensor, noGrad, type Module } from '../../sdk/nn/index.js';
import { Random } from '../../sdk/util/random.js';

let kernel: Kernel;
beforeAll(async () => {
  await init();
  kernel = await createKernel();
});

const linear = (i: number, o: number) => i * o + o;
const conv = (cin: number, cout: number, k: number) => cin * cout * k * k + cout;

function image(n: number, seed: number, size = 28, dtype: 'float32' | 'float64' = 'float64'): Tensor {
  const rng = new Random(seed);
  const values = Array.from({ length: n * size * size }, () => rng.uniform());
  return new Tensor(dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values), [n, 1, size, size]);
}

describe('quantum LeNet (paper 000)', () => {
  it('has the parameter count of its architecture, for every ablation', async () => {
    for (const c of [6, 10]) {
      const trunk = conv(1, 6, 5) + conv(6, 16, 5) + linear(400, 120) + linear(120, 64);
      const sel = 3 * 6 * 3;
      const full = await createHybridModel({ arch: 'quantum-lenet-000', numClasses: c }, { kernel });
      expect(full.numParameters()).toBe(trunk + sel + 6 * 8 + linear(6, c) + linear(64, c) + 1 + linear(c, c));
      const noResidual = await createHybridModel({ arch: 'quantum-lenet-000', numClasses: c, residual: false }, { kernel });
      expect(noResidual.numParameters()).toBe(trunk + sel + 6 * 8 + linear(6, c) + linear(c, c));
      const pauliZ = await createHybridModel({ arch: 'quantum-lenet-000', numClasses: c, readout: 'pauliZ' }, { kernel });
      expect(pauliZ.numParameters()).toBe(trunk + sel + linear(6, c) + linear(64, c) + 1 + linear(c, c));
      const frozen = await createHybridModel({ arch: 'quantum-lenet-000', numClasses: c, hermitianFrozen: true }, { kernel });
      expect(frozen.numParameters()).toBe(trunk + sel + linear(6, c) + linear(64, c) + 1 + linear(c, c));
    }
  });

  it('takes 32×32×3 images (CIFAR) with the same trunk', async () => {
    const m = await createHybridModel({ arch: 'quantum-lenet-000', numClasses: 10, imageSize: 32, inChannels: 3 }, { kernel });
    const rng = new Random(1);
    const y = m.forward(new Tensor(Float32Array.from({ length: 2 * 3 * 32 * 32 }, () => rng.uniform()), [2, 3, 32, 32]));
    expect(y.shape).toEqual([2, 10]);
  });

  it('gradients of the whole model match central finite differences (input image, α, Hermitians, QNN and conv weights)', async () => {
    const config: QuantumLeNetConfig = { arch: 'quantum-lenet-000', numClasses: 4, dtype: 'float64', seed: 3 };
    const model = (await createHybridModel(config, { kernel })) as QuantumLeNet;
    const x = image(3, 7);
    x.requiresGrad = true;
    const labels = [0, 3, 1];
    const loss = (m: Module, input: Tensor): number => noGrad(() => crossEntropy(m.forward(input), labels).data[0]!);
    const out = crossEntropy(model.forward(x), labels);
    out.backward();
    const h = 1e-6;
    const rng = new Random(11);

    // dL/d(image) along random directions
    for (let k = 0; k < 3; k++) {
      const v = Float64Array.from({ length: x.size }, () => rng.normal());
      const plus = new Tensor(x.data.map((d, i) => d + h * v[i]!), x.shape);
      const minus = new Tensor(x.data.map((d, i) => d - h * v[i]!), x.shape);
      const fd = (loss(model, plus) - loss(model, minus)) / (2 * h);
      const analytic = v.reduce((s, vi, i) => s + vi * x.grad!.data[i]!, 0);
      expect(Math.abs(fd - analytic)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }

    // every parameter group: α, the QNN vector (weights + Hermitian parameters), conv and linear weights
    const named = new Map(model.namedParameters());
    const check = (name: string, indices: number[]) => {
      const p = named.get(name)!;
      expect(p, name).toBeDefined();
      for (const i of indices) {
        const saved = p.data[i]!;
        p.data[i] = saved + h;
        const lp = loss(model, x);
        p.data[i] = saved - h;
        const lm = loss(model, x);
        p.data[i] = saved;
        const fd = (lp - lm) / (2 * h);
        expect(Math.abs(fd - p.grad!.data[i]!), `${name}[${i}]`).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
      }
    };
    check('alpha', [0]);
    const qnn = [...named.keys()].find((k) => k.startsWith('qnn'))!;
    const numWeights = model.qnn.layer.numWeights;
    check(qnn, [0, 17, numWeights - 1, numWeights, numWeights + 2, numWeights + 3, numWeights + 5 * 8 + 6]);
    check('trunk.0.weight', [0, 40, 149]);
    check('trunk.9.weight', [5, 1000]);
    check('output.bias', [2]);
  });
});

describe('paper-003 student', () => {
  it('has the parameter count of its architecture and emits the 2ⁿ Born probabilities, declared as such', async () => {
    for (const [n, c] of [[3, 6], [3, 8], [4, 8], [4, 10]] as const) {
      const m = await createHybridModel({ arch: 'student-003', numClasses: c, numQubits: n }, { kernel });
      expect(m.numParameters()).toBe(conv(1, 10, 5) + conv(10, 20, 5) + linear(320, 50) + linear(50, n));
      expect(m.outputSpec).toEqual({ kind: 'probabilities', classes: c });
      m.eval();
      const p = m.forward(image(2, 3, 28, 'float32'));
      expect(p.shape).toEqual([2, 2 ** n]);
      for (let i = 0; i < 2; i++) {
        const row = Array.from(p.data.subarray(i * 2 ** n, (i + 1) * 2 ** n));
        expect(row.every((v) => v >= 0)).toBe(true);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      }
    }
  });

  it("paper 003's heads: sigmoid + concatenation (2ⁿ⁺¹ logits, Qiskit outcome order) and softmax over probabilities", async () => {
    const x = image(2, 3, 28, 'float32');
    const born = await createHybridModel({ arch: 'student-003', numClasses: 6, numQubits: 3, seed: 4 }, { kernel });
    const sig = await createHybridModel({ arch: 'student-003', numClasses: 6, numQubits: 3, seed: 4, head: 'sigmoid-concat' }, { kernel });
    const soft = await createHybridModel({ arch: 'student-003', numClasses: 6, numQubits: 3, seed: 4, head: 'softmax' }, { kernel });
    for (const m of [born, sig, soft]) m.eval();
    const p = born.forward(x).data;
    const s = sig.forward(x);
    const f = soft.forward(x);
    expect(sig.outputSpec).toEqual({ kind: 'logits', classes: 6 });
    expect(s.shape).toEqual([2, 16]);
    expect(f.shape).toEqual([2, 8]);
    const reversed = (j: number): number => ((j & 1) << 2) | (j & 2) | ((j & 4) >> 2); // Qiskit index j ↔ PennyLane index
    for (let r = 0; r < 2; r++) {
      const z = Array.from({ length: 8 }, (_, j) => Math.exp(p[r * 8 + reversed(j)]!)).reduce((a, b) => a + b, 0);
      for (let j = 0; j < 8; j++) {
        const pj = p[r * 8 + reversed(j)]!;
        const sigma = 1 / (1 + Math.exp(-pj));
        expect(s.data[r * 16 + j]).toBeCloseTo(sigma, 5);
        expect(s.data[r * 16 + 8 + j]).toBeCloseTo(1 - sigma, 5);
        expect(f.data[r * 8 + j]).toBeCloseTo(Math.exp(pj) / z, 5);
      }
    }
  });

  it("paper 003's gradient: E(θ+π/4) − E(θ−π/4) without the 1/(2 sin s) factor is √2 × the exact derivative", async () => {
    const x = image(2, 7, 28, 'float64');
    const grads = async (extra: Record<string, unknown>) => {
      const m = await createHybridModel({ arch: 'student-003', numClasses: 6, numQubits: 3, dtype: 'float64', seed: 3, ...extra } as never, { kernel });
      m.eval();
      crossEntropy(m.forward(x), [1, 4]).backward();
      return m.getFlatGrad();
    };
    const exact = await grads({});
    const paper = await grads({ diffMethod: 'parameter-shift', shiftRule: { shift: Math.PI / 4, factor: 'none' } });
    let worst = 0;
    exact.forEach((g, i) => (worst = Math.max(worst, Math.abs(paper[i]! - Math.SQRT2 * g))));
    expect(worst).toBeLessThan(1e-9 * Math.max(...exact.map(Math.abs)) + 1e-12);
    expect(Math.max(...exact.map(Math.abs))).toBeGreaterThan(1e-4);
  });

  it('rejects more classes than basis states', async () => {
    await expect(createHybridModel({ arch: 'student-003', numClasses: 10, numQubits: 3 }, { kernel })).rejects.toMatchObject({ code: 'E_CONFIG' });
  });

  it('gradients through H + RY(π·tanh) match finite differences (float64, eval mode)', async () => {
    const model = await createHybridModel({ arch: 'student-003', numClasses: 6, numQubits: 3, dtype: 'float64', seed: 2 }, { kernel });
    model.eval();
    const x = image(2, 5);
    const labels = [1, 4];
    crossEntropy(model.forward(x), labels).backward();
    const h = 1e-6;
    for (const [name, p] of model.namedParameters().filter(([n]) => n.startsWith('features') && n.endsWith('weight')).slice(-2)) {
      for (const i of [0, 7]) {
        const saved = p.data[i]!;
        p.data[i] = saved + h;
        const lp = noGrad(() => crossEntropy(model.forward(x), labels).data[0]!);
        p.data[i] = saved - h;
        const lm = noGrad(() => crossEntropy(model.forward(x), labels).data[0]!);
        p.data[i] = saved;
        expect(Math.abs((lp - lm) / (2 * h) - p.grad!.data[i]!), `${name}[${i}]`).toBeLessThan(1e-6);
      }
    }
  });
});
