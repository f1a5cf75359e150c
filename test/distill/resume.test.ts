// distillKnowledge's checkpoints and divergence guard: a run resumed from any
// saved state (epoch ends, a cancellation mid-epoch, a finished run) ends
// with the history, selection, test scores and weights of an uninterrupted
// run — dropout, augmentation, momentum and a scheduler included; states of
// another run, truncated or bit-flipped states are refused with E_CHECKPOINT;
// NaN/±∞ in the output, a gradient or a parameter stops the run with E_NAN
// naming epoch, step and tensor (the last checkpoint intact), or skips the step.
import { beforeAll, describe, expect, it } from 'vitest';
import { createDataset, type Dataset } from '../../sdk/data/index.js';
import { distillKnowledge, type DistillKnowledgeOptions, type DistillKnowledgeResult } from '../../sdk/distill/knowledge.js';
import { customOp, Dropout, init, Linear, Module, mul, ReLU, Sequential, Tensor, type ParamResolver } from '../../sdk/nn/index.js';
import { StepLR } from '../../sdk/nn/optim/index.js';
import { parseTrainingState } from '../../sdk/nn/training-state.js';
import { hashFloat64 } from '../../sdk/util/hash.js';
import { Random } from '../../sdk/util/random.js';
import { expectQDistillErrorValue, rejectionOf } from '../helpers/errors.js';

/** 4×4 one-channel images of 3 classes (a bright row per class plus noise), and a teacher that reads them. */
function images(n: number, seed: number): Dataset {
  const rng = new Random(seed);
  const y = Int32Array.from({ length: n }, () => rng.int(3));
  const x = new Float32Array(n * 16).map(() => 0.3 * rng.normal());
  for (let i = 0; i < n; i++) for (let c = 0; c < 4; c++) x[i * 16 + y[i]! * 4 + c]! += 1;
  return createDataset({ x, y, shape: [1, 4, 4], numClasses: 3 });
}

const teacher = {
  numClasses: 3,
  predict: (x: Float32Array, batch: number): Float32Array => {
    const out = new Float32Array(batch * 3);
    for (let i = 0; i < batch; i++) for (let c = 0; c < 3; c++) for (let k = 0; k < 4; k++) out[i * 3 + c]! += 2 * x[i * 16 + c * 4 + k]!;
    return out;
  },
  logitsFor(d: { x: Float32Array }): Float32Array {
    return this.predict(d.x, d.x.length / 16);
  },
};

const flat = (x: Float32Array, n: number) => ({ x, shape: [16] as const });
const studentModel = (): Sequential => new Sequential(new Linear(16, 12, { rng: new Random(3) }), new ReLU(), new Dropout(0.3, { seed: 5 }), new Linear(12, 3, { rng: new Random(4) }));

const train = images(40, 1);
const transfer = images(24, 2);
const validation = images(30, 3);
const test = images(30, 4);

function options(student: Module, extra: Partial<DistillKnowledgeOptions> = {}): DistillKnowledgeOptions {
  return {
    student, teacher, data: { train, transfer, validation, test }, studentInput: flat,
    augment: [{ type: 'shift', max: 1 }], loss: { temperature: 2, alpha: 0.5 },
    optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9 }, scheduler: (o) => new StepLR(o, { stepSize: 2, gamma: 0.5 }),
    epochs: 4, batchSize: 8, seed: 7, ...extra,
  };
}

/** Every number of a result that must not change (wall-clock seconds excepted) and the final weights. */
function fingerprint(r: DistillKnowledgeResult, student: Module): string {
  const h = r.history.flatMap((e) => [e.epoch, e.trainLoss, e.trainAccuracy, e.validationLoss, e.validationAccuracy]);
  const t = r.test ? [r.test.selected.loss, r.test.selected.accuracy, r.test.last.loss, r.test.last.accuracy] : [];
  return `${hashFloat64(h, t, student.getFlatParams())} selected ${r.selected.epoch} ${r.initialParamsHash}`;
}

