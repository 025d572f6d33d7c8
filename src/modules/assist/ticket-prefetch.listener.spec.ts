import { FakeLayeredCache } from '../../../test/fakes/layered-cache.fake';
import { loadConfig } from '../../config/config';
import { TicketIndexedEvents } from '../events/ticket-indexed.events';
import { InitBundleService } from './init-bundle.service';
import { TicketPrefetchListener } from './ticket-prefetch.listener';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function build(env: Record<string, string>) {
  const events = new TicketIndexedEvents();
  const built: string[] = [];
  const bundles = {
    bundle: async (input: { companyId: string; ticketId: string }) => {
      built.push(`${input.companyId}/${input.ticketId}`);
      return { value: {}, status: 'MISS' };
    },
  } as unknown as InitBundleService;
  const config = loadConfig({ LOG_LEVEL: 'silent', ...env });
  const listener = new TicketPrefetchListener(bundles, new FakeLayeredCache(), events, config);
  listener.onModuleInit();
  return { events, built, listener };
}

describe('TicketPrefetchListener (coalesced per company)', () => {
  it('builds each ticket once after the company goes quiet, not once per indexed chunk', async () => {
    const { events, built, listener } = build({ ASSIST_PREFETCH_QUIET_MS: '80' });
    await events.publish({ companyId: 'acme', ticketIds: ['T-1', 'T-2'] });
    await sleep(30);
    await events.publish({ companyId: 'acme', ticketIds: ['T-2', 'T-3'] });
    await events.publish({ companyId: 'globex', ticketIds: ['T-1'] });
    await sleep(30);
    // Still inside the quiet window of the last chunk: nothing built yet.
    expect(built).toEqual([]);
    await listener.whenIdle();
    expect(built.sort()).toEqual(['acme/T-1', 'acme/T-2', 'acme/T-3', 'globex/T-1']);
    expect(listener.count).toBe(4);
  });

  it('keeps only the most recently indexed tickets when a burst exceeds the bound', async () => {
    const { events, built, listener } = build({
      ASSIST_PREFETCH_QUIET_MS: '20',
      ASSIST_PREFETCH_MAX_TICKETS: '3',
    });
    await events.publish({ companyId: 'acme', ticketIds: ['T-1', 'T-2', 'T-3'] });
    await events.publish({ companyId: 'acme', ticketIds: ['T-4', 'T-1'] });
    await listener.whenIdle();
    // T-1 was indexed again last, so it is among the newest; T-2 is the oldest and left for its first /init.
    expect(built.sort()).toEqual(['acme/T-1', 'acme/T-3', 'acme/T-4']);
  });

  it('does not wait past the maximum delay while chunks keep arriving', async () => {
    // A faked clock: the bound is checked exactly, whatever the machine's load.
    jest.useFakeTimers();
    try {
      const { events, built, listener } = build({
        ASSIST_PREFETCH_QUIET_MS: '60',
        ASSIST_PREFETCH_MAX_DELAY_MS: '100',
      });
      const started = Date.now();
      let firstBuiltAt: number | undefined;
      for (let i = 0; i < 8; i += 1) {
        await events.publish({ companyId: 'acme', ticketIds: [`T-${i}`] });
        if (built.length > 0 && firstBuiltAt === undefined) firstBuiltAt = Date.now() - started;
        // Every 30 ms, so the 60 ms quiet window never passes: only the maximum delay releases a build.
        await jest.advanceTimersByTimeAsync(30);
      }
      await jest.advanceTimersByTimeAsync(1_000);
      await listener.whenIdle();
      expect(firstBuiltAt).toBeDefined();
      expect(firstBuiltAt!).toBeLessThanOrEqual(120);
      expect(new Set(built).size).toBe(8);
    } finally {
      jest.useRealTimers();
    }
  });
});
