#!/usr/bin/env node
// The docker stand-in of the mock DTR: pass this file as `--docker-bin`, with DTR_MOCK_URL (and
// DTR_MOCK_CA for HTTPS) in the environment. The work is done by the compiled src/mock-dtr/docker-stand-in.ts.
import { runDockerStandIn } from '../dist/mock-dtr/docker-stand-in.js';

process.exitCode = await runDockerStandIn(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
