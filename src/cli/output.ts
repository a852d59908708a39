/**
 * How the CLI talks: results on stdout (one JSON document with --json, lines for people
 * otherwise), and spinners and countdowns on stderr, animated only on a terminal.
 */
import ora from "ora";
import { SingleBar } from "cli-progress";

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export const processIO = (): CliIO => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

/** JSON with bigints as decimal strings. */
export const toJson = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);

export class Output {
  constructor(
    private readonly io: CliIO,
    readonly json: boolean,
  ) {}

  /** The command's result: `value` as JSON with --json, else `human` lines. */
  result(value: unknown, human: string[]): void {
    this.io.stdout.write(this.json ? toJson(value) + "\n" : human.join("\n") + "\n");
  }

  /** A progress note for people; kept off stdout so --json output stays one document. */
  note(text: string): void {
    (this.json ? this.io.stderr : this.io.stdout).write(text + "\n");
  }

  /** Runs `work` under a spinner that ends in ✔ `done(result)` or ✖ with the error. */
  async spin<T>(text: string, work: () => Promise<T>, done: (v: T) => string = () => text): Promise<T> {
    const spinner = ora({ text, stream: this.io.stderr, isEnabled: Boolean(this.io.stderr.isTTY) && !this.io.env.CI }).start();
    try {
      const v = await work();
      spinner.succeed(done(v));
      return v;
    } catch (e) {
      spinner.fail(`${text}: failed`);
      throw e;
    }
  }

  /**
   * Shows a bar counting down to `until` (seconds, on the clock `now` reads) while `poll`
   * returns false; returns once it returns true.
   */
  async countdown(label: string, until: number, now: () => Promise<number>, poll: () => Promise<boolean>, pollMs: number): Promise<void> {
    const start = await now();
    const total = Math.max(1, until - start);
    const bar = new SingleBar({
      format: `${label} [{bar}] {left}`,
      stream: this.io.stderr,
      noTTYOutput: false,
      hideCursor: true,
      clearOnComplete: false,
    });
    bar.start(total, 0, { left: formatDuration(total) });
    try {
      while (!(await poll())) {
        const left = Math.max(0, until - (await now()));
        bar.update(total - left, { left: left > 0 ? formatDuration(left) + " left" : "waiting for the next L1 block" });
        await new Promise((r) => setTimeout(r, pollMs));
      }
      bar.update(total, { left: "done" });
    } finally {
      bar.stop();
    }
  }
}

export function formatDuration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m ${s % 60}s`;
  const h = Math.floor(s / 3600);
  return h < 48 ? `${h}h ${Math.floor((s % 3600) / 60)}m` : `${Math.floor(h / 24)}d ${h % 24}h`;
}
