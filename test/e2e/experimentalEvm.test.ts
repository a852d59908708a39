/**
 * Issue 18's tracer bullet end to end (docs/design/evm.md, *Tracer bullet*): the devnet started
 * in-process with `experimentalEvm`, an OpenZeppelin 5 ERC-20 and a Counter deployed and used
 * through ethers (ContractFactory) and viem, everything posted to L1, the devnet's challenger
 * finding nothing to prove, and a replica started from L1 alone agreeing on every state root and
 * answering for the contracts. And the flag refused against an L1 that is not local.
 */
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { artifacts, ethers } from "hardhat";
import { AbiCoder, Contract, ContractFactory, JsonRpcProvider, Network, Wallet, keccak256, parseEther, type ContractTransactionResponse } from "ethers";
import { createPublicClient, createWalletClient, defineChain, http, type Abi, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { startDevnet, type Devnet } from "../../src/app/devnet";
import { ReplicaNode } from "../../src/node/replica/replicaNode";
import { Challenger } from "../../src/node/challenger/challenger";
import { FRAUD_KIND } from "../../src/core/fraudProof";
import { SequencerNode } from "../../src/node/sequencer/sequencerNode";
import { ExperimentalEvmDataDirError, ExperimentalEvmRefusedError } from "../../src/node/experimentalEvm";
import { SEQUENCER_DEFAULTS } from "../../src/node/config";
import { jsonRpc } from "../../src/app/jsonRpc";
import { silentLogger } from "../../src/shared/logger";
import { DEVNET_PARAMS } from "../../deploy/params";
import { until } from "../helpers/until";
import { postRaw, rpc } from "../helpers/nodeFixture";

const SUPPLY = parseEther("1000000");

describe("e2e: --experimental-evm deploys and uses contracts through ethers and viem, and a replica agrees on every state root", function () {
  this.timeout(180_000);
  let dir: string;
  let devnet: Devnet;
  let provider: JsonRpcProvider;
  let alice: Wallet;
  let bob: Wallet;
  let token: Contract;
  let counter: Contract;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-evm-"));
    devnet = await startDevnet({ host: "127.0.0.1", l1Port: 0, l2Port: 0, accounts: 2, configPath: path.join(dir, "devnet.json"), blockTimeMs: 50, logger: silentLogger, dataDir: path.join(dir, "data"), experimentalEvm: true });
    provider = new JsonRpcProvider(devnet.info.l2.rpcUrl, undefined, { staticNetwork: Network.from(DEVNET_PARAMS.l2ChainId), cacheTimeout: -1, pollingInterval: 50 });
    [alice, bob] = devnet.info.accounts.map((a) => new Wallet(a.privateKey, provider));
  });

  after(async () => {
    provider?.destroy();
    await devnet?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("ethers: ContractFactory deploys an OpenZeppelin 5 ERC-20; transfer, approve and transferFrom; events in receipts and getLogs; calls, estimates, code and storage", async () => {
    const artifact = await artifacts.readArtifact("EvmTestToken");
    token = (await new ContractFactory(artifact.abi, artifact.bytecode, alice).deploy(SUPPLY)) as unknown as Contract;
    await token.waitForDeployment();
    const address = (await token.getAddress()).toLowerCase();
    const deployment = await provider.getTransactionReceipt(token.deploymentTransaction()!.hash);
    expect(deployment?.status).to.equal(1);
    expect(deployment?.contractAddress?.toLowerCase()).to.equal(address);
    expect(await provider.getCode(address)).to.equal(artifact.deployedBytecode);
    expect(await token.totalSupply()).to.equal(SUPPLY);
    expect(await token.symbol()).to.equal("EXP");

    const sent = (await token.transfer(bob.address, 1_000n)) as ContractTransactionResponse;
    const receipt = (await sent.wait())!;
    expect(receipt.status).to.equal(1);
    const [transfer] = receipt.logs.map((l) => token.interface.parseLog(l)!);
    expect(transfer.name).to.equal("Transfer");
    expect(transfer.args.toObject()).to.deep.equal({ from: alice.address, to: bob.address, value: 1_000n });
    expect(await token.balanceOf(bob.address)).to.equal(1_000n);

    await ((await (token.connect(bob) as Contract).approve(alice.address, 400n)) as ContractTransactionResponse).wait();
    expect(await token.allowance(bob.address, alice.address)).to.equal(400n);
    expect(await token.transferFrom.staticCall(bob.address, alice.address, 300n)).to.equal(true);
    const gas = await token.transferFrom.estimateGas(bob.address, alice.address, 300n);
    expect(gas > 21_000n && gas < 100_000n, `estimate ${gas}`).to.equal(true);
    await ((await token.transferFrom(bob.address, alice.address, 300n)) as ContractTransactionResponse).wait();
    expect(await token.balanceOf(bob.address)).to.equal(700n);
    expect(await token.allowance(bob.address, alice.address)).to.equal(100n);

    const logs = await provider.getLogs({ address, fromBlock: 0 });
    expect(logs.map((l) => token.interface.parseLog(l)!.name)).to.deep.equal(["Transfer", "Transfer", "Approval", "Transfer"]);
    const transfers = await token.queryFilter(token.filters.Transfer(null, alice.address));
    expect(transfers).to.have.length(2); // the mint, and transferFrom's

    // A revert is answered as geth answers it (code 3, the revert data): OpenZeppelin's custom error decodes.
    const overdrawn = (token.connect(bob) as Contract).transfer;
    const call = await overdrawn.staticCall(alice.address, 10_000n).then(() => null, (e: unknown) => e as { revert?: { name: string; args: unknown[] } });
    expect(call?.revert?.name).to.equal("ERC20InsufficientBalance");
    expect(call?.revert?.args).to.deep.equal([bob.address, 700n, 10_000n]);
    const estimate = await overdrawn.estimateGas(alice.address, 10_000n).then(() => null, (e: unknown) => e as { code?: string; data?: string });
    expect(estimate?.code).to.equal("CALL_EXCEPTION");
    expect(estimate?.data?.slice(0, 10)).to.equal(token.interface.getError("ERC20InsufficientBalance")!.selector);
    // _balances is OpenZeppelin 5's slot 0: bob's balance sits at keccak(bob ‖ 0).
    const slot = BigInt(keccakSlot(bob.address, 0n));
    expect(BigInt(await provider.getStorage(address, slot))).to.equal(700n);
  });

  it("ethers: a Counter deployed and called; its storage, events, a payable call and a revert with a custom error", async () => {
    const artifact = await artifacts.readArtifact("Counter");
    counter = (await new ContractFactory(artifact.abi, artifact.bytecode, bob).deploy()) as unknown as Contract;
    await counter.waitForDeployment();
    const address = await counter.getAddress();
    await ((await counter.increment()) as ContractTransactionResponse).wait();
    const r = (await ((await counter.add(4n, { value: 5n })) as ContractTransactionResponse).wait())!;
    expect(counter.interface.parseLog(r.logs[0])!.args.toObject()).to.deep.equal({ caller: bob.address, by: 4n, count: 5n });
    expect(await counter.count()).to.equal(5n);
    expect(BigInt(await provider.getStorage(address, 0n))).to.equal(5n);
    expect(BigInt(await provider.getStorage(address, 1n))).to.equal(BigInt(bob.address));
    expect(await provider.getBalance(address)).to.equal(5n);
    try {
      await counter.add.staticCall(0n);
      expect.fail("added zero");
    } catch (e) {
      expect((e as { revert?: { name: string } }).revert?.name).to.equal("CounterZeroIncrement");
    }
    // A plain ETH transfer still takes the packed path, and pays 21,000 gas.
    const plain = await (await alice.sendTransaction({ to: Wallet.createRandom().address, value: 1n })).wait();
    expect(plain?.gasUsed).to.equal(21_000n);
  });

  it("viem: deployContract, writeContract, readContract, simulateContract, waitForTransactionReceipt", async () => {
    const url = devnet.info.l2.rpcUrl;
    const chain = defineChain({ id: Number(DEVNET_PARAMS.l2ChainId), name: "cairn", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [url] } } });
    const account = privateKeyToAccount(alice.privateKey as Hex);
    const wallet = createWalletClient({ account, chain, transport: http(url) });
    const client = createPublicClient({ chain, transport: http(url), pollingInterval: 50 });
    const c = await artifacts.readArtifact("Counter");
    const abi = c.abi as Abi;
    const hash = await wallet.deployContract({ abi, bytecode: c.bytecode as Hex });
    const deployed = await client.waitForTransactionReceipt({ hash });
    expect(deployed.status).to.equal("success");
    const address = deployed.contractAddress!;
    const { request, result } = await client.simulateContract({ account, address, abi, functionName: "add", args: [7n] });
    expect(result).to.equal(undefined);
    const added = await client.waitForTransactionReceipt({ hash: await wallet.writeContract(request) });
    expect(added.status).to.equal("success");
    expect(added.logs).to.have.length(1);
    expect(await client.readContract({ address, abi, functionName: "count" })).to.equal(7n);
    expect(await client.getCode({ address })).to.equal(c.deployedBytecode);

    const t = await artifacts.readArtifact("EvmTestToken");
    const tokenAddress = (await token.getAddress()) as Hex;
    const sent = await wallet.writeContract({ address: tokenAddress, abi: t.abi as Abi, functionName: "transfer", args: [bob.address as Hex, 50n] });
    expect((await client.waitForTransactionReceipt({ hash: sent })).status).to.equal("success");
    expect(await client.readContract({ address: tokenAddress, abi: t.abi as Abi, functionName: "balanceOf", args: [bob.address as Hex] })).to.equal(750n);
    let refused = false;
    try {
      await client.simulateContract({ account, address, abi, functionName: "add", args: [0n] });
    } catch (e) {
      refused = /CounterZeroIncrement/.test(String(e));
    }
    expect(refused, "simulateContract names the custom error").to.equal(true);
  });

  it("refuses malformed contract transactions with JSON-RPC errors, the chain going on", async () => {
    const before = await provider.getBlockNumber();
    const send = (raw: string) => provider.send("eth_sendRawTransaction", [raw]);
    const nonce = await provider.getTransactionCount(alice.address, "pending");
    const common = { type: 2, chainId: DEVNET_PARAMS.l2ChainId, nonce, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 0n };
    await expectRpcError(send("0x02c0ffee"), /invalid transaction/);
    const rpc = async (method: string, params: unknown[]) => {
      const { json } = await postRaw(devnet.info.l2.rpcUrl, JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }));
      return (json as { error?: { code: number; message: string } }).error;
    };
    const counterAddress = await counter.getAddress();
    expect(await rpc("eth_call", [{ to: counterAddress, data: "0xzz" }, "latest"])).to.include({ code: -32602 });
    expect(await rpc("eth_getStorageAt", [counterAddress, "0x" + "1".repeat(65), "latest"])).to.include({ code: -32602 });
    expect((await rpc("eth_call", [{ to: counterAddress, data: "0xdeadbeef" }, "0x1"]))?.message).to.match(/historical contract state is not available/);
    expect(await rpc("eth_call", [{ to: counterAddress, data: "0xdeadbeef" }, "latest"]), "an unknown selector reverts").to.include({ code: 3, message: "execution reverted" });
    await expectRpcError(send(await alice.signTransaction({ ...common, gasLimit: 10_000_000n, data: "0x00" })), /exceeds block gas limit|gas cap/);
    await expectRpcError(send(await alice.signTransaction({ ...common, gasLimit: 8_000_000n, data: "0x" + "00".repeat(49_153) })), /EIP-3860/);
    await expectRpcError(send(await alice.signTransaction({ ...common, nonce: nonce + 5, gasLimit: 100_000n, data: "0x00" })), /nonce too high/);
    await expectRpcError(send(await alice.signTransaction({ ...common, to: await token.getAddress(), gasLimit: 21_000n, data: "0xa9059cbb" })), /intrinsic gas too low/);
    // A bridged token cannot be sent to a contract yet: refused, not lost.
    const bridged = new Contract(devnet.info.testToken.l2, ["function transfer(address,uint256) returns (bool)"], alice);
    await expectRpcError(bridged.transfer(await counter.getAddress(), 1n), /is a contract/);
    expect(await provider.getBlockNumber()).to.be.at.least(before);
    expect(await token.balanceOf(bob.address)).to.equal(750n);
  });

  it("a heavy eth_estimateGas leaves the node responsive: requests are answered while it runs, and a contract transaction sent meanwhile lands", async () => {
    // 50,000 iterations (~1.3M gas), then require(gasleft() > 1,400,000): the estimate bisects over ~1 s runs.
    const runtime = "6200c350" + "5b600190038060045750" + "62155cc05a11601c5760006000fd5b00";
    const init = "0x60" + (runtime.length / 2).toString(16).padStart(2, "0") + "80600b6000396000f3" + runtime;
    const burner = (await (await alice.sendTransaction({ data: init })).wait())!.contractAddress!;
    const url = devnet.info.l2.rpcUrl;
    let running = true;
    const estimate = rpc(url, "eth_estimateGas", [{ from: alice.address, to: burner }]).finally(() => (running = false));
    const waits: number[] = [];
    const sent = (await (counter.connect(bob) as Contract).increment()) as ContractTransactionResponse;
    while (running) {
      const t = performance.now();
      expect((await rpc(url, "eth_chainId")).result).to.equal("0x" + DEVNET_PARAMS.l2ChainId.toString(16));
      waits.push(performance.now() - t);
    }
    const gas = BigInt((await estimate).result as string);
    expect(gas > 2_700_000n && gas < 2_800_000n, `estimate ${gas}`).to.equal(true);
    expect((await sent.wait())!.status).to.equal(1);
    console.log(`      ${waits.length} requests answered during the estimate; the slowest took ${Math.max(...waits).toFixed(0)} ms`);
    expect(waits.length, "requests answered while the engine ran").to.be.at.least(10);
  });

  it("posts everything to L1; the challenger finds nothing to prove; a replica from L1 alone agrees on every state root and answers for the contracts", async () => {
    await devnet.node.flush();
    const batches = devnet.node.chain.batches.length;
    // The blocks posted so far (an empty block may be sealed meanwhile, not yet posted).
    const blocks = devnet.node.chain.blocks.slice(0, devnet.node.chain.batches[batches - 1].lastBlock + 1);
    await until("the challenger checked every batch", async () => devnet.challenger.batchCount >= batches);
    expect(devnet.challenger.stats.fraudsFound, "frauds the devnet's challenger found").to.equal(0);

    const replica = new ReplicaNode({
      l1Provider: devnet.node.l1.provider,
      addresses: devnet.info.contracts,
      startBlock: devnet.info.contracts.deployBlock,
      confirmations: 0,
      chainId: DEVNET_PARAMS.l2ChainId,
      pollMs: 100,
      l1Beacon: devnet.info.l1.beaconUrl,
      serve: jsonRpc({ host: "127.0.0.1", port: 0, logger: silentLogger }),
      logger: silentLogger,
      experimentalEvm: true,
    });
    await replica.start();
    try {
      const rebuilt = replica.chain.blocks;
      expect(rebuilt.length, "blocks").to.be.at.least(blocks.length);
      for (let n = 0; n < blocks.length; n++) expect(rebuilt[n].stateRoot, `state root of block ${n}`).to.equal(blocks[n].stateRoot);
      const evmBlocks = blocks.filter((b) => b.transactions.some((t) => t.status !== undefined));
      expect(evmBlocks.length, "EVM blocks").to.equal(12); // one per contract transaction the tests above sent
      const replicaProvider = new JsonRpcProvider(replica.rpcUrl!, undefined, { staticNetwork: Network.from(DEVNET_PARAMS.l2ChainId) });
      const viaReplica = token.connect(replicaProvider) as Contract;
      expect(await viaReplica.balanceOf(bob.address)).to.equal(750n);
      expect(await replicaProvider.getCode(await counter.getAddress())).to.equal(await provider.getCode(await counter.getAddress()));
      const receipt = await replicaProvider.getTransactionReceipt(token.deploymentTransaction()!.hash);
      expect(receipt?.contractAddress).to.equal(await token.getAddress());
      replicaProvider.destroy();
    } finally {
      await replica.stop();
    }
  });

  it("a sequencer in the mode restarting (or taking over) from L1 alone adopts the posted EVM blocks, running each in the engine, to the same state roots", async () => {
    await devnet.node.flush();
    const posted = devnet.node.chain.batches[devnet.node.chain.batches.length - 1].lastBlock;
    const blocks = devnet.node.chain.blocks.slice(0, posted + 1);
    const [, , , , , , spare] = await ethers.getSigners();
    const restarted = new SequencerNode({
      ...SEQUENCER_DEFAULTS,
      l1Provider: ethers.provider,
      l1Signer: spare,
      addresses: devnet.info.contracts,
      startBlock: devnet.info.contracts.deployBlock,
      confirmations: 0,
      chainId: DEVNET_PARAMS.l2ChainId,
      feeRecipient: spare.address,
      l1Beacon: devnet.info.l1.beaconUrl,
      logger: silentLogger,
      experimentalEvm: true,
    });
    await restarted.syncFromL1();
    expect(restarted.startup.replayedBlocks, "blocks adopted from L1").to.be.at.least(posted);
    for (let n = 0; n <= posted; n++) expect(restarted.chain.block(n)?.stateRoot, `state root of block ${n}`).to.equal(blocks[n].stateRoot);
    expect(restarted.state.contractState.code(restarted.state.indexOf((await token.getAddress()).toLowerCase())!).length, "the token's code").to.be.greaterThan(0);
  });
});

