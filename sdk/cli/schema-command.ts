/** `qdistill schema kd|dd`: the JSON Schema of a config kind, for editors. */
import { configJsonSchema, CONFIG_KINDS, QDistillError, type ConfigKind } from '../index.js';
import { parseCommandArgs, type Command } from './args.js';

const HELP = `qdistill schema — the JSON Schema of an experiment config, for editors

Usage:
  qdistill schema kd      the config of qdistill kd
  qdistill schema dd      the config of qdistill dd

Prints the schema (JSON Schema draft 2020-12) on stdout. Save it and point
your configs at it for completion and checks as you type:

  qdistill schema kd > kd.schema.json
  { "$schema": "./kd.schema.json", "dataset": { … }, … }

The schema has every field, type, allowed value and bound; the rules between
fields (the student's class count equals the dataset's, …) are checked when
qdistill reads the config. docs/configuration.md is the same, as a reference.`;

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'kd | dd                       the JSON Schema of a config, for editors',
  help: HELP,
  async run(argv) {
    const { positionals, help } = parseCommandArgs('schema', argv, {}, 1);
    if (help) {
      console.log(HELP);
      return 0;
    }
    const kind = positionals[0];
    if (!kind || !(CONFIG_KINDS as readonly string[]).includes(kind)) {
      throw new QDistillError('E_USAGE', `qdistill schema: expected a config kind, one of ${CONFIG_KINDS.join(', ')}, got ${JSON.stringify(kind ?? '')} (see: qdistill schema --help)`);
    }
    console.log(JSON.stringify(configJsonSchema(kind as ConfigKind), null, 2));
    return 0;
  },
};
