// Fails when prisma/schema.prisma and prisma/migrations disagree. Prisma's own parser (the DMMF of
// @prisma/prisma-schema-wasm) says what the schema means; the catalog of a database built only from
// the migrations says what they make. Both are reduced to the same description and compared, using
// Prisma's PostgreSQL conventions for types and constraint names.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrator.ts';
import { createTestDatabase, postgresUp, type TestDatabase } from '../helpers/services.ts';

const require = createRequire(import.meta.url);
const wasm = require('@prisma/prisma-schema-wasm') as { get_dmmf(params: string): string };

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  type: string;
  isList: boolean;
  isRequired: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  relationFromFields?: string[];
  relationToFields?: string[];
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string | null;
  fields: Array<{ name: string }>;
}
interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: Array<{ name: string; dbName?: string | null; values: Array<{ name: string; dbName?: string | null }> }>;
    indexes: DmmfIndex[];
  };
}

interface Shape {
  enums: Record<string, string[]>;
  tables: Record<string, { columns: Record<string, string>; indexes: Record<string, string>; foreignKeys: Record<string, string> }>;
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Boolean: 'boolean',
  DateTime: 'timestamp(3)',
  Json: 'jsonb',
  Decimal: 'numeric',
  Bytes: 'bytea',
};

async function expectedShape(): Promise<Shape> {
  const schema = await fs.readFile(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8');
  const dmmf = JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', schema]] }))) as Dmmf;
  const models = new Map(dmmf.datamodel.models.map((m) => [m.name, m]));
  const enumName = (name: string) => dmmf.datamodel.enums.find((e) => e.name === name)?.dbName ?? name;
  const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
  const columnOf = (model: DmmfModel, field: string) => {
    const f = model.fields.find((x) => x.name === field)!;
    return f.dbName ?? f.name;
  };
  const shape: Shape = { enums: {}, tables: {} };
  for (const e of dmmf.datamodel.enums) shape.enums[e.dbName ?? e.name] = e.values.map((v) => v.dbName ?? v.name);
  for (const model of dmmf.datamodel.models) {
    const table = {
      columns: {} as Record<string, string>,
      indexes: {} as Record<string, string>,
      foreignKeys: {} as Record<string, string>,
    };
    for (const field of model.fields) {
      if (field.kind === 'object') {
        if (field.relationFromFields?.length) {
          const target = models.get(field.type)!;
          const cols = field.relationFromFields.map((c) => columnOf(model, c));
          table.foreignKeys[`${tableOf(model)}_${cols.join('_')}_fkey`] =
            `(${cols.join(',')}) -> ${tableOf(target)}(${field.relationToFields!.map((c) => columnOf(target, c)).join(',')})`;
        }
        continue;
      }
      const type = field.kind === 'enum' ? enumName(field.type) : SCALAR_TYPES[field.type];
      const isNow = (field.default as { name?: string } | undefined)?.name === 'now';
      table.columns[field.dbName ?? field.name] =
        `${type}${field.isList ? '[]' : ''} ${field.isRequired ? 'not null' : 'null'}${field.hasDefaultValue ? (isNow ? ' default now' : ' default') : ''}`;
    }
    shape.tables[tableOf(model)] = table;
  }
  for (const index of dmmf.datamodel.indexes) {
    const model = models.get(index.model)!;
    const cols = index.fields.map((f) => columnOf(model, f.name));
    const table = tableOf(model);
    const name =
      index.dbName ?? (index.type === 'id' ? `${table}_pkey` : `${table}_${cols.join('_')}_${index.type === 'normal' ? 'idx' : 'key'}`);
    shape.tables[table]!.indexes[name] =
      `${index.type === 'id' ? 'primary' : index.type === 'unique' ? 'unique' : 'index'}(${cols.join(',')})`;
  }
  return shape;
}

async function actualShape(db: Database): Promise<Shape> {
  const shape: Shape = { enums: {}, tables: {} };
  const enums = await db.sql.query<{ name: string; value: string }>(
    `SELECT t.typname AS name, e.enumlabel AS value FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
     JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' ORDER BY t.typname, e.enumsortorder`,
  );
  for (const { name, value } of enums) (shape.enums[name] ??= []).push(value);
  const columns = await db.sql.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    udt_name: string;
    is_nullable: string;
    column_default: string | null;
    datetime_precision: number | null;
  }>(
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, datetime_precision
     FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
  );
  const table = (name: string) => (shape.tables[name] ??= { columns: {}, indexes: {}, foreignKeys: {} });
  for (const c of columns) {
    let type = c.data_type;
    if (type === 'USER-DEFINED') type = c.udt_name;
    else if (type === 'ARRAY') type = `${c.udt_name.replace(/^_/, '')}[]`;
    else if (type === 'timestamp without time zone') type = `timestamp(${c.datetime_precision})`;
    const def = c.column_default === null ? '' : /CURRENT_TIMESTAMP|now\(\)/i.test(c.column_default) ? ' default now' : ' default';
    table(c.table_name).columns[c.column_name] = `${type} ${c.is_nullable === 'NO' ? 'not null' : 'null'}${def}`;
  }
  const indexes = await db.sql.query<{ table_name: string; index_name: string; is_unique: boolean; is_primary: boolean; columns: string }>(
    `SELECT t.relname AS table_name, i.relname AS index_name, ix.indisunique AS is_unique, ix.indisprimary AS is_primary,
            string_agg(a.attname, ',' ORDER BY k.ord) AS columns
     FROM pg_index ix
     JOIN pg_class i ON i.oid = ix.indexrelid
     JOIN pg_class t ON t.oid = ix.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
     WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'
     GROUP BY t.relname, i.relname, ix.indisunique, ix.indisprimary`,
  );
  for (const ix of indexes) {
    table(ix.table_name).indexes[ix.index_name] = `${ix.is_primary ? 'primary' : ix.is_unique ? 'unique' : 'index'}(${ix.columns})`;
  }
  const fks = await db.sql.query<{ table_name: string; name: string; columns: string; target: string; target_columns: string }>(
    `SELECT c.conrelid::regclass::text AS table_name, c.conname AS name,
            (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns,
            c.confrelid::regclass::text AS target,
            (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS target_columns
     FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
     WHERE c.contype = 'f' AND n.nspname = 'public'`,
  );
  for (const fk of fks) {
    const unquote = (s: string) => s.replace(/"/g, '');
    table(unquote(fk.table_name)).foreignKeys[fk.name] = `(${fk.columns}) -> ${unquote(fk.target)}(${fk.target_columns})`;
  }
  return shape;
}

const resources: Array<() => Promise<void>> = [];
afterAll(async () => {
  while (resources.length) await resources.pop()!();
});

describe('schema.prisma and prisma/migrations', () => {
  it('describe the same database (PGlite)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'drift-'));
    const db = await openDatabase({ kind: 'pglite', dataDir: dir });
    resources.push(async () => {
      await db.close();
      await fs.rm(dir, { recursive: true, force: true });
    });
    await migrate(db.sql);
    expect(await actualShape(db)).toEqual(await expectedShape());
  });

  it.skipIf(!postgresUp)('describe the same database (PostgreSQL)', async () => {
    const database: TestDatabase = await createTestDatabase();
    const db = await openDatabase({ kind: 'postgres', url: database.url, poolSize: 2 });
    resources.push(async () => {
      await db.close();
      await database.drop();
    });
    await migrate(db.sql);
    expect(await actualShape(db)).toEqual(await expectedShape());
  });

  it('would notice a column the migrations lack', async () => {
    const expected = await expectedShape();
    const tampered = structuredClone(expected);
    delete tampered.tables.orders!.columns.ip;
    expect(tampered).not.toEqual(expected);
  });
});
