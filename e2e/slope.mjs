// The soak test's growth check: a least-squares line through (seconds, bytes) samples,
// and whether it climbs by more than a tolerance over the samples' time span.

// → {slope (bytes/s), intercept} of the least-squares fit; needs two distinct times.
export function leastSquares(points) {
  const n = points.length;
  const mt = points.reduce((s, [t]) => s + t, 0) / n;
  const mv = points.reduce((s, [, v]) => s + v, 0) / n;
  let num = 0;
  let den = 0;
  for (const [t, v] of points) {
    num += (t - mt) * (v - mv);
    den += (t - mt) ** 2;
  }
  if (den === 0) throw new Error('a slope needs samples at two different times');
  return { slope: num / den, intercept: mv - (num / den) * mt };
}

// Growth the fitted line predicts over the span, and whether it stays within
// max(relative × mean, absolute bytes).
export function growthCheck(points, { relative = 0.05, absolute = 1 << 20 } = {}) {
  const { slope } = leastSquares(points);
  const span = points[points.length - 1][0] - points[0][0];
  const mean = points.reduce((s, [, v]) => s + v, 0) / points.length;
  const growth = slope * span;
  const tolerance = Math.max(relative * mean, absolute);
  return { slope, growth, tolerance, ok: growth <= tolerance };
}
