// docs/configuration.md is generated from the config schemas
// (scripts/config-docs.mjs, `npm run docs:config`): this fails when the
// committed file is stale, and checks that it covers every field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain-JS script (run by tsx), no declarations
import { CONFIG_DOC, renderConfigReference } from '../../scripts/config-docs.mjs';
import { configJsonSchema } from '../../sdk/distill/config-schema.js';

describe('docs/configuration.md', () => {
  it('is what npm run docs:config generates from the schemas (regenerate it after changing a schema)', () => {
    const committed = readFileSync(CONFIG_DOC as string, 'utf8');
    const fresh = (renderConfigReference as () => string)();
    if (committed !== fresh) expect.fail('docs/configuration.md is stale: run `npm run docs:config` and commit the result');
  });

  it('has a row for every top-level field of the kd and dd configs, with its type', () => {
    const text = readFileSync(CONFIG_DOC as string, 'utf8');
    for (const kind of ['kd', 'dd'] as const) {
      const section = text.slice(text.indexOf(`### \`${kind}\``));
      const properties = Object.keys((configJsonSchema(kind) as { properties: Record<string, unknown> }).properties);
      for (const field of properties) expect(section, `${kind}.${field}`).toMatch(new RegExp(`\\| \`${field.replace('$', '\\$')}\` \\| \\S`));
    }
    // nested fields and variants too: a student's ansatz, a dd model's architecture
    expect(text).toContain('### `kd.student[arch="qnn-classifier"].ansatz');
    expect(text).toContain('### `dd.model[arch="alexnet-mini"]`');
    expect(text).toMatch(/\| `temperature` \| number \|/);
  });
});
