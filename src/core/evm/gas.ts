/**
 * The gas figures the step-proof builder needs to know which transition a step takes, as
 * contracts/evm/EvmGas.sol computes them (Osaka, as @ethereumjs/vm 10.1.3 charges them).
 */

/** Memory past 2^17 words costs more gas than any frame has under the 2^23 transaction cap. */
export const MAX_MEMORY_WORDS = 1n << 17n;
export const KECCAK_STATIC = 30n;
export const KECCAK_WORD = 6n;

export function memoryCost(words: bigint): bigint {
  return 3n * words + (words * words) / 512n;
}

/** Memory after touching [offset, offset + size), and its price; `ok` false past MAX_MEMORY_WORDS. */
export interface MemoryExpansion {
  ok: boolean;
  words: bigint;
  cost: bigint;
}

/** EvmGas.expand. */
export function expandMemory(words: bigint, offset: bigint, size: bigint): MemoryExpansion {
  if (size === 0n) return { ok: true, words, cost: 0n };
  if (offset > MAX_MEMORY_WORDS * 32n || size > MAX_MEMORY_WORDS * 32n) return { ok: false, words: 0n, cost: 0n };
  const next = (offset + size + 31n) / 32n;
  if (next > MAX_MEMORY_WORDS) return { ok: false, words: 0n, cost: 0n };
  if (next <= words) return { ok: true, words, cost: 0n };
  return { ok: true, words: next, cost: memoryCost(next) - memoryCost(words) };
}

/** KECCAK256's whole charge, or undefined when the range is out of gas whatever is left. */
export function keccakGas(words: bigint, offset: bigint, size: bigint): bigint | undefined {
  const e = expandMemory(words, offset, size);
  return e.ok ? KECCAK_STATIC + KECCAK_WORD * ((size + 31n) / 32n) + e.cost : undefined;
}
