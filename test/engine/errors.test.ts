// Errors of the circuit layer and the engine: each is a typed QDistillError
// with its stable `code` AND a message that names what was wrong, where, and
// what is allowed. Both are asserted.
import { beforeAll, describe, expect, it } from 'vitest';
import { Circuit } from '../../sdk/circuit/circuit.js';
import { fromRows, identity } from '../../sdk/circuit/matrix.js';
import { input, weight } from '../../sdk/circuit/params.js';
import { amplitudeEmbedding, angleEmbedding, stronglyEntanglingLayers } from '../../sdk/circuit/templates.js';
import { createKernel } from '../../sdk/kernel/kernel.js';
import { MAX_SIMULATED_QUBITS, createSimulator, type Simulator } from '../../sdk/qnn/simulator.js';
import { compileTape } from '../../sdk/qnn/tape.js';
import { OP_WIDTH } from '../../sdk/qnn/tape-format.js';
import { requestedBuild, testSimulator } from '../helpers/engine.js';
import { expectQDistillError } from '../helpers/errors.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await testSimulator();
});

describe('circuit construction', () => {
  it('rejects a wire out of range, naming the gate, the wire and the valid range (E_WIRE_RANGE)', () => {
    expectQDistillError(() => new Circuit(5).rx(0.1, 7), 'E_WIRE_RANGE', 'RX on wires [7]', 'wire 7 is out of range for a 5-qubit circuit', '(valid 0..4)');
    expectQDistillError(() => new Circuit(2).cnot(0, -1), 'E_WIRE_RANGE', 'CNOT on wires [0, -1]', 'wire -1');
    expectQDistillError(() => new Circuit(2).h(0.5), 'E_WIRE_RANGE', 'Hadamard', 'wire 0.5');
  });

  it('rejects duplicate wires, naming the gate and the wire (E_DUPLICATE_WIRES)', () => {
    expectQDistillError(() => new Circuit(3).op('CRX', [1, 1], [0.2]), 'E_DUPLICATE_WIRES', 'CRX on wires [1, 1]', 'wire 1 appears more than once');
    expectQDistillError(() => new Circuit(3).toffoli(0, 2, 0), 'E_DUPLICATE_WIRES', 'Toffoli', 'wire 0');
  });

  it('rejects a wrong parameter count, naming the gate, the expected parameters and the count (E_PARAM_COUNT)', () => {
    expectQDistillError(() => new Circuit(1).op('RX', [0], []), 'E_PARAM_COUNT', 'RX on wires [0]', 'expected 1 parameter(s) (phi), got 0');
    expectQDistillError(() => new Circuit(1).op('Rot', [0], [1, 2]), 'E_PARAM_COUNT', 'Rot', '(phi, theta, omega), got 2');
    expectQDistillError(() => new Circuit(1).op('Hadamard', [0], [0.3]), 'E_PARAM_COUNT', 'Hadamard', 'expected 0 parameter(s) (none), got 1');
    expectQDistillError(() => new Circuit(1).op('QubitUnitary', [0]), 'E_PARAM_COUNT', 'QubitUnitary on wires [0]', 'expected a unitary matrix');
  });

  it('rejects a wrong wire count, naming the gate and the expected count (E_WIRE_COUNT)', () => {
    expectQDistillError(() => new Circuit(3).op('CNOT', [0]), 'E_WIRE_COUNT', 'CNOT on wires [0]', 'expected 2 wire(s), got 1');
    expectQDistillError(() => new Circuit(3).op('Toffoli', [0, 1]), 'E_WIRE_COUNT', 'Toffoli', 'expected 3 wire(s), got 2');
    expectQDistillError(() => new Circuit(3).op('MultiRZ', [], [0.1]), 'E_WIRE_COUNT', 'MultiRZ on wires []', 'got 0');
    const u = identity(16);
    expectQDistillError(() => new Circuit(4).op('QubitUnitary', [0, 1, 2, 3], u), 'E_WIRE_COUNT', 'QubitUnitary', 'expected 1..3 wires, got 4');
  });

  it('rejects an unknown gate name and lists the known ones (E_UNKNOWN_GATE)', () => {
    const e = expectQDistillError(() => new Circuit(1).op('Hadamrd', [0]), 'E_UNKNOWN_GATE', 'unknown gate "Hadamrd"', 'known gates:');
    expect(e.message).toContain('Hadamard');
    expect(e.message).toContain('QubitUnitary');
  });

  it('rejects NaN and ±Infinity parameters, naming the gate, wires and parameter (E_NON_FINITE)', () => {
    expectQDistillError(() => new Circuit(1).rx(NaN, 0), 'E_NON_FINITE', 'RX on wires [0], parameter phi', 'got NaN');
    // (The parameter messages print wires as "[0,1]", the wire messages as "[0, 1]"; both name them.)
    expectQDistillError(() => new Circuit(2).op('CRot', [0, 1], [0, Infinity, 0]), 'E_NON_FINITE', /CRot on wires \[0, ?1\], parameter theta/, 'got Infinity');
    expectQDistillError(() => new Circuit(1).u3(0, 0, -Infinity, 0), 'E_NON_FINITE', 'U3', 'parameter delta', '-Infinity');
    expectQDistillError(() => new Circuit(1).rx(weight(0, NaN), 0), 'E_NON_FINITE', 'RX', 'weight scale', 'NaN');
    expectQDistillError(() => new Circuit(1).rx(input(0, 1, Infinity), 0), 'E_NON_FINITE', 'RX', 'input offset', 'Infinity');
    const u = fromRows([[1, 0], [0, NaN]]);
    expectQDistillError(() => new Circuit(1).qubitUnitary(u, [0]), 'E_NON_FINITE', 'QubitUnitary on wires [0]', 'matrix entry 3');
  });

  it('rejects a non-unitary QubitUnitary with its residual (E_NOT_UNITARY)', () => {
    const m = fromRows([[1, 1], [0, 1]]);
    expectQDistillError(() => new Circuit(2).qubitUnitary(m, [1]), 'E_NOT_UNITARY', 'QubitUnitary on wires [1]', 'not unitary', 'max |U†U − I|');
    expectQDistillError(() => new Circuit(2).qubitUnitary(identity(2), [0, 1]), 'E_SHAPE', 'QubitUnitary on wires [0, 1]', 'expected a 4×4 matrix, got 2×2');
  });
});

