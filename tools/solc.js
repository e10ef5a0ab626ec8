#!/usr/bin/env node
// A native-style `solc` command line over solc-js (the npm `solc` package).
//
// No native solc binary can be installed on our machines, but py-solc-x, brownie and
// crytic-compile all drive `solc` through its command line. This adapter answers the
// subset they use:
//   solc --version
//   solc --standard-json [--allow-paths LIST] [--base-path DIR] [--include-path DIR]...
//   solc FILE... --combined-json LIST [--allow-paths LIST] [remapping=target ...]
// Imports are resolved from disk the way native solc does: relative to the base path,
// then each include path, restricted to the allowed directories.
"use strict";

const fs = require("fs");
const path = require("path");

const USAGE = `usage: solc --version
       solc --standard-json [--allow-paths LIST] [--base-path DIR] [--include-path DIR]
       solc FILE... --combined-json LIST [--allow-paths LIST] [--base-path DIR] [prefix=target]`;

class UsageError extends Error {}

function parseArgs(argv) {
  const opts = { files: [], remappings: [], includePaths: [], allowPaths: [], basePath: null };
  const takesValue = new Set(["--allow-paths", "--base-path", "--include-path", "--combined-json", "--output-dir", "--evm-version", "--optimize-runs"]);
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value = null;
    if (arg.startsWith("--") && arg.includes("=")) {
      [arg, value] = [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)];
    } else if (takesValue.has(arg)) {
      if (i + 1 >= argv.length) throw new UsageError(`option ${arg} needs a value`);
      value = argv[++i];
    }
    switch (arg) {
      case "--version": opts.version = true; break;
      case "--standard-json": opts.standardJson = true; break;
      case "--allow-paths": opts.allowPaths.push(...value.split(",").filter(Boolean)); break;
      case "--base-path": opts.basePath = value; break;
      case "--include-path": opts.includePaths.push(value); break;
      case "--combined-json": opts.combinedJson = value.split(",").filter(Boolean); break;
      case "--evm-version": opts.evmVersion = value; break;
      case "--optimize": opts.optimize = true; break;
      case "--optimize-runs": opts.optimizeRuns = Number(value); break;
      case "--via-ir": opts.viaIR = true; break;
      case "--help": opts.help = true; break;
      default:
        if (arg.startsWith("-")) throw new UsageError(`unrecognised option '${arg}'`);
        if (arg.includes("=")) opts.remappings.push(arg);
        else opts.files.push(arg);
    }
  }
  return opts;
}

// Loading soljson takes most of a second; brownie asks for the version several times per
// compile, so the answer is cached beside the package, keyed by its version.
function versionString() {
  const pkgVersion = require("solc/package.json").version;
  const cacheDir = path.join(path.dirname(require.resolve("solc/package.json")), "..", ".cache", "solc-adapter");
  const cacheFile = path.join(cacheDir, `version-${pkgVersion}`);
  try {
    return fs.readFileSync(cacheFile, "utf8").trim();
  } catch (_) {
    const full = require("solc").version();
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      fs.writeFileSync(cacheFile, full);
    } catch (_) { /* a read-only install still works, only slower */ }
    return full;
  }
}

function makeResolver(opts) {
  const basePath = path.resolve(opts.basePath || ".");
  const roots = [basePath, ...opts.includePaths.map((p) => path.resolve(p))];
  const allowed = [...roots, ...opts.allowPaths.map((p) => path.resolve(p))];
  const isAllowed = (file) => allowed.some((dir) => file === dir || file.startsWith(dir + path.sep));
  return function findImports(importPath) {
    const candidates = path.isAbsolute(importPath)
      ? [importPath]
      : roots.map((root) => path.join(root, importPath));
    for (const candidate of candidates) {
      const file = path.resolve(candidate);
      if (!fs.existsSync(file)) continue;
      if (!isAllowed(file)) {
        return { error: `${importPath}: file outside of allowed directories (${allowed.join(", ")})` };
      }
      return { contents: fs.readFileSync(file, "utf8") };
    }
    return { error: `${importPath}: file not found (searched ${roots.join(", ")})` };
  };
}

