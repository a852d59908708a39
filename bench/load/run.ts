/**
 * Runs the load generator (bench/load/generator.ts, its own process) against two targets on
 * this machine: a Cairn sequencer on the in-process Hardhat L1, posting its batches there as
 * usual, and `hardhat node` (automine) — the same transfers, the same connections.
 */
import { spawn } from "node:child_process";
import hre from "hardhat";
import { JsonRpcProvider, parseEther } from "ethers";
import { deployCairn } from "../../deploy/cairn";
import { DEVNET_PARAMS } from "../../deploy/params";
import { SequencerNode } from "../../src/node/sequencer/sequencerNode";
import { SEQUENCER_DEFAULTS } from "../../src/node/config";
import { silentLogger } from "../../src/shared/logger";
import { loadKeys } from "./keys";
import type { LoadSpec } from "./generator";
import { freePort } from "../../scripts/lib/net";
import { jsonRpc } from "../../src/app/jsonRpc";

export interface LoadResult {
  sent: number;
  accepted: number;
  rejected: number;
  errors: Record<string, number>;
  unreceipted: number;
  seconds: number;
  drainMs: number;
  tps: number;
  latencyMs: { p50: number; p99: number };
}

export interface LoadOptions {
  seconds: number;
  senders: number;
  connections: number;
}

/** The generator is a child process; run it without blocking this one's event loop (it serves the sequencer). */
function generateAsync(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "bench/load/generator.ts", JSON.stringify(spec)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!) as LoadResult) : reject(new Error(`load generator exited ${code}`))));
  });
}

/**
 * A Cairn sequencer on the in-process L1, its senders funded through the bridge; it journals to
 * `dataDir` (fsync before a hash is returned), as an operator runs it.
 */
export async function sequencerLoad(options: LoadOptions & { dataDir: string }): Promise<LoadResult> {
  const [deployer, funder] = await hre.ethers.getSigners();
  const d = await deployCairn(deployer, DEVNET_PARAMS);
  const keys = loadKeys(options.senders, 1);
  let last;
  for (const k of keys) last = await d.bridge.connect(funder).depositETH(k.address, { value: parseEther("1") });
  await last!.wait();
  const node = new SequencerNode({
    ...SEQUENCER_DEFAULTS,
    l1Provider: hre.ethers.provider,
    l1Signer: deployer,
    addresses: d.addresses,
    startBlock: d.deployBlock,
    chainId: DEVNET_PARAMS.l2ChainId,
    feeRecipient: deployer.address,
    serve: jsonRpc({ host: "127.0.0.1", port: 0, logger: silentLogger }),
    logger: silentLogger,
    dataDir: options.dataDir,
  });
  await node.start();
  try {
    await node.pollL1();
    node.sequencer.sealBlock();
    return await generateAsync({ url: node.rpcUrl!, chainId: DEVNET_PARAMS.l2ChainId.toString(), senders: options.senders, seed: 1, connections: options.connections, seconds: options.seconds, maxFeePerGas: "1000000000", gasLimit: "30000", presignRate: 8_000 });
  } finally {
    await node.stop();
  }
}

/** `hardhat node` in its own process (automine), senders funded with hardhat_setBalance. */
export async function hardhatNodeLoad(options: LoadOptions): Promise<LoadResult> {
  const port = await freePort();
  const child = spawn(process.execPath, ["node_modules/hardhat/internal/cli/bootstrap.js", "node", "--hostname", "127.0.0.1", "--port", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d) => {
        out += d;
        if (out.includes("Started HTTP")) resolve();
      });
      child.on("exit", (code) => reject(new Error(`hardhat node exited ${code}: ${out.slice(-500)}`)));
    });
    child.stdout!.resume();
    const url = `http://127.0.0.1:${port}`;
    const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
    const keys = loadKeys(options.senders, 2);
    for (const k of keys) await provider.send("hardhat_setBalance", [k.address, "0x" + parseEther("10").toString(16)]);
    provider.destroy();
    return await generateAsync({ url, chainId: "31337", senders: options.senders, seed: 2, connections: options.connections, seconds: options.seconds, maxFeePerGas: "100000000000", gasLimit: "21000", presignRate: 1_000 });
  } finally {
    child.kill("SIGTERM");
  }
}
