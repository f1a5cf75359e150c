// Bad input: wrong ranks and shapes name the layer or op and both shapes.
import { beforeAll, describe, it } from 'vitest';
import {
  add,
  BatchNorm2d,
  Conv2d,
  concat,
  createModel,
  Linear,
  matmul,
  MaxPool2d,
  reshape,
  slice,
  softmax,
  init,
  zeros,
  backward,
  tensor,
} from '../../sdk/nn/index.js';
import { expectError, normal } from './helpers.js';

beforeAll(async () => {
  await init();
});

describe('shape errors name the layer and both shapes', () => {
  it('Linear', () => {
    expectError(() => new Linear(400, 120).forward(zeros([8, 256])), 'E_SHAPE', 'Linear(400→120): expected input [N, 400], got [8, 256]');
    expectError(() => new Linear(4, 2).forward(zeros([4])), 'E_SHAPE', 'Linear(4→2): expected input [N, 4], got [4]');
  });

  it('Conv2d: channels and rank', () => {
    expectError(() => new Conv2d(1, 6, 5, { padding: 2 }).forward(zeros([8, 3, 28, 28])), 'E_SHAPE', 'Conv2d(1→6, 5×5, padding 2): expected input [N, 1, H, W], got [8, 3, 28, 28]');
    expectError(() => new Conv2d(1, 6, 5).forward(zeros([8, 784])), 'E_SHAPE', 'Conv2d(1→6, 5×5): expected input [N, 1, H, W], got [8, 784]');
    expectError(() => new Conv2d(1, 6, 5).forward(zeros([2, 1, 4, 4])), 'E_SHAPE', 'Conv2d(1→6, 5×5): input [2, 1, 4, 4] is too small: height 4 with padding 0 is smaller than the kernel 5');
  });

  it('pooling and batch norm', () => {
    expectError(() => new MaxPool2d(2).forward(zeros([1, 1, 1, 5])), 'E_SHAPE', 'MaxPool2d(2): input [1, 1, 1, 5] is too small');
    expectError(() => new MaxPool2d(2).forward(zeros([1, 5])), 'E_SHAPE', 'MaxPool2d(2): expected input [N, C, H, W], got [1, 5]');
    expectError(() => new BatchNorm2d(6).forward(zeros([2, 3, 4, 4])), 'E_SHAPE', 'BatchNorm2d(6): expected input [N, 6, H, W], got [2, 3, 4, 4]');
  });

  it('a zoo model fed images of the wrong size names the first layer that cannot take them', () => {
    const lenet = createModel({ arch: 'lenet-003', numClasses: 10 });
    expectError(() => lenet.forward(zeros([8, 1, 32, 32])), 'E_SHAPE', 'Linear(256→120): expected input [N, 256], got [8, 400]');
    expectError(() => lenet.forward(zeros([8, 28, 28])), 'E_SHAPE', 'Conv2d(1→6, 5×5): expected input [N, 1, H, W], got [8, 28, 28]');
  });

  it('ops: matmul, broadcasting, reshape, concat, slice, axis, dtype', () => {
    expectError(() => matmul(zeros([2, 3]), zeros([4, 5])), 'E_SHAPE', 'matmul: expected [m, k] × [k, n], got [2, 3] × [4, 5]');
    expectError(() => add(zeros([2, 3]), zeros([4])), 'E_SHAPE', 'add: shapes [2, 3] and [4] do not broadcast');
    expectError(() => reshape(zeros([2, 3]), [4, 2]), 'E_SHAPE', 'reshape: cannot reshape [2, 3] (6 elements) to [4, 2]');
    expectError(() => concat([zeros([2, 3]), zeros([2, 4])], 0), 'E_SHAPE', 'concat: input 1 has shape [2, 4], incompatible with input 0 [2, 3] along axis 0');
    expectError(() => slice(zeros([2, 3]), 1, 2, 5), 'E_SHAPE', 'slice: range 2..5 is outside dimension 1 of [2, 3]');
    expectError(() => softmax(zeros([2, 3]), 2), 'E_SHAPE', 'softmax: axis 2 is out of range for a rank-2 tensor (valid -2..1)');
    expectError(() => add(zeros([2]), normal([2], 1)), 'E_INVALID_ARGUMENT', 'add: inputs have different dtypes (float32, float64)');
    expectError(() => tensor([[1, 2], [3]]), 'E_SHAPE', 'ragged nested array');
  });

  it('backward needs a gradient-carrying root and a seed for non-scalars', () => {
    expectError(() => backward(zeros([1])), 'E_INVALID_ARGUMENT', 'does not require a gradient');
    const x = zeros([3], { requiresGrad: true });
    expectError(() => add(x, 1).backward(), 'E_SHAPE', 'backward: a non-scalar root [3] needs an explicit seed gradient');
  });
});
