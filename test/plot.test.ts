// The SVG chart module: well-formed standalone documents, one group per
// series, no NaN in coordinates, escaped text, heatmaps whose exact zeros are
// visible, and stacked panels.
import { inflateSync } from 'zlib';
import { encodePng, escapeXml, formatTick, heatmap, lineChart, stackPanels } from '../lib/plot/svg';

/** Checks well-formedness the way an XML parser would for what we emit: nesting, attributes, entities. */
function expectWellFormed(svg: string): void {
  expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  const body = svg.replace(/^<\?xml[^>]*\?>/, '');
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0, roots = 0;
  while (i < body.length) {
    const lt = body.indexOf('<', i);
    const text = body.slice(i, lt < 0 ? body.length : lt);
    // Text: no raw '>' issues matter, but every '&' must start an entity.
    expect(text).not.toMatch(/&(?!(amp|lt|gt|quot|#\d+);)/);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(body);
    if (!m) throw new Error(`malformed tag at ${lt}: ${body.slice(lt, lt + 80)}`);
    const [, close, name, attrs, selfClose] = m;
    expect(attrs).not.toMatch(/&(?!(amp|lt|gt|quot|#\d+);)/);
    const names = [...attrs.matchAll(/([\w:-]+)="/g)].map((a) => a[1]);
    expect(new Set(names).size).toBe(names.length); // no duplicate attributes
    if (close) {
      expect(stack.pop()).toBe(name);
    } else if (!selfClose) {
      if (stack.length === 0) roots++;
      stack.push(name);
    }
    i = lt + m[0].length;
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

function numbersIn(svg: string): string[] {
  return [...svg.matchAll(/\b(?:x|y|x1|x2|y1|y2|cx|cy|r|width|height|points)="([^"]*)"/g)].map((m) => m[1]);
}

const xs = [1, 2, 3, 4, 5, 6, 7, 8];

describe('lineChart', () => {
  test('one group per series, readable defaults, well-formed, no NaN', () => {
    const svg = lineChart({
      title: 'Three series',
      x: { label: 'eta' },
      y: { label: 'sparsity' },
      series: [
        { name: 'bilevel l1,inf', x: xs, y: xs.map((v) => v * v) },
        { name: 'bilevel l1,1', x: xs, y: xs.map((v) => 2 * v), mode: 'line+markers' },
        { name: 'exact l1,inf', x: xs, y: xs.map((v) => 10 - v), dashed: true },
      ],
    });
    expectWellFormed(svg);
    expect(svg).toMatch(/<svg [^>]*width="720"/);
    expect(svg).toContain('font-family="sans-serif"');
    expect(svg.match(/<g class="series"/g)).toHaveLength(3);
    expect(svg.match(/<circle /g)?.length).toBeGreaterThanOrEqual(xs.length);
    expect(svg).toContain('stroke-dasharray');
    for (const v of numbersIn(svg)) expect(v).not.toMatch(/NaN|Infinity|undefined/);
    expect(svg).toContain('>eta<');
    expect(svg).toContain('>sparsity<');
    expect(svg.match(/<g class="legend"/g)).toHaveLength(1);
  });

  test('non-finite points are skipped and break the line', () => {
    const svg = lineChart({ series: [{ name: 'gappy', x: xs, y: [1, 2, NaN, 4, Infinity, 6, 7, 8] }] });
    expectWellFormed(svg);
    expect(svg.match(/<polyline /g)).toHaveLength(3);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  test('log axes drop non-positive values and tick at powers of ten', () => {
    const svg = lineChart({
      series: [{ name: 'time', x: [0, 10, 100, 1000, 10000], y: [-1, 0.001, 0.01, 0.1, 1], mode: 'markers' }],
      x: { log: true, label: 'n' },
      y: { log: true },
    });
    expectWellFormed(svg);
    const group = /<g class="series"[^>]*>(.*?)<\/g>/.exec(svg)![1];
    expect(group.match(/<circle /g)).toHaveLength(4); // (0, -1) is dropped
    expect(svg).toContain('>1000<');
    expect(svg).toContain('>0.01<');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  test('fitted curves are dashed overlays with a legend entry', () => {
    const svg = lineChart({
      series: [{ name: 'measured', x: xs, y: xs.map((v) => 3 * v + 1), mode: 'markers' }],
      fits: [{ name: 'fit: 3n + 1', f: (v) => 3 * v + 1 }, { name: 'n log n', f: (v) => v * Math.log(v) }],
    });
    expectWellFormed(svg);
    expect(svg.match(/<g class="fit"/g)).toHaveLength(2);
    expect(svg.match(/<g class="fit"[^>]*><polyline [^>]*stroke-dasharray="6 4"/g)).toHaveLength(2);
    expect(svg).toContain('fit: 3n + 1');
  });

  test('text is escaped everywhere', () => {
    const evil = `<script>alert("x")</script> & 'y'`;
    const svg = lineChart({ title: evil, x: { label: evil }, series: [{ name: evil, x: [1, 2], y: [1, 2], color: '"red"' }] });
    expectWellFormed(svg);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
  });

  test('deterministic, and valid with no data at all', () => {
    const spec = { series: [{ name: 'a', x: xs, y: xs }] };
    expect(lineChart(spec)).toBe(lineChart(spec));
    const empty = lineChart({ series: [] });
    expectWellFormed(empty);
    expect(empty).not.toMatch(/NaN/);
  });

  test('a constant series gets a non-degenerate axis', () => {
    const svg = lineChart({ series: [{ name: 'flat', x: [1, 2, 3], y: [5, 5, 5] }] });
    expectWellFormed(svg);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
});

describe('heatmap', () => {
  // A 4 x 6 weight matrix whose columns 1 and 4 were zeroed.
  const rows = 4, cols = 6;
  const data = Float64Array.from({ length: rows * cols }, (_, k) => (k % cols === 1 || k % cols === 4 ? 0 : ((k % 7) - 3) / 10 || 1e-6));

  function pixels(svg: string) {
    const b64 = /href="data:image\/png;base64,([^"]+)"/.exec(svg)![1];
    const png = Buffer.from(b64, 'base64');
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const w = png.readUInt32BE(16), h = png.readUInt32BE(20);
    const idatLen = png.readUInt32BE(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    const at = (i: number, j: number) => [...raw.subarray(i * (1 + w * 3) + 1 + j * 3, i * (1 + w * 3) + 4 + j * 3)];
    return { w, h, at };
  }

  test('one pixel per entry; zeroed columns in the zero colour, others not', () => {
    const svg = heatmap({ title: 'W1 after projection', data, rows, cols, xLabel: 'input feature', yLabel: 'hidden unit' });
    expectWellFormed(svg);
    const { w, h, at } = pixels(svg);
    expect([w, h]).toEqual([cols, rows]);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        if (j === 1 || j === 4) expect(at(i, j)).toEqual([255, 255, 255]);
        else expect(at(i, j)).not.toEqual([255, 255, 255]);
      }
    }
    expect(svg).toContain('exactly 0');
    expect(svg).toContain('image-rendering');
  });

  test('signed scale and log colour both render; a custom zero colour is used', () => {
    const signed = heatmap({ data, rows, cols, scale: 'signed', zeroColor: '#00ff00' });
    expectWellFormed(signed);
    expect(pixels(signed).at(0, 1)).toEqual([0, 255, 0]);
    const logged = heatmap({ data, rows, cols, logColor: true, valueLabel: '|w|' });
    expectWellFormed(logged);
    expect(logged).not.toMatch(/NaN|Infinity/);
  });

  test('wide matrices get at least a pixel per column by default', () => {
    const svg = heatmap({ data: new Float64Array(2 * 1500).fill(1), rows: 2, cols: 1500 });
    const width = Number(/<svg [^>]*width="(\d+)"/.exec(svg)![1]);
    const plotWidth = Number(/<image [^>]*width="(\d+)"/.exec(svg)![1]);
    expect(plotWidth).toBeGreaterThanOrEqual(1500);
    expect(width).toBeLessThanOrEqual(4096);
  });

  test('bad shapes and colours are refused', () => {
    expect(() => heatmap({ data, rows: 5, cols })).toThrow(RangeError);
    expect(() => heatmap({ data, rows, cols, zeroColor: 'white' })).toThrow(RangeError);
  });
});

describe('stackPanels', () => {
  test('stacks panels vertically into one document', () => {
    const a = lineChart({ title: 'top', series: [{ name: 's', x: xs, y: xs }], height: 300 });
    const b = lineChart({ title: 'middle', series: [{ name: 's', x: xs, y: xs }], height: 300 });
    const c = heatmap({ data: Float64Array.from([1, 0, 2, 0]), rows: 2, cols: 2, height: 200 });
    const svg = stackPanels([a, b, c], { title: 'Figure <3>', gap: 10 });
    expectWellFormed(svg);
    expect(svg.match(/<svg /g)).toHaveLength(4);
    expect(svg).toMatch(/^<\?xml[^>]*>\n<svg [^>]*width="720" height="856"/); // 36 + 300 + 10 + 300 + 10 + 200
    expect(svg).toContain('Figure &lt;3&gt;');
    expect(svg.match(/<\?xml/g)).toHaveLength(1);
  });
});

describe('helpers', () => {
  test('escapeXml and formatTick', () => {
    expect(escapeXml(`a<b>&"'`)).toBe('a&lt;b&gt;&amp;&quot;&#39;');
    expect(formatTick(0)).toBe('0');
    expect(formatTick(0.1 + 0.2)).toBe('0.3');
    expect(formatTick(123456)).toBe('1.23e+5');
    expect(formatTick(0.0001)).toBe('1e-4');
  });

  test('encodePng writes a valid image', () => {
    const png = encodePng(Uint8Array.from([255, 0, 0, 0, 255, 0]), 2, 1);
    expect(png.readUInt32BE(16)).toBe(2);
    expect(png.readUInt32BE(20)).toBe(1);
    expect(png.subarray(png.length - 8, png.length - 4).toString('ascii')).toBe('IEND');
  });
});
