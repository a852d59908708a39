// The chain's clock as the page knows it: L1 time from the last snapshot, run on by the wall
// clock since. Challenge windows end by L1 time, so countdowns and ages are measured by it.
import { age, duration } from "./format.js";

let l1Time = 0;
let seenAt = 0;

/** Records the L1 time a snapshot carried. */
export function setL1Time(t) {
  l1Time = t;
  seenAt = Date.now();
}

/** L1 time now (seconds), extrapolated; 0 before the first snapshot. */
export const l1Now = () => (l1Time ? l1Time + (Date.now() - seenAt) / 1000 : 0);

/** Brings every countdown and age under `root` up to the clock. */
export function tick(root = document) {
  const now = l1Now();
  if (!now) return;
  for (const el of root.querySelectorAll("[data-until]")) {
    const left = Number(el.dataset.until) - now;
    el.textContent = left > 0 ? `${duration(left)} left` : "final at the next L1 block";
  }
  for (const el of root.querySelectorAll("[data-age]")) el.textContent = `· ${age(el.dataset.age, now)}`;
}
