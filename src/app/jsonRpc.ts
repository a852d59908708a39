/**
 * Serving a node over JSON-RPC: the composition of a node (which knows nothing of HTTP) with the
 * RPC server, given to a node as its `serve` option.
 */
import type { Endpoint, Serve } from "../chain/backend";
import type { Logger } from "../shared/logger";
import { createMethods } from "../rpc/methods";
import { RpcServer } from "../rpc/server";

export interface JsonRpcOptions {
  host: string;
  /** 0: a free port. */
  port: number;
  logger: Logger;
}

/** Serves a node's L2 JSON-RPC (HTTP and WebSocket) on `host:port`. */
export function jsonRpc(options: JsonRpcOptions): Serve {
  return async (backend): Promise<Endpoint> => {
    const server = new RpcServer(createMethods(backend), { host: options.host, port: options.port, logger: options.logger, onBlock: (l) => backend.onBlock(l), chainId: backend.chainId });
    const url = await server.start();
    options.logger.info({ url, readOnly: !backend.sendRawTransaction }, "L2 JSON-RPC listening");
    return { url, stop: () => server.stop() };
  };
}
