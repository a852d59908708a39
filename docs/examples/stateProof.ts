// An account's balance at the end of the newest batch, checked against the state root the Rollup holds on L1.
import { JsonRpcProvider, formatEther, type Provider } from "ethers";
import { verifyAccountProof } from "../../src/sdk"; // in a dapp: from "cairn"
import { Rollup__factory } from "../../typechain-types/factories/contracts/L1/Rollup__factory";

export async function provenBalance(l2RpcUrl: string, l1: Provider, rollupAddress: string, account: string) {
  const l2 = new JsonRpcProvider(l2RpcUrl);
  const rollup = Rollup__factory.connect(rollupAddress, l1);
  try {
    // What L1 vouches for: the newest batch, and the state root after its last block.
    const batchIndex = (await rollup.batchCount()) - 1n;
    const { postStateRoot } = await rollup.getBatch(batchIndex);

    // The L2 node says which block ends that batch, and proves the account at it.
    const batch = await l2.send("rollup_getBatch", [Number(batchIndex)]);
    const proof = await l2.send("eth_getProof", [account, [], batch.lastBlock]);

    // The proof must rebuild L1's root: the account's leaf, its 24 siblings, the counters.
    const verified = verifyAccountProof(proof, postStateRoot);
    console.log(`${account} held ${formatEther(proof.balance)} ETH at L2 block ${Number(batch.lastBlock)}, the end of batch ${batchIndex}: ${verified ? "as L1 holds it" : "NOT what L1 holds"}`);

    // Any other read at that block (or any block the node keeps) answers the same state.
    const balance = await l2.getBalance(account, Number(batch.lastBlock));
    return { verified, batchIndex, block: Number(batch.lastBlock), balance, provenBalance: BigInt(proof.balance) };
  } finally {
    l2.destroy();
  }
}
