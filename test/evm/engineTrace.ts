/**
 * Records one top-level frame's steps from @ethereumjs/vm's `step` events as FrameSnapshots (the
 * engine's own view: pc, gas left, refund, stack, memory, and the account's storage and warm slots
 * read from its state manager and journal at that step), and how the frame ended, from the
 * engine's result. The test builds the machine states to compare from these alone.
 */
import type { VM } from "@ethereumjs/vm";
import type { EVM, EVMResult, InterpreterStep } from "@ethereumjs/evm";
import { createAddressFromString, setLengthLeft, bigIntToBytes, type Address } from "@ethereumjs/util";
import { MachineStatus, frameCall, frameCode, type Frame, type FrameCallParameters, type FrameEnd, type FrameSnapshot } from "../../src/core/evm/machine";
import { toBig } from "../../src/core/evm/trees";

export interface TracedStep {
  op: number;
  snapshot: FrameSnapshot;
}

export interface FrameTrace {
  frame: Frame;
  steps: TracedStep[];
  /** Undefined when the engine ended the frame some way the slice does not model. */
  end?: FrameEnd;
  /** The engine's output, to hold RETURN's memory reference against. */
  returnValue: Uint8Array;
}

const ERRORS: Record<string, FrameEnd["status"]> = {
  "out of gas": MachineStatus.OutOfGas,
  "stack underflow": MachineStatus.StackUnderflow,
  "stack overflow": MachineStatus.StackOverflow,
  "invalid JUMP": MachineStatus.InvalidJump,
  "static state change": MachineStatus.StaticStateChange,
};

const slotKey = (k: bigint): Uint8Array => setLengthLeft(bigIntToBytes(k), 32);

async function readStorage(vm: VM, at: Address, keys: ReadonlySet<bigint>): Promise<Map<bigint, bigint>> {
  const out = new Map<bigint, bigint>();
  for (const k of keys) {
    const v = toBig(await vm.stateManager.getStorage(at, slotKey(k)));
    if (v !== 0n) out.set(k, v);
  }
  return out;
}

/**
 * Runs `run` (a transaction or call whose top frame executes the code at `address`) and records
 * its depth-0 steps. `keys` must hold every slot of the account that is non-zero before the run
 * (the caller saw them written); slots the frame touches are added as it touches them. `call` is
 * what the run calls the frame with (caller, value, static flag, calldata).
 */
export async function traceFrame(vm: VM, address: string, keys: Set<bigint>, call: FrameCallParameters, run: () => Promise<EVMResult>): Promise<FrameTrace> {
  const at = createAddressFromString(address);
  const frame: Frame = { code: frameCode(await vm.stateManager.getCode(at)), call: frameCall(call) };
  const steps: TracedStep[] = [];
  const original = await readStorage(vm, at, keys);
  // The VM types its EVM by an interface without the journal's warm-set queries; the class has them.
  const journal = (vm.evm as unknown as EVM).journal;
  let deeper = false;
  // SLOAD's and SSTORE's gas functions warm their slot before the step event fires, so the warm
  // set seen at step i is the one after step i; the set before step i is the one seen at step i-1
  // (only those gas functions warm a slot). At step 0 no slot op has run yet.
  let warmBefore: Set<bigint> | undefined;
  // SSTORE's gas function also moves the refund counter before the event: the same holds for it.
  let refundBefore: bigint | undefined;
  const onStep = (s: InterpreterStep, resolve?: (r?: unknown) => void): void => {
    const done = (): void => resolve?.();
    if (s.depth !== 0 || s.address.toString() !== at.toString()) {
      deeper = true;
      done();
      return;
    }
    const op = s.opcode.code;
    if ((op === 0x54 || op === 0x55) && s.stack.length > 0) keys.add(s.stack[s.stack.length - 1]);
    void (async () => {
      const storage = await readStorage(vm, at, keys);
      const warmAfter = new Set([...keys].filter((k) => journal.isWarmedStorage(at.bytes, slotKey(k))));
      const warm = warmBefore ?? warmAfter;
      warmBefore = warmAfter;
      const gasRefund = refundBefore ?? s.gasRefund;
      refundBefore = s.gasRefund;
      steps.push({
        op,
        snapshot: {
          pc: s.pc,
          gasLeft: s.gasLeft,
          gasRefund,
          stack: [...s.stack],
          memory: s.memory.slice(),
          memoryWords: Number(s.memoryWordCount),
          storage,
          original,
          warm,
        },
      });
    })().then(done, done);
  };
  vm.evm.events!.on("step", onStep);
  let result: EVMResult;
  try {
    result = await run();
  } finally {
    vm.evm.events!.off("step", onStep);
  }
  if (deeper) throw new Error("traceFrame records one frame; this run entered another");
  const r = result.execResult;
  const trace: FrameTrace = { frame, steps, returnValue: r.returnValue };
  const frameGas = steps.length > 0 ? steps[0].snapshot.gasLeft : 0n;
  const storage = await readStorage(vm, at, keys);
  const last = steps[steps.length - 1];
  if (r.exceptionError) {
    // The engine appends where it failed ("invalid JUMP at <code hash>/<address>:<pc>").
    const key = Object.keys(ERRORS).find((k) => r.exceptionError!.error === k || r.exceptionError!.error.startsWith(`${k} at `));
    const status = key === undefined ? undefined : ERRORS[key];
    if (status !== undefined) trace.end = { status, gasLeft: frameGas - r.executionGasUsed, gasRefund: r.gasRefund ?? 0n, storage, original };
  } else if (last && (last.op === 0x00 || last.op === 0xf3)) {
    const st = last.snapshot.stack;
    trace.end = {
      status: last.op === 0x00 ? MachineStatus.Stopped : MachineStatus.Returned,
      gasLeft: frameGas - r.executionGasUsed,
      gasRefund: r.gasRefund ?? 0n,
      storage,
      original,
      ...(last.op === 0xf3 ? { output: { memory: last.snapshot.memory, offset: st[st.length - 1], size: st[st.length - 2] } } : {}),
    };
  }
  return trace;
}
