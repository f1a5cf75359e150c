// Entry point of the WebAssembly engine. The engine knows nothing of the SDK:
// it applies matrices by structure to raw memory handed to it by sdk/kernel.
// Every file below owns one concern; add new kernels as new files and export them here.
export * from './memory';
export * from './state';
export * from './kernels/dense1';
export * from './kernels/dense2';
export * from './kernels/dense-k';
export * from './kernels/diagonal';
export * from './kernels/permutation';
export * from './kernels/pauli';
export * from './measure';
export { tapeFormatVersion, tapeApply, applyOp } from './tape';
export * from './hamiltonian';
export * from './classical/gemm';
export * from './classical/conv2d';
export * from './classical/pool';
export * from './classical/activation';
export * from './classical/gemm-f64';
export * from './classical/conv2d-f64';
export * from './classical/pool-f64';
export * from './layout';
export { qnnFormatVersion, qnnPlan, qnnForward, qnnBackward } from './qnn';
export { qnnParamShift, qnnFiniteDiff, qnnPrepColumnCount } from './qnn-shift';
export { nextUint32, nextUniform, sampleIndices, sampleCounts } from './random';
export { fusedLength } from './fusion';
export { zScratchLength } from './measure';
export { accumulatePauli, accumulateMatrix, accumulateDensity, innerPauliIm, innerMaskIm } from './adjoint';
