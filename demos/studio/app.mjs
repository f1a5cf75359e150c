// The studio page: settings (form or URL query), jobs in the SDK's worker pool, live
// charts (uPlot), the student circuit as SVG, the confusion matrix, the
// paired comparison, exports, and the dataset-distillation tab.
//
// URL contract for automated checks: ?task=mnist&classes=0-5&seed=0&epochs=5&auto=1
// (any form field by name) starts training without a click; when done, one
// JSON object with testAccuracy, baselineAccuracy, teacherAccuracy, seed,
// epochs, historyHash, … is written into [data-testid=result].
import uPlot from 'uplot';
import * as q from 'qdistill';

const $ = (id) => document.getElementById(id);
const form = $('settings');
const fatal = (message) => {
  $('fatal').hidden = false;
  $('fatal').textContent = message;
};
window.addEventListener('error', (e) => fatal(`The studio failed: ${e.message}`));
window.addEventListener('unhandledrejection', (e) => fatal(`The studio failed: ${e.reason?.message ?? e.reason}`));

// ---------------------------------------------------------------------------
// Jobs run in a worker of the SDK's worker pool (one worker: the page stays free);
// each job streams its progress on a BroadcastChannel of its own.

const JOBS_URL = new URL('./jobs.mjs', import.meta.url).href;
let pool = null;
let current = null; // AbortController of the running job

/** Runs a job of jobs.mjs in the pool; `onMessage` receives its progress messages. */
async function callJob(name, payload, onMessage) {
  pool ??= q.createWorkerPool({ workers: 1 });
  const controller = new AbortController();
  current = controller;
  const channelName = `qdistill-studio-${name}-${Math.random().toString(36).slice(2)}`;
  const channel = new BroadcastChannel(channelName);
  channel.onmessage = (event) => onMessage?.(event.data);
  try {
    return await (await pool).call(JOBS_URL, name, [{ ...payload, channel: channelName }], { signal: controller.signal });
  } finally {
    channel.close();
    if (current === controller) current = null;
  }
}
const cancelJob = () => current?.abort();

// ---------------------------------------------------------------------------
// Settings

const params = new URLSearchParams(location.search);
for (const [key, value] of params) if (form.elements[key]) form.elements[key].value = value;

function parseClasses(text) {
  const range = /^\s*(\d)\s*-\s*(\d)\s*$/.exec(text);
  const classes = range
    ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i)
    : text.split(',').map((s) => Number(s.trim()));
  if (classes.length < 2 || classes.some((c) => !Number.isInteger(c) || c < 0 || c > 9) || new Set(classes).size !== classes.length) {
    throw new q.QDistillError('E_CONFIG', `classes: expected a range like 0-5 or a list like 1,3,7 of distinct digits 0-9 (at least two), got "${text}"`);
  }
  return classes.sort((a, b) => a - b);
}

function settings() {
  const f = Object.fromEntries(new FormData(form));
  const num = (k) => Number(f[k]);
  return {
    task: f.task, classes: parseClasses(f.classes), labelled: num('labelled'), transfer: num('transfer'), teacher: f.teacher,
    qubits: num('qubits'), encoding: f.encoding, ansatz: f.ansatz, layers: num('layers'), readout: f.readout,
    T: num('T'), alpha: num('alpha'), epochs: num('epochs'), seed: num('seed'), seeds: num('seeds'),
  };
}

/** The student's image size: 2ⁿ pixels for amplitude encoding, n for angle encoding. */
function inputGrid(s) {
  if (s.encoding === 'amplitude') return [2 ** Math.floor(s.qubits / 2), 2 ** Math.ceil(s.qubits / 2)];
  return s.qubits % 2 === 0 ? [2, s.qubits / 2] : [1, s.qubits];
}

