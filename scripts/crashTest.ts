/**
 * The crash test: a sequencer in its own process, under a steady load of signed transfers,
 * SIGKILLed at random moments and restarted, again and again. L1 (Hardhat, in this process)
 * outlives it. Passes only if no acknowledged transaction is lost or duplicated, no batch was
 * posted twice, and a replica rebuilt from L1 alone has the sequencer's state root at every batch.
 *
 *   npm run test:crash [-- --kills 20 --senders 16 --seed 7]
 *
 * Prints one JSON document of counts; exits 0 only when every check holds.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import { HDNodeWallet, Mnemonic, parseEther } from "ethers";
import secp256k1 from "secp256k1";
import { deployCairn } from "../deploy/cairn";
import { DEVNET_PARAMS } from "../deploy/params";
import { rng } from "../bench/workload";
import { ReplicaNode } from "../src/node/replica/replicaNode";
import { silentLogger } from "../src/shared/logger";
import { keccak256 } from "../src/core/hash";
import { bytesToAddress } from "../src/core/bytes";
import { rawTransaction, signingHash } from "../src/core/txSigning";
import { freePort } from "./lib/net";

export interface CrashTestOptions {
  kills: number;
  senders: number;
  seed: number;
  /** Milliseconds between a restart and the next kill: drawn from [min, max]. */
  upMs: [number, number];
  log?: (line: string) => void;
}

export interface CrashTestResult {
  kills: number;
  acknowledged: number;
  lost: number;
  duplicated: number;
  batches: number;
  batchesPostedTwice: number;
  rootsChecked: number;
  rootMismatches: number;
  /** Restarts that loaded the chain from the node's store, and ones that had to rebuild it from L1. */
  startups?: { fromStore: number; rebuilt: number };
  ok: boolean;
}

const MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
const CHAIN_ID = DEVNET_PARAMS.l2ChainId;


async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

function signTransfer(key: Buffer, nonce: bigint, to: string): string {
  const tx = { fee: { type: 2 as const, maxPriorityFeePerGas: 0n, maxFeePerGas: 1_000_000_000n, gasLimit: 30_000n }, chainId: CHAIN_ID, nonce, to, value: 1_000n + nonce, data: Buffer.alloc(0) };
  const { signature, recid } = secp256k1.ecdsaSign(signingHash(tx), key);
  return "0x" + rawTransaction(tx, { r: Buffer.from(signature.subarray(0, 32)), s: Buffer.from(signature.subarray(32)), yParity: recid as 0 | 1 }).toString("hex");
}

