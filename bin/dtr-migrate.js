#!/usr/bin/env node
// The installed command. It runs the compiled CLI (dist/, built by `npm install` through `prepare`)
// and only sets the exit code, so pending output is flushed before Node exits.
import { main } from '../dist/cli/main.js';

// `dtr-migrate ... | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});
