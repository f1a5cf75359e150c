// A batch is B independent samples: outputs and per-sample input gradients of
// a batch equal, bit for bit, those of B calls with batch 1; parameter
// gradients (summed over the batch) equal the per-sample sum to rounding.
// Also both adjoint paths — final states kept from forward, or recomputed in
// backward when a batch's states exceed the 64 MiB keep threshold — give the
// same bits. The recompute path is reached honestly, by a 20-qubit batch of 5
// (80 MiB of states), not through a test hook; which path ran is read from the
// kernel's public `bytesInUse`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { input, weight } from '../../sdk/circuit/params.js';
import type { Kernel } from '../../sdk/kernel/kernel.js';
import { QNNLayer, type DiffMethod, type QNNLayerConfig } from '../../sdk/qnn/qnn-layer.js';
import { Random, randomState } from '../helpers/random.js';
import { DIFF_METHODS, everyReadout, expectBitwiseEqual, randomArray, testKernel } from './qnn-helpers.js';

let kernel: Kernel;
beforeAll(async () => {
  kernel = await testKernel();
});
afterAll(() => expect(kernel.retired).toBe(false));

const N = 3;
const B = 5;

/** Batch vs B single-sample calls on layers with identical parameters. */
function compareBatch(config: QNNLayerConfig, inputs: Float64Array, seed: number, label: string): void {
  const rng = new Random(seed);
  const batched = new QNNLayer(config, kernel);
  const single = new QNNLayer(config, kernel);
  try {
    const params = Float64Array.from(batched.getParams(), (v, i) => (i < batched.numWeights ? rng.range(-Math.PI, Math.PI) : v + rng.range(-0.3, 0.3)));
    batched.setParams(params);
    single.setParams(params);
    const per = batched.numInputs;
    const nOut = batched.numOutputs;
    const upstream = randomArray(rng, B * nOut);
    const y = batched.forward(inputs, B);
    const g = batched.backward(upstream);
    const sum = new Float64Array(batched.numParams);
    const scale = new Float64Array(batched.numParams);
    for (let b = 0; b < B; b++) {
      const yb = single.forward(inputs.subarray(b * per, (b + 1) * per), 1);
      expectBitwiseEqual(yb, y.subarray(b * nOut, (b + 1) * nOut), `${label}: outputs of sample ${b}`);
      const gb = single.backward(upstream.subarray(b * nOut, (b + 1) * nOut));
      expectBitwiseEqual(gb.inputs, g.inputs.subarray(b * per, (b + 1) * per), `${label}: ∂L/∂inputs of sample ${b}`);
      gb.params.forEach((v, i) => {
        sum[i] = sum[i]! + v;
        scale[i] = scale[i]! + Math.abs(v);
      });
    }
    // Summation order may differ (per slot then scaled, vs scaled then summed): the last bits only.
    g.params.forEach((v, i) => {
      expect(Math.abs(v - sum[i]!), `${label}: ∂L/∂param ${i} of the batch (${v}) vs the sum of per-sample ones (${sum[i]})`).toBeLessThanOrEqual(1e-14 * Math.max(1, scale[i]!));
    });
  } finally {
    batched.dispose();
    single.dispose();
  }
}

describe('batch == per-sample', () => {
  const userCircuit = (): Circuit => {
    const c = new Circuit(N);
    for (let i = 0; i < N; i++) c.rot(weight(3 * i), weight(3 * i + 1), weight(3 * i + 2), i);
    c.crx(input(0, 0.7, 0.1), 0, 1).op('IsingYY', [1, 2], [weight(9)]).crot(weight(10), input(2), 0.3, 2, 0);
    c.op('ControlledPhaseShift', [1, 0], [weight(0, -0.5)]).op('MultiRZ', [0, 1, 2], [input(1, 2)]);
    for (let i = 0; i < N; i++) c.ry(weight(11 + i), i);
    return c;
  };

  for (const method of DIFF_METHODS) {
    it(`${method}: angle inputs, user circuit, every readout type (incl. trainable Hermitians)`, () => {
      const rng = new Random(10);
      compareBatch(
        {
          numQubits: N, diffMethod: method,
          encoder: { type: 'AngleEmbedding', rotation: 'X', scale: 1.2, offset: 0.1 },
          ansatz: { type: 'circuit', circuit: userCircuit() },
          measurements: Object.values(everyReadout(rng, N)),
        },
        randomArray(rng, B * N, -2, 2),
        11,
        method,
      );
    });
  }

  it.each(['adjoint', 'parameter-shift'] as DiffMethod[])('%s: amplitude-embedded raw features (pad, normalisation)', (method) => {
    const rng = new Random(20);
    compareBatch(
      {
        numQubits: N, diffMethod: method,
        encoder: { type: 'AmplitudeEmbedding', numFeatures: 6, pad: 0.2, normalize: true },
        ansatz: { type: 'StronglyEntanglingLayers', layers: 2 },
        measurements: Object.values(everyReadout(rng, N)),
      },
      randomArray(rng, B * 6),
      21,
      `${method} amplitude`,
    );
  });

  it('adjoint: state inputs', () => {
    const rng = new Random(30);
    const x = new Float64Array(B * 2 * (1 << N));
    for (let b = 0; b < B; b++) {
      const s = randomState(rng, N);
      x.set(s.re, b * 2 * (1 << N));
      x.set(s.im, b * 2 * (1 << N) + (1 << N));
    }
    compareBatch(
      { numQubits: N, encoder: { type: 'StateInput' }, ansatz: { type: 'HardwareEfficient', layers: 2 }, measurements: Object.values(everyReadout(rng, N)) },
      x,
      31,
      'state inputs',
    );
  });
});

