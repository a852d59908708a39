/**
 * Bridged tokens are full ERC-20s on L2 (issue 15, item 2): approve, allowance and transferFrom,
 * through ethers and viem, side by side with the same OpenZeppelin 5 token on the Hardhat L1 —
 * the same logs, the same gas (calldata aside, see below), the same revert data for every check
 * OpenZeppelin makes — and allowances that survive a restart, read at past blocks and are
 * proven by eth_getProof.
 *
 * Gas: Cairn charges each kind of call one figure (GAS in src/core/constants.ts), measured on L1
 * with a reference call; L1 charges calldata by its bytes (16 gas a non-zero byte, 4 a zero
 * one). So L1's gasUsed is Cairn's plus 12 for each non-zero calldata byte more than the
 * reference call had, and they are exactly equal for a call whose calldata has as many non-zero
 * bytes as the reference: an approve of a one- or two-byte amount (the reference 1,000) to a
 * spender without zero bytes, a clearing approve (amount zero), and a transferFrom of a one-byte
 * amount naming owner and recipient with one zero byte between them (the reference
 * transferFrom(signer 0, signer 2, 10): signer 2's address has one). An infinite approve (32
 * non-zero amount bytes) costs 360 more on L1 than on Cairn, for instance.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { HDNodeWallet, Interface, JsonRpcProvider, MaxUint256, Wallet, ZeroAddress, getBytes, parseEther, type ContractTransactionReceipt, type Log, type Provider } from "ethers";
import { createPublicClient, createWalletClient, custom, defineChain, http, parseEventLogs, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { startTestNode, testNodeConfig, rpc } from "../helpers/nodeFixture";
import { until } from "../helpers/until";
import { l2TokenAddress } from "../../src/core/hashing";
import { GAS } from "../../src/core/constants";
import { EMPTY_ALLOWANCE_ROOT, allowanceKey, allowanceRoot } from "../../src/core/allowanceTree";
import { verifyAccountProof } from "../../src/sdk";
import type { AccountProofResponse } from "../../src/chain/api";
import { SequencerNode } from "../../src/node/sequencer/sequencerNode";
import { TestToken__factory, type TestToken } from "../../typechain-types";

const CHAIN_ID = 51730;
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
const hex = (n: number | bigint) => "0x" + n.toString(16);
const lower = (a: string) => a.toLowerCase();

const cairnChain = (url: string) => defineChain({ id: CHAIN_ID, name: "Cairn", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [url] } } });

/** Non-zero bytes of calldata: what L1's calldata gas depends on beyond the length. */
const nonZeroBytes = (data: string) => getBytes(data).filter((b) => b !== 0).length;

/** Funds `addresses` on Cairn's L2 with ETH and (where given) test tokens, and waits until the node has credited them. */
async function fundOnL2(t: Awaited<ReturnType<typeof startTestNode>>, funds: Array<{ address: string; eth: bigint; tokens: bigint }>, l2: Provider, l2Token: TestToken) {
  for (const f of funds) {
    await (await t.bridge.connect(t.funder).depositETH(f.address, { value: f.eth })).wait();
    if (f.tokens > 0n) await (await t.bridge.connect(t.funder).depositERC20(t.token, f.address, f.tokens)).wait();
  }
  await t.node.pollL1();
  t.node.sequencer.sealBlock();
  for (const f of funds) {
    // At least: the sequencer's fee recipient may be one of them.
    await until(`${f.address} funded on L2`, async () => (await l2.getBalance(f.address)) >= f.eth && (await l2Token.balanceOf(f.address)) === f.tokens);
  }
}

