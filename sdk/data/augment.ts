/**
 * Seeded image augmentation: random shifts, pad-and-crop, small rotations and
 * horizontal flips of `[C, H, W]` images, applied to a whole batch with one
 * generator. The same seed and batch give the same views in every runtime
 * (no `Math.sin`/`Math.cos`: rotation uses a series built from exactly
 * rounded operations).
 *
 * In knowledge distillation the teacher and the student see the SAME
 * augmented view of each image (Beyer et al. 2022, "a good teacher is
 * patient and consistent").
 *
 * @packageDocumentation
 */
import { QDistillError } from '../errors.js';
import { Random } from '../util/random.js';

/**
 * One augmentation step, as plain JSON.
 *
 * - `shift`: translate by whole pixels, dx and dy uniform in −max..max, zero fill;
 * - `crop`: zero-pad by `padding` on every side, then crop a random H × W window (the CIFAR recipe);
 * - `rotate`: rotate about the centre by an angle uniform in ±degrees (bilinear, zero fill);
 * - `flip`: mirror left–right with probability `p` (default 0.5).
 *
 * @example
 * ```ts
 * const steps: AugmentConfig[] = [{ type: 'rotate', degrees: 10 }, { type: 'shift', max: 2 }];
 * ```
 */
export type AugmentConfig =
  | { type: 'shift'; max: number }
  | { type: 'crop'; padding: number }
  | { type: 'rotate'; degrees: number }
  | { type: 'flip'; p?: number };

function fail(where: string, message: string): never {
  throw new QDistillError('E_INVALID_ARGUMENT', `${where}: ${message}`);
}

/**
 * Validates augmentation steps.
 *
 * @throws E_INVALID_ARGUMENT naming the step and field
 */
export function checkAugmentConfig(steps: readonly AugmentConfig[], where = 'augment'): void {
  if (!Array.isArray(steps)) fail(where, 'expected a list of augmentation steps');
  steps.forEach((step, i) => {
    const at = `${where}[${i}]`;
    switch (step?.type) {
      case 'shift':
        if (!Number.isInteger(step.max) || step.max < 0 || step.max > 64) fail(`${at}.max`, `expected an integer number of pixels in 0..64, got ${step.max}`);
        break;
      case 'crop':
        if (!Number.isInteger(step.padding) || step.padding < 0 || step.padding > 64) fail(`${at}.padding`, `expected an integer number of pixels in 0..64, got ${step.padding}`);
        break;
      case 'rotate':
        if (!(typeof step.degrees === 'number' && step.degrees >= 0 && step.degrees <= 45)) fail(`${at}.degrees`, `expected a number of degrees in 0..45, got ${step.degrees}`);
        break;
      case 'flip':
        if (step.p !== undefined && !(step.p >= 0 && step.p <= 1)) fail(`${at}.p`, `expected a probability in [0, 1], got ${step.p}`);
        break;
      default:
        fail(`${at}.type`, `expected shift, crop, rotate or flip, got ${JSON.stringify((step as { type?: unknown } | null)?.type)}`);
    }
  });
}

/** sin and cos of |θ| ≤ π/4 by their Taylor series (exactly rounded steps: bit-identical everywhere). */
function sinCos(theta: number): [number, number] {
  const t2 = theta * theta;
  let s = 0;
  let c = 0;
  // 1/(2k+1)! and 1/(2k)! for k = 9..0, evaluated by Horner: |θ| ≤ 0.79 reaches 1e-17.
  for (let k = 9; k >= 0; k--) {
    s = s * t2 + 1 / factorial(2 * k + 1) * (k % 2 === 0 ? 1 : -1);
    c = c * t2 + 1 / factorial(2 * k) * (k % 2 === 0 ? 1 : -1);
  }
  // Horner with alternating coefficients: the sign is already in each coefficient.
  return [theta * s, c];
}

const FACTORIALS: number[] = [1];
function factorial(n: number): number {
  while (FACTORIALS.length <= n) FACTORIALS.push(FACTORIALS[FACTORIALS.length - 1]! * FACTORIALS.length);
  return FACTORIALS[n]!;
}

