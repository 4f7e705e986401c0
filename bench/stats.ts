// Small numeric helpers for the benchmark and the chaos run: percentiles, a progress bar, a table.

/** The p-th percentile (0–100) of the samples, nearest-rank; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

export function percentiles(samples: readonly number[]): Percentiles {
  return { count: samples.length, p50: round(percentile(samples, 50)), p95: round(percentile(samples, 95)), p99: round(percentile(samples, 99)) };
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** A one-line progress bar on stderr (kept off stdout, which holds the results). */
export function progress(label: string, total: number): { tick(n?: number): void; done(): void } {
  let count = 0;
  const started = Date.now();
  const draw = () => {
    const width = 30;
    const filled = total ? Math.round((count / total) * width) : width;
    const secs = Math.round((Date.now() - started) / 1000);
    process.stderr.write(`\r${label.padEnd(34)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${count}/${total} ${secs}s `);
  };
  const timer = setInterval(draw, 1000);
  timer.unref();
  draw();
  return {
    tick(n = 1) {
      count += n;
      draw();
    },
    done() {
      clearInterval(timer);
      draw();
      process.stderr.write('\n');
    },
  };
}

/** Runs `task` for each item with at most `limit` running at once; results in input order. */
export async function pool<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** A plain-text table: the first row is the header. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
