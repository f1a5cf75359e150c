/**
 * A pure QNN classifier: encoder + ansatz + readout, optionally with a
 * classical head (a "genuinely quantum" student without it), built from a
 * plain JSON config.
 */
import { QDistillError } from '../../errors.js';
import { Random } from '../../util/random.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { ParamResolver } from '../../nn/module.js';
import { Linear } from '../../nn/layers.js';
import { add, log, mul, scale } from '../../nn/ops/elementwise.js';
import { tensor, type Tensor } from '../../nn/tensor.js';
import type { OutputSpec } from '../../nn/outputs.js';
import { circuitToJSON } from '../../circuit/serialize.js';
import { Circuit } from '../../circuit/circuit.js';
import type { AnsatzConfig, EncoderConfig } from '../ansatz.js';
import { QNNLayer, type DiffMethod, type MeasurementConfig, type ShiftRuleConfig } from '../qnn-layer.js';
import { QNNModule } from '../qnn-module.js';
import { HybridModel } from './hybrid-model.js';

/**
 * The scale s applied to the QNN outputs y before the head or the loss
 * (s ⊙ y): a fixed number, or `{ init, trainable }` — one scalar, or one value
 * per QNN output — which, when trainable, is a parameter of the model (a
 * learnable temperature of the logits: expectation values live in [−1, 1],
 * so softmax(y) can never be sharp; softmax(s·y) can).
 *
 * @example
 * ```json
 * { "outputScale": { "init": 10, "trainable": true } }
 * ```
 */
export type OutputScaleConfig = number | { init: number | number[]; trainable?: boolean };

/**
 * A pure QNN classifier (optionally with a classical head).
 *
 * @example
 * ```json
 * { "arch": "qnn-classifier", "numClasses": 6, "numQubits": 6,
 *   "encoder": { "type": "AmplitudeEmbedding", "numFeatures": 62, "pad": 0, "bias": 1, "normFeature": 0.1 },
 *   "ansatz": { "type": "StronglyEntanglingLayers", "layers": 4 },
 *   "measurements": [{ "type": "expvalZ" }], "head": false,
 *   "outputScale": { "init": 5, "trainable": true } }
 * ```
 */
export interface QNNClassifierConfig {
  /** Classical parameter dtype (default float32; float64 for gradient checks). */
  dtype?: 'float32' | 'float64';
  arch: 'qnn-classifier';
  numClasses: number;
  numQubits: number;
  encoder: EncoderConfig;
  /** Any ansatz; a `circuit` ansatz is stored in its JSON form (circuitToJSON) so the config stays JSON. */
  ansatz: AnsatzConfig;
  measurements: MeasurementConfig[];
  /** Linear head from the QNN outputs to the classes (default true when outputs ≠ classes). */
  head?: boolean;
  /** The scale of the QNN outputs before the head/loss (default 1, fixed); see {@link OutputScaleConfig}. */
  outputScale?: OutputScaleConfig;
  /** Log of probability readouts as scores (default false). */
  logProbs?: boolean;
  diffMethod?: DiffMethod;
  shots?: number | null;
  /** The parameter-shift rule of single-frequency gates (QNNLayerConfig.shiftRule). */
  shiftRule?: ShiftRuleConfig;
  seed?: number;
}

/** A pure QNN classifier, optionally with a linear head and a trainable output scale (parameter `outputScale`). */
export class QNNClassifier extends HybridModel {
  readonly label = 'QNNClassifier';
  readonly config: QNNClassifierConfig;
  readonly qnn: QNNModule;
  private readonly head: Linear | null;
  /** The fixed scale (trainable ones are the parameter `outputScale`); undefined when it is 1 or trainable. */
  private readonly fixedScale: number | Float64Array | undefined;
  private readonly trainableScale: boolean;

