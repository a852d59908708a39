/**
 * Builds the proof data of one step (OneStepProver.StepProof) from the frame as the engine shows it
 * before the step: the code chunks the step reads, the top stack words, the memory words and the
 * storage slot with their paths. Mirrors what contracts/evm/OneStepProver.sol asks for, opcode by
 * opcode; a proof with too little data makes the verifier revert, never compute another state.
 */
import { CALLDATA_DEPTH, CODE_DEPTH, MEMORY_DEPTH, STORAGE_DEPTH, memoryLeaves, treeProof, type LeafProof } from "./trees";
import { stackHash, warmLeaves, type Frame, type FrameCode, type FrameSnapshot, type Machine } from "./machine";
import { expandMemory, keccakGas } from "./gas";
import { absorbBlock, spongeHash, startSponge, type Sponge } from "./sponge";
import { hashWords } from "./trees";

export interface StepProof {
  code: LeafProof[];
  /** Top first. */
  stack: bigint[];
  stackRest: bigint;
  memoryWords: LeafProof[];
  storageSlot: LeafProof[];
  calldataWords: LeafProof[];
  /** The sponge microHash commits to, in a KECCAK256 micro-step; absent otherwise. */
  sponge?: Sponge;
}

const CHUNK = 31;

/** The longest range one step hashes directly (OneStepProver.MAX_DIRECT_KECCAK, §5.4). */
export const MAX_DIRECT_KECCAK = 64n;


const isLog = (op: number): boolean => op >= 0xa0 && op <= 0xa4;

/** Opcodes the first slice's verifier covers. */
export function isCovered(op: number): boolean {
  return (
    op === 0x20 ||
    (op >= 0x33 && op <= 0x36) ||
    isLog(op) ||
    op <= 0x0b ||
    (op >= 0x10 && op <= 0x1d) ||
    op === 0x50 ||
    op === 0x51 ||
    op === 0x52 ||
    op === 0x54 ||
    op === 0x55 ||
    op === 0x56 ||
    op === 0x57 ||
    op === 0x5b ||
    (op >= 0x5f && op <= 0x9f) ||
    op === 0xf3
  );
}

/** Opcode classes for gas figures. */
export function opcodeClass(op: number): string {
  if (op === 0x00 || op === 0xf3) return "halt (STOP, RETURN)";
  if (op >= 0x5f && op <= 0x7f) return "push";
  if (op >= 0x80 && op <= 0x8f) return "dup";
  if (op >= 0x90 && op <= 0x9f) return "swap";
  if (op === 0x50) return "pop";
  if (op <= 0x0b) return "arithmetic";
  if (op >= 0x10 && op <= 0x1d) return "comparison & bitwise";
  if (op >= 0x56 && op <= 0x5b) return "jump";
  if (op === 0x51 || op === 0x52) return "memory";
  if (op === 0x54) return "SLOAD";
  if (op === 0x20) return "KECCAK256";
  if (op === 0x35) return "CALLDATALOAD";
  if (op >= 0x33 && op <= 0x36) return "call fields (CALLER, CALLVALUE, CALLDATASIZE)";
  if (isLog(op)) return "LOG";
  return "SSTORE";
}

/** Stack words the verifier reads for an opcode (OneStepProver._shape). */
function reads(op: number): number {
  if (op === 0x00 || op === 0x5b || (op >= 0x5f && op <= 0x7f) || op === 0x33 || op === 0x34 || op === 0x36) return 0;
  if (op === 0x35) return 1;
  if (isLog(op)) return 2 + op - 0xa0;
  if (op === 0x08 || op === 0x09) return 3;
  if (op === 0x15 || op === 0x19 || op === 0x50 || op === 0x56 || op === 0x51 || op === 0x54) return 1;
  if (op >= 0x80 && op <= 0x8f) return op - 0x7f;
  if (op >= 0x90 && op <= 0x9f) return op - 0x8e;
  return 2;
}

function chunkProof(code: FrameCode, index: bigint): LeafProof {
  return treeProof(code.chunks, CODE_DEPTH, index);
}

/**
 * The range of a KECCAK256 at `s` that starts micro-steps (over 64 bytes, with the gas to run), with
 * its charge; undefined for any other step.
 */
export function keccakMicroRange(frame: Frame, s: FrameSnapshot): { offset: bigint; size: bigint; gas: bigint } | undefined {
  if (s.pc >= frame.code.code.length || frame.code.code[s.pc] !== 0x20 || s.stack.length < 2) return undefined;
  const offset = s.stack[s.stack.length - 1];
  const size = s.stack[s.stack.length - 2];
  const gas = keccakGas(BigInt(s.memoryWords), offset, size);
  if (gas === undefined || gas > s.gasLeft || size <= MAX_DIRECT_KECCAK) return undefined;
  return { offset, size, gas };
}

/** One step the mirror computes itself: a micro-step, which no engine shows. */
export interface MirrorStep {
  pre: Machine;
  proof: StepProof;
  post: Machine;
}

/**
 * Every step of a KECCAK256 over more than 64 bytes from `pre` (the state the engine shows at `s`):
 * the first pays, pops and expands and starts the sponge; each next one absorbs a block of 136
 * bytes; the last pushes the hash. The last post is the state after the opcode.
 */
