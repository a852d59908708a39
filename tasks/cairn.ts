/**
 * Hardhat tasks for Cairn's everyday operations. Next to a running devnet they need no flags:
 *
 *   npx hardhat cairn:deposit --amount 1.5 [--token 0x…|CTT] [--to 0x…] [--account N]
 *   npx hardhat cairn:transfer --to 0x… --amount 0.5 [--token …] [--account N]
 *   npx hardhat cairn:withdraw --amount 0.5 [--token …] [--to 0x…] [--account N]
 *   npx hardhat cairn:finalize --id 3 [--account N]
 *   npx hardhat cairn:status
 *
 * Where they act: with `.cairn/devnet.json` (or `--devnet FILE`) present and no `--network`
 * given, on that devnet — its L1 and L2 URLs, its contracts, and its funded test key N
 * (`--account`, default 0: the CLI's keys). With `--network NAME`, on that network's L1 with its
 * first account (or CAIRN_PRIVATE_KEY, which always wins), the L2 at `--l2` and the contracts at
 * `--bridge`/`--rollup` (else the devnet file's). A failure is one line, not a stack trace.
 */
import { task, types } from "hardhat/config";
import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { JsonRpcProvider, Provider, Signer } from "ethers";
import { readDevnetInfo, type DevnetInfo } from "../src/sdk/devnetFile";
import { failureLine } from "../src/cli/failure";

interface CommonArgs {
  bridge?: string;
  rollup?: string;
  devnet: string;
  l2?: string;
  account?: number;
}

const DEFAULT_L2 = "http://127.0.0.1:8547";

/** What a task acts on and as whom. */
interface Target {
  l1: Provider;
  l1Signer: Signer;
  l2: JsonRpcProvider;
  l2Signer: Signer;
  addresses: { bridge: string; rollup: string };
  devnet: DevnetInfo | null;
}

async function target(hre: HardhatRuntimeEnvironment, args: CommonArgs): Promise<Target> {
  const { ethers } = hre;
  const devnet = readDevnetInfo(args.devnet);
  // Hardhat's default network is an empty in-process chain: with a devnet file, the devnet is meant.
  const onDevnet = devnet !== null && hre.network.name === "hardhat";
  const l1 = onDevnet ? new ethers.JsonRpcProvider(devnet.l1.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 }) : ethers.provider;
  const l2 = new ethers.JsonRpcProvider(args.l2 ?? devnet?.l2.rpcUrl ?? DEFAULT_L2, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const key = process.env.CAIRN_PRIVATE_KEY ?? (onDevnet || args.account !== undefined ? devnetKey(devnet, args.devnet, args.account ?? 0) : null);
  const l1Signer = key ? new ethers.Wallet(key, l1) : (await ethers.getSigners())[0];
  const l2Signer = key ? new ethers.Wallet(key, l2) : await networkL2Wallet(hre, l2);
  const bridge = args.bridge ?? devnet?.contracts.bridge;
  const rollup = args.rollup ?? devnet?.contracts.rollup;
  if (!bridge || !rollup) throw new HardhatPluginError("cairn", `no contract addresses: pass --bridge and --rollup, or run a devnet that writes ${args.devnet}`);
  return { l1, l1Signer, l2, l2Signer, addresses: { bridge, rollup }, devnet };
}

function devnetKey(devnet: DevnetInfo | null, file: string, account: number): string {
  if (!devnet) throw new HardhatPluginError("cairn", `--account ${account} names a devnet test key, but there is no devnet description at ${file}`);
  const entry = devnet.accounts[account];
  if (!entry) throw new HardhatPluginError("cairn", `the devnet has ${devnet.accounts.length} test keys; --account ${account} is not one of them`);
  return entry.privateKey;
}

/**
 * The L2 signer for a named network: the key behind its first account (a key list or an HD
 * mnemonic in hardhat.config.ts; `localhost` uses Hardhat's default mnemonic, as the devnet's
 * embedded L1 does), so L1 and L2 act as the same address.
 */
