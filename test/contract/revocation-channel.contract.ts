import { Revocation, RevocationChannel } from '../../src/modules/auth/ports/revocation-channel.port';
import { waitFor } from '../support/wait-for';

/**
 * What every RevocationChannel must do: an announcement published on one instance's channel reaches the
 * listeners of every instance's channel (the publisher's included), key and company revocations alike; a
 * listener added later hears later announcements. `open` gives two channels of one deployment.
 */
export function runRevocationChannelContract(
  name: string,
  open: () => Promise<{ one: RevocationChannel; two: RevocationChannel; dispose: () => Promise<void> }>,
): void {
  describe(`RevocationChannel contract: ${name}`, () => {
    let opened: Awaited<ReturnType<typeof open>>;
    beforeEach(async () => {
      opened = await open();
    });
    afterEach(async () => {
      await opened.dispose();
    });

    it('delivers a key revocation and a company revocation to every instance', async () => {
      const heardByOne: Revocation[] = [];
      const heardByTwo: Revocation[] = [];
      opened.one.subscribe((r) => heardByOne.push(r));
      opened.two.subscribe((r) => heardByTwo.push(r));
      await opened.one.publish({ keyId: 'k-1' });
      await opened.one.publish({ companyId: 'co-erased' });
      await waitFor(async () => heardByTwo.length === 2 && heardByOne.length === 2, 5_000);
      expect(heardByTwo).toEqual([{ keyId: 'k-1' }, { companyId: 'co-erased' }]);
      expect(heardByOne).toEqual([{ keyId: 'k-1' }, { companyId: 'co-erased' }]);
    });
  });
}