export function keccakMicroSteps(frame: Frame, s: FrameSnapshot, pre: Machine): MirrorStep[] {
  const range = keccakMicroRange(frame, s);
  if (!range) return [];
  let sponge = startSponge(range.offset, range.size);
  const first: Machine = {
    ...pre,
    gasLeft: pre.gasLeft - range.gas,
    stackHash: stackHash(s.stack.slice(0, s.stack.length - 2)),
    stackSize: pre.stackSize - 2n,
    memoryWords: expandMemory(pre.memoryWords, range.offset, range.size).words,
    microHash: spongeHash(sponge),
  };
  const out: MirrorStep[] = [{ pre, proof: buildStepProof(frame, s), post: first }];
  const leaves = memoryLeaves(s.memory);
  const chunk = chunkProof(frame.code, BigInt(Math.floor(s.pc / CHUNK)));
  let at = first;
  for (;;) {
    const n = sponge.end - sponge.cursor < 136n ? sponge.end - sponge.cursor : 136n;
    const words: LeafProof[] = [];
    for (let w = sponge.cursor / 32n; n > 0n && w <= (sponge.cursor + n - 1n) / 32n; w++) words.push(treeProof(leaves, MEMORY_DEPTH, w));
    const proof: StepProof = { code: [chunk], stack: [], stackRest: 0n, memoryWords: words, storageSlot: [], calldataWords: [], sponge };
    const r = absorbBlock(sponge, s.memory);
    const post: Machine =
      r.sponge !== undefined
        ? { ...at, microHash: spongeHash(r.sponge) }
        : { ...at, microHash: 0n, pc: at.pc + 1n, stackHash: hashWords(r.digest, at.stackHash), stackSize: at.stackSize + 1n };
    out.push({ pre: at, proof, post });
    if (r.sponge === undefined) return out;
    sponge = r.sponge;
    at = post;
  }
}

/**
 * The proof of the step from `s` (for a KECCAK256 over more than 64 bytes, of its first micro-step:
 * keccakMicroSteps has them all).
 */
export function buildStepProof(frame: Frame, s: FrameSnapshot): StepProof {
  const code = frame.code;
  const size = code.code.length;
  const op = s.pc < size ? code.code[s.pc] : 0;
  const proof: StepProof = { code: [], stack: [], stackRest: 0n, memoryWords: [], storageSlot: [], calldataWords: [] };
  if (s.pc < size) proof.code.push(chunkProof(code, BigInt(Math.floor(s.pc / CHUNK))));
  const k = Math.min(reads(op), s.stack.length);
  const top = s.stack.slice(s.stack.length - k).reverse();
  proof.stack = top;
  proof.stackRest = stackHash(s.stack.slice(0, s.stack.length - k));
  // A static frame's SSTORE or LOG fails before it reads anything; a LOG reads its words (as many
  // as there are) and nothing else: logs are not in the state.
  if (frame.call.isStatic && (op === 0x55 || isLog(op))) return proof;
  if (k < reads(op)) return proof; // stack underflow: nothing else is read

  if (op === 0x20) {
    const [offset, length] = top;
    const gas = keccakGas(BigInt(s.memoryWords), offset, length);
    // Out of gas, nothing to read, or the sponge's first micro-step (it reads no memory).
    if (gas === undefined || gas > s.gasLeft || length === 0n || length > MAX_DIRECT_KECCAK) return proof;
    const leaves = memoryLeaves(s.memory);
    for (let w = offset / 32n; w <= (offset + length - 1n) / 32n; w++) proof.memoryWords.push(treeProof(leaves, MEMORY_DEPTH, w));
  }
  if (op === 0x35) {
    const offset = top[0];
    const cdSize = BigInt(frame.call.calldata.length);
    if (offset < cdSize) {
      const w = offset / 32n;
      proof.calldataWords.push(treeProof(frame.call.calldataLeaves, CALLDATA_DEPTH, w));
      if (offset % 32n !== 0n && (w + 1n) * 32n < cdSize) proof.calldataWords.push(treeProof(frame.call.calldataLeaves, CALLDATA_DEPTH, w + 1n));
    }
  }

  if (op >= 0x60 && op <= 0x7f) {
    const n = op - 0x5f;
    // Every later chunk the immediate bytes reach inside the code (past the end they read as 0).
    const lastRead = Math.min(s.pc + n, size - 1);
    for (let c = Math.floor(s.pc / CHUNK) + 1; c <= Math.floor(lastRead / CHUNK); c++) proof.code.push(chunkProof(code, BigInt(c)));
  }
  const jumpTaken = op === 0x56 || (op === 0x57 && top[1] !== 0n);
  if (jumpTaken && top[0] < BigInt(size)) proof.code.push(chunkProof(code, top[0] / BigInt(CHUNK)));

  if ((op === 0x51 || op === 0x52) && top[0] < 1n << 22n) {
    const leaves = memoryLeaves(s.memory);
    const w = top[0] / 32n;
    const shift = (top[0] % 32n) * 8n;
    proof.memoryWords.push(treeProof(leaves, MEMORY_DEPTH, w));
    if (shift !== 0n) {
      if (op === 0x52) {
        // The second word is proven against the memory after the first word's write.
        const lo = leaves.get(w) ?? 0n;
        const newLo = ((lo >> (256n - shift)) << (256n - shift)) | (top[1] >> shift);
        leaves.set(w, newLo);
      }
      proof.memoryWords.push(treeProof(leaves, MEMORY_DEPTH, w + 1n));
    }
  }
  if (op === 0x54 || op === 0x55) {
    proof.storageSlot.push(treeProof(s.storage, STORAGE_DEPTH, top[0]));
    proof.storageSlot.push(treeProof(warmLeaves(s.warm), STORAGE_DEPTH, top[0]));
    if (op === 0x55) proof.storageSlot.push(treeProof(s.original, STORAGE_DEPTH, top[0]));
  }
  return proof;
}