let reference = '';
const saved: Array<{ bytes: Uint8Array; reason: string; epoch: number }> = [];

beforeAll(async () => {
  await init();
  const student = studentModel();
  const result = await distillKnowledge(options(student, { checkpoint: { save: (bytes, e) => void saved.push({ bytes, reason: e.reason, epoch: e.epoch }) } }));
  reference = fingerprint(result, student);
  // Without checkpointing, the very same numbers.
  const plain = studentModel();
  expect(fingerprint(await distillKnowledge(options(plain)), plain)).toBe(reference);
});

describe('distillKnowledge resume', () => {
  it('saves at every epoch end and when finished; resuming from each gives the uninterrupted run bit for bit', async () => {
    expect(saved.map((s) => `${s.reason}@${s.epoch}`)).toEqual(['epoch@1', 'epoch@2', 'epoch@3', 'epoch@4', 'finished@4']);
    for (const s of saved) {
      const student = studentModel();
      let steps = 0;
      const result = await distillKnowledge(options(student, { resumeFrom: s.bytes, onProgress: () => void steps++ }));
      expect(fingerprint(result, student), `${s.reason}@${s.epoch}`).toBe(reference);
      expect(result.resumedFrom).toMatchObject({ epoch: s.epoch, finished: s.reason === 'finished' });
      expect(steps).toBe((4 - s.epoch) * 8); // 64 samples / 8 per batch; a finished state trains nothing
    }
  });

  it.each([1, 6, 9, 20])('a run cancelled after %i steps saves its position mid-epoch and resumes to the same bits', async (k) => {
    const controller = new AbortController();
    let steps = 0;
    let state: Uint8Array | null = null;
    const error = await rejectionOf(() =>
      distillKnowledge(options(studentModel(), {
        signal: controller.signal,
        onProgress: () => void (++steps === k && controller.abort()),
        checkpoint: { save: (bytes, e) => void (e.reason === 'cancelled' && (state = bytes)) },
      })),
    );
    expectQDistillErrorValue(error, 'E_ABORTED', 'cancelled at epoch');
    expect(parseTrainingState(state!, { kind: 'kd-run' }).json.inEpoch).toMatchObject({ epoch: Math.floor(k / 8) + 1, nextStep: k % 8 });
    const student = studentModel();
    expect(fingerprint(await distillKnowledge(options(student, { resumeFrom: state! })), student)).toBe(reference);
  });

  it('refuses a state of another run, another context, or damaged bytes, with E_CHECKPOINT', async () => {
    const state = saved[1]!.bytes;
    expectQDistillErrorValue(await rejectionOf(() => distillKnowledge(options(studentModel(), { resumeFrom: state, epochs: 5 }))), 'E_CHECKPOINT', 'cannot resume', 'epochs: saved 4, now 5');
    expectQDistillErrorValue(await rejectionOf(() => distillKnowledge(options(studentModel(), { resumeFrom: state, batchSize: 4 }))), 'E_CHECKPOINT', 'batchSize: saved 8, now 4');
    expectQDistillErrorValue(
      await rejectionOf(() => distillKnowledge(options(studentModel(), { resumeFrom: state, checkpoint: { save: () => {}, context: { run: 'other' } } }))),
      'E_CHECKPOINT', 'the state was saved for null, this run is {"run":"other"}',
    );
    const wider = new Sequential(new Linear(16, 13), new ReLU(), new Dropout(0.3), new Linear(13, 3));
    expectQDistillErrorValue(await rejectionOf(() => distillKnowledge(options(wider, { resumeFrom: state }))), 'E_CHECKPOINT', 'student');
    expectQDistillErrorValue(await rejectionOf(() => distillKnowledge(options(studentModel(), { resumeFrom: state.subarray(0, state.length - 9) }))), 'E_CHECKPOINT', 'truncated');
    const rng = new Random(3);
    for (let trial = 0; trial < 20; trial++) {
      const flipped = state.slice();
      const bit = rng.int(flipped.length * 8);
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      expectQDistillErrorValue(await rejectionOf(() => distillKnowledge(options(studentModel(), { resumeFrom: flipped }))), 'E_CHECKPOINT');
    }
  });
});

