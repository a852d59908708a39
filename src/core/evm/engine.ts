/**
 * Runs contract transactions and calls on an L2State with @ethereumjs/vm (experimental EVM mode;
 * docs/design/evm.md §3, *Tracer bullet*). A transaction runs in the engine's full transaction
 * path on a state manager that reads the L2State lazily (stateManager.ts); its changes are then
 * written back in one synchronous step (writeBack.ts), and the fee recipient is paid
 * `gasUsed × effectiveGasPrice`, as packed operations pay it (the engine pays only the tip and
 * burns the base fee: the base fee part is credited here). A call or an estimate runs the same
 * way and drops its changes. No I/O, no clock: the block context is passed in.
 *
 * The caller must keep the L2State unchanged while a run awaits (the sequencer serializes them):
 * what the engine read lazily must still be what it writes back over.
 */
import { createVM, runTx, type RunTxResult } from "@ethereumjs/vm";
import { createBlock, type Block } from "@ethereumjs/block";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex, createAddressFromString, createContractAddress, type Address } from "@ethereumjs/util";
import { EVMError, type CustomPrecompile, type ExecResult } from "@ethereumjs/evm";
import { Pausing, type Pause } from "./pausing";
import { EngineDriverError } from "./driverErrors";
import { elsewhere, type PrecompileRunner } from "./precompilesElsewhere";
import { BLOCK_GAS_LIMIT, WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "../constants";
import { CairnError, invalid } from "../errors";
import type { Log, TxResult } from "../execute";
import type { L2State } from "../state";
import { CairnStateManager } from "./stateManager";
import { applyWrites } from "./writeBack";
import { MAX_EVM_TX_GAS, evmCommon, type EvmTransaction } from "./evmTransaction";

/** The engine's writes would add ETH to L2 that L1 does not escrow: a bug, never applied. */
export class EngineCreatedEthError extends CairnError {
  override readonly name = "EngineCreatedEthError";
  readonly code = "ENGINE_CREATED_ETH";
  constructor(readonly wei: bigint) {
    super("the engine's writes create ETH", { details: `${wei} wei more on L2 after the transaction than before` });
  }
}


export type { Pause } from "./pausing";
export { EngineDriverError, EnginePauseFailedError, PrecompileRunnerFailedError } from "./driverErrors";
export type { PrecompileOutcome, PrecompileRunner } from "./precompilesElsewhere";

/**
 * How a run is driven, not what it computes. `pause` is called at every JUMPDEST and at every
 * call frame's start: every loop passes a JUMPDEST (a jump lands on nothing else), and a frame
 * without one runs at most its code's length, so the work between two pauses is bounded by a
 * contract's size, not by the gas limit — but for one precompile call, which runs whole:
 * `precompiles` runs those elsewhere (a node's worker thread), as the engine would run them here.
 */
export interface EngineOptions {
  pause?: Pause;
  precompiles?: PrecompileRunner;
}

/** The L2 block a contract transaction or call runs in. */
export interface EvmBlockContext {
  chainId: bigint;
  number: number;
  /** Seconds. */
  timestamp: number;
  baseFee: bigint;
  /** The fee recipient's account index (COINBASE is its address; it must exist). */
  feeRecipient: number;
}

/** A call or estimate: eth_call's request. */
export interface EvmCall {
  from?: string;
  /** null: a creation (its init code in `data`). */
  to: string | null;
  data: Buffer;
  value: bigint;
  gas?: bigint;
}

export interface EvmCallResult {
  /** Whether the call ran to its end without reverting or failing. */
  success: boolean;
  /** The return data, or the revert data. */
  returnData: Buffer;
  /** Gas the whole transaction would use (intrinsic gas included, refund taken). */
  gasUsed: bigint;
  /** The engine's reason when it did not succeed ("revert", "out of gas", …). */
  error?: string;
}

function blockOf(state: L2State, ctx: EvmBlockContext): Block {
  return createBlock(
    {
      header: {
        number: BigInt(ctx.number),
        gasLimit: BLOCK_GAS_LIMIT,
        baseFeePerGas: ctx.baseFee,
        timestamp: BigInt(ctx.timestamp),
        coinbase: createAddressFromString(state.account(ctx.feeRecipient).address),
      },
    },
    { common: evmCommon(ctx.chainId) },
  );
}

async function run(state: L2State, ctx: EvmBlockContext, tx: EvmTransaction["tx"], simulate: boolean, options: EngineOptions): Promise<{ result: RunTxResult; manager: CairnStateManager }> {
  const common = evmCommon(ctx.chainId);
  const manager = new CairnStateManager(state, common);
  const pausing = options.pause ? new Pausing(options.pause) : null;
  const customPrecompiles = [...nativeAddresses(state), ...(options.precompiles ? elsewhere(common, options.precompiles) : [])];
  const vm = await createVM({ common, stateManager: manager, evmOpts: { customPrecompiles, ...(pausing ? { customOpcodes: [pausing.jumpdest()] } : {}) } });
  // A listener taking a second argument is awaited: the engine goes on once it is called.
  if (pausing) vm.evm.events!.on("beforeMessage", (_message: unknown, resolve?: (result?: unknown) => void) => void pausing.atFrameStart().then(() => resolve?.()));
  let result: RunTxResult;
  try {
    result = await runTx(vm, { tx, block: blockOf(state, ctx), skipBlockGasLimitValidation: true, skipBalance: simulate, skipNonce: simulate, skipHardForkValidation: true });
  } catch (e) {
    pausing?.rethrowFailure();
    throw e;
  }
  pausing?.rethrowFailure();
  return { result, manager };
}



/**
 * Bridged tokens and the withdrawal predeploy are native on Cairn, and have no native code in the
 * engine yet (docs/design/evm.md §2.3 is left): a contract's call to one reverts, rather than
 * succeeding without moving anything or leaving ETH sent there stuck.
 */
function nativeAddresses(state: L2State): CustomPrecompile[] {
  const revert = (): ExecResult => ({ executionGasUsed: 0n, returnValue: new Uint8Array(0), exceptionError: new EVMError(EVMError.errorMessages.REVERT) });
  return [WITHDRAWAL_PREDEPLOY, ...state.tokens.map((t) => t.l2Address)].map((a) => ({ address: createAddressFromString(a), function: revert }));
}

/** Checks what Ethereum checks before a transaction's first opcode, in geth's words; throws InvalidOperationError. */
function checkStart(state: L2State, etx: EvmTransaction, ctx: EvmBlockContext): void {
  const index = state.indexOf(etx.from);
  const account = index === undefined ? { nonce: 0n, balance: 0n } : state.account(index);
  const nonce = etx.fields.nonce;
  if (nonce < account.nonce) invalid("nonce-too-low", `next nonce ${account.nonce}, tx nonce ${nonce}`);
  if (nonce > account.nonce) invalid("nonce-too-high", `next nonce ${account.nonce}, tx nonce ${nonce}`);
  if (index !== undefined && state.contractState.hasCode(index)) invalid("malformed", `sender ${etx.from} has code (EIP-3607)`);
  const fee = etx.fields.fee;
  const maxFee = fee.type === 2 ? fee.maxFeePerGas : fee.gasPrice;
  if (fee.type === 2 && fee.maxPriorityFeePerGas > fee.maxFeePerGas) invalid("fee-too-low", "max priority fee per gas higher than max fee per gas");
  if (maxFee < ctx.baseFee) invalid("fee-too-low", `max fee per gas ${maxFee} below the base fee ${ctx.baseFee}`);
  const minimum = etx.tx.getMinimumGasLimit();
  if (fee.gasLimit < minimum) invalid("gas-limit-too-low", `gas limit ${fee.gasLimit}, the transaction needs at least ${minimum}`);
  const cost = fee.gasLimit * maxFee + etx.fields.value;
  if (account.balance < cost) invalid("insufficient-funds", `balance ${account.balance}, the transaction may cost ${cost}`);
}

/**
 * Executes contract transaction `etx` on `state` in block `ctx` and returns its receipt's facts.
 * Throws InvalidOperationError, with the state untouched, when it is invalid as a transaction (a
 * transaction that reverts is valid: it is included with status 0 and pays for its gas).
 */
export async function executeEvmTransaction(state: L2State, etx: EvmTransaction, ctx: EvmBlockContext, options: EngineOptions = {}): Promise<TxResult> {
  checkStart(state, etx, ctx);
  let outcome: Awaited<ReturnType<typeof run>>;
  try {
    outcome = await run(state, ctx, etx.tx, false, options);
  } catch (e) {
    if (e instanceof EngineDriverError) throw e;
    return invalid("malformed", `the engine refused the transaction (${e instanceof Error ? e.message.split("\n")[0].slice(0, 200) : "?"})`);
  }
  const { result, manager } = outcome;
  const gasUsed = result.totalGasSpent;
  const fee = etx.fields.fee;
  const effectiveGasPrice = fee.type === 2 ? min(fee.maxFeePerGas, ctx.baseFee + fee.maxPriorityFeePerGas) : fee.gasPrice;
  // All of it or nothing: a write that throws leaves the state as it was.
  const cp = state.checkpoint();
  try {
    const before = state.totals().eth;
    applyWrites(state, manager.writes());
    payDestroyedEth(state, before - state.totals().eth, ctx.feeRecipient);
  } catch (e) {
    state.rollback(cp);
    throw e;
  }
  state.release(cp);
  const success = result.execResult.exceptionError === undefined;
  return {
    type: "tx",
    hash: etx.hash,
    from: etx.from,
    tx: { ...etx.fields, to: etx.fields.to ?? result.createdAddress?.toString().toLowerCase() ?? ZERO_ADDRESS },
    raw: etx.raw,
    signature: etx.signature,
    gasUsed,
    effectiveGasPrice,
    logs: success ? logsOf(result) : [],
    status: success ? 1 : 0,
    ...(etx.fields.to === null ? { contractAddress: success && result.createdAddress ? result.createdAddress.toString().toLowerCase() : contractAddressOf(etx) } : {}),
  };
}

/** Runs `call` on `state` as a transaction would run in block `ctx`, and drops what it changed. */
export async function simulateEvmCall(state: L2State, call: EvmCall, ctx: EvmBlockContext, options: EngineOptions = {}): Promise<EvmCallResult> {
  const from = (call.from ?? ZERO_ADDRESS).toLowerCase();
  const index = state.indexOf(from);
  // Held to the cap intake enforces: past it the library refuses to build the transaction.
  if ((call.gas ?? MAX_EVM_TX_GAS) > MAX_EVM_TX_GAS) return { success: false, returnData: Buffer.alloc(0), gasUsed: 0n, error: `gas ${call.gas} above the L2 transaction gas cap ${MAX_EVM_TX_GAS}` };
  const tx = createFeeMarket1559Tx(
    {
      nonce: index === undefined ? 0n : state.account(index).nonce,
      maxFeePerGas: ctx.baseFee,
      maxPriorityFeePerGas: 0n,
      gasLimit: call.gas ?? MAX_EVM_TX_GAS,
      to: call.to === null ? undefined : createAddressFromString(call.to),
      value: call.value,
      data: call.data,
      chainId: ctx.chainId,
    },
    { common: evmCommon(ctx.chainId), freeze: false },
  );
  // Unsigned: the engine asks the transaction who sent it, and is told.
  const sender = createAddressFromString(from);
  Object.defineProperty(tx, "getSenderAddress", { value: (): Address => sender });
  let result: RunTxResult;
  try {
    result = (await run(state, ctx, tx, true, options)).result;
  } catch (e) {
    if (e instanceof EngineDriverError) throw e;
    return { success: false, returnData: Buffer.alloc(0), gasUsed: 0n, error: e instanceof Error ? e.message.split("\n")[0].slice(0, 200) : "refused" };
  }
  const error = result.execResult.exceptionError?.error;
  return { success: error === undefined, returnData: Buffer.from(result.execResult.returnValue), gasUsed: result.totalGasSpent, ...(error ? { error: String(error) } : {}) };
}

/**
 * The gas limit a transaction of `call` needs: the least that succeeds (the engine's gas used
 * is a floor; the 63/64 rule and refunds can need more), found as geth does: the gas used, then
 * its 64/63 (enough for nearly every call), then bisection to within 1.5% — a handful of runs
 * where a bisection to the unit took ~22.
 */
export function estimateEvmGas(state: L2State, call: EvmCall, ctx: EvmBlockContext, options: EngineOptions = {}): Promise<EvmCallResult> {
  return estimateGasBy((gas) => simulateEvmCall(state, { ...call, gas }, ctx, options), call.gas ?? MAX_EVM_TX_GAS);
}

/**
 * {@link estimateEvmGas}'s search, over `runWith(gas)`, a simulation of the call with that gas
 * limit (a node runs each in a turn of its own), up to `cap`.
 */
export async function estimateGasBy(runWith: (gas: bigint) => Promise<EvmCallResult>, cap: bigint): Promise<EvmCallResult> {
  const first = await runWith(cap);
  if (!first.success) return first;
  let lo = first.gasUsed;
  if ((await runWith(lo)).success) return { ...first, gasUsed: lo };
  let hi = cap;
  const optimistic = (lo * 64n) / 63n + 1n;
  if (optimistic < hi && (await runWith(optimistic)).success) hi = optimistic;
  while (hi - lo > 1n && (hi - lo) * 1000n > hi * 15n) {
    const mid = (lo + hi) / 2n;
    if ((await runWith(mid)).success) hi = mid;
    else lo = mid;
  }
  return { ...first, gasUsed: hi };
}

/**
 * Every wei the engine destroyed goes to the fee recipient: L1 escrows all L2 ETH, so none may
 * vanish on L2. That is the base fee (`gasUsed × baseFee`, which Ethereum burns and Cairn pays,
 * as for packed operations) and ETH a contract self-destructs to itself in its creating
 * transaction (EIP-6780; Ethereum burns it). The engine never creates ETH.
 */
function payDestroyedEth(state: L2State, destroyed: bigint, feeRecipient: number): void {
  if (destroyed < 0n) throw new EngineCreatedEthError(-destroyed);
  if (destroyed > 0n) state.setBalance(feeRecipient, state.account(feeRecipient).balance + destroyed);
}

function logsOf(result: RunTxResult): Log[] {
  return (result.execResult.logs ?? []).map(([address, topics, data]) => ({ address: bytesToHex(address).toLowerCase(), topics: topics.map((t) => bytesToHex(t)), data: bytesToHex(data) }));
}

/** The address a creation by `etx`'s sender at its nonce gets (reported also when it failed). */
function contractAddressOf(etx: EvmTransaction): string {
  return createContractAddress(etx.tx.getSenderAddress(), etx.fields.nonce).toString().toLowerCase();
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
