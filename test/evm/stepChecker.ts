/**
 * Holds contracts/evm/OneStepProver.sol against an engine trace: for every step whose opcode the
 * slice covers, the verifier is given the machine state built from the engine before the step and
 * the step's proof, and must return the hash of the state built from the engine after it (the next
 * step's view, or the frame's end). Shared by test/evm/oneStep.test.ts and the bench.
 */
import { getAddress, toBeHex } from "ethers";
import { MACHINE_FIELDS, haltedMachine, machineHash, runningMachine, type Machine } from "../../src/core/evm/machine";
import { buildStepProof, isCovered, keccakMicroSteps, opcodeClass, type StepProof } from "../../src/core/evm/stepProof";
import type { LeafProof } from "../../src/core/evm/trees";
import type { FrameTrace } from "./engineTrace";

const BYTES32 = new Set(["codeRoot", "calldataRoot", "stackHash", "memoryRoot", "storageRoot", "originalRoot", "warmRoot", "microHash"]);
const hex32 = (v: bigint): string => toBeHex(v, 32);

export type SolMachine = Record<(typeof MACHINE_FIELDS)[number], string | bigint | boolean>;
export interface SolLeaf {
  value: string;
  emptyMask: bigint;
  siblings: string[];
}
export interface SolProof {
  code: SolLeaf[];
  stack: bigint[];
  stackRest: string;
  memoryWords: SolLeaf[];
  storageSlot: SolLeaf[];
  calldataWords: SolLeaf[];
  sponge: Array<{ lanes: bigint[]; cursor: bigint; end: bigint }>;
}

export function solMachine(m: Machine): SolMachine {
  const out = {} as SolMachine;
  for (const f of MACHINE_FIELDS) out[f] = BYTES32.has(f) ? hex32(m[f]) : m[f];
  // The ABI takes these as an address and a bool; a value neither can hold is encoded as
  // something else, so the hash (of the raw word) no longer matches and the verifier refuses it.
  out.caller = getAddress(toBeHex(m.caller & ((1n << 160n) - 1n), 20));
  out.isStatic = m.isStatic !== 0n;
  return out;
}

const solLeaf = (l: LeafProof): SolLeaf => ({ value: hex32(l.value), emptyMask: l.emptyMask, siblings: l.siblings.map(hex32) });

export function solProof(p: StepProof): SolProof {
  return { code: p.code.map(solLeaf), stack: p.stack, stackRest: hex32(p.stackRest), memoryWords: p.memoryWords.map(solLeaf), storageSlot: p.storageSlot.map(solLeaf), calldataWords: p.calldataWords.map(solLeaf), sponge: p.sponge ? [p.sponge] : [] };
}

/** The verifier as the checker calls it (a typed OneStepProver contract satisfies this). */
export interface Prover {
  step: { staticCall(preHash: string, pre: SolMachine, proof: SolProof): Promise<string> };
  next: { staticCall(pre: SolMachine, proof: SolProof): Promise<ReadonlyArray<bigint | string>> };
}

/** One provable transition of a trace. */
export interface Transition {
  index: number;
  /** Which micro-step of the engine's step `index` (0 starts it), for an opcode taken in several. */
  micro?: number;
  op: number;
  pre: Machine;
  post: Machine;
  proof: StepProof;
}

export interface TraceCoverage {
  steps: number;
  transitions: Transition[];
  /** Steps skipped: opcode outside the slice, or the frame ended in a way it does not model. */
  uncovered: Map<string, number>;
}

export function transitions(trace: FrameTrace): TraceCoverage {
  const out: TraceCoverage = { steps: trace.steps.length, transitions: [], uncovered: new Map() };
  // Each state is built once: it is one step's post-state and the next one's pre-state.
  const states = trace.steps.map((s) => runningMachine(trace.frame, s.snapshot));
  const skip = (op: number, why: string): void => {
    const name = `0x${op.toString(16).padStart(2, "0")}${why}`;
    out.uncovered.set(name, (out.uncovered.get(name) ?? 0) + 1);
  };
  trace.steps.forEach((s, i) => {
    const post = i + 1 < states.length ? states[i + 1] : trace.end ? haltedMachine(trace.frame, trace.end) : undefined;
    if (!isCovered(s.op) || !post) return skip(s.op, post ? "" : " (frame end not modelled)");
    // A KECCAK256 over more than 64 bytes is several steps of the verifier: their states between
    // are the mirror's, and the last must reach the engine's next state.
    const micro = keccakMicroSteps(trace.frame, s.snapshot, states[i]);
    if (micro.length > 0) {
      micro.forEach((m, j) => out.transitions.push({ index: i, micro: j, op: s.op, pre: m.pre, post: j === micro.length - 1 ? post : m.post, proof: m.proof }));
      return;
    }
    out.transitions.push({ index: i, op: s.op, pre: states[i], post, proof: buildStepProof(trace.frame, s.snapshot) });
  });
  return out;
}

/** The class a transition's gas is reported under: a KECCAK256 absorbing a block is one of its own. */
export function transitionClass(t: Pick<Transition, "op" | "micro">): string {
  return t.micro !== undefined && t.micro > 0 ? "KECCAK256 absorb (micro-step)" : opcodeClass(t.op);
}

/** Checks one transition; returns a description of the difference, or null when they agree. */
export async function checkTransition(prover: Prover, t: Transition): Promise<string | null> {
  const pre = solMachine(t.pre);
  const proof = solProof(t.proof);
  let got: string;
  try {
    got = await prover.step.staticCall(hex32(machineHash(t.pre)), pre, proof);
  } catch (e) {
    return `step ${t.index}${t.micro === undefined ? "" : `.${t.micro}`} (op 0x${t.op.toString(16)}) reverted: ${(e as Error).message.slice(0, 300)}`;
  }
  if (BigInt(got) === machineHash(t.post)) return null;
  const fields = await prover.next.staticCall(pre, proof);
  const diff = MACHINE_FIELDS.filter((f, i) => BigInt(fields[i]) !== t.post[f]).map((f) => `${f}: verifier ${BigInt(fields[MACHINE_FIELDS.indexOf(f)])} engine ${t.post[f]}`);
  return `step ${t.index} (op 0x${t.op.toString(16)}, pc ${t.pre.pc}) disagrees: ${diff.join("; ")}`;
}
