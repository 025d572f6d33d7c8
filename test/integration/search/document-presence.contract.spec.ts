import { DataSource } from 'typeorm';
import { ArticleEntity, CompanyEntity, TicketEntity } from '../../../src/database/entities';
import { TypeOrmDocumentPresence } from '../../../src/modules/search/adapters/typeorm.document-presence.adapter';
import { articleRow, ticketRow } from '../../factories/ticket-row.factory';
import { dbTargets } from '../../setup/test-app';
import { bareDataSource } from '../ingest/bare-data-source';

const ticket = (companyId: string, ticketId: string) => ticketRow({ companyId, ticketId });
const article = (companyId: string, articleId: string) => articleRow({ companyId, articleId });

/** The DocumentPresence port's contract, on every database the service runs on. */
describe.each(dbTargets())('DocumentPresence contract: TypeORM (%s)', (target) => {
  let db: DataSource;
  let close: () => Promise<void>;
  let presence: TypeOrmDocumentPresence;
  const many = Array.from({ length: 600 }, (_, i) => `M-${i}`);

  beforeAll(async () => {
    ({ db, close } = await bareDataSource(target));
    presence = new TypeOrmDocumentPresence(db);
    await db.getRepository(CompanyEntity).save([
      { id: 'acme', name: 'Acme' },
      { id: 'globex', name: 'Globex' },
    ]);
    await db
      .getRepository(TicketEntity)
      .insert([ticket('acme', 'T-1'), ticket('acme', "it's \\ 'quoted'"), ticket('globex', 'T-2')]);
    for (let i = 0; i < many.length; i += 200)
      await db.getRepository(TicketEntity).insert(many.slice(i, i + 200).map((id) => ticket('acme', id)));
    await db.getRepository(ArticleEntity).insert([article('acme', 'A-1'), article('acme', 'T-9')]);
  });
  afterAll(() => close?.());

  it("answers which of the ids the company holds, of the type asked, ignoring repeats and other companies' rows", async () => {
    expect(
      await presence.present({
        companyId: 'acme',
        type: 'ticket',
        ids: ['T-1', 'T-2', 'T-1', 'A-1', 'nope'],
      }),
    ).toEqual(new Set(['T-1']));
    expect(await presence.present({ companyId: 'globex', type: 'ticket', ids: ['T-1', 'T-2'] })).toEqual(
      new Set(['T-2']),
    );
    expect(
      await presence.present({ companyId: 'acme', type: 'article', ids: ['A-1', 'T-1', 'T-9'] }),
    ).toEqual(new Set(['A-1', 'T-9']));
    expect(await presence.present({ companyId: 'nobody', type: 'ticket', ids: ['T-1'] })).toEqual(new Set());
  });

  it('takes ids with quotes and backslashes as values, and no ids as none', async () => {
    expect(
      await presence.present({ companyId: 'acme', type: 'ticket', ids: ["it's \\ 'quoted'", "' OR '1'='1"] }),
    ).toEqual(new Set(["it's \\ 'quoted'"]));
    expect(await presence.present({ companyId: 'acme', type: 'ticket', ids: [] })).toEqual(new Set());
  });

  it('answers for a page of hundreds of ids in one call', async () => {
    const asked = [...many, ...many.map((id) => `${id}-gone`)];
    expect(await presence.present({ companyId: 'acme', type: 'ticket', ids: asked })).toEqual(new Set(many));
  });
});
