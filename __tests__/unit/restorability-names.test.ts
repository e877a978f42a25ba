/**
 * The names a LANGUAGE sql body uses without a schema, read from its text alone (restorability.ts
 * bodyNames): the backup's check asks only the catalog about them, running nothing of the
 * database (attacker a82 F1). What SQL's grammar writes like a call or a FROM is not a name.
 */
import { describe, expect, it } from '@jest/globals'
import { bodyNames } from '../../src/postgres/restorability.js'

describe('bodyNames', () => {
  it.each([
    ['SELECT EXISTS (SELECT 1 FROM skus WHERE code = $1)', ['skus'], []],
    ['SELECT 1 FROM public.skus s JOIN app.lines l ON l.id = s.id', [], []],
    ['SELECT 1 FROM a, b AS bb, c WHERE a.x = b.x', ['a', 'b', 'c'], []],
    ['INSERT INTO audit (at, what) VALUES (now(), $1)', ['audit'], ['now']],
    ['UPDATE counters SET n = n + 1 WHERE k = $1', ['counters'], []],
    ['DELETE FROM "Queue" WHERE id = $1', ['Queue'], []],
    ['SELECT mod_two($1) = 0', [], ['mod_two']],
    ['SELECT public.mod_two($1), "Odd"($1)', [], ['Odd']],
    // SQL's grammar: no table, no function
    ["SELECT extract(year FROM $1), substring($2 FROM 2), trim(both ' ' FROM $2)", [], []],
    ['SELECT $1 IS DISTINCT FROM $2, coalesce($1, 0), nullif($1, 2), greatest(1, 2)', [], []],
    ['SELECT $1::numeric(10, 2), CAST($1 AS varchar(3)), EXISTS (SELECT 1)', [], []],
    ['SELECT count(*) FROM generate_series(1, $1) g', [], ['count', 'generate_series']],
    // a common table expression's name is no relation of the database
    ['WITH recent AS (SELECT 1 AS x) SELECT x FROM recent', [], []],
    ['WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT n FROM t', [], []],
    // quotes, dollar quotes and comments as PostgreSQL reads them
    ["SELECT 'FROM fake' || $x$ FROM fake2 $x$ -- FROM fake3\n FROM real", ['real'], []],
    ['SELECT 1 FOR UPDATE', [], []],
    ["SELECT $1 ILIKE ('%' || $2) AND $1 SIMILAR TO ('a%') OFFSET (1)", [], []],
    ['SELECT localtimestamp(3), current_timestamp(0)', [], []],
    ['INSERT INTO t VALUES (1) ON CONFLICT DO UPDATE SET v = 2', ['t'], []]
  ])('%s', (body, relations, functions) => {
    const named = bodyNames(body)
    expect(named.relations.sort()).toEqual([...relations].sort())
    expect(named.functions.sort()).toEqual([...functions].sort())
  })

  // what a CHECK's function reads (the check of pg_dump's data order): with or without a schema
  it.each([
    [
      'SELECT 1 FROM public.skus s JOIN app.lines l ON l.id = s.id',
      [
        ['public', 'skus'],
        ['app', 'lines']
      ]
    ],
    [
      'SELECT 1 FROM a, b AS bb, app.c WHERE a.x = b.x',
      [
        ['', 'a'],
        ['', 'b'],
        ['app', 'c']
      ]
    ],
    ['SELECT EXISTS (SELECT 1 FROM ONLY limits WHERE n < $1)', [['', 'limits']]],
    // not read: what is written, a common table expression, a function in FROM, grammar
    ['INSERT INTO audit SELECT * FROM staging', [['', 'staging']]],
    ['WITH recent AS (SELECT 1 AS x) SELECT x FROM recent', []],
    ['SELECT n FROM app.numbers($1) n, generate_series(1, 2) g', []],
    ['SELECT $1 IS DISTINCT FROM limits, extract(year FROM $2)', []]
  ])('reads: %s', (body, reads) => {
    expect(bodyNames(body).reads).toEqual(reads)
  })
})