function compileStandard(inputText, opts) {
  const solc = require("solc");
  return solc.compile(inputText, { import: makeResolver(opts) });
}

// Builds the legacy --combined-json answer from a standard-json compilation, for tools
// (crytic-compile, slither) that still ask for it.
function combinedJson(opts) {
  if (opts.files.length === 0) throw new UsageError("no input files given");
  const sources = {};
  for (const file of opts.files) {
    if (!fs.existsSync(file)) {
      process.stderr.write(`Error: File not found: ${file}\n`);
      return 1;
    }
    sources[file] = { content: fs.readFileSync(file, "utf8") };
  }
  const wanted = new Set(opts.combinedJson);
  const input = {
    language: "Solidity",
    sources,
    settings: {
      remappings: opts.remappings,
      optimizer: { enabled: Boolean(opts.optimize), ...(opts.optimizeRuns ? { runs: opts.optimizeRuns } : {}) },
      viaIR: Boolean(opts.viaIR),
      outputSelection: { "*": { "*": ["abi", "evm.bytecode", "evm.deployedBytecode", "evm.methodIdentifiers", "userdoc", "devdoc", "metadata"], "": ["ast"] } },
    },
  };
  if (opts.evmVersion) input.settings.evmVersion = opts.evmVersion;
  const output = JSON.parse(compileStandard(JSON.stringify(input), opts));
  const errors = (output.errors || []).filter((e) => e.severity === "error");
  for (const e of output.errors || []) process.stderr.write((e.formattedMessage || e.message) + "\n");
  if (errors.length) return 1;
  const contracts = {};
  for (const [file, byName] of Object.entries(output.contracts || {})) {
    for (const [name, c] of Object.entries(byName)) {
      const entry = {};
      if (wanted.has("abi")) entry.abi = c.abi;
      if (wanted.has("bin")) entry.bin = c.evm.bytecode.object;
      if (wanted.has("bin-runtime")) entry["bin-runtime"] = c.evm.deployedBytecode.object;
      if (wanted.has("srcmap")) entry.srcmap = c.evm.bytecode.sourceMap;
      if (wanted.has("srcmap-runtime")) entry["srcmap-runtime"] = c.evm.deployedBytecode.sourceMap;
      if (wanted.has("hashes")) entry.hashes = c.evm.methodIdentifiers;
      if (wanted.has("userdoc")) entry.userdoc = c.userdoc;
      if (wanted.has("devdoc")) entry.devdoc = c.devdoc;
      if (wanted.has("metadata")) entry.metadata = c.metadata;
      contracts[`${file}:${name}`] = entry;
    }
  }
  const result = { contracts, version: versionString() };
  if (wanted.has("ast")) {
    result.sourceList = Object.keys(output.sources || {});
    result.sources = {};
    for (const [file, s] of Object.entries(output.sources || {})) result.sources[file] = { AST: s.ast };
  }
  process.stdout.write(JSON.stringify(result));
  return 0;
}

function main(argv) {
  let opts;
  try {
    opts = parseArgs(argv);
    if (opts.help) {
      process.stdout.write(USAGE + "\n");
      return 0;
    }
    if (opts.version) {
      process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${versionString()}\n`);
      return 0;
    }
    if (opts.standardJson) {
      // Like native solc, compilation errors are reported inside the JSON with exit 0.
      const input = fs.readFileSync(0, "utf8");
      process.stdout.write(compileStandard(input, opts));
      return 0;
    }
    if (opts.combinedJson) return combinedJson(opts);
    throw new UsageError(opts.files.length ? "only --standard-json and --combined-json outputs are supported" : "no input given");
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`solc: ${err.message}\n${USAGE}\n`);
      return 1;
    }
    throw err;
  }
}

// Set the exit code instead of calling process.exit(): exiting right after a large write
// to a pipe truncates the output.
process.exitCode = main(process.argv.slice(2));
