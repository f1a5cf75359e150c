// The studio's jobs, run in a worker of the SDK's worker pool
// (`pool.call(jobsUrl, 'kd', [payload])`, see app.mjs), off the page's main
// thread. Each job is an exported function `(payload, { signal })`; progress
// goes to the page on the BroadcastChannel named in `payload.channel`.
import * as q from 'qdistill';
import { decodeSubset } from './subset-format.mjs';

const datasets = new Map();

/** Fetches and decodes a compact subset (cached per dataset name). */
function loadSubset(name, baseUrl) {
  if (!datasets.has(name)) {
    datasets.set(name, (async () => {
      const url = new URL(`data/${name}.qds.gz`, baseUrl);
      const response = await fetch(url);
      if (!response.ok) throw new q.QDistillError('E_DATA', `studio: cannot fetch ${url.pathname} (HTTP ${response.status}); run npm run build`);
      const bytes = new Uint8Array(await new Response(response.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
      return decodeSubset(bytes);
    })());
    datasets.get(name).catch(() => datasets.delete(name));
  }
  return datasets.get(name);
}

/** Loads an ONNX teacher from bytes and checks it against the task (28×28 grey images, C classes). */
async function loadTeacher(bytes, name, numClasses) {
  const teacher = await q.OnnxTeacher.load(bytes.slice(), { name });
  teacher.checkCompatible({ shape: [1, 28, 28], numClasses });
  return teacher;
}

/** argmax of the model's class probabilities for every sample of a split. */
function predict(model, x, count, shape, input) {
  const view = input ? input(x, count, shape) : { x, shape };
  const out = q.nn.noGrad(() => model.forward(new q.nn.Tensor(view.x, [count, ...view.shape])));
  const lp = q.temperedLogProbs(out, model.outputSpec, 1);
  const c = lp.shape[1];
  const predicted = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (lp.data[i * c + k] > lp.data[i * c + best]) best = k;
    predicted[i] = best;
  }
  return predicted;
}

function confusion(predicted, labels, numClasses) {
  const m = Array.from({ length: numClasses }, () => new Array(numClasses).fill(0));
  labels.forEach((y, i) => m[y][predicted[i]]++);
  return m;
}

/** Throttles progress posts to ~10 per second (the page redraws on each). */
function throttled(post, ms = 100) {
  let last = 0;
  return (message, force = false) => {
    const now = performance.now();
    if (force || now - last >= ms) {
      last = now;
      post(message);
    }
  };
}

/** A job's progress channel to the page. */
function channel(name) {
  const bc = new BroadcastChannel(name);
  return { post: (message) => bc.postMessage(message), close: () => bc.close() };
}

/** Validates a dropped ONNX file against the task; returns its signature. */
export async function checkTeacher({ bytes, name, numClasses }) {
  const teacher = await loadTeacher(bytes, name, numClasses);
  return { name: teacher.name, numClasses: teacher.numClasses };
}

/** Runs a KD experiment (KD and no-KD arms on paired seeds), streaming progress and epochs. */
export async function kd({ config, teacher, baseUrl, channel: channelName }, { signal }) {
  const { post, close } = channel(channelName);
  try {
    return await runKD(config, teacher, baseUrl, signal, post);
  } finally {
    close();
  }
}

async function runKD(config, teacher, baseUrl, signal, post) {
  const progress = throttled(post);
  const epochsOf = new Map(); // run → its epochs (arms without the transfer set run more, shorter epochs)
  const best = new Map(); // `${arm} ${seed}` → { checkpoint, confusion }
  let testSplit = null;
  const env = {
    loadDataset: (name) => loadSubset(name, baseUrl),
    async createTeacher(spec, data) {
      if (spec.type !== 'onnx') throw new q.QDistillError('E_CONFIG', `studio: teacher type ${spec.type} is not offered in the page`);
      return loadTeacher(teacher.bytes, teacher.name, data.train.numClasses);
    },
  };
  const prepared = await q.prepareKDExperiment(config, env, {
    signal,
    onMessage: (message) => post({ type: 'message', message }),
  });
  testSplit = prepared.test;
  post({ type: 'prepared', teacher: prepared.teacherScores, sizes: { labelled: prepared.labelled.y.length, transfer: prepared.transfer?.y.length ?? 0, validation: prepared.validation.y.length, test: prepared.test.y.length } });
  const result = await q.runPreparedExperiment(prepared, env, {
    signal,
    onMessage: (message) => post({ type: 'message', message }),
    onProgress: ({ run, seed, progress: p }) => {
      epochsOf.set(run, p.epochs);
      progress({ type: 'progress', run, seed, epoch: p.epoch, epochs: p.epochs, step: p.step, steps: p.stepsPerEpoch, loss: p.loss });
    },
    onEpoch: (run, seed, record, student, info) => {
      post({ type: 'epoch', run, seed, record, epochs: epochsOf.get(run) });
      if (info.best === record) {
        const predicted = predict(student, testSplit.x, testSplit.y.length, testSplit.shape, prepared.studentInput);
        best.set(`${run} ${seed}`, {
          checkpoint: q.serializeHybridCheckpoint(student, { metadata: { epoch: record.epoch, validationAccuracy: record.validationAccuracy, run, seed } }),
          confusion: confusion(predicted, testSplit.y, testSplit.numClasses),
        });
      }
    },
  });
  const firstSeed = result.seeds[0];
  const kdBest = best.get(`kd ${firstSeed}`);
  return {
    historyHash: q.historyHash(result),
    teacher: result.teacher,
    arms: Object.fromEntries(Object.entries(result.arms).map(([arm, s]) => [arm, {
      test: s.test, validation: s.validation, epochs: s.epochs,
      runs: s.runs.map((r) => ({ seed: r.seed, testAccuracy: r.testAccuracy, selectedEpoch: r.selectedEpoch, validationAccuracy: r.validationAccuracy })),
    }])),
    comparisons: result.comparisons,
    pairedInit: result.pairedInit,
    sizes: result.sizes,
    seeds: result.seeds,
    seconds: result.seconds,
    classNames: testSplit.classNames,
    confusion: { kd: kdBest?.confusion ?? null, baseline: best.get(`baseline ${firstSeed}`)?.confusion ?? null },
    studentCheckpoint: kdBest?.checkpoint ?? null,
  };
}

/** Dataset distillation with live images. */
export async function dd({ dataset, classes, model, imagesPerClass, iterations, batchSize, seed, baseUrl, channel: channelName }, { signal }) {
  const { post, close } = channel(channelName);
  try {
    const progress = throttled(post, 150);
    const full = await loadSubset(dataset, baseUrl);
    const train = q.data.selectClasses(full.train, classes);
    const test = q.data.selectClasses(full.test, classes);
    const epochs = Math.max(1, Math.ceil(iterations / Math.ceil(train.y.length / batchSize)));
    const { distilled, validationAccuracy } = await q.distillDataset({
      model: { arch: model, numClasses: classes.length },
      realData: train,
      imagesPerClass, steps: 1, epochs: 3, init: 'fixed',
      outerEpochs: epochs, maxIterations: iterations, batchSize, seed, evalEvery: 0,
      signal,
      onProgress: (p) => progress({ type: 'dd-progress', iteration: p.iteration, iterations: p.iterations, outerLoss: p.outerLoss, images: p.images?.() ?? null }, p.iteration === p.iterations),
    });
    const evaluation = await q.evaluateDistilled(distilled, test);
    return { images: distilled.images, imageShape: distilled.imageShape, numClasses: distilled.numClasses, imagesPerClass: distilled.imagesPerClass, normalization: distilled.normalization, testAccuracy: evaluation.accuracy, validationAccuracy };
  } finally {
    close();
  }
}
