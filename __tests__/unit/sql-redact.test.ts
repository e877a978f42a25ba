/**
 * The one redaction every quoted statement or line of a backup passes (sql-redact.ts): the
 * secret never appears, the rest of the statement still names what it is.
 */
import { describe, expect, it } from '@jest/globals'
import { quoteSql, redactSql } from '../../src/postgres/sql-redact.js'

describe('redactSql', () => {
  it.each([
    ["CREATE ROLE webuser WITH LOGIN PASSWORD 'Pl41n-S3cret-pw';", 'Pl41n-S3cret-pw'],
    ["ALTER ROLE ghost_user WITH PASSWORD 'Pl41n-Tw0-secret';", 'Pl41n-Tw0-secret'],
    ["CREATE USER lk5u PASSWORD 'Pl41n-Thr33' IN ROLE nonexistent_role;", 'Pl41n-Thr33'],
    ["CREATE ROLE a ENCRYPTED PASSWORD 'it''s-Qu0ted';", "it''s-Qu0ted"],
    ["ALTER USER a PASSWORD E'esc\\'aped-S3cr';", 'aped-S3cr'],
    ['ALTER ROLE a PASSWORD $pw$D0llar-S3cr$pw$;', 'D0llar-S3cr'],
    ["alter role a password   U&'Un1c0de-S3cr';", 'Un1c0de-S3cr'],
    [
      "ALTER ROLE mover WITH LOGIN PASSWORD 'SCRAM-SHA-256$4096:hs8x/nDXFLothX4S19jwEg==$OiNm7B+UfyeU3v5mCK+ddPMjOcsd4tJgWWhMFX2pJ0M=:hZWY06GP3MBPeuOkVUjcqq3IGINKnixdaRtsYBP+MjA=';",
      'hs8x/nDXFLothX4S19jwEg'
    ],
    [
      "CREATE USER MAPPING FOR app SERVER remote OPTIONS (\"user\" 'app', password 'Fdw-S3cret');",
      'Fdw-S3cret'
    ],
    ['ALTER USER MAPPING FOR app SERVER remote OPTIONS (SET "password" \'Fdw-Tw0\');', 'Fdw-Tw0'],
    [
      "CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'h', sslpassword 'Ssl-K3y-pw', passfile '/home/u/.pgpass-x');",
      'Ssl-K3y-pw'
    ],
    [
      "CREATE SUBSCRIPTION sub CONNECTION 'host=db port=5432 user=rep password=Sub-S3cret dbname=app' PUBLICATION p;",
      'Sub-S3cret'
    ],
    [
      "SELECT dblink_connect('conn', 'postgresql://rep:Dbl1nk-S3cret@db.example.com/app');",
      'Dbl1nk-S3cret'
    ],
    ["SELECT dblink_connect('hostaddr=127.0.0.1 password = Dbl1nk-Tw0');", 'Dbl1nk-Tw0'],
    ["DO $$ BEGIN EXECUTE 'ALTER ROLE nobody_x PASSWORD ''Pl41n-F0ur'''; END $$;", 'Pl41n-F0ur'],
    ["ALTER ROLE app SET my.api_key = 'sk_live_T0pS3cretKey';", 'sk_live_T0pS3cretKey'],
    // a10 #6: a comment between the word and the literal, a literal continued on the next line
    ["CREATE ROLE c LOGIN PASSWORD /* c */ 'S3cr3tI';", 'S3cr3tI'],
    ["CREATE ROLE c LOGIN PASSWORD -- c\n'S3cr3tM';", 'S3cr3tM'],
    ["CREATE ROLE c LOGIN PASSWORD /* it's */ 'S3cr3tQ';", 'S3cr3tQ'],
    ["CREATE ROLE c LOGIN PASSWORD 'S3cr3t'\n  'Tail13';", 'Tail13'],
    ["CREATE ROLE c LOGIN PASSWORD 'S3cr3t' -- c\n'Tail14';", 'Tail14'],
    ["ALTER DATABASE app SET app.token TO 'T0ken-Value';", 'T0ken-Value'],
    // a statement cut short inside the literal, a continuation line, a \connect argument
    ["CREATE ROLE a PASSWORD 'Cut-Sh0rt-secr", 'Cut-Sh0rt-secr'],
    ['\\connect "dbname=app password=C0nnect-S3cr"', 'C0nnect-S3cr'],
    ["ALTER ROLE a PASSWORD 'md5a1b2c3d4e5f60718293a4b5c6d7e8f90';", 'a1b2c3d4e5f6'],
    // attacker a26 A2: settings named like a key, whatever comes before "key"
    ["SET encryption_key = 'LEAK07d';", 'LEAK07d'],
    ["SET signing_key = 'LEAK21b';", 'LEAK21b'],
    ["SET hmac_key TO 'LEAK21e';", 'LEAK21e'],
    [`SET "api-key" = 'LEAK21c';`, 'LEAK21c'],
    ["ALTER DATABASE postgres SET app.encryption_key = 'LEAK08f';", 'LEAK08f'],
    ["ALTER DATABASE tgt2 SET app.signing_keys TO 'LEAK16q';", 'LEAK16q'],
    ["SELECT dblink_connect('driver=x;PWD=LEAK17p');", 'LEAK17p'],
    // A3: comments nest as the server reads them
    ["CREATE ROLE leak20 LOGIN PASSWORD /* /* */ 'decoy' */ 'LEAK20real';", 'LEAK20real'],
    ["SET api_key = /* /* */ 'decoy' */ 'LEAK21real';", 'LEAK21real'],
    ["CREATE ROLE n PASSWORD /* a /* b /* c */ */ 'x' */ 'LEAK22deep';", 'LEAK22deep'],
    // A4: standard_conforming_strings off (a backslash escapes the quote), a URI's password
    // holding a quote
    ["CREATE ROLE leak4 PASSWORD 'ab\\'LEAK04 zz';", 'LEAK04'],
    ["ALTER DATABASE postgres SET app.x = 'ab\\'LEAK15o zz password';", 'LEAK15o'],
    ["SET upstream = 'postgresql://rep:ab''LEAK21d@10.0.0.1/db';", 'LEAK21d'],
    ["SELECT 1 WHERE 'conn' = 'postgresql://rep:ab''LEAK23d@10.0.0.1/db';", 'LEAK23d'],
    // a27 A1: a quote inside a double-quoted name opens no literal
    [
      `ALTER ROLE "o'brien" WITH LOGIN PASSWORD 'SCRAM-SHA-256$4096:LEAKSALT==$LEAKSTORED=:LEAKSERVER=';`,
      'LEAKSTORED'
    ],
    [`ALTER ROLE "x""'" PASSWORD 'LEAK18';`, 'LEAK18'],
    [`CREATE USER MAPPING FOR "x'" SERVER s OPTIONS (SET password 'hunter2leak');`, 'hunter2leak'],
    // a27 A3: a value without quotes, or in double quotes, after a secret's name
    ['SET api_key = sk_live_LEAK40;', 'LEAK40'],
    ['SET api_key = "LEAK41";', 'LEAK41'],
    ['ALTER ROLE app SET app.api_key = LEAK42;', 'LEAK42'],
    ['ALTER DATABASE tgt SET app.secret_token TO LEAK43;', 'LEAK43'],
    ['SET my.password=LEAK44x;', 'LEAK44x'],
    // a28 A5: the secret word anywhere in a dotted name
    ["ALTER DATABASE target SET app.password.hash TO 'LeakFe';", 'LeakFe'],
    ['ALTER ROLE app SET app.secret.value TO "LeakFa";', 'LeakFa'],
    ['ALTER ROLE nosuch SET app.password.hash TO LeakFc;', 'LeakFc'],
    // a29 A3: a value after a name literal, escapes that spell the word, joined literals, a
    // function's body, token shapes
    ["SELECT set_config('app.api_key', 'LeakA1x', false);", 'LeakA1x'],
    ["SELECT pg_catalog.set_config('my.signing_key' , 'LeakA1y', true);", 'LeakA1y'],
    ["INSERT INTO settings (name, value) VALUES ('stripe_api_key','LeakA27');", 'LeakA27'],
    ["SELECT U&'p\\0061ssword=LeakA9 host=x';", 'LeakA9'],
    ["SELECT E'pass\\x77ord=LeakA10';", 'LeakA10'],
    ["SELECT E'pass\\167ord=LeakA10o';", 'LeakA10o'],
    ["SELECT 'host=x user=y pass' || 'word=LeakA12';", 'LeakA12'],
    ["DO $$DECLARE api_key text := 'LeakA36'; BEGIN END$$;", 'LeakA36'],
    [
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $fn$ BEGIN PERFORM set_config('app.token', 'LeakB2', false); END $fn$;",
      'LeakB2'
    ],
    [`COPY (SELECT 1) TO PROGRAM 'curl -H "Authorization: Bearer LeakA4" https://x';`, 'LeakA4'],
    ["SELECT http_get('https://api', 'ghp_0123456789abcdefghijABCDEFGHIJ');", 'ghp_0123456789'],
    ["INSERT INTO k VALUES ('AKIAABCDEFGHIJKLMNOP');", 'AKIAABCDEFGHIJKLMNOP'],
    // a U& literal whose escapes spell the secret word (attacker a55 F7)
    ["SELECT f(u&'p\\0061ssword=LeakU7 x');", 'LeakU7'],
    ["SELECT f(U&'\\+000070assw\\006Frd LeakU8');", 'LeakU8']
  ])('%s: the secret is gone', (statement, secret) => {
    const shown = redactSql(statement)
    expect(shown).not.toContain(secret)
    expect(shown).toContain('…')
    expect(quoteSql(statement, 80)).not.toContain(secret)
  })

  it('keeps what names the statement, and literals that hold no secret', () => {
    expect(redactSql("CREATE ROLE webuser WITH LOGIN PASSWORD 'x';")).toBe(
      "CREATE ROLE webuser WITH LOGIN PASSWORD '…';"
    )
    expect(
      redactSql("CREATE SERVER s FOREIGN DATA WRAPPER f OPTIONS (host 'db', password 'p');")
    ).toBe("CREATE SERVER s FOREIGN DATA WRAPPER f OPTIONS (host 'db', password '…');")
    expect(redactSql("SET client_encoding = 'LATIN1';")).toBe("SET client_encoding = 'LATIN1';")
    expect(redactSql("INSERT INTO t VALUES ('it''s', E'a\\'b');")).toBe(
      "INSERT INTO t VALUES ('it''s', E'a\\'b');"
    )
    expect(redactSql('ALTER ROLE a PASSWORD NULL;')).toBe('ALTER ROLE a PASSWORD NULL;')
    expect(redactSql(`ALTER ROLE "o'brien" WITH LOGIN PASSWORD 'x';`)).toBe(
      `ALTER ROLE "o'brien" WITH LOGIN PASSWORD '…';`
    )
    expect(redactSql('SET search_path = sales, public;')).toBe('SET search_path = sales, public;')
    expect(redactSql('SET api_key = sk_live_x;')).toBe('SET api_key = …;')
    // a prefixed literal after a secret's name is a literal: only its inside goes, the statement
    // stays whole (attacker a55 F7: a trigger's WHEN clause swallowed the rest of its CREATE)
    expect(
      redactSql(
        "CREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW WHEN (NEW.token = U&'t\\0061k-1') EXECUTE FUNCTION f();"
      )
    ).toBe(
      "CREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW WHEN (NEW.token = U&'…') EXECUTE FUNCTION f();"
    )
    for (const prefix of ['E', 'e', 'N', 'u&', 'X', 'B'])
      expect(redactSql(`SET my.api_key = ${prefix}'L3ak-${prefix}'; SELECT 1;`)).toBe(
        `SET my.api_key = ${prefix}'…'; SELECT 1;`
      )
    // read both ways only where a backslash stands before a quote: the rest of the line stays
    expect(redactSql("INSERT INTO t VALUES ('a\\', 'b');")).toBe(
      "INSERT INTO t VALUES ('a\\', 'b');"
    )
    expect(redactSql("OPTIONS (x 'a\\', password 'S3cret')")).not.toContain('S3cret')
    // a name holding a secret word is a name (trial u15 F3: Supabase's auth.refresh_tokens)
    for (const statement of [
      "SELECT pg_catalog.setval('auth.refresh_tokens_id_seq', 42, true);",
      "ALTER TABLE ONLY auth.refresh_tokens ALTER COLUMN id SET DEFAULT nextval('auth.refresh_tokens_id_seq'::regclass);",
      `SELECT pg_catalog.setval('vault."Secret_Keys_id_seq"', 3, true);`,
      "SELECT pg_catalog.setval('public.password_resets_id_seq', 1, false);"
    ])
      expect(redactSql(statement)).toBe(statement)
    // a29 A3's shapes that hold no secret stay as they are
    for (const statement of [
      "SELECT set_config('search_path', 'public', false);",
      "INSERT INTO settings (name, value) VALUES ('theme','dark');",
      "SELECT 'a' || 'b';",
      "DO $$DECLARE n text := 'hello'; BEGIN RAISE NOTICE '%', n; END$$;",
      "SELECT E'line\\nbreak';"
    ])
      expect(redactSql(statement)).toBe(statement)
    // …but not a value that merely has a dot: unqualified words, spaces, key=value stay secret
    for (const [statement, secret] of [
      ["SELECT set_config('app.settings', 'token abc.def', false);", 'abc.def'],
      ["INSERT INTO t VALUES ('secret_value');", 'secret_value'],
      ["SELECT dblink_connect('password=abc.def');", 'abc.def']
    ])
      expect(redactSql(statement)).not.toContain(secret)
  })

  it('quoteSql: one line, at most max characters, redacted before it is cut', () => {
    const long = `CREATE ROLE r WITH LOGIN PASSWORD '${'S3cr'.repeat(100)}';`
    const shown = quoteSql(long, 60)
    expect(shown).not.toContain('S3cr')
    expect(quoteSql('SELECT\n  1,\n  2;', 80)).toBe('SELECT 1, 2;')
    expect(quoteSql(`SELECT ${'x, '.repeat(100)}1;`, 50)).toHaveLength(50)
  })
})

