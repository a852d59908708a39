/** Whether the devnet's ports are free, checked before anything starts listening on them. */
import net from "node:net";
import { usage } from "./errors";

/**
 * Throws a usage error naming the flag to change when `port` on `host` is taken: the embedded
 * Hardhat server would otherwise die on an unhandled 'error' event with a stack trace.
 */
export async function assertPortFree(host: string, port: number, flag: string): Promise<void> {
  if (port === 0) return;
  const free = await new Promise<boolean>((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
  if (!free) throw usage(`port ${port} on ${host} is in use (is another devnet running?); stop it or pass ${flag} <port>`);
}
