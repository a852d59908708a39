/**
 * State at past blocks over the L2 JSON-RPC (issue 15, item 4): balances, nonces, token views
 * and eth_getProof at any block the node holds — by number, hash (EIP-1898) or tag — through
 * ethers and viem, on the sequencer, on a replica built from L1, and after a restart.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { DEVNET_PARAMS } from "../../deploy/params";
import { Contract, Interface, JsonRpcProvider, Wallet, type HDNodeWallet } from "ethers";
import { createPublicClient, defineChain, http, parseAbi, type Hex, type PublicClient } from "viem";
import { startTestNode, testNodeConfig, rpc } from "../helpers/nodeFixture";
import { SequencerNode } from "../../src/node/sequencer/sequencerNode";
import { ReplicaNode } from "../../src/node/replica/replicaNode";
import { jsonRpc } from "../../src/app/jsonRpc";
import { silentLogger } from "../../src/shared/logger";
import { l2TokenAddress } from "../../src/core/hashing";
import { verifyAccountProof } from "../../src/sdk";
import type { AccountProofResponse } from "../../src/chain/api";
import { Challenger } from "../../src/node/challenger/challenger";
import { faultyMode } from "../../src/node/sequencer/faults";
import { testChallengerOptions } from "../helpers/nodeFixture";
import { until } from "../helpers/until";

const erc20 = new Interface(["function transfer(address to, uint256 amount)", "function balanceOf(address) view returns (uint256)", "function totalSupply() view returns (uint256)"]);
const hex = (n: number | bigint) => "0x" + n.toString(16);

/** What an address held at a block, as the node's own state said when the block was sealed. */
interface Seen {
  block: number;
  hash: string;
  stateRoot: string;
  balance: Map<string, bigint>;
  nonce: Map<string, bigint>;
  token: Map<string, bigint>;
  supply: bigint;
}

