#!/usr/bin/env -S npx tsx
// docs/configuration.md: the configuration reference, generated from the JSON
// Schemas that `configJsonSchema` emits from the zod schemas validating the
// configs (sdk/distill/config-schema.ts), so the reference cannot drift from
// what `qdistill kd` / `qdistill dd` accept. Every field with its type,
// whether it is required, its default and bounds, and its description.
//
//   npm run docs:config            rewrite docs/configuration.md
//   npm run docs:config -- --check exit 1 if the committed file is stale
//
// test/docs/configuration.test.ts fails when the committed file differs from
// what this renders. Runs under tsx (it imports the TypeScript sources).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../sdk/distill/config-schema.js';

export const CONFIG_DOC = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'configuration.md');

const KINDS = [
  {
    kind: 'kd',
    title: 'Knowledge distillation: `qdistill kd <config.json>`',
    intro:
      'A knowledge-distillation experiment: the data and its splits, the teacher, the student (a QNN or hybrid model), the KD loss, ' +
      'training, and the arms compared on paired seeds. `validateKDConfig` checks it (also the rules between fields, e.g. the ' +
      "student's class count equals the dataset's); `qdistill schema kd` prints the JSON Schema for editors. " +
      'Examples: `experiments/paper-002/`, `experiments/paper-003/`, `experiments/kd-labels/`, `qdistill presets`.',
  },
  {
    kind: 'dd',
    title: 'Dataset distillation: `qdistill dd <config.json>`',
    intro:
      'A dataset-distillation experiment: the real data, the model the distilled images train, the distillation settings and ' +
      'the baselines. `validateDDConfig` checks it; `qdistill schema dd` prints the JSON Schema. Examples: `experiments/paper-000/`.',
  },
];

/** Markdown table cell: no newlines, pipes escaped. */
const cell = (text) => String(text).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
const code = (text) => `\`${text}\``;
const json = (value) => JSON.stringify(value);

