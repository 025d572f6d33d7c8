import fc from 'fast-check';
import { decodeCursor, encodeCursor } from './cursor';

describe('cursor', () => {
  it('round-trips any valid position', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        fc.string({ minLength: 1, maxLength: 100 }),
        (date, id) => {
          const cursor = { updatedAt: date.toISOString(), id };
          expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
        },
      ),
    );
  });

  it('rejects tokens it did not issue', () => {
    const bad = [
      '',
      'not base64!',
      Buffer.from('{}').toString('base64url'),
      Buffer.from('["yesterday","t1"]').toString('base64url'),
      Buffer.from('["2024-01-01T00:00:00.000Z",""]').toString('base64url'),
      Buffer.from('["2024-01-01T00:00:00.000Z",5]').toString('base64url'),
      'x'.repeat(601),
    ];
    for (const token of bad) expect(decodeCursor(token)).toBeNull();
  });
});
