/**
 * A text drawing of a circuit, in the spirit of PennyLane's `qml.draw`:
 * one line per wire, gates in layers (a gate goes to the first layer after
 * every wire its drawing crosses is free), controls `●`, CNOT/Toffoli
 * targets `⊕`, multi-wire gates joined by `╭ ├ │ ╰`.
 */
import { QDistillError } from '../errors.js';
import type { Circuit, Operation, StatePrep } from './circuit.js';
import { getGate } from './gates.js';
import { isWeightRef, type ParamSource } from './params.js';

/** Options of {@link drawCircuit}. */
export interface DrawOptions {
  /** Decimals of numeric parameters (default 2, like PennyLane). */
  decimals?: number;
}

/** Target labels that differ from the gate name. */
const LABELS: Readonly<Record<string, string>> = {
  Hadamard: 'H',
  PauliX: 'X',
  PauliY: 'Y',
  PauliZ: 'Z',
  PhaseShift: 'Rϕ',
  CNOT: '⊕',
  Toffoli: '⊕',
  CZ: 'Z',
  CY: 'Y',
  CRX: 'RX',
  CRY: 'RY',
  CRZ: 'RZ',
  CRot: 'Rot',
  ControlledPhaseShift: 'Rϕ',
  QubitUnitary: 'U',
};

/** A box to draw: the label on each of its wires. */
interface Item {
  readonly cells: ReadonlyMap<number, string>;
}

/**
 * Draws a circuit as text.
 *
 * @throws E_INVALID_ARGUMENT for a `decimals` that is not an integer in 0..10.
 * @example
 * ```ts
 * drawCircuit(new Circuit(2).h(0).cnot(0, 1).rx(0.3, 1));
 * // 0: ─H─╭●──────────┤
 * // 1: ───╰⊕─RX(0.30)─┤
 * ```
 */
export function drawCircuit(circuit: Circuit, options: DrawOptions = {}): string {
  const decimals = options.decimals ?? 2;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 10) {
    throw new QDistillError('E_INVALID_ARGUMENT', `drawCircuit: decimals must be an integer in 0..10, got ${decimals}`);
  }
  const n = circuit.numQubits;
  const items: Item[] = [];
  if (circuit.prep) items.push(prepItem(circuit.prep, n));
  for (const op of circuit.ops) items.push(opItem(op, decimals));

  // Layering: an item occupies every wire between its lowest and highest.
  const layers: Map<number, string>[] = [];
  const nextFree = new Array<number>(n).fill(0);
  for (const item of items) {
    const wires = [...item.cells.keys()];
    const lo = Math.min(...wires);
    const hi = Math.max(...wires);
    let layer = 0;
    for (let w = lo; w <= hi; w++) layer = Math.max(layer, nextFree[w]!);
    for (let w = lo; w <= hi; w++) nextFree[w] = layer + 1;
    while (layers.length <= layer) layers.push(new Map());
    const cells = layers[layer]!;
    for (let w = lo; w <= hi; w++) {
      const label = item.cells.get(w);
      if (wires.length === 1) cells.set(w, label!);
      else if (label === undefined) cells.set(w, '│');
      else cells.set(w, `${w === lo ? '╭' : w === hi ? '╰' : '├'}${label}`);
    }
  }

  const labelWidth = String(n - 1).length;
  const lines: string[] = [];
  for (let w = 0; w < n; w++) {
    const cells = layers.map((layer) => {
      const width = Math.max(...[...layer.values()].map((c) => c.length));
      return (layer.get(w) ?? '').padEnd(width, '─');
    });
    lines.push(`${String(w).padStart(labelWidth)}: ─${cells.map((c) => `${c}─`).join('')}┤`);
  }
  return lines.join('\n');
}

function opItem(op: Operation, decimals: number): Item {
  const gate = getGate(op.name);
  const dagger = op.inverse ? '†' : '';
  const params = op.params.length ? `(${op.params.map((p) => formatParam(p, decimals)).join(',')})` : '';
  const target = `${LABELS[op.name] ?? op.name}${params}${dagger}`;
  const cells = new Map<number, string>();
  op.wires.forEach((w, i) => cells.set(w, i < gate.numControls ? '●' : target));
  return { cells };
}

function prepItem(prep: StatePrep, n: number): Item {
  let label: string;
  if (prep.kind === 'state') label = `State(x${prep.inputOffset}..x${prep.inputOffset + 2 * (1 << n) - 1})`;
  else if (prep.features === null) label = `AmplitudeEmbedding(x${prep.inputOffset}..x${prep.inputOffset + prep.numFeatures - 1})`;
  else label = 'AmplitudeEmbedding';
  const wires = prep.kind === 'state' ? Array.from({ length: n }, (_, i) => i) : prep.wires;
  return { cells: new Map(wires.map((w) => [w, label])) };
}

function formatParam(p: ParamSource, decimals: number): string {
  if (typeof p === 'number') return p.toFixed(decimals);
  const scaled = (scale: number | undefined, name: string): string =>
    scale === undefined || scale === 1 ? name : `${scale.toFixed(decimals)}·${name}`;
  if (isWeightRef(p)) return scaled(p.scale, `w${p.weight}`);
  const base = scaled(p.scale, `x${p.input}`);
  const offset = p.offset ?? 0;
  if (offset === 0) return base;
  return `${base}${offset < 0 ? '-' : '+'}${Math.abs(offset).toFixed(decimals)}`;
}
