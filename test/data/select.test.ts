// Dataset construction and validation, class subsets with relabelling,
// per-class selection, splits, seeded shuffles and batching.
import { describe, expect, it } from 'vitest';
import { classCounts, concatDatasets, createDataset, sample, subset, validateDataset, type Dataset } from '../../sdk/data/dataset.js';
import {
  batches,
  firstPerClass,
  firstPerClassIndices,
  randomPerClass,
  randomPerClassIndices,
  selectClasses,
  shuffleDataset,
  trainValidationSplit,
} from '../../sdk/data/select.js';
import { expectError } from './helpers.js';

/** 30 samples of 2 features, labels cycling 0,1,2,3,4 (6 each); feature 0 is the sample index. */
function toy(): Dataset {
  return createDataset({
    x: Array.from({ length: 30 }, (_, i) => [i, -i]),
    y: Array.from({ length: 30 }, (_, i) => i % 5),
    shape: [2],
    numClasses: 5,
    classNames: ['a', 'b', 'c', 'd', 'e'],
  });
}

const ids = (d: Dataset): number[] => Array.from({ length: d.y.length }, (_, i) => d.x[2 * i]!);

describe('Dataset', () => {
  it('validates types, shapes, labels and finiteness with typed errors', () => {
    expectError(() => createDataset({ x: [1, 2, 3], y: [0], shape: [2], numClasses: 1 }), 'E_SHAPE', /3 values/, /need 2/);
    expectError(() => createDataset({ x: [1, 2], y: [3], shape: [2], numClasses: 2 }), 'E_DATA', /label of sample 0 is 3/);
    expectError(() => createDataset({ x: [1, Number.NaN], y: [0], shape: [2], numClasses: 1 }), 'E_NON_FINITE', /feature 1 of sample 0/);
    expectError(() => createDataset({ x: [[1, 2], [3]], y: [0, 0], shape: [2], numClasses: 1 }), 'E_SHAPE', /sample 1 has 1 values/);
    expectError(() => validateDataset({ x: [1] as unknown as Float32Array, y: new Int32Array(1), shape: [1], numClasses: 1 }), 'E_DATA', /Float32Array/);
    expectError(() => createDataset({ x: [1], y: [0.5], shape: [1], numClasses: 1 }), 'E_DATA', /integer/);
  });

  it('subsets, concatenates and views samples', () => {
    const d = toy();
    expect(ids(subset(d, [4, 4, 0]))).toEqual([4, 4, 0]);
    expect(Array.from(sample(d, 3))).toEqual([3, -3]);
    expect(classCounts(concatDatasets([d, d]))).toEqual([12, 12, 12, 12, 12]);
    expectError(() => subset(d, [30]), 'E_INVALID_ARGUMENT', /index 0 is 30/);
  });
});

describe('selection', () => {
  it('selects classes in ascending order, relabels 0..C−1 and keeps the mapping through repeated selections', () => {
    const d = toy();
    const s = selectClasses(d, [4, 1, 2]);
    expect(s.numClasses).toBe(3);
    expect(s.classIds).toEqual([1, 2, 4]);
    expect(s.classNames).toEqual(['b', 'c', 'e']);
    expect(ids(s).slice(0, 3)).toEqual([1, 2, 4]);
    expect(Array.from(s.y.slice(0, 3))).toEqual([0, 1, 2]);
    const again = selectClasses(s, [2]);
    expect(again.classIds).toEqual([4]);
    expect(ids(again)).toEqual([4, 9, 14, 19, 24, 29]);
    expectError(() => selectClasses(d, [1, 1]), 'E_INVALID_ARGUMENT', /twice/);
    expectError(() => selectClasses(d, [7]), 'E_INVALID_ARGUMENT', /label 7/);
  });

  it('takes the first k per class in canonical order, and errors when a class is short', () => {
    const d = toy();
    expect(ids(firstPerClass(d, 2))).toEqual([0, 5, 1, 6, 2, 7, 3, 8, 4, 9]);
    expect(Array.from(firstPerClassIndices(d, 1))).toEqual([0, 1, 2, 3, 4]);
    expectError(() => firstPerClass(d, 7), 'E_DATA', /label 0 has only 6 samples; 7 requested/);
  });

  it('draws a seeded stratified k per class: same seed same indices, another seed other indices', () => {
    const d = toy();
    const a = randomPerClassIndices(d, 3, 5);
    expect(a).toEqual(randomPerClassIndices(d, 3, 5));
    expect(a).not.toEqual(randomPerClassIndices(d, 3, 6));
    expect(classCounts(randomPerClass(d, 3, 5))).toEqual([3, 3, 3, 3, 3]);
    // Within a class, dataset order.
    for (let c = 0; c < 5; c++) {
      const part = Array.from(a.subarray(3 * c, 3 * c + 3));
      expect(part).toEqual([...part].sort((x, y) => x - y));
      expect(part.every((i) => i % 5 === c)).toBe(true);
    }
  });

  it('splits off a stratified validation set, the last samples without a seed and random ones with a seed', () => {
    const d = toy();
    const plain = trainValidationSplit(d, { validation: 1 / 3 });
    expect(classCounts(plain.validation)).toEqual([2, 2, 2, 2, 2]);
    expect(ids(plain.validation)).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    const seeded = trainValidationSplit(d, { validation: 10, seed: 1 });
    expect(seeded.validation.y.length).toBe(10);
    expect(seeded.train.y.length).toBe(20);
    expect(new Set([...ids(seeded.train), ...ids(seeded.validation)]).size).toBe(30);
    expect(ids(trainValidationSplit(d, { validation: 10, seed: 1 }).validation)).toEqual(ids(seeded.validation));
    expectError(() => trainValidationSplit(d, { validation: 1.5 }), 'E_INVALID_ARGUMENT', /fraction/);
  });

  it('shuffles deterministically and batches every sample once per epoch, reshuffled per epoch', () => {
    const d = toy();
    expect(ids(shuffleDataset(d, 3))).toEqual(ids(shuffleDataset(d, 3)));
    expect(ids(shuffleDataset(d, 3))).not.toEqual(ids(d));
    const epoch0 = [...batches(d, { batchSize: 8, shuffle: true, seed: 2, epoch: 0 })];
    expect(epoch0.map((b) => b.size)).toEqual([8, 8, 8, 6]);
    const seen = epoch0.flatMap((b) => Array.from(b.indices));
    expect([...seen].sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    epoch0.forEach((b) => b.indices.forEach((i, k) => expect(b.x[2 * k]).toBe(i)));
    const again = [...batches(d, { batchSize: 8, shuffle: true, seed: 2, epoch: 0 })].flatMap((b) => Array.from(b.indices));
    const epoch1 = [...batches(d, { batchSize: 8, shuffle: true, seed: 2, epoch: 1 })].flatMap((b) => Array.from(b.indices));
    expect(again).toEqual(seen);
    expect(epoch1).not.toEqual(seen);
    expect([...batches(d, { batchSize: 8, dropLast: true })].length).toBe(3);
    expect(() => [...batches(d, { batchSize: 0 })]).toThrow(/batchSize/);
  });
});
