/**
 * qdistill — quantum machine learning in TypeScript: a SIMD WebAssembly
 * statevector simulator, differentiable QNN layers, and knowledge / dataset
 * distillation into quantum neural networks. Same API, same numbers in Node
 * and the browser.
 *
 * @packageDocumentation
 */
export { QDistillError, isQDistillError, ERROR_CODES, type ErrorCode } from './errors.js';
export { createKernel, Kernel, type KernelOptions, type KernelBuild } from './kernel/kernel.js';
