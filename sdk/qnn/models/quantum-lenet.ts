/**
 * Paper 000's quantum LeNet: conv trunk (ReLU, max-pool, pad 2) → Linear
 * 400→120 + ReLU → Linear 120→64 → 6-qubit QNN (AmplitudeEmbedding of the 64
 * features, normalised; 3 StronglyEntanglingLayers; one trainable 2×2
 * Hermitian per wire) → Linear 6→C; a residual branch ReLU(Linear 64→C) on
 * the same 64-vector; output α·quantum + (1−α)·residual with α trainable
 * (0.5 at start); then Linear C→C. Ablations: no residual, Pauli-Z readout,
 * frozen (random) Hermitian.
 *
 * The Hermitian observables come in the two parametrisations of the
 * authors' code (PROTOCOLS C.1):
 *
 * - `complex` (their HEAD, "experiment 2"): per wire a complex 2×2 A from 8
 *   reals (the layer's `A` parametrisation, in the order of their
 *   `matrix[i, r, c, re/im]`), H = (A + A†)/2 — 4 real degrees of freedom;
 * - `real` (their first version): per wire d₀, d₁, o with H = [[d₀, o], [o, d₁]]
 *   = (d₀+d₁)/2·I + o·X + (d₀−d₁)/2·Z — 3 degrees of freedom. The circuit
 *   measures ⟨Xᵢ⟩ and ⟨Zᵢ⟩ and ⟨Hᵢ⟩ is formed classically from them, which
 *   is the same expectation value.
 */
import { Random } from '../../util/random.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { ParamResolver } from '../../nn/module.js';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../../nn/layers.js';
import { add, mul, relu, scale, sub } from '../../nn/ops/elementwise.js';
import { slice } from '../../nn/ops/shape.js';
import { tensor, type Tensor } from '../../nn/tensor.js';
import { QNNLayer, type DiffMethod, type MeasurementConfig } from '../qnn-layer.js';
import { QNNModule } from '../qnn-module.js';
import { HybridModel } from './hybrid-model.js';

/** Paper 000's quantum LeNet. */
export interface QuantumLeNetConfig {
  /** Classical parameter dtype (default float32; float64 for gradient checks). */
  dtype?: 'float32' | 'float64';
  arch: 'quantum-lenet-000';
  numClasses: number;
  /** Image side (28 for MNIST, 32 for CIFAR) and channels. */
  imageSize?: number;
  inChannels?: number;
  /** Residual branch (default true). */
  residual?: boolean;
  /** 'hermitian' (default, trainable unless `hermitianFrozen`) or 'pauliZ'. */
  readout?: 'hermitian' | 'pauliZ';
  /** Keep the (randomly initialised) Hermitian observables fixed. */
  hermitianFrozen?: boolean;
  /** Hermitian parametrisation: 'complex' (H = (A + A†)/2, 4 dof; default, the authors' HEAD) or 'real' (3 dof, their first version). */
  hermitian?: 'complex' | 'real';
  /** StronglyEntanglingLayers depth (default 3). */
  layers?: number;
  diffMethod?: DiffMethod;
  shots?: number | null;
  seed?: number;
}

const WIRES = 6;

function randomHermitian(rng: Random): { re: number[][]; im: number[][] } {
  const a = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
  const b = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
  // H = (A + A†)/2 for A = a + i·b
  return {
    re: [[a[0]!, (a[1]! + a[2]!) / 2], [(a[1]! + a[2]!) / 2, a[3]!]],
    im: [[0, (b[1]! - b[2]!) / 2], [-(b[1]! - b[2]!) / 2, 0]],
  };
}

/** Paper 000's quantum LeNet (see the module docs). */
export class QuantumLeNet extends HybridModel {
  readonly label = 'QuantumLeNet';
  readonly config: QuantumLeNetConfig;
  readonly qnn: QNNModule;
  private readonly trunk: Sequential;
  private readonly quantumHead: Linear;
  private readonly residualBranch: Linear | null;
  private readonly finalLayer: Linear;
  /** Real parametrisation: rows d₀, d₁, o of each wire's H ([3, 6]); a parameter, or a buffer when frozen. */
  private readonly realHermitian: { name: string; frozen: boolean } | null;

