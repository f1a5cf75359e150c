// logitsAccuracy never returns a silently wrong number: without numClasses
// (a JavaScript caller), with logits that are not N × C, or with a label out
// of range it throws E_INVALID_ARGUMENT saying what it expected.
import { describe, expect, it } from 'vitest';
import { logitsAccuracy } from '../../sdk/index.js';
import { expectQDistillErrorValue, thrownBy } from '../helpers/errors.js';

describe('logitsAccuracy', () => {
  const logits = new Float32Array([0.1, 2, 3, -1, 0, 5]); // 3 rows × 2 classes: argmax 1, 0, 1
  const labels = new Int32Array([1, 0, 0]);

  it('is the fraction of rows whose largest logit is at the label', () => {
    expect(logitsAccuracy(logits, labels, 2)).toBeCloseTo(2 / 3, 12);
  });

  it('rejects a missing or bad numClasses instead of scoring every row as class 0', () => {
    const call = logitsAccuracy as unknown as (l: Float32Array, y: Int32Array, c?: unknown) => number;
    expectQDistillErrorValue(thrownBy(() => call(logits, labels)), 'E_INVALID_ARGUMENT', 'logitsAccuracy: numClasses must be a positive integer (the logits\' row length), got undefined');
    expectQDistillErrorValue(thrownBy(() => call(logits, labels, 2.5)), 'E_INVALID_ARGUMENT', 'got 2.5');
  });

  it('rejects logits that are not labels × classes, and labels out of range', () => {
    expectQDistillErrorValue(thrownBy(() => logitsAccuracy(logits, labels, 3)), 'E_INVALID_ARGUMENT', 'expected 3 × 3 = 9 logits for 3 labels and 3 classes, got 6');
    expectQDistillErrorValue(thrownBy(() => logitsAccuracy(logits, new Int32Array([1, 0, 2]), 2)), 'E_INVALID_ARGUMENT', 'label 2 at index 2 is outside 0..1');
    expectQDistillErrorValue(thrownBy(() => logitsAccuracy(new Float32Array(0), new Int32Array(0), 2)), 'E_INVALID_ARGUMENT', '(no labels)');
  });
});
