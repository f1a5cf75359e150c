// Every numbered demo has a smoke mode the suite runs, with an accuracy bar.
import { describe, expect, it } from 'vitest';
import * as q from '../../sdk/index.js';
// @ts-expect-error — plain ES module without types
import { run } from '../../demos/01-qnn-classifier/demo.mjs';

describe('demos', () => {
  it('01-qnn-classifier: a 4-qubit QNN learns the two moons (smoke size)', async () => {
    const epochs: number[] = [];
    const accuracy: number = await run(q, { smoke: true, onEpoch: (e: number) => epochs.push(e) });
    expect(epochs).toHaveLength(15);
    expect(accuracy).toBeGreaterThan(0.75); // chance is 0.5
  });
});
