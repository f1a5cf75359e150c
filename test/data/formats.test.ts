// IDX (plain and gzip) and CIFAR-10 readers on files generated here in a
// temporary directory: round trips, and typed errors naming the file and the
// problem for truncated, wrong-magic and wrong-size files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeIdx, encodeIdx, idxToDataset, parseCifar10, parseIdx } from '../../sdk/data/formats.js';
import { loadIdxDataset, readCifar10Files, readIdxFile } from '../../sdk/data/node/files.js';
import { expectError, expectRejects } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'qdistill-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An IDX file written by hand (independent of encodeIdx): big-endian header, then data. */
function idxBytes(typeCode: number, dims: number[], body: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header[2] = typeCode;
  header[3] = dims.length;
  dims.forEach((d, i) => {
    header[4 + 4 * i] = (d >>> 24) & 255;
    header[5 + 4 * i] = (d >>> 16) & 255;
    header[6 + 4 * i] = (d >>> 8) & 255;
    header[7 + 4 * i] = d & 255;
  });
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length);
  return out;
}

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** A tiny MNIST-like pair: 5 images of 3×4 and labels 0..2. */
const pixels = Uint8Array.from({ length: 5 * 12 }, (_, i) => (i * 37) % 256);
const labels = Uint8Array.of(2, 0, 1, 1, 0);

describe('IDX', () => {
  it('reads hand-written uint8 image and label files, plain and gzipped, into a dataset', async () => {
    const images = write('images-idx3-ubyte', idxBytes(0x08, [5, 3, 4], pixels));
    const labelsGz = write('labels-idx1-ubyte.gz', gzipSync(idxBytes(0x08, [5], labels)));
    const ds = await loadIdxDataset(images, labelsGz);
    expect(ds.shape).toEqual([1, 3, 4]);
    expect(Array.from(ds.y)).toEqual([2, 0, 1, 1, 0]);
    expect(ds.numClasses).toBe(3);
    expect(ds.x[13]).toBeCloseTo(pixels[13]! / 255, 7);
    const viaStream = await decodeIdx(gzipSync(idxBytes(0x08, [5], labels)), 'in-memory.gz'); // DecompressionStream path
    expect(Array.from(viaStream.data)).toEqual(Array.from(labels));
  });

  it('round-trips every IDX type through encodeIdx, big-endian as written by hand', async () => {
    const cases = [
      { dtype: 'int8', data: Int8Array.of(-128, 5, 127) },
      { dtype: 'int16', data: Int16Array.of(-30000, 2, 30000) },
      { dtype: 'int32', data: Int32Array.of(-2e9, 7, 2e9) },
      { dtype: 'float32', data: Float32Array.of(-1.5, 0.25, 3e30) },
      { dtype: 'float64', data: Float64Array.of(-Math.PI, 1e-300, 2) },
    ] as const;
    for (const c of cases) {
      const bytes = encodeIdx({ dtype: c.dtype, dims: [3], data: c.data });
      const back = await readIdxFile(write(`${c.dtype}.idx`, bytes));
      expect(back.dtype).toBe(c.dtype);
      expect(Array.from(back.data)).toEqual(Array.from(c.data));
    }
    // Byte layout check: int16 −2 is ff fe big-endian.
    expect(Array.from(encodeIdx({ dtype: 'int16', dims: [1], data: Int16Array.of(-2) }))).toEqual([0, 0, 0x0b, 1, 0, 0, 0, 1, 0xff, 0xfe]);
  });

  it('names the file and the problem for truncated, wrong-magic and wrong-size files', async () => {
    const good = idxBytes(0x08, [5, 3, 4], pixels);
    const truncated = write('truncated-idx3-ubyte', good.subarray(0, good.length - 7));
    let err = await expectRejects(readIdxFile(truncated), 'E_FILE_FORMAT', /truncated-idx3-ubyte/, /truncated IDX data/, /need 60 bytes/, /has 53/);
    expect(err.details?.problem).toBe('truncated');
    const shortHeader = write('short-header', good.subarray(0, 10));
    err = await expectRejects(readIdxFile(shortHeader), 'E_FILE_FORMAT', /short-header/, /truncated IDX header/);
    expect(err.details?.problem).toBe('truncated');
    const magic = good.slice();
    magic[0] = 0x12;
    err = await expectRejects(readIdxFile(write('bad-magic', magic)), 'E_FILE_FORMAT', /bad-magic/, /wrong IDX magic number 0x12000803/);
    expect(err.details?.problem).toBe('wrong-magic');
    const type = good.slice();
    type[2] = 0x07;
    await expectRejects(readIdxFile(write('bad-type', type)), 'E_FILE_FORMAT', /bad-type/, /unknown IDX type code 0x07/);
    const extra = new Uint8Array(good.length + 3);
    extra.set(good);
    err = await expectRejects(readIdxFile(write('extra-bytes', extra)), 'E_FILE_FORMAT', /extra-bytes/, /wrong IDX size/, /3 extra bytes/);
    expect(err.details?.problem).toBe('wrong-size');
    const gz = gzipSync(good);
    err = await expectRejects(readIdxFile(write('cut.gz', gz.subarray(0, gz.length - 20))), 'E_FILE_FORMAT', /cut\.gz/, /gzip/);
    expect(err.details?.problem).toBe('bad-gzip');
    await expectRejects(decodeIdx(gz.subarray(0, gz.length - 20), 'cut-in-memory.gz'), 'E_FILE_FORMAT', /cut-in-memory\.gz/, /gzip/);
    await expectRejects(readIdxFile(join(dir, 'missing')), 'E_DATA', /missing/);
    expectError(() => parseIdx(gz, 'still-compressed'), 'E_FILE_FORMAT', /gzip-compressed/);
  });

  it('rejects image and label files that do not match', () => {
    const images = parseIdx(idxBytes(0x08, [5, 3, 4], pixels), 'imgs');
    const fewer = parseIdx(idxBytes(0x08, [4], labels.subarray(0, 4)), 'lbls');
    expectError(() => idxToDataset(images, fewer, { imagesSource: 'imgs', labelsSource: 'lbls' }), 'E_FILE_FORMAT', /imgs/, /5 images but lbls has 4 labels/);
    expectError(() => idxToDataset(images, parseIdx(idxBytes(0x08, [5], labels), 'l'), { numClasses: 2, labelsSource: 'l' }), 'E_FILE_FORMAT', /label is 2 but numClasses is 2/);
  });
});