  constructor(config: QuantumLeNetConfig, kernel: Kernel) {
    super();
    this.config = config;
    const seed = config.seed ?? 0;
    const rng = new Random(seed);
    const c = config.numClasses;
    const size = config.imageSize ?? 28;
    const inChannels = config.inChannels ?? 1;
    const dtype = config.dtype ?? 'float32';
    const afterConv = Math.floor((Math.floor(size / 2) - 4) / 2); // pad 2 keeps size, pool /2, conv k5 −4, pool /2
    const flat = 16 * afterConv * afterConv;
    this.trunk = this.registerModule('trunk', new Sequential(
      new Conv2d(inChannels, 6, 5, { padding: 2, rng, dtype }), new ReLU(), new MaxPool2d(2),
      new Conv2d(6, 16, 5, { rng, dtype }), new ReLU(), new MaxPool2d(2), new Flatten(),
      new Linear(flat, 120, { rng, dtype }), new ReLU(), new Linear(120, 64, { rng, dtype }),
    ));
    const readout = config.readout ?? 'hermitian';
    const real = readout === 'hermitian' && config.hermitian === 'real';
    let measurements: MeasurementConfig[];
    if (readout === 'pauliZ') measurements = [{ type: 'expvalZ' }];
    else if (real) measurements = [...Array.from({ length: WIRES }, (_, w) => ({ type: 'expval' as const, observable: `X${w}` })), { type: 'expvalZ' }];
    else {
      measurements = Array.from({ length: WIRES }, (_, w) => ({
        type: 'hermitian' as const, wires: [w], trainable: !config.hermitianFrozen, parametrization: 'A' as const, matrix: randomHermitian(rng),
      }));
    }
    const layer = new QNNLayer({
      numQubits: WIRES,
      encoder: { type: 'AmplitudeEmbedding', numFeatures: 64, normalize: true, pad: 0 },
      ansatz: { type: 'StronglyEntanglingLayers', layers: config.layers ?? 3 },
      measurements,
      diffMethod: config.diffMethod ?? 'adjoint',
      shots: config.shots ?? null,
      seed,
    }, kernel);
    this.qnn = this.registerModule('qnn', new QNNModule(layer, { dtype: config.dtype ?? 'float32' }));
    this.quantumHead = this.registerModule('quantumHead', new Linear(WIRES, c, { rng, dtype }));
    this.residualBranch = config.residual === false ? null : this.registerModule('residual', new Linear(64, c, { rng, dtype }));
    if (this.residualBranch) this.registerParameter('alpha', tensor([0.5], { dtype }));
    if (real) {
      const values = tensor(Float64Array.from({ length: 3 * WIRES }, () => rng.normal()), { dtype }, [3, WIRES]);
      this.realHermitian = { name: 'hermitian', frozen: config.hermitianFrozen === true };
      if (config.hermitianFrozen) this.registerBuffer('hermitian', values);
      else this.registerParameter('hermitian', values);
    } else this.realHermitian = null;
    this.finalLayer = this.registerModule('output', new Linear(c, c, { rng, dtype }));
  }

  /** Number of circuit weights (the StronglyEntanglingLayers angles, first in the QNN parameter vector). */
  get numCircuitWeights(): number {
    return this.qnn.layer.numWeights;
  }

  /**
   * Re-initialises the quantum part as the authors' code does (PROTOCOLS
   * C.1/C.3): circuit weights xavier-normal on their (layers, 6, 3) tensor
   * (PyTorch fans: fan_in = 6·3, fan_out = layers·3), trainable Hermitian
   * parameters ~ N(0, 1), α = 0.5. Frozen Hermitians keep their values. The
   * conv/linear layers are not touched (the caller initialises those).
   *
   * @example
   * ```ts
   * model.initQuantumPaper000(new Random(1));
   * ```
   */
  initQuantumPaper000(rng: Random): void {
    const layers = this.config.layers ?? 3;
    const std = Math.sqrt(2 / (WIRES * 3 + layers * 3));
    const w = this.qnn.weight.data;
    const numWeights = this.numCircuitWeights;
    for (let i = 0; i < numWeights; i++) w[i] = std * rng.normal();
    for (let i = numWeights; i < w.length; i++) w[i] = rng.normal(); // the layer's trainable 'A' parameters (none when frozen)
    if (this.realHermitian && !this.realHermitian.frozen) {
      const h = this.getParameter('hermitian').data;
      for (let i = 0; i < h.length; i++) h[i] = rng.normal();
    }
    if (this.residualBranch) this.getParameter('alpha').data[0] = 0.5;
  }

  forwardWith(x: Tensor, p: ParamResolver): Tensor {
    const features = this.trunk.forwardWith(x, p);
    let measured = this.qnn.forwardWith(features, p);
    if (this.realHermitian) {
      const h = this.realHermitian.frozen ? this.getBuffer('hermitian') : p(this.getParameter('hermitian'));
      const d0 = slice(h, 0, 0, 1);
      const d1 = slice(h, 0, 1, 2);
      const off = slice(h, 0, 2, 3);
      const xs = slice(measured, 1, 0, WIRES);
      const zs = slice(measured, 1, WIRES, 2 * WIRES);
      // ⟨H⟩ = (d₀+d₁)/2 + o·⟨X⟩ + (d₀−d₁)/2·⟨Z⟩
      measured = add(add(mul(xs, off), mul(zs, scale(sub(d0, d1), 0.5))), scale(add(d0, d1), 0.5));
    }
    const quantum = this.quantumHead.forwardWith(measured, p);
    let mixed = quantum;
    if (this.residualBranch) {
      const residual = relu(this.residualBranch.forwardWith(features, p));
      const alpha = p(this.getParameter('alpha'));
      mixed = add(mul(quantum, alpha), sub(residual, mul(residual, alpha)));
    }
    return this.finalLayer.forwardWith(mixed, p);
  }
}