function deref(node, root) {
  if (node && typeof node.$ref === 'string') {
    const name = node.$ref.replace(/^#\/\$defs\//, '');
    const target = root.$defs?.[name];
    if (!target) throw new Error(`config-docs: unresolved $ref ${node.$ref}`);
    return { ...target, ...(node.description ? { description: node.description } : {}), $refName: name };
  }
  return node;
}

const branchesOf = (node) => node.oneOf ?? node.anyOf ?? null;
const isNull = (node) => node.type === 'null';
const isObject = (node) => node.type === 'object' && node.properties !== undefined;

/** The non-null branches of a nullable union, and whether null is allowed. */
function unwrapNullable(node, root) {
  const branches = branchesOf(node);
  if (!branches) return { node, nullable: false };
  const nonNull = branches.filter((b) => !isNull(b));
  if (nonNull.length === branches.length) return { node, nullable: false };
  const inner = nonNull.length === 1 ? deref(nonNull[0], root) : { ...node, oneOf: nonNull, anyOf: undefined };
  // a nested union (anyOf [anyOf [a, b], null]) flattens one level
  const flat = branchesOf(inner) && !isObject(inner) && inner.type === undefined ? { ...inner, description: node.description ?? inner.description } : inner;
  return { node: { ...flat, description: node.description ?? flat.description }, nullable: true };
}

/** The object variants of a union (each deref'd), or null if the node is not a union of objects. */
function objectVariants(node, root) {
  const branches = branchesOf(node);
  if (!branches) return null;
  const variants = branches.map((b) => deref(b, root));
  return variants.every(isObject) ? variants : null;
}

/** The property every variant fixes with a `const` (its discriminator), if any. */
function discriminator(variants) {
  const first = variants[0];
  for (const key of Object.keys(first.properties)) {
    if (variants.every((v) => v.properties[key] && v.properties[key].const !== undefined)) return key;
  }
  return null;
}

/** Is the node rendered as its own section (an object, a union of objects, or an array of those)? */
function isComplex(node, root) {
  const n = unwrapNullable(deref(node, root), root).node;
  if (isObject(n) || objectVariants(n, root)) return true;
  if (n.type === 'array' && n.items && typeof n.items === 'object' && !n.prefixItems) return isComplex(n.items, root);
  const branches = branchesOf(n);
  return Boolean(branches && branches.some((b) => isComplex(b, root)));
}

function typeOf(node, root) {
  node = deref(node, root);
  if (node.const !== undefined) return code(json(node.const));
  if (node.enum) return node.enum.map((v) => code(json(v))).join(' or ');
  const variants = objectVariants(node, root);
  if (variants) {
    const key = discriminator(variants);
    return key ? `object, by ${code(key)}: ${variants.map((v) => code(json(v.properties[key].const))).join(', ')}` : `object (${variants.length} forms)`;
  }
  const branches = branchesOf(node);
  if (branches) return branches.map((b) => typeOf(b, root)).join(' or ');
  if (node.type === 'array') {
    if (node.prefixItems) return `[${node.prefixItems.map((p) => typeOf(p, root)).join(', ')}]`;
    if (node.items && typeof node.items === 'object') {
      const item = typeOf(node.items, root);
      return /\s/.test(item) ? `array of (${item})` : `${item}[]`;
    }
    return 'array';
  }
  if (node.type === 'object') {
    if (node.properties) return 'object';
    const value = node.additionalProperties && typeof node.additionalProperties === 'object' ? typeOf(node.additionalProperties, root) : 'any';
    const key = node.propertyNames ? typeOf(node.propertyNames, root) : 'string';
    return `map of ${key} to ${value}`;
  }
  if (node.type === undefined) return 'any';
  return Array.isArray(node.type) ? node.type.join(' or ') : node.type;
}

function boundsOf(node, root) {
  node = deref(node, root);
  const out = [];
  if (node.minimum !== undefined) out.push(`≥ ${node.minimum}`);
  if (node.exclusiveMinimum !== undefined) out.push(`> ${node.exclusiveMinimum}`);
  if (node.maximum !== undefined) out.push(`≤ ${node.maximum}`);
  if (node.exclusiveMaximum !== undefined) out.push(`< ${node.exclusiveMaximum}`);
  if (node.minLength !== undefined) out.push(`length ≥ ${node.minLength}`);
  if (node.maxLength !== undefined) out.push(`length ≤ ${node.maxLength}`);
  if (node.pattern !== undefined) out.push(`matches ${code(node.pattern)}`);
  if (node.type === 'array' && !node.prefixItems) {
    if (node.minItems !== undefined && node.minItems === node.maxItems) out.push(`exactly ${node.minItems} items`);
    else {
      if (node.minItems !== undefined && node.minItems > 0) out.push(`≥ ${node.minItems} items`);
      if (node.maxItems !== undefined) out.push(`≤ ${node.maxItems} items`);
    }
    if (node.items && typeof node.items === 'object' && !isComplex(node.items, root)) {
      const inner = boundsOf(node.items, root);
      if (inner) out.push(`each ${inner}`);
    }
  }
  const branches = branchesOf(node);
  if (branches && !objectVariants(node, root)) {
    const parts = branches.map((b) => boundsOf(b, root)).filter(Boolean);
    if (parts.length) out.push(parts.join('; '));
  }
  return out.join(', ');
}

/** The default: the schema's `default`, else what the description says ("(default 10)", "default: …"). */
function defaultOf(node, description) {
  if (node.default !== undefined) return code(json(node.default));
  const match = /\bdefault(?::\s*|\s+)([^;)]+)/i.exec(description ?? '');
  return match ? match[1].trim().replace(/[.,]$/, '') : '';
}

/**
 * The sections of an object (or a union of objects): one table of its
 * fields, then a section for each field that is itself an object.
 */
