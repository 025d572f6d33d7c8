/** A small dependency-free SVG line chart: enough for percentile curves, hit ratio and RSS over size. */
export interface ChartSeries {
  name: string;
  points: Array<[number, number]>;
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  logY?: boolean;
}

const WIDTH = 720;
const HEIGHT = 360;
const PAD = { left: 70, right: 170, top: 40, bottom: 50 };
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563', '#ca8a04'];

const escapeXml = (text: string) =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

/** 1, 2, 5 × 10^k steps: round tick labels. */
function niceTicks(min: number, max: number, count = 5): number[] {
  if (max <= min) max = min + 1;
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.floor(min / step) * step; v <= max + step / 2; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const label = (v: number) =>
  Math.abs(v) >= 1000 ? `${Number((v / 1000).toPrecision(3))}k` : String(Number(v.toPrecision(3)));

export function renderLineChart(chart: LineChart): string {
  const all = chart.series
    .flatMap((s) => s.points)
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  if (all.length === 0) {
    parts.push(`<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">no data</text></svg>`);
    return parts.join('\n');
  }
  const xs = all.map(([x]) => x);
  const logY = chart.logY === true && all.every(([, y]) => y > 0);
  const ty = (y: number) => (logY ? Math.log10(y) : y);
  const ys = all.map(([, y]) => ty(y));
  const xTicks = niceTicks(Math.min(...xs), Math.max(...xs));
  const yTicks = logY
    ? Array.from(
        { length: Math.ceil(Math.max(...ys)) - Math.floor(Math.min(...ys)) + 1 },
        (_, i) => Math.floor(Math.min(...ys)) + i,
      )
    : niceTicks(Math.min(0, ...ys), Math.max(...ys));
  const [x0, x1] = [xTicks[0], xTicks[xTicks.length - 1]];
  const [y0, y1] = [
    yTicks[0],
    yTicks[yTicks.length - 1] === yTicks[0] ? yTicks[0] + 1 : yTicks[yTicks.length - 1],
  ];
  const px = (x: number) => PAD.left + ((x - x0) / (x1 - x0 || 1)) * plotW;
  const py = (y: number) => PAD.top + plotH - ((ty(y) - y0) / (y1 - y0 || 1)) * plotH;

  for (const t of yTicks) {
    const y = PAD.top + plotH - ((t - y0) / (y1 - y0 || 1)) * plotH;
    parts.push(`<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`);
    parts.push(
      `<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${label(logY ? 10 ** t : t)}</text>`,
    );
  }
  for (const t of xTicks) {
    const x = px(t);
    parts.push(`<line x1="${x}" x2="${x}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#f3f4f6"/>`);
    parts.push(`<text x="${x}" y="${PAD.top + plotH + 16}" text-anchor="middle">${label(t)}</text>`);
  }
  parts.push(
    `<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#9ca3af"/>`,
    `<text x="${PAD.left + plotW / 2}" y="${HEIGHT - 12}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    `<text transform="translate(16 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}${logY ? ' (log)' : ''}</text>`,
  );
  chart.series.forEach((series, i) => {
    const color = COLORS[i % COLORS.length];
    const points = series.points.filter(
      ([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0),
    );
    if (points.length === 1) {
      parts.push(
        `<circle cx="${px(points[0][0]).toFixed(1)}" cy="${py(points[0][1]).toFixed(1)}" r="4" fill="${color}"/>`,
      );
    } else if (points.length > 1) {
      const d = points
        .map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`)
        .join(' ');
      parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    }
    const ly = PAD.top + 10 + i * 18;
    parts.push(
      `<rect x="${PAD.left + plotW + 12}" y="${ly - 9}" width="12" height="12" fill="${color}"/>`,
      `<text x="${PAD.left + plotW + 30}" y="${ly + 1}">${escapeXml(series.name.slice(0, 22))}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