describe('every quoting site goes through it', () => {
  it('a hazard of a plain script (a DO block, dblink) names the statement without the password', async () => {
    const { PlainDumpObjects } = await import('../../src/postgres/plain-sql.js')
    const { Readable, Writable } = await import('node:stream')
    const { pipeline } = await import('node:stream/promises')
    const objects = new PlainDumpObjects()
    const gate = objects.scanner({ psqlMajor: 18, transaction: true })
    // the dblink call is refused (it acts outside the restore's transaction): its error too
    const refused = (await pipeline(
      Readable.from([
        Buffer.from(
          "CREATE TABLE public.t (a int);\nDO $$ BEGIN EXECUTE 'ALTER ROLE r PASSWORD ''Hz-Tw0'''; END $$;\nSELECT dblink_connect('host=db user=u password=Hz-S3cret');\n"
        )
      ]),
      gate,
      new Writable({ write: (_c, _e, cb) => cb() })
    ).then(
      () => undefined,
      (error: Error) => error
    )) as Error | undefined
    expect(refused?.message).toMatch(/dblink_connect/)
    expect(refused?.message).not.toMatch(/Hz-S3cret|Hz-Tw0/)
    const shown = JSON.stringify(objects)
    expect(shown).toMatch(/a DO block runs code/)
    expect(shown).not.toMatch(/Hz-S3cret|Hz-Tw0/)
  })
})

describe("a server's message passes unchanged", () => {
  it.each([
    'FATAL:  password authentication failed for user "app"',
    'HINT:  No function matches the given name and argument types.'
  ])('%s', text => {
    expect(redactSql(text)).toBe(text)
  })
})