describe('embeddings', () => {
  it('rejects a zero vector to amplitude-embed, also after padding and from sample inputs (E_ZERO_VECTOR)', () => {
    expectQDistillError(() => amplitudeEmbedding(new Circuit(2), [0, 0, 0, 0], { normalize: true }), 'E_ZERO_VECTOR', 'AmplitudeEmbedding', 'zero vector');
    expectQDistillError(() => amplitudeEmbedding(new Circuit(2), [0], { pad: 0, normalize: true }), 'E_ZERO_VECTOR', 'AmplitudeEmbedding');
    const symbolic = amplitudeEmbedding(new Circuit(1), { inputs: 2 }, { normalize: true });
    expectQDistillError(() => sim.state(symbolic, { inputs: [0, 0] }), 'E_ZERO_VECTOR', 'AmplitudeEmbedding');
  });

  it('rejects too many features for the wires, saying how many fit (E_TOO_MANY_FEATURES)', () => {
    expectQDistillError(() => amplitudeEmbedding(new Circuit(2), [1, 2, 3, 4, 5], { pad: 0 }), 'E_TOO_MANY_FEATURES', 'AmplitudeEmbedding: 5 features', 'at most 2^2 = 4');
    expectQDistillError(() => angleEmbedding(new Circuit(2), [0.1, 0.2, 0.3]), 'E_TOO_MANY_FEATURES', 'AngleEmbedding: 3 features for 2 wires');
  });

  it('rejects NaN features and unnormalised features without normalize', () => {
    expectQDistillError(() => amplitudeEmbedding(new Circuit(1), [NaN, 1], { normalize: true }), 'E_NON_FINITE', 'AmplitudeEmbedding feature 0', 'NaN');
    expectQDistillError(() => amplitudeEmbedding(new Circuit(1), [1, 1]), 'E_INVALID_ARGUMENT', 'AmplitudeEmbedding', 'L2 norm', 'normalize');
    expectQDistillError(() => amplitudeEmbedding(new Circuit(2), [1, 0]), 'E_SHAPE', 'AmplitudeEmbedding: 2 features for 2 wires need padding to 4');
  });

  it('rejects template weights of the wrong shape (E_SHAPE)', () => {
    expectQDistillError(() => stronglyEntanglingLayers(new Circuit(2), [0.1, 0.2, 0.3, 0.4]), 'E_SHAPE', 'StronglyEntanglingLayers', '(L, 2, 3)', 'got 4');
  });

  it('rejects nested StronglyEntanglingLayers weights whose shape is not (L, n, 3), like PennyLane', () => {
    // (1, 1, 6) has the right number of values for n = 2 but not the right shape.
    expectQDistillError(() => stronglyEntanglingLayers(new Circuit(2), [[[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]]]), 'E_SHAPE', 'StronglyEntanglingLayers');
  });
});

