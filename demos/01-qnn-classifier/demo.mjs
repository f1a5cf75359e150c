// Demo 01: train a 4-qubit QNN classifier in the browser (or Node) — angle
// encoding, a strongly entangling ansatz, adjoint gradients, Adam — on two
// interleaved half-moons. `run(q, options)` takes the SDK namespace, so the
// same code runs from the page (the browser bundle) and from the test (Node).

/** Two interleaved half-moons with seeded noise: x ∈ R², label 0/1. */
export function moons(q, count, seed) {
  const rng = new q.Random(seed);
  const x = new Float64Array(count * 2);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    const t = Math.PI * rng.uniform();
    x[2 * i] = (label ? 1 - Math.cos(t) : Math.cos(t)) + 0.1 * rng.normal();
    x[2 * i + 1] = (label ? 0.5 - Math.sin(t) : Math.sin(t)) + 0.1 * rng.normal();
    y[i] = label;
  }
  return { x, y };
}

/**
 * Trains the classifier; calls `onEpoch(epoch, accuracy)` (awaited, so a page
 * can let the browser paint between epochs) and returns the final test accuracy.
 * `smoke: true` is the small size the test suite runs.
 */
export async function run(q, { smoke = false, onEpoch = () => {} } = {}) {
  const epochs = smoke ? 15 : 40;
  const train = moons(q, smoke ? 120 : 400, 1);
  const test = moons(q, 200, 2);
  const layer = await q.QNNLayer.create({
    numQubits: 4,
    // features x0, x1 are each encoded twice (wires 0,1 and 2,3), as RY(π·x)
    encoder: { type: 'AngleEmbedding', rotation: 'Y', numFeatures: 4, scale: Math.PI },
    ansatz: { type: 'StronglyEntanglingLayers', layers: 3 },
    measurements: [{ type: 'expval', observable: 'Z0' }],
    seed: 3,
  });
  const features = (data) => {
    const n = data.y.length;
    const out = new Float64Array(n * 4);
    for (let i = 0; i < n; i++) out.set([data.x[2 * i], data.x[2 * i + 1], data.x[2 * i], data.x[2 * i + 1]], 4 * i);
    return out;
  };
  const xTrain = features(train);
  const xTest = features(test);
  const optimizer = new q.optim.Adam(layer.weights, { lr: 0.05 });
  const accuracy = (x, y) => {
    const out = layer.forward(x, y.length);
    let correct = 0;
    for (let i = 0; i < y.length; i++) if ((out[i] < 0 ? 1 : 0) === y[i]) correct++;
    return correct / y.length;
  };
  for (let epoch = 1; epoch <= epochs; epoch++) {
    // Mean squared error against ±1 targets (label 0 → +1, label 1 → −1), full batch.
    const n = train.y.length;
    const out = layer.forward(xTrain, n);
    const grad = new Float64Array(n);
    for (let i = 0; i < n; i++) grad[i] = (2 * (out[i] - (train.y[i] ? -1 : 1))) / n;
    const { params } = layer.backward(grad);
    optimizer.step(params.subarray(0, layer.numWeights));
    await onEpoch(epoch, accuracy(xTest, test.y));
  }
  return accuracy(xTest, test.y);
}
