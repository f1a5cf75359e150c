// 2-D pooling over `planes` = batch·channels planes of h×w float64 values
// (NCHW), no padding, floor mode: scalar ports of the TypeScript reference
// loops (sdk/nn/reference.ts), same order of operations, so float64 results
// are bit-identical to it.

/** y = (Σ window, row-major) / (kh·kw). */
export function avgPool2dF64(
  planes: i32, h: i32, w: i32, kh: i32, kw: i32, stride: i32, oh: i32, ow: i32, x: usize, y: usize,
): void {
  const area = <f64>(kh * kw);
  for (let pl = 0; pl < planes; pl++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let acc: f64 = 0;
        for (let ki = 0; ki < kh; ki++) {
          const r = x + ((<usize>((pl * h + oy * stride + ki) * w + ox * stride)) << 3);
          for (let kj = 0; kj < kw; kj++) acc += load<f64>(r + ((<usize>kj) << 3));
        }
        store<f64>(y + ((<usize>((pl * oh + oy) * ow + ox)) << 3), acc / area);
      }
    }
  }
}

/** y = window maximum; NaN propagates (the last NaN of the window wins, as in the reference). */
export function maxPool2dF64(
  planes: i32, h: i32, w: i32, kh: i32, kw: i32, stride: i32, oh: i32, ow: i32, x: usize, y: usize,
): void {
  for (let pl = 0; pl < planes; pl++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const base = x + ((<usize>((pl * h + oy * stride) * w + ox * stride)) << 3);
        let acc = load<f64>(base);
        for (let ki = 0; ki < kh; ki++) {
          const r = base + ((<usize>(ki * w)) << 3);
          for (let kj = 0; kj < kw; kj++) {
            const v = load<f64>(r + ((<usize>kj) << 3));
            if (v > acc || v != v) acc = v;
          }
        }
        store<f64>(y + ((<usize>((pl * oh + oy) * ow + ox)) << 3), acc);
      }
    }
  }
}

/** dx += each output's gradient / (kh·kw) over its window, outputs in row-major order. */
export function avgPool2dBackwardF64(
  planes: i32, h: i32, w: i32, kh: i32, kw: i32, stride: i32, oh: i32, ow: i32, dy: usize, dx: usize,
): void {
  const area = <f64>(kh * kw);
  for (let pl = 0; pl < planes; pl++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const share = load<f64>(dy + ((<usize>((pl * oh + oy) * ow + ox)) << 3)) / area;
        for (let ki = 0; ki < kh; ki++) {
          const r = dx + ((<usize>((pl * h + oy * stride + ki) * w + ox * stride)) << 3);
          for (let kj = 0; kj < kw; kj++) {
            const p = r + ((<usize>kj) << 3);
            store<f64>(p, load<f64>(p) + share);
          }
        }
      }
    }
  }
}

/** dx[first maximum of each window, row-major] += the output's gradient. */
export function maxPool2dBackwardF64(
  planes: i32, h: i32, w: i32, kh: i32, kw: i32, stride: i32, oh: i32, ow: i32, x: usize, dy: usize, dx: usize,
): void {
  for (let pl = 0; pl < planes; pl++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let best = (pl * h + oy * stride) * w + ox * stride;
        let m = load<f64>(x + ((<usize>best) << 3));
        for (let ki = 0; ki < kh; ki++) {
          for (let kj = 0; kj < kw; kj++) {
            const i = (pl * h + oy * stride + ki) * w + ox * stride + kj;
            const v = load<f64>(x + ((<usize>i) << 3));
            if (v > m) {
              m = v;
              best = i;
            }
          }
        }
        const p = dx + ((<usize>best) << 3);
        store<f64>(p, load<f64>(p) + load<f64>(dy + ((<usize>((pl * oh + oy) * ow + ox)) << 3)));
      }
    }
  }
}
