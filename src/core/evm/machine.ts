/**
 * The TypeScript mirror of contracts/evm/EvmMachine.sol: the machine state of one top-level frame
 * as the first one-step slice commits to it (docs/design/evm.md, *The first one-step slice*), built
 * from what an engine exposes at a step, and its hash.
 */
import { keccak_256 } from "@noble/hashes/sha3";
import { CALLDATA_DEPTH, CODE_DEPTH, MEMORY_DEPTH, STORAGE_DEPTH, codeLeaves, hashWords, memoryLeaves, toBig, treeRoot, type Leaves } from "./trees";

export enum MachineStatus {
  Running = 0,
  Stopped = 1,
  Returned = 2,
  OutOfGas = 3,
  StackUnderflow = 4,
  StackOverflow = 5,
  InvalidJump = 6,
  /** SSTORE or LOG in a static frame. */
  StaticStateChange = 7,
}

/** Field order is the hash's (and the Solidity struct's). */
export const MACHINE_FIELDS = [
  "codeRoot",
  "codeSize",
  "caller",
  "callValue",
  "isStatic",
  "calldataRoot",
  "calldataSize",
  "status",
  "pc",
  "gasLeft",
  "gasRefund",
  "stackHash",
  "stackSize",
  "memoryRoot",
  "memoryWords",
  "storageRoot",
  "originalRoot",
  "warmRoot",
  "returnOffset",
  "returnSize",
  "microHash",
] as const;

export type Machine = Record<(typeof MACHINE_FIELDS)[number], bigint>;

const DOMAIN = toBig(keccak_256(new TextEncoder().encode("cairn:evm-step:slice-3")));

export function machineHash(m: Machine): bigint {
  return hashWords(DOMAIN, ...MACHINE_FIELDS.map((f) => m[f]));
}

/** The code a frame runs, with its chunk tree computed once (as at deployment). */
export interface FrameCode {
  code: Uint8Array;
  chunks: Map<bigint, bigint>;
  root: bigint;
}

export function frameCode(code: Uint8Array): FrameCode {
  const chunks = codeLeaves(code);
  return { code, chunks, root: treeRoot(chunks, CODE_DEPTH) };
}

/**
 * The call a frame runs for, fixed for its life: what CALLER, CALLVALUE and CALLDATA* read. The
 * calldata is committed as a reference, a tree of 32-byte words (depth 11) built once at
 * transaction start (docs/design/evm.md §5.3).
 */
export interface FrameCall {
  caller: bigint;
  callValue: bigint;
  isStatic: boolean;
  calldata: Uint8Array;
  calldataLeaves: Map<bigint, bigint>;
  calldataRoot: bigint;
}

export interface FrameCallParameters {
  caller: bigint;
  callValue: bigint;
  isStatic: boolean;
  calldata: Uint8Array;
}

export function frameCall(p: FrameCallParameters): FrameCall {
  const calldataLeaves = memoryLeaves(p.calldata);
  return { ...p, calldataLeaves, calldataRoot: treeRoot(calldataLeaves, CALLDATA_DEPTH) };
}

/** A running frame's fixed parts: its code and its call. */
export interface Frame {
  code: FrameCode;
  call: FrameCall;
}

function frameFields(f: Frame): Pick<Machine, "codeRoot" | "codeSize" | "caller" | "callValue" | "isStatic" | "calldataRoot" | "calldataSize"> {
  return {
    codeRoot: f.code.root,
    codeSize: BigInt(f.code.code.length),
    caller: f.call.caller,
    callValue: f.call.callValue,
    isStatic: f.call.isStatic ? 1n : 0n,
    calldataRoot: f.call.calldataRoot,
    calldataSize: BigInt(f.call.calldata.length),
  };
}

/** What the engine shows of a running frame before a step. */
export interface FrameSnapshot {
  pc: number;
  gasLeft: bigint;
  gasRefund: bigint;
  /** Bottom first, as engines list it. */
  stack: readonly bigint[];
  memory: Uint8Array;
  memoryWords: number;
  storage: Leaves;
  original: Leaves;
  /** Warm slots of the frame's account (EIP-2929). */
  warm: ReadonlySet<bigint>;
}