function shiftImage(src: Float32Array, dst: Float32Array, channels: number, h: number, w: number, dy: number, dx: number): void {
  dst.fill(0);
  for (let c = 0; c < channels; c++) {
    const base = c * h * w;
    for (let y = 0; y < h; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= h) continue;
      for (let x = 0; x < w; x++) {
        const sx = x - dx;
        if (sx >= 0 && sx < w) dst[base + y * w + x] = src[base + sy * w + sx]!;
      }
    }
  }
}

function rotateImage(src: Float32Array, dst: Float32Array, channels: number, h: number, w: number, theta: number): void {
  const [s, c] = sinCos(theta);
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Inverse map: the source point that lands on (y, x).
      const yy = y - cy;
      const xx = x - cx;
      const sx = c * xx + s * yy + cx;
      const sy = -s * xx + c * yy + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let ch = 0; ch < channels; ch++) {
        const base = ch * h * w;
        const at = (yi: number, xi: number): number => (yi >= 0 && yi < h && xi >= 0 && xi < w ? src[base + yi * w + xi]! : 0);
        const top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx;
        const bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx;
        dst[base + y * w + x] = top * (1 - fy) + bottom * fy;
      }
    }
  }
}

function flipImage(src: Float32Array, dst: Float32Array, channels: number, h: number, w: number): void {
  for (let c = 0; c < channels; c++) {
    const base = c * h * w;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) dst[base + y * w + x] = src[base + y * w + (w - 1 - x)]!;
  }
}

/**
 * Augments `count` images of shape `[C, H, W]` (or `[H, W]`) stored row-major
 * in `x`; returns a new array. Every image draws its own parameters from
 * `rng`, in order, step by step, so the result depends only on the
 * generator's state and the inputs.
 *
 * @throws E_SHAPE if the sample shape is not an image; E_INVALID_ARGUMENT for bad steps
 * @example
 * ```ts
 * const views = augmentBatch(images, 64, [1, 28, 28], [{ type: 'shift', max: 2 }], new Random([seed, epoch]));
 * ```
 */
export function augmentBatch(x: Float32Array, count: number, shape: readonly number[], steps: readonly AugmentConfig[], rng: Random): Float32Array {
  checkAugmentConfig(steps);
  if (shape.length !== 2 && shape.length !== 3) {
    throw new QDistillError('E_SHAPE', `augmentBatch: expected images of shape [C, H, W] or [H, W], got [${shape.join(', ')}]`);
  }
  const [channels, h, w] = shape.length === 3 ? (shape as [number, number, number]) : [1, shape[0]!, shape[1]!];
  const size = channels * h * w;
  if (x.length !== count * size) throw new QDistillError('E_SHAPE', `augmentBatch: ${x.length} values for ${count} images of ${size}`);
  const out = x.slice();
  if (steps.length === 0) return out;
  let a = new Float32Array(size);
  let b = new Float32Array(size);
  for (let i = 0; i < count; i++) {
    a.set(out.subarray(i * size, (i + 1) * size));
    for (const step of steps) {
      switch (step.type) {
        case 'shift': {
          const dy = rng.int(2 * step.max + 1) - step.max;
          const dx = rng.int(2 * step.max + 1) - step.max;
          if (dy === 0 && dx === 0) continue;
          shiftImage(a, b, channels, h, w, dy, dx);
          break;
        }
        case 'crop': {
          // Pad by P and crop at offset (oy, ox) in 0..2P: a shift by P − offset.
          const dy = step.padding - rng.int(2 * step.padding + 1);
          const dx = step.padding - rng.int(2 * step.padding + 1);
          if (dy === 0 && dx === 0) continue;
          shiftImage(a, b, channels, h, w, dy, dx);
          break;
        }
        case 'rotate': {
          const theta = ((2 * rng.uniform() - 1) * step.degrees * Math.PI) / 180;
          rotateImage(a, b, channels, h, w, theta);
          break;
        }
        case 'flip':
          if (!(rng.uniform() < (step.p ?? 0.5))) continue;
          flipImage(a, b, channels, h, w);
          break;
        default: {
          const never: never = step;
          fail('augmentBatch', `unknown step ${JSON.stringify(never)}`);
        }
      }
      [a, b] = [b, a];
    }
    out.set(a, i * size);
  }
  return out;
}
