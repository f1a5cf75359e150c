/**
 * Quantum autoencoder (QAE): a trainable encoder circuit U that compresses
 * n-qubit states onto m latent qubits. Training maximises the probability
 * that the n − m trash qubits end in |0…0⟩ after U (the trash fidelity).
 * Compressed states then feed a smaller student (paper 002's 7 → 2 qubits).
 *
 * Wires 0..m−1 are the latent qubits, m..n−1 the trash. The compressed state
 * of ψ is the latent part of Uψ post-selected on trash = |0…0⟩ (normalised),
 * a pure m-qubit state; the report also gives the reconstruction fidelity
 * ⟨ψ|U†(ρ_latent ⊗ |0…0⟩⟨0…0|)U|ψ⟩ of the standard QAE protocol.
 */
import { QDistillError } from '../errors.js';
import type { ComplexState } from '../data/hamiltonian.js';
import { createKernel, type Kernel } from '../kernel/kernel.js';
import { Adam } from '../nn/optim/adam.js';
import { buildLayerCircuit } from '../qnn/ansatz.js';
import { QNNLayer } from '../qnn/qnn-layer.js';
import { Simulator } from '../qnn/simulator.js';
import { Random } from '../util/random.js';

/** Options of {@link trainQuantumAutoencoder}. */
export interface QAEOptions {
  numQubits: number;
  latentQubits: number;
  /** Hardware-efficient encoder depth (default 4). */
  layers?: number;
  /** Optimisation steps (default 200). */
  steps?: number;
  /** Samples per step (default 32; all if fewer). */
  batchSize?: number;
  /** Adam learning rate (default 0.05). */
  lr?: number;
  seed?: number;
  kernel?: Kernel;
  onProgress?: (step: number, steps: number, trashFidelity: number) => void;
}

/** Result of compressing states. */
export interface CompressedStates {
  /** Post-selected latent states, m qubits each. */
  states: ComplexState[];
  /** P(trash = |0…0⟩) per state. */
  trashFidelity: Float64Array;
  /** Reconstruction fidelity per state. */
  reconstructionFidelity: Float64Array;
  meanTrashFidelity: number;
  meanReconstructionFidelity: number;
}

/** A trained quantum autoencoder. */
export class QuantumAutoencoder {
  readonly numQubits: number;
  readonly latentQubits: number;
  readonly layer: QNNLayer;
  /** Mean trash fidelity on the training states after each step. */
  readonly history: number[];
  private readonly simulator: Simulator;

  constructor(layer: QNNLayer, latentQubits: number, history: number[]) {
    this.layer = layer;
    this.numQubits = layer.numQubits;
    this.latentQubits = latentQubits;
    this.history = history;
    this.simulator = new Simulator(layer.kernel);
  }

  /**
   * Compresses states onto the latent qubits.
   *
   * @example
   * ```ts
   * const { states, meanReconstructionFidelity } = qae.compress(test.states);
   * ```
   */
  compress(states: readonly ComplexState[]): CompressedStates {
    const n = this.numQubits;
    const m = this.latentQubits;
    const size = 1 << n;
    const latent = 1 << m;
    const shift = n - m;
    const circuit = buildLayerCircuit(n, this.layer.config.encoder, this.layer.config.ansatz).circuit;
    const out: ComplexState[] = [];
    const trash = new Float64Array(states.length);
    const recon = new Float64Array(states.length);
    states.forEach((psi, s) => {
      const inputs = new Float64Array(2 * size);
      inputs.set(psi.re, 0);
      inputs.set(psi.im, size);
      const phi = this.simulator.state(circuit, { weights: this.layer.weights, inputs });
      // φ0_a = φ(a, trash = 0): index a << shift
      const re = new Float64Array(latent);
      const im = new Float64Array(latent);
      let p0 = 0;
      for (let a = 0; a < latent; a++) {
        re[a] = phi.re[a << shift]!;
        im[a] = phi.im[a << shift]!;
        p0 += re[a]! * re[a]! + im[a]! * im[a]!;
      }
      trash[s] = p0;
      // ρ_ab = Σ_t φ(a,t) φ(b,t)*; F = Σ_ab conj(φ0_a) ρ_ab φ0_b = Σ_t |Σ_a conj(φ0_a) φ(a,t)|²
      let fidelity = 0;
      for (let t = 0; t < 1 << shift; t++) {
        let zr = 0;
        let zi = 0;
        for (let a = 0; a < latent; a++) {
          const xr = phi.re[(a << shift) | t]!, xi = phi.im[(a << shift) | t]!;
          zr += re[a]! * xr + im[a]! * xi;
          zi += re[a]! * xi - im[a]! * xr;
        }
        fidelity += zr * zr + zi * zi;
      }
      recon[s] = fidelity;
      const norm = Math.sqrt(p0);
      if (!(norm > 1e-12)) {
        throw new QDistillError('E_ZERO_VECTOR', `QuantumAutoencoder.compress: state ${s} has no weight on trash = |0…0⟩; the encoder cannot compress it`);
      }
      out.push({ re: re.map((v) => v / norm), im: im.map((v) => v / norm) });
    });
    const mean = (v: Float64Array): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
    return { states: out, trashFidelity: trash, reconstructionFidelity: recon, meanTrashFidelity: mean(trash), meanReconstructionFidelity: mean(recon) };
  }
}