describe("e2e: --experimental-evm batches are not fraud-provable: a challenger without the flag reverts them", function () {
  this.timeout(120_000);

  it("proves the first batch holding a contract transaction MALFORMED and reverts it (the limitation docs/trust-model.md states)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-evm-"));
    const devnet = await startDevnet({ host: "127.0.0.1", l1Port: 0, l2Port: 0, accounts: 1, configPath: path.join(dir, "devnet.json"), blockTimeMs: 50, logger: silentLogger, dataDir: path.join(dir, "data"), experimentalEvm: true });
    const signers = await ethers.getSigners();
    const plain = new Challenger({ l1Provider: ethers.provider, l1Signer: signers[5], addresses: devnet.info.contracts, startBlock: devnet.info.contracts.deployBlock, confirmations: 0, chainId: DEVNET_PARAMS.l2ChainId, pollMs: 100, logger: silentLogger });
    const provider = new JsonRpcProvider(devnet.info.l2.rpcUrl, undefined, { staticNetwork: Network.from(DEVNET_PARAMS.l2ChainId), cacheTimeout: -1, pollingInterval: 50 });
    try {
      const artifact = await artifacts.readArtifact("Counter");
      const alice = new Wallet(devnet.info.accounts[0].privateKey, provider);
      await (await new ContractFactory(artifact.abi, artifact.bytecode, alice).deploy()).waitForDeployment();
      await devnet.node.flush();
      const rollup = devnet.node.l1.rollup;
      const reverted = await rollup.revertedBatchCount();
      plain.start();
      await until("the flagless challenger's proof", async () => (await rollup.revertedBatchCount()) > reverted);
      const proofs = await rollup.queryFilter(rollup.filters.FraudProven());
      expect(Number(proofs[proofs.length - 1].args.kind), "verdict kind: MALFORMED").to.equal(FRAUD_KIND.malformed);
      expect(plain.stats.fraudsProven).to.be.at.least(1);
      expect(devnet.challenger.stats.fraudsFound, "the devnet's own challenger runs the engine: no fraud").to.equal(0);
    } finally {
      await plain.stop();
      provider.destroy();
      await devnet.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("e2e: --experimental-evm is refused unless L1 is local, and with a sequencer data directory", () => {
  // An L1 that says it is mainnet: nothing is ever sent to it.
  const mainnet = () => new JsonRpcProvider("http://127.0.0.1:9", undefined, { staticNetwork: Network.from(1n) });
  const common = { addresses: { bridge: Wallet.createRandom().address, rollup: Wallet.createRandom().address }, startBlock: 0, confirmations: 0, chainId: DEVNET_PARAMS.l2ChainId, logger: silentLogger };

  it("the sequencer refuses to start", async () => {
    const l1Provider = mainnet();
    const node = new SequencerNode({ ...SEQUENCER_DEFAULTS, ...common, l1Provider, l1Signer: Wallet.createRandom().connect(l1Provider), feeRecipient: Wallet.createRandom().address, experimentalEvm: true });
    const error = await node.start().then(() => null, (e: unknown) => e);
    expect(error).to.be.instanceOf(ExperimentalEvmRefusedError);
    expect((error as Error).message).to.match(/refused on L1 chain 1/);
    l1Provider.destroy();
  });

  it("a sequencer refuses a data directory in the mode (contract state is not stored: it could not keep its durability promise)", async () => {
    const [deployer] = await ethers.getSigners();
    const node = new SequencerNode({ ...SEQUENCER_DEFAULTS, ...common, l1Provider: ethers.provider, l1Signer: deployer, feeRecipient: deployer.address, experimentalEvm: true, dataDir: path.join(os.tmpdir(), "cairn-evm-never-made") });
    expect(await node.start().then(() => null, (e: unknown) => e)).to.be.instanceOf(ExperimentalEvmDataDirError);
  });

  it("the replica refuses to start", async () => {
    const l1Provider = mainnet();
    const replica = new ReplicaNode({ ...common, l1Provider, pollMs: 100, experimentalEvm: true });
    expect(await replica.start().then(() => null, (e: unknown) => e)).to.be.instanceOf(ExperimentalEvmRefusedError);
    l1Provider.destroy();
  });
});

function keccakSlot(holder: string, mappingSlot: bigint): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [holder, mappingSlot]));
}

async function expectRpcError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect(String((e as Error).message), String(e)).to.match(pattern);
    return;
  }
  expect.fail(`accepted; expected ${pattern}`);
}
