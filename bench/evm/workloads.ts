/**
 * The three workloads `npm run bench:evm` runs on every engine, as signed raw transactions, so
 * that each engine executes byte for byte the same transactions from the same pre-state:
 *
 * - `ethTransfer`: a plain send of ETH between funded accounts;
 * - `erc20Transfer`: OpenZeppelin 5 `ERC20.transfer` (contracts/test/TestTokens.sol `TestToken`)
 *   between holders of the token;
 * - `swap`: `BenchPair.swapExactIn` (contracts/test/BenchPair.sol), a constant-product swap that
 *   pulls the input with `transferFrom`, sends the output with `transfer` and re-reads both
 *   balances, as a Uniswap-v2-style router and pair do together.
 *
 * Keys are derived from a fixed seed, so every run measures the same transactions.
 */
import { Interface, Wallet, getCreateAddress, keccak256, toUtf8Bytes } from "ethers";
import { readFileSync } from "node:fs";
import path from "node:path";

/** Hardhat's chain id: the raw transactions run unchanged on the in-process Hardhat network. */
export const BENCH_CHAIN_ID = 31337n;
/** Every sender's and the deployer's starting ETH balance. */
export const FUNDING = 10n ** 21n;
const MAX_FEE = 100_000_000_000n;
const PRIORITY_FEE = 1_000_000_000n;
const TOKEN_UNIT = 10n ** 18n;

export type WorkloadName = "ethTransfer" | "erc20Transfer" | "swap";

/** One workload: the transactions that prepare it (run first, not timed) and the ones timed. */
export interface Workload {
  name: WorkloadName;
  setup: string[];
  timed: string[];
}

/** Every workload, and the accounts the pre-state funds. */
export interface BenchTransactions {
  funded: string[];
  /** Contract deployments (not timed): two tokens and the pair. */
  deploy: string[];
  workloads: Workload[];
  token0: string;
  pair: string;
}

interface Artifact {
  abi: ConstructorParameters<typeof Interface>[0];
  bytecode: string;
}

function artifact(file: string, name: string): Artifact {
  const at = path.join(__dirname, "..", "..", "artifacts", "contracts", "test", file, `${name}.json`);
  return JSON.parse(readFileSync(at, "utf8")) as Artifact;
}

/** A deterministic key: the benchmark signs the same transactions every run. */
function benchWallet(label: string, i: number): Wallet {
  return new Wallet(keccak256(toUtf8Bytes(`cairn:bench-evm:${label}:${i}`)));
}

class Signer {
  private readonly nonces = new Map<string, number>();
  async sign(w: Wallet, to: string | null, data: string, gasLimit: bigint, value = 0n): Promise<string> {
    const nonce = this.nonces.get(w.address) ?? 0;
    this.nonces.set(w.address, nonce + 1);
    return w.signTransaction({
      type: 2,
      chainId: BENCH_CHAIN_ID,
      nonce,
      to,
      data,
      value,
      gasLimit,
      maxFeePerGas: MAX_FEE,
      maxPriorityFeePerGas: PRIORITY_FEE,
    });
  }
}

/**
 * Signs every workload: `senders` accounts, each sending `rounds` timed transactions of each
 * workload (so `senders × rounds` a workload).
 */
export async function buildBenchTransactions(senders: number, rounds: number): Promise<BenchTransactions> {
  const tokenArt = artifact("TestTokens.sol", "TestToken");
  const pairArt = artifact("BenchPair.sol", "BenchPair");
  const token = new Interface(tokenArt.abi);
  const pairIface = new Interface(pairArt.abi);
  const signer = new Signer();
  const deployer = benchWallet("deployer", 0);
  const wallets = Array.from({ length: senders }, (_, i) => benchWallet("sender", i));

  const token0 = getCreateAddress({ from: deployer.address, nonce: 0 });
  const token1 = getCreateAddress({ from: deployer.address, nonce: 1 });
  const pair = getCreateAddress({ from: deployer.address, nonce: 2 });
  const deployData = (a: Artifact, args: unknown[]) => a.bytecode + new Interface(a.abi).encodeDeploy(args).slice(2);
  const deploy = [
    await signer.sign(deployer, null, deployData(tokenArt, ["Bench Zero", "B0", 18]), 3_000_000n),
    await signer.sign(deployer, null, deployData(tokenArt, ["Bench One", "B1", 18]), 3_000_000n),
    await signer.sign(deployer, null, deployData(pairArt, [token0, token1]), 3_000_000n),
  ];

  // Signed in the order they run (each sender's nonces follow it): deployments, then each
  // workload's setup and its timed transactions, workload after workload.
  const eth: Workload = { name: "ethTransfer", setup: [], timed: [] };
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < wallets.length; i++) {
      const next = wallets[(i + 1 + r) % wallets.length];
      eth.timed.push(await signer.sign(wallets[i], next.address, "0x", 21_000n, 10n ** 15n + BigInt(r)));
    }
  }
  // Every sender holds token0, so a transfer to another sender is to a holder: OpenZeppelin's
  // cheaper case (no SSTORE from zero), the common one.
  const erc20: Workload = { name: "erc20Transfer", setup: [], timed: [] };
  for (const w of wallets) erc20.setup.push(await signer.sign(deployer, token0, token.encodeFunctionData("mint", [w.address, 10n ** 6n * TOKEN_UNIT]), 100_000n));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < wallets.length; i++) {
      const next = wallets[(i + 1 + r) % wallets.length];
      erc20.timed.push(await signer.sign(wallets[i], token0, token.encodeFunctionData("transfer", [next.address, TOKEN_UNIT + BigInt(r)]), 80_000n));
    }
  }
  // The pair holds deep reserves; every sender has approved it and sells token0 for token1.
  const swap: Workload = { name: "swap", setup: [], timed: [] };
  const liquidity = 10n ** 9n * TOKEN_UNIT;
  swap.setup.push(await signer.sign(deployer, token0, token.encodeFunctionData("mint", [deployer.address, liquidity]), 100_000n));
  swap.setup.push(await signer.sign(deployer, token1, token.encodeFunctionData("mint", [deployer.address, liquidity]), 100_000n));
  swap.setup.push(await signer.sign(deployer, token0, token.encodeFunctionData("approve", [pair, liquidity]), 100_000n));
  swap.setup.push(await signer.sign(deployer, token1, token.encodeFunctionData("approve", [pair, liquidity]), 100_000n));
  swap.setup.push(await signer.sign(deployer, pair, pairIface.encodeFunctionData("addLiquidity", [liquidity, liquidity]), 300_000n));
  for (const w of wallets) swap.setup.push(await signer.sign(w, token0, token.encodeFunctionData("approve", [pair, 2n ** 256n - 1n]), 100_000n));
  for (let r = 0; r < rounds; r++) {
    for (const w of wallets) {
      swap.timed.push(await signer.sign(w, pair, pairIface.encodeFunctionData("swapExactIn", [true, 10n * TOKEN_UNIT + BigInt(r), 1n, w.address]), 200_000n));
    }
  }
  return { funded: [deployer.address, ...wallets.map((w) => w.address)], deploy, workloads: [eth, erc20, swap], token0, pair };
}
