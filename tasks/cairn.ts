/**
 * Hardhat tasks for Cairn's everyday operations on any network Hardhat knows:
 *
 *   npx hardhat cairn:deposit --network localhost --amount 1.5 [--token 0x…] [--to 0x…]
 *   npx hardhat cairn:status --network localhost --l2 http://127.0.0.1:8547
 *   npx hardhat cairn:transfer --network localhost --to 0x… --amount 0.5 [--token 0x…]
 *   npx hardhat cairn:withdraw --network localhost --amount 0.5 [--token 0x…] [--to 0x…]
 *   npx hardhat cairn:finalize --network localhost --l2 http://127.0.0.1:8547 --id 3
 *
 * Contract addresses come from `--bridge`/`--rollup`, else from `.cairn/devnet.json` (or
 * `--devnet FILE`). The L1 signer is the network's first account; on L2 the same account signs
 * with its key from the network's configuration (or CAIRN_PRIVATE_KEY, which wins).
 */
import fs from "node:fs";
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

interface Addresses {
  bridge: string;
  rollup: string;
}

function addresses(args: { bridge?: string; rollup?: string; devnet: string }): Addresses {
  if (args.bridge && args.rollup) return { bridge: args.bridge, rollup: args.rollup };
  try {
    const info = JSON.parse(fs.readFileSync(args.devnet, "utf8")) as { contracts: Addresses };
    return { bridge: args.bridge ?? info.contracts.bridge, rollup: args.rollup ?? info.contracts.rollup };
  } catch {
    throw new Error(`no contract addresses: pass --bridge and --rollup, or run a devnet that writes ${args.devnet}`);
  }
}

async function client(hre: HardhatRuntimeEnvironment, args: { bridge?: string; rollup?: string; devnet: string; l2: string }) {
  // Loaded lazily: the SDK uses typechain types, which exist only after the first compile.
  const { CairnClient } = await import("../src/sdk");
  const [signer] = await hre.ethers.getSigners();
  const l2 = new hre.ethers.JsonRpcProvider(args.l2, undefined, { staticNetwork: true, cacheTimeout: -1 });
  return { cairn: new CairnClient({ l1: signer, l2, addresses: addresses(args), pollMs: 250 }), l2, signer };
}

/**
 * The L2 signer: CAIRN_PRIVATE_KEY, else the key behind the network's first account (a key list
 * or an HD mnemonic in hardhat.config.ts; for `localhost`, Hardhat's default mnemonic, which is
 * what the devnet's embedded L1 uses), so L1 and L2 act as the same address.
 */
async function l2Wallet(hre: HardhatRuntimeEnvironment, l2: import("ethers").JsonRpcProvider) {
  const { Wallet, HDNodeWallet, Mnemonic } = hre.ethers;
  const env = process.env.CAIRN_PRIVATE_KEY;
  if (env) return new Wallet(env, l2);
  const [signer] = await hre.ethers.getSigners();
  const accounts = hre.network.config.accounts;
  const hd = accounts === "remote" ? hre.config.networks.hardhat.accounts : accounts;
  let wallet: import("ethers").Wallet | import("ethers").HDNodeWallet | undefined;
  if (Array.isArray(hd) && typeof hd[0] === "string") wallet = new Wallet(hd[0] as string, l2);
  else if (!Array.isArray(hd) && typeof hd === "object" && "mnemonic" in hd) {
    const config = hd as { mnemonic: string; path: string; initialIndex: number; passphrase?: string };
    wallet = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(config.mnemonic, config.passphrase), `${config.path}/${config.initialIndex}`).connect(l2);
  }
  if (!wallet || wallet.address !== signer.address) {
    throw new Error(`no L2 key for ${signer.address} on network ${hre.network.name}: set CAIRN_PRIVATE_KEY`);
  }
  return wallet;
}

/** An amount in whole units of ETH or of the L1 token `token`. */
async function units(hre: HardhatRuntimeEnvironment, amount: string, token: string | undefined): Promise<bigint> {
  const [signer] = await hre.ethers.getSigners();
  const decimals = token ? Number(await new hre.ethers.Contract(token, ["function decimals() view returns (uint8)"], signer).decimals()) : 18;
  return hre.ethers.parseUnits(amount, decimals);
}

