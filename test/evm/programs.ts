/**
 * Random programs of the opcodes the first one-step slice covers, for the differential test:
 * straight-line code with forward JUMP/JUMPI to JUMPDESTs (now and then into push data or onto a
 * non-JUMPDEST), unaligned MLOAD/MSTORE, SLOAD/SSTORE over a few slots with repeated writes (the
 * EIP-2200 dirty cases), CALLER/CALLVALUE/CALLDATASIZE and CALLDATALOAD (aligned, unaligned, across
 * and past the calldata's end) over random calldata, KECCAK256 over up to 64 bytes (one step) and
 * longer (micro-steps of 136 bytes, §5.4) and LOG0-4 (memory expansion, now and then past what any gas pays), some
 * frames static (their SSTORE and LOG fail), extreme stack values, and gas limits small enough to
 * run out anywhere. Deterministic from a seed, so a failure names its program.
 */
import { rng } from "../../bench/workload";

export interface GeneratedCase {
  seed: number;
  code: Uint8Array;
  gasLimit: bigint;
  /** Storage before the call (non-zero values only). */
  storage: Map<bigint, bigint>;
  caller: bigint;
  value: bigint;
  isStatic: boolean;
  calldata: Uint8Array;
  /** The first step the test checks, when the ones before it repeat another case's (default 0). */
  checkFrom?: number;
}

/** The call fields of a case that needs none in particular. */
export const PLAIN_CALL = { caller: 0xca11en, value: 0n, isStatic: false, calldata: new Uint8Array(0) } as const;

const MAX = (1n << 256n) - 1n;
const SLOTS = [0n, 1n, 2n, 3n, 1n << 255n, MAX];
const ARITH = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0a, 0x0b, 0x10, 0x11, 0x12, 0x13, 0x14, 0x16, 0x17, 0x18, 0x1a, 0x1b, 0x1c, 0x1d];

type Item = { bytes: number[] } | { jumpTo: string } | { label: string };

export function generateCase(seed: number): GeneratedCase {
  const r = rng(seed);
  const int = (n: number): number => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const value = (): bigint => {
    switch (int(6)) {
      case 0: return 0n;
      case 1: return 1n;
      case 2: return MAX;
      case 3: return 1n << 255n;
      case 4: return BigInt(int(300));
      default: {
        let v = 0n;
        for (let i = 0; i < 1 + int(32); i++) v = (v << 8n) | BigInt(int(256));
        return v;
      }
    }
  };
  const push = (v: bigint, width?: number): Item => {
    if (v === 0n && width === undefined && r() < 0.5) return { bytes: [0x5f] };
    let n = 1;
    while (v >> BigInt(8 * n) !== 0n) n++;
    n = Math.min(32, Math.max(n, width ?? n + int(3)));
    const out = [0x5f + n];
    for (let i = n - 1; i >= 0; i--) out.push(Number((v >> BigInt(8 * i)) & 0xffn));
    return { bytes: out };
  };

  const isStatic = r() < 0.15;
  const calldata = Uint8Array.from({ length: pick([0, 4, 32, 36, 68, 1 + int(100)]) }, () => int(256));
  let caller = 0n;
  for (let i = 0; i < 20; i++) caller = (caller << 8n) | BigInt(int(256));
  const callValue = isStatic || r() < 0.4 ? 0n : BigInt(1 + int(1_000_000)) * 10n ** BigInt(int(12));

  const items: Item[] = [];
  let depth = 0; // a model of the stack height, to keep most programs from underflowing at once
  let labels = 0;
  const pending: string[] = [];
  const length = 20 + int(60);
  for (let i = 0; i < length; i++) {
    const kind = int(16);
    if (kind <= 2 || depth < 2) {
      items.push(push(value()));
      depth++;
    } else if (kind === 3) {
      const op = pick(ARITH);
      items.push({ bytes: [op] });
      depth--;
    } else if (kind === 4) {
      items.push(push(value()));
      items.push({ bytes: [pick([0x08, 0x09])] });
      depth -= 1;
    } else if (kind === 5) {
      const n = 1 + int(Math.min(16, depth + (r() < 0.05 ? 2 : 0)));
      items.push({ bytes: [r() < 0.5 ? 0x7f + n : 0x8f + Math.min(n, 16)] });
      if (items[items.length - 1] && (items[items.length - 1] as { bytes: number[] }).bytes[0] < 0x90) depth++;
    } else if (kind === 6) {
      items.push({ bytes: [pick([0x50, 0x15, 0x19])] });
      if ((items[items.length - 1] as { bytes: number[] }).bytes[0] === 0x50) depth--;
    } else if (kind === 7) {
      const offset = BigInt(int(r() < 0.1 ? 5000 : 200));
      if (r() < 0.5) {
        items.push(push(value()), push(offset), { bytes: [0x52] });
      } else {
        items.push(push(offset), { bytes: [0x51] });
        depth++;
      }
    } else if (kind === 8) {
      const slot = pick(SLOTS);
      if (r() < 0.6) {
        items.push(push(pick([0n, 1n, 2n, value()])), push(slot), { bytes: [0x55] });
      } else {
        items.push(push(slot), { bytes: [0x54] });
        depth++;
      }
    } else if (kind === 9) {
      const label = `L${labels++}`;
      pending.push(label);
      if (r() < 0.5) {
        items.push({ jumpTo: r() < 0.1 ? "bad" : label }, { bytes: [0x56] });
      } else {
        items.push(push(BigInt(int(2))), { jumpTo: r() < 0.1 ? "bad" : label }, { bytes: [0x57] });
      }
    } else if (kind === 10 && pending.length > 0) {
      items.push({ label: pending.shift()! });
    } else if (kind === 12) {
      items.push({ bytes: [pick([0x33, 0x34, 0x36])] });
      depth++;
    } else if (kind === 13) {
      const offset = r() < 0.05 ? value() : BigInt(int(calldata.length + 40));
      items.push(push(offset), { bytes: [0x35] });
      depth++;
    } else if (kind === 14) {
      // Up to 64 bytes in one step; longer ranges in micro-steps of 136 bytes (§5.4).
      const size = BigInt(r() < 0.7 ? pick([0, 1, 20, 31, 32, 33, 63, 64]) : pick([65, 135, 136, 137, 300]));
      const offset = r() < 0.05 ? pick([1n << 40n, MAX]) : BigInt(int(r() < 0.1 ? 5000 : 160));
      items.push(push(size), push(offset), { bytes: [0x20] });
      depth++;
    } else if (kind === 15) {
      const topics = int(5);
      // Now and then the topics are not pushed: LOG's second underflow (after its gas).
      if (r() < 0.9) for (let t = 0; t < topics; t++) items.push(push(value()));
      const size = r() < 0.05 ? pick([2000n, MAX]) : BigInt(int(70));
      items.push(push(size), push(BigInt(int(r() < 0.1 ? 3000 : 160))), { bytes: [0xa0 + topics] });
    } else {
      items.push(push(0x5bn, 1)); // a JUMPDEST byte that is push data: "bad" jumps land on it
      items.push({ label: "bad-data" });
      items.push({ bytes: [0x50] });
    }
    if (depth < 0) depth = 0;
  }
  for (const l of pending) items.push({ label: l });
  if (r() < 0.5) items.push({ bytes: [0x00] });
  else items.push(push(BigInt(int(96))), push(BigInt(int(128))), { bytes: [0xf3] });
  const gasLimit = r() < 0.25 ? BigInt(20 + int(4000)) : 1_000_000n;
  return { seed, code: assemble(items), gasLimit, storage: initialStorage(r), caller, value: callValue, isStatic, calldata };
}