function renderObject(title, node, root, seen, lines) {
  node = deref(node, root);
  if (node.$refName) {
    const first = seen.refs.get(node.$refName);
    if (first) {
      lines.push(`### ${code(title)}`, '', `The same as ${code(first)} (recursive).`, '');
      return;
    }
    seen.refs.set(node.$refName, title);
  }
  // a sub-schema that appears at several paths (a `model` teacher's model is a
  // student config) is rendered once, at its shortest path; the others point there
  const variants = objectVariants(node, root);
  if (variants || Object.keys(node.properties ?? {}).length > 3) {
    const { description: _d, $refName: _r, ...shape } = node;
    const key = JSON.stringify(shape);
    if (seen.collecting) {
      const known = seen.canonical.get(key);
      if (known === undefined || title.length < known.length) seen.canonical.set(key, title);
    } else if (seen.canonical.get(key) !== title) {
      lines.push(`### ${code(title)}`, '', `The same as ${code(seen.canonical.get(key))}.`, '');
      return;
    }
  }
  if (variants) {
    const key = discriminator(variants);
    variants.forEach((variant, i) => {
      const label = key ? `${title}[${key}=${json(variant.properties[key].const)}]` : `${title} (form ${i + 1})`;
      renderObject(label, variant, root, seen, lines);
    });
    return;
  }
  const required = new Set(node.required ?? []);
  lines.push(`### ${code(title)}`, '');
  if (node.description) lines.push(cell(node.description), '');
  lines.push('| Field | Type | Required | Default | Bounds | Description |', '|---|---|---|---|---|---|');
  const nested = [];
  for (const [name, raw] of Object.entries(node.properties)) {
    const resolved = deref(raw, root);
    const { node: inner, nullable } = unwrapNullable(resolved, root);
    const description = resolved.description ?? inner.description ?? (inner.const !== undefined ? 'Selects this form.' : '');
    let type = typeOf(inner, root);
    if (nullable) type += ' or `null`';
    const complex = isComplex(inner, root);
    const path = `${title}.${name}`;
    if (complex) {
      const array = inner.type === 'array';
      nested.push([array ? `${path}[]` : path, array ? inner.items : inner]);
      type += ` (see ${code(array ? `${path}[]` : path)})`;
    }
    const bounds = complex && inner.type !== 'array' ? '' : boundsOf(inner, root);
    lines.push(
      `| ${code(name)} | ${cell(type)} | ${required.has(name) ? 'yes' : ''} | ${cell(defaultOf(resolved, description))} | ${cell(bounds)} | ${cell(description)} |`,
    );
  }
  lines.push('');
  for (const [path, child] of nested) {
    const target = unwrapNullable(deref(child, root), root).node;
    const branches = !isObject(target) && !objectVariants(target, root) ? branchesOf(target) : null;
    if (branches) {
      // e.g. `string or object`: render the object forms only
      for (const b of branches.map((x) => deref(x, root)).filter((x) => isComplex(x, root))) renderObject(path, b, root, seen, lines);
    } else renderObject(path, target, root, seen, lines);
  }
}

/** The whole reference as Markdown. */
export function renderConfigReference() {
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated by `npm run docs:config` (scripts/config-docs.mjs) from the zod schemas that validate the configs. Do not edit by hand: test/docs/configuration.test.ts fails when this file is stale. -->',
    '',
    'Every field of the JSON configs read by `qdistill kd` and `qdistill dd`, generated from the same schemas that validate them. ' +
      'Unknown fields are errors at every level; a bad value fails with `E_CONFIG` naming the path, the value and what is allowed. ' +
      '`qdistill schema kd|dd` prints the same as a JSON Schema: save it and add `"$schema": "./kd.schema.json"` to a config for completion in an editor.',
    '',
    'How to read it: a path like `teacher[type="train"].augment[]` is the items of the `augment` array of a teacher whose `type` is `"train"`. ' +
      'Fields without "yes" under Required may be left out; the Default column gives what is used then, when there is one.',
    '',
  ];
  for (const { kind, title, intro } of KINDS) {
    const schema = configJsonSchema(kind);
    lines.push(`## ${title}`, '', intro, '');
    const top = { ...schema, description: undefined };
    const seen = { collecting: true, canonical: new Map(), refs: new Map() };
    renderObject(kind, top, schema, seen, []);
    Object.assign(seen, { collecting: false, refs: new Map() });
    renderObject(kind, top, schema, seen, lines);
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = renderConfigReference();
  if (process.argv.includes('--check')) {
    const current = readFileSync(CONFIG_DOC, 'utf8');
    if (current !== text) {
      console.error('docs/configuration.md is stale: run npm run docs:config');
      process.exit(1);
    }
    console.log('docs/configuration.md is up to date');
  } else {
    writeFileSync(CONFIG_DOC, text);
    console.log(`wrote ${CONFIG_DOC} (${text.length} characters)`);
  }
}
