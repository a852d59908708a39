import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { l1Fixture } from "../helpers/l1Fixture";
import { queueAccumulator, withdrawalLeaf, l2TokenAddress, type Withdrawal } from "../../src/core/hashing";
import { encodeBatch } from "../../src/core/commitment";
import { keccak256 } from "../../src/core/hash";
import { MerkleTree } from "merkletreejs";
import { setBridgeTokenCount } from "../helpers/tokenCount";
import type { TokenFlooder } from "../../typechain-types";

const hex = (b: Buffer) => "0x" + b.toString("hex");

/** A batch whose single commitment claims `withdrawals` (content is not checked on submission). */
function batchWith(withdrawals: Withdrawal[]) {
  const tree = new MerkleTree(withdrawals.map(withdrawalLeaf), keccak256, { sortPairs: true });
  const body = Buffer.concat([keccak256(Buffer.from("post")), Buffer.of(1), tree.getRoot(), Buffer.alloc(8)]);
  return { data: encodeBatch([body]), tree };
}

describe("Bridge", () => {
  describe("depositETH", () => {
    it("queues the deposit with a running hash that src/core reproduces", async () => {
      const { bridge, alice, bob } = await loadFixture(l1Fixture);
      await expect(bridge.connect(alice).depositETH(bob.address, { value: 123n })).to.emit(bridge, "QueueEntryAdded");
      const ts = BigInt(await time.latest());
      const expected = queueAccumulator(Buffer.alloc(32), 0, bob.address.toLowerCase(), 0, 123n, ts);
      expect(await bridge.queueAccumulator(0)).to.equal(hex(expected));
      expect(await bridge.queueTimestamp(0)).to.equal(ts);
      expect(await bridge.queueLength()).to.equal(1n);
      expect(await ethers.provider.getBalance(await bridge.getAddress())).to.equal(123n);
    });

    it("reverts on zero value", async () => {
      const { bridge, alice, bob } = await loadFixture(l1Fixture);
      await expect(bridge.connect(alice).depositETH(bob.address)).to.be.revertedWithCustomError(bridge, "BridgeZeroAmount");
    });

    it("reverts on the zero recipient", async () => {
      const { bridge, alice } = await loadFixture(l1Fixture);
      await expect(bridge.connect(alice).depositETH(ethers.ZeroAddress, { value: 1n })).to.be.revertedWithCustomError(bridge, "BridgeZeroRecipient");
    });
  });

  describe("registerToken", () => {
    it("assigns ids in order, emits metadata and queues the registration", async () => {
      const { bridge, token } = await loadFixture(l1Fixture);
      const t = await token.getAddress();
      await expect(bridge.registerToken(t))
        .to.emit(bridge, "TokenRegistered")
        .withArgs(t, 0, ethers.getAddress(l2TokenAddress(t)), "Test Token", "TEST", 18);
      expect(await bridge.tokenIdOf(t)).to.equal(0n);
      expect(await bridge.tokenAt(0)).to.equal(t);
      expect(await bridge.tokenCount()).to.equal(1n);
      expect(await bridge.queueLength()).to.equal(1n);
    });

    it("reverts on a second registration of the same token", async () => {
      const { bridge, token } = await loadFixture(l1Fixture);
      await bridge.registerToken(token);
      await expect(bridge.registerToken(token)).to.be.revertedWithCustomError(bridge, "BridgeTokenAlreadyRegistered").withArgs(await token.getAddress(), 0);
    });

    it("reverts on an address without code", async () => {
      const { bridge, bob } = await loadFixture(l1Fixture);
      await expect(bridge.registerToken(bob.address)).to.be.revertedWithCustomError(bridge, "BridgeNotAContract").withArgs(bob.address);
    });

    it("registers a 257th token as id 256 after 256 junk registrations, queued with a 3-byte id src/core hashes alike", async () => {
      const { bridge } = await loadFixture(l1Fixture);
      const factory = await ethers.getContractFactory("NoReturnToken");
      for (let i = 0; i < 256; i++) await bridge.registerToken(await (await factory.deploy()).getAddress());
      const extra = await (await factory.deploy()).getAddress();
      await expect(bridge.registerToken(extra)).to.emit(bridge, "TokenRegistered").withArgs(extra, 256, ethers.getAddress(l2TokenAddress(extra)), "No Return", "NRT", 6);
      expect(await bridge.tokenIdOf(extra)).to.equal(256n);
      expect(await bridge.tokenAt(256)).to.equal(extra);
      const previous = Buffer.from((await bridge.queueAccumulator(255)).slice(2), "hex");
      const ts = BigInt(await time.latest());
      expect(await bridge.queueAccumulator(256)).to.equal(hex(queueAccumulator(previous, 2, extra.toLowerCase(), 256, 0n, ts)));
    });

    // The token count is set with hardhat_setStorageAt (test/helpers/tokenCount.ts): 65,536 or
    // 16.7M registrations are out of a test's reach.
    it("gives ids past 16 bits: a token count of 65,535 (set in storage) registers ids 65,535 and 65,536, deposits queue them", async () => {
      const { bridge, alice, bob } = await loadFixture(l1Fixture);
      await setBridgeTokenCount(bridge, 65_535);
      const a = await ethers.deployContract("TestToken", ["A", "A", 18]);
      const b = await ethers.deployContract("TestToken", ["B", "B", 18]);
      await expect(bridge.registerToken(a)).to.emit(bridge, "TokenRegistered").withArgs(await a.getAddress(), 65_535, ethers.getAddress(l2TokenAddress(await a.getAddress())), "A", "A", 18);
      await expect(bridge.registerToken(b)).to.emit(bridge, "QueueEntryAdded").withArgs(1, 2, await b.getAddress(), 65_536, 0n, (s: string) => s.length === 42, (acc: string) => acc.length === 66);
      expect(await bridge.tokenIdOf(b)).to.equal(65_536n);
      expect(await bridge.tokenAt(65_536)).to.equal(await b.getAddress());
      await b.mint(alice.address, 1000n);
      await b.connect(alice).approve(await bridge.getAddress(), 1000n);
      await expect(bridge.connect(alice).depositERC20(b, bob.address, 700n)).to.emit(bridge, "QueueEntryAdded").withArgs(2, 1, bob.address, 65_536, 700n, alice.address, (acc: string) => acc.length === 66);
      const ts = BigInt(await time.latest());
      const previous = Buffer.from((await bridge.queueAccumulator(1)).slice(2), "hex");
      expect(await bridge.queueAccumulator(2)).to.equal(hex(queueAccumulator(previous, 1, bob.address.toLowerCase(), 65_536, 700n, ts)));
    });

    it("costs a registration at least 75k gas even looped from a contract over existing contracts: 2^24 of them cost over 1.25·10^12 gas", async () => {
      const { bridge } = await loadFixture(l1Fixture);
      const flooder = (await ethers.deployContract("TokenFlooder", [await bridge.getAddress()])) as unknown as TokenFlooder;
      /** Gas of registering `n` junk contracts deployed beforehand (as existing L1 contracts are). */
      const register = async (n: number) => {
        const junk = [...(await flooder.deployJunk.staticCall(n))];
        await (await flooder.deployJunk(n)).wait();
        return (await (await flooder.registerAll(junk)).wait())!.gasUsed;
      };
      await register(1); // the first registration turns the array's length slot from zero
      const ten = await register(10);
      const hundred = await register(100);
      const marginal = (hundred - ten) / 90n;
      // docs/trust-model.md quotes ~80.7k.
      expect(marginal).to.be.greaterThanOrEqual(75_000n);
      expect(marginal * 2n ** 24n).to.be.greaterThan(1_250_000_000_000n);
      expect(await bridge.tokenCount()).to.equal(111n);
    });

    it("reverts past 2^24 tokens, the 24-bit id space: id 16,777,215 is the last", async () => {
      const { bridge } = await loadFixture(l1Fixture);
      await setBridgeTokenCount(bridge, 2 ** 24 - 1);
      const factory = await ethers.getContractFactory("NoReturnToken");
      const last = await (await factory.deploy()).getAddress();
      await expect(bridge.registerToken(last)).to.emit(bridge, "TokenRegistered").withArgs(last, 2 ** 24 - 1, ethers.getAddress(l2TokenAddress(last)), "No Return", "NRT", 6);
      expect(await bridge.tokenIdOf(last)).to.equal(BigInt(2 ** 24 - 1));
      await expect(bridge.registerToken(await factory.deploy())).to.be.revertedWithCustomError(bridge, "BridgeTooManyTokens").withArgs(2 ** 24);
    });
  });

  describe("depositERC20", () => {
    it("escrows the tokens and queues the deposit", async () => {
      const { bridge, token, alice, bob } = await loadFixture(l1Fixture);
      await bridge.registerToken(token);
      await expect(bridge.connect(alice).depositERC20(token, bob.address, 500n))
        .to.emit(bridge, "QueueEntryAdded")
        .withArgs(1, 1, bob.address, 0, 500n, alice.address, (acc: string) => acc.length === 66);
      expect(await token.balanceOf(await bridge.getAddress())).to.equal(500n);
    });

    it("credits a fee-on-transfer token by the amount actually received", async () => {
      const { bridge, alice, bob } = await loadFixture(l1Fixture);
      const fot = await ethers.deployContract("FeeOnTransferToken");
      await fot.mint(alice.address, 10_000n);
      await fot.connect(alice).approve(await bridge.getAddress(), 10_000n);
      await bridge.registerToken(fot);
      await expect(bridge.connect(alice).depositERC20(fot, bob.address, 1000n))
        .to.emit(bridge, "QueueEntryAdded")
        .withArgs(1, 1, bob.address, 0, 990n, alice.address, (acc: string) => acc.length === 66);
    });

    it("accepts tokens whose transferFrom returns nothing", async () => {
      const { bridge, alice, bob } = await loadFixture(l1Fixture);
      const nrt = await ethers.deployContract("NoReturnToken");
      await nrt.mint(alice.address, 1000n);
      await nrt.connect(alice).approve(await bridge.getAddress(), 1000n);
      await bridge.registerToken(nrt);
      await bridge.connect(alice).depositERC20(nrt, bob.address, 1000n);
      expect(await nrt.balanceOf(await bridge.getAddress())).to.equal(1000n);
    });

    it("reverts on an unregistered token", async () => {
      const { bridge, token, alice, bob } = await loadFixture(l1Fixture);
      await expect(bridge.connect(alice).depositERC20(token, bob.address, 1n)).to.be.revertedWithCustomError(bridge, "BridgeUnknownToken").withArgs(await token.getAddress());
    });

    it("reverts on zero amount and on the zero recipient", async () => {
      const { bridge, token, alice, bob } = await loadFixture(l1Fixture);
      await bridge.registerToken(token);
      await expect(bridge.connect(alice).depositERC20(token, bob.address, 0n)).to.be.revertedWithCustomError(bridge, "BridgeZeroAmount");
      await expect(bridge.connect(alice).depositERC20(token, ethers.ZeroAddress, 1n)).to.be.revertedWithCustomError(bridge, "BridgeZeroRecipient");
    });

    it("reverts when the token delivers nothing to the bridge", async () => {
      const { bridge, alice, bob } = await loadFixture(l1Fixture);
      const nothing = await ethers.deployContract("NothingDeliveredToken");
      await bridge.registerToken(nothing);
      await expect(bridge.connect(alice).depositERC20(nothing, bob.address, 1000n)).to.be.revertedWithCustomError(bridge, "BridgeZeroAmount");
    });
  });

  describe("views", () => {
    it("revert on unknown queue entries and tokens", async () => {
      const { bridge, bob } = await loadFixture(l1Fixture);
      await expect(bridge.queueAccumulator(0)).to.be.revertedWithCustomError(bridge, "BridgeUnknownQueueEntry").withArgs(0, 0);
      await expect(bridge.queueTimestamp(3)).to.be.revertedWithCustomError(bridge, "BridgeUnknownQueueEntry").withArgs(3, 0);
      await expect(bridge.tokenAt(0)).to.be.revertedWithCustomError(bridge, "BridgeUnknownToken");
      await expect(bridge.tokenIdOf(bob.address)).to.be.revertedWithCustomError(bridge, "BridgeUnknownToken").withArgs(bob.address);
    });
  });

  describe("finalizeWithdrawal", () => {
    async function withdrawalFixture() {
      const f = await l1Fixture();
      const { bridge, rollup, deployer, alice, bob, token } = f;
      await bridge.registerToken(token);
      await bridge.connect(alice).depositETH(alice.address, { value: ethers.parseEther("2") });
      await bridge.connect(alice).depositERC20(token, alice.address, 1000n);
      const rejecter = await ethers.deployContract("EthRejecter");
      const t = (await token.getAddress()).toLowerCase();
      const ws: Withdrawal[] = [
        { id: 0n, l2Sender: alice.address, l1Recipient: bob.address, l1Token: ethers.ZeroAddress, amount: ethers.parseEther("1") },
        { id: 1n, l2Sender: alice.address, l1Recipient: bob.address, l1Token: t, amount: 400n },
        { id: 2n, l2Sender: alice.address, l1Recipient: await rejecter.getAddress(), l1Token: ethers.ZeroAddress, amount: 5n },
      ];
      const { data, tree } = batchWith(ws);
      await rollup.connect(deployer).postBond({ value: f.params.bondSize });
      await rollup.submitBatch(0, await rollup.genesisStateRoot(), 3, data);
      const proof = (w: Withdrawal) => tree.getHexProof(withdrawalLeaf(w));
      return { ...f, ws, proof };
    }

    it("pays ETH and tokens out exactly once after the challenge window", async () => {
      const { bridge, bob, token, ws, proof, params } = await loadFixture(withdrawalFixture);
      await time.increase(params.challengeWindow);
      await expect(bridge.finalizeWithdrawal(ws[0], 0, proof(ws[0]))).to.changeEtherBalance(bob, ethers.parseEther("1"));
      await expect(bridge.finalizeWithdrawal(ws[1], 0, proof(ws[1]))).to.changeTokenBalance(token, bob, 400n);
      expect(await bridge.isWithdrawalFinalized(0)).to.equal(true);
      await expect(bridge.finalizeWithdrawal(ws[0], 0, proof(ws[0]))).to.be.revertedWithCustomError(bridge, "BridgeWithdrawalAlreadyFinalized").withArgs(0);
    });

    it("reverts before the batch is final", async () => {
      const { bridge, ws, proof } = await loadFixture(withdrawalFixture);
      await expect(bridge.finalizeWithdrawal(ws[0], 0, proof(ws[0]))).to.be.revertedWithCustomError(bridge, "BridgeBatchNotFinal").withArgs(0);
      await expect(bridge.finalizeWithdrawal(ws[0], 7, proof(ws[0]))).to.be.revertedWithCustomError(bridge, "BridgeBatchNotFinal").withArgs(7);
    });

    it("reverts on a proof that does not match the withdrawal", async () => {
      const { bridge, ws, proof, params } = await loadFixture(withdrawalFixture);
      await time.increase(params.challengeWindow);
      const forged = { ...ws[0], amount: ws[0].amount + 1n };
      await expect(bridge.finalizeWithdrawal(forged, 0, proof(ws[0]))).to.be.revertedWithCustomError(bridge, "BridgeInvalidWithdrawalProof").withArgs(0, 0);
    });

    it("reverts when the ETH recipient refuses the payment, leaving it payable later", async () => {
      const { bridge, ws, proof, params } = await loadFixture(withdrawalFixture);
      await time.increase(params.challengeWindow);
      await expect(bridge.finalizeWithdrawal(ws[2], 0, proof(ws[2]))).to.be.revertedWithCustomError(bridge, "BridgeEthTransferFailed");
      expect(await bridge.isWithdrawalFinalized(2)).to.equal(false);
    });
  });
});

