/**
 * The most steps a transaction can take per unit of gas: a contract of 24,000 JUMPDESTs (1 gas
 * each, the cheapest opcode that is not a halt) looping back to its start until the gas runs out,
 * run on @ethereumjs/vm with a step counter. Measured at a small gas limit (a step event costs
 * microseconds); the steps of a transaction at the per-transaction cap follow from steps per gas,
 * and the bisection rounds of its dispute from that.
 */
import { createEVM } from "@ethereumjs/evm";
import { Hardfork, Mainnet, createCustomCommon } from "@ethereumjs/common";
import { Account, createAddressFromString } from "@ethereumjs/util";
import { SimpleStateManager } from "@ethereumjs/statemanager";

const JUMPDESTS = 24_000;

export interface LongestTx {
  gasLimit: number;
  steps: number;
  stepsPerGas: number;
  /** Steps a transaction of 2^24 gas (Osaka's per-transaction cap) takes at that rate. */
  stepsAtOsakaCap: number;
  /** ⌈log2⌉ of those steps: binary bisection rounds to one step. */
  bisectionRoundsAtOsakaCap: number;
}

export async function longestTransaction(gasLimit = 1_000_000): Promise<LongestTx> {
  const common = createCustomCommon({ chainId: 31337 }, Mainnet, { hardfork: Hardfork.Osaka });
  const stateManager = new SimpleStateManager({ common });
  const evm = await createEVM({ common, stateManager });
  const at = createAddressFromString("0x00000000000000000000000000000000000100b0");
  const caller = createAddressFromString("0x00000000000000000000000000000000000ca11e");
  // JUMPDEST × n, then PUSH1 0, JUMP: back to the first JUMPDEST.
  const code = new Uint8Array(JUMPDESTS + 3);
  code.fill(0x5b, 0, JUMPDESTS);
  code.set([0x60, 0x00, 0x56], JUMPDESTS);
  await stateManager.putAccount(at, new Account(1n, 0n));
  await stateManager.putAccount(caller, new Account(0n, 10n ** 18n));
  await stateManager.putCode(at, code);
  let steps = 0;
  evm.events!.on("step", () => {
    steps++;
  });
  await evm.runCall({ to: at, caller, gasLimit: BigInt(gasLimit) });
  const stepsPerGas = steps / gasLimit;
  const stepsAtOsakaCap = Math.floor(stepsPerGas * 2 ** 24);
  return { gasLimit, steps, stepsPerGas: Number(stepsPerGas.toFixed(4)), stepsAtOsakaCap, bisectionRoundsAtOsakaCap: Math.ceil(Math.log2(stepsAtOsakaCap)) };
}
