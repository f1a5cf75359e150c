#!/usr/bin/env node
// The qdistill command line; the implementation is sdk/cli/main.ts (built to dist/).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
