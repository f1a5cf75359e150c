/**
 * The base class of hybrid quantum–classical models: a module with a quantum
 * layer inside and the JSON config that rebuilds it (`arch` names the model;
 * `createHybridModel` in ../hybrid.ts maps it back to a class).
 */
import { Module } from '../../nn/module.js';

/** A model with a quantum layer inside, and the config that rebuilds it. */
export abstract class HybridModel extends Module {
  abstract readonly config: { readonly arch: string; readonly seed?: number };
}