async function networkL2Wallet(hre: HardhatRuntimeEnvironment, l2: JsonRpcProvider): Promise<Signer> {
  const { Wallet, HDNodeWallet, Mnemonic } = hre.ethers;
  const [signer] = await hre.ethers.getSigners();
  const accounts = hre.network.config.accounts;
  const hd = accounts === "remote" ? hre.config.networks.hardhat.accounts : accounts;
  let wallet: Signer | undefined;
  if (Array.isArray(hd) && typeof hd[0] === "string") wallet = new Wallet(hd[0] as string, l2);
  else if (!Array.isArray(hd) && typeof hd === "object" && "mnemonic" in hd) {
    const config = hd as { mnemonic: string; path: string; initialIndex: number; passphrase?: string };
    wallet = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(config.mnemonic, config.passphrase), `${config.path}/${config.initialIndex}`).connect(l2);
  }
  if (!wallet || (await wallet.getAddress()) !== signer.address) {
    throw new HardhatPluginError("cairn", `no L2 key for ${signer.address} on network ${hre.network.name}: set CAIRN_PRIVATE_KEY`);
  }
  return wallet;
}

async function client(t: Target) {
  // Loaded lazily: the SDK uses typechain types, which exist only after the first compile.
  const { CairnClient } = await import("../src/sdk");
  return new CairnClient({ l1: t.l1Signer, l2: t.l2, addresses: t.addresses, pollMs: 250 });
}

/** The L1 token `--token` names: an address, or the devnet test token's symbol. */
function tokenOf(t: Target, token: string | undefined): string | undefined {
  if (token === undefined || token.toUpperCase() === "ETH") return undefined;
  if (t.devnet && token.toUpperCase() === t.devnet.testToken.symbol.toUpperCase()) return t.devnet.testToken.l1;
  if (!/^0x[0-9a-fA-F]{40}$/.test(token)) throw new HardhatPluginError("cairn", `--token must be ETH, an L1 token address${t.devnet ? ` or ${t.devnet.testToken.symbol}` : ""}, not "${token}"`);
  return token;
}

/** An amount in whole units of ETH or of the L1 token `token`. */
async function units(hre: HardhatRuntimeEnvironment, t: Target, amount: string, token: string | undefined): Promise<bigint> {
  const decimals = token ? Number(await new hre.ethers.Contract(token, ["function decimals() view returns (uint8)"], t.l1).decimals()) : 18;
  try {
    const value = hre.ethers.parseUnits(amount, decimals);
    if (value > 0n) return value;
  } catch (e) {
    if (!(e instanceof Error)) throw e;
  }
  throw new HardhatPluginError("cairn", `--amount must be a positive decimal number such as 1.5, not "${amount}"`);
}

/**
 * Runs a task's body on its target and closes what it opened. Whatever fails is one line — the
 * node's refusal, a revert's name, or the error's own first line — as a HardhatPluginError,
 * which Hardhat prints without a stack trace (unless --show-stack-traces).
 */
function oneLine<A extends CommonArgs, R>(body: (args: A, hre: HardhatRuntimeEnvironment, t: Target) => Promise<R>) {
  return async (args: A, hre: HardhatRuntimeEnvironment): Promise<R> => {
    let t: Target | null = null;
    try {
      t = await target(hre, args);
      return await body(args, hre, t);
    } catch (e) {
      if (e instanceof HardhatPluginError) throw e;
      throw new HardhatPluginError("cairn", explain(e), e as Error);
    } finally {
      t?.l2.destroy();
      if (t && t.l1 !== hre.ethers.provider) (t.l1 as JsonRpcProvider).destroy();
    }
  };
}

function explain(e: unknown): string {
  const err = e as { code?: string; shortMessage?: string; message?: string };
  if (err.code === "ECONNREFUSED" || /ECONNREFUSED|failed to detect network/.test(err.message ?? "")) return `cannot reach a node: ${err.shortMessage ?? err.message}`;
  return failureLine(e);
}

const common = (t: ReturnType<typeof task>) =>
  t
    .addOptionalParam("bridge", "the Bridge address (default: the devnet's)")
    .addOptionalParam("rollup", "the Rollup address (default: the devnet's)")
    .addOptionalParam("devnet", "devnet description to read URLs, addresses and test keys from", ".cairn/devnet.json")
    .addOptionalParam("l2", `the Cairn L2 JSON-RPC URL (default: the devnet's, else ${DEFAULT_L2})`)
    .addOptionalParam("account", "use the devnet's funded test key N", undefined, types.int);