describe('adjoint: final states kept from forward vs recomputed in backward', () => {
  // 20 qubits: one state is 16 MiB. Batch 1 and 4 (64 MiB) keep their states; batch 5 (80 MiB) recomputes them.
  const BIG = 20;
  const STATE_BYTES = 16 * 2 ** BIG;
  const bigCircuit = (): Circuit =>
    new Circuit(BIG)
      .rot(weight(0), weight(1), weight(2), 0)
      .cnot(0, BIG - 1)
      .crx(weight(3), BIG - 1, 7)
      .op('IsingXX', [7, 13], [weight(4)])
      .ry(input(2, 0.5, 0.2), 13);
  const config: QNNLayerConfig = {
    numQubits: BIG,
    encoder: { type: 'AngleEmbedding', rotation: 'Y', numFeatures: 3 },
    ansatz: { type: 'circuit', circuit: bigCircuit() },
    measurements: [{ type: 'expvalZ', wires: [0, 7, 13, BIG - 1] }, { type: 'expval', observable: `X13 Y${BIG - 1}` }, { type: 'probs', wires: [7] }],
  };

  it('a 5-sample 20-qubit batch (recomputed) gives the bits of 5 single-sample calls (kept), and batch 4 (kept) too', () => {
    const rng = new Random(40);
    const layer = new QNNLayer(config, kernel);
    try {
      layer.setParams(randomArray(rng, layer.numParams, -3, 3));
      const x = randomArray(rng, 5 * 3, -2, 2);
      const nOut = layer.numOutputs;
      const upstream = randomArray(rng, 5 * nOut);

      const singles = [];
      for (let b = 0; b < 5; b++) {
        const before = kernel.bytesInUse;
        const y = layer.forward(x.subarray(b * 3, b * 3 + 3), 1);
        if (b === 0) expect(kernel.bytesInUse - before, 'batch 1: the final state is kept (16 MiB)').toBeGreaterThanOrEqual(STATE_BYTES);
        singles.push({ y, g: layer.backward(upstream.subarray(b * nOut, (b + 1) * nOut)) });
      }
      layer.dispose();

      for (const batch of [4, 5]) {
        const fresh = new QNNLayer(config, kernel);
        try {
          fresh.setParams(layer.getParams());
          const before = kernel.bytesInUse;
          const y = fresh.forward(x.subarray(0, batch * 3), batch);
          const grew = kernel.bytesInUse - before;
          if (batch === 4) expect(grew, 'batch 4: 64 MiB of states are kept').toBeGreaterThanOrEqual(4 * STATE_BYTES);
          else expect(grew, 'batch 5: 80 MiB exceed the keep threshold, nothing is kept').toBeLessThan(STATE_BYTES);
          const g = fresh.backward(upstream.subarray(0, batch * nOut));
          const sum = new Float64Array(fresh.numParams);
          for (let b = 0; b < batch; b++) {
            expectBitwiseEqual(y.subarray(b * nOut, (b + 1) * nOut), singles[b]!.y, `batch ${batch}: outputs of sample ${b}`);
            expectBitwiseEqual(g.inputs.subarray(b * 3, b * 3 + 3), singles[b]!.g.inputs, `batch ${batch}: ∂L/∂inputs of sample ${b}`);
            singles[b]!.g.params.forEach((v, i) => (sum[i] = sum[i]! + v));
          }
          g.params.forEach((v, i) => expect(Math.abs(v - sum[i]!), `batch ${batch}: ∂L/∂param ${i}`).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(v))));
        } finally {
          fresh.dispose();
        }
      }
    } finally {
      layer.dispose();
    }
  });
});
