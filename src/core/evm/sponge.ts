/**
 * The keccak256 sponge a block at a time, as contracts/evm/EvmKeccak.sol runs it: the state a
 * KECCAK256 over more than 64 bytes carries between micro-steps (docs/design/evm.md §5.4), 25
 * lanes of 64 bits (lane i: state bytes 8i .. 8i + 7, little-endian), the next memory byte to
 * absorb and the range's end.
 */
import { keccakP } from "@noble/hashes/sha3";
import { hashWords } from "./trees";

/** Bytes absorbed a micro-step (keccak256's rate). */
export const RATE = 136;

export interface Sponge {
  lanes: bigint[];
  cursor: bigint;
  end: bigint;
}

export function startSponge(offset: bigint, size: bigint): Sponge {
  return { lanes: new Array<bigint>(25).fill(0n), cursor: offset, end: offset + size };
}

/** microHash: keccak256(abi.encode(lanes, cursor, end)). */
export function spongeHash(s: Sponge): bigint {
  return hashWords(...s.lanes, s.cursor, s.end);
}

/** The result of one micro-step: the sponge after it, or the digest when the block was the last. */
export type AbsorbResult = { sponge: Sponge; digest?: undefined } | { sponge?: undefined; digest: bigint };

/** Absorbs the next block of `memory` (zero past its length); the last block is padded. */
export function absorbBlock(s: Sponge, memory: Uint8Array): AbsorbResult {
  const remaining = s.end - s.cursor;
  const n = Number(remaining < BigInt(RATE) ? remaining : BigInt(RATE));
  const block = new Uint8Array(RATE);
  const from = Number(s.cursor);
  for (let i = 0; i < n; i++) block[i] = from + i < memory.length ? memory[from + i] : 0;
  const last = n < RATE;
  if (last) {
    block[n] ^= 0x01;
    block[RATE - 1] ^= 0x80;
  }
  const st = new Uint32Array(50);
  s.lanes.forEach((l, i) => {
    st[2 * i] = Number(l & 0xffffffffn);
    st[2 * i + 1] = Number(l >> 32n);
  });
  const view = new DataView(block.buffer);
  for (let i = 0; i < RATE / 4; i++) st[i] ^= view.getUint32(4 * i, true);
  keccakP(st, 24);
  const lanes = Array.from({ length: 25 }, (_, i) => (BigInt(st[2 * i + 1]) << 32n) | BigInt(st[2 * i]));
  if (!last) return { sponge: { lanes, cursor: s.cursor + BigInt(RATE), end: s.end } };
  let digest = 0n;
  for (let i = 0; i < 4; i++) for (let j = 0; j < 8; j++) digest = (digest << 8n) | ((lanes[i] >> BigInt(8 * j)) & 0xffn);
  return { digest };
}