/** The student times a trainable `scale` whose gradient is NaN at the `bad`-th training forward. */
class FlakyScale extends Module {
  readonly label = 'FlakyScale';
  private calls = 0;
  constructor(private readonly bad: number) {
    super();
    this.registerModule('body', studentModel());
    this.registerParameter('scale', new Tensor(Float32Array.of(1), [1]));
  }
  forwardWith(x: Tensor, p: ParamResolver): Tensor {
    const call = this.training ? ++this.calls : 0;
    const scale = customOp([p(this.getParameter('scale'))], ([d]) => ({ data: d!, shape: [1] }), (g) => [call === this.bad ? Float32Array.of(NaN) : g], { checkFinite: false });
    return mul((this.namedChildren()[0]![1] as Module).forwardWith(x, p), scale);
  }
}

describe('distillKnowledge divergence', () => {
  it('a NaN gradient stops the run at once with E_NAN naming epoch, step and parameter; the last checkpoint stays intact and resumable', async () => {
    const states: Uint8Array[] = [];
    const student = new FlakyScale(11); // epoch 2, step 3
    const error = await rejectionOf(() => distillKnowledge(options(student, { checkpoint: { save: (b) => void states.push(b) } })));
    const e = expectQDistillErrorValue(error, 'E_NAN', 'the gradient of parameter "scale" is not finite (entry 0 is NaN) at epoch 2, step 3/8', 'the last checkpoint is intact', "onNonFinite: 'skip'");
    expect(e.details).toMatchObject({ epoch: 2, step: 3, kind: 'gradient', tensor: 'scale' });
    expect(Array.from(student.getFlatParams()).every(Number.isFinite)).toBe(true); // stopped before the update
    expect(states).toHaveLength(1);
    expect(parseTrainingState(states[0]!).json.completedEpochs).toBe(1);
    const resumed = await distillKnowledge(options(new FlakyScale(0), { resumeFrom: states[0]! }));
    expect(resumed.history).toHaveLength(4);
  });

  it('a parameter that overflows to ±∞ stops the run naming it; NaN outputs stop it naming the op', async () => {
    const error = await rejectionOf(() => distillKnowledge(options(studentModel(), { optimizer: { type: 'sgd', lr: 1e39 }, scheduler: undefined })));
    const e = expectQDistillErrorValue(error, 'E_NAN', 'became non-finite after the update', 'at epoch 1, step 1/8');
    expect(e.details).toMatchObject({ kind: 'parameter', epoch: 1, step: 1 });
    expect(String((e.details as { tensor: string }).tensor)).toMatch(/^\d\.(weight|bias)$/);
    const poisoned = studentModel();
    const out = await rejectionOf(() =>
      distillKnowledge(options(poisoned, { onEpoch: (r) => void (r.epoch === 1 && poisoned.parameters()[0]!.data.fill(NaN)) })),
    );
    expect(expectQDistillErrorValue(out, 'E_NAN', "the student's output is not finite", 'at epoch 2, step 1/8').details).toMatchObject({ kind: 'output' });
  });

  it("onNonFinite: 'skip' skips the bad step (parameters and optimiser as before it) and finishes", async () => {
    const student = new FlakyScale(11);
    const result = await distillKnowledge(options(student, { onNonFinite: 'skip' }));
    expect(result.skippedSteps).toEqual([{ epoch: 2, step: 3, kind: 'gradient', tensor: 'scale', detail: 'entry 0 is NaN' }]);
    expect(result.history).toHaveLength(4);
    expect(Array.from(student.getFlatParams()).every(Number.isFinite)).toBe(true);
    expectQDistillErrorValue(await rejectionOf(() => distillKnowledge(options(studentModel(), { onNonFinite: 'ignore' as 'skip' }))), 'E_CONFIG', "onNonFinite must be 'stop' or 'skip'");
  });
});
