// Paper 000's quantum LeNet variants for dataset distillation: the real 3-dof
// Hermitian (the authors' first version) gives the same ⟨H⟩ as the complex
// parametrisation holding the same matrix, its gradient matches finite
// differences, a frozen real Hermitian is a buffer, and the authors'
// initialisation (xavier-normal Conv/Linear with zero bias, xavier-normal
// circuit weights on their (3, 6, 3) tensor, N(0, 1) Hermitians, α = 0.5).
import { beforeAll, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../sdk/kernel/kernel.js';
import { createHybridModel, QuantumLeNet } from '../../sdk/qnn/hybrid.js';
import { initializePaper000 } from '../../sdk/distill/dataset.js';
import { crossEntropy, init, noGrad, Tensor } from '../../sdk/nn/index.js';
import { Random } from '../../sdk/util/random.js';

let kernel: Kernel;
beforeAll(async () => {
  await init();
  kernel = await createKernel();
});

function images(n: number, seed: number): Tensor {
  const rng = new Random(seed);
  return new Tensor(Float64Array.from({ length: n * 784 }, () => rng.uniform()), [n, 1, 28, 28]);
}

async function qlenet(extra: Record<string, unknown>): Promise<QuantumLeNet> {
  return (await createHybridModel({ arch: 'quantum-lenet-000', numClasses: 10, dtype: 'float64', seed: 5, ...extra }, { kernel })) as unknown as QuantumLeNet;
}

describe('quantum LeNet, real 3-dof Hermitian (the authors\' first version)', () => {
  it('has 30 parameters fewer than the complex one (6 × (8 − 3)) and a [3, 6] hermitian parameter', async () => {
    const complex = await qlenet({});
    const real = await qlenet({ hermitian: 'real' });
    expect(complex.numParameters() - real.numParameters()).toBe(30);
    const h = new Map(real.namedParameters()).get('hermitian')!;
    expect(h.shape).toEqual([3, 6]);
  });

  it('gives the same outputs as the complex parametrisation holding H = [[d₀, o], [o, d₁]]', async () => {
    const real = await qlenet({ hermitian: 'real' });
    const complex = await qlenet({});
    const realParams = new Map(real.namedParameters());
    const h = realParams.get('hermitian')!.data;
    for (const [name, p] of complex.namedParameters()) {
      if (name === 'qnn.weight') {
        const circuit = realParams.get('qnn.weight')!.data;
        for (let i = 0; i < 54; i++) p.data[i] = circuit[i]!;
        for (let w = 0; w < 6; w++) {
          const [d0, d1, o] = [h[w]!, h[6 + w]!, h[12 + w]!];
          p.data.set([d0, 0, o, 0, o, 0, d1, 0], 54 + 8 * w); // A = H real symmetric → (A + A†)/2 = H
        }
      } else p.data.set(realParams.get(name)!.data);
    }
    const x = images(3, 1);
    const a = noGrad(() => real.forward(x)).data;
    const b = noGrad(() => complex.forward(x)).data;
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 11);
  });

  it('its hermitian gradient matches central finite differences', async () => {
    const model = await qlenet({ hermitian: 'real' });
    const x = images(2, 2);
    const labels = [3, 7];
    crossEntropy(model.forward(x), labels).backward();
    const h = new Map(model.namedParameters()).get('hermitian')!;
    const step = 1e-6;
    for (const i of [0, 7, 13, 17]) {
      const saved = h.data[i]!;
      h.data[i] = saved + step;
      const up = noGrad(() => crossEntropy(model.forward(x), labels).item());
      h.data[i] = saved - step;
      const down = noGrad(() => crossEntropy(model.forward(x), labels).item());
      h.data[i] = saved;
      const fd = (up - down) / (2 * step);
      expect(Math.abs(fd - h.grad!.data[i]!)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
    }
  });

  it('frozen, the real Hermitian is a buffer: not trained, still used', async () => {
    const frozen = await qlenet({ hermitian: 'real', hermitianFrozen: true });
    const trainable = await qlenet({ hermitian: 'real' });
    expect(trainable.numParameters() - frozen.numParameters()).toBe(18);
    expect(frozen.namedBuffers().map(([n]) => n)).toContain('hermitian');
  });
});

describe("the authors' initialisation (known_init)", () => {
  it('xavier-normal Conv/Linear weights with zero biases, circuit weights with std √(2/27), N(0, 1) Hermitians, α = 0.5', async () => {
    const model = await qlenet({});
    initializePaper000(model, new Random(9));
    const params = new Map(model.namedParameters());
    for (const [name, p] of params) if (name.endsWith('.bias')) expect(p.data.every((v) => v === 0), name).toBe(true);
    const fc1 = params.get('trunk.7.weight')!; // Linear(400 → 120): σ = √(2/520)
    const std = (d: ArrayLike<number>, from = 0, to = d.length): number => {
      let s = 0;
      for (let i = from; i < to; i++) s += d[i]! * d[i]!;
      return Math.sqrt(s / (to - from));
    };
    expect(std(fc1.data)).toBeGreaterThan(0.9 * Math.sqrt(2 / 520));
    expect(std(fc1.data)).toBeLessThan(1.1 * Math.sqrt(2 / 520));
    const qnn = params.get('qnn.weight')!.data;
    expect(std(qnn, 0, 54)).toBeGreaterThan(0.7 * Math.sqrt(2 / 27));
    expect(std(qnn, 0, 54)).toBeLessThan(1.3 * Math.sqrt(2 / 27));
    expect(std(qnn, 54, qnn.length)).toBeGreaterThan(0.7);
    expect(std(qnn, 54, qnn.length)).toBeLessThan(1.3);
    expect(params.get('alpha')!.data[0]).toBe(0.5);
    // seeded: the same seed gives the same θ₀
    const again = await qlenet({});
    initializePaper000(again, new Random(9));
    expect(Array.from(again.getFlatParams())).toEqual(Array.from(model.getFlatParams()));
  });

  it('a frozen complex Hermitian keeps its constructor matrix (it is not a parameter)', async () => {
    const frozen = await qlenet({ hermitianFrozen: true });
    const before = noGrad(() => frozen.forward(images(1, 4))).data.slice();
    const weights = new Map(frozen.namedParameters()).get('qnn.weight')!;
    expect(weights.size).toBe(54);
    initializePaper000(frozen, new Random(1));
    const after = noGrad(() => frozen.forward(images(1, 4))).data;
    expect(Array.from(after)).not.toEqual(Array.from(before)); // the weights were re-initialised; the fixed observable lives in the layer
  });
});
