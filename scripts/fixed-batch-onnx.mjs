#!/usr/bin/env node
// Rewrites an ONNX model's symbolic batch axis to a fixed size — what
// PyTorch's torch.onnx.export writes by default (no dynamic_axes: the batch
// of the example input, usually 1). Only the graph's declared input and
// output shapes change; the weights and nodes are decoded and re-encoded
// untouched (onnx-proto's schema).
//
//   node scripts/fixed-batch-onnx.mjs <in.onnx> <out.onnx> [batch=1]
//
// test/fixtures/teachers/lenet-mnist-c6-batch1.onnx was made with it from
// lenet-mnist-c6.onnx.
import { readFileSync, writeFileSync } from 'node:fs';
import proto from 'onnx-proto';

const [input, output, batchText = '1'] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node scripts/fixed-batch-onnx.mjs <in.onnx> <out.onnx> [batch=1]');
  process.exit(2);
}
const batch = Number(batchText);
if (!Number.isInteger(batch) || batch < 1) throw new Error(`batch must be a positive integer, got ${batchText}`);
const { onnx } = proto;
const model = onnx.ModelProto.decode(readFileSync(input));
for (const value of [...model.graph.input, ...model.graph.output]) {
  const dim = value.type?.tensorType?.shape?.dim?.[0];
  if (!dim) throw new Error(`${value.name}: no shape to rewrite`);
  // `value` is a oneof: an empty dimParam written after dimValue would win and
  // read back as an unnamed dynamic axis.
  delete dim.dimParam;
  dim.dimValue = batch;
}
writeFileSync(output, onnx.ModelProto.encode(model).finish());
console.log(`${output}: batch axis fixed to ${batch}`);
