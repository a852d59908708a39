/**
 * TCP connections by client, against the per-client quota and the node's cap. A connection
 * past its client's quota is not cut at once — it is answered 429 (HTTP or WebSocket
 * handshake) and closed, so the client learns why.
 */
import type { Socket } from "node:net";
import { RpcLimitError } from "./errors";
import { Quota, clientKey, type RpcLimits } from "./limits";

export class ConnectionGate {
  private readonly quota: Quota;
  private readonly overQuota = new WeakSet<Socket>();

  constructor(private readonly limits: Pick<RpcLimits, "maxConnectionsPerClient" | "maxConnections">) {
    this.quota = new Quota("connections", limits.maxConnectionsPerClient, limits.maxConnections);
  }

  /** Counts a new TCP connection against its client until it closes; one past the quota is marked. */
  admit(socket: Socket): void {
    const client = clientKey(socket.remoteAddress);
    if (!this.quota.allows(client)) {
      this.overQuota.add(socket);
      return;
    }
    this.quota.take(client);
    socket.once("close", () => this.quota.release(client));
  }

  /** Whether `socket` came past its client's quota (it was never counted): answer it 429 only. */
  refuses(socket: Socket): boolean {
    return this.overQuota.has(socket);
  }

  /** Why a connection past its client's quota is refused. */
  refusal(): string {
    return new RpcLimitError(`at most ${this.limits.maxConnectionsPerClient} connections per client; reuse a keep-alive connection`).message;
  }
}
