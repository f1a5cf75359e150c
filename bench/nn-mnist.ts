// Full-data training run: `npx tsx bench/nn-mnist.ts [epochs=8] [batch=32] [lr=1e-3]`
//
// Trains the paper-000 classical LeNet on all 8,000 MNIST training digits of
// the canonical split (the first floor(0.8·k) images of each digit) and
// evaluates on the 2,004 test digits after every epoch. Prints the per-epoch
// loss, test accuracy and wall time, then one JSON line.
import { accuracy, createModel, init, noGrad, Tensor } from '../sdk/nn/index.js';
import { Adam } from '../sdk/nn/optim/index.js';
import { Random } from '../sdk/util/random.js';
import { loadMnist, trainMnistEpoch } from '../test/nn/mnist.js';
import { runtimeFields } from './util.js';

const epochs = Number(process.argv[2] ?? 8);
const batch = Number(process.argv[3] ?? 32);
const lr = Number(process.argv[4] ?? 1e-3);

await init({ build: 'release' });
const loadStart = performance.now();
const train = await loadMnist('train');
const test = await loadMnist('test');
const loadMs = performance.now() - loadStart;
const model = createModel({ arch: 'lenet-000', numClasses: 10, seed: 0 });
const opt = new Adam(model, { lr });
const rng = new Random(1);
const testInput = new Tensor(test.images, [test.count, 1, 28, 28]);

console.log(`LeNet (paper 000) on MNIST: ${train.count} train / ${test.count} test, batch ${batch}, Adam lr ${lr}, ${epochs} epochs`);
const history: Array<{ epoch: number; loss: number; testAccuracy: number; seconds: number }> = [];
const start = performance.now();
let trainMs = 0;
for (let epoch = 1; epoch <= epochs; epoch++) {
  model.train();
  const epochStart = performance.now();
  const loss = trainMnistEpoch(model, opt, train, rng, batch);
  trainMs += performance.now() - epochStart;
  model.eval();
  const acc = accuracy(noGrad(() => model.forward(testInput)), test.labels);
  const seconds = (performance.now() - start) / 1000;
  history.push({ epoch, loss, testAccuracy: acc, seconds });
  console.log(`  epoch ${epoch}: loss ${loss.toFixed(4)}, test accuracy ${(acc * 100).toFixed(2)}%, ${seconds.toFixed(1)} s`);
}
const wall = (performance.now() - start) / 1000;
console.log(
  JSON.stringify({
    bench: 'nn-mnist',
    ...runtimeFields(),
    arch: 'lenet-000',
    train_images: train.count,
    test_images: test.count,
    epochs,
    batch,
    lr,
    data_load_s: +(loadMs / 1000).toFixed(2),
    wall_s: +wall.toFixed(1),
    train_images_per_s: Math.round((train.count * epochs) / (trainMs / 1000)),
    final_test_accuracy: +history.at(-1)!.testAccuracy.toFixed(4),
    best_test_accuracy: +Math.max(...history.map((h) => h.testAccuracy)).toFixed(4),
    history: history.map((h) => ({ epoch: h.epoch, loss: +h.loss.toFixed(4), acc: +h.testAccuracy.toFixed(4), s: +h.seconds.toFixed(1) })),
  }),
);
