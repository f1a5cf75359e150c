// The memory layouts the SDK writes and the engine reads are defined once on
// each side of the language boundary: sdk/qnn/layer-format.ts and
// sdk/qnn/tape-format.ts for the SDK, assembly/layout.ts for the engine. This
// suite checks that the two agree constant for constant, on the COMPILED
// engine (every layout constant is exported as a WebAssembly global), and
// that neither side has a constant the other lacks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kernel } from '../../sdk/kernel/kernel.js';
import {
  Desc, FiniteDiff, Prep, QNN_FORMAT_VERSION, R_WIDTH, ReadoutField, ReadoutKind, RULE_MAX_TERMS, RULE_WIDTH, SLOT_WIDTH,
  STEP_WIDTH, SlotField, SlotKind,
} from '../../sdk/qnn/layer-format.js';
import { OP_WIDTH, Opcode, TAPE_FORMAT_VERSION } from '../../sdk/qnn/tape-format.js';
import { testSimulator } from '../helpers/engine.js';

let kernel: Kernel;
beforeAll(async () => {
  kernel = (await testSimulator()).kernel;
});

/** `PauliRot` → `PAULI_ROT`, `Dense1` → `DENSE1`, `DenseK` → `DENSEK`. */
function upperSnake(name: string): string {
  return name.replace(/([a-z])([A-Z][a-z])/g, '$1_$2').toUpperCase();
}

/** The SDK's layout under the engine's names: table K of prefix P gives P + K. */
function sdkLayout(): Map<string, number> {
  const out = new Map<string, number>();
  const table = (prefix: string, entries: Record<string, number>, rename: (k: string) => string = (k) => k): void => {
    for (const [key, value] of Object.entries(entries)) out.set(prefix + rename(key), value);
  };
  table('D_', Desc);
  table('PREP_', Prep);
  table('SF_', SlotField);
  table('SLOT_', SlotKind);
  table('RF_', ReadoutField);
  table('R_', ReadoutKind);
  table('FD_', FiniteDiff);
  table('OP_', Opcode, upperSnake);
  table('', {
    QNN_FORMAT_VERSION, TAPE_FORMAT_VERSION, OP_WIDTH, SLOT_WIDTH, R_WIDTH, RULE_MAX_TERMS, RULE_WIDTH, STEP_WIDTH,
  });
  return out;
}

/** The names assembly/layout.ts defines (`export const NAME = …`). */
function engineLayoutNames(): string[] {
  const source = readFileSync(join(import.meta.dirname, '../../assembly/layout.ts'), 'utf8');
  return [...source.matchAll(/^export const (\w+)\b/gm)].map((m) => m[1]!);
}

function engineGlobal(name: string): number | undefined {
  const value = (kernel.exports as unknown as Record<string, unknown>)[name];
  return value instanceof WebAssembly.Global ? Number(value.value) : undefined;
}

describe('engine memory layout == the SDK layout', () => {
  it('every constant of assembly/layout.ts is exported by the compiled engine with the SDK value of the same name', () => {
    const sdk = sdkLayout();
    const names = engineLayoutNames();
    expect(names.length, 'assembly/layout.ts defines constants').toBeGreaterThan(50);
    for (const name of names) {
      expect(sdk.has(name), `${name}: defined by the engine, unknown to the SDK (add it to sdk/qnn/layer-format.ts or tape-format.ts)`).toBe(true);
      expect(engineGlobal(name), `${name}: exported by the compiled engine`).toBeDefined();
      expect(engineGlobal(name), `${name}: engine vs SDK`).toBe(sdk.get(name));
    }
  });

  it('every SDK layout constant exists in the engine', () => {
    const names = new Set(engineLayoutNames());
    for (const [name] of sdkLayout()) expect(names.has(name), `${name}: defined by the SDK, missing from assembly/layout.ts`).toBe(true);
  });

  it('the engine reports the SDK format versions from its version functions', () => {
    expect(kernel.exports.qnnFormatVersion()).toBe(QNN_FORMAT_VERSION);
    expect(kernel.exports.tapeFormatVersion()).toBe(TAPE_FORMAT_VERSION);
  });

  it('descriptor fields are distinct and fit in the descriptor', () => {
    const fields = Object.entries(Desc).filter(([k]) => k !== 'WIDTH').map(([, v]) => v);
    expect(new Set(fields).size).toBe(fields.length);
    expect(Math.max(...fields)).toBeLessThan(Desc.WIDTH);
    const readoutFields = Object.values(ReadoutField);
    expect(new Set(readoutFields).size).toBe(readoutFields.length);
    expect(Math.max(...readoutFields)).toBeLessThan(R_WIDTH);
    expect(Math.max(...Object.values(SlotField))).toBeLessThan(SLOT_WIDTH);
  });
});
