// `qdistill` as a child process for tests that kill it: `node --import tsx test/helpers/cli-process.ts <args>`
// runs the CLI's main from the sources (no build needed), with the real signal handling of a process.
import { main } from '../../sdk/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
