/**
 * Paper 000's quantum LeNet: conv trunk (ReLU, max-pool, pad 2) → Linear
 * 400→120 + ReLU → Linear 120→64 → 6-qubit QNN (AmplitudeEmbedding of the 64
 * features, normalised; 3 StronglyEntanglingLayers; one trainable 2×2
 * Hermitian per wire) → Linear 6→C; a residual branch ReLU(Linear 64→C) on
 * the same 64-vector; output α·quantum + (1−α)·residual with α trainable
 * (0.5 at start); then Linear C→C. Ablations: no residual, Pauli-Z readout,
 * frozen (random) Hermitian.
 */
import { Random } from '../../util/random.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { ParamResolver } from '../../nn/module.js';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../../nn/layers.js';
import { add, mul, relu, sub } from '../../nn/ops/elementwise.js';
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
  /** StronglyEntanglingLayers depth (default 3). */
  layers?: number;
  diffMethod?: DiffMethod;
  shots?: number | null;
  seed?: number;
}

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
  private readonly output: Linear;

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
    const measurements: MeasurementConfig[] = readout === 'pauliZ'
      ? [{ type: 'expvalZ' }]
      : Array.from({ length: 6 }, (_, w) => ({
          type: 'hermitian' as const, wires: [w], trainable: !config.hermitianFrozen, parametrization: 'A' as const, matrix: randomHermitian(rng),
        }));
    const layer = new QNNLayer({
      numQubits: 6,
      encoder: { type: 'AmplitudeEmbedding', numFeatures: 64, normalize: true, pad: 0 },
      ansatz: { type: 'StronglyEntanglingLayers', layers: config.layers ?? 3 },
      measurements,
      diffMethod: config.diffMethod ?? 'adjoint',
      shots: config.shots ?? null,
      seed,
    }, kernel);
    this.qnn = this.registerModule('qnn', new QNNModule(layer, { dtype: config.dtype ?? 'float32' }));
    this.quantumHead = this.registerModule('quantumHead', new Linear(6, c, { rng, dtype }));
    this.residualBranch = config.residual === false ? null : this.registerModule('residual', new Linear(64, c, { rng, dtype }));
    if (this.residualBranch) this.registerParameter('alpha', tensor([0.5], { dtype }));
    this.output = this.registerModule('output', new Linear(c, c, { rng, dtype }));
  }

  forwardWith(x: Tensor, p: ParamResolver): Tensor {
    const features = this.trunk.forwardWith(x, p);
    const quantum = this.quantumHead.forwardWith(this.qnn.forwardWith(features, p), p);
    let mixed = quantum;
    if (this.residualBranch) {
      const residual = relu(this.residualBranch.forwardWith(features, p));
      const alpha = p(this.getParameter('alpha'));
      mixed = add(mul(quantum, alpha), sub(residual, mul(residual, alpha)));
    }
    return this.output.forwardWith(mixed, p);
  }
}