/** The student's part of the config (defaults: the web-mnist-0-5 preset's student). */
function studentConfig(s) {
  const [h, w] = inputGrid(s);
  const numClasses = s.classes.length;
  const encoder = s.encoding === 'amplitude'
    ? { type: 'AmplitudeEmbedding', numFeatures: h * w }
    : { type: 'AngleEmbedding', rotation: 'Y', numFeatures: s.qubits, scale: Math.PI };
  const expval = s.readout === 'expvalZ';
  if (expval && s.qubits < numClasses) throw new q.QDistillError('E_CONFIG', `readout ⟨Zᵢ⟩ gives one logit per qubit: ${s.qubits} qubits cannot score ${numClasses} classes (use more qubits or Born probabilities)`);
  if (!expval && 2 ** s.qubits < numClasses) throw new q.QDistillError('E_CONFIG', `${s.qubits} qubits have ${2 ** s.qubits} outcomes, fewer than ${numClasses} classes`);
  return {
    student: {
      arch: 'qnn-classifier', numClasses, numQubits: s.qubits, encoder,
      ansatz: { type: s.ansatz, layers: s.layers },
      measurements: expval ? [{ type: 'expvalZ' }] : [{ type: 'probs', classes: numClasses }],
      head: false,
      ...(expval ? { outputScale: { init: 10, trainable: true } } : {}),
    },
    transform: [{ type: 'resize', height: h, width: w, method: 'area' }, { type: 'flatten' }],
  };
}

/** The experiment config; with the default settings it is the web-mnist-0-5 preset (teacher: the bundled ONNX). */
function experimentConfig(s, teacherName) {
  const { student, transform } = studentConfig(s);
  return q.validateKDConfig({
    name: `studio-${s.task}-${s.classes.join('')}`,
    dataset: {
      name: s.task, classes: s.classes, labelledPerClass: s.labelled, selection: 'first',
      ...(s.transfer > 0 ? { transfer: { perClass: s.transfer } } : {}),
      validation: { perClass: 30 }, testPerClass: 100,
    },
    teacher: { type: 'onnx', path: teacherName },
    student, transform,
    kd: { temperature: s.T, alpha: s.alpha },
    train: { epochs: s.epochs, batchSize: 16, optimizer: { type: 'adam', lr: 0.02 }, seeds: Array.from({ length: s.seeds }, (_, i) => s.seed + i) },
    arms: ['kd', 'baseline'],
  });
}

// ---------------------------------------------------------------------------
// Teacher: bundled, or dropped and validated in the worker

let dropped = null; // { name, bytes }
const teacherStatus = (text, kind) => {
  $('teacher-status').textContent = text;
  $('teacher-status').className = `status ${kind ?? ''}`;
};

async function bundledTeacher(s) {
  const want = [0, 1, 2, 3, 4, 5];
  if (s.classes.join() !== want.join()) {
    throw new q.QDistillError('E_TEACHER', `the bundled teacher knows classes 0-5 of ${s.task}; for classes ${s.classes.join(',')} drop an ONNX teacher with ${s.classes.length} outputs`);
  }
  const name = `lenet5-${s.task}-0-5.onnx`;
  const response = await fetch(new URL(`teachers/${name}`, location.href));
  if (!response.ok) throw new q.QDistillError('E_TEACHER', `cannot fetch the bundled teacher teachers/${name} (HTTP ${response.status}); run npm run build`);
  return { name, bytes: new Uint8Array(await response.arrayBuffer()) };
}

async function acceptFile(file) {
  form.elements.teacher.value = 'dropped';
  teacherStatus(`checking ${file.name}…`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    const s = settings();
    const info = await callJob('checkTeacher', { bytes, name: file.name, numClasses: s.classes.length });
    dropped = { name: file.name, bytes };
    teacherStatus(`✓ ${file.name}: ${info.numClasses} classes, fits 28×28 images — ready`, 'ok');
  } catch (error) {
    dropped = null;
    teacherStatus(`✗ ${file.name} cannot be the teacher: ${error.message}`, 'error');
  }
}

