import { cacheResultLabel, endpointLabel, methodLabel, queryTypeOf, statusCodeLabel } from './metric-labels';

describe('metric label values', () => {
  it('uses the route template and never a raw URL', () => {
    expect(endpointLabel('/api/v1/tickets/:ticket_id')).toBe('/api/v1/tickets/:ticket_id');
    expect(endpointLabel(undefined)).toBe('unmatched');
    expect(endpointLabel('')).toBe('unmatched');
  });

  it('maps methods, status codes and X-Cache onto small fixed sets', () => {
    expect(methodLabel('get')).toBe('GET');
    expect(methodLabel('PROPFIND')).toBe('OTHER');
    expect(statusCodeLabel(404)).toBe('404');
    expect(statusCodeLabel(0)).toBe('other');
    expect(cacheResultLabel('HIT')).toBe('hit');
    expect(cacheResultLabel(['STALE'])).toBe('stale');
    expect(cacheResultLabel('Miss')).toBe('miss');
    expect(cacheResultLabel(undefined)).toBe('none');
    expect(cacheResultLabel('BYPASS')).toBe('none');
  });

  it.each([
    ['SELECT * FROM ticket', 'select'],
    ['  (select 1)', 'select'],
    ['/* typeorm */ INSERT INTO ticket VALUES (1)', 'insert'],
    ['-- note\nUPDATE ticket SET x = 1', 'update'],
    ['DELETE FROM ticket', 'delete'],
    ['BEGIN TRANSACTION', 'other'],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'other'],
    ['PRAGMA foreign_keys = ON', 'other'],
  ])('classifies %s as %s', (sql, type) => {
    expect(queryTypeOf(sql)).toBe(type);
  });
});