  constructor(config: QNNClassifierConfig, kernel: Kernel) {
    super();
    // A user circuit travels as JSON (checkpoint metadata, experiment configs).
    const ansatz = config.ansatz.type === 'circuit' && config.ansatz.circuit instanceof Circuit
      ? { type: 'circuit' as const, circuit: circuitToJSON(config.ansatz.circuit) }
      : config.ansatz;
    this.config = { ...config, ansatz };
    const layer = new QNNLayer({
      numQubits: config.numQubits,
      encoder: config.encoder,
      ansatz,
      measurements: config.measurements,
      diffMethod: config.diffMethod ?? 'adjoint',
      shots: config.shots ?? null,
      seed: config.seed ?? 0,
      ...(config.shiftRule ? { shiftRule: config.shiftRule } : {}),
    }, kernel);
    const dtype = config.dtype ?? 'float32';
    this.qnn = this.registerModule('qnn', new QNNModule(layer, { dtype }));
    const { values, trainable } = outputScaleValues(config.outputScale, layer.numOutputs);
    this.trainableScale = trainable;
    if (trainable) this.registerParameter('outputScale', tensor(values, { dtype }, [values.length]));
    else if (values.length > 1) this.fixedScale = values;
    else if (values[0] !== 1) this.fixedScale = values[0]!;
    const wantHead = config.head ?? layer.numOutputs !== config.numClasses;
    const bornProbabilities = config.measurements.length === 1 && config.measurements[0]!.type === 'probs' && !config.logProbs && config.outputScale === undefined;
    if (!wantHead && layer.numOutputs !== config.numClasses && !(bornProbabilities && layer.numOutputs > config.numClasses)) {
      throw new QDistillError('E_CONFIG', `qnn-classifier: the QNN has ${layer.numOutputs} outputs for ${config.numClasses} classes; enable the head (or read bare probabilities: one probs measurement, no outputScale, no logProbs)`);
    }
    this.head = wantHead ? this.registerModule('head', new Linear(layer.numOutputs, config.numClasses, { rng: new Random((config.seed ?? 0) + 1), dtype })) : null;
  }

  /**
   * Logits, except for a bare probability readout: one `probs` measurement,
   * no head, no log, no scale — then the outputs are Born probabilities over
   * the measured outcomes, class c on outcome c (losses use −log p_y and KD
   * softens them as p^{1/T}).
   */
  override get outputSpec(): OutputSpec {
    const c = this.config;
    const bare = c.measurements.length === 1 && c.measurements[0]!.type === 'probs' && !this.head && !c.logProbs && c.outputScale === undefined;
    return bare ? { kind: 'probabilities', classes: c.numClasses } : { kind: 'logits' };
  }

  forwardWith(x: Tensor, p: ParamResolver): Tensor {
    let y = this.qnn.forwardWith(x, p);
    if (this.config.logProbs) y = log(add(y, tensor([1e-9], { dtype: y.dtype })));
    if (this.trainableScale) y = mul(y, p(this.getParameter('outputScale')));
    else if (typeof this.fixedScale === 'number') y = scale(y, this.fixedScale);
    else if (this.fixedScale) y = mul(y, tensor(this.fixedScale, { dtype: y.dtype }, [this.fixedScale.length]));
    return this.head ? this.head.forwardWith(y, p) : y;
  }
}

/** The output scale's initial values (one, or one per output) and whether it trains; validates the config. */
function outputScaleValues(config: OutputScaleConfig | undefined, numOutputs: number): { values: Float64Array; trainable: boolean } {
  if (config === undefined) return { values: Float64Array.of(1), trainable: false };
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (typeof config === 'number') {
    if (!finite(config)) throw new QDistillError('E_CONFIG', `qnn-classifier outputScale: expected a finite number or { init, trainable }, got ${config}`);
    return { values: Float64Array.of(config), trainable: false };
  }
  if (typeof config !== 'object' || config === null || !('init' in config)) {
    throw new QDistillError('E_CONFIG', `qnn-classifier outputScale: expected a finite number or { init, trainable }, got ${JSON.stringify(config)}`);
  }
  const init = config.init;
  const values = Array.isArray(init) ? init : [init];
  if (values.length === 0 || !values.every(finite)) {
    throw new QDistillError('E_CONFIG', `qnn-classifier outputScale.init: expected a finite number or a list of finite numbers, got ${JSON.stringify(init)}`);
  }
  if (Array.isArray(init) && values.length !== numOutputs && values.length !== 1) {
    throw new QDistillError('E_CONFIG', `qnn-classifier outputScale.init: one value or one per QNN output (${numOutputs}), got ${values.length}`);
  }
  if (config.trainable !== undefined && typeof config.trainable !== 'boolean') {
    throw new QDistillError('E_CONFIG', `qnn-classifier outputScale.trainable: expected true or false, got ${JSON.stringify(config.trainable)}`);
  }
  return { values: Float64Array.from(values), trainable: config.trainable ?? false };
}
