/**
 * The package's root folder (where package.json, hardhat.config.ts and the explorer's static
 * files are), the same whether this code runs from src/ through ts-node or built into dist/.
 */
import fs from "node:fs";
import path from "node:path";

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "hardhat.config.ts"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, "../..");
  }
}

export const PACKAGE_ROOT = findRoot(__dirname);