/** The revert a call gets through ethers: its error name and arguments (addresses lower-cased); "succeeded" otherwise. */
async function outcome(run: () => Promise<unknown>, token: TestToken): Promise<{ name: string; args: unknown[] }> {
  try {
    await run();
    return { name: "succeeded", args: [] };
  } catch (e) {
    // ethers decodes a JSON-RPC revert itself; Hardhat's in-process provider leaves the data on the error.
    const err = e as { revert?: { name: string; args: unknown[] }; data?: string };
    const revert = err.revert ?? (typeof err.data === "string" ? token.interface.parseError(err.data) : null);
    return revert ? { name: revert.name, args: [...revert.args].map((a) => (typeof a === "string" ? lower(a) : a)) } : { name: "none", args: [String(e)] };
  }
}

describe("rpc: approve, allowance and transferFrom on bridged tokens", function () {
  this.timeout(300_000);

  it("through ethers: the same Approval and Transfer logs as the OpenZeppelin token on the Hardhat L1, estimateGas equal to gasUsed, and gasUsed equal to L1's calldata aside", async () => {
    const t = await startTestNode(0);
    const l2 = new JsonRpcProvider(t.url, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
    try {
      // The Hardhat signers' own keys on L2 too: the calls on both chains carry the same bytes.
      const signers = (await ethers.getSigners()).slice(0, 4);
      const keys = signers.map((_, i) => HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).connect(l2));
      expect(keys.map((k) => k.address)).to.deep.equal(signers.map((s) => s.address));
      const [a, b, c, d] = signers.map((s) => s.address);
      const e = Wallet.createRandom().address; // holds nothing anywhere
      const l2Token = TestToken__factory.connect(l2TokenAddress(lower(await t.token.getAddress())), l2);
      await fundOnL2(t, [{ address: a, eth: parseEther("10"), tokens: parseEther("1000") }, { address: b, eth: parseEther("10"), tokens: 0n }, { address: c, eth: parseEther("1"), tokens: parseEther("1000") }], l2, l2Token);
      const l1Token = (await ethers.deployContract("TestToken", ["Test Token", "TEST", 18], signers[0])) as unknown as TestToken;
      await (await l1Token.mint(a, parseEther("1000"))).wait();
      await (await l1Token.mint(c, parseEther("1000"))).wait();

      // Every case of OpenZeppelin's SSTOREs, in order, each with the figure Cairn charges for it.
      const steps: Array<{ by: 0 | 1; call: "approve" | "transferFrom"; args: [string, bigint] | [string, string, bigint]; gas: bigint; what: string }> = [
        { by: 0, call: "approve", args: [b, 1000n], gas: GAS.APPROVE_FROM_ZERO, what: "approve from zero" },
        { by: 0, call: "approve", args: [b, 2000n], gas: GAS.APPROVE_CHANGE, what: "approve of another amount" },
        { by: 0, call: "approve", args: [b, 2000n], gas: GAS.APPROVE_UNCHANGED, what: "approve of the same amount" },
        { by: 0, call: "approve", args: [b, 0n], gas: GAS.APPROVE_CLEAR, what: "approve of zero" },
        { by: 0, call: "approve", args: [b, 0n], gas: GAS.APPROVE_UNCHANGED, what: "approve of zero over zero" },
        { by: 0, call: "approve", args: [b, MaxUint256], gas: GAS.APPROVE_FROM_ZERO, what: "infinite approve" },
        { by: 1, call: "transferFrom", args: [a, c, 10n], gas: GAS.TRANSFER_FROM_INFINITE, what: "transferFrom under an infinite allowance" },
        { by: 1, call: "transferFrom", args: [a, d, 10n], gas: GAS.TRANSFER_FROM_INFINITE + GAS.TO_EMPTY_EXTRA, what: "… to an address holding none" },
        { by: 0, call: "approve", args: [b, 10n ** 20n], gas: GAS.APPROVE_CHANGE, what: "approve down from infinite" },
        { by: 1, call: "transferFrom", args: [a, c, 10n], gas: GAS.TRANSFER_FROM, what: "transferFrom that decreases the allowance" },
        { by: 1, call: "transferFrom", args: [a, e, 10n], gas: GAS.TRANSFER_FROM + GAS.TO_EMPTY_EXTRA, what: "… to an address without an account" },
        { by: 0, call: "approve", args: [b, 10n], gas: GAS.APPROVE_CHANGE, what: "approve of exactly the next amount" },
        { by: 1, call: "transferFrom", args: [a, c, 10n], gas: GAS.TRANSFER_FROM_CLEARING, what: "transferFrom that uses the allowance up" },
      ];
      // The non-zero calldata bytes of the reference call each figure was measured with (see the header).
      const referenceNonZero = (call: string, gas: bigint) => (call === "transferFrom" ? 44 : gas === GAS.APPROVE_CLEAR ? 24 : 26);

      for (const step of steps) {
        const onL2 = l2Token.connect(keys[step.by]).getFunction(step.call);
        const onL1 = l1Token.connect(signers[step.by]).getFunction(step.call);
        expect(await onL2.staticCall(...step.args), step.what).to.equal(true);
        const estimate = await onL2.estimateGas(...step.args);
        const r2 = (await (await onL2(...step.args)).wait()) as ContractTransactionReceipt;
        const r1 = (await (await onL1(...step.args)).wait()) as ContractTransactionReceipt;
        expect([r2.status, r1.status], step.what).to.deep.equal([1, 1]);
        expect(r2.gasUsed, `${step.what}: Cairn's figure`).to.equal(step.gas);
        expect(estimate, `${step.what}: estimateGas is what execution charges`).to.equal(r2.gasUsed);
        const data = (await l2.getTransaction(r2.hash))!.data;
        expect((await ethers.provider.getTransaction(r1.hash))!.data).to.equal(data);
        expect(r1.gasUsed, `${step.what}: L1's gasUsed`).to.equal(r2.gasUsed + 12n * BigInt(nonZeroBytes(data) - referenceNonZero(step.call, step.gas)));
        // The same events, byte for byte (OpenZeppelin 5 emits no Approval on transferFrom), from each chain's token.
        const logsOf = (r: ContractTransactionReceipt) => r.logs.map((l: Log) => ({ topics: l.topics, data: l.data }));
        expect(logsOf(r2), step.what).to.deep.equal(logsOf(r1));
        expect(r2.logs.map((l) => lower(l.address))).to.deep.equal(r2.logs.map(() => lower(l2Token.target as string)));
        const parsed = r2.logs.map((l) => l2Token.interface.parseLog(l)!);
        if (step.call === "approve") expect(parsed.map((p) => [p.name, ...p.args])).to.deep.equal([["Approval", a, b, step.args[1]]]);
        else expect(parsed.map((p) => [p.name, ...p.args])).to.deep.equal([["Transfer", a, step.args[1], step.args[2]]]);
        expect(await l2Token.allowance(a, b), step.what).to.equal(await l1Token.allowance(a, b));
      }
      // What the steps left: the allowance used up, the balances moved as on L1.
      expect(await l2Token.allowance(a, b)).to.equal(0n);
      for (const who of [a, c, d, e]) expect(await l2Token.balanceOf(who), who).to.equal(await l1Token.balanceOf(who));
    } finally {
      l2.destroy();
      await t.stop();
    }
  });

  it("through viem: writeContract, parseEventLogs and readContract; an infinite allowance is not decreased, a finite one decreases to zero and then refuses", async () => {
    const t = await startTestNode(2);
    try {
      const chain = cairnChain(t.url);
      const client = createPublicClient({ chain, transport: http(t.url) }) as PublicClient;
      const [owner, spender] = t.wallets.map((w) => privateKeyToAccount((w as HDNodeWallet).privateKey as Hex));
      const ownerClient = createWalletClient({ account: owner, chain, transport: http(t.url) });
      const spenderClient = createWalletClient({ account: spender, chain, transport: http(t.url) });
      const address = l2TokenAddress(lower(await t.token.getAddress())) as Hex;
      const abi = TestToken__factory.abi;
      const recipient = Wallet.createRandom().address as Hex;
      const allowance = () => client.readContract({ address, abi, functionName: "allowance", args: [owner.address, spender.address] });
      const mined = async (hash: Hex) => {
        const receipt = await client.waitForTransactionReceipt({ hash });
        expect(receipt.status).to.equal("success");
        return { receipt, events: parseEventLogs({ abi, logs: receipt.logs }).map((l) => ({ eventName: l.eventName, args: l.args as unknown })) };
      };

      expect(await allowance()).to.equal(0n);
      const approveGas = await client.estimateContractGas({ address, abi, functionName: "approve", args: [spender.address, MaxUint256], account: owner });
      const approved = await mined(await ownerClient.writeContract({ address, abi, functionName: "approve", args: [spender.address, MaxUint256] }));
      expect(approved.receipt.gasUsed).to.equal(approveGas);
      expect(approved.events).to.deep.equal([{ eventName: "Approval", args: { owner: owner.address, spender: spender.address, value: MaxUint256 } }]);
      expect(await allowance()).to.equal(MaxUint256);

      const { result } = await client.simulateContract({ address, abi, functionName: "transferFrom", args: [owner.address, recipient, parseEther("100")], account: spender });
      expect(result).to.equal(true);
      const moved = await mined(await spenderClient.writeContract({ address, abi, functionName: "transferFrom", args: [owner.address, recipient, parseEther("100")] }));
      expect(moved.events).to.deep.equal([{ eventName: "Transfer", args: { from: owner.address, to: recipient, value: parseEther("100") } }]);
      expect(moved.receipt.gasUsed).to.equal(GAS.TRANSFER_FROM_INFINITE + GAS.TO_EMPTY_EXTRA);
      expect(await allowance(), "an infinite allowance is not decreased").to.equal(MaxUint256);

      await mined(await ownerClient.writeContract({ address, abi, functionName: "approve", args: [spender.address, parseEther("30")] }));
      await mined(await spenderClient.writeContract({ address, abi, functionName: "transferFrom", args: [owner.address, recipient, parseEther("20")] }));
      expect(await allowance()).to.equal(parseEther("10"));
      const last = await mined(await spenderClient.writeContract({ address, abi, functionName: "transferFrom", args: [owner.address, spender.address, parseEther("10")] }));
      expect(last.receipt.gasUsed).to.equal(GAS.TRANSFER_FROM_CLEARING);
      expect(await allowance(), "used up").to.equal(0n);
      expect(await client.readContract({ address, abi, functionName: "balanceOf", args: [owner.address] })).to.equal(parseEther("870"));
      expect(await client.readContract({ address, abi, functionName: "balanceOf", args: [recipient] })).to.equal(parseEther("120"));
      expect(await client.readContract({ address, abi, functionName: "balanceOf", args: [spender.address] })).to.equal(parseEther("1010"));

      const refused = await client.simulateContract({ address, abi, functionName: "transferFrom", args: [owner.address, recipient, 1n], account: spender }).then(
        () => null,
        (e: unknown) => e,
      );
      const cause = (refused as { cause?: { data?: { errorName?: string; args?: readonly unknown[] } } } | null)?.cause;
      expect([cause?.data?.errorName, cause?.data?.args]).to.deep.equal(["ERC20InsufficientAllowance", [spender.address, 0n, 1n]]);
      // And eth_getLogs finds both kinds of event by topic.
      const logs = await client.getLogs({ address, fromBlock: 0n, toBlock: "latest" });
      const named = parseEventLogs({ abi, logs }).map((l) => l.eventName);
      expect(named.filter((n) => n === "Approval")).to.have.length(2);
      expect(named.filter((n) => n === "Transfer").length).to.be.at.least(3);
    } finally {
      await t.stop();
    }
  });

  it("simulation reverts as the OpenZeppelin token on the Hardhat L1 does, decoded alike by ethers (staticCall, estimateGas) and viem (simulateContract, estimateContractGas): allowance first, then zero addresses, then the balance", async () => {
    const t = await startTestNode(2);
    const l2 = new JsonRpcProvider(t.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    try {
      const [owner, spender] = t.wallets.map((w) => w as HDNodeWallet);
      const l2Token = TestToken__factory.connect(l2TokenAddress(lower(await t.token.getAddress())), l2);
      // On L1: the same addresses holding the same amounts of a fresh OpenZeppelin token, with the same allowances.
      const l1Token = (await ethers.deployContract("TestToken", ["Test Token", "TEST", 18], t.funder)) as unknown as TestToken;
      await (await l1Token.mint(owner.address, parseEther("1000"))).wait();
      for (const w of [owner, spender]) await (await t.funder.sendTransaction({ to: w.address, value: parseEther("1") })).wait();
      const approve = async (amount: bigint) => {
        await (await l2Token.connect(owner.connect(l2)).approve(spender.address, amount)).wait();
        await (await l1Token.connect(owner.connect(ethers.provider)).approve(spender.address, amount)).wait();
      };
      const to = Wallet.createRandom().address;
      const stranger = Wallet.createRandom().address;
      type Case = { what: string; from: string; call: "approve" | "transferFrom" | "transfer"; args: unknown[]; expected: { name: string; args: unknown[] } };
      const check = async (list: Case[]) => {
        for (const c of list) {
          for (const how of ["staticCall", "estimateGas"] as const) {
            const run = (token: TestToken) => () => token.getFunction(c.call)[how](...c.args, { from: c.from });
            const label = `${c.what} (${how})`;
            expect(await outcome(run(l1Token.connect(ethers.provider)), l1Token), `${label} on L1`).to.deep.equal(c.expected);
            expect(await outcome(run(l2Token), l2Token), `${label} on Cairn`).to.deep.equal(c.expected);
          }
          if (c.expected.name === "succeeded") expect(await l2Token.getFunction(c.call).staticCall(...c.args, { from: c.from }), `${c.what} returns true`).to.equal(true);
        }
      };
      await approve(100n);
      const ok = { name: "succeeded", args: [] };
      await check([
        { what: "transferFrom above the allowance", from: spender.address, call: "transferFrom", args: [owner.address, to, 101n], expected: { name: "ERC20InsufficientAllowance", args: [lower(spender.address), 100n, 101n] } },
        { what: "transferFrom within it", from: spender.address, call: "transferFrom", args: [owner.address, to, 100n], expected: ok },
        { what: "transferFrom by one never approved", from: stranger, call: "transferFrom", args: [owner.address, to, 1n], expected: { name: "ERC20InsufficientAllowance", args: [lower(stranger), 0n, 1n] } },
        { what: "transferFrom of an owner without an account", from: spender.address, call: "transferFrom", args: [stranger, to, 5n], expected: { name: "ERC20InsufficientAllowance", args: [lower(spender.address), 0n, 5n] } },
        // The allowance is checked before the recipient: above it, the zero recipient is not what reverts.
        { what: "transferFrom above the allowance to zero", from: spender.address, call: "transferFrom", args: [owner.address, ZeroAddress, 101n], expected: { name: "ERC20InsufficientAllowance", args: [lower(spender.address), 100n, 101n] } },
        { what: "transferFrom within it to zero", from: spender.address, call: "transferFrom", args: [owner.address, ZeroAddress, 1n], expected: { name: "ERC20InvalidReceiver", args: [ZeroAddress] } },
        // _spendAllowance rewrites a finite allowance through _approve, which refuses the zero owner first.
        { what: "transferFrom of nothing from the zero address", from: spender.address, call: "transferFrom", args: [ZeroAddress, to, 0n], expected: { name: "ERC20InvalidApprover", args: [ZeroAddress] } },
        { what: "transferFrom from the zero address", from: spender.address, call: "transferFrom", args: [ZeroAddress, to, 1n], expected: { name: "ERC20InsufficientAllowance", args: [lower(spender.address), 0n, 1n] } },
        { what: "approve of the zero spender", from: owner.address, call: "approve", args: [ZeroAddress, 1n], expected: { name: "ERC20InvalidSpender", args: [ZeroAddress] } },
        { what: "approve from the zero address", from: ZeroAddress, call: "approve", args: [spender.address, 1n], expected: { name: "ERC20InvalidApprover", args: [ZeroAddress] } },
        { what: "approve", from: owner.address, call: "approve", args: [spender.address, 1n], expected: ok },
        { what: "transfer to the zero address", from: owner.address, call: "transfer", args: [ZeroAddress, 1n], expected: { name: "ERC20InvalidReceiver", args: [ZeroAddress] } },
      ]);
      // An allowance above the balance: the balance is what reverts, named by the owner.
      await approve(parseEther("5000"));
      await check([
        { what: "transferFrom within the allowance above the balance", from: spender.address, call: "transferFrom", args: [owner.address, to, parseEther("1001")], expected: { name: "ERC20InsufficientBalance", args: [lower(owner.address), parseEther("1000"), parseEther("1001")] } },
      ]);
      // An infinite allowance is not checked at all: the balance is.
      await approve(MaxUint256);
      await check([
        { what: "transferFrom under an infinite allowance above the balance", from: spender.address, call: "transferFrom", args: [owner.address, to, parseEther("1001")], expected: { name: "ERC20InsufficientBalance", args: [lower(owner.address), parseEther("1000"), parseEther("1001")] } },
        { what: "transferFrom under an infinite allowance to zero", from: spender.address, call: "transferFrom", args: [owner.address, ZeroAddress, 1n], expected: { name: "ERC20InvalidReceiver", args: [ZeroAddress] } },
      ]);
      await approve(100n);

      // viem decodes the same errors from Cairn's revert data, and from the L1 token's.
      const chain = cairnChain(t.url);
      const client = createPublicClient({ chain, transport: http(t.url) }) as PublicClient;
      const abi = TestToken__factory.abi;
      const viemRevert = async (run: Promise<unknown>) => {
        const error = await run.then(
          () => null,
          (e: unknown) => e as { cause?: { data?: { errorName?: string; args?: readonly unknown[] } }; walk?: (f: (e: unknown) => boolean) => unknown },
        );
        // estimateContractGas wraps the call error one level deeper: walk to the one carrying the decoded data.
        const found = error?.walk?.((e) => typeof (e as { data?: { errorName?: unknown } }).data?.errorName === "string") as { data?: { errorName?: string; args?: readonly unknown[] } } | undefined;
        const data = found?.data ?? error?.cause?.data;
        return [data?.errorName, data?.args];
      };
      const address = l2Token.target as Hex;
      const above = { abi, functionName: "transferFrom", args: [owner.address as Hex, to as Hex, 101n], account: spender.address as Hex } as const;
      const expected = ["ERC20InsufficientAllowance", [spender.address, 100n, 101n]];
      expect(await viemRevert(client.simulateContract({ address, ...above }))).to.deep.equal(expected);
      expect(await viemRevert(client.estimateContractGas({ address, ...above }))).to.deep.equal(expected);
      const hardhatChain = defineChain({ id: 31337, name: "Hardhat", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: ["http://127.0.0.1:0"] } } });
      // Hardhat's in-process provider throws its own error with the revert data but no code; over
      // HTTP (npx hardhat node) it answers code 3 with the data, as geth does: viem is given that.
      const overJsonRpc = custom({
        request: async (args: { method: string; params?: unknown[] }) => {
          try {
            return await network.provider.request(args);
          } catch (e) {
            const data = (e as { data?: unknown }).data;
            if (typeof data === "string" && data.startsWith("0x")) throw Object.assign(new Error("execution reverted"), { code: 3, data });
            throw e;
          }
        },
      });
      const l1Client = createPublicClient({ chain: hardhatChain, transport: overJsonRpc }) as PublicClient;
      expect(await viemRevert(l1Client.simulateContract({ address: l1Token.target as Hex, ...above }))).to.deep.equal(expected);
      expect(await viemRevert(client.simulateContract({ address, abi, functionName: "approve", args: [ZeroAddress as Hex, 1n], account: owner.address as Hex }))).to.deep.equal(["ERC20InvalidSpender", [ZeroAddress]]);
      expect(await viemRevert(l1Client.simulateContract({ address: l1Token.target as Hex, abi, functionName: "approve", args: [ZeroAddress as Hex, 1n], account: owner.address as Hex }))).to.deep.equal(["ERC20InvalidSpender", [ZeroAddress]]);

      // Through Multicall3 (viem batches reads through it) the views answer as directly; a write's
      // msg.sender is Multicall3, as on Ethereum, which holds nothing and was approved nothing.
      const [viaMulticall] = await client.multicall({ contracts: [{ address, abi, functionName: "allowance", args: [owner.address as Hex, spender.address as Hex] }], multicallAddress: "0xca11bde05977b3631167028862be2a173976ca11" });
      expect(viaMulticall).to.deep.equal({ result: 100n, status: "success" });
      const multicall3 = new Interface(["function aggregate3((address target, bool allowFailure, bytes callData)[] calls) payable returns ((bool success, bytes returnData)[])"]);
      const sub = (data: string) => ({ target: address, allowFailure: true, callData: data });
      const aggregated = await l2.call({
        from: owner.address,
        to: "0xca11bde05977b3631167028862be2a173976ca11",
        data: multicall3.encodeFunctionData("aggregate3", [[sub(l2Token.interface.encodeFunctionData("transfer", [to, 1n])), sub(l2Token.interface.encodeFunctionData("transferFrom", [owner.address, to, 1n]))]]),
      });
      const [results] = multicall3.decodeFunctionResult("aggregate3", aggregated) as unknown as [Array<[boolean, string]>];
      expect(results.map(([success]) => success)).to.deep.equal([false, false]);

      // Sending what simulation refused is refused too: nothing is included, the allowance unchanged.
      const raw = await spender.connect(l2).signTransaction({ type: 2, chainId: CHAIN_ID, to: address, data: l2Token.interface.encodeFunctionData("transferFrom", [owner.address, to, 101n]), nonce: await l2.getTransactionCount(spender.address), gasLimit: 100_000n, maxFeePerGas: t.node.baseFee * 10n, maxPriorityFeePerGas: 0n });
      const sent = await rpc(t.url, "eth_sendRawTransaction", [raw]);
      expect(sent.error?.message).to.match(/ERC20InsufficientAllowance/);
      expect(await l2Token.allowance(owner.address, spender.address)).to.equal(100n);
    } finally {
      l2.destroy();
      await t.stop();
    }
  });

  it("keeps allowances across a restart, reads them at past blocks (ethers blockTag, viem blockNumber), and proves an account that gave them with eth_getProof and verifyAccountProof", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-allowances-"));
    const t = await startTestNode(2, { dataDir, blockTimeMs: 60_000, maxBatchAgeMs: 600_000 });
    let node: SequencerNode = t.node;
    try {
      const [owner, spender] = t.wallets.map((w) => w as HDNodeWallet);
      const address = l2TokenAddress(lower(await t.token.getAddress()));
      const iface = TestToken__factory.createInterface();
      /** Signs a call to the token, seals its block and returns the block. */
      const sealed = async (from: HDNodeWallet, data: string) => {
        const raw = await from.signTransaction({ type: 2, chainId: CHAIN_ID, to: address, data, nonce: Number(node.nonce(from.address, "pending")), gasLimit: 100_000n, maxFeePerGas: node.baseFee * 10n, maxPriorityFeePerGas: 0n, value: 0n });
        await node.sendRawTransaction(raw);
        return node.sequencer.sealBlock()!;
      };
      const before = node.chain.latest;
      const approved = await sealed(owner, iface.encodeFunctionData("approve", [spender.address, 500n]));
      const spent = await sealed(spender, iface.encodeFunctionData("transferFrom", [owner.address, spender.address, 200n]));
      const infinite = await sealed(owner, iface.encodeFunctionData("approve", [spender.address, MaxUint256]));
      const expected: Array<[number, bigint]> = [
        [before.number, 0n],
        [approved.number, 500n],
        [spent.number, 300n],
        [infinite.number, MaxUint256],
      ];
      const ownerIndex = node.state.indexOf(lower(owner.address))!;
      const spenderIndex = node.state.indexOf(lower(spender.address))!;
      const tokenId = node.state.tokenByL2Address(address)!.id;
      const roots = new Map<number, string>(node.chain.blocks.map((b) => [b.number, b.stateRoot]));

      const expectPast = async (url: string, what: string) => {
        const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
        const client = createPublicClient({ chain: cairnChain(url), transport: http(url) }) as PublicClient;
        const token = TestToken__factory.connect(address, provider);
        try {
          for (const [block, amount] of expected) {
            const label = `${what}: at block ${block}`;
            expect(await token.allowance(owner.address, spender.address, { blockTag: block }), label).to.equal(amount);
            expect(await client.readContract({ address: address as Hex, abi: TestToken__factory.abi, functionName: "allowance", args: [owner.address as Hex, spender.address as Hex], blockNumber: BigInt(block) }), label).to.equal(amount);
            const proof = (await rpc(url, "eth_getProof", [owner.address, [], hex(block)])).result as AccountProofResponse;
            const given = amount === 0n ? new Map<number, bigint>() : new Map([[allowanceKey(tokenId, spenderIndex), amount]]);
            expect(proof.allowanceRoot, label).to.equal("0x" + allowanceRoot(given).toString("hex"));
            expect(verifyAccountProof(proof, roots.get(block)!), label).to.equal(true);
            // The leaf commits to the allowances: any other root fails.
            expect(verifyAccountProof({ ...proof, allowanceRoot: "0x" + (amount === 0n ? allowanceRoot(new Map([[allowanceKey(tokenId, spenderIndex), 1n]])) : EMPTY_ALLOWANCE_ROOT).toString("hex") }, roots.get(block)!), label).to.equal(false);
            // viem's getProof keeps Cairn's fields: its answer verifies too.
            const viaViem = await client.getProof({ address: owner.address as Hex, storageKeys: [], blockNumber: BigInt(block) });
            expect(verifyAccountProof(viaViem as never, roots.get(block)!), `${label} (viem)`).to.equal(true);
          }
          // A spender's proof: it gave nothing, its allowance root is the empty tree's.
          const spenderProof = (await rpc(url, "eth_getProof", [spender.address, [], "latest"])).result as AccountProofResponse;
          expect(spenderProof.allowanceRoot).to.equal("0x" + EMPTY_ALLOWANCE_ROOT.toString("hex"));
        } finally {
          provider.destroy();
        }
      };
      expect(node.state.allowance(ownerIndex, tokenId, spenderIndex)).to.equal(MaxUint256);
      await expectPast(node.rpcUrl!, "running");

      await node.stop();
      node = new SequencerNode(testNodeConfig(t, t.deployer, { dataDir, blockTimeMs: 60_000, maxBatchAgeMs: 600_000 }));
      await node.start();
      expect(node.startup.restoredBlocks).to.be.at.least(infinite.number);
      expect(node.state.root().equals(Buffer.from(infinite.stateRoot.slice(2), "hex")), "the restored state is the stored tip's").to.equal(true);
      await expectPast(node.rpcUrl!, "restarted");
      // And the restored allowance is spent as before the restart: infinite, not decreased.
      const after = await sealed(spender, iface.encodeFunctionData("transferFrom", [owner.address, spender.address, 1n]));
      expect(after.transactions[0].gasUsed).to.equal(GAS.TRANSFER_FROM_INFINITE);
      expect(node.state.allowance(ownerIndex, tokenId, spenderIndex)).to.equal(MaxUint256);
    } finally {
      await node.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