const drop = $('drop');
drop.addEventListener('click', () => $('file').click());
drop.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && $('file').click());
$('file').addEventListener('change', () => $('file').files[0] && acceptFile($('file').files[0]));
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = e.dataTransfer.files[0];
  if (file) acceptFile(file);
});

// ---------------------------------------------------------------------------
// Charts (uPlot): x is the fraction of each run done, so arms with more, shorter epochs align

const COLORS = { kd: '#1f6feb', baseline: '#d9480f' };
const LABELS = { kd: 'KD', baseline: 'no KD' };

function makeChart(el, series, yLabel) {
  const width = Math.max(280, el.clientWidth || 380);
  return new uPlot({
    width, height: 220,
    scales: { x: { time: false, range: [0, 1] } },
    axes: [{ label: 'fraction of the run' }, { label: yLabel, size: 50 }],
    series: [{}, ...series],
    legend: { live: false },
  }, [[], ...series.map(() => [])], el);
}

let lossChart;
let accChart;
let curves;
/** Empties the curves (the charts are made once: creating uPlot charts is the page's heaviest main-thread work). */
function resetCharts() {
  const line = (arm, what, dash) => ({ label: `${LABELS[arm]} ${what}`, stroke: COLORS[arm], width: what.includes('batch') ? 1 : 2, dash, points: { show: !what.includes('batch') }, spanGaps: true });
  lossChart ??= makeChart($('loss-chart'), [line('kd', 'batch'), line('baseline', 'batch'), line('kd', 'validation', [6, 4]), line('baseline', 'validation', [6, 4])], 'loss');
  accChart ??= makeChart($('acc-chart'), [line('kd', 'train'), line('baseline', 'train'), line('kd', 'validation', [6, 4]), line('baseline', 'validation', [6, 4])], 'accuracy');
  curves = { loss: [], acc: [] };
  redraw(lossChart, curves.loss, 4);
  redraw(accChart, curves.acc, 4);
}

/** Adds a point to a chart's series (the other series get a gap at that x). */
function addPoint(list, seriesIndex, x, y, count) {
  list.push({ x, values: Array.from({ length: count }, (_, i) => (i === seriesIndex ? y : null)) });
}
function redraw(chart, list, count) {
  list.sort((a, b) => a.x - b.x);
  chart.setData([list.map((p) => p.x), ...Array.from({ length: count }, (_, i) => list.map((p) => p.values[i]))]);
}
let redrawQueued = false;
function queueRedraw() {
  if (redrawQueued) return;
  redrawQueued = true;
  requestAnimationFrame(() => {
    redrawQueued = false;
    redraw(lossChart, curves.loss, 4);
    redraw(accChart, curves.acc, 4);
  });
}

// ---------------------------------------------------------------------------
// Student circuit as SVG (one column per layer of gates that share no wire)

const GATE_LABELS = { Hadamard: 'H', PauliX: 'X', PauliY: 'Y', PauliZ: 'Z', CNOT: '⊕', CZ: 'Z' };