describe("rpc: state at past blocks and eth_getProof", function () {
  this.timeout(120_000);
  let t: Awaited<ReturnType<typeof startTestNode>>;
  let dataDir: string;
  let l2Token: string;
  let alice: HDNodeWallet;
  const bob = Wallet.createRandom().address.toLowerCase();
  const seen: Seen[] = [];
  let node: SequencerNode;

  /** Signs and applies a transaction from alice, seals its block, and notes what everyone holds. */
  async function sealed(tx: { to: string; value?: bigint; data?: string }): Promise<Seen> {
    const raw = await alice.signTransaction({ type: 2, chainId: 51730n, nonce: Number(node.nonce(alice.address, "pending")), gasLimit: 100_000n, maxFeePerGas: node.baseFee * 10n, maxPriorityFeePerGas: 0n, value: 0n, ...tx });
    await node.sendRawTransaction(raw);
    const block = node.sequencer.sealBlock()!;
    const s = node.state;
    const who = [alice.address.toLowerCase(), bob];
    const token = s.tokenByL2Address(l2Token)!.id;
    const at: Seen = {
      block: block.number,
      hash: block.hash,
      stateRoot: block.stateRoot,
      balance: new Map(who.map((a) => [a, s.accountOf(a)?.balance ?? 0n])),
      nonce: new Map(who.map((a) => [a, s.accountOf(a)?.nonce ?? 0n])),
      token: new Map(who.map((a) => [a, s.accountOf(a)?.tokens.get(token) ?? 0n])),
      supply: s.totals().tokens.get(token) ?? 0n,
    };
    seen.push(at);
    return at;
  }

  const viemClient = (url: string) =>
    createPublicClient({
      chain: defineChain({ id: 51730, name: "Cairn", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [url] } }, contracts: { multicall3: { address: "0xca11bde05977b3631167028862be2a173976ca11" } } }),
      transport: http(),
    }) as PublicClient;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-history-"));
    t = await startTestNode(1, { dataDir, blockTimeMs: 60_000, maxBatchAgeMs: 600_000 });
    node = t.node;
    alice = t.wallets[0] as HDNodeWallet;
    l2Token = l2TokenAddress((await t.token.getAddress()).toLowerCase());
    await sealed({ to: bob, value: 1_000n });
    await sealed({ to: l2Token, data: erc20.encodeFunctionData("transfer", [bob, 77n]) });
    await sealed({ to: bob, value: 2_000n });
    await sealed({ to: l2Token, data: erc20.encodeFunctionData("transfer", [bob, 5n]) });
  });
  after(async () => {
    await node?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Every read at every sealed block, through ethers and viem, equals what the node held then. */
  async function expectHistory(url: string, what: string): Promise<void> {
    const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const client = viemClient(url);
    const token = new Contract(l2Token, erc20, provider);
    try {
      for (const s of seen) {
        for (const a of [alice.address.toLowerCase(), bob]) {
          const label = `${what}: ${a === bob ? "bob" : "alice"} at block ${s.block}`;
          expect(await provider.getBalance(a, s.block), label).to.equal(s.balance.get(a));
          expect(await provider.getTransactionCount(a, s.block), label).to.equal(Number(s.nonce.get(a)));
          expect(await token.balanceOf(a, { blockTag: s.block }), label).to.equal(s.token.get(a));
          expect(await client.getBalance({ address: a as Hex, blockNumber: BigInt(s.block) }), label).to.equal(s.balance.get(a));
          expect(await client.getTransactionCount({ address: a as Hex, blockNumber: BigInt(s.block) }), label).to.equal(Number(s.nonce.get(a)));
          const viaViem = await client.readContract({ address: l2Token as Hex, abi: parseAbi(["function balanceOf(address) view returns (uint256)"]), functionName: "balanceOf", args: [a as Hex], blockNumber: BigInt(s.block) });
          expect(viaViem, label).to.equal(s.token.get(a));
          // EIP-1898: the block by its hash.
          expect(BigInt(await provider.send("eth_getBalance", [a, { blockHash: s.hash }])), label).to.equal(s.balance.get(a));
          expect(BigInt(await provider.send("eth_getBalance", [a, { blockNumber: hex(s.block) }])), label).to.equal(s.balance.get(a));
        }
        expect(await token.totalSupply({ blockTag: s.block })).to.equal(s.supply);
        const proof = await client.getProof({ address: bob as Hex, storageKeys: [], blockNumber: BigInt(s.block) });
        expect(verifyAccountProof(proof as never, s.stateRoot), `${what}: bob's proof at ${s.block}`).to.equal(true);
        expect(proof.balance).to.equal(s.balance.get(bob));
      }
    } finally {
      provider.destroy();
    }
  }

  it("answers balances, nonces and token views at each past block as they were, through ethers and viem, by number and by hash", async () => {
    await expectHistory(t.url, "sequencer");
  });

  it("answers the other state reads at a past block: code, storage, rollup_getTokenBalances, Multicall3, eth_estimateGas", async () => {
    const first = seen[0];
    const tokenId = node.state.tokenByL2Address(l2Token)!.id;
    expect((await rpc(t.url, "eth_getCode", [l2Token, "0x0"])).result, "no token is registered at genesis").to.equal("0x");
    expect((await rpc(t.url, "eth_getCode", [l2Token, hex(first.block)])).result).to.equal("0xfe");
    expect((await rpc(t.url, "eth_getCode", [l2Token, "earliest"])).result).to.equal("0x");
    expect((await rpc(t.url, "eth_getStorageAt", [bob, "0x0", { blockHash: first.hash }])).result).to.equal("0x" + "00".repeat(32));
    const balances = (await rpc(t.url, "rollup_getTokenBalances", [bob, hex(seen[1].block)])).result as Array<{ tokenId: number; balance: string }>;
    expect(balances.map((b) => [b.tokenId, BigInt(b.balance)])).to.deep.equal([[tokenId, 77n]]);
    expect((await rpc(t.url, "rollup_getTokenBalances", [bob, hex(first.block)])).result).to.deep.equal([]);
    const client = viemClient(t.url);
    const [held, number] = await client.multicall({
      contracts: [
        { address: l2Token as Hex, abi: parseAbi(["function balanceOf(address) view returns (uint256)"]), functionName: "balanceOf", args: [bob as Hex] },
        { address: "0xca11bde05977b3631167028862be2a173976ca11", abi: parseAbi(["function getBlockNumber() view returns (uint256)"]), functionName: "getBlockNumber" },
      ],
      allowFailure: false,
      blockNumber: BigInt(seen[2].block),
    });
    expect([held, number]).to.deep.equal([77n, BigInt(seen[2].block)]);
    const req = { from: bob, to: alice.address, value: hex(1_000n + 1n) };
    expect((await rpc(t.url, "eth_estimateGas", [req, hex(first.block)])).error?.message, "bob held 1,000 wei then").to.match(/insufficient funds/);
    expect((await rpc(t.url, "eth_estimateGas", [req, hex(seen[2].block)])).result).to.match(/^0x[0-9a-f]+$/);
    expect((await rpc(t.url, "eth_createAccessList", [req, hex(seen[2].block)])).result).to.have.property("gasUsed");
  });

  it("refuses a block it does not have as geth does: -32000 'header not found', and EIP-1898 with both number and hash -32602", async () => {
    const beyond = hex(node.chain.latest.number + 1000);
    for (const method of ["eth_getBalance", "eth_getTransactionCount", "eth_getCode"]) {
      expect((await rpc(t.url, method, [bob, beyond])).error, method).to.deep.equal({ code: -32000, message: "header not found" });
    }
    expect((await rpc(t.url, "eth_call", [{ to: l2Token, data: erc20.encodeFunctionData("balanceOf", [bob]) }, beyond])).error).to.deep.equal({ code: -32000, message: "header not found" });
    expect((await rpc(t.url, "eth_getProof", [bob, [], beyond])).error).to.deep.equal({ code: -32000, message: "header not found" });
    expect((await rpc(t.url, "eth_getBalance", [bob, { blockHash: "0x" + "ee".repeat(32) }])).error).to.deep.equal({ code: -32000, message: "header for hash not found" });
    expect((await rpc(t.url, "eth_getBalance", [bob, { blockHash: seen[0].hash, blockNumber: "0x1" }])).error?.code).to.equal(-32602);
    expect((await rpc(t.url, "eth_getProof", [bob, "0x0", "latest"])).error?.code, "storage keys must be an array").to.equal(-32602);
    expect((await rpc(t.url, "eth_getProof", [bob, [], "latest", 1])).error?.code).to.equal(-32602);
  });

  it("proves an account at a past block and at the latest, against each block's state root; a tampered proof fails", async () => {
    const latest = node.chain.latest;
    const at = async (block: string) => (await rpc(t.url, "eth_getProof", [alice.address, ["0x0", "0x" + "ff".repeat(32)], block])).result as AccountProofResponse;
    const past = await at(hex(seen[1].block));
    expect(verifyAccountProof(past, seen[1].stateRoot)).to.equal(true);
    expect(past.stateRoot).to.equal(seen[1].stateRoot);
    expect(BigInt(past.balance)).to.equal(seen[1].balance.get(alice.address.toLowerCase()));
    expect(past.accountProof).to.have.length(24);
    expect(past.storageProof).to.deep.equal([
      { key: "0x0", value: "0x0", proof: [] },
      { key: "0x" + "ff".repeat(32), value: "0x0", proof: [] },
    ]);
    expect(past.codeHash).to.equal("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    const now = await at("latest");
    expect(verifyAccountProof(now, latest.stateRoot)).to.equal(true);
    expect(verifyAccountProof(now, seen[1].stateRoot), "the latest proof against an older root").to.equal(false);
    expect(verifyAccountProof({ ...past, balance: hex(BigInt(past.balance) + 1n) }, seen[1].stateRoot)).to.equal(false);
    expect(verifyAccountProof({ ...past, accountProof: past.accountProof.map((h, i) => (i === 0 ? now.accountProof[0] === h ? "0x" + "12".repeat(32) : now.accountProof[0] : h)) }, seen[1].stateRoot)).to.equal(false);
    const stranger = (await rpc(t.url, "eth_getProof", [Wallet.createRandom().address, [], "latest"])).result as AccountProofResponse;
    expect([stranger.accountIndex, stranger.balance, stranger.accountProof]).to.deep.equal([null, "0x0", []]);
    expect(verifyAccountProof(stranger, latest.stateRoot), "an absent account is not provable").to.equal(false);
  });

  it("serves the same history from a replica built from L1, and proofs it gives check against the roots the Rollup holds", async () => {
    await node.flush();
    const replica = new ReplicaNode({ l1Provider: ethers.provider, addresses: t.addresses, startBlock: t.deployBlock, confirmations: 0, chainId: 51730n, pollMs: 100, serve: jsonRpc({ host: "127.0.0.1", port: 0, logger: silentLogger }), logger: silentLogger });
    try {
      await replica.start();
      expect(replica.chain.latest.hash).to.equal(node.chain.latest.hash);
      await expectHistory(replica.rpcUrl!, "replica");
      expect(node.chain.batches.length).to.be.greaterThan(0);
      expect(node.chain.batches.some((b) => b.lastBlock > b.firstBlock), "a batch of several blocks: each replayed block kept as its own").to.equal(true);
      for (const batch of node.chain.batches) {
        const proof = (await rpc(replica.rpcUrl!, "eth_getProof", [bob, [], hex(batch.lastBlock)])).result as AccountProofResponse;
        const header = await t.rollup.getBatch(batch.index);
        expect(verifyAccountProof(proof, header.postStateRoot), `batch ${batch.index}`).to.equal(true);
      }
    } finally {
      await replica.stop();
    }
  });

  it("serves a replica's settled batches too: every block's balances, and proofs at each batch's last block (the root L1 holds), none inside", async () => {
    await network.provider.send("evm_increaseTime", [Number(DEVNET_PARAMS.challengeWindow) + 1]);
    await network.provider.send("evm_mine", []);
    expect(await t.rollup.finalBatchCount()).to.equal(BigInt(node.chain.batches.length));
    const replica = new ReplicaNode({ l1Provider: ethers.provider, addresses: t.addresses, startBlock: t.deployBlock, confirmations: 0, chainId: 51730n, pollMs: 100, serve: jsonRpc({ host: "127.0.0.1", port: 0, logger: silentLogger }), logger: silentLogger });
    try {
      await replica.start();
      const client = viemClient(replica.rpcUrl!);
      for (const s of seen) {
        for (const a of [alice.address.toLowerCase(), bob]) expect(await client.getBalance({ address: a as Hex, blockNumber: BigInt(s.block) }), `block ${s.block}`).to.equal(s.balance.get(a));
      }
      const batch = node.chain.batches.find((b) => b.lastBlock > b.firstBlock)!;
      const proof = (await rpc(replica.rpcUrl!, "eth_getProof", [bob, [], hex(batch.lastBlock)])).result as AccountProofResponse;
      expect(verifyAccountProof(proof, (await t.rollup.getBatch(batch.index)).postStateRoot)).to.equal(true);
      const inside = await rpc(replica.rpcUrl!, "eth_getProof", [bob, [], hex(batch.firstBlock)]);
      expect(inside.error?.code).to.equal(-32000);
      expect(inside.error?.message).to.match(new RegExp(`historical state is not available: .*block ${batch.lastBlock}, the last of its batch`));
    } finally {
      await replica.stop();
    }
  });

  it("keeps its history across a restart from its data directory", async () => {
    await node.stop();
    node = new SequencerNode(testNodeConfig(t, t.deployer, { dataDir, blockTimeMs: 60_000, maxBatchAgeMs: 600_000 }));
    await node.start();
    expect(node.startup.restoredBlocks).to.be.at.least(seen.at(-1)!.block);
    expect(node.history.oldest).to.be.at.most(seen[0].block);
    await expectHistory(node.rpcUrl!, "restarted");
    // And carries on: a block after the restart joins the history.
    const s = await sealed({ to: bob, value: 3_000n });
    expect(BigInt((await rpc(node.rpcUrl!, "eth_getBalance", [bob, hex(s.block - 1)])).result as string)).to.equal(seen.at(-2)!.balance.get(bob));
    expect(BigInt((await rpc(node.rpcUrl!, "eth_getBalance", [bob, hex(s.block)])).result as string)).to.equal(s.balance.get(bob));
  });
});

describe("rpc: a replica's history across a fraudulent batch", function () {
  this.timeout(120_000);

  it("keeps none of a batch that does not replay: its block numbers are unknown until the honest blocks posted after the fraud proof, whose state they then serve", async () => {
    const t = await startTestNode(2, { wrapBatchPort: faultyMode("post-state"), maxBatchAgeMs: 200, blockTimeMs: 50 });
    const [, , , , , , , challengerSigner] = await ethers.getSigners();
    const challenger = new Challenger(testChallengerOptions(t, challengerSigner));
    const replica = new ReplicaNode({ l1Provider: ethers.provider, addresses: t.addresses, startBlock: t.deployBlock, confirmations: 0, chainId: 51730n, pollMs: 100, serve: jsonRpc({ host: "127.0.0.1", port: 0, logger: silentLogger }), logger: silentLogger });
    const send = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const w = t.wallets[i % 2];
        const raw = await w.signTransaction({ type: 2, chainId: 51730n, to: Wallet.createRandom().address, value: 1_000n, nonce: Number(t.node.nonce(w.address, "pending")), gasLimit: 30_000n, maxFeePerGas: t.node.baseFee * 10n, maxPriorityFeePerGas: 0n });
        await t.node.sendRawTransaction(raw);
      }
    };
    try {
      await replica.start();
      await send(3);
      await until("the faulty batch to be posted", async () => (await t.rollup.batchCount()) > 0n);
      await replica.sync();
      expect(replica.stuckAt, "the replica waits at the fraudulent batch").to.not.equal(null);
      expect(replica.history.newest, "the blocks it replayed and refused are not kept").to.equal(replica.chain.latest.number);
      const next = hex(replica.chain.latest.number + 1);
      expect((await rpc(replica.rpcUrl!, "eth_getBalance", [t.wallets[0].address, next])).error).to.deep.equal({ code: -32000, message: "header not found" });

      challenger.start();
      await until("the fraud proof", async () => (await t.rollup.revertedBatchCount()) > 0n);
      await send(2);
      await t.node.flush();
      await until("the replica to catch up", async () => {
        await replica.sync();
        return replica.stuckAt === null && replica.chain.batches.length === Number(await t.rollup.batchCount());
      });
      for (let n = 1; n <= replica.chain.latest.number; n++) {
        const block = replica.chain.block(n)!;
        expect(block.stateRoot, `block ${n} is the sequencer's`).to.equal(t.node.chain.block(n)!.stateRoot);
        for (const w of t.wallets) {
          const [mine, theirs] = await Promise.all([replica.rpcUrl!, t.url].map(async (url) => (await rpc(url, "eth_getBalance", [w.address, hex(n)])).result));
          expect(mine, `balance at ${n}`).to.equal(theirs);
          const proof = (await rpc(replica.rpcUrl!, "eth_getProof", [w.address, [], hex(n)])).result as AccountProofResponse;
          expect(verifyAccountProof(proof, block.stateRoot), `proof at ${n}`).to.equal(true);
        }
      }
    } finally {
      await challenger.stop();
      await replica.stop();
      await t.stop();
    }
  });
});
