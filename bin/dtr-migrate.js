#!/usr/bin/env node
// The installed command. It runs the compiled CLI (dist/, built by `npm install` through `prepare`)
// and only sets the exit code, so pending output is flushed before Node exits.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});