describe("Bridge.forceWithdrawal", () => {
  it("queues a forced withdrawal of the caller's ETH or token", async () => {
    const { bridge, token, alice } = await loadFixture(l1Fixture);
    await bridge.registerToken(token);
    await expect(bridge.connect(alice).forceWithdrawal(ethers.ZeroAddress, 5n))
      .to.emit(bridge, "QueueEntryAdded")
      .withArgs(1, 3, alice.address, 0, 5n, alice.address, (acc: string) => acc.length === 66);
    await expect(bridge.connect(alice).forceWithdrawal(token, 7n))
      .to.emit(bridge, "QueueEntryAdded")
      .withArgs(2, 4, alice.address, 0, 7n, alice.address, (acc: string) => acc.length === 66);
  });

  it("reverts on zero amount and on an unregistered token", async () => {
    const { bridge, token, alice } = await loadFixture(l1Fixture);
    await expect(bridge.connect(alice).forceWithdrawal(ethers.ZeroAddress, 0n)).to.be.revertedWithCustomError(bridge, "BridgeZeroAmount");
    await expect(bridge.connect(alice).forceWithdrawal(token, 1n)).to.be.revertedWithCustomError(bridge, "BridgeUnknownToken").withArgs(await token.getAddress());
  });
});

describe("Bridge.registerToken: whatever a token's metadata views answer", () => {
  /** The base cost of a registration (~114k) plus every view using its whole 50k allowance, with slack. */
  const MAX_REGISTRATION_GAS = 300_000n;
  const abi = ethers.AbiCoder.defaultAbiCoder();

  /**
   * Registers `token` and returns the TokenRegistered event's name and symbol as raw bytes (an
   * ABI string is encoded as bytes, so this reads them without decoding UTF-8), its decimals
   * and the gas the registration used.
   */
  async function register(tokenName: string, ...args: unknown[]) {
    const { bridge } = await loadFixture(l1Fixture);
    const token = await ethers.deployContract(tokenName, args);
    const receipt = (await (await bridge.registerToken(token)).wait())!;
    const log = receipt.logs.find((l) => l.topics[0] === bridge.interface.getEvent("TokenRegistered").topicHash)!;
    const [, name, symbol, decimals] = abi.decode(["address", "bytes", "bytes", "uint8"], log.data);
    expect(await bridge.tokenIdOf(token)).to.equal(0n);
    return { name: Buffer.from(ethers.getBytes(name)), symbol: Buffer.from(ethers.getBytes(symbol)), decimals: Number(decimals), gasUsed: receipt.gasUsed };
  }

  it("records a name that is not UTF-8 and a symbol with control characters as the token's bytes", async () => {
    const r = await register("InvalidUtf8Token");
    expect(r.name.toString("hex")).to.equal("fffec0af80eda08041");
    expect(r.symbol).to.deep.equal(Buffer.concat([Buffer.from("1b5b33316d", "hex"), Buffer.from("EVIL"), Buffer.from("e280ae", "hex"), Buffer.from("DSU\0\n")]));
    expect(r.decimals).to.equal(6);
    expect(r.gasUsed).to.be.lessThan(MAX_REGISTRATION_GAS);
  });

  it("cuts a long name to 64 bytes at a character boundary, and gives up on a 300 kB symbol at bounded gas", async () => {
    const r = await register("HugeMetadataToken", 20_000);
    expect(r.name.toString("utf8")).to.equal("€".repeat(21)); // 63 bytes: the 22nd "€" would straddle byte 64
    expect(r.symbol.length).to.equal(0);
    expect(r.decimals).to.equal(18);
    expect(r.gasUsed).to.be.lessThan(MAX_REGISTRATION_GAS);
  });

  it("records 18 decimals when decimals() reverts", async () => {
    const r = await register("RevertingDecimalsToken");
    expect([r.name.toString(), r.symbol.toString(), r.decimals]).to.deep.equal(["Reverting Decimals", "RDEC", 18]);
  });

  it("records empty strings for a reverting name and for an ABI string longer than the answer, and 18 for decimals of 2^255", async () => {
    const r = await register("GarbageMetadataToken");
    expect([r.name.length, r.symbol.length, r.decimals]).to.deep.equal([0, 0, 18]);
    expect(r.gasUsed).to.be.lessThan(MAX_REGISTRATION_GAS);
  });

  it("reads names and symbols answered as bytes32, as MKR's are", async () => {
    const r = await register("Bytes32MetadataToken");
    expect([r.name.toString(), r.symbol.toString()]).to.deep.equal(["Maker", "MKR"]);
  });

  it("refuses a gas limit too tight for the views rather than recording fallback metadata, so the estimate records the real name", async () => {
    const { bridge } = await loadFixture(l1Fixture);
    const hungry = await ethers.deployContract("GasHungryMetadataToken");
    const estimate = await bridge.registerToken.estimateGas(hungry);
    await expect(bridge.registerToken(hungry, { gasLimit: estimate - 10_000n })).to.be.reverted;
    await expect(bridge.tokenIdOf(hungry)).to.be.revertedWithCustomError(bridge, "BridgeUnknownToken");
    await expect(bridge.registerToken(hungry, { gasLimit: estimate }))
      .to.emit(bridge, "TokenRegistered")
      .withArgs(await hungry.getAddress(), 0, ethers.getAddress(l2TokenAddress(await hungry.getAddress())), "Hungry", "HGRY", 18);
  });

  it("reverts with BridgeMetadataGasTooLow, naming the gas needed, when a view's allowance is not available", async () => {
    const { bridge } = await loadFixture(l1Fixture);
    const hungry = await ethers.deployContract("GasHungryMetadataToken");
    // Enough for everything before the first view, not for the view's allowance.
    await expect(bridge.registerToken(hungry, { gasLimit: 120_000n }))
      .to.be.revertedWithCustomError(bridge, "BridgeMetadataGasTooLow")
      .withArgs(50_000n + 50_000n / 63n + 1_000n, (left: bigint) => left < 50_000n + 50_000n / 63n + 1_000n);
  });
});
