import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { LocalRevocationChannel } from '../../../src/modules/auth/adapters/local.revocation-channel.adapter';
import { RedisRevocationChannel } from '../../../src/modules/auth/adapters/redis.revocation-channel.adapter';
import { parseRevocation } from '../../../src/modules/auth/ports/revocation-channel.port';
import { runRevocationChannelContract } from '../../contract/revocation-channel.contract';
import { describeSkippedWithout } from '../../support/services';
import { waitFor } from '../../support/wait-for';

runRevocationChannelContract('in-process (one instance)', async () => {
  const channel = new LocalRevocationChannel();
  return { one: channel, two: channel, dispose: () => Promise.resolve() };
});

const url = process.env.REDIS_URL;
if (url) {
  const openPair = async () => {
    const prefix = `test-revocations-${randomBytes(4).toString('hex')}:`;
    const clients = [new Redis(url), new Redis(url)];
    const [one, two] = clients.map((client) => new RedisRevocationChannel(client, prefix));
    // Subscribed once each subscriber is ready (the channel subscribes on its connection's ready).
    await waitFor(async () => {
      const reply = (await clients[0].pubsub('NUMSUB', `${prefix}auth:revocations`)) as unknown[];
      return Number(reply[1]) === 2;
    }, 5_000);
    return {
      one,
      two,
      clients,
      prefix,
      dispose: async () => {
        one.onApplicationShutdown();
        two.onApplicationShutdown();
        await Promise.all(clients.map((client) => client.quit()));
      },
    };
  };
  runRevocationChannelContract('Redis pub/sub (two instances)', openPair);

  describe('RedisRevocationChannel', () => {
    it('ignores anything on its channel that is not an announcement', async () => {
      const pair = await openPair();
      try {
        const heard: unknown[] = [];
        pair.two.subscribe((r) => heard.push(r));
        await pair.clients[0].publish(`${pair.prefix}auth:revocations`, 'not json');
        await pair.clients[0].publish(`${pair.prefix}auth:revocations`, JSON.stringify({ keyId: 7 }));
        await pair.one.publish({ keyId: 'k-2' });
        await waitFor(async () => heard.length > 0, 5_000);
        expect(heard).toEqual([{ keyId: 'k-2' }]);
      } finally {
        await pair.dispose();
      }
    });
  });
} else {
  describeSkippedWithout('RevocationChannel contract: Redis', ['REDIS_URL']);
}

describe('parseRevocation', () => {
  it('reads a key or a company revocation and nothing else', () => {
    expect(parseRevocation('{"keyId":"k"}')).toEqual({ keyId: 'k' });
    expect(parseRevocation('{"companyId":"c"}')).toEqual({ companyId: 'c' });
    expect(parseRevocation('{"keyId":""}')).toBeUndefined();
    expect(parseRevocation('[1]')).toBeUndefined();
    expect(parseRevocation('nope')).toBeUndefined();
  });
});
