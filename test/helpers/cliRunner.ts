import { spawn } from "node:child_process";
import path from "node:path";
import { Writable } from "node:stream";
import { runCli } from "../../src/cli/cairn";

/** Runs the CLI in-process on `argv`, capturing what it writes. */
export async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string; json: () => any }> {
  let stdout = "";
  let stderr = "";
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await runCli(argv, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), env });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

/** Runs bin/cairn.js as a user would; resolves with its output once it exits. */
export function spawnCairn(args: string[], env: NodeJS.ProcessEnv = {}, onStart?: (child: ReturnType<typeof spawn>, output: () => string) => void, cwd = process.cwd()) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve("bin/cairn.js"), ...args], { cwd, env: { ...process.env, ...env, CAIRN_LOG_JSON: "1" } });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve({ code, signal, output }));
    onStart?.(child, () => output);
  });
}


/** Starts a long-running `cairn` command, sends SIGTERM once its output matches `ready`, and resolves when it exits. */
export function runUntilReady(args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}, cwd = process.cwd(), timeoutMs = 90_000) {
  let timer: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  return spawnCairn(
    args,
    env,
    (child, output) => {
      poll = setInterval(() => {
        if (ready.test(output())) {
          clearInterval(poll);
          child.kill("SIGTERM");
        }
      }, 100);
      timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    },
    cwd,
  ).finally(() => {
    clearInterval(poll);
    clearTimeout(timer);
  });
}
