/** Whether the ports a command will listen on are free, checked before anything starts. */
import net from "node:net";
import { usage } from "./errors";

/**
 * Throws a usage error naming the flag to change when `port` on `host` is taken — before a
 * node syncs for minutes only to fail at listening, and before the embedded Hardhat server
 * dies on an unhandled 'error' event with a stack trace.
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
