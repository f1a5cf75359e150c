/**
 * {@link EnsembleTeacher}: several teachers combined into one.
 *
 * @module
 */
import { QDistillError } from '../errors.js';
import { TeacherBase, teacherProbabilities, type LogitsForOptions, type Teacher, type TeacherData } from './teacher.js';
import * as pm from '../util/portable-math.js';

/**
 * How an ensemble combines its members.
 *
 * @example
 * ```ts
 * const mode: EnsembleCombine = 'probabilities';
 * ```
 */
export type EnsembleCombine = 'probabilities' | 'logits';

/**
 * Options of {@link EnsembleTeacher}.
 *
 * @example
 * ```ts
 * const options: EnsembleOptions = { combine: 'probabilities', temperature: 4, weights: [1, 2] };
 * ```
 */
export interface EnsembleOptions {
  /**
   * `probabilities` (default): p̄ = Σₖ wₖ·softmax(zₖ/T), returned as the
   * logits T·log p̄ (so softmax(output/T) = p̄ exactly). `logits`: the
   * weighted mean Σₖ wₖ·zₖ.
   */
  combine?: EnsembleCombine;
  /** Temperature T of the probability average (default 1). */
  temperature?: number;
  /** One non-negative weight per member (default equal); normalised to sum 1. */
  weights?: readonly number[];
  /** Name in messages (default `ensemble(a, b, …)`). */
  name?: string;
}

/** Smallest probability kept before the log: p̄ never underflows to log 0 = −∞. */
const MIN_PROBABILITY = 1e-300;

/**
 * Several teachers combined by averaging their probabilities at a
 * temperature (default) or their logits, with optional weights. The members
 * must agree on the number of classes. `logitsFor` combines the members'
 * own cached `logitsFor` results and caches the combination too.
 *
 * Output, with normalised weights wₖ and member logits zₖ:
 * - `probabilities`: T·log Σₖ wₖ·softmax(zₖ/T) — feed it to a KD loss at the
 *   same temperature T and the soft targets are exactly the averaged probabilities;
 * - `logits`: Σₖ wₖ·zₖ.
 *
 * @example
 * ```ts
 * const ensemble = new EnsembleTeacher([lenet, alexnet], { combine: 'probabilities', temperature: 4, weights: [1, 2] });
 * const logits = await ensemble.logitsFor(train);
 * ```
 */
export class EnsembleTeacher extends TeacherBase {
  readonly name: string;
  readonly numClasses: number;
  readonly dataShape: readonly number[] | undefined;
  readonly members: readonly Teacher[];
  readonly combine: EnsembleCombine;
  readonly temperature: number;
  /** Normalised weights (sum 1). */
  readonly weights: readonly number[];

  /**
   * @throws E_INVALID_ARGUMENT for no members, bad weights or temperature, an unknown combine mode
   * @throws E_TEACHER when the members disagree on the number of classes
   */
  constructor(members: readonly Teacher[], options: EnsembleOptions = {}) {
    super();
    if (!Array.isArray(members) || members.length === 0) {
      throw new QDistillError('E_INVALID_ARGUMENT', 'EnsembleTeacher: expected a non-empty list of teachers');
    }
    this.members = [...members];
    this.name = options.name ?? `ensemble(${members.map((m) => m.name).join(', ')})`;
    const combine = options.combine ?? 'probabilities';
    if (combine !== 'probabilities' && combine !== 'logits') {
      throw new QDistillError('E_INVALID_ARGUMENT', `${this.where}: combine must be "probabilities" or "logits", got ${JSON.stringify(combine)}`);
    }
    this.combine = combine;
    const temperature = options.temperature ?? 1;
    if (typeof temperature !== 'number' || !(temperature > 0) || !Number.isFinite(temperature)) {
      throw new QDistillError('E_INVALID_ARGUMENT', `${this.where}: temperature must be a positive finite number, got ${options.temperature}`);
    }
    this.temperature = temperature;
    const raw = options.weights ?? members.map(() => 1);
    if (!Array.isArray(raw) || raw.length !== members.length || raw.some((w) => typeof w !== 'number' || !Number.isFinite(w) || w < 0)) {
      throw new QDistillError(
        'E_INVALID_ARGUMENT',
        `${this.where}: weights must be ${members.length} non-negative finite numbers (one per member), got ${JSON.stringify(options.weights)}`,
      );
    }
    const total = raw.reduce((a, b) => a + b, 0);
    if (!(total > 0)) throw new QDistillError('E_INVALID_ARGUMENT', `${this.where}: weights must not all be zero`);
    this.weights = raw.map((w) => w / total);
    const classes = members.map((m) => m.numClasses);
    if (classes.some((c) => c !== classes[0])) {
      throw new QDistillError(
        'E_TEACHER',
        `${this.where}: members disagree on the number of classes (${members.map((m, i) => `${m.name}: ${classes[i]}`).join(', ')})`,
        { details: { classes } },
      );
    }
    this.numClasses = classes[0]!;
    this.dataShape = members.find((m) => m.dataShape !== undefined)?.dataShape;
  }

  protected checkShape(shape: readonly number[]): void {
    for (const m of this.members) m.checkCompatible({ shape });
  }

  /** Combines member logits (each batch × C) into the ensemble's. */
  private merge(parts: readonly Float32Array[], batch: number): Float32Array {
    const C = this.numClasses;
    const out = new Float32Array(batch * C);
    if (this.combine === 'logits') {
      const acc = new Float64Array(batch * C);
      parts.forEach((z, k) => {
        const w = this.weights[k]!;
        for (let i = 0; i < acc.length; i++) acc[i]! += w * z[i]!;
      });
      out.set(acc);
      return out;
    }
    const T = this.temperature;
    const acc = new Float64Array(batch * C);
    parts.forEach((z, k) => {
      const w = this.weights[k]!;
      const p = teacherProbabilities(z, C, T);
      for (let i = 0; i < acc.length; i++) acc[i]! += w * p[i]!;
    });
    for (let i = 0; i < acc.length; i++) out[i] = T * pm.log(Math.max(acc[i]!, MIN_PROBABILITY));
    return out;
  }

  protected async run(x: Float32Array, batch: number, shape: readonly number[]): Promise<Float32Array> {
    const parts: Float32Array[] = [];
    for (const m of this.members) parts.push(await m.predict(x, batch, shape)); // one at a time: onnxruntime is single-threaded
    return this.merge(parts, batch);
  }

  /**
   * The averaged probabilities p̄ (float64, batch × C) at the ensemble's
   * temperature, for `predict`-style input.
   *
   * @example
   * ```ts
   * const p = await ensemble.probabilities(x, 8); // rows sum to 1
   * ```
   */
  async probabilities(x: Float32Array, batch: number, sampleShape?: readonly number[]): Promise<Float64Array> {
    const logits = await this.predict(x, batch, sampleShape);
    return teacherProbabilities(logits, this.numClasses, this.combine === 'probabilities' ? this.temperature : 1);
  }

  /** A dataset's logits from each member's own `logitsFor` cache (members shared by several ensembles run once). */
  protected override async compute(data: TeacherData, samples: number, options: LogitsForOptions): Promise<Float32Array> {
    const parts: Float32Array[] = [];
    for (const m of this.members) parts.push(await m.logitsFor(data, options));
    return this.merge(parts, samples);
  }

  protected override async release(): Promise<void> {
    // Members are owned by the caller (they may be shared): not disposed here.
  }
}
