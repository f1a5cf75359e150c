/**
 * Every differentiable primitive, one file per family. Each op's forward
 * and VJP sit side by side; composite ops (mean, stack, losses…) are built
 * from these and carry no gradient code of their own.
 *
 * @packageDocumentation
 */
export { add, cos, div, exp, log, mul, neg, relu, scalar, scale, sigmoid, sin, sqrt, square, sub, tanh } from './elementwise.js';
export { cast, concat, flatten, permute, reshape, slice, stack, transpose } from './shape.js';
export { argmax, logSoftmax, mean, softmax, sum } from './reduce.js';
export { linear, matmul } from './linalg.js';
export { avgPool2d, conv2d, maxPool2d, type Conv2dOptions, type Pool2dOptions } from './conv.js';
export { batchNorm, dropout, type BatchNormOptions } from './regularize.js';
export { customOp, type CustomForwardResult, type CustomOpOptions, type CustomVjp, type CustomVjpContext } from './custom.js';
export { broadcastShapes } from './indexing.js';
