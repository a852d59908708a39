/**
 * L1 gas of one-step proofs (contracts/evm/OneStepProver.sol), by opcode class: every covered step
 * of the OpenZeppelin ERC-20 transfer and of generated programs (test/evm/programs.ts) is sent to
 * the verifier as a whole L1 transaction (`eth_estimateGas`: 21,000, the calldata and the step),
 * plus synthetic worst cases no short trace reaches: an SSTORE whose storage, original-value and
 * warm-set paths have all 256 siblings non-empty, an unaligned MSTORE into a full 4 MiB memory
 * (both 17-level paths dense), an unaligned 64-byte KECCAK256 in that memory (three dense paths)
 * an unaligned CALLDATALOAD in 65,000 bytes of calldata (two dense 11-level paths) and a KECCAK256
 * micro-step absorbing 136 bytes across six words of that memory.
 */
import hre from "hardhat";
import { runningMachine, frameCall, frameCode, machineHash, type Frame, type FrameSnapshot } from "../../src/core/evm/machine";
import { buildStepProof, keccakMicroSteps } from "../../src/core/evm/stepProof";
import { newEngine, traceErc20Transfer, traceGenerated } from "../../test/evm/engineSetup";
import { generateCase } from "../../test/evm/programs";
import { solMachine, solProof, transitionClass, transitions, type Transition } from "../../test/evm/stepChecker";
import { toBeHex } from "ethers";

export interface ClassGas {
  steps: number;
  min: number;
  mean: number;
  max: number;
}

interface EstimatingProver {
  step: { estimateGas(preHash: string, pre: ReturnType<typeof solMachine>, proof: ReturnType<typeof solProof>): Promise<bigint> };
}

async function gasOf(prover: EstimatingProver, t: Pick<Transition, "pre" | "proof">): Promise<number> {
  return Number(await prover.step.estimateGas(toBeHex(machineHash(t.pre), 32), solMachine(t.pre), solProof(t.proof)));
}

type SyntheticSnapshot = Omit<FrameSnapshot, "pc" | "gasRefund" | "memoryWords"> & { memoryWords?: number };

function syntheticFrame(code: number[], s: SyntheticSnapshot, calldata: Uint8Array): { frame: Frame; snap: FrameSnapshot } {
  const frame: Frame = { code: frameCode(Uint8Array.from(code)), call: frameCall({ caller: 0xca11en, callValue: 0n, isStatic: false, calldata }) };
  return { frame, snap: { pc: 0, gasRefund: 0n, memoryWords: s.memoryWords ?? s.memory.length / 32, ...s } };
}

function synthetic(code: number[], s: SyntheticSnapshot, calldata = new Uint8Array(0)): Pick<Transition, "pre" | "proof"> {
  const { frame, snap } = syntheticFrame(code, s, calldata);
  return { pre: runningMachine(frame, snap), proof: buildStepProof(frame, snap) };
}

export async function oneStepProofGas(generatedCases: number): Promise<{ byClass: Record<string, ClassGas>; erc20Steps: number; generatedSteps: number; worst: Record<string, number> }> {
  const prover = (await (await hre.ethers.getContractFactory("OneStepProver")).deploy()) as unknown as EstimatingProver;
  const samples = new Map<string, number[]>();
  const measure = async (ts: Transition[]): Promise<void> => {
    for (const t of ts) {
      const c = transitionClass(t);
      if (!samples.has(c)) samples.set(c, []);
      samples.get(c)!.push(await gasOf(prover, t));
    }
  };
  const erc20 = transitions(await traceErc20Transfer(await newEngine())).transitions;
  await measure(erc20);
  const engine = await newEngine();
  let generatedSteps = 0;
  for (let i = 0; i < generatedCases; i++) {
    const ts = transitions(await traceGenerated(engine, generateCase(1000 + i), i)).transitions;
    generatedSteps += ts.length;
    await measure(ts);
  }
  const byClass: Record<string, ClassGas> = {};
  for (const [c, xs] of [...samples].sort(([a], [b]) => a.localeCompare(b))) {
    byClass[c] = { steps: xs.length, min: Math.min(...xs), mean: Math.round(xs.reduce((a, b) => a + b, 0) / xs.length), max: Math.max(...xs) };
  }

  // Every sibling non-empty: slot 0's sibling at level i holds slot 2^i.
  const dense = new Map<bigint, bigint>(Array.from({ length: 256 }, (_, i) => [1n << BigInt(i), 7n] as [bigint, bigint]));
  dense.set(0n, 5n);
  const sstore = synthetic([0x55], { gasLeft: 1_000_000n, stack: [0n, 0n], memory: new Uint8Array(0), storage: dense, original: dense, warm: new Set(dense.keys()) });
  const memory = new Uint8Array(32 << 17).fill(0xab);
  const mstore = synthetic([0x52], { gasLeft: 1_000_000n, stack: [1n, 32n * 1000n + 5n], memory, storage: new Map(), original: new Map(), warm: new Set() });
  const keccak = synthetic([0x20], { gasLeft: 1_000_000n, stack: [64n, 32n * 1000n + 5n], memory, storage: new Map(), original: new Map(), warm: new Set() });
  const calldata = new Uint8Array(65_000).fill(0xcd);
  const cdload = synthetic([0x35], { gasLeft: 1_000_000n, stack: [32n * 1000n + 5n], memory: new Uint8Array(0), storage: new Map(), original: new Map(), warm: new Set() }, calldata);
  // A KECCAK256 absorb whose 136 bytes start at byte 31 of a word (six 17-level paths, all dense).
  const long = syntheticFrame([0x20], { gasLeft: 1_000_000n, stack: [136n * 3n, 32n * 1000n + 31n], memory, storage: new Map(), original: new Map(), warm: new Set() }, new Uint8Array(0));
  const absorbs = keccakMicroSteps(long.frame, long.snap, runningMachine(long.frame, long.snap)).slice(1);
  let absorbMax = 0;
  for (const a of absorbs) absorbMax = Math.max(absorbMax, await gasOf(prover, a));
  const worst = {
    keccakAbsorbSixWordsFullMemory: absorbMax,
    sstoreAllSiblings256: await gasOf(prover, sstore),
    mstoreUnalignedFullMemory: await gasOf(prover, mstore),
    keccak64UnalignedFullMemory: await gasOf(prover, keccak),
    calldataloadUnaligned65000: await gasOf(prover, cdload),
  };
  return { byClass, erc20Steps: erc20.length, generatedSteps, worst };
}
