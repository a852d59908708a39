/**
 * An HTTP request's body, read within the limits: at most maxBodyBytes, arriving within
 * bodyTimeoutMs, so that a slow or endless sender holds neither memory nor a socket for long.
 */
import type http from "node:http";
import { CairnError } from "../core/errors";
import type { RpcLimits } from "./limits";

/** Why a body was not read: too big, too slow, or the client left. */
export class RequestBodyError extends CairnError {
  override readonly name = "RequestBodyError";
  readonly code = "REQUEST_BODY";
  constructor(readonly reason: "oversize" | "timeout" | "aborted") {
    super(`request body ${reason}`);
  }
}

/**
 * The body, if it is at most maxBodyBytes and arrives within bodyTimeoutMs; else a
 * {@link RequestBodyError}. Past the size the rest is read and dropped; a request still
 * arriving at the timeout has its socket closed.
 */
export function readBody(req: http.IncomingMessage, limits: Pick<RpcLimits, "maxBodyBytes" | "bodyTimeoutMs">): Promise<string> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error: RequestBodyError | null) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve(Buffer.concat(chunks).toString("utf8"));
      chunks = [];
    };
    const timer = setTimeout(() => {
      if (settled) req.destroy();
      else settle(new RequestBodyError("timeout"));
    }, limits.bodyTimeoutMs);
    req.on("data", (c: Buffer) => {
      if (settled) return;
      size += c.length;
      if (size > limits.maxBodyBytes) settle(new RequestBodyError("oversize"));
      else chunks.push(c);
    });
    req.once("end", () => {
      clearTimeout(timer);
      settle(null);
    });
    req.once("close", () => {
      clearTimeout(timer);
      settle(new RequestBodyError("aborted"));
    });
  });
}