/**
 * Trains a quantum autoencoder on states (e.g. ZXZ ground states) with Adam
 * on 1 − mean P(trash = |0…0⟩), adjoint gradients, seeded mini-batches.
 *
 * @throws E_INVALID_ARGUMENT for latentQubits outside 1..n−1 or states of the wrong size
 * @example
 * ```ts
 * const qae = await trainQuantumAutoencoder(train.states, { numQubits: 7, latentQubits: 2, steps: 300 });
 * const compressed = qae.compress(test.states);
 * ```
 */
export async function trainQuantumAutoencoder(states: readonly ComplexState[], options: QAEOptions): Promise<QuantumAutoencoder> {
  const { numQubits: n, latentQubits: m } = options;
  if (!Number.isInteger(m) || m < 1 || m >= n) {
    throw new QDistillError('E_INVALID_ARGUMENT', `QAE: latentQubits must be in 1..${n - 1}, got ${m}`);
  }
  const size = 1 << n;
  states.forEach((s, i) => {
    if (s.re.length !== size || s.im.length !== size) {
      throw new QDistillError('E_SHAPE', `QAE: state ${i} has ${s.re.length} amplitudes, expected ${size} for ${n} qubits`);
    }
  });
  if (states.length === 0) throw new QDistillError('E_DATA', 'QAE: no training states');
  const kernel = options.kernel ?? (await createKernel());
  const trashWires = Array.from({ length: n - m }, (_, i) => m + i);
  const layer = new QNNLayer({
    numQubits: n,
    encoder: { type: 'StateInput' },
    ansatz: { type: 'HardwareEfficient', layers: options.layers ?? 4 },
    measurements: [{ type: 'probs', wires: trashWires, classes: 1 }],
    seed: options.seed ?? 0,
  }, kernel);
  const steps = options.steps ?? 200;
  const batchSize = Math.min(options.batchSize ?? 32, states.length);
  const optimizer = new Adam(layer.weights, { lr: options.lr ?? 0.05 });
  const rng = new Random(options.seed ?? 0);
  const history: number[] = [];
  const inputs = new Float64Array(batchSize * 2 * size);
  for (let step = 0; step < steps; step++) {
    const order = rng.permutation(states.length);
    for (let b = 0; b < batchSize; b++) {
      const s = states[order[b]!]!;
      inputs.set(s.re, b * 2 * size);
      inputs.set(s.im, b * 2 * size + size);
    }
    const p = layer.forward(inputs, batchSize);
    const fidelity = p.reduce((a, v) => a + v, 0) / batchSize;
    history.push(fidelity);
    const grads = layer.backward(new Float64Array(batchSize).fill(-1 / batchSize));
    optimizer.step(grads.params);
    options.onProgress?.(step + 1, steps, fidelity);
  }
  return new QuantumAutoencoder(layer, m, history);
}
