// A hybrid model to a file and back in one call each (qdistill/node
// saveHybridModelFile / loadHybridModelFile), with its fitted input transform
// inside the checkpoint: the restored pair gives the same outputs on raw
// inputs. Unfitted transforms and damaged transforms are refused.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDataset, Pipeline } from '../../sdk/data/index.js';
import { parseCheckpoint, serializeCheckpoint } from '../../sdk/nn/checkpoint.js';
import { Tensor } from '../../sdk/nn/index.js';
import { createHybridModel } from '../../sdk/qnn/hybrid.js';
import { restoreHybridModel, serializeHybridCheckpoint } from '../../sdk/index.js';
import { loadHybridModelFile, saveHybridModelFile } from '../../sdk/node.js';
import { rejectionOf, expectQDistillErrorValue } from '../helpers/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'qdistill-hybrid-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const raw = createDataset({ x: Float32Array.from({ length: 12 * 8 }, (_, i) => Math.sin(i * 0.7) + (i % 8) * 0.1), y: Array.from({ length: 12 }, (_, i) => i % 2), shape: [8], numClasses: 2 });
const model = () =>
  createHybridModel({
    arch: 'qnn-classifier', numClasses: 2, numQubits: 2, seed: 3,
    encoder: { type: 'AngleEmbedding', numFeatures: 2 },
    ansatz: { type: 'StronglyEntanglingLayers', layers: 2 },
    measurements: [{ type: 'expvalZ' }],
  });

describe('saveHybridModelFile / loadHybridModelFile', () => {
  it('restore the model and its fitted input transform from one file: same outputs on raw inputs', async () => {
    const transform = new Pipeline([{ type: 'pca', components: 2 }, { type: 'minMax', range: [0, Math.PI] }]).fit(raw);
    const m = await model();
    const outputs = (mm: typeof m, t: Pipeline) => {
      const { x } = t.transformBatch(raw.x, 12, raw.shape);
      return Array.from(mm.forward(new Tensor(x, [12, 2])).data);
    };
    const file = join(dir, 'student.qdc');
    await saveHybridModelFile(file, m, { metadata: { note: 'kept' } });
    expect((await loadHybridModelFile(file)).transform).toBeNull();
    await saveHybridModelFile(file, m, { transform, metadata: { note: 'kept' } });
    const { model: again, transform: same, checkpoint } = await loadHybridModelFile(file);
    expect(same).toBeInstanceOf(Pipeline);
    expect(outputs(again, same!)).toEqual(outputs(m, transform));
    expect(checkpoint.metadata.note).toBe('kept');
    // the isomorphic pair carries it too, as JSON
    const { transformJSON } = await restoreHybridModel(serializeHybridCheckpoint(m, { transform }));
    expect(transformJSON).toEqual(transform.toJSON());
  });

  it('refuse an unfitted transform (E_CONFIG), a missing file and a transform that does not rebuild (E_CHECKPOINT)', async () => {
    const m = await model();
    expectQDistillErrorValue(await rejectionOf(() => saveHybridModelFile(join(dir, 'x.qdc'), m, { transform: new Pipeline([{ type: 'pca', components: 2 }]) })), 'E_CONFIG', 'call transform.fit(trainDataset) before saving');
    expectQDistillErrorValue(await rejectionOf(() => loadHybridModelFile(join(dir, 'missing.qdc'))), 'E_CHECKPOINT', 'cannot read');
    const damaged = parseCheckpoint(serializeHybridCheckpoint(m, { transform: { format: 'qdistill.pipeline', version: 1, steps: [{ type: 'rotate90' }] } }));
    const file = join(dir, 'damaged.qdc');
    writeFileSync(file, serializeCheckpoint(m, { metadata: damaged.metadata, seed: 3 }));
    expect(readFileSync(file).length).toBeGreaterThan(0);
    expectQDistillErrorValue(await rejectionOf(() => loadHybridModelFile(file)), 'E_CHECKPOINT', "stored input transform does not rebuild");
  });
});
