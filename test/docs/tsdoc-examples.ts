/**
 * Every `@example` of the SDK's TSDoc, compiled as a user would write it:
 * its `import`s resolve through package.json's `exports` (so an example that
 * imports a path the package does not export fails), and SDK names it uses
 * without importing them are imported from the entry of the module it
 * documents (`qdistill`, or `qdistill/node` for Node-only modules).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

export interface TsdocExample {
  /** `sdk/…/file.ts:line` of the example. */
  where: string;
  file: string;
  line: number;
  code: string;
}

/** The ```ts blocks after `@example` in the TSDoc comments of sdk/. */
export function collectExamples(root: string): TsdocExample[] {
  const sdk = join(root, 'sdk');
  const files = (readdirSync(sdk, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.includes('generated'))
    .sort();
  const examples: TsdocExample[] = [];
  for (const rel of files) {
    const file = join(sdk, rel);
    const text = readFileSync(file, 'utf8');
    for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
      const body = comment[0];
      for (const m of body.matchAll(/@example[\s\S]*?```(?:ts|typescript)\n([\s\S]*?)```/g)) {
        const offset = comment.index! + m.index! + m[0].indexOf('```');
        const line = text.slice(0, offset).split('\n').length;
        const code = m[1]!.split('\n').map((l) => l.replace(/^\s*\*( |$)/, '')).join('\n');
        examples.push({ where: `${relative(root, file)}:${line}`, file, line, code });
      }
    }
  }
  return examples;
}

/** Package specifier → source file, from package.json's `exports` (`./dist/x.js` → `sdk/x.ts`). */
export function exportedEntries(root: string): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; exports: Record<string, string | { import?: string }> };
  const out: Record<string, string> = {};
  for (const [key, target] of Object.entries(pkg.exports)) {
    const js = typeof target === 'string' ? target : target.import;
    if (!js || !js.endsWith('.js')) continue;
    out[key === '.' ? pkg.name : `${pkg.name}/${key.replace(/^\.\//, '')}`] = join(root, js.replace(/^\.\/dist\//, 'sdk/').replace(/\.js$/, '.ts'));
  }
  return out;
}

/** sdk/a/b/index.ts, sdk/a/index.ts for sdk/a/b/file.ts (those that exist, nearest first). */
function indexFilesAbove(root: string, file: string): string[] {
  const out: string[] = [];
  for (let d = dirname(file); d.startsWith(join(root, 'sdk', '')); d = dirname(d)) {
    const index = join(d, 'index.ts');
    if (index !== file && existsSync(index)) out.push(index);
  }
  return out;
}

const IMPORT = /^\s*import\s[\s\S]*?from\s*['"]([^'"]+)['"];?\s*$|^\s*import\s*['"]([^'"]+)['"];?\s*$/gm;

export interface ExampleDiagnostic {
  where: string;
  code: number;
  message: string;
}

/**
 * Type-checks every example. Returns the diagnostics, each at the example's
 * `where`. `codes`: only these TypeScript error codes (all when omitted).
 */
export function compileExamples(root: string, examples: TsdocExample[]): { diagnostics: ExampleDiagnostic[]; imports: Map<string, string[]> } {
  const entries = exportedEntries(root);
  const host = ts.createCompilerHost({});
  const checkerProgram = ts.createProgram(Object.values(entries), { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: ['node'], lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'] });
  const checker = checkerProgram.getTypeChecker();
  const exportsOf = new Map<string, Set<string>>();
  const moduleExports = (file: string): Set<string> => {
    const source = checkerProgram.getSourceFile(file);
    const symbol = source && checker.getSymbolAtLocation(source);
    return new Set(symbol ? checker.getExportsOfModule(symbol).map((s) => s.name) : []);
  };
  for (const [specifier, file] of Object.entries(entries)) exportsOf.set(specifier, moduleExports(file));
  const dir = join(root, 'test', 'docs', '.tsdoc-examples');
  const virtual = new Map<string, string>();
  const imports = new Map<string, string[]>();
  examples.forEach((example, i) => {
    const hoisted: string[] = [];
    const specifiers: string[] = [];
    const body = example.code.replace(IMPORT, (statement, a: string | undefined, b: string | undefined) => {
      hoisted.push(statement.trim());
      specifiers.push((a ?? b)!);
      return '';
    });
    imports.set(example.where, specifiers);
    const nodeOnly = /[\\/]node[\\/]|[\\/]node\.ts$|[\\/]cli[\\/]/.test(example.file);
    const entry = nodeOnly ? 'qdistill/node' : 'qdistill';
    const declared = new Set(hoisted.join('\n').match(/[A-Za-z_$][\w$]*/g) ?? []);
    const used = new Set(body.match(/(?<![.\w$])[A-Za-z_$][\w$]*/g) ?? []);
    // names the example uses without importing them: from the module it documents, else from the entry
    // (its file, then the index.ts of its folder and the folders above: an nn example's `zeros` is nn's)
    const local: string[] = [];
    const taken = new Set(declared);
    for (const source of [example.file, ...indexFilesAbove(root, example.file)]) {
      const names = [...used].filter((n) => !taken.has(n) && moduleExports(source).has(n));
      if (!names.length) continue;
      names.forEach((n) => taken.add(n));
      local.push(`import { ${names.join(', ')} } from '${relative(dir, source).replace(/\\/g, '/').replace(/\.ts$/, '.js')}';`);
    }
    const auto = (specifier: string) => [...used].filter((n) => !taken.has(n) && exportsOf.get(specifier)?.has(n));
    const fromEntry = auto(entry);
    const fromMain = nodeOnly ? auto('qdistill').filter((n) => !fromEntry.includes(n)) : [];
    const header = [
      ...hoisted,
      ...local,
      ...(fromEntry.length ? [`import { ${fromEntry.join(', ')} } from '${entry}';`] : []),
      ...(fromMain.length ? [`import { ${fromMain.join(', ')} } from 'qdistill';`] : []),
    ];
    const text = `${header.join('\n')}\nexport {};\nexport async function example${i}(): Promise<void> {\n${body}\n}\n`;
    virtual.set(join(dir, `example-${i}.ts`), text);
  });
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    allowUnreachableCode: true,
    baseUrl: root,
    paths: Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, [v]])),
  };
  const compilerHost: ts.CompilerHost = {
    ...host,
    fileExists: (f) => virtual.has(f) || host.fileExists(f),
    readFile: (f) => virtual.get(f) ?? host.readFile(f),
    getSourceFile: (f, lang, onError, create) => (virtual.has(f) ? ts.createSourceFile(f, virtual.get(f)!, lang, true) : host.getSourceFile(f, lang, onError, create)),
  };
  const program = ts.createProgram([...virtual.keys()], options, compilerHost);
  const whereOf = new Map([...virtual.keys()].map((f, i) => [f, examples[i]!.where]));
  const diagnostics: ExampleDiagnostic[] = [];
  for (const file of virtual.keys()) {
    const source = program.getSourceFile(file)!;
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      diagnostics.push({ where: whereOf.get(file)!, code: d.code, message: ts.flattenDiagnosticMessageText(d.messageText, '\n') });
    }
  }
  return { diagnostics, imports };
}
