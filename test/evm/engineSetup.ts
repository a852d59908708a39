/**
 * The engine runs the differential test traces: @ethereumjs/vm 10.1.3 on Osaka rules, the
 * bench's chain (bench/evm/workloads.ts), an OpenZeppelin 5 ERC-20 deployed and minted by the
 * bench's own signed transactions, and generated programs installed at fresh addresses.
 */
import { createVM, runTx, type VM } from "@ethereumjs/vm";
import { Hardfork, Mainnet, createCustomCommon, type Common } from "@ethereumjs/common";
import { createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { createBlock, type Block } from "@ethereumjs/block";
import { Account, bigIntToBytes, createAddressFromString, hexToBytes, setLengthLeft } from "@ethereumjs/util";
import { SimpleStateManager } from "@ethereumjs/statemanager";
import type { InterpreterStep } from "@ethereumjs/evm";
import { BENCH_CHAIN_ID, FUNDING, buildBenchTransactions } from "../../bench/evm/workloads";
import { traceFrame, type FrameTrace } from "./engineTrace";
import type { GeneratedCase } from "./programs";

export interface Engine {
  vm: VM;
  common: Common;
  block: Block;
}

export async function newEngine(): Promise<Engine> {
  const common = createCustomCommon({ chainId: Number(BENCH_CHAIN_ID), name: "cairn-onestep" }, Mainnet, { hardfork: Hardfork.Osaka });
  const vm = await createVM({ common, stateManager: new SimpleStateManager({ common }) });
  const block = createBlock(
    { header: { number: 1n, gasLimit: 60_000_000n, baseFeePerGas: 1_000_000_000n, timestamp: 1_800_000_000n, coinbase: createAddressFromString("0x000000000000000000000000000000000000c0de") } },
    { common },
  );
  return { vm, common, block };
}

function parse(e: Engine, raw: string): TypedTransaction {
  return createTxFromRLP(hexToBytes(raw as `0x${string}`), { common: e.common }) as TypedTransaction;
}

/** Deploys the bench's ERC-20, mints to two holders and traces the first holder's `transfer`. */
export async function traceErc20Transfer(e: Engine): Promise<FrameTrace> {
  const bench = await buildBenchTransactions(2, 1);
  for (const a of bench.funded) await e.vm.stateManager.putAccount(createAddressFromString(a), new Account(0n, FUNDING));
  // Every slot written before the traced transaction, by account: the trace reads them all.
  const written = new Map<string, Set<bigint>>();
  const watch = (s: InterpreterStep): void => {
    if (s.opcode.code !== 0x55) return;
    const a = s.address.toString();
    if (!written.has(a)) written.set(a, new Set());
    written.get(a)!.add(s.stack[s.stack.length - 1]);
  };
  e.vm.evm.events!.on("step", watch);
  const eth = bench.workloads.find((w) => w.name === "ethTransfer")!;
  const erc20 = bench.workloads.find((w) => w.name === "erc20Transfer")!;
  try {
    // The senders' nonces follow the bench's order: their ETH transfers come first.
    for (const raw of [...bench.deploy, ...eth.setup, ...eth.timed, ...erc20.setup]) {
      const r = await runTx(e.vm, { tx: parse(e, raw), block: e.block, skipBlockGasLimitValidation: true });
      if (r.execResult.exceptionError) throw new Error(`setup transaction failed: ${r.execResult.exceptionError.error}`);
    }
  } finally {
    e.vm.evm.events!.off("step", watch);
  }
  const token = bench.token0.toLowerCase();
  const keys = written.get(token) ?? new Set<bigint>();
  const tx = parse(e, erc20.timed[0]);
  const call = { caller: BigInt(tx.getSenderAddress().toString()), callValue: tx.value, isStatic: false, calldata: tx.data };
  return traceFrame(e.vm, token, keys, call, () => runTx(e.vm, { tx, block: e.block, skipBlockGasLimitValidation: true }));
}

/**
 * Installs a generated program (code and storage) at an address of its own and traces a call to
 * it from the case's caller (funded for the value), with its calldata, static or not.
 */
export async function traceGenerated(e: Engine, c: GeneratedCase, n: number): Promise<FrameTrace> {
  const address = `0x${(0xc0de0000n + BigInt(n)).toString(16).padStart(40, "0")}`;
  const at = createAddressFromString(address);
  await e.vm.stateManager.putAccount(at, new Account(1n, 0n));
  await e.vm.stateManager.putCode(at, c.code);
  for (const [k, v] of c.storage) await e.vm.stateManager.putStorage(at, setLengthLeft(bigIntToBytes(k), 32), bigIntToBytes(v));
  const caller = createAddressFromString(`0x${c.caller.toString(16).padStart(40, "0")}`);
  await e.vm.stateManager.putAccount(caller, new Account(0n, c.value));
  const call = { caller: c.caller, callValue: c.value, isStatic: c.isStatic, calldata: c.calldata };
  return traceFrame(e.vm, address, new Set(c.storage.keys()), call, () =>
    e.vm.evm.runCall({ to: at, caller, value: c.value, data: c.calldata, isStatic: c.isStatic, gasLimit: c.gasLimit, block: e.block }),
  );
}
