import { inspectInput, MAX_INPUT_DEPTH } from './input-guard';

describe('inspectInput', () => {
  it('accepts ordinary bodies, Korean and emoji included', () => {
    expect(
      inspectInput({ tickets: [{ subject: '환불 🙏', tags: ['a'], conversations: [{ body: 'x' }] }] }),
    ).toEqual([]);
  });

  it('names a NUL character by the field path, in values and keys', () => {
    expect(inspectInput({ tickets: [{ subject: 'ok' }, { subject: 'a\u0000b' }] })).toEqual([
      'tickets[1].subject must not contain NUL (\\u0000) characters',
    ]);
    expect(inspectInput({ ['k\u0000']: 1 })).toEqual(['k\u0000 must not contain NUL (\\u0000) characters']);
    expect(inspectInput('T-\u0000', 'ticket_id')).toEqual([
      'ticket_id must not contain NUL (\\u0000) characters',
    ]);
  });

  it('stops at the depth limit without recursing (100,000 levels)', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const problems = inspectInput({ query: deep });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      new RegExp(`^query(\\[0\\])+ is nested deeper than ${MAX_INPUT_DEPTH} levels$`),
    );
  });
});
