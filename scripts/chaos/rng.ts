/** A seeded generator (mulberry32, the benchmark workload's): the same seed draws the same run. */
export type Rng = () => number;
export { rng } from "../../bench/workload";

/** An integer in [min, max]. */
export function between(random: Rng, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
