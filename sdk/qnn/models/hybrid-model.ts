/**
 * The base class of hybrid quantum–classical models: a module with a quantum
 * layer inside and the JSON config that rebuilds it.
 */
import { Module } from '../../nn/module.js';
import type { HybridModelConfig } from '../hybrid.js';

/** A model with a quantum layer inside, and the config that rebuilds it. */
export abstract class HybridModel extends Module {
  abstract readonly config: HybridModelConfig;
}

