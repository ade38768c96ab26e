#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (no build step): its CommonJS hook, and its ESM hook for dynamic import().
const { register } = require('node:module');
const { pathToFileURL } = require('node:url');
register('tsx/esm', { parentURL: pathToFileURL(__filename), data: { active: true } });
require('tsx/cjs');
require('../src/client.ts').main();
