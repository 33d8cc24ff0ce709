#!/usr/bin/env node
// Prints, as its last line, the directory holding pulumi, pulumi-language-nodejs and
// pulumi-resource-pulumi-nodejs, building them first when needed (progress goes to stderr).

const { ensurePulumi } = require("./pulumi-toolchain");

try {
  process.stdout.write(`${ensurePulumi()}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
