/**
 * A pure QNN classifier: encoder + ansatz + readout, optionally with a
 * classical head (a "genuinely quantum" student without it).
 */
import { QDistillError } from '../../errors.js';
import { Random } from '../../util/random.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { ParamResolver } from '../../nn/module.js';
import { Linear } from '../../nn/layers.js';
import { add, log, scale } from '../../nn/ops/elementwise.js';
import { tensor, type Tensor } from '../../nn/tensor.js';
import type { AnsatzConfig, EncoderConfig } from '../ansatz.js';
import { QNNLayer, type DiffMethod, type MeasurementConfig } from '../qnn-layer.js';
import { QNNModule } from '../qnn-module.js';
import { HybridModel } from './hybrid-model.js';

/** A pure QNN classifier (optionally with a classical head). */
export interface QNNClassifierConfig {
  /** Classical parameter dtype (default float32; float64 for gradient checks). */
  dtype?: 'float32' | 'float64';
  arch: 'qnn-classifier';
  numClasses: number;
  numQubits: number;
  encoder: EncoderConfig;
  ansatz: Exclude<AnsatzConfig, { type: 'circuit' }>;
  measurements: MeasurementConfig[];
  /** Linear head from the QNN outputs to the classes (default true when outputs ≠ classes). */
  head?: boolean;
  /** Multiply the QNN outputs by this before the head/loss (default 1). */
  outputScale?: number;
  /** Log of probability readouts as scores (default false). */
  logProbs?: boolean;
  diffMethod?: DiffMethod;
  shots?: number | null;
  seed?: number;
}

/** A pure QNN classifier, optionally with a linear head. */
export class QNNClassifier extends HybridModel {
  readonly label = 'QNNClassifier';
  readonly config: QNNClassifierConfig;
  readonly qnn: QNNModule;
  private readonly head: Linear | null;

  constructor(config: QNNClassifierConfig, kernel: Kernel) {
    super();
    this.config = config;
    const layer = new QNNLayer({
      numQubits: config.numQubits,
      encoder: config.encoder,
      ansatz: config.ansatz,
      measurements: config.measurements,
      diffMethod: config.diffMethod ?? 'adjoint',
      shots: config.shots ?? null,
      seed: config.seed ?? 0,
    }, kernel);
    this.qnn = this.registerModule('qnn', new QNNModule(layer, { dtype: config.dtype ?? 'float32' }));
    const wantHead = config.head ?? layer.numOutputs !== config.numClasses;
    if (!wantHead && layer.numOutputs !== config.numClasses) {
      throw new QDistillError('E_CONFIG', `qnn-classifier: the QNN has ${layer.numOutputs} outputs for ${config.numClasses} classes; enable the head`);
    }
    this.head = wantHead ? this.registerModule('head', new Linear(layer.numOutputs, config.numClasses, { rng: new Random((config.seed ?? 0) + 1), dtype: config.dtype ?? 'float32' })) : null;
  }

  forwardWith(x: Tensor, p: ParamResolver): Tensor {
    let y = this.qnn.forwardWith(x, p);
    if (this.config.logProbs) y = log(add(y, tensor([1e-9], { dtype: y.dtype })));
    if ((this.config.outputScale ?? 1) !== 1) y = scale(y, this.config.outputScale!);
    return this.head ? this.head.forwardWith(y, p) : y;
  }
}