common(task("cairn:deposit", "Deposit ETH or a bridged ERC-20 to Cairn, and wait for the L2 credit"))
  .addParam("amount", "amount in whole units (e.g. 1.5)")
  .addOptionalParam("token", "ETH (default), the L1 token's address, or the devnet token's symbol")
  .addOptionalParam("to", "the L2 recipient (the signer when absent)")
  .addFlag("nowait", "do not wait for the L2 credit")
  .setAction(
    oneLine(async (args: CommonArgs & { amount: string; token?: string; to?: string; nowait: boolean }, hre, t) => {
      const cairn = await client(t);
      const token = tokenOf(t, args.token);
      const amount = await units(hre, t, args.amount, token);
      const d = token ? await cairn.depositERC20(token, amount, args.to) : await cairn.depositETH(amount, args.to);
      console.log(`deposited ${args.amount} ${args.token ?? "ETH"} (queue entry ${d.queueIndex}, L1 tx ${d.l1Tx})`);
      if (!args.nowait) {
        await d.credited;
        console.log("credited on L2");
      }
      return d.queueIndex;
    }),
  );

common(task("cairn:transfer", "Send ETH or a bridged token to another account on Cairn"))
  .addParam("to", "the L2 recipient")
  .addParam("amount", "amount in whole units (e.g. 1.5)")
  .addOptionalParam("token", "ETH (default), the L1 token's address, or the devnet token's symbol")
  .setAction(
    oneLine(async (args: CommonArgs & { to: string; amount: string; token?: string }, hre, t) => {
      const cairn = await client(t);
      const token = tokenOf(t, args.token);
      const amount = await units(hre, t, args.amount, token);
      const tx = token
        ? await new hre.ethers.Contract(cairn.l2TokenAddress(token), ["function transfer(address to, uint256 amount) returns (bool)"], t.l2Signer).transfer(args.to, amount)
        : await t.l2Signer.sendTransaction({ to: args.to, value: amount });
      const receipt = (await tx.wait())!;
      console.log(`sent ${args.amount} ${args.token ?? "ETH"} to ${args.to} in L2 block ${receipt.blockNumber} (${receipt.hash})`);
      return receipt.hash;
    }),
  );

common(task("cairn:withdraw", "Start a withdrawal from Cairn to L1; cairn:finalize pays it out once its batch is final"))
  .addParam("amount", "amount in whole units (e.g. 1.5)")
  .addOptionalParam("token", "ETH (default), the L1 token's address, or the devnet token's symbol")
  .addOptionalParam("to", "the L1 recipient (the signer when absent)")
  .setAction(
    oneLine(async (args: CommonArgs & { amount: string; token?: string; to?: string }, hre, t) => {
      const cairn = await client(t);
      const token = tokenOf(t, args.token);
      const amount = await units(hre, t, args.amount, token);
      const w = await cairn.withdraw(t.l2Signer, { amount, l1Recipient: args.to, l1Token: token });
      console.log(`withdrawal ${w.withdrawalId} started (L2 tx ${w.l2Tx}); finalize it once its batch is final`);
      return w.withdrawalId;
    }),
  );

common(task("cairn:status", "Print the rollup's status as the L2 node reports it")).setAction(
  oneLine(async (_args: CommonArgs, _hre, t) => {
    const status = await t.l2.send("rollup_status", []);
    console.log(JSON.stringify(status, null, 2));
    return status;
  }),
);

common(task("cairn:finalize", "Finalize a withdrawal whose batch is final"))
  .addParam("id", "the withdrawal id", undefined, types.string)
  .setAction(
    oneLine(async (args: CommonArgs & { id: string }, _hre, t) => {
      if (!/^\d+$/.test(args.id)) throw new HardhatPluginError("cairn", `--id must be a whole number, not "${args.id}"`);
      const cairn = await client(t);
      const id = BigInt(args.id);
      const status = await cairn.getWithdrawalStatus(id);
      if (status.state !== "ready") throw new HardhatPluginError("cairn", `withdrawal ${id} is ${status.state}${status.challengeableUntil ? ` until ${new Date(status.challengeableUntil * 1000).toISOString()}` : ""}`);
      const receipt = await cairn.finalizeWithdrawal(id);
      console.log(`withdrawal ${id} paid out (L1 tx ${receipt.hash})`);
      return receipt.hash;
    }),
  );