const common = (t: ReturnType<typeof task>) =>
  t
    .addOptionalParam("bridge", "the Bridge address")
    .addOptionalParam("rollup", "the Rollup address")
    .addOptionalParam("devnet", "devnet description to read addresses from", ".cairn/devnet.json")
    .addOptionalParam("l2", "the Cairn L2 JSON-RPC URL", "http://127.0.0.1:8547");

common(task("cairn:deposit", "Deposit ETH or a bridged ERC-20 to Cairn, and wait for the L2 credit"))
  .addParam("amount", "amount in whole units (e.g. 1.5)")
  .addOptionalParam("token", "the L1 token (ETH when absent)")
  .addOptionalParam("to", "the L2 recipient (the signer when absent)")
  .addFlag("nowait", "do not wait for the L2 credit")
  .setAction(async (args, hre) => {
    const { cairn, l2 } = await client(hre, args);
    try {
      const amount = await units(hre, args.amount, args.token);
      const d = args.token ? await cairn.depositERC20(args.token, amount, args.to) : await cairn.depositETH(amount, args.to);
      console.log(`deposited ${args.amount} ${args.token ?? "ETH"} (queue entry ${d.queueIndex}, L1 tx ${d.l1Tx})`);
      if (!args.nowait) {
        await d.credited;
        console.log("credited on L2");
      }
      return d.queueIndex;
    } finally {
      l2.destroy();
    }
  });

common(task("cairn:transfer", "Send ETH or a bridged token to another account on Cairn"))
  .addParam("to", "the L2 recipient")
  .addParam("amount", "amount in whole units (e.g. 1.5)")
  .addOptionalParam("token", "the L1 token whose L2 twin to send (ETH when absent)")
  .setAction(async (args, hre) => {
    const { cairn, l2 } = await client(hre, args);
    try {
      const wallet = await l2Wallet(hre, l2);
      const amount = await units(hre, args.amount, args.token);
      const tx = args.token
        ? await new hre.ethers.Contract(cairn.l2TokenAddress(args.token), ["function transfer(address to, uint256 amount) returns (bool)"], wallet).transfer(args.to, amount)
        : await wallet.sendTransaction({ to: args.to, value: amount });
      const receipt = (await tx.wait())!;
      console.log(`sent ${args.amount} ${args.token ?? "ETH"} to ${args.to} in L2 block ${receipt.blockNumber} (${receipt.hash})`);
      return receipt.hash;
    } finally {
      l2.destroy();
    }
  });

common(task("cairn:withdraw", "Start a withdrawal from Cairn to L1; cairn:finalize pays it out once its batch is final"))
  .addParam("amount", "amount in whole units (e.g. 1.5)")
  .addOptionalParam("token", "the L1 token to withdraw (ETH when absent)")
  .addOptionalParam("to", "the L1 recipient (the signer when absent)")
  .setAction(async (args, hre) => {
    const { cairn, l2 } = await client(hre, args);
    try {
      const wallet = await l2Wallet(hre, l2);
      const amount = await units(hre, args.amount, args.token);
      const w = await cairn.withdraw(wallet, { amount, l1Recipient: args.to, l1Token: args.token });
      console.log(`withdrawal ${w.withdrawalId} started (L2 tx ${w.l2Tx}); finalize it once its batch is final`);
      return w.withdrawalId;
    } finally {
      l2.destroy();
    }
  });

common(task("cairn:status", "Print the rollup's status as the L2 node reports it")).setAction(async (args, hre) => {
  const { l2 } = await client(hre, args);
  try {
    const status = await l2.send("rollup_status", []);
    console.log(JSON.stringify(status, null, 2));
    return status;
  } finally {
    l2.destroy();
  }
});

common(task("cairn:finalize", "Finalize a withdrawal whose batch is final"))
  .addParam("id", "the withdrawal id", undefined, types.string)
  .setAction(async (args, hre) => {
    const { cairn, l2 } = await client(hre, args);
    try {
      const id = BigInt(args.id);
      const status = await cairn.getWithdrawalStatus(id);
      if (status.state !== "ready") throw new Error(`withdrawal ${id} is ${status.state}${status.challengeableUntil ? ` until ${new Date(status.challengeableUntil * 1000).toISOString()}` : ""}`);
      const receipt = await cairn.finalizeWithdrawal(id);
      console.log(`withdrawal ${id} paid out (L1 tx ${receipt.hash})`);
      return receipt.hash;
    } finally {
      l2.destroy();
    }
  });
