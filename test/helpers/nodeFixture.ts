import { ethers } from "hardhat";
import { Wallet, parseEther } from "ethers";
import { deployCairn } from "../../deploy/cairn";
import { DEVNET_PARAMS } from "../../deploy/params";
import { SequencerNode } from "../../src/node/sequencer/sequencerNode";
import { type SequencerNodeConfig } from "../../src/node/config";
import { silentLogger } from "../../src/shared/logger";
import { SEQUENCER_DEFAULTS } from "../../src/node/config";
import type { TestToken } from "../../typechain-types";
import { jsonRpc } from "../../src/app/jsonRpc";

/**
 * Cairn deployed on the in-process Hardhat L1 with a sequencer node (RPC on a free port) and
 * `users` fresh wallets holding 10 ETH and 1,000 test tokens on L2. Call `stop()` when done.
 */
export async function startTestNode(users = 2, overrides: Partial<SequencerNodeConfig> = {}) {
  const [deployer, funder] = await ethers.getSigners();
  const d = await deployCairn(deployer, DEVNET_PARAMS);
  const token = (await ethers.deployContract("TestToken", ["Test Token", "TEST", 18], funder)) as unknown as TestToken;
  await token.mint(funder.address, parseEther("1000000"));
  await token.approve(d.addresses.bridge, ethers.MaxUint256);
  await d.bridge.registerToken(token);
  const wallets = Array.from({ length: users }, () => Wallet.createRandom());
  for (const w of wallets) {
    await d.bridge.connect(funder).depositETH(w.address, { value: parseEther("10") });
    await d.bridge.connect(funder).depositERC20(token, w.address, parseEther("1000"));
  }
  const node = new SequencerNode(testNodeConfig(d, deployer, { maxBatchAgeMs: 60_000, ...overrides }));
  await node.start();
  node.sequencer.sealBlock();
  return { ...d, deployer, funder, token, wallets, node, url: node.rpcUrl!, stop: () => node.stop() };
}

/** A sequencer on the in-process L1 with test timings, its RPC on a free port. */
export function testNodeConfig(
  d: Awaited<ReturnType<typeof deployCairn>>,
  sequencer: Awaited<ReturnType<typeof ethers.getSigners>>[number],
  overrides: Partial<SequencerNodeConfig> = {},
): SequencerNodeConfig {
  return {
    ...SEQUENCER_DEFAULTS,
    l1Provider: ethers.provider,
    l1Signer: sequencer,
    addresses: d.addresses,
    startBlock: d.deployBlock,
    chainId: DEVNET_PARAMS.l2ChainId,
    feeRecipient: sequencer.address,
    blockTimeMs: 50,
    l1PollMs: 100,
    // Tests sign with fixed prices around BASE_FEE: the base fee stays at its floor.
    l1GasPerByte: 0n,
    // Tests count blocks: none sealed empty unless a test asks.
    emptyBlockMs: 0,
    serve: jsonRpc({ host: "127.0.0.1", port: 0, logger: silentLogger }),
    logger: silentLogger,
    ...overrides,
  };
}

/** A challenger (or fallback proposer) on the in-process L1, following the test deployment. */
export function testChallengerOptions(d: Awaited<ReturnType<typeof deployCairn>>, signer: Awaited<ReturnType<typeof ethers.getSigners>>[number]) {
  return {
    l1Provider: ethers.provider,
    l1Signer: signer,
    addresses: d.addresses,
    startBlock: d.deployBlock,
    confirmations: 0,
    chainId: DEVNET_PARAMS.l2ChainId,
    pollMs: 100,
    logger: silentLogger,
  };
}

/** POSTs a raw body to a JSON-RPC URL and returns status and parsed JSON. */
export async function postRaw(url: string, body: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

export async function rpc(url: string, method: string, params: unknown[] = []): Promise<{ result?: unknown; error?: { code: number; message: string } }> {
  const { json } = await postRaw(url, JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }));
  return json as { result?: unknown; error?: { code: number; message: string } };
}
