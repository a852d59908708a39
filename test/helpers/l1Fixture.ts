import { ethers } from "hardhat";
import { deployCairn } from "../../deploy/cairn";
import { DEVNET_PARAMS } from "../../deploy/params";
import type { TestToken } from "../../typechain-types";

/** Cairn deployed on the in-process Hardhat L1 with devnet parameters, plus a test token. */
export async function l1Fixture() {
  const [deployer, alice, bob, proposer2] = await ethers.getSigners();
  const d = await deployCairn(deployer, DEVNET_PARAMS);
  const token = (await ethers.deployContract("TestToken", ["Test Token", "TEST", 18])) as unknown as TestToken;
  await token.mint(alice.address, 10n ** 24n);
  await token.connect(alice).approve(d.addresses.bridge, ethers.MaxUint256);
  return { ...d, deployer, alice, bob, proposer2, token, params: DEVNET_PARAMS };
}
