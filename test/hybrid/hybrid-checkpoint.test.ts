// A quantum LeNet survives a checkpoint round trip (same outputs), and bad
// files are refused with E_CHECKPOINT.
import { beforeAll, describe, expect, it } from 'vitest';
import { createHybridModel } from '../../sdk/qnn/hybrid.js';
import { restoreHybridModel, serializeHybridCheckpoint } from '../../sdk/qnn/hybrid-checkpoint.js';
import { serializeCheckpoint } from '../../sdk/nn/checkpoint.js';
import { createModel, crossEntropy, init, Tensor } from '../../sdk/nn/index.js';
import { Adam } from '../../sdk/nn/optim/index.js';
import { Random } from '../../sdk/util/random.js';

beforeAll(async () => {
  await init();
});

function images(n: number): Tensor {
  const rng = new Random(9);
  return new Tensor(Float32Array.from({ length: n * 784 }, () => rng.uniform()), [n, 1, 28, 28]);
}

describe('hybrid checkpoints', () => {
  it('restores a trained quantum LeNet with identical outputs, its optimiser state and seed', async () => {
    const model = await createHybridModel({ arch: 'quantum-lenet-000', numClasses: 10, seed: 4 });
    const opt = new Adam(model, { lr: 1e-3 });
    const x = images(4);
    opt.zeroGrad();
    crossEntropy(model.forward(x), [1, 2, 3, 4]).backward();
    opt.step();
    model.eval();
    const before = Array.from(model.forward(x).data);
    const { model: again, checkpoint } = await restoreHybridModel(serializeHybridCheckpoint(model, { optimizer: opt }));
    again.eval();
    expect(Array.from(again.forward(x).data)).toEqual(before);
    expect(checkpoint.optimizer).not.toBeNull();
    expect(checkpoint.seed).toBe(4);
  });

  it('refuses a checkpoint of another architecture, a plain nn checkpoint and a truncated file', async () => {
    const small = await createHybridModel({ arch: 'quantum-lenet-000', numClasses: 4, seed: 1 });
    const bytes = serializeHybridCheckpoint(small);
    await expect(restoreHybridModel(bytes.subarray(0, bytes.length - 10))).rejects.toMatchObject({ code: 'E_CHECKPOINT' });
    await expect(restoreHybridModel(serializeCheckpoint(createModel({ arch: 'lenet5', numClasses: 4 })))).rejects.toMatchObject({
      code: 'E_CHECKPOINT', message: expect.stringContaining('no hybrid model config'),
    });
  });
});
