// The benchmarks' rows and how they are printed: each figure with its anchor (a reference measured in
// the same run on the same machine) and the ratio between them, since on a shared machine only the
// ratio says whether the code got faster or the machine slower.
export type Row = Record<string, string>;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const perSecond = (count: number, wallMs: number) => (count / wallMs) * 1000;
export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const ms = (n: number) => (n < 0.1 ? n.toFixed(4) : n < 10 ? n.toFixed(2) : n.toFixed(1));
export const ratio = (n: number) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(3) : n.toFixed(1)) : '-');

/** A measured figure: how many operations in how long, and each one's latency when known. */
export interface Figure {
  count: number;
  wallMs: number;
  latencies: number[] | null;
}

export interface Latency {
  p50: number;
  p99: number;
  mean: number;
}

export function latency(f: Figure): Latency | null {
  if (!f.latencies || f.latencies.length === 0) return null;
  const sorted = [...f.latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: f.wallMs / f.count };
}

/** The reference a figure is read against, and the ratio of the two (how it is taken is in `anchor`). */
export interface Anchor {
  anchor: string;
  figure: string;
  ratio: string;
}

export function row(name: string, f: Figure, anchor: Anchor | null, note = ''): Row {
  const l = latency(f);
  return {
    benchmark: name,
    'per second': f.count > 0 ? int(perSecond(f.count, f.wallMs)) : '-',
    'p50 ms': l ? ms(l.p50) : '-',
    'p99 ms': l ? ms(l.p99) : '-',
    'p99 ÷ p50': l ? ratio(l.p99 / l.p50) : '-',
    anchor: anchor?.anchor ?? '-',
    'anchor figure': anchor?.figure ?? '-',
    ratio: anchor?.ratio ?? '-',
    note,
  };
}

/** A Markdown table (readable in a terminal, pasted as is into the README). */
export function markdownTable(rows: Row[]): string {
  if (rows.length === 0) return '';
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (s: string | undefined) => (s ?? '').replaceAll('|', '\\|');
  return [
    `| ${columns.join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${columns.map((c) => cell(r[c])).join(' | ')} |`),
  ].join('\n');
}
