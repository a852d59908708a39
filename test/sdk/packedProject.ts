/**
 * A fresh dapp project with the package installed from its `npm pack` tarball — what a user
 * gets from the registry — for test/sdk/install.test.ts.
 *
 * The tarball is unpacked into the project's node_modules/cairn, and the package's runtime
 * dependencies are linked in from this repository's node_modules: `npm install <tarball>`
 * would unpack the same 140 MB of dependencies again (20 s here, from a warm cache; it also
 * needs the registry for their metadata), and the linked tree checks what matters here — the
 * tarball's JavaScript loads with only what its `dependencies` name, since node resolves a
 * linked package's own imports from where it really lies. CAIRN_INSTALL_WITH_NPM=1 runs the
 * real `npm install --prefer-offline` instead.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");

/** The files of `dir` (recursively) whose name ends in `ext`. */
export function filesUnder(dir: string, ext: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return filesUnder(full, ext);
    return e.name.endsWith(ext) ? [full] : [];
  });
}

/**
 * The SDK sources whose built JavaScript is missing or older than they are: the tarball ships
 * dist/, so a test of it after an edit without `npm run build` would test the old code.
 */
export function staleBuilds(): string[] {
  return filesUnder(path.join(ROOT, "src", "sdk"), ".ts").filter((src) => {
    const built = path.join(ROOT, "dist", path.relative(ROOT, src)).replace(/\.ts$/, ".js");
    return !fs.existsSync(built) || fs.statSync(built).mtimeMs < fs.statSync(src).mtimeMs;
  });
}

/** `npm pack`s `from` into `dir`, without the build `prepare` would run; the tarball's path. */
function npmPack(from: string, dir: string): string {
  const out = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: from, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const [{ filename }] = JSON.parse(out) as Array<{ filename: string }>;
  return path.join(dir, filename);
}

/**
 * The tarball of the package as it stands, in `dir`: `npm pack` of the repository when its
 * dist/ is current (CI builds it in `npm ci`); after an edit to src/sdk without `npm run build`,
 * the same package.json over a build of just the SDK's sources (~8 s, not the whole tree's
 * ~40 s), so that the test checks the code as edited, never a stale build of it.
 */
export function packCurrent(dir: string): string {
  if (staleBuilds().length === 0) return npmPack(ROOT, dir);
  const stage = path.join(dir, "stage");
  const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
  // tsconfig.build.json's options, on the SDK's two entry points and what they import.
  const options = ["--rootDir", ROOT, "--outDir", path.join(stage, "dist"), "--declaration", "--target", "ES2022", "--module", "commonjs", "--moduleResolution", "node"];
  options.push("--lib", "ES2022,DOM", "--strict", "--esModuleInterop", "--resolveJsonModule", "--skipLibCheck", "--types", "node");
  try {
    execFileSync(process.execPath, [tsc, ...options, path.join(ROOT, "src/sdk/index.ts"), path.join(ROOT, "src/sdk/viem/index.ts")], { cwd: ROOT, stdio: "pipe" });
  } catch (e) {
    throw new Error(`the SDK does not build:\n${String((e as { stdout?: Buffer }).stdout ?? e)}`);
  }
  for (const f of ["package.json", "README.md"]) fs.copyFileSync(path.join(ROOT, f), path.join(stage, f));
  return npmPack(stage, dir);
}

/** A new project in `dir` with the tarball installed as `cairn` (see the top of this file for how). */
export function installTarball(dir: string, tarball: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "a-dapp", version: "1.0.0", private: true }, null, 2));
  if (process.env.CAIRN_INSTALL_WITH_NPM === "1") {
    execFileSync("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", tarball], { cwd: dir, stdio: "pipe" });
    return;
  }
  const target = path.join(dir, "node_modules", "cairn");
  fs.mkdirSync(target, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"]);
  const { dependencies } = JSON.parse(fs.readFileSync(path.join(target, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  for (const name of Object.keys(dependencies)) {
    const from = path.join(ROOT, "node_modules", name);
    if (!fs.existsSync(from)) throw new Error(`dependency ${name} is not installed in ${ROOT}/node_modules: run npm ci`);
    const link = path.join(dir, "node_modules", name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(from, link, "dir");
  }
}

export interface DocExample {
  /** Where it is documented, as `src/sdk/...ts#n` (its number in that file). */
  source: string;
  code: string;
}

/** Every `@example` in the doc comments of src/sdk, as code. */
export function sdkExamples(): DocExample[] {
  return filesUnder(path.join(ROOT, "src", "sdk"), ".ts").flatMap((file) => {
    const examples: DocExample[] = [];
    for (const [comment] of fs.readFileSync(file, "utf8").matchAll(/\/\*\*[\s\S]*?\*\//g)) {
      const lines = comment.split("\n").map((l) => l.replace(/^\s*\/?\*\*?\/? ?/, "").replace(/\s*\*\/$/, ""));
      for (let i = lines.findIndex((l) => l.startsWith("@example")); i >= 0; i = lines.findIndex((l, j) => j > i && l.startsWith("@example"))) {
        const end = lines.findIndex((l, j) => j > i && l.startsWith("@"));
        const code = lines.slice(i + 1, end < 0 ? undefined : end).join("\n").trim();
        examples.push({ source: `${path.relative(ROOT, file)}#${examples.length + 1}`, code });
      }
    }
    return examples;
  });
}
