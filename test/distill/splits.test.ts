// The experiment's splits are disjoint by construction, deterministic, and
// keep paper 003's "first 150 per class" labelled set intact.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDataset } from '../../sdk/data/index.js';
import { carveSplits } from '../../sdk/distill/splits.js';
import { expectQDistillErrorValue, thrownBy } from '../helpers/errors.js';

const labelled = (labels: number[]) => createDataset({ x: new Float32Array(labels.length), y: Int32Array.from(labels), shape: [1], numClasses: Math.max(...labels) + 1 });

describe('carveSplits', () => {
  it('validation, labelled and transfer sets are disjoint and cover what they claim, for any sizes', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 40, maxLength: 200 }),
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }), fc.boolean(),
      (ys, v, l, seed, rest) => {
        const counts = [0, 1, 2, 3].map((c) => ys.filter((y) => y === c).length);
        if (counts.some((n) => n < v + l + 1)) return;
        const ds = labelled(ys);
        const s = carveSplits(ds, { validationPerClass: v, labelledPerClass: l, transfer: rest ? 'rest' : { perClass: 1 }, ...(seed === undefined ? {} : { validationSeed: seed }) });
        const all = [...s.validation, ...s.labelled, ...s.transfer];
        expect(new Set(all).size).toBe(all.length);
        for (let c = 0; c < 4; c++) {
          expect(Array.from(s.validation).filter((i) => ys[i] === c)).toHaveLength(v);
          expect(Array.from(s.labelled).filter((i) => ys[i] === c)).toHaveLength(l);
        }
        if (rest) expect(all.length).toBe(ys.length);
        expect(carveSplits(ds, { validationPerClass: v, labelledPerClass: l, transfer: rest ? 'rest' : { perClass: 1 }, ...(seed === undefined ? {} : { validationSeed: seed }) })).toEqual(s);
      },
    ), { numRuns: 200 });
  });

  it('takes validation from the end by default, so the first images per class stay labelled (paper 003)', () => {
    const ys = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1];
    const s = carveSplits(labelled(ys), { validationPerClass: 1, labelledPerClass: 2, transfer: 'rest' });
    expect(Array.from(s.validation)).toEqual([8, 9]);
    expect(Array.from(s.labelled)).toEqual([0, 2, 1, 3]);
    expect(Array.from(s.transfer)).toEqual([4, 6, 5, 7]);
  });

  it('names the class that is too small', () => {
    expectQDistillErrorValue(thrownBy(() => carveSplits(labelled([0, 0, 0, 1, 1]), { validationPerClass: 1, labelledPerClass: 2 })), 'E_DATA', 'class 1 has 1 training samples outside validation; 2 labelled requested');
    expectQDistillErrorValue(thrownBy(() => carveSplits(labelled([0, 1]), { validationPerClass: 1 })), 'E_DATA', 'class 0 has 1 training samples; 1 for validation leave none');
  });
});