/** A CIFAR-10 record written by hand: label byte then 3072 pixel bytes (R plane, G plane, B plane). */
function cifarRecord(label: number, seed: number): Uint8Array {
  const r = new Uint8Array(3073);
  r[0] = label;
  for (let p = 0; p < 3072; p++) r[1 + p] = (p * 7 + seed * 13) % 256;
  return r;
}

describe('CIFAR-10', () => {
  it('reads records as [3, 32, 32] channel-major images scaled to [0, 1], across several batch files', async () => {
    const a = new Uint8Array(3 * 3073);
    [3, 9, 0].forEach((label, i) => a.set(cifarRecord(label, i), i * 3073));
    const b = cifarRecord(5, 7);
    const ds = await readCifar10Files([write('data_batch_1.bin', a), write('data_batch_2.bin', b)]);
    expect(ds.shape).toEqual([3, 32, 32]);
    expect(Array.from(ds.y)).toEqual([3, 9, 0, 5]);
    expect(ds.classNames![3]).toBe('cat');
    // Record 1, green plane (offset 1024), row 2, column 5.
    const p = 1024 + 2 * 32 + 5;
    expect(ds.x[1 * 3072 + p]).toBeCloseTo(((p * 7 + 1 * 13) % 256) / 255, 7);
  });

  it('names the file and the problem for truncated, wrong-size and bad-label files', async () => {
    const two = new Uint8Array(2 * 3073);
    two.set(cifarRecord(1, 0));
    two.set(cifarRecord(2, 1), 3073);
    let err = await expectRejects(readCifar10Files(write('cut.bin', two.subarray(0, 3073 + 100))), 'E_FILE_FORMAT', /cut\.bin/, /not a multiple of the 3073-byte record/, /1 whole records and 100 stray bytes/);
    expect(err.details?.problem).toBe('wrong-size');
    err = await expectRejects(readCifar10Files(write('empty.bin', new Uint8Array(0))), 'E_FILE_FORMAT', /empty\.bin/, /empty/);
    expect(err.details?.problem).toBe('truncated');
    const bad = two.slice();
    bad[3073] = 42;
    err = await expectRejects(readCifar10Files(write('label.bin', bad)), 'E_FILE_FORMAT', /label\.bin/, /record 1/, /label 42/);
    expect(err.details?.problem).toBe('bad-label');
    expectError(() => parseCifar10(new Uint8Array(10), 'tiny.bin'), 'E_FILE_FORMAT', /tiny\.bin/);
  });
});
