/**
 * The tokens known on L2: each L1 token's registration, consumed from the L1 queue, gives it the
 * next id and an L2 address derived from its L1 address.
 */
import { l2TokenAddress } from "./hashing";

/** A token known on L2 (its registration has been consumed from the L1 queue). */
export interface L2Token {
  id: number;
  l1Address: string;
  l2Address: string;
}

export class TokenRegistry {
  private readonly list: L2Token[] = [];
  private readonly byL2 = new Map<string, L2Token>();

  /** Every registered token, by id. */
  get all(): readonly L2Token[] {
    return this.list;
  }

  byId(id: number): L2Token | undefined {
    return this.list[id];
  }

  byL2Address(l2Address: string): L2Token | undefined {
    return this.byL2.get(l2Address);
  }

  /** Makes the L1 token `l1Address` known on L2, at the next id. */
  register(l1Address: string): L2Token {
    const token = { id: this.list.length, l1Address, l2Address: l2TokenAddress(l1Address) };
    this.list.push(token);
    this.byL2.set(token.l2Address, token);
    return token;
  }

  /** Forgets the newest token (its registration was undone). */
  removeLast(): void {
    const t = this.list.pop()!;
    this.byL2.delete(t.l2Address);
  }
}
