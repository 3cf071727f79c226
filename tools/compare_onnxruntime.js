// Times espnet and ONNX Runtime side by side on the same networks and writes the README's
// performance table. Run through tools/compare_onnxruntime.sh (it finds onnxruntime-node).
//
//   node compare_onnxruntime.js ESPNET_BINARY PEERS_DIR REF_DIR [--rounds R] [--runs N]
//        [--threads "1 2"] [--only SUBSTRING] [--readme README.md]
//
// Each measurement is a fresh process (`espnet bench --json` or the peers' ort_time.js), both
// with 10 warm-up runs and N timed runs, reporting the median. A round times every network at
// every thread count once with each engine, the engines alternating which goes first from
// round to round; the table shows the median over the rounds of those per-process medians.
// With --readme the table replaces the lines between the markers
// "<!-- performance-table:begin -->" and "<!-- performance-table:end -->".
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

function parseArgs(argv) {
  if (argv.length < 3) {
    console.error('usage: compare_onnxruntime.js ESPNET PEERS_DIR REF_DIR [--rounds R] ' +
                  '[--runs N] [--threads "1 2"] [--only SUBSTRING] [--readme FILE]');
    process.exit(2);
  }
  const options = { espnet: argv[0], peers: argv[1], ref: argv[2], rounds: 3, runs: 30,
                    threads: [1, 2], only: '', readme: '' };
  for (let i = 3; i < argv.length; i += 2) {
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${argv[i]} needs a value`);
    if (argv[i] === '--rounds') options.rounds = positive(value, '--rounds');
    else if (argv[i] === '--runs') options.runs = positive(value, '--runs');
    else if (argv[i] === '--threads')
      options.threads = value.split(/[ ,]+/).filter(Boolean).map(t => positive(t, '--threads'));
    else if (argv[i] === '--only') options.only = value;
    else if (argv[i] === '--readme') options.readme = value;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return options;
}

function positive(text, what) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive integer, got ${text}`);
  return n;
}

// The networks of ../shared/peers/README.md: each row runs the same network, weights and input
// in both engines.
function networks(peers, ref) {
  const ckpt = path.join(ref, 'checkpoints'), cases = path.join(ref, 'cases');
  const onnx = name => path.join(peers, 'onnx', name);
  return [
    { name: 'classification s=0.5, 224x224', onnx: onnx('cls_s0.5.onnx'),
      model: path.join(ckpt, 'cls_s0.5_random_legacy.pth'),
      input: path.join(cases, 'cls_s0.5_224x224', 'input.npy') },
    { name: 'classification s=1.0, 224x224', onnx: onnx('cls_s1.0.onnx'),
      model: path.join(ckpt, 'cls_s1.0_random.pth'),
      input: path.join(cases, 'cls_s1.0_224x224', 'input.npy') },
    { name: 'classification s=2.0, 224x224', onnx: onnx('cls_s2.0.onnx'),
      model: path.join(ckpt, 'cls_s2.0_random.pth'),
      input: path.join(cases, 'cls_s2.0_224x224', 'input.npy') },
    { name: 'segmentation PASCAL VOC s=2.0, 384x384', onnx: onnx('seg_pascal_s2.0.onnx'),
      model: path.join(ckpt, 'espnetv2_s_2.0_pascal_384x384.pth'),
      input: path.join(cases, 'seg_pascal_s2.0_384x384', 'input.npy') },
    { name: 'segmentation Cityscapes s=1.0, 1024x512 (EdgeNets)', onnx: onnx('seg_city_s1.0.onnx'),
      model: path.join(ckpt, 'espnetv2_s_1.0_city_1024x512.pth'),
      input: path.join(peers, 'inputs', 'seg_city_s1.0_sample4_1024x512.npy') },
    { name: 'segmentation Cityscapes s=1.0, 1024x512 (original repository)',
      onnx: onnx('segorig_city_s1.0.onnx'), model: path.join(ckpt, 'espnetv2orig_seg_city_s1.0.pth'),
      input: path.join(ref, 'images', 'segorig_sample4', 'input.npy') },
    { name: 'SSD300 s=2.0 (network only)', onnx: onnx('ssd300_s2.0.onnx'),
      model: path.join(ckpt, 'det_ssd300_coco_s2.0_random.pth'),
      input: path.join(cases, 'det_ssd300_coco_s2.0', 'input.npy') },
  ];
}

