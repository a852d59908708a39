import fs from "node:fs";
import { expect } from "chai";

/** The code block of `page` tagged `file=<path>` must be that file, verbatim. */
export function expectInlined(page: string, file: string): void {
  const md = fs.readFileSync(page, "utf8");
  const block = md.split("```ts file=" + file + "\n")[1]?.split("```")[0];
  expect(block, `${page} shows ${file}`).to.equal(fs.readFileSync(file, "utf8"));
}

export interface DocCommand {
  /** The line as the page shows it. */
  line: string;
  /** Environment assignments before the command (`NAME=value npx cairn …`). */
  env: Record<string, string>;
  /** Arguments after `npx cairn`, with $VARIABLES substituted. */
  argv: string[];
}

/**
 * The `npx cairn` commands in a page's ```sh cairn blocks, in order; `$NAME` is replaced from
 * `vars` (every variable a page uses must be given).
 */
export function cairnCommands(page: string, vars: Record<string, string>): DocCommand[] {
  const md = fs.readFileSync(page, "utf8");
  const blocks = [...md.matchAll(/```sh cairn\n([\s\S]*?)```/g)].map((m) => m[1]);
  const commands: DocCommand[] = [];
  for (const line of blocks.flatMap((b) => b.split("\n")).map((l) => l.trim())) {
    if (!line || line.startsWith("#")) continue;
    const words = line.split(/\s+/).map((w) => w.replace(/\$([A-Z_][A-Z0-9_]*)/g, (_, name: string) => {
      if (!(name in vars)) throw new Error(`${page}: no value for $${name} in "${line}"`);
      return vars[name];
    }));
    const env: Record<string, string> = {};
    while (/^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
      const [name, ...value] = words.shift()!.split("=");
      env[name] = value.join("=");
    }
    if (words[0] !== "npx" || words[1] !== "cairn") throw new Error(`${page}: not a cairn command: "${line}"`);
    commands.push({ line, env, argv: words.slice(2) });
  }
  return commands;
}