/**
 * keccak(top ‖ rest) chain; 0 is the empty stack. Consecutive steps share all but the top few
 * words, so the chain of the last stack hashed is kept and only the words above the shared
 * bottom are hashed again (a 1,024-deep stack would otherwise cost 1,024 hashes a step).
 */
let lastStack: readonly bigint[] = [];
let lastChain: bigint[] = [0n]; // lastChain[i]: the hash of lastStack's bottom i words
export function stackHash(bottomFirst: readonly bigint[]): bigint {
  let shared = 0;
  while (shared < bottomFirst.length && shared < lastStack.length && bottomFirst[shared] === lastStack[shared]) shared++;
  const chain = lastChain.slice(0, shared + 1);
  for (let i = shared; i < bottomFirst.length; i++) chain.push(hashWords(bottomFirst[i], chain[i]));
  lastStack = bottomFirst.slice();
  lastChain = chain;
  return chain[bottomFirst.length];
}

export function warmLeaves(warm: ReadonlySet<bigint>): Map<bigint, bigint> {
  return new Map([...warm].map((k) => [k, 1n] as [bigint, bigint]));
}

/** Roots of the depth-256 trees, memoized by content: most steps change none of them. */
const rootCache = new Map<string, bigint>();
export function storageRoot(leaves: Leaves): bigint {
  const key = [...leaves].filter(([, v]) => v !== 0n).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}:${v}`).join(",");
  let r = rootCache.get(key);
  if (r === undefined) {
    r = treeRoot(leaves, STORAGE_DEPTH);
    if (rootCache.size > 10_000) rootCache.clear();
    rootCache.set(key, r);
  }
  return r;
}

export function runningMachine(frame: Frame, s: FrameSnapshot): Machine {
  return {
    ...frameFields(frame),
    status: BigInt(MachineStatus.Running),
    pc: BigInt(s.pc),
    gasLeft: s.gasLeft,
    gasRefund: s.gasRefund,
    stackHash: stackHash(s.stack),
    stackSize: BigInt(s.stack.length),
    memoryRoot: treeRoot(memoryLeaves(s.memory), MEMORY_DEPTH),
    memoryWords: BigInt(s.memoryWords),
    storageRoot: storageRoot(s.storage),
    originalRoot: storageRoot(s.original),
    warmRoot: storageRoot(warmLeaves(s.warm)),
    returnOffset: 0n,
    returnSize: 0n,
    microHash: 0n, // an engine shows no micro-step: it runs each opcode whole
  };
}

/** How a frame ended, as the engine reports it. */
export interface FrameEnd {
  status: Exclude<MachineStatus, MachineStatus.Running>;
  gasLeft: bigint;
  gasRefund: bigint;
  storage: Leaves;
  original: Leaves;
  /** RETURN's output as a reference into the frame's final memory. */
  output?: { memory: Uint8Array; offset: bigint; size: bigint };
}

/**
 * The halted state. Fields no later step of the frame reads (pc, stack, memory size, warm set)
 * are zero, so each halt has one hash; an exceptional halt keeps no output. The call's fields
 * are kept: they never change in a frame.
 */
export function haltedMachine(frame: Frame, end: FrameEnd): Machine {
  const out = end.output && end.output.size > 0n ? end.output : undefined;
  return {
    ...frameFields(frame),
    status: BigInt(end.status),
    pc: 0n,
    gasLeft: end.gasLeft,
    gasRefund: end.gasRefund,
    stackHash: 0n,
    stackSize: 0n,
    memoryRoot: out ? treeRoot(memoryLeaves(out.memory), MEMORY_DEPTH) : 0n,
    memoryWords: 0n,
    storageRoot: storageRoot(end.storage),
    originalRoot: storageRoot(end.original),
    warmRoot: 0n,
    returnOffset: out ? out.offset : 0n,
    returnSize: out ? out.size : 0n,
    microHash: 0n,
  };
}
