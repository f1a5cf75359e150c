// historyHash: the fingerprint qdistill kd prints and the web studio writes,
// over every run's per-epoch metrics (wall time left out).
import { describe, expect, it } from 'vitest';
import { historyHash, type EpochRecord } from '../../sdk/index.js';

const record = (epoch: number, loss: number, seconds = 1): EpochRecord => ({
  epoch, trainLoss: loss, trainAccuracy: 0.5, validationLoss: NaN, validationAccuracy: 0.25, seconds,
});
const result = (loss: number, seconds = 1) => ({
  arms: {
    kd: { runs: [{ seed: 0, history: [record(1, loss, seconds), record(2, loss / 2, seconds)] }] },
    baseline: { runs: [{ seed: 0, history: [record(1, 1)] }] },
  },
});

describe('historyHash', () => {
  it('ignores wall time and sees the last bit of any metric', () => {
    expect(historyHash(result(0.7, 1))).toBe(historyHash(result(0.7, 99)));
    expect(historyHash(result(0.7))).not.toBe(historyHash(result(0.7 + 2 ** -52)));
    expect(historyHash(result(0.7))).toMatch(/^[0-9a-f]{16}$/);
  });

  it('depends on the arm order and on how epochs group into runs', () => {
    const r = result(0.7);
    const swapped = { arms: { baseline: r.arms.baseline, kd: r.arms.kd } };
    expect(historyHash(swapped)).not.toBe(historyHash(r));
    const merged = { arms: { kd: { runs: [{ seed: 0, history: [...r.arms.kd.runs[0]!.history, ...r.arms.baseline.runs[0]!.history] }] } } };
    expect(historyHash(merged)).not.toBe(historyHash(r));
  });
});
