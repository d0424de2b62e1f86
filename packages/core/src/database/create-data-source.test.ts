import { EntitySchema } from 'typeorm';
import { afterEach, describe, expect, it } from 'vitest';
import { createDataSource } from './create-data-source.js';

const Item = new EntitySchema<{ id: number; label: string; amount: number; ratio: number }>({
  name: 'Item',
  tableName: 'item',
  columns: {
    id: { type: 'integer', primary: true },
    label: { type: 'varchar' },
    amount: { type: 'integer' },
    ratio: { type: 'real' },
  },
});

describe('createDataSource on SQLite: integer parameters', () => {
  const sources: Array<ReturnType<typeof createDataSource>> = [];
  afterEach(async () => {
    for (const source of sources.splice(0)) if (source.isInitialized) await source.destroy();
  });

  const open = async () => {
    const source = createDataSource({
      database: { kind: 'sqlite', path: ':memory:', immuneTables: [] },
      projectDir: process.cwd(),
      entities: [Item],
    });
    sources.push(source);
    await source.initialize();
    await source.synchronize();
    return source;
  };

  it('binds integers instead of writing them into the SQL text, so writes with new numbers share one statement', async () => {
    const source = await open();
    const insert = (id: number, amount: number) =>
      source
        .createQueryBuilder()
        .insert()
        .into(Item)
        .values({ id, label: 'x', amount, ratio: 0.5 })
        .orUpdate(['amount'], ['id'])
        .getQueryAndParameters();
    const [first, firstParameters] = insert(1, 7);
    const [second, secondParameters] = insert(2, 123_456_789);
    expect(second).toBe(first);
    expect(first).not.toMatch(/\b7\b/);
    expect(firstParameters).toEqual(expect.arrayContaining([1n, 7n]));
    expect(secondParameters).toEqual(expect.arrayContaining([2n, 123_456_789n]));
    // Other numbers stay as TypeORM writes them: in the text.
    expect(first).toContain('0.5');
  });

  it('stores exactly what the inlined literals stored: integers as INTEGER, in a text column as text', async () => {
    const source = await open();
    const repository = source.getRepository(Item);
    await repository.insert({ id: 1, label: 5 as unknown as string, amount: -42, ratio: 2 });
    await repository
      .createQueryBuilder()
      .insert()
      .values({ id: 2, label: 'y', amount: 2 ** 53 + 2, ratio: 1.25 })
      .execute();
    await repository.update({ id: 1 }, { amount: 9 });
    const rows = await source.query(
      'SELECT id, typeof(label) AS label_type, label, typeof(amount) AS amount_type, amount, typeof(ratio) AS ratio_type, ratio FROM item ORDER BY id',
    );
    expect(rows).toEqual([
      {
        id: 1,
        label_type: 'text',
        label: '5',
        amount_type: 'integer',
        amount: 9,
        ratio_type: 'real',
        ratio: 2,
      },
      {
        id: 2,
        label_type: 'text',
        label: 'y',
        amount_type: 'integer',
        amount: 2 ** 53 + 2,
        ratio_type: 'real',
        ratio: 1.25,
      },
    ]);
    expect(await repository.findOneBy({ amount: 9 })).toMatchObject({ id: 1 });
  });
});