function initialStorage(r: () => number): Map<bigint, bigint> {
  const out = new Map<bigint, bigint>();
  for (const s of SLOTS) if (r() < 0.5) out.set(s, BigInt(1 + Math.floor(r() * 1000)));
  return out;
}

function assemble(items: Item[]): Uint8Array {
  const at = new Map<string, number>();
  let pc = 0;
  let lastPushData = -1;
  for (const it of items) {
    if ("bytes" in it) {
      if (it.bytes.length === 2 && it.bytes[0] === 0x60 && it.bytes[1] === 0x5b) lastPushData = pc + 1;
      pc += it.bytes.length;
    } else if ("jumpTo" in it) pc += 3;
    else if (it.label === "bad-data") at.set("bad", lastPushData);
    else {
      at.set(it.label, pc);
      pc += 1;
    }
  }
  if (!at.has("bad")) at.set("bad", 0); // pc 0 is a PUSH, never a JUMPDEST
  const out: number[] = [];
  for (const it of items) {
    if ("bytes" in it) out.push(...it.bytes);
    else if ("jumpTo" in it) {
      const dest = at.get(it.jumpTo)!;
      out.push(0x61, dest >> 8, dest & 0xff);
    } else if (it.label !== "bad-data") out.push(0x5b);
  }
  return Uint8Array.from(out);
}

/** 1,024 words and one more: the stack-overflow transition. */
export function overflowCase(): GeneratedCase {
  const code = [0x5f, ...new Array<number>(1024).fill(0x80), 0x00];
  return { seed: -1, code: Uint8Array.from(code), gasLimit: 1_000_000n, storage: new Map(), ...PLAIN_CALL };
}

/**
 * The new opcodes' error transitions, each in the order the engine takes them: LOG's offset and
 * size underflow before its gas and its topics after it (a short stack with too little gas is out
 * of gas), KECCAK256 underflows before its gas, a static frame's LOG fails before it reads the
 * stack, and the call-field pushes overflow a full stack.
 */
export function edgeCases(): GeneratedCase[] {
  const c = (seed: number, code: number[], gasLimit: bigint, isStatic = false): GeneratedCase => ({
    seed,
    code: Uint8Array.from(code),
    gasLimit,
    storage: new Map(),
    ...PLAIN_CALL,
    isStatic,
    calldata: Uint8Array.from({ length: 40 }, (_, i) => i + 1),
  });
  return [
    c(-10, [0x5f, 0x5f, 0x5f, 0xa4, 0x00], 100_000n), // LOG4 on 3 words: underflow after the charge
    c(-11, [0x5f, 0x5f, 0x5f, 0xa4, 0x00], 1_000n), // the same without 1,875 gas: out of gas first
    c(-12, [0x5f, 0xa1, 0x00], 10n), // LOG1 on 1 word with too little gas: underflow first
    c(-13, [0x5f, 0x20, 0x00], 10n), // KECCAK256 on 1 word with too little gas: underflow first
    c(-14, [0x35, 0x00], 100n), // CALLDATALOAD on an empty stack
    c(-15, [0xa0, 0x00], 100n, true), // LOG0 on an empty stack in a static frame: the static failure first
    c(-16, [0x34, 0x00], 1n), // CALLVALUE without its 2 gas
    // CALLER on a full stack; the 1,024 steps filling it are overflowCase's, checked there.
    { ...c(-17, [0x5f, ...new Array<number>(1023).fill(0x80), 0x33, 0x00], 1_000_000n), checkFrom: 1024 },
    c(-18, [0x60, 0x25, 0x35, 0x60, 0x1f, 0x35, 0x60, 0x28, 0x35, 0x00], 100n), // CALLDATALOAD across, at and past the end
  ];
}
