/**
 * The quantum layer as an nn module: its batched forward and adjoint VJP
 * become one differentiable op of the classical graph, so gradients reach
 * the layers before it (through its inputs) and its own weights.
 */
import { ExternalModule, type ExternalBlock, type ExternalForwardResult, type ExternalModuleOptions } from '../nn/external.js';
import type { QNNLayer } from './qnn-layer.js';

/**
 * Wraps a {@link QNNLayer} as an nn `ExternalBlock`: parameters are the
 * layer's flat vector (circuit weights, then observable parameters).
 *
 * @example
 * ```ts
 * const block = qnnBlock(layer);
 * const y = nn.externalOp(block, x, params);
 * ```
 */
export function qnnBlock(layer: QNNLayer, name = `QNN(${layer.numQubits} qubits)`): ExternalBlock {
  return {
    name,
    numParams: layer.numParams,
    outputSize: layer.numOutputs,
    inputSize: layer.numInputs,
    forward(x: Float64Array, params: Float64Array, batchSize: number): ExternalForwardResult {
      layer.setParams(params);
      const y = layer.forward(x, batchSize);
      const token = layer.forwardCount;
      return {
        y,
        backward(dy) {
          if (layer.forwardCount !== token) {
            // Another forward ran in between (central differences, a second use): redo this one.
            layer.setParams(params);
            layer.forward(x, batchSize);
          }
          const g = layer.backward(dy);
          return { dx: g.inputs, dparams: g.params };
        },
      };
    },
    initParams: () => layer.getParams(),
  };
}

/**
 * An nn module running a {@link QNNLayer}: input `[N, numInputs]` →
 * `[N, numOutputs]`, one parameter `weight` (the layer's flat parameters,
 * initialised from the layer's own seeded initialiser).
 *
 * @example
 * ```ts
 * const qnn = new QNNModule(await QNNLayer.create(config));
 * const model = new nn.Sequential(new nn.Linear(16, 4), qnn, new nn.Linear(qnn.layer.numOutputs, 10));
 * ```
 */
export class QNNModule extends ExternalModule {
  readonly layer: QNNLayer;

  constructor(layer: QNNLayer, options: ExternalModuleOptions = {}) {
    super(qnnBlock(layer), { init: layer.getParams(), dtype: 'float64', ...options });
    this.layer = layer;
    // The shot sampler draws while training: its state is part of a checkpoint.
    this.registerGenerator('shots', { getState: () => layer.getRandomState(), setState: (state) => layer.setRandomState(state) });
  }
}
