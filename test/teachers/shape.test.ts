// The data-shape rules of teachers (sdk/teachers/shape.ts): which data
// shapes feed which model inputs, and what the adapter writes.
import { describe, expect, it } from 'vitest';
import { buildInputAdapter, formatDims, type TensorSignature } from '../../sdk/teachers/index.js';
import { expectThrows } from './helpers.js';

const image = (dims: TensorSignature['dims']): TensorSignature => ({ name: 'input', type: 'float32', dims });

describe('buildInputAdapter', () => {
  it('fixed inputs: flat data, squeezable size-1 axes and the exact shape fit without copying', () => {
    for (const shape of [[1, 28, 28], [784], [28, 28], [28, 28, 1]]) {
      const a = buildInputAdapter('teacher t', image(['batch', 1, 28, 28]), shape);
      expect(a.feedDims).toEqual([1, 28, 28]);
      expect(a.sampleSize).toBe(784);
      expect(a.identity).toBe(true);
    }
  });

  it('fixed inputs: a different size or arrangement → E_TEACHER with both shapes', () => {
    expectThrows(() => buildInputAdapter('teacher t', image(['batch', 1, 28, 28]), [1, 32, 32]), 'E_TEACHER', "teacher t: input 'input' expects [batch,1,28,28] but the data has shape [1,32,32]");
    expectThrows(() => buildInputAdapter('teacher t', image(['N', 3, 4, 4]), [4, 4, 3]), 'E_TEACHER', 'arranged differently', "layout: 'NHWC'");
    expectThrows(() => buildInputAdapter('teacher t', image(['batch']), [4]), 'E_TEACHER', 'needs a batch axis followed by at least one sample axis');
  });

  it('symbolic axes take their sizes from the data; a missing channel axis of size 1 is added', () => {
    expect(buildInputAdapter('t', image(['batch', 1, 'h', 'w']), [20, 30]).feedDims).toEqual([1, 20, 30]);
    expect(buildInputAdapter('t', image(['batch', 'c', 'h', 'w']), [3, 8, 8]).feedDims).toEqual([3, 8, 8]);
    expect(buildInputAdapter('t', image(['batch', null]), [10]).feedDims).toEqual([10]);
    expect(buildInputAdapter('t', image(null), [2, 5]).feedDims).toEqual([2, 5]);
    expectThrows(() => buildInputAdapter('t', image(['batch', 3, 'h', 'w']), [1, 8, 8]), 'E_TEACHER', 'axis 1 must be 3, got 1');
    expectThrows(() => buildInputAdapter('t', image(['batch', 'c', 'h', 'w']), [64]), 'E_TEACHER', 'rank 3 per sample expected, 1 given');
  });

  it('writes NHWC samples as NCHW and applies (x·scale − mean[c]) / std[c]', () => {
    const a = buildInputAdapter('t', image(['batch', 2, 1, 3]), [1, 3, 2], { layout: 'NHWC', scale: 10, mean: [1, 2], std: [1, 4] });
    expect(a.identity).toBe(false);
    // Samples of H=1, W=3, C=2 stored as (w, c) pairs; sample 1 of src goes to slot 1 of dst.
    const src = Float32Array.of(9, 9, 9, 9, 9, 9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6);
    const dst = new Float32Array(12).fill(-1);
    a.write(src, 1, 1, dst, 1);
    expect(Array.from(dst.subarray(0, 6))).toEqual([-1, -1, -1, -1, -1, -1]);
    // NCHW: channel 0 = (.1, .3, .5), channel 1 = (.2, .4, .6); then ×10, − mean[c], ÷ std[c].
    const expected = [(1 - 1) / 1, (3 - 1) / 1, (5 - 1) / 1, (2 - 2) / 4, (4 - 2) / 4, (6 - 2) / 4];
    dst.subarray(6).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    expectThrows(() => buildInputAdapter('t', image(['batch', 3, 4, 4]), [48], { layout: 'NHWC' }), 'E_SHAPE', 'layout "NHWC" needs image samples [H,W,C] or [H,W]');
    expectThrows(() => buildInputAdapter('t', image(['batch', 1, 4, 4]), [16], { scale: 0 }), 'E_INVALID_ARGUMENT', 'scale must be a finite non-zero number');
  });

  it('formats model dimensions like ONNX tools', () => {
    expect(formatDims(['batch', 1, 28, 28])).toBe('[batch,1,28,28]');
    expect(formatDims(['N', null])).toBe('[N,?]');
    expect(formatDims(null)).toBe('[unknown rank]');
  });
});