function circuitSvg(circuit, encoderLabel) {
  const n = circuit.numQubits;
  const columns = [];
  const free = new Array(n).fill(0);
  const place = (wires, item) => {
    const lo = Math.min(...wires);
    const hi = Math.max(...wires);
    let col = 0;
    for (let w = lo; w <= hi; w++) col = Math.max(col, free[w]);
    for (let w = lo; w <= hi; w++) free[w] = col + 1;
    (columns[col] ??= []).push(item);
  };
  place(Array.from({ length: n }, (_, i) => i), { kind: 'prep', label: encoderLabel, wires: Array.from({ length: n }, (_, i) => i) });
  for (const op of circuit.ops) {
    if (op.wires.length === 1) place(op.wires, { kind: 'gate', label: GATE_LABELS[op.name] ?? op.name, wires: op.wires });
    else place(op.wires, { kind: op.name === 'CNOT' ? 'cnot' : 'multi', label: GATE_LABELS[op.name] ?? op.name, wires: op.wires });
  }
  const colW = 38;
  const rowH = 30;
  const left = 34;
  const width = left + columns.length * colW + 40;
  const height = n * rowH + 10;
  const y = (w) => 20 + w * rowH;
  const x = (c) => left + c * colW + colW / 2;
  const parts = [];
  for (let w = 0; w < n; w++) {
    parts.push(`<text x="4" y="${y(w) + 4}" font-size="12" fill="#667">q${w}</text>`);
    parts.push(`<line x1="${left - 6}" y1="${y(w)}" x2="${width - 24}" y2="${y(w)}" stroke="#99a"/>`);
    parts.push(`<rect x="${width - 24}" y="${y(w) - 9}" width="18" height="18" rx="3" fill="#fff" stroke="#2f9e44"/><text x="${width - 15}" y="${y(w) + 4}" font-size="10" text-anchor="middle" fill="#2f9e44">Z</text>`);
  }
  columns.forEach((items, c) => {
    for (const item of items) {
      if (item.kind === 'prep') {
        parts.push(`<rect x="${x(c) - 18}" y="${y(0) - 12}" width="36" height="${y(n - 1) - y(0) + 24}" rx="4" fill="#e7f0ff" stroke="#1f6feb"/>`);
        parts.push(`<text x="${x(c)}" y="${(y(0) + y(n - 1)) / 2 + 4}" font-size="11" text-anchor="middle" fill="#1f6feb" transform="rotate(-90 ${x(c)} ${(y(0) + y(n - 1)) / 2})">${item.label}</text>`);
      } else if (item.kind === 'cnot') {
        const [control, target] = item.wires;
        parts.push(`<line x1="${x(c)}" y1="${y(control)}" x2="${x(c)}" y2="${y(target)}" stroke="#1b1f24"/>`);
        parts.push(`<circle cx="${x(c)}" cy="${y(control)}" r="4" fill="#1b1f24"/>`);
        parts.push(`<circle cx="${x(c)}" cy="${y(target)}" r="8" fill="#fff" stroke="#1b1f24"/><line x1="${x(c) - 8}" y1="${y(target)}" x2="${x(c) + 8}" y2="${y(target)}" stroke="#1b1f24"/><line x1="${x(c)}" y1="${y(target) - 8}" x2="${x(c)}" y2="${y(target) + 8}" stroke="#1b1f24"/>`);
      } else if (item.kind === 'multi') {
        const lo = Math.min(...item.wires);
        const hi = Math.max(...item.wires);
        parts.push(`<rect x="${x(c) - 17}" y="${y(lo) - 11}" width="34" height="${y(hi) - y(lo) + 22}" rx="3" fill="#fff" stroke="#1b1f24"/><text x="${x(c)}" y="${(y(lo) + y(hi)) / 2 + 4}" font-size="10" text-anchor="middle">${item.label}</text>`);
      } else {
        const w = item.wires[0];
        parts.push(`<rect x="${x(c) - 17}" y="${y(w) - 11}" width="34" height="22" rx="3" fill="#fff" stroke="#1b1f24"/><text x="${x(c)}" y="${y(w) + 4}" font-size="10" text-anchor="middle">${item.label}</text>`);
      }
    }
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" style="max-width:100%;height:auto" viewBox="0 0 ${width} ${height}" role="img" aria-label="student circuit: ${n} qubits, ${circuit.ops.length} gates">${parts.join('')}</svg>`;
}

function drawStudent(s) {
  try {
    const { student } = studentConfig(s);
    const { circuit } = q.buildLayerCircuit(student.numQubits, student.encoder, student.ansatz);
    const label = student.encoder.type === 'AmplitudeEmbedding' ? `amplitude ${student.encoder.numFeatures}` : `RY(πx) × ${s.qubits}`;
    $('circuit').innerHTML = circuitSvg(circuit, label);
  } catch (error) {
    $('circuit').innerHTML = `<p class="error">${escapeHtml(error.message)}</p>`;
  }
}

// ---------------------------------------------------------------------------
// Confusion matrix and comparison

const escapeHtml = (t) => String(t).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

function confusionTable(matrix, names) {
  const max = Math.max(1, ...matrix.flat());
  const head = `<tr><th>true ↓ / predicted →</th>${names.map((n) => `<th title="${escapeHtml(n)}">${escapeHtml(String(n).slice(0, 4))}</th>`).join('')}</tr>`;
  const rows = matrix.map((row, i) => `<tr><th>${escapeHtml(String(names[i]).slice(0, 8))}</th>${row.map((v, j) => {
    const a = v / max;
    const color = i === j ? `rgba(31,111,235,${a})` : `rgba(217,72,15,${a})`;
    return `<td style="background:${color};color:${a > 0.55 ? '#fff' : '#1b1f24'}">${v}</td>`;
  }).join('')}</tr>`).join('');
  return `<table class="confusion">${head}${rows}</table>`;
}

const pct = (x) => (x == null || Number.isNaN(x) ? '—' : `${(100 * x).toFixed(1)} %`);

function comparisonHtml(result) {
  const arm = (a) => result.arms[a];
  const gain = result.comparisons.find((c) => c.a === 'kd' && c.b === 'baseline')?.comparison;
  const ci = gain?.interval ? `[${(100 * gain.interval[0]).toFixed(1)}, ${(100 * gain.interval[1]).toFixed(1)}] points` : 'needs ≥ 2 paired seeds';
  const sd = (s) => (result.seeds.length > 1 ? ` ± ${(100 * s.std).toFixed(1)}` : '');
  return `<table class="comparison">
    <tr><th></th><th>test accuracy</th><th>selected on validation</th></tr>
    <tr><td>teacher (${escapeHtml(teacherInUse?.name ?? '')})</td><td>${pct(result.teacher?.testAccuracy)}</td><td>${pct(result.teacher?.validationAccuracy)}</td></tr>
    <tr><td>student, KD</td><td><b>${pct(arm('kd').test.mean)}</b>${sd(arm('kd').test)}</td><td>${pct(arm('kd').validation.mean)}</td></tr>
    <tr><td>student, no KD</td><td><b>${pct(arm('baseline').test.mean)}</b>${sd(arm('baseline').test)}</td><td>${pct(arm('baseline').validation.mean)}</td></tr>
    <tr><td>KD − no KD (95 % CI)</td><td><b>${gain ? `${gain.meanDifference >= 0 ? '+' : ''}${(100 * gain.meanDifference).toFixed(1)} points` : '—'}</b></td><td>${ci}</td></tr>
  </table><p class="verdict">${escapeHtml(gain?.verdict ?? '')}</p>`;
}

// ---------------------------------------------------------------------------
// Training

let teacherInUse = null;
let studentBytes = null;
const status = (t) => ($('status').textContent = t);

function download(bytes, name, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
$('export-student').onclick = () => studentBytes && download(studentBytes, `studio-student-kd.qdc`, 'application/octet-stream');
$('export-teacher').onclick = () => teacherInUse && download(teacherInUse.bytes, teacherInUse.name, 'application/octet-stream');

async function train() {
  const s = settings();
  const teacher = s.teacher === 'dropped' ? dropped : await bundledTeacher(s);
  if (!teacher) throw new q.QDistillError('E_TEACHER', 'no teacher: drop an .onnx file on the page or pick the bundled teacher');
  const config = experimentConfig(s, teacher.name);
  teacherInUse = teacher;
  const yieldToPage = () => new Promise((r) => setTimeout(r, 0)); // keep each main-thread task short
  await yieldToPage();
  drawStudent(s);
  await yieldToPage();
  resetCharts();
  $('confusion').innerHTML = '';
  $('comparison').innerHTML = '';
  $('result').textContent = '';
  $('export-student').disabled = true;
  $('export-teacher').disabled = false;
  const runs = config.arms.length * config.train.seeds.length;
  const order = config.train.seeds.flatMap((seed) => config.arms.map((arm) => `${arm} ${seed}`));
  const firstSeed = config.train.seeds[0];
  status('loading data and teacher…');
  const result = await callJob('kd', { config, teacher: { name: teacher.name, bytes: teacher.bytes }, baseUrl: location.href }, (m) => {
    if (m.type === 'message') status(m.message);
    else if (m.type === 'prepared') status(`teacher test accuracy ${pct(m.teacher?.testAccuracy)}; ${m.sizes.labelled} labelled, ${m.sizes.transfer} transfer, ${m.sizes.validation} validation, ${m.sizes.test} test images`);
    else if (m.type === 'progress') {
      const within = ((m.epoch - 1) * m.steps + m.step) / (m.epochs * m.steps);
      $('progress').value = (order.indexOf(`${m.run} ${m.seed}`) + within) / runs;
      status(`${LABELS[m.run]} seed ${m.seed}: epoch ${m.epoch}/${m.epochs}, loss ${m.loss.toFixed(3)}`);
      if (m.seed === firstSeed) {
        addPoint(curves.loss, m.run === 'kd' ? 0 : 1, within, m.loss, 4);
        queueRedraw();
      }
    } else if (m.type === 'epoch' && m.seed === firstSeed) {
      const arm = m.run === 'kd' ? 0 : 1;
      const frac = m.record.epoch / m.epochs;
      if (!Number.isNaN(m.record.validationLoss)) addPoint(curves.loss, 2 + arm, frac, m.record.validationLoss, 4);
      addPoint(curves.acc, arm, frac, m.record.trainAccuracy, 4);
      if (!Number.isNaN(m.record.validationAccuracy)) addPoint(curves.acc, 2 + arm, frac, m.record.validationAccuracy, 4);
      queueRedraw();
    }
  });
  $('progress').value = 1;
  studentBytes = result.studentCheckpoint;
  $('export-student').disabled = !studentBytes;
  if (result.confusion.kd) $('confusion').innerHTML = confusionTable(result.confusion.kd, result.classNames);
  $('comparison').innerHTML = comparisonHtml(result);
  const gain = result.comparisons.find((c) => c.a === 'kd' && c.b === 'baseline')?.comparison;
  const summary = {
    task: s.task, classes: s.classes,
    testAccuracy: result.arms.kd.test.mean,
    baselineAccuracy: result.arms.baseline.test.mean,
    teacherAccuracy: result.teacher?.testAccuracy ?? null,
    gain: gain?.meanDifference ?? null, gainCI95: gain?.interval ?? null,
    seed: s.seed, seeds: result.seeds, epochs: s.epochs,
    historyHash: result.historyHash,
    pairedInit: result.pairedInit, sizes: result.sizes, teacher: teacher.name,
    seconds: Number(result.seconds.toFixed(2)),
  };
  $('result').textContent = JSON.stringify(summary);
  $('result').closest('details').open = true;
  status(`done in ${result.seconds.toFixed(1)} s — KD ${pct(summary.testAccuracy)}, no KD ${pct(summary.baselineAccuracy)} (test, selected on validation)`);
  return summary;
}

let running = false;
async function start() {
  if (running) return;
  running = true;
  $('train').disabled = true;
  $('stop').disabled = false;
  console.timeStamp?.('qdistill:train-start'); // trace markers: the tests measure main-thread tasks between them
  try {
    await train();
  } catch (error) {
    status(`✗ ${error.message}`);
    $('status').classList.add('error');
    $('result').textContent = JSON.stringify({ error: { code: error.code ?? null, message: error.message } });
    setTimeout(() => $('status').classList.remove('error'), 8000);
  } finally {
    console.timeStamp?.('qdistill:train-end');
    running = false;
    $('train').disabled = false;
    $('stop').disabled = true;
  }
}
form.addEventListener('submit', (e) => {
  e.preventDefault();
  start();
});
$('stop').onclick = cancelJob;
form.addEventListener('change', () => {
  try {
    drawStudent(settings());
  } catch {
    // shown when training starts
  }
});

// ---------------------------------------------------------------------------
// Dataset distillation tab

for (const tab of document.querySelectorAll('[role=tab]')) {
  tab.addEventListener('click', () => {
    for (const t of document.querySelectorAll('[role=tab]')) t.setAttribute('aria-selected', String(t === tab));
    $('tab-kd').hidden = tab.dataset.tab !== 'kd';
    $('tab-dd').hidden = tab.dataset.tab !== 'dd';
  });
}

function drawImages(canvas, images, { numClasses, imagesPerClass, normalization }) {
  const scale = 4;
  const size = 28;
  const count = images.length / (size * size);
  const rows = Math.ceil(count / numClasses);
  canvas.width = numClasses * (size * scale + 4);
  canvas.height = rows * (size * scale + 4);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const tile = ctx.createImageData(size, size);
  const { mean, std } = normalization;
  for (let k = 0; k < count; k++) {
    for (let p = 0; p < size * size; p++) {
      const v = Math.max(0, Math.min(1, images[k * size * size + p] * std[0] + mean[0]));
      const g = 255 - Math.round(255 * v);
      tile.data.set([g, g, g, 255], 4 * p);
    }
    const col = k % numClasses;
    const row = Math.floor(k / numClasses);
    const off = new OffscreenCanvas(size, size);
    off.getContext('2d').putImageData(tile, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(off, col * (size * scale + 4) + 2, row * (size * scale + 4) + 2, size * scale, size * scale);
  }
  void imagesPerClass;
}

let ddChart;
$('dd-settings').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = Object.fromEntries(new FormData($('dd-settings')));
  $('dd-run').disabled = true;
  $('dd-stop').disabled = false;
  $('dd-result').textContent = '';
  ddChart?.destroy();
  ddChart = new uPlot({ width: Math.max(280, $('dd-chart').clientWidth || 400), height: 200, scales: { x: { time: false } }, axes: [{ label: 'outer iteration' }, { label: 'loss' }], series: [{}, { label: 'outer loss', stroke: COLORS.kd, width: 2 }], legend: { live: false } }, [[], []], $('dd-chart'));
  const xs = [];
  const ys = [];
  try {
    const s = settings();
    const normalization = { mean: [0.1307], std: [0.3081] };
    const result = await callJob('dd', {
      dataset: s.task, classes: s.classes, model: f.model, imagesPerClass: Number(f.imagesPerClass), iterations: Number(f.iterations),
      batchSize: Number(f.batch), seed: s.seed, baseUrl: location.href,
    }, (m) => {
      if (m.type !== 'dd-progress') return;
      $('dd-progress').value = m.iteration / m.iterations;
      $('dd-status').textContent = `iteration ${m.iteration}/${m.iterations}, outer loss ${m.outerLoss.toFixed(3)}`;
      xs.push(m.iteration);
      ys.push(m.outerLoss);
      ddChart.setData([xs, ys]);
      if (m.images) drawImages($('dd-images'), m.images, { numClasses: s.classes.length, imagesPerClass: Number(f.imagesPerClass), normalization });
    });
    drawImages($('dd-images'), result.images, result);
    $('dd-status').textContent = `done: a network trained on these ${result.images.length / 784} images reaches ${pct(result.testAccuracy)} on the test split`;
    $('dd-result').textContent = JSON.stringify({ testAccuracy: result.testAccuracy, images: result.images.length / 784, model: f.model });
  } catch (error) {
    $('dd-status').textContent = `✗ ${error.message}`;
  } finally {
    $('dd-run').disabled = false;
    $('dd-stop').disabled = true;
  }
});
$('dd-stop').onclick = cancelJob;

// ---------------------------------------------------------------------------

try {
  const s = settings();
  drawStudent(s);
  experimentConfig(s, 'teacher.onnx'); // validates the settings now (and warms up the config schema)
} catch {
  // invalid settings from the URL are reported when training starts
}
resetCharts();
document.body.dataset.ready = 'true';
if (params.get('auto') === '1') start();