describe('observables', () => {
  it('rejects a non-Hermitian matrix observable with its residual (E_NOT_HERMITIAN)', () => {
    const m = fromRows([[1, [0, 1]], [[0, 1], 1]]);
    expectQDistillError(() => sim.expval(new Circuit(2), { hermitian: m, wires: [1] }), 'E_NOT_HERMITIAN', 'Hermitian on wires [1]', 'not Hermitian', 'max |H − H†|');
    expectQDistillError(() => sim.expval(new Circuit(2), { hermitian: identity(2), wires: [0, 1] }), 'E_SHAPE', 'Hermitian on wires [0, 1]', 'expected a 4×4 matrix');
  });

  it('rejects bad Pauli strings, quoting the string and the bad token', () => {
    expectQDistillError(() => sim.expval(new Circuit(2), 'Q0'), 'E_OBSERVABLE', 'Pauli string "Q0"', 'cannot read "Q0"', 'I/X/Y/Z');
    expectQDistillError(() => sim.expval(new Circuit(2), 'Z0 X'), 'E_OBSERVABLE', 'Pauli string "Z0 X"', 'cannot read "X"');
    expectQDistillError(() => sim.expval(new Circuit(2), 'z0'), 'E_OBSERVABLE', 'cannot read "z0"');
    expectQDistillError(() => sim.expval(new Circuit(2), 'Z0 Y0'), 'E_DUPLICATE_WIRES', 'Pauli string "Z0 Y0"', 'wire 0 appears more than once');
    expectQDistillError(() => sim.expval(new Circuit(2), 'X1 Z4'), 'E_WIRE_RANGE', 'observable "X1 Z4"', 'wire 4 is out of range for a 2-qubit circuit');
    expectQDistillError(() => sim.var(new Circuit(2), 'Y7'), 'E_WIRE_RANGE', 'observable "Y7"');
  });

  it('rejects bad probs wires', () => {
    expectQDistillError(() => sim.probs(new Circuit(2), [0, 2]), 'E_WIRE_RANGE', 'probs', 'wire 2');
    expectQDistillError(() => sim.probs(new Circuit(2), [1, 1]), 'E_DUPLICATE_WIRES', 'probs', 'wire 1');
  });
});

