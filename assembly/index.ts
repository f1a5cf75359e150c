// Entry point of the WebAssembly engine. The engine knows nothing of the SDK:
// it applies matrices by structure to raw memory handed to it by sdk/kernel.
// Every file below owns one concern; add new kernels as new files and export them here.
export * from './memory';
export * from './state';