export async function runCrashTest(options: CrashTestOptions): Promise<CrashTestResult> {
  const log = options.log ?? (() => {});
  const random = rng(options.seed);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-crash-"));

  // L1: the in-process Hardhat network, served over HTTP so the sequencer process can reach it.
  const server = (await hre.run(TASK_NODE_CREATE_SERVER, { hostname: "127.0.0.1", port: 0, provider: hre.network.provider })) as { listen(): Promise<{ port: number }>; close(): Promise<void> };
  const l1Url = `http://127.0.0.1:${(await server.listen()).port}`;
  const [deployer, funder] = await hre.ethers.getSigners();
  const sequencerKey = HDNodeWallet.fromMnemonic(MNEMONIC, "m/44'/60'/0'/0/12");
  await (await funder.sendTransaction({ to: sequencerKey.address, value: parseEther("100") })).wait();
  const d = await deployCairn(deployer, { ...DEVNET_PARAMS, sequencer: sequencerKey.address });
  const keys = Array.from({ length: options.senders }, (_, i) => keccak256(Buffer.from(`cairn-crash-${options.seed}-${i}`)));
  const addresses = keys.map((k) => bytesToAddress(keccak256(Buffer.from(secp256k1.publicKeyCreate(k, false)).subarray(1)).subarray(12)));
  for (const a of addresses) await (await d.bridge.connect(funder).depositETH(a, { value: parseEther("10") })).wait();

  const rpcPort = await freePort();
  const l2Url = `http://127.0.0.1:${rpcPort}`;
  let child: ChildProcess | null = null;
  const start = () => {
    child = spawn(
      process.execPath,
      ["--max-semi-space-size=64", path.resolve("bin/cairn.js"), "--devnet", path.join(dir, "none.json"), "node", "--role", "sequencer", "--l1-rpc", l1Url, "--rollup", d.addresses.rollup, "--from-block", String(d.deployBlock), "--data-dir", path.join(dir, "data"), "--rpc-port", String(rpcPort), "--poll-ms", "100", "--block-time", "50"],
      { env: { ...process.env, CAIRN_PRIVATE_KEY: sequencerKey.privateKey, CAIRN_LOG_JSON: "1", CAIRN_LOG_LEVEL: "info" }, stdio: ["ignore", "pipe", "inherit"] },
    );
    // How each start came up, from the node's own log.
    let buffered = "";
    child.stdout!.on("data", (d: Buffer) => {
      buffered += d.toString();
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.includes("loaded the chain from the store")) startups.fromStore++;
        if (line.includes("rebuilding from L1")) startups.rebuilt++;
      }
    });
  };
  const startups = { fromStore: 0, rebuilt: 0 };
  const up = async () => {
    for (let i = 0; i < 600; i++) {
      if (await rpc(l2Url, "eth_chainId", []).then(() => true, () => false)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("the sequencer did not come up within 30 s");
  };

  // Load: every sender sends its next nonce as soon as the previous one was acknowledged.
  const acknowledged = new Set<string>();
  let loading = true;
  const sender = async (i: number) => {
    let nonce: bigint | null = null;
    while (loading) {
      try {
        nonce ??= BigInt((await rpc(l2Url, "eth_getTransactionCount", [addresses[i], "pending"])) as string);
        const hash = (await rpc(l2Url, "eth_sendRawTransaction", [signTransfer(keys[i], nonce, addresses[(i + 1) % addresses.length])])) as string;
        acknowledged.add(hash);
        nonce++;
      } catch {
        // Down, or the nonce moved (a send that was accepted but not acknowledged): ask again.
        nonce = null;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };

  let kills = 0;
  let result: CrashTestResult;
  try {
    start();
    await up();
    const load = Promise.all(addresses.map((_, i) => sender(i)));
    for (; kills < options.kills; kills++) {
      await new Promise((r) => setTimeout(r, options.upMs[0] + random() * (options.upMs[1] - options.upMs[0])));
      const dying = child!;
      const exited = new Promise((r) => dying.once("exit", r));
      dying.kill("SIGKILL");
      await exited;
      log(`kill ${kills + 1}/${options.kills}: ${acknowledged.size} acknowledged so far`);
      start();
      await up();
    }
    loading = false;
    await load;

    // Where every acknowledged transaction landed (null: lost), then let the sequencer post every
    // block that holds one: a batch is due 2 s after its oldest block with transactions. (The empty
    // blocks an idle chain seals each second after those are posted only once 30 s old, and hold
    // nothing to check: waiting for them, latest = safe, cost ~30 s a run.)
    const landed = new Map<string, number | null>();
    for (const hash of acknowledged) {
      const receipt = (await rpc(l2Url, "eth_getTransactionReceipt", [hash])) as { blockNumber: string } | null;
      landed.set(hash, receipt ? Number(receipt.blockNumber) : null);
    }
    const lastLoaded = Math.max(0, ...[...landed.values()].map((n) => n ?? 0));
    let safe = -1;
    for (let i = 0; i < 600 && safe < lastLoaded; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      safe = Number(((await rpc(l2Url, "eth_getBlockByNumber", ["safe", false])) as { number: string }).number);
    }
    if (safe < lastLoaded) throw new Error(`the sequencer did not post block ${lastLoaded} (the last with an acknowledged transaction) within 60 s: safe is ${safe}`);
    log(`posted through block ${safe} (the last acknowledged transaction is in block ${lastLoaded})`);
    result = { ...(await check(l2Url, d, landed, kills)), startups };
  } finally {
    loading = false;
    const c = child as ChildProcess | null;
    if (c && c.exitCode === null) {
      const exited = new Promise((r) => c.once("exit", r));
      c.kill("SIGTERM");
      await exited;
    }
    await server.close();
  }
  return result;
}

/** `landed`: every acknowledged hash, with the block its receipt names (null: no receipt). */
async function check(l2Url: string, d: Awaited<ReturnType<typeof deployCairn>>, landed: Map<string, number | null>, kills: number): Promise<CrashTestResult> {
  // Exactly once: every acknowledged hash has a receipt, and no hash is in two blocks.
  const lost = [...landed.values()].filter((n) => n === null).length;
  const latest = Number(((await rpc(l2Url, "eth_getBlockByNumber", ["latest", false])) as { number: string }).number);
  const seen = new Map<string, number>();
  for (let n = 0; n <= latest; n++) {
    const block = (await rpc(l2Url, "eth_getBlockByNumber", ["0x" + n.toString(16), false])) as { transactions: string[] };
    for (const h of block.transactions) seen.set(h, (seen.get(h) ?? 0) + 1);
  }
  const duplicated = [...seen.values()].filter((c) => c > 1).length;

  // No batch posted twice: one BatchSubmitted per index (no fraud proofs happen here).
  const submitted = await d.rollup.queryFilter(d.rollup.filters.BatchSubmitted(), d.deployBlock);
  const perIndex = new Map<number, number>();
  for (const e of submitted) perIndex.set(Number(e.args.index), (perIndex.get(Number(e.args.index)) ?? 0) + 1);
  const batchesPostedTwice = [...perIndex.values()].filter((c) => c > 1).length;

  // A replica from L1 alone: the sequencer's state root at the end of every batch.
  const replica = new ReplicaNode({ l1Provider: hre.ethers.provider, addresses: d.addresses, startBlock: d.deployBlock, confirmations: 0, chainId: CHAIN_ID, pollMs: 1_000, logger: silentLogger });
  await replica.start();
  let rootMismatches = 0;
  try {
    for (const b of replica.chain.batches) {
      const theirs = (await rpc(l2Url, "eth_getBlockByNumber", ["0x" + b.lastBlock.toString(16), false])) as { stateRoot: string } | null;
      if (theirs?.stateRoot !== replica.chain.block(b.lastBlock)!.stateRoot) rootMismatches++;
    }
  } finally {
    await replica.stop();
  }
  const batches = Number(await d.rollup.batchCount());
  const rootsChecked = replica.chain.batches.length;
  const ok = lost === 0 && duplicated === 0 && batchesPostedTwice === 0 && rootMismatches === 0 && rootsChecked === batches && landed.size > 0;
  return { kills, acknowledged: landed.size, lost, duplicated, batches, batchesPostedTwice, rootsChecked, rootMismatches, ok };
}

if (require.main === module) {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  runCrashTest({ kills: arg("kills", 20), senders: arg("senders", 16), seed: arg("seed", 7), upMs: [arg("min-up-ms", 300), arg("max-up-ms", 2_500)], log: (l) => process.stderr.write(l + "\n") })
    .then((r) => {
      process.stdout.write(JSON.stringify(r, null, 2) + "\n");
      process.exit(r.ok ? 0 : 1);
    })
    .catch((e: unknown) => {
      process.stderr.write(`crash test failed to run: ${(e as Error).stack}\n`);
      process.exit(2);
    });
}
