// Repeated measurements and their summary. Every figure is measured several times in one run, with
// the variants it compares interleaved (A B A B …, not A A B B), so a burst of load from another
// process on a shared machine hits both sides rather than one.

/** Median and range of repeated measurements of one figure. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Every measurement, in the order taken. */
  samples: number[];
}

export function spread(samples: readonly number[]): Spread {
  if (samples.length === 0) throw new Error("no samples to summarise");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, samples: [...samples] };
}

/**
 * Runs each variant `rounds` times, alternating them within each round and flipping the order
 * every other round (A B, B A, A B, …), so neither side always runs first (warm caches, a
 * neighbour's burst). Returns every variant's samples, in order.
 */
export async function alternate<K extends string>(
  rounds: number,
  variants: Record<K, () => Promise<number>>,
): Promise<Record<K, number[]>> {
  const names = Object.keys(variants) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) samples[name].push(await variants[name]());
  }
  return samples;
}

/**
 * Ratios of paired samples (the i-th of `a` over the i-th of `b`, taken in the same round), so a
 * slow round slows both sides of its own ratio instead of widening the spread of each side.
 */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new Error("paired samples of different lengths");
  return a.map((value, i) => value / (b[i] as number));
}

/** Milliseconds `work` takes. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}
