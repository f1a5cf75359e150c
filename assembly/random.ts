// Seeded sampling inside the engine: shots are drawn here, never by a JS loop
// per shot. The generator is the SDK's (sdk/util/random.ts): xoshiro128**,
// 128-bit state as four u32 at `rng`, read and written back in place, and
// uniform doubles (a·2^26 + b)/2^53 from two outputs — so the engine's stream
// continues the SDK's `Random` bit for bit, and the samplers below make the
// same draws in the same order as the SDK's reference samplers
// (sampleFromProbabilities in sdk/qnn/simulator.ts).

// @ts-ignore: decorator
@inline
function rotl(x: u32, k: u32): u32 {
  return (x << k) | (x >> (32 - k));
}

/** Next 32 bits of the xoshiro128** generator whose state is at `rng`. */
export function nextUint32(rng: usize): u32 {
  const s0 = load<u32>(rng), s1 = load<u32>(rng, 4), s2 = load<u32>(rng, 8), s3 = load<u32>(rng, 12);
  const result = rotl(s1 * 5, 7) * 9;
  const t = s1 << 9;
  const n2 = s2 ^ s0;
  const n3 = s3 ^ s1;
  const n1 = s1 ^ n2;
  const n0 = s0 ^ n3;
  store<u32>(rng, n0);
  store<u32>(rng, n1, 4);
  store<u32>(rng, n2 ^ t, 8);
  store<u32>(rng, rotl(n3, 11), 12);
  return result;
}

/** A uniform double in [0, 1) with 53 random bits. */
export function nextUniform(rng: usize): f64 {
  const a = nextUint32(rng) >> 5;
  const b = nextUint32(rng) >> 6;
  return (<f64>a * 67108864.0 + <f64>b) / 9007199254740992.0;
}

/**
 * Index of the first entry of `cumulative` (length `count`, non-decreasing)
 * that exceeds u, by bisection (the last entry if none does).
 */
// @ts-ignore: decorator
@inline
function firstAbove(cumulative: usize, count: i32, u: f64): i32 {
  let lo = 0, hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (load<f64>(cumulative + (<usize>mid << 3)) > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Draws `shots` outcomes from the (unnormalised) weights at `probabilities`
 * (`count` f64): per shot one uniform u scaled by the total, then the first
 * outcome whose running sum exceeds it. Writes the outcomes (i32) at `out`;
 * `cumulative` is scratch for `count` f64.
 */
export function sampleIndices(probabilities: usize, count: i32, shots: i32, rng: usize, cumulative: usize, out: usize): void {
  const total = cumulativeSums(probabilities, count, cumulative);
  for (let s = 0; s < shots; s++) {
    store<i32>(out + (<usize>s << 2), firstAbove(cumulative, count, nextUniform(rng) * total));
  }
}

/** Running sums of `count` f64 into `cumulative`; returns the total. */
function cumulativeSums(values: usize, count: i32, cumulative: usize): f64 {
  let total = 0.0;
  for (let i = 0; i < count; i++) {
    total += load<f64>(values + (<usize>i << 3));
    store<f64>(cumulative + (<usize>i << 3), total);
  }
  return total;
}

/**
 * Like sampleIndices, but counts the outcomes: `counts` (count f64) receives
 * how many of the `shots` landed on each outcome. `cumulative` is scratch.
 */
export function sampleCounts(probabilities: usize, count: i32, shots: i32, rng: usize, cumulative: usize, counts: usize): void {
  const total = cumulativeSums(probabilities, count, cumulative);
  memory.fill(counts, 0, <usize>count << 3);
  for (let s = 0; s < shots; s++) {
    const c = counts + (<usize>firstAbove(cumulative, count, nextUniform(rng) * total) << 3);
    store<f64>(c, load<f64>(c) + 1.0);
  }
}

/**
 * An estimate of ⟨O⟩ = `value` from `shots` measurements of an observable
 * with two eigenvalues low < high: each shot is `high` with probability
 * p = (value − low)/(high − low) (clamped to [0, 1]), so the estimate is
 * low + (high − low)·hits/shots. A degenerate range returns `value`, drawing
 * nothing.
 */
export function sampleTwoOutcome(value: f64, low: f64, high: f64, shots: i32, rng: usize): f64 {
  if (high - low < 1e-12) return value;
  const p = Math.min(1.0, Math.max(0.0, (value - low) / (high - low)));
  let hits = 0;
  for (let s = 0; s < shots; s++) if (nextUniform(rng) < p) hits++;
  return low + ((high - low) * <f64>hits) / <f64>shots;
}
