/**
 * Grid sweeps over config values (`--set kd.temperature=1,2,4 --set
 * kd.alpha=0.5,0.9`), selected on the validation split only: every grid
 * point runs the primary arm (KD, or the baseline without a teacher) on every
 * seed without reading the test split; the point with the best mean
 * validation accuracy then runs the full experiment (all arms, test read once).
 */
import { QDistillError } from '../errors.js';
import { experimentArms, validateKDConfig, type ArmName, type KDExperimentConfig } from './config.js';
import {
  prepareKDExperiment, runPreparedExperiment, type ExperimentEnvironment, type ExperimentHooks, type KDExperimentResult, type PreparedExperiment,
} from './experiment.js';
import { meanStd } from './stats.js';

/** One axis of a grid: a dotted config path and its values. */
export interface SweepAxis {
  path: string;
  values: unknown[];
}

/** One grid point's validation score. */
export interface SweepPoint {
  assignment: Record<string, unknown>;
  arm: ArmName;
  validation: { mean: number; std: number };
  perSeed: number[];
}

/** Result of {@link runKDSweep}. */
export interface SweepResult {
  points: SweepPoint[];
  /** Index of the selected point (best mean validation accuracy, first of equals). */
  selected: number;
  /** The full experiment at the selected point. */
  result: KDExperimentResult;
}

/**
 * Parses one `--set path=v1,v2,…` flag. Values are JSON where they parse
 * (numbers, booleans, null, quoted strings), plain strings otherwise.
 *
 * @throws E_USAGE for a missing `=`, an empty path or an empty value
 * @example
 * ```ts
 * parseSetFlag('kd.temperature=1,2,4'); // { path: 'kd.temperature', values: [1, 2, 4] }
 * ```
 */
export function parseSetFlag(text: string): SweepAxis {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new QDistillError('E_USAGE', `--set ${text}: expected path=value[,value…], e.g. --set kd.temperature=1,2,4`);
  const path = text.slice(0, eq).trim();
  if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(path)) throw new QDistillError('E_USAGE', `--set ${text}: bad config path ${JSON.stringify(path)} (expected dotted field names like kd.temperature)`);
  const raw = text.slice(eq + 1).split(',');
  if (raw.some((v) => v.trim() === '')) throw new QDistillError('E_USAGE', `--set ${text}: empty value in the list`);
  const values = raw.map((v) => {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v.trim();
    }
  });
  return { path, values };
}

/** A copy of `config` with `path` set to `value` (intermediate objects created). */
export function setConfigPath(config: KDExperimentConfig, path: string, value: unknown): KDExperimentConfig {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  const keys = path.split('.');
  let at = copy;
  for (const key of keys.slice(0, -1)) {
    if (at[key] === undefined) at[key] = {};
    if (typeof at[key] !== 'object' || at[key] === null || Array.isArray(at[key])) {
      throw new QDistillError('E_USAGE', `--set ${path}: ${key} is not an object in the config`);
    }
    at = at[key] as Record<string, unknown>;
  }
  at[keys[keys.length - 1]!] = value;
  return copy as unknown as KDExperimentConfig;
}

function grid(axes: readonly SweepAxis[]): Array<Record<string, unknown>> {
  let points: Array<Record<string, unknown>> = [{}];
  for (const axis of axes) points = points.flatMap((p) => axis.values.map((v) => ({ ...p, [axis.path]: v })));
  return points;
}

/** Paths whose change needs the data and teacher prepared again. */
const DATA_KEYS = ['dataset', 'teacher', 'transform', 'compress', 'protocol'];

/**
 * Runs a grid sweep, selects on validation, and runs the full experiment at
 * the selected point.
 *
 * @throws E_USAGE for an empty grid or a path that is not an object; E_CONFIG when a grid point is not a valid config
 * @example
 * ```ts
 * const sweep = await runKDSweep(config, [parseSetFlag('kd.temperature=1,2,4')], nodeExperimentEnvironment());
 * console.log(sweep.points[sweep.selected].assignment, sweep.result.arms.kd?.test.mean);
 * ```
 */
export async function runKDSweep(config: KDExperimentConfig, axes: readonly SweepAxis[], env: ExperimentEnvironment, hooks: ExperimentHooks = {}): Promise<SweepResult> {
  if (axes.length === 0 || axes.some((a) => a.values.length === 0)) throw new QDistillError('E_USAGE', 'sweep: needs at least one --set path=values axis with values');
  const assignments = grid(axes);
  const configs = assignments.map((assignment) => {
    let c = config;
    for (const [path, value] of Object.entries(assignment)) c = setConfigPath(c, path, value);
    return validateKDConfig(c);
  });
  const primary: ArmName = experimentArms(config).includes('kd') ? 'kd' : experimentArms(config)[0]!;
  const prepared = new Map<string, Promise<PreparedExperiment>>();
  const prepare = async (c: KDExperimentConfig, skipTest: boolean): Promise<PreparedExperiment> => {
    const key = JSON.stringify([skipTest, ...DATA_KEYS.map((k) => (c as unknown as Record<string, unknown>)[k])]);
    let p = prepared.get(key);
    if (!p) {
      p = prepareKDExperiment(c, env, { ...hooks, skipTest });
      prepared.set(key, p);
    }
    const ready = await p;
    return { ...ready, config: { ...ready.config, ...pick(c) } };
  };
  const point = async (i: number): Promise<SweepPoint> => {
    const c = { ...configs[i]!, arms: [primary] };
    hooks.onMessage?.(`sweep point ${i + 1}/${configs.length}: ${Object.entries(assignments[i]!).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
    const checkpoint = hooks.checkpoint ? { checkpoint: { ...hooks.checkpoint, prefix: `${hooks.checkpoint.prefix ?? ''}sweep${i + 1}-` } } : {};
    const result = await runPreparedExperiment(await prepare(c, true), env, { ...hooks, skipTest: true, ...checkpoint });
    const perSeed = result.arms[primary]!.runs.map((r) => r.validationAccuracy);
    return { assignment: assignments[i]!, arm: primary, validation: meanStd(perSeed), perSeed };
  };
  const points: SweepPoint[] = [];
  // With a run executor (qdistill kd --jobs) the grid points run together too; the points keep their order.
  if (hooks.runs) points.push(...(await Promise.all(configs.map((_, i) => point(i)))));
  else for (let i = 0; i < configs.length; i++) points.push(await point(i));
  let selected = 0;
  points.forEach((p, i) => {
    if (p.validation.mean > points[selected]!.validation.mean) selected = i;
  });
  hooks.onMessage?.(`sweep: selected ${JSON.stringify(points[selected]!.assignment)} on validation; running every arm and reading the test split once`);
  const final = configs[selected]!;
  const result = await runPreparedExperiment(await prepare(final, false), env, hooks);
  return { points, selected, result };
}

/** The parts of a config that do not need the data prepared again. */
function pick(c: KDExperimentConfig): Partial<KDExperimentConfig> {
  const { dataset: _d, teacher: _t, transform: _x, compress: _c, protocol: _p, ...rest } = c;
  return rest;
}
