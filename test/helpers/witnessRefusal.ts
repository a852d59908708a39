import { expect } from "chai";
import type { Interface } from "ethers";

/**
 * Expects `call` to revert with one of the custom errors `names` of `iface`. The verifier proves
 * the witnessed accounts after the replay, so a lying witness is refused either by that proof
 * (…Mismatch) or, when the lie sends the replay down a path the honest witness never needed, by
 * the lookup that finds the entry missing (…Missing…): which one depends on the lie, and both
 * mean the same thing — no verdict at all.
 */
export async function expectRefusedWith(call: Promise<unknown>, iface: Interface, names: string[]): Promise<string> {
  let data: string | undefined;
  try {
    await call;
  } catch (e) {
    data = (e as { data?: string }).data;
  }
  expect(data, "the call did not revert with data").to.be.a("string");
  const name = iface.parseError(data!)?.name;
  expect(names, `reverted with ${name ?? data}`).to.include(name);
  return name!;
}
