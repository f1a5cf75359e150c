/** `qdistill teacher train`: train a classical teacher of the zoo and export it to ONNX. */
import { trainTeacherCommand } from '../node.js';
import { QDistillError } from '../index.js';
import { parseCommandArgs, type Command } from './args.js';

const HELP = `qdistill teacher train — train a classical teacher and export it to ONNX

Usage:
  qdistill teacher train [--arch lenet5] [--dataset mnist] [--classes 0-5] [--epochs 5] [--seed 0] [--out teacher.onnx]

  --arch      lenet5 | lenet-003 | lenet-000 | alexnet-mini   (default lenet5)
  --dataset   mnist | fashion-mnist                           (default mnist)
  --classes   a range 0-5 or a list 1,5                        (default 0-9)
  --epochs    training epochs                                  (default 5)
  --seed      initialisation and batch-order seed              (default 0)
  --out       the ONNX file to write (default <arch>-<dataset>-c<C>.onnx)

The teacher trains on the canonical training split of the chosen classes.
The last line of stdout is one JSON object (teacher, arch, classes, testAccuracy).`;

export const teacherCommand: Command = {
  name: 'teacher',
  summary: 'teacher train …              train a classical teacher and export it to ONNX',
  help: HELP,
  async run(argv) {
    const { values, positionals, help } = parseCommandArgs('teacher', argv, {
      arch: { type: 'string' }, dataset: { type: 'string' }, classes: { type: 'string' },
      epochs: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' },
    }, 1);
    if (help) {
      console.log(HELP);
      return 0;
    }
    if (positionals[0] !== 'train') {
      throw new QDistillError('E_USAGE', `qdistill teacher: expected the subcommand "train", got ${JSON.stringify(positionals[0] ?? '')} (see: qdistill teacher --help)`);
    }
    const flags = Object.fromEntries(Object.entries(values).filter(([k, v]) => k !== 'help' && typeof v === 'string')) as Record<string, string>;
    const summary = await trainTeacherCommand(flags, (m) => process.stderr.write(`${m}\n`));
    console.log(JSON.stringify(summary));
    return 0;
  },
};
