/** `qdistill presets`: every built-in experiment with one line each. */
import { parseCommandArgs, type Command } from './args.js';
import { DD_PRESETS } from './dd-presets.js';
import { KD_PRESETS } from './presets.js';

const HELP = `qdistill presets — list the built-in experiments

Usage:
  qdistill presets

Run one with qdistill kd --preset <name> or qdistill dd --preset <name>.`;

export const presetsCommand: Command = {
  name: 'presets',
  summary: '                             list the built-in experiments',
  help: HELP,
  async run(argv) {
    const { help } = parseCommandArgs('presets', argv, {});
    if (help) {
      console.log(HELP);
      return 0;
    }
    const rows = [
      ...Object.entries(KD_PRESETS).map(([name, p]) => ['kd', name, p.summary] as const),
      ...Object.entries(DD_PRESETS).map(([name, p]) => ['dd', name, p.summary] as const),
    ];
    const width = Math.max(...rows.map((r) => r[1].length));
    for (const [command, name, summary] of rows) console.log(`${command} --preset ${name.padEnd(width)}  ${summary}`);
    return 0;
  },
};
