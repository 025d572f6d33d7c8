import fc from 'fast-check';
import {
  cosine,
  decodeVector,
  encodeVector,
  nearest,
  quantize,
  SemanticIndex,
  withEntry,
} from './semantic-index';

const unit = (values: number[]) => {
  const norm = Math.sqrt(values.reduce((s, v) => s + v * v, 0)) || 1;
  return Float32Array.from(values.map((v) => v / norm));
};

describe('semantic index', () => {
  it('round-trips int8 vectors through base64', () => {
    const q = quantize(unit([0.5, -0.25, 0.1, 0]));
    expect([...decodeVector(encodeVector(q))]).toEqual([...q]);
  });

  it('keeps cosine within 0.01 of float32 after quantization', () => {
    const vec = fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 64, maxLength: 64 });
    fc.assert(
      fc.property(vec, vec, (a, b) => {
        const [fa, fb] = [unit(a), unit(b)];
        const exact = fa.reduce((s, v, i) => s + v * fb[i], 0);
        fc.pre(fa.some((v) => v !== 0) && fb.some((v) => v !== 0));
        expect(Math.abs(cosine(quantize(fa), quantize(fb)) - exact)).toBeLessThan(0.01);
      }),
    );
  });

  it('returns candidates at or above the threshold, most similar first', () => {
    const entry = (id: string, v: number[]) => ({
      id,
      question: id,
      vector: encodeVector(quantize(unit(v))),
      storedAt: 0,
    });
    const index: SemanticIndex = {
      model: 'm',
      entries: [entry('far', [0, 1]), entry('near', [1, 0.1]), entry('same', [1, 0])],
    };
    const found = nearest({ index, query: quantize(unit([1, 0])), threshold: 0.9 });
    expect(found.map((c) => c.entry.id)).toEqual(['same', 'near']);
    expect(found[0].similarity).toBeCloseTo(1, 5);
  });

  it('puts new entries first, replaces the same question, bounds the size, and starts over on a new model', () => {
    const e = (id: string) => ({ id, question: id, vector: '', storedAt: 0 });
    let index = withEntry({ index: undefined, model: 'm', entry: e('a'), maxEntries: 2 });
    index = withEntry({ index, model: 'm', entry: e('b'), maxEntries: 2 });
    index = withEntry({ index, model: 'm', entry: e('a'), maxEntries: 2 });
    expect(index.entries.map((x) => x.id)).toEqual(['a', 'b']);
    index = withEntry({ index, model: 'm', entry: e('c'), maxEntries: 2 });
    expect(index.entries.map((x) => x.id)).toEqual(['c', 'a']);
    expect(
      withEntry({ index, model: 'other', entry: e('d'), maxEntries: 2 }).entries.map((x) => x.id),
    ).toEqual(['d']);
  });
});
