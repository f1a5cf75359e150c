/**
 * Small files for reader tests: a version-1 model checkpoint made from a
 * version-2 one, and a tiny ONNX model (4 inputs → 3 logits).
 */
import { init as initNN } from '../../sdk/nn/backend.js';
import { Linear, Sequential } from '../../sdk/nn/layers.js';
import { encodeOnnx } from '../../sdk/teachers/export.js';
import { decodeFrame } from '../../sdk/util/container.js';

/**
 * The version-1 layout (16-byte preamble, the data CRC in the header, the
 * header unprotected) of a version-2 checkpoint, optionally with another header.
 */
export function toVersion1Checkpoint(bytes: Uint8Array, header?: unknown): Uint8Array {
  const frame = decodeFrame(bytes, { magic: 'QDNNCKPT', minVersion: 2, maxVersion: 2, what: 'checkpoint' });
  const { generators: _g, scheduler: _s, ...v1Header } = frame.header;
  const json = new TextEncoder().encode(JSON.stringify(header ?? { ...v1Header, formatVersion: 1 }));
  const start = Math.ceil((16 + json.length) / 8) * 8;
  const out = new Uint8Array(start + frame.data.length);
  out.set(new TextEncoder().encode('QDNNCKPT'));
  new DataView(out.buffer).setUint32(8, 1, true);
  new DataView(out.buffer).setUint32(12, json.length, true);
  out.set(json, 16);
  out.set(frame.data, start);
  return out;
}

/** A tiny ONNX model: Linear(4 → 3), dynamic batch. */
export async function tinyOnnx(): Promise<Uint8Array> {
  await initNN();
  return (await encodeOnnx(new Sequential(new Linear(4, 3, { seed: 1 })), { inputShape: [4] })).bytes;
}
