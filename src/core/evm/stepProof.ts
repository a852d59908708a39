/**
 * Builds the proof data of one step (OneStepProver.StepProof) from the frame as the engine shows it
 * before the step: the code chunks the step reads, the top stack words, the memory words and the
 * storage slot with their paths. Mirrors what contracts/evm/OneStepProver.sol asks for, opcode by
 * opcode; a proof with too little data makes the verifier revert, never compute another state.
 */
import { CALLDATA_DEPTH, CODE_DEPTH, MEMORY_DEPTH, STORAGE_DEPTH, memoryLeaves, treeProof, type LeafProof } from "./trees";
import { stackHash, warmLeaves, type Frame, type FrameCode, type FrameSnapshot } from "./machine";
import { keccakGas } from "./gas";
import { CairnError } from "../errors";

export interface StepProof {
  code: LeafProof[];
  /** Top first. */
  stack: bigint[];
  stackRest: bigint;
  memoryWords: LeafProof[];
  storageSlot: LeafProof[];
  calldataWords: LeafProof[];
}

const CHUNK = 31;

/** The longest range one step hashes directly (OneStepProver.MAX_DIRECT_KECCAK, §5.4). */
export const MAX_DIRECT_KECCAK = 64n;

/**
 * A KECCAK256 step over more than 64 bytes that has the gas to run: it needs the keccak sponge in
 * micro-steps (docs/design/evm.md §5.4), which is not built. The verifier refuses the same step with
 * `KeccakRangeNotCovered(offset, size, max)`.
 */
export class KeccakRangeNotCoveredError extends CairnError {
  override readonly name = "KeccakRangeNotCoveredError";
  readonly code = "KECCAK_RANGE_NOT_COVERED";
  constructor(
    readonly offset: bigint,
    readonly size: bigint,
    readonly max: bigint = MAX_DIRECT_KECCAK,
  ) {
    super(`KECCAK256 over ${size} bytes at ${offset}: one step hashes at most ${max}`);
  }
}

const isLog = (op: number): boolean => op >= 0xa0 && op <= 0xa4;

/** Opcodes the first slice's verifier covers (KECCAK256 up to MAX_DIRECT_KECCAK bytes). */
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
 * The proof of the step from `s`. Throws KeccakRangeNotCoveredError for a KECCAK256 over more than
 * 64 bytes that has its gas (the verifier refuses that step the same way).
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
    if (gas === undefined || gas > s.gasLeft || length === 0n) return proof; // out of gas, or nothing to read
    if (length > MAX_DIRECT_KECCAK) throw new KeccakRangeNotCoveredError(offset, length);
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
