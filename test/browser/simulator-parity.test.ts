// The same seeded 16-qubit circuit, simulated by the built bundle in Chromium
// (page and Web Worker) and by the SDK in Node, gives BIT-IDENTICAL
// amplitudes: same engine, same kernels, no fused multiply-add. Seeded shot
// sampling and a QNN layer's forward/backward are bit-identical too.
import { expect, it } from 'vitest';
import { describeInBrowser, runInNode } from './harness.js';

const CIRCUIT_SNIPPET = `
export default async function (q, args, env) {
  const rng = new q.Random(args.seed);
  const n = args.numQubits;
  const c = new q.Circuit(n);
  const oneQubit = ['Hadamard', 'RX', 'RY', 'RZ', 'Rot', 'U3', 'PhaseShift', 'SX', 'T', 'S', 'PauliY'];
  const twoQubit = ['CNOT', 'CZ', 'CY', 'SWAP', 'CRX', 'CRY', 'CRZ', 'CRot', 'IsingXX', 'IsingYY', 'IsingZZ', 'ControlledPhaseShift'];
  for (let i = 0; i < n; i++) c.h(i);
  for (let g = 0; g < args.numGates; g++) {
    const two = rng.uniform() < 0.4;
    const name = two ? twoQubit[rng.int(twoQubit.length)] : oneQubit[rng.int(oneQubit.length)];
    const gate = q.getGate(name);
    const a = rng.int(n);
    let b = rng.int(n - 1);
    if (b >= a) b++;
    const params = gate.params.map(() => rng.range(-Math.PI, Math.PI));
    c.op(name, two ? [a, b] : [a], params);
  }
  c.op('Toffoli', [0, n - 1, n >> 1]);
  c.op('MultiRZ', [1, 3, 5, 7], [0.37]);
  const sim = await q.createSimulator({ build: 'release' });
  const state = sim.state(c);
  const samples = sim.sample(c, 2000, { seed: 11, wires: [0, 5, 15] });
  const layer = await q.QNNLayer.create({
    numQubits: 6,
    encoder: { type: 'AmplitudeEmbedding', numFeatures: 64 },
    ansatz: { type: 'StronglyEntanglingLayers', layers: 3 },
    measurements: [{ type: 'expvalZ' }, { type: 'hermitian', wires: [2], trainable: true }],
    seed: 5,
  }, { kernel: sim.kernel });
  const x = new Float64Array(64 * 8);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const y = layer.forward(x, 8);
  const grads = layer.backward(y.map((v) => 2 * v));
  return {
    runtime: env.runtime,
    stateHash: q.hashFloat64(state.re, state.im),
    samplesHash: q.hashFloat64(Array.from(samples)),
    qnnHash: q.hashFloat64(y, grads.inputs, grads.params),
    xHash: q.hashFloat64(x), yHash: q.hashFloat64(y), wHash: q.hashFloat64(layer.getParams()),
    norm: state.re.reduce((s, v, i) => s + v * v + state.im[i] * state.im[i], 0),
  };
}`;

const ARGS = { seed: 2026, numQubits: 16, numGates: 400 };

describeInBrowser('statevector parity between Node and Chromium', (browser) => {
  it('gives bit-identical 16-qubit amplitudes, samples and QNN gradients in the page, a worker and Node', async () => {
    const node = await runInNode<Record<string, unknown>>(CIRCUIT_SNIPPET, ARGS);
    const page = await browser.run<Record<string, unknown>>(CIRCUIT_SNIPPET, ARGS);
    const worker = await browser.runInWorker<Record<string, unknown>>(CIRCUIT_SNIPPET, ARGS);
    expect(Math.abs((node.norm as number) - 1)).toBeLessThan(1e-12);
    for (const key of ['stateHash', 'samplesHash', 'xHash', 'wHash', 'yHash', 'qnnHash']) {
      expect(page[key], `page ${key}`).toBe(node[key]);
      expect(worker[key], `worker ${key}`).toBe(node[key]);
    }
    expect([node.runtime, page.runtime, worker.runtime]).toEqual(['node', 'page', 'worker']);
  });
});
