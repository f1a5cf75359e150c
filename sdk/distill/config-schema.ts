/**
 * The JSON Schemas of the experiment configs, for editors and for the
 * generated configuration reference (docs/configuration.md): emitted from the
 * same zod schemas that validate the configs, so they cannot drift apart.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { QDistillError } from '../errors.js';
import { kdExperimentSchema } from './config.js';
import { ddExperimentSchema } from './dataset-experiment.js';

/** The config kinds: `kd` (`qdistill kd`) and `dd` (`qdistill dd`). */
export const CONFIG_KINDS = ['kd', 'dd'] as const;
/** A config kind. */
export type ConfigKind = (typeof CONFIG_KINDS)[number];

const SCHEMAS = {
  kd: { schema: kdExperimentSchema, title: 'qdistill knowledge-distillation experiment (qdistill kd)' },
  dd: { schema: ddExperimentSchema, title: 'qdistill dataset-distillation experiment (qdistill dd)' },
} as const;

/**
 * The JSON Schema (draft 2020-12) of a config kind. Rules between fields
 * (the student's class count equals the dataset's, …) are checked by
 * `validateKDConfig` / `validateDDConfig` only.
 *
 * @throws E_INVALID_ARGUMENT for an unknown kind, listing the kinds
 * @example
 * ```ts
 * const schema = configJsonSchema('kd');
 * // write it next to your configs and add "$schema": "./kd.schema.json" to them
 * ```
 */
export function configJsonSchema(kind: ConfigKind): Record<string, unknown> {
  const entry = (SCHEMAS as Record<string, (typeof SCHEMAS)[ConfigKind]>)[kind];
  if (!entry) {
    throw new QDistillError('E_INVALID_ARGUMENT', `configJsonSchema: unknown config kind ${JSON.stringify(kind)} (kinds: ${CONFIG_KINDS.join(', ')})`);
  }
  const json = z.toJSONSchema(entry.schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = json;
  return { $schema, title: entry.title, ...rest };
}