describe('simulation', () => {
  it('rejects shots ≤ 0 or not an integer, naming the count (E_SHOTS)', () => {
    const c = new Circuit(1).h(0);
    expectQDistillError(() => sim.sample(c, 0), 'E_SHOTS', 'sample: shots must be a positive integer, got 0');
    expectQDistillError(() => sim.sample(c, -5), 'E_SHOTS', 'got -5');
    expectQDistillError(() => sim.sample(c, 2.5), 'E_SHOTS', 'got 2.5');
    expectQDistillError(() => sim.sample(c, NaN), 'E_SHOTS', 'got NaN');
  });

  it('rejects an initial state of the wrong length, naming both lengths (E_SHAPE)', () => {
    const state = { re: new Float64Array([1, 0]), im: new Float64Array(2) };
    expectQDistillError(() => sim.state(new Circuit(2), { initialState: state }), 'E_SHAPE', 'initialState must have 4 amplitudes for 2 qubits', 'got re 2, im 2');
    const ragged = { re: new Float64Array([1, 0, 0, 0]), im: new Float64Array(3) };
    expectQDistillError(() => sim.probs(new Circuit(2), undefined, { initialState: ragged }), 'E_SHAPE', 'probs', 'im 3');
  });

  it('rejects a non-finite or unnormalised initial state', () => {
    const nan = { re: new Float64Array([NaN, 0]), im: new Float64Array(2) };
    expectQDistillError(() => sim.state(new Circuit(1), { initialState: nan }), 'E_NON_FINITE', 'initialState.re', 'entry 0 is NaN');
    const big = { re: new Float64Array([2, 0]), im: new Float64Array(2) };
    expectQDistillError(() => sim.state(new Circuit(1), { initialState: big }), 'E_INVALID_ARGUMENT', 'initialState has squared norm 4, expected 1');
  });

  it('rejects too many qubits for memory before allocating anything (E_TOO_MANY_QUBITS)', () => {
    const kernel = sim.kernel;
    const bytesBefore = kernel.exports.memory.buffer.byteLength;
    const inUseBefore = kernel.bytesInUse;
    const big = new Circuit(MAX_SIMULATED_QUBITS + 1).h(0);
    for (const run of [() => sim.state(big), () => sim.probs(big, [0]), () => sim.expval(big, 'Z0'), () => sim.sample(big, 10)]) {
      expectQDistillError(run, 'E_TOO_MANY_QUBITS', `${MAX_SIMULATED_QUBITS + 1} qubits need a 4.0 GiB statevector`, `at most ${MAX_SIMULATED_QUBITS} qubits`);
    }
    expect(kernel.exports.memory.buffer.byteLength, 'engine memory did not grow').toBe(bytesBefore);
    expect(kernel.bytesInUse, 'nothing left allocated').toBe(inUseBefore);
    expect(kernel.retired).toBe(false);
  });

  it('rejects missing weights or inputs for a symbolic circuit', () => {
    expectQDistillError(() => sim.state(new Circuit(1).rx(weight(0), 0)), 'E_INVALID_ARGUMENT', 'trainable weights', 'pass weights');
    expectQDistillError(() => sim.state(new Circuit(1).rx(input(0), 0)), 'E_INVALID_ARGUMENT', 'input features', 'pass inputs');
  });

  it('rejects NaN/Infinity weights and inputs instead of returning a NaN state (E_NON_FINITE)', () => {
    expectQDistillError(() => sim.state(new Circuit(1).rx(weight(0), 0), { weights: [NaN] }), 'E_NON_FINITE', 'weight');
    expectQDistillError(() => sim.state(angleEmbedding(new Circuit(1), [input(0)]), { inputs: [Infinity] }), 'E_NON_FINITE', 'input');
  });

  it('rejects weights or inputs shorter than the circuit needs instead of reading past them (E_SHAPE)', () => {
    expectQDistillError(() => sim.state(new Circuit(1).rx(weight(2), 0), { weights: [0.1] }), 'E_SHAPE', 'weight');
    const symbolic = amplitudeEmbedding(new Circuit(1), { inputs: 2 }, { normalize: true });
    expectQDistillError(() => sim.state(symbolic, { inputs: [1] }), 'E_SHAPE', 'input');
  });
});

describe('engine traps', () => {
  it('turns a trap in the debug engine into E_WASM_TRAP and then retires the kernel (E_KERNEL_RETIRED)', async () => {
    const kernel = await createKernel({ build: 'debug' });
    const trapSim = await createSimulator({ kernel });
    const tape = compileTape(new Circuit(1).h(0));
    const ops = Int32Array.from(tape.ops);
    ops[0] = 99; // no such opcode
    const opsPtr = kernel.allocI32(ops, 'bad tape');
    const statePtr = kernel.alloc(32, 'state');
    kernel.run('setup', (ex) => ex.stateZero(statePtr, 1));
    const constsPtr = kernel.allocF64(tape.consts.length ? tape.consts : [0], 'consts');
    const scratchPtr = kernel.alloc(64, 'scratch');
    expect(ops.length).toBe(OP_WIDTH);
    const trap = expectQDistillError(
      () => kernel.run('bad tape', (ex) => ex.tapeApply(statePtr, 1, opsPtr, 1, constsPtr, constsPtr, false, scratchPtr)),
      'E_WASM_TRAP',
      'bad tape: the WebAssembly engine trapped',
      'unknown tape opcode',
      'this kernel is retired',
    );
    expect(trap.cause, 'the trap is kept as the cause').toBeDefined();
    expect(kernel.retired).toBe(true);
    expectQDistillError(() => kernel.run('after', (ex) => ex.stateZero(statePtr, 1)), 'E_KERNEL_RETIRED', 'trapped earlier and was retired', 'create a new one');
    expectQDistillError(() => kernel.alloc(16), 'E_KERNEL_RETIRED');
    expectQDistillError(() => trapSim.state(new Circuit(1).h(0)), 'E_KERNEL_RETIRED');
    // Another kernel is unaffected.
    expect(sim.kernel.retired).toBe(false);
    expect(sim.probs(new Circuit(1).h(0))[0]).toBeCloseTo(0.5, 15);
  });

  it('runs the suite on the build the environment asks for (debug under vitest: engine asserts on)', () => {
    expect(sim.kernel.build).toBe(requestedBuild());
  });
});
