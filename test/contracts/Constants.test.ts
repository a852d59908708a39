import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  ACCOUNT_TREE_DEPTH,
  ALLOWANCE_TREE_DEPTH,
  FLAG_INDEX_MASK,
  FLAG_INDEX_SHIFT,
  FLAG_TOKEN_CLASS_SHIFT,
  FLAG_WITHDRAWALS,
  GAS,
  MAX_COMMITMENTS_PER_BATCH,
  MAX_FEE_ENTRIES,
  MAX_PROOF_WEIGHT,
  MAX_TOKEN_PROOF_WEIGHT,
  MAX_OPS_PER_COMMITMENT,
  MAX_TOKENS,
  OP_EXTENDED,
  OpKind,
  SELECTOR_APPROVE,
  SELECTOR_TRANSFER,
  SELECTOR_TRANSFER_FROM,
  SELECTOR_WITHDRAW,
  TOKEN_ID_BITS,
  TOKEN_TREE_DEPTH,
  WITHDRAWAL_PREDEPLOY,
} from "../../src/core/constants";

describe("Constants: contracts/libraries/Constants.sol and src/core/constants.ts agree", () => {
  async function harness() {
    return (await ethers.deployContract("ConstantsHarness")) as unknown as import("../../typechain-types").ConstantsHarness;
  }

  it("tree depths, the token width classes and the commitment bounds", async () => {
    const h = await loadFixture(harness);
    expect(await h.ACCOUNT_TREE_DEPTH()).to.equal(BigInt(ACCOUNT_TREE_DEPTH));
    expect(await h.TOKEN_TREE_DEPTH()).to.equal(BigInt(TOKEN_TREE_DEPTH));
    expect(await h.ALLOWANCE_TREE_DEPTH()).to.equal(BigInt(ALLOWANCE_TREE_DEPTH));
    expect(await h.MAX_TOKEN_CLASS()).to.equal(BigInt(TOKEN_ID_BITS.length - 1));
    // The widest class holds every token id the Bridge can register.
    expect(2 ** TOKEN_ID_BITS[TOKEN_ID_BITS.length - 1]).to.equal(MAX_TOKENS);
    expect(await h.MAX_OPS_PER_COMMITMENT()).to.equal(BigInt(MAX_OPS_PER_COMMITMENT));
    expect(await h.MAX_FEE_ENTRIES()).to.equal(BigInt(MAX_FEE_ENTRIES));
    expect(await h.MAX_PROOF_WEIGHT()).to.equal(BigInt(MAX_PROOF_WEIGHT));
    expect(await h.MAX_TOKEN_PROOF_WEIGHT()).to.equal(BigInt(MAX_TOKEN_PROOF_WEIGHT));
    expect(await h.MAX_COMMITMENTS()).to.equal(BigInt(MAX_COMMITMENTS_PER_BATCH));
  });

  it("the gas schedule", async () => {
    const h = await loadFixture(harness);
    expect(await h.GAS_ETH_TRANSFER()).to.equal(GAS.ETH_TRANSFER);
    expect(await h.GAS_TOKEN_TRANSFER()).to.equal(GAS.TOKEN_TRANSFER);
    expect(await h.GAS_WITHDRAWAL()).to.equal(GAS.WITHDRAWAL);
    expect(await h.GAS_TOKEN_TRANSFER_TO_EMPTY()).to.equal(GAS.TOKEN_TRANSFER_TO_EMPTY);
    expect(await h.allowanceGas()).to.deep.equal([
      GAS.APPROVE_FROM_ZERO,
      GAS.APPROVE_CHANGE,
      GAS.APPROVE_UNCHANGED,
      GAS.APPROVE_CLEAR,
      GAS.TRANSFER_FROM_INFINITE,
      GAS.TRANSFER_FROM,
      GAS.TRANSFER_FROM_CLEARING,
      GAS.TO_EMPTY_EXTRA,
    ]);
  });

  it("operation kinds, the withdrawal predeploy, the selectors and the curve order", async () => {
    const h = await loadFixture(harness);
    expect((await h.opKinds()).map(Number)).to.deep.equal([
      OpKind.QUEUE,
      OpKind.ETH_TRANSFER,
      OpKind.ETH_TRANSFER_NEW,
      OpKind.TOKEN_TRANSFER,
      OpKind.TOKEN_TRANSFER_NEW,
      OpKind.WITHDRAW_ETH,
      OpKind.WITHDRAW_TOKEN,
      OpKind.APPROVE,
      OpKind.APPROVE_NEW,
      OpKind.TRANSFER_FROM,
      OpKind.TRANSFER_FROM_NEW,
    ]);
    expect(await h.OP_EXTENDED()).to.equal(BigInt(OP_EXTENDED));
    expect(await h.SELECTOR_APPROVE()).to.equal("0x" + SELECTOR_APPROVE);
    expect(await h.SELECTOR_TRANSFER_FROM()).to.equal("0x" + SELECTOR_TRANSFER_FROM);
    expect((await h.WITHDRAWAL_PREDEPLOY()).toLowerCase()).to.equal(WITHDRAWAL_PREDEPLOY);
    expect(await h.SELECTOR_TRANSFER()).to.equal("0x" + SELECTOR_TRANSFER);
    expect(await h.SELECTOR_TRANSFER()).to.equal(ethers.id("transfer(address,uint256)").slice(0, 10));
    expect(await h.SELECTOR_WITHDRAW()).to.equal("0x" + SELECTOR_WITHDRAW);
    expect(await h.SELECTOR_WITHDRAW()).to.equal(ethers.id("withdraw(address,address,uint256)").slice(0, 10));
    // The order of secp256k1's group (SEC 2); src/core/txSigning.ts keeps its copy private.
    expect(await h.SECP256K1_N()).to.equal(0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n);
  });

  it("the flags byte: layout, and which of the 256 values are defined (index width ≤ the tree depth, class ≤ 2)", async () => {
    const h = await loadFixture(harness);
    expect(await h.FLAG_WITHDRAWALS()).to.equal(BigInt(FLAG_WITHDRAWALS));
    expect(await h.FLAG_INDEX_SHIFT()).to.equal(BigInt(FLAG_INDEX_SHIFT));
    expect(await h.FLAG_INDEX_MASK()).to.equal(BigInt(FLAG_INDEX_MASK));
    expect(await h.FLAG_TOKEN_CLASS_SHIFT()).to.equal(BigInt(FLAG_TOKEN_CLASS_SHIFT));
    for (let f = 0; f < 256; f++) {
      const indexWidth = (f >> FLAG_INDEX_SHIFT) & FLAG_INDEX_MASK;
      const tokenClass = f >> FLAG_TOKEN_CLASS_SHIFT;
      const [defined, onChainIndexWidth, onChainTokenClass] = await h.flags(f);
      expect([defined, Number(onChainIndexWidth), Number(onChainTokenClass)], `flags ${f}`).to.deep.equal([
        indexWidth <= ACCOUNT_TREE_DEPTH && tokenClass < TOKEN_ID_BITS.length,
        indexWidth,
        tokenClass,
      ]);
    }
  });
});
