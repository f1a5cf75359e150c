#!/usr/bin/env node
// Builds what the web studio (demos/studio) fetches besides code, from the npm
// data, so the page never needs Node:
//   dist/browser/studio/data/<dataset>.qds.gz   compact subsets of the canonical splits
//   dist/browser/studio/teachers/lenet5-<dataset>-0-5.onnx   qdistill-trained LeNet-5 teachers
//   dist/browser/studio/manifest.json          what was built, with the teachers' accuracies
// Needs dist/ (npm run build:browser). Teachers are trained once and cached
// (QDISTILL_CACHE_DIR or ~/.cache/qdistill); later builds only export them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { encodeSubset } from '../demos/studio/subset-format.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'browser', 'studio');
const started = performance.now();
const q = await import('../dist/index.js');
const node = await import('../dist/node.js');

/** Per class: the first FIRST training images, the last VALIDATION ones, the first TEST test images. */
export const SUBSET = { first: 220, validation: 30, test: 100 };
/** Classes of the bundled teachers (the web-mnist-0-5 preset's). */
const TEACHER_CLASSES = [0, 1, 2, 3, 4, 5];
const TEACHER_SPEC = { type: 'train', arch: 'lenet5', epochs: 6, batchSize: 64, lr: 0.002, seed: 0, cache: true };
/** Fashion-MNIST has 6,000 training images a class; its teacher learns from the first 1,000 of each. */
const TEACHER_POOL_PER_CLASS = { mnist: Infinity, 'fashion-mnist': 1000 };

const size = 28 * 28;
const log = (m) => console.error(`[build:studio] ${m}`);
mkdirSync(join(out, 'data'), { recursive: true });
mkdirSync(join(out, 'teachers'), { recursive: true });
const manifest = { subset: SUBSET, data: {}, teachers: [] };

for (const name of ['mnist', 'fashion-mnist']) {
  const { train, test } = name === 'mnist' ? await node.loadMnist() : await node.loadFashionMnist();
  const trainGroups = [];
  const testGroups = [];
  for (let c = 0; c < 10; c++) {
    const tr = [];
    const te = [];
    train.y.forEach((y, i) => y === c && tr.push(i));
    test.y.forEach((y, i) => y === c && te.push(i));
    const picked = [...tr.slice(0, SUBSET.first), ...tr.slice(tr.length - SUBSET.validation)];
    const group = new Float32Array(picked.length * size);
    picked.forEach((i, k) => group.set(train.x.subarray(i * size, (i + 1) * size), k * size));
    trainGroups.push(group);
    testGroups.push(test.x.slice(te[0] * size, (te[0] + SUBSET.test) * size));
  }
  const bytes = encodeSubset({
    dataset: name, shape: [1, 28, 28], classNames: train.classNames, validationPerClass: SUBSET.validation,
    note: `per class: the first ${SUBSET.first} and the last ${SUBSET.validation} images of the canonical train split, the first ${SUBSET.test} of its test split`,
    train: trainGroups, test: testGroups,
  });
  const gz = gzipSync(bytes, { level: 9 });
  writeFileSync(join(out, 'data', `${name}.qds.gz`), gz);
  manifest.data[name] = { file: `data/${name}.qds.gz`, bytes: gz.length };
  log(`${name}: ${(gz.length / 1024).toFixed(0)} KiB subset`);

  // The teacher: classes 0-5, every training image of them outside the last SUBSET.validation per class.
  const sel = q.data.selectClasses(train, TEACHER_CLASSES);
  const selTest = q.data.selectClasses(test, TEACHER_CLASSES);
  const pool = [];
  const validation = [];
  for (let c = 0; c < TEACHER_CLASSES.length; c++) {
    const idx = [];
    sel.y.forEach((y, i) => y === c && idx.push(i));
    validation.push(...idx.slice(idx.length - SUBSET.validation));
    pool.push(...idx.slice(0, Math.min(idx.length - SUBSET.validation, TEACHER_POOL_PER_CLASS[name])));
  }
  const { model, validationAccuracy, cached } = await node.trainedTeacher(
    TEACHER_SPEC,
    { train: q.data.subset(sel, Int32Array.from(pool)), validation: q.data.subset(sel, Int32Array.from(validation)), datasetName: name },
    (m) => log(m),
  );
  const file = `teachers/lenet5-${name}-0-5.onnx`;
  await node.exportOnnxFile(model, join(out, file), { inputShape: [1, 28, 28] });
  const testAccuracy = q.evaluate(model, selTest).accuracy;
  manifest.teachers.push({
    file, dataset: name, classes: TEACHER_CLASSES, arch: 'lenet5', trainedOn: pool.length, cached,
    validationAccuracy, testAccuracy, spec: TEACHER_SPEC,
  });
  log(`${file}: test accuracy ${(100 * testAccuracy).toFixed(2)}% (${cached ? 'cached' : 'trained'})`);
}
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
