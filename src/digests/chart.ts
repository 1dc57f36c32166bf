// The digest's chart, drawn server-side as a PNG (mail clients show images, not SVG or scripts):
// refund requests by reason, this period beside the period before. It carries no text; the email's
// table beside it has the labels and numbers, so any font or language renders the same.
import { PNG } from 'pngjs';

export interface BarGroup {
  current: number;
  previous: number;
}

export const CHART_COLORS = { current: [31, 111, 235], previous: [201, 204, 209], axis: [96, 100, 108] } as const;

export function barChartPng(groups: readonly BarGroup[], size = { width: 560, height: 200 }): Buffer {
  const { width, height } = size;
  const png = new PNG({ width, height });
  png.data.fill(255);
  const set = (x: number, y: number, [r, g, b]: readonly number[]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (y * width + x) * 4;
    png.data[i] = r!;
    png.data[i + 1] = g!;
    png.data[i + 2] = b!;
    png.data[i + 3] = 255;
  };
  const rect = (x0: number, y0: number, w: number, h: number, color: readonly number[]) => {
    for (let y = y0; y < y0 + h; y += 1) for (let x = x0; x < x0 + w; x += 1) set(x, y, color);
  };
  const pad = 16;
  const base = height - pad;
  const top = pad;
  const max = Math.max(1, ...groups.flatMap((g) => [g.current, g.previous]));
  const slot = groups.length ? Math.floor((width - 2 * pad) / groups.length) : width;
  const bar = Math.max(6, Math.floor(slot / 3));
  groups.forEach((g, i) => {
    const x = pad + i * slot + Math.floor((slot - 2 * bar - 4) / 2);
    const hp = Math.round(((base - top) * g.previous) / max);
    const hc = Math.round(((base - top) * g.current) / max);
    rect(x, base - hp, bar, hp, CHART_COLORS.previous);
    rect(x + bar + 4, base - hc, bar, hc, CHART_COLORS.current);
  });
  rect(pad, base, width - 2 * pad, 2, CHART_COLORS.axis);
  return PNG.sync.write(png);
}
