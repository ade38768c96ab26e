#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (no build step): its CommonJS hook, and its ESM hook for dynamic import().
const { register } = require('node:module');
const { pathToFileURL } = require('node:url');
register('tsx/esm', { parentURL: pathToFileURL(__filename), data: { active: true } });
require('tsx/cjs');
// A reader that closes the pipe early (`flywheel … | head`) ends the command quietly, not with an EPIPE trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
require('../src/client.ts').main();
