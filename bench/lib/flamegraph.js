#!/usr/bin/env node
/**
 * node bench/lib/flamegraph.js <in.cpuprofile> <out.svg> [title] — a flame graph of a V8 CPU profile, as one
 * self-contained SVG (no dependency): width is CPU time, each bar a function on the stack above its caller,
 * (idle) left out. Also prints the functions with the most self time, to read next to the graph.
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { basename } = require('node:path');

const [input, output, title = basename(input || '')] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node bench/lib/flamegraph.js <in.cpuprofile> <out.svg> [title]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(input, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, { ...node, self: 0, total: 0 }]));
// Self time per node: each sample's time delta goes to the node it hit.
for (let i = 0; i < profile.samples.length; i += 1) {
  const node = byId.get(profile.samples[i]);
  if (node) node.self += (profile.timeDeltas[i] ?? 0) / 1000;
}
const label = (node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url ? url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|src)\//, '$1/') : '';
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
};
const root = byId.get(profile.nodes[0].id);
const skip = (node) => node.callFrame.functionName === '(idle)';
const totalOf = (node) => {
  node.total = node.self;
  for (const id of node.children ?? []) {
    const child = byId.get(id);
    if (!skip(child)) node.total += totalOf(child);
  }
  return node.total;
};
totalOf(root);

const WIDTH = 1600;
const ROW = 16;
const scale = WIDTH / Math.max(root.total, 1e-9);
const rects = [];
let depthMax = 0;
const layout = (node, x, depth) => {
  const width = node.total * scale;
  if (width < 1) return;
  depthMax = Math.max(depthMax, depth);
  rects.push({ x, depth, width, node });
  let offset = x;
  const children = (node.children ?? []).map((id) => byId.get(id)).filter((child) => !skip(child));
  children.sort((a, b) => label(a).localeCompare(label(b)));
  for (const child of children) {
    layout(child, offset, depth + 1);
    offset += child.total * scale;
  }
};
layout(root, 0, 0);

const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const color = (node) => {
  const url = node.callFrame.url || '';
  if (url.includes('/src/')) return 'hsl(25, 85%, 60%)'; // our code
  if (url.includes('node_modules')) return 'hsl(45, 80%, 60%)';
  if (url.startsWith('node:')) return 'hsl(200, 60%, 65%)';
  return 'hsl(0, 0%, 75%)'; // V8, GC, program
};
const height = (depthMax + 3) * ROW;
const bars = rects
  .map(({ x, depth, width, node }) => {
    const y = height - (depth + 1) * ROW;
    const text = label(node);
    const chars = Math.floor((width - 4) / 6.5);
    const shown = chars >= 3 ? (text.length > chars ? `${text.slice(0, chars - 1)}…` : text) : '';
    const ms = node.total.toFixed(1);
    return `<g><title>${escape(text)} — ${ms} ms (${((node.total / root.total) * 100).toFixed(1)}%), self ${node.self.toFixed(1)} ms</title><rect x="${x.toFixed(2)}" y="${y}" width="${width.toFixed(2)}" height="${ROW - 1}" fill="${color(node)}"/>${shown ? `<text x="${(x + 2).toFixed(2)}" y="${y + ROW - 4}">${escape(shown)}</text>` : ''}</g>`;
  })
  .join('\n');
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height + ROW}" font-family="monospace" font-size="11">
<text x="4" y="${ROW - 3}" font-size="13">${escape(title)} — ${root.total.toFixed(0)} ms of CPU sampled, (idle) left out; width = CPU time, hover a bar for its numbers</text>
${bars}
</svg>
`;
writeFileSync(output, svg);

// The top of the self-time list, aggregated by function.
const self = new Map();
for (const node of byId.values()) {
  if (skip(node)) continue;
  const key = label(node);
  self.set(key, (self.get(key) ?? 0) + node.self);
}
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.FLAMEGRAPH_TOP || 25));
console.log(`${input}: ${root.total.toFixed(0)} ms sampled; top self time:`);
for (const [name, ms] of top) console.log(`${ms.toFixed(1).padStart(9)} ms  ${((ms / root.total) * 100).toFixed(1).padStart(5)}%  ${name}`);
