/**
 * The gradient methods of a {@link QNNLayer} — adjoint, parameter shift and
 * finite differences — each ONE engine call per batch (layer-engine.ts),
 * and the parameter-shift rules they use.
 *
 * @module
 */
import { QDistillError } from '../errors.js';
import { factorGenerator, shiftRuleFromSpectrum, type ShiftRule } from '../circuit/gates.js';
import { hermitianEigenvalues } from '../circuit/matrix.js';
import { RULE_MAX_TERMS, RULE_WIDTH } from './layer-format.js';
import type { LayerEngine, PassParams, RawGradients, ShotState } from './layer-engine.js';
import type { QNNGradients, ShiftRuleConfig } from './qnn-config.js';
import { addObservableGradients, type CompiledReadouts } from './readouts.js';
import type { SlotOrigin, Tape } from './tape.js';

/**
 * The rule of one slot: its generator's exact rule (shiftRuleFromSpectrum),
 * or, for a single-frequency generator (frequency b) with `config`, shift s
 * and coefficient b/(2·sin(b·s)) ('exact') or 1 ('none').
 *
 * @throws E_CONFIG if an 'exact' factor would divide by sin(b·s) = 0
 */
export function slotShiftRule(origin: SlotOrigin, config: ShiftRuleConfig | undefined): ShiftRule {
  const eigenvalues = hermitianEigenvalues(factorGenerator(origin.factor, origin.numControls, origin.numTargets));
  const rule = shiftRuleFromSpectrum(eigenvalues);
  if (!config || rule.shifts.length !== 1) return rule;
  const b = Math.max(...eigenvalues) - Math.min(...eigenvalues);
  const shift = config.shift ?? rule.shifts[0]!;
  if ((config.factor ?? 'exact') === 'none') return { shifts: [shift], coefficients: [1] };
  const sine = Math.sin(b * shift);
  if (Math.abs(sine) < 1e-12) {
    throw new QDistillError(
      'E_CONFIG',
      `QNNLayer config.shiftRule: shift ${shift} makes sin(b·s) = 0 for a gate of frequency b = ${b}, so the exact factor b/(2·sin(b·s)) does not exist; pick another shift or factor 'none'`,
    );
  }
  return { shifts: [shift], coefficients: [b / (2 * sine)] };
}

/** The engine's rule table: RULE_WIDTH f64 per slot (R, R shifts, R coefficients). */
export function buildShiftRules(tape: Tape, config: ShiftRuleConfig | undefined): Float64Array {
  const rules = new Float64Array(Math.max(1, tape.slots.length) * RULE_WIDTH);
  const cache = new Map<string, ShiftRule>();
  tape.slotOrigins.forEach((origin, s) => {
    const key = `${JSON.stringify(origin.factor)}|${origin.numControls}|${origin.numTargets}`;
    let rule = cache.get(key);
    if (!rule) {
      rule = slotShiftRule(origin, config);
      cache.set(key, rule);
    }
    if (rule.shifts.length > RULE_MAX_TERMS) throw new QDistillError('E_UNSUPPORTED', `parameter-shift: rule with ${rule.shifts.length} terms`);
    const o = s * RULE_WIDTH;
    rules[o] = rule.shifts.length;
    rule.shifts.forEach((v, i) => (rules[o + 1 + i] = v));
    rule.coefficients.forEach((v, i) => (rules[o + 1 + RULE_MAX_TERMS + i] = v));
  });
  return rules;
}

/** What the gradient methods need of a layer. */
export interface GradientContext {
  readonly engine: LayerEngine;
  readonly readouts: CompiledReadouts;
  readonly numWeights: number;
  readonly numParams: number;
}

/** Weights, then the observable parameters from ∂L/∂M. */
export function toGradients(ctx: GradientContext, raw: RawGradients): QNNGradients {
  const params = new Float64Array(ctx.numParams);
  params.set(raw.weights);
  if (raw.matrices.length) addObservableGradients(ctx.readouts, ctx.numWeights, params, raw.matrices);
  return { inputs: raw.inputs, params };
}

/**
 * Adjoint differentiation: one backward pass with the observable Σ_k g_k·O_k
 * gives ∂L/∂θ for every slot and ∂L/∂ψ₀ for the state preparation.
 */
export function adjointGradients(ctx: GradientContext, x: Float64Array, batch: number, params: PassParams, g: Float64Array, statesKept: boolean): QNNGradients {
  return toGradients(ctx, ctx.engine.adjoint(x, batch, params, g, statesKept));
}

/**
 * Parameter shift: every slot by its rule (shifted runs sampled afresh with
 * shots), state-preparation inputs by central differences of `prepStep`
 * (exact mode only), observable parameters from ⟨H⟩'s linearity in them.
 */
export function paramShiftGradients(
  ctx: GradientContext, x: Float64Array, batch: number, params: PassParams, g: Float64Array, rules: Float64Array,
  prepStep: number | undefined, shots?: ShotState,
): QNNGradients & { rngState?: number[] } {
  const raw = ctx.engine.paramShift(x, batch, params, g, rules, prepStep, shots);
  return { ...toGradients(ctx, raw), ...(raw.rngState ? { rngState: raw.rngState } : {}) };
}

/** Central differences of step h of the exact outputs: weights, every input, observable matrix entries. */
export function finiteDiffGradients(ctx: GradientContext, x: Float64Array, batch: number, params: PassParams, g: Float64Array, h: number): QNNGradients {
  return toGradients(ctx, ctx.engine.finiteDiff(x, batch, params, g, h));
}
