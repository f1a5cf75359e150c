/**
 * Inputs fuzzing found that made a reader throw an untyped error (or worse),
 * kept as regression tests: each must now give the typed error listed.
 * Found by `npm run fuzz` (seed 20260114 unless noted); the reader was fixed
 * in the same commit as the entry.
 */
import type { ErrorCode } from '../../sdk/errors.js';
import { restoreModel } from '../../sdk/nn/checkpoint.js';
import { Linear, Sequential } from '../../sdk/nn/layers.js';
import { restoreHybridModel, serializeHybridCheckpoint } from '../../sdk/qnn/hybrid-checkpoint.js';
import { createHybridModel, type HybridModelConfig } from '../../sdk/qnn/hybrid.js';
import { decodeFrame, encodeFrame } from '../../sdk/util/container.js';
import { ModelTeacher } from '../../sdk/teachers/model-teacher.js';
import { OnnxTeacher } from '../../sdk/teachers/onnx-teacher.js';

/** One regression: the call, and the code and message parts it must throw with. */
export interface Regression {
  title: string;
  call: () => unknown;
  code: ErrorCode;
  messages: string[];
}

const bytes = (base64: string): Uint8Array => new Uint8Array(Buffer.from(base64, 'base64'));

export const REGRESSIONS: Regression[] = [
  {
    // A hybrid checkpoint whose (CRC-valid) stored config lacks the encoder: createHybridModel threw a TypeError.
    title: 'hybrid checkpoint: a stored qnn-classifier config without an encoder',
    call: () =>
      restoreHybridModel(
        bytes(
          'UUROTkNLUFQCAAAAngIAAO9+v66PTUNKGAAAAAAAAAB7ImZvcm1hdCI6InFkaXN0aWxsLW5uLWNoZWNrcG9pbnQiLCJmb3JtYXRWZXJzaW9uIjoyLCJjb25maWciOm51bGwsImxhYmVsIjoiUU5OQ2xhc3NpZmllciIsInRlbnNvcnMiOlt7Im5hbWUiOiJxbm4ud2VpZ2h0Iiwia2luZCI6InBhcmFtIiwiZHR5cGUiOiJmbG9hdDMyIiwic2hhcGUiOls2XSwib2Zmc2V0IjowfV0sIm9wdGltaXplciI6eyJraW5kIjoiYWRhbSIsIm9wdGlvbnMiOnsiYmV0YTEiOjAuOSwiYmV0YTIiOjAuOTk5LCJlcHMiOjFlLTgsIndlaWdodERlY2F5IjowfSwibHIiOjAuMDAxLCJzdGVwIjowLCJzbG90U3RlcHMiOlswXSwiYnVmZmVycyI6W119LCJzZWVkIjpudWxsLCJtZXRhZGF0YSI6eyJxZGlzdGlsbC5oeWJyaWRDb25maWciOnsiYXJjaCI6InFubi1jbGFzc2lmaWVyIiwibnVtQ2xhc3NlcyI6MiwibnVtUXViaXRzIjoyLCJhbnNhdHoiOnsidHlwZSI6IlN0cm9uZ2x5RW50YW5nbGluZ0xheWVycyIsImxheWVycyI6MX0sIm1lYXN1cmVtZW50cyI6W3sidHlwZSI6ImV4cHZhbFoiLCJ3aXJlcyI6WzAsMV19XSwiaGVhZCI6ZmFsc2V9fSwiZ2VuZXJhdG9ycyI6eyJxbm4uc2hvdHMiOlsyMDY1NTUwNzY3LDM3OTM3OTEwMzMsMjcxMzI4MjAzNiwxODUzMzk4NjM0XX0sInNjaGVkdWxlciI6bnVsbCwiZGF0YUJ5dGVzIjoyNCwiY3JjMzIiOjEyNDU5MjQ3NTF9AAAHj5pAwvdsQGD2UEDd7lpAaE9iQJnaFEA=',
        ),
      ),
    code: 'E_CHECKPOINT',
    messages: ["stored hybrid config does not build a model"],
  },

  {
    // A version-1 checkpoint (no header CRC) whose mlp config says inputSize 2^31: restoreModel asked for an 8 GiB
    // tensor and threw a RangeError (sizes just below that would have allocated gigabytes before failing). The zoo
    // schema's size bounds (LIMITS) now refuse the config before anything is allocated.
    title: 'checkpoint: a stored config that builds a model far larger than the file',
    call: () =>
      restoreModel(
        bytes(
          'UUROTkNLUFQBAAAAAQMAAHsiZm9ybWF0IjoicWRpc3RpbGwtbm4tY2hlY2twb2ludCIsImZvcm1hdFZlcnNpb24iOjIsImNvbmZpZyI6eyJhcmNoIjoibWxwIiwibnVtQ2xhc3NlcyI6Miwic2VlZCI6MCwiZHR5cGUiOiJmbG9hdDMyIiwiaW5wdXRTaXplIjoyMTQ3NDgzNjQ4LCJoaWRkZW5TaXplcyI6WzRdLCJhY3RpdmF0aW9uIjoicmVsdSIsImRyb3BvdXQiOjB9LCJsYWJlbCI6Im1scCIsInRlbnNvcnMiOlt7Im5hbWUiOiIwLndlaWdodCIsImtpbmQiOiJwYXJhbSIsImR0eXBlIjoiZmxvYXQzMiIsInNoYXBlIjpbNCwzXSwib2Zmc2V0IjowfSx7Im5hbWUiOiIwLmJpYXMiLCJraW5kIjoicGFyYW0iLCJkdHlwZSI6ImZsb2F0MzIiLCJzaGFwZSI6WzRdLCJvZmZzZXQiOjQ4fSx7Im5hbWUiOiIyLndlaWdodCIsImtpbmQiOiJwYXJhbSIsImR0eXBlIjoiZmxvYXQzMiIsInNoYXBlIjpbMiw0XSwib2Zmc2V0Ijo2NH0seyJuYW1lIjoiMi5iaWFzIiwia2luZCI6InBhcmFtIiwiZHR5cGUiOiJmbG9hdDMyIiwic2hhcGUiOlsyXSwib2Zmc2V0Ijo5Nn1dLCJvcHRpbWl6ZXIiOnsia2luZCI6InNnZCIsIm9wdGlvbnMiOnsibW9tZW50dW0iOjAuOSwiZGFtcGVuaW5nIjowLCJ3ZWlnaHREZWNheSI6MCwibmVzdGVyb3YiOmZhbHNlfSwibHIiOjAuMSwic3RlcCI6MCwic2xvdFN0ZXBzIjpbMCwwLDAsMF0sImJ1ZmZlcnMiOltdfSwic2VlZCI6NCwibWV0YWRhdGEiOnt9LCJnZW5lcmF0b3JzIjp7fSwic2NoZWR1bGVyIjpudWxsLCJkYXRhQnl0ZXMiOjEwNCwiY3JjMzIiOjM5MDMyODk1N30AAAAAAAAAqOXaPjrFSD6ikyO+ODyZPi2oCj6NQqw+V/KXuyoD7z4MBrw+j6AGv5JiNr7ZVhg+aeP5Pb55Bz9CyYk8K8r7OsdxgL5P8dQ++PDUvnZxCT4wl+0+rgLKvjKZwD5OrAS+mh7kvlwicL4=',
        ),
      ),
    code: 'E_CHECKPOINT',
    messages: ['the stored model config is invalid: model config inputSize: expected a number ≤ 1048576, got 2147483648'],
  },
  {
    // checkCompatible put numClasses into its message: an object without toString threw a TypeError.
    title: 'teacher input checks: numClasses that is not a number',
    call: () => ModelTeacher.fromModule(new Sequential(new Linear(4, 3, { seed: 1 })), { dataShape: [4], numClasses: 3 }).checkCompatible({ shape: [4], numClasses: { toString: null } as never }),
    code: 'E_INVALID_ARGUMENT',
    messages: ['numClasses must be a positive integer, got {"toString":null}'],
  },
  {
    // An ONNX model (a mutated export) that onnxruntime loads but that has no outputs: the output was looked up
    // inside find's callback, which never ran, and load threw a TypeError on the undefined output.
    title: 'ONNX teacher: a model without outputs',
    call: () =>
      OnnxTeacher.load(
        bytes(
          'CAcSCHFkaXN0aWxsGgUwLjEuMDqMAgpgCgVpbnB1dAoIMC53ZWlnaHQKBjAuYmlhcxIGbG9naXRzGgcvMC9HZW1tIgRHZW1tKg8KBWFscGhhFQAAgD+gAQEqDgoEYmV0YRUAAIA/oAEBKg0KBnRyYW5zQhgBoAECEgoAZXF1ZW50aWFsKkIKAgMEEAFCCDAud2VpZ2h0SjDztde9Glq0vj+Oqr4WVsI+j4IpPoFTv722tqs+mHnpvTdpf779k4u+FmKfvnpz9z0qGwoBAxABQgYwLmJpYXNKDMsCgr6D2RS9Y0ssPlocCgVpbnB1dBITChEIARINCgcSBWJhdGNoCgIIBGodCgZsb2dpdHMSEwoRCAESDQoHEgViYXRjaAoCCANCBAoAEA0=',
        ),
        { name: 'no-outputs.onnx' },
      ),
    code: 'E_TEACHER',
    messages: ['teacher no-outputs.onnx: the model has no outputs'],
  },
  {
    // Found by review after the fuzzer's slowest hybrid case (8.9 s: a mutated layer count): building a stored config
    // is linear in its layers, so a file asking for 10^6 layers took minutes and gigabytes before failing.
    title: 'hybrid checkpoint: a stored config asking for far more layers than the file holds weights',
    call: async () => {
      const config = {
        arch: 'qnn-classifier', numClasses: 2, numQubits: 2, encoder: { type: 'AngleEmbedding' }, ansatz: { type: 'StronglyEntanglingLayers', layers: 1 },
        measurements: [{ type: 'expvalZ', wires: [0, 1] }], head: false,
      } as HybridModelConfig;
      const frame = { magic: 'QDNNCKPT', minVersion: 2, maxVersion: 2, what: 'checkpoint' };
      const { header, data } = decodeFrame(serializeHybridCheckpoint(await createHybridModel(config)), frame);
      const metadata = header.metadata as Record<string, { ansatz: { layers: number } }>;
      metadata['qdistill.hybridConfig']!.ansatz.layers = 1_000_000;
      return restoreHybridModel(encodeFrame('QDNNCKPT', 2, header, data));
    },
    code: 'E_CHECKPOINT',
    messages: ['stored hybrid config asks for 1000000 layers but the file holds 6 weights in all'],
  },
];