function runJson(command, args) {
  const out = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
                                            maxBuffer: 1 << 20 });
  const json = JSON.parse(out.trim().split('\n').pop());
  if (typeof json.median_ms !== 'number') throw new Error(`no median_ms from ${command}: ${out}`);
  return json.median_ms;
}

function timeEspnet(o, net, threads) {
  return runJson(o.espnet, ['bench', net.model, '--input', net.input, '--threads', String(threads),
                            '--warmup', '10', '--runs', String(o.runs), '--json']);
}

function timeOrt(o, net, threads) {
  return runJson(process.execPath, [path.join(o.peers, 'ort_time.js'), net.onnx, net.input,
                                    String(threads), String(o.runs)]);
}

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function ms(v) {
  return v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function table(o, rows) {
  const t = o.threads.join(' / ') + (o.threads.length > 1 || o.threads[0] > 1 ? ' threads' : ' thread');
  const lines = [
    `| network | espnet, ${t} | ONNX Runtime ${ortVersion()}, ${t} | ORT time / espnet time |`,
    '| --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const e = o.threads.map(th => median(row.espnet[th]));
    const r = o.threads.map(th => median(row.ort[th]));
    const ratio = o.threads.map((th, i) => (r[i] / e[i]).toFixed(1) + 'x');
    lines.push(`| ${row.name} | ${e.map(ms).join(' / ')} ms | ${r.map(ms).join(' / ')} ms | ` +
               `${ratio.join(' / ')} |`);
  }
  return lines.join('\n');
}

function ortVersion() {
  try {
    return require('onnxruntime-node/package.json').version;
  } catch (e) {
    return '(version unknown)';
  }
}

function writeReadme(file, text) {
  const begin = '<!-- performance-table:begin -->', end = '<!-- performance-table:end -->';
  const readme = fs.readFileSync(file, 'utf8');
  const a = readme.indexOf(begin), b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${file} has no ${begin} ... ${end} block`);
  fs.writeFileSync(file, readme.slice(0, a + begin.length) + '\n' + text + '\n' + readme.slice(b));
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  const rows = networks(o.peers, o.ref).filter(n => n.name.includes(o.only));
  if (rows.length === 0) throw new Error(`no network matches --only '${o.only}'`);
  for (const row of rows) {
    for (const f of [row.onnx, row.model, row.input])
      if (!fs.existsSync(f)) throw new Error(`${row.name}: missing ${f}`);
    row.espnet = {};
    row.ort = {};
    for (const th of o.threads) row.espnet[th] = [], row.ort[th] = [];
  }
  for (let round = 0; round < o.rounds; ++round) {
    for (const row of rows) {
      for (const th of o.threads) {
        // Alternate which engine goes first, so that neither always meets the other's after-heat.
        const order = (round + th) % 2 === 0 ? ['espnet', 'ort'] : ['ort', 'espnet'];
        for (const engine of order) {
          const v = engine === 'espnet' ? timeEspnet(o, row, th) : timeOrt(o, row, th);
          row[engine][th].push(v);
          console.error(`round ${round + 1}/${o.rounds}  ${row.name}  ${th} thread(s)  ` +
                        `${engine} ${ms(v)} ms`);
        }
      }
    }
  }
  const text = table(o, rows);
  const cpu = (os.cpus()[0] || { model: 'unknown CPU' }).model.trim();
  const note = `Median of ${o.rounds} rounds (each: a fresh process per engine, network and ` +
               `thread count, 10 warm-up runs, median of ${o.runs}), ${new Date().toISOString()
                   .slice(0, 10)}, ${cpu}, ${os.cpus().length} logical CPUs.`;
  console.log(text + '\n\n' + note);
  if (o.readme) writeReadme(o.readme, text + '\n\n' + note);
}

try {
  main();
} catch (e) {
  console.error(`compare_onnxruntime: ${e.message}`);
  process.exit(1);
}
