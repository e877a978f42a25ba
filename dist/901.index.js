export const id = 901;
export const ids = [901];
export const modules = {

/***/ 83901:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  verify: () => (/* binding */ verify)
});

// UNUSED EXPORTS: VerifyError, databaseIdentity, heldBefore, otherTables, sameDatabase

// EXTERNAL MODULE: ./src/log.ts
var log = __webpack_require__(25625);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
// EXTERNAL MODULE: ./src/postgres/connection.ts
var connection = __webpack_require__(58824);
// EXTERNAL MODULE: ./src/postgres/session.ts
var postgres_session = __webpack_require__(92515);
// EXTERNAL MODULE: ./src/duration.ts
var duration = __webpack_require__(77607);
// EXTERNAL MODULE: ./src/modes/check.ts
var check = __webpack_require__(66668);
// EXTERNAL MODULE: ./src/modes/restore.ts + 18 modules
var restore = __webpack_require__(65406);
// EXTERNAL MODULE: ./src/pipeline/decode.ts
var decode = __webpack_require__(7698);
// EXTERNAL MODULE: ./src/postgres/clients.ts + 1 modules
var clients = __webpack_require__(18139);
// EXTERNAL MODULE: ./src/postgres/dump.ts
var dump = __webpack_require__(8677);
// EXTERNAL MODULE: ./src/postgres/toc.ts
var toc = __webpack_require__(60521);
// EXTERNAL MODULE: ./src/postgres/archive.ts
var archive = __webpack_require__(29477);
// EXTERNAL MODULE: ./src/postgres/output-settings.ts
var output_settings = __webpack_require__(57578);
// EXTERNAL MODULE: ./src/postgres/identity.ts
var identity = __webpack_require__(54837);
// EXTERNAL MODULE: ./src/postgres/compare.ts
var compare = __webpack_require__(82996);
;// CONCATENATED MODULE: ./src/postgres/compare-split.ts

/**
 * Table data (pg_table_size) the second pg_dump must take for the split to be made: below that,
 * one pg_dump (a second one's start, its reading of the catalogs, costs more than it saves).
 */
const SPLIT_MIN_BYTES = 64 * 1024 * 1024;
/** Most tables the second pg_dump takes (each one a --table pattern on its command line). */
const SPLIT_MAX_TABLES = 64;
const keyOf = (schema, name) => JSON.stringify([schema ?? '', name]);
/**
 * The tables whose data the second pg_dump takes: largest first, each to the side with less so
 * far (the second pg_dump takes at most {@link SPLIT_MAX_TABLES}); none when its share would be
 * under `minBytes`.
 */
function balanceTables(tables, minBytes) {
    const sorted = [...tables].sort((a, b) => b.bytes - a.bytes ||
        (a.schema < b.schema ? -1 : a.schema > b.schema ? 1 : a.name < b.name ? -1 : 1));
    let first = 0;
    let second = 0;
    const taken = [];
    for (const t of sorted) {
        if (second <= first && taken.length < SPLIT_MAX_TABLES) {
            second += t.bytes;
            taken.push({ schema: t.schema, name: t.name });
        }
        else
            first += t.bytes;
    }
    return second >= minBytes && second > 0 ? taken : [];
}
/**
 * The scratch database's tables that the second pg_dump may take, with their sizes: ordinary
 * tables (partitions among them; not a partitioned parent, which has no data of its own, nor a
 * foreign table, nor an extension's member), whose data the backup holds (a TABLE DATA entry of
 * the same schema and name), and whose names are printable ASCII (a --table pattern reaches the
 * server in the dump's client encoding).
 */
async function splittableTables(client, backupToc) {
    const inBackup = new Set(backupToc.entries.filter(e => e.desc === 'TABLE DATA').map(e => keyOf(e.namespace, e.tag)));
    const { rows } = await client.query(`SELECT n.nspname AS schema, c.relname AS name, pg_catalog.pg_table_size(c.oid)::text AS bytes
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND c.relpersistence <> 't'
        AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                         WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                           AND d.objid = c.oid AND d.deptype = 'e')`);
    return rows
        .filter(r => inBackup.has(keyOf(r.schema, r.name)))
        .filter(r => /^[\x20-\x7e]*$/.test(r.schema) && /^[\x20-\x7e]*$/.test(r.name))
        .map(r => ({ schema: r.schema, name: r.name, bytes: Number(r.bytes) }));
}
/** A pg_dump pattern that matches exactly this table (double quotes: nothing is a wildcard). */
function tablePattern(t) {
    const quoted = (id) => `"${id.replace(/"/g, '""')}"`;
    return `${quoted(t.schema)}.${quoted(t.name)}`;
}
/** The arguments of the two pg_dumps (after the options both take). */
function splitDumpArgs(tables) {
    return {
        main: tables.map(t => `--exclude-table-data=${tablePattern(t)}`),
        data: ['--data-only', ...tables.map(t => `--table=${tablePattern(t)}`)]
    };
}
/**
 * The digest a single pg_dump would have given, of `main` (everything, with --exclude-table-data
 * for `tables`) and `data` (--data-only of `tables`): main's entries and blocks, with the TABLE
 * DATA entries of `tables` and their blocks from `data`, under dumpIds past main's (their
 * dependencies, ids of `data`, are dropped). What else `data` holds (its session entries, the
 * SEQUENCE SET of its tables' sequences) main holds too.
 *
 * @throws ArchiveCompareError when the dumps did not split the data so: main wrote data of one
 *   of `tables`, `data` none for one of them, or data of another table.
 */
function mergeSplitDigests(main, data, tables) {
    if (main.by !== data.by)
        throw new Error('digests made by blocks and by rows do not merge');
    const wanted = new Set(tables.map(t => keyOf(t.schema, t.name)));
    const name = (e) => `${e.namespace ? `${e.namespace}.` : ''}${e.tag}`;
    let next = 1;
    for (const e of main.toc.entries) {
        next = Math.max(next, e.dumpId + 1);
        if (e.desc === 'TABLE DATA' && wanted.has(keyOf(e.namespace, e.tag))) {
            throw new compare/* ArchiveCompareError */.Ov(`the dump of the scratch database without the data of ${tables.length} tables wrote the data of ${name(e)}`);
        }
    }
    const entries = [...main.toc.entries];
    const blocks = new Map(main.blocks);
    const found = new Set();
    for (const e of data.toc.entries) {
        if (e.desc !== 'TABLE DATA')
            continue;
        const key = keyOf(e.namespace, e.tag);
        if (!wanted.has(key) || found.has(key)) {
            throw new compare/* ArchiveCompareError */.Ov(`the data-only dump of ${tables.length} tables of the scratch database wrote ${found.has(key) ? 'twice the data' : 'the data'} of ${name(e)}`);
        }
        found.add(key);
        const dumpId = next++;
        entries.push({ ...e, dumpId, dependencies: [] });
        const block = data.blocks.get(e.dumpId);
        if (block)
            blocks.set(dumpId, block);
    }
    const missing = tables.filter(t => !found.has(keyOf(t.schema, t.name)));
    if (missing.length > 0) {
        throw new compare/* ArchiveCompareError */.Ov(`the data-only dump of the scratch database wrote no data for ${missing.map(t => `${t.schema}.${t.name}`).join(', ')}`);
    }
    return { toc: { ...main.toc, entries }, blocks, by: main.by };
}

// EXTERNAL MODULE: ./src/storage/fifo.ts
var fifo = __webpack_require__(63727);
// EXTERNAL MODULE: ./src/process.ts
var process = __webpack_require__(34006);
;// CONCATENATED MODULE: ./src/modes/verify.ts



















class VerifyError extends errors/* CheckError */.tl {
    name = 'VerifyError';
    /** What was compared when verify failed on a difference: for the failure summary. */
    details;
}
/** The words a log line uses for each kind of object: singular, plural. */
const KIND_WORDS = {
    tables: ['table', 'tables'],
    views: ['view', 'views'],
    materializedViews: ['materialized view', 'materialized views'],
    sequences: ['sequence', 'sequences'],
    indexes: ['index', 'indexes'],
    functions: ['function', 'functions']
};
/** "2 tables", "1 materialized view". */
const counted = (n, kind) => (0,log/* plural */.LS)(n, KIND_WORDS[kind][0], KIND_WORDS[kind][1]);
const KINDS = [
    'tables',
    'views',
    'materializedViews',
    'sequences',
    'indexes',
    'functions'
];
/** The objects countObjects counts, each named (a cheap read of the catalogs). */
async function listCountedObjects(client) {
    const user = (alias, catalog) => `n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                         WHERE d.classid = '${catalog}'::pg_catalog.regclass
                           AND d.objid = ${alias}.oid AND d.deptype = 'e')`;
    const { rows } = await client.query(`SELECT CASE WHEN c.relkind IN ('r', 'p') THEN 'tables' WHEN c.relkind = 'v' THEN 'views'
                 WHEN c.relkind = 'm' THEN 'materializedViews' WHEN c.relkind = 'S' THEN 'sequences'
                 ELSE 'indexes' END AS kind,
            c.oid::text AS oid, n.nspname AS schema, c.relname AS name
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'I') AND ${user('c', 'pg_catalog.pg_class')}
     UNION ALL
     SELECT 'functions', p.oid::text, n.nspname, p.proname
       FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
      WHERE ${user('p', 'pg_catalog.pg_proc')}
      ORDER BY 3, 4`);
    return rows;
}
/** The archive entries whose objects countObjects counts, by kind. */
const TOC_KINDS = {
    TABLE: 'tables',
    VIEW: 'views',
    'MATERIALIZED VIEW': 'materializedViews',
    SEQUENCE: 'sequences',
    INDEX: 'indexes',
    FUNCTION: 'functions',
    PROCEDURE: 'functions',
    AGGREGATE: 'functions'
};
/**
 * The objects the scratch database had before the restore and still has (the same oid: not
 * dropped and made again), that the backup does not have by that name (its archive's entries;
 * an index also as a constraint's) \u2014 the database's own, which the manifest does not count.
 * Without the backup's table of contents (a plain script): none is known not to be the backup's.
 */
function heldBefore(before, after, backup) {
    if (!backup)
        return [];
    const names = new Set();
    const constraints = [];
    for (const e of backup.entries) {
        const kind = TOC_KINDS[e.desc];
        const name = kind === 'functions' ? e.tag.replace(/\(.*$/s, '') : e.tag;
        if (kind)
            names.add(JSON.stringify([kind, e.namespace ?? '', name]));
        if (e.desc === 'CONSTRAINT')
            constraints.push({ schema: e.namespace ?? '', tag: e.tag });
    }
    const was = new Set(before.map(o => `${o.kind} ${o.oid}`));
    return after.filter(o => was.has(`${o.kind} ${o.oid}`) &&
        !names.has(JSON.stringify([o.kind, o.schema, o.name])) &&
        !(o.kind === 'indexes' &&
            constraints.some(c => c.schema === o.schema && c.tag.endsWith(` ${o.name}`))));
}
/**
 * Why the restored copy holds more tables than the row counts compared ("12 tables" there, "All
 * 11 tables match" above): the others named, and those the scratch database had before the
 * restore said so. Undefined when every table was counted.
 */
function otherTables(all, counted, before) {
    const mine = new Set(counted.map(t => `${t.schema}.${t.name}`));
    const others = all.filter(t => !mine.has(t));
    if (others.length === 0)
        return undefined;
    const named = others
        .slice(0, 10)
        .map(t => (before.has(t) ? `${t} (there before the restore)` : t));
    return `Of the ${(0,log/* plural */.LS)(all.length, 'table')} in the restored copy, ${counted.length} ${counted.length === 1 ? 'is' : 'are'} the backup's tables whose rows were counted above; the other ${others.length} ${others.length === 1 ? 'is' : 'are'} not among them (a table without data in the backup, a partitioned parent, or the scratch database's own): ${named.join(', ')}${others.length > named.length ? `, and ${others.length - named.length} more` : ''}.`;
}
/**
 * Which database a connection reaches, as its server says: the cluster (pg_control_system()'s
 * system_identifier; where the role may not call it, the postmaster's start time and port) and
 * the database's oid and name. The URL's spelling (postgres:// or postgresql://, localhost or
 * 127.0.0.1, parameters, another user) does not enter into it.
 */
/** Whether two identities are one database of one running server (tests use it). */

/** The identity of the database at `connection` (a session of its own: postgres/identity.ts). */
async function databaseIdentity(connection, connectTimeoutSeconds) {
    const client = await (0,postgres_session.connect)(connection, connectTimeoutSeconds);
    try {
        return await (0,identity/* readDatabaseIdentity */.QE)(client);
    }
    finally {
        await client.end().catch(() => undefined);
    }
}
/**
 * Before anything is written: refuses a scratch database that the servers say is the database
 * backed up. The backed-up database must be reachable for the check (else a clear error: fix
 * database-url, or leave it empty in verify mode).
 */
async function refuseBackedUpDatabase(scratch, backedUp, inputs) {
    const scratchId = await databaseIdentity(scratch, inputs.connectTimeoutSeconds);
    let backedUpId;
    try {
        backedUpId = await databaseIdentity(backedUp, inputs.connectTimeoutSeconds);
    }
    catch (error) {
        // database-url's own (in verify, errors of 'databaseUrl' are the scratch database's)
        throw new errors/* SettingError */.L_('backedUpDatabaseUrl', `cannot be reached to make sure the scratch database is not it (${error.message}); verify wrote nothing. Fix it, or leave database-url empty in verify mode.`, { cause: error });
    }
    if ((0,identity/* sameDatabase */.KX)(scratchId, backedUpId)) {
        throw new errors/* SettingError */.L_('verifyDatabaseUrl', `is the database that was backed up (the server says so: ${scratchId.systemIdentifier ? `system identifier ${scratchId.systemIdentifier}` : `the server started at ${scratchId.startedAt} on port ${scratchId.port}`}, database '${scratchId.name}' oid ${scratchId.oid}), however the URLs are spelled. Verify restores into a scratch database, never into the one backed up; nothing was written.`);
    }
    log/* log */.Rm.info(`The scratch database '${scratchId.name}' (oid ${scratchId.oid}) is not the backed-up '${backedUpId.name}' (oid ${backedUpId.oid}${backedUpId.systemIdentifier && backedUpId.systemIdentifier !== scratchId.systemIdentifier ? ', another server' : ''}).`);
}
async function verify(inputs, scratch, deps = {}) {
    if (inputs.backedUpDatabaseUrl) {
        await log/* log */.Rm.group('Check that the scratch database is not the one backed up', () => refuseBackedUpDatabase(scratch, (0,connection/* parseDatabaseUrl */.mx)(inputs.backedUpDatabaseUrl), inputs));
    }
    // max-age: a stale backup fails before anything is downloaded or restored
    if (inputs.maxAgeSeconds !== undefined && (0,check/* checkable */.$)(inputs.source)) {
        await (0,check.check)({ mode: 'check', source: inputs.source, maxAgeSeconds: inputs.maxAgeSeconds });
    }
    // restore() checks the digest and the row counts against the manifest, and fails on any difference
    let equality = { notCompared: 'the restore did not get that far' };
    /** What the scratch database held before the restore, when recorded. */
    let held;
    let heldObjects = [];
    let backupToc;
    const restored = await (0,restore.restore)(inputs, scratch, {
        ...deps,
        scratch: true,
        beforeLoad: async (plan, client) => {
            await deps.beforeLoad?.(plan, client);
            backupToc = plan.tocRead?.toc;
            await log/* log */.Rm.group('Record what the scratch database holds before the restore', async () => {
                // on the restore's own session (one more would not fit a pool of two: attacker a63 F4)
                heldObjects = await listCountedObjects(client);
                const holds = heldObjects.length > 0 || (await holdsObjects(client));
                // verify's own: a later verify with clean may replace what this one restores. Only a
                // database that held nothing of its own gets the mark (attacker a98 F4: a database with
                // its own tables and comment was marked, and a later verify with clean dropped its rows)
                if (!holds) {
                    const unmarked = await (0,identity/* markScratch */.oi)(client);
                    if (unmarked)
                        log/* log */.Rm.info(unmarked);
                }
                else if (!(await (0,identity/* markedScratch */.rJ)(client)))
                    log/* log */.Rm.warning(`verify-database-url names a database that holds objects of its own (${heldObjects.length > 0
                        ? `${heldObjects
                            .slice(0, 3)
                            .map(o => (o.schema === '' ? o.name : `${o.schema}.${o.name}`))
                            .join(', ')}${heldObjects.length > 3 ? ` and ${heldObjects.length - 3} more` : ''}`
                        : 'extensions, functions or other objects'}) and that no verify marked as its scratch database: verify restores next to them and leaves the backup's objects there, and does not mark it (its comment stays), so a verify with clean: true into it is refused. Verify into an empty database made for it (CREATE DATABASE verify_scratch), never one that holds data.`);
                // a fresh scratch database (the usual case) has nothing to record: no pg_dump of it
                if (holds)
                    held = await recordBefore(inputs, scratch, plan, deps.tempRoot);
                else
                    log/* log */.Rm.info('The scratch database holds no objects of its own: nothing to record.');
            });
        },
        // the backup's data digested as the restore reads it (one read); proveEquality uses it
        digestBackup: inputs.tables.length === 0 && inputs.schemas.length === 0,
        afterLoad: async (loaded) => {
            await deps.afterLoad?.(loaded);
            await deps.beforeCompare?.();
            equality = await log/* log */.Rm.group('Compare the restored database with the backup', () => proveEquality(inputs, scratch, loaded, deps.tempRoot, deps.splitMinBytes ?? SPLIT_MIN_BYTES, held));
        }
    });
    const comparison = equality.comparison;
    if (comparison) {
        await log/* log */.Rm.group("Compare the materialized views' contents with their queries", async () => {
            const client = await (0,postgres_session.connect)(scratch, inputs.connectTimeoutSeconds);
            const before = comparison.differences.length;
            const skipped = await (0,compare/* compareMaterializedViewContents */.KG)(client, comparison).finally(() => client.end().catch(() => undefined));
            if (skipped.length > 0) {
                log/* log */.Rm.warning(`Materialized views not compared (their rows not checked against their queries, only their sources; not counted equal): ${skipped.join('; ')}.`);
            }
            log/* log */.Rm.info((0,compare/* materializedViewsHeadline */.Q1)(comparison));
            logDifferences(comparison.differences.slice(before));
        });
    }
    if (inputs.maxAgeSeconds !== undefined && !(0,check/* checkable */.$)(inputs.source) && restored.manifest) {
        const age = (Date.now() - Date.parse(restored.manifest.createdAt)) / 1000;
        if (!(age <= inputs.maxAgeSeconds)) {
            throw new check/* StaleBackupError */._(`the backup was made ${restored.manifest.createdAt}, ${(0,duration/* formatAge */.n)(age)} ago: older than max-age (${(0,duration/* formatAge */.n)(inputs.maxAgeSeconds)}).`);
        }
    }
    let tableNames = [];
    let own = [];
    const objects = await log/* log */.Rm.group('Compare schema objects', async () => {
        const client = await (0,postgres_session.connect)(scratch, inputs.connectTimeoutSeconds);
        try {
            const actual = await (0,postgres_session.countObjects)(client);
            const now = await listCountedObjects(client);
            tableNames = now.filter(o => o.kind === 'tables').map(o => `${o.schema}.${o.name}`);
            own = heldBefore(heldObjects, now, backupToc);
            const expected = restored.manifest?.objects;
            return KINDS.map(kind => {
                const before = own.filter(o => o.kind === kind).map(o => `${o.schema}.${o.name}`);
                return {
                    kind,
                    expected: expected?.[kind],
                    actual: actual[kind],
                    ...(before.length > 0 ? { before } : {})
                };
            });
        }
        finally {
            await client.end().catch(() => undefined);
        }
    });
    if (!restored.manifest) {
        log/* log */.Rm.warning('The backup has no manifest: only a successful restore was verified.');
    }
    else if (!restored.manifest.objects) {
        log/* log */.Rm.info('The manifest has no object counts (a filtered backup): objects were not compared.');
    }
    const backupsOwn = (o) => o.actual - (o.before?.length ?? 0);
    const different = objects.filter(o => o.expected !== undefined && o.expected !== backupsOwn(o));
    // one readable line ("2 tables", not "tables: 2", which the command line would read as its
    // --tables option; "materialized views", never the manifest's key)
    log/* log */.Rm.info(`The restored copy holds ${objects
        .map(o => `${counted(o.actual, o.kind)}${o.expected === undefined ? '' : ` (manifest ${o.expected}${o.before ? `; ${o.before.length} the scratch database's own` : ''})`}`)
        .join(', ')}.`);
    if (own.length > 0) {
        const names = own.slice(0, 10).map(o => `${o.schema}.${o.name}`);
        log/* log */.Rm.info(`${(0,log/* plural */.LS)(own.length, 'object')} of the restored copy ${own.length === 1 ? 'was' : 'were'} there before the restore and ${own.length === 1 ? 'is' : 'are'} not the backup's (differs, expected because the scratch database had ${own.length === 1 ? 'it' : 'them'}; not compared with the manifest): ${names.join(', ')}${own.length > names.length ? `, and ${own.length - names.length} more` : ''}.`);
    }
    const others = otherTables(tableNames, restored.tables, new Set(heldObjects.filter(o => o.kind === 'tables').map(o => `${o.schema}.${o.name}`)));
    if (others)
        log/* log */.Rm.info(others);
    const problems = [];
    if (different.length > 0) {
        problems.push(`the restored copy differs from the backup's manifest: ${different.map(o => `${counted(backupsOwn(o), o.kind)}${o.before ? ` (besides ${o.before.length} the scratch database had before the restore)` : ''}, the manifest says ${o.expected}`).join('; ')}`);
    }
    const unexplained = equality.comparison?.differences.filter(d => !d.expectedBecause) ?? [];
    if (unexplained.length > 0) {
        const shown = unexplained.slice(0, 10).map(d => `${d.object} ${d.what}`);
        // a backup made before the session's settings were recorded: its text may be another time
        // zone's (every timestamptz differs), not a loss of the restore's
        const unrecorded = restored.manifest !== undefined &&
            restored.manifest.database.session === undefined &&
            unexplained.some(d => d.object.startsWith('TABLE DATA ') || / definition: /.test(` ${d.what}`))
            ? `. This backup records none of the session settings its pg_dump ran with (it was made before the action recorded them): if the backed-up database runs in another TimeZone or bytea_output than the scratch database, its equal rows and definitions read otherwise there \u2014 set the scratch database's (ALTER DATABASE \u2026 SET timezone = '\u2026') and verify again, or verify a newer backup`
            : '';
        problems.push(`the restored database differs from the backup: ${shown.join('; ')}${unexplained.length > shown.length ? `; and ${unexplained.length - shown.length} more (see the log)` : ''}${unrecorded}`);
    }
    if (problems.length > 0) {
        const error = new VerifyError(`${problems.join('. ')}.`);
        error.details = { objects, equality };
        throw error;
    }
    return { ...restored, objects, equality };
}
/**
 * Dumps the scratch database with the pg_dump major that made the backup (custom format,
 * uncompressed, in the backup's encoding; with enough table data, by two pg_dumps at once, their
 * digests merged into one: compare-split.ts) and compares the two archives entry by entry and data
 * block by data block. Returns why not, instead, where an exact comparison cannot be made.
 */
async function proveEquality(inputs, scratch, loaded, tempRoot, splitMinBytes, held) {
    const { dump, plan } = loaded;
    if ('directory' in dump || plan.format !== 'custom') {
        return notCompared(`a ${plan.format} backup: only custom-format archives are compared entry by entry; counts only`);
    }
    if (inputs.tables.length > 0 || inputs.schemas.length > 0) {
        return notCompared('a partial restore (tables/schemas): counts only');
    }
    // the header first (only the archive's start is decoded, unless the load digested it all):
    // which pg_dump, which encoding
    const head = loaded.backupDigest?.toc ??
        (await (0,toc/* readArchiveToc */.ZA)((0,decode/* openDecoded */.BA)(dump, plan.decoding), { destroy: true })).toc;
    if (head.header.compression.algorithm !== 'none') {
        // an archive of pg_dump -Fc with its own compression (a file made by hand): restorable,
        // but its data blocks are not read here
        return notCompared(`the archive's data is compressed by pg_dump (${head.header.compression.algorithm}); only archives of pg_dump --compress=0 are compared (the action's backup writes one; by hand: pg_dump -Fc -Z0, compressed outside, e.g. | zstd): counts only`);
    }
    const backupMajor = (0,archive/* majorOfVersion */.RI)(head.header.pgDumpVersion ?? '');
    const client = await (0,postgres_session.connect)(scratch, inputs.connectTimeoutSeconds);
    let server;
    let split;
    let splitBytes = 0;
    /** PGOPTIONS words: the backed-up session's settings pg_dump's text depends on. */
    let sessionOptions;
    try {
        const { rows } = await client.query("SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n");
        // the scratch database dumped with the settings the backup's pg_dump ran with (its time zone:
        // attacker a50 F1, every timestamptz differed), those the scratch server takes
        const settings = await (0,output_settings/* outputOptions */.I6)(client, loaded.manifest?.database.session);
        sessionOptions = settings.options;
        if (settings.names.length > 0)
            log/* log */.Rm.info(`The scratch database is dumped with the settings the backup's pg_dump ran with: ${settings.names.join(', ')}.`);
        server = { version: rows[0].v, major: Math.floor(Number(rows[0].n) / 10000) };
        const tables = await splittableTables(client, head);
        split = balanceTables(tables, splitMinBytes);
        const chosen = new Set(split.map(t => `${t.schema}.${t.name}`));
        for (const t of tables)
            if (chosen.has(`${t.schema}.${t.name}`))
                splitBytes += t.bytes;
    }
    finally {
        await client.end().catch(() => undefined);
    }
    if (backupMajor === undefined) {
        return notCompared('the archive does not say which pg_dump made it: counts only');
    }
    let install;
    /** The scratch server is newer than the backup's pg_dump: a newer pg_dump dumps it (moving day). */
    let newerDump;
    if (backupMajor < server.major) {
        // moving to a newer major (trial u19 F1): the scratch database dumped by a pg_dump that can
        // (the newest installed, or pg-bin-dir's); the data, sequence values and large objects are
        // compared exactly, the definitions it writes otherwise are listed as expected
        try {
            install = await (0,clients/* chooseDumpClient */.N8)(server.major, server.version, {
                pgBinDir: inputs.pgBinDir,
                installClient: inputs.installClient,
                warn: () => undefined
            });
            newerDump = install.major;
            log/* log */.Rm.info(`The backup was made by pg_dump ${backupMajor}, which cannot dump the scratch server (PostgreSQL ${server.version}): the scratch database is dumped by pg_dump ${install.major} (${(0,clients/* programPath */.kx)(install, 'pg_dump')}). Table data, sequence values and large objects are compared exactly; definitions and entries pg_dump ${install.major} writes otherwise than pg_dump ${backupMajor} are listed as expected.`);
        }
        catch (error) {
            const source = (0,archive/* majorOfVersion */.RI)(head.header.serverVersion ?? '');
            // said once: the client's own advice is an install's, not this choice (trial u32 F5: the
            // message repeated itself, nested in parentheses)
            const found = /found (pg_dump [^;]*?\))/.exec(error.message)?.[1];
            const pin = source !== undefined && source < server.major
                ? `; no pg_dump ${server.major} or newer is installed to dump it with${found ? ` (found ${found})` : ''}. Install one \u2014 pg-bin-dir: /usr/lib/postgresql/${server.major}/bin after apt-get install postgresql-client-${server.major}, or install-client: true \u2014 to compare exactly on this major, or pin the scratch server to your production major, PostgreSQL ${source} (services: postgres: image: postgres:${source})`
                : '';
            return notCompared(`the backup was made by pg_dump ${backupMajor}, which cannot dump the scratch server (PostgreSQL ${server.version}): counts only${pin}`);
        }
    }
    else {
        try {
            install = await (0,clients/* chooseDumpClient */.N8)(server.major, server.version, {
                pgBinDir: inputs.pgBinDir,
                postgresVersion: backupMajor,
                installClient: inputs.installClient
            });
        }
        catch (error) {
            return notCompared(`no pg_dump ${backupMajor} (the major that made the backup) to dump the scratch database with (${error.message}): counts only`);
        }
    }
    const args = ['--no-password', '--format=custom', '--compress=0'];
    if (head.encoding)
        args.push(`--encoding=${head.encoding}`);
    const { main: mainArgs, data: dataArgs } = splitDumpArgs(split);
    let dumpedApart = false;
    // the backup as the load digested it, or decoded again from disk while the scratch dump comes;
    // the scratch database by one pg_dump, or by two at once (see compare-split.ts)
    const digestBoth = async (by, taken) => {
        const stop = new AbortController();
        // one side failed: the others are stopped (and waited for: no pg_dump outlives the comparison)
        const failing = (promise) => promise.catch((error) => {
            stop.abort();
            throw error;
        });
        // two pg_dumps see one snapshot (one state of the database, as one pg_dump sees), exported
        // by a read-only transaction held open until both are done; none to be had: one pg_dump
        const session = split.length > 0 ? await (0,postgres_session.connect)(scratch, inputs.connectTimeoutSeconds) : undefined;
        const snapshot = session
            ? await postgres_session.SnapshotSession.open(session).catch(async (error) => {
                await session.end().catch(() => undefined);
                throw error;
            })
            : undefined;
        const apart = snapshot?.snapshotId !== undefined;
        const shared = apart ? [`--snapshot=${snapshot.snapshotId}`] : [];
        if (apart) {
            dumpedApart = true;
            log/* log */.Rm.info(`The scratch database is dumped by two pg_dumps at once (one snapshot): one the data of ${split.length === 1 ? `${split[0].schema}.${split[0].name}` : `${split.length} tables`} (${(splitBytes / 1024 / 1024).toFixed(1)} MB on disk), the other everything else; their digests are compared as one dump.`);
        }
        else if (snapshot) {
            log/* log */.Rm.info('No snapshot can be exported on the scratch server: one pg_dump of the scratch database.');
        }
        const scratchDump = (extra) => failing(digestScratch((0,clients/* programPath */.kx)(install, 'pg_dump'), [...args, ...shared, ...extra], scratch, inputs, by, { tempRoot, signal: stop.signal, sessionOptions }));
        let settled;
        try {
            settled = await Promise.allSettled([
                taken ?? failing((0,compare/* digestArchive */.bz)((0,decode/* openDecoded */.BA)(dump, plan.decoding), by)),
                scratchDump(apart ? mainArgs : []),
                ...(apart ? [scratchDump(dataArgs)] : [])
            ]);
        }
        finally {
            await snapshot?.close();
            await session?.end().catch(() => undefined);
        }
        const failed = settled.find(s => s.status === 'rejected');
        if (failed)
            throw failed.reason;
        const [backup, main, data] = settled.map(s => s.value);
        return [backup, data ? mergeSplitDigests(main, data, split) : main];
    };
    log/* log */.Rm.info(loaded.backupDigest
        ? "The backup's data blocks were digested as the restore read them."
        : `The backup's data blocks are digested from the fetched file again, while the scratch database is dumped${loaded.backupDigestMissing ? ` (the digest taken as the restore read it does not count: ${loaded.backupDigestMissing})` : ''}.`);
    let [backup, restored] = await digestBoth('blocks', loaded.backupDigest);
    const { differ, restoredOnly } = (0,compare/* tableDataDiffering */.$t)(backup, restored);
    if (differ.length > 0 || restoredOnly.length > 0) {
        // a block's digest says that it differs, not where: both read again, row by row
        const names = (list) => `${list.slice(0, 5).join(', ')}${list.length > 5 ? `, and ${list.length - 5} more` : ''}`;
        const why = [
            ...(differ.length > 0
                ? [
                    `the data of ${(0,log/* plural */.LS)(differ.length, 'table')} (${names(differ)}) is not byte for byte the backup's`
                ]
                : []),
            ...(restoredOnly.length > 0
                ? [
                    `${(0,log/* plural */.LS)(restoredOnly.length, 'table')} of the scratch database that the backup has no data for hold${restoredOnly.length === 1 ? 's' : ''} rows (${names(restoredOnly)})`
                ]
                : [])
        ];
        const said = why.join(', and ');
        log/* log */.Rm.info(`${said[0].toUpperCase()}${said.slice(1)}: reading the backup and a dump of the scratch database again, row by row, to count the rows and place the first difference.`);
        [backup, restored] = await digestBoth('rows');
    }
    const backupServer = (0,archive/* majorOfVersion */.RI)(backup.toc.header.serverVersion ?? '');
    const comparison = (0,compare/* compareArchives */.XG)(backup, restored, {
        ...expectations(inputs, loaded),
        before: held
    });
    // a table with columns the backup's has not (a provider's newer table): its rows compared
    // again on the backup's columns, read by psql in the dump's encoding
    const env = {
        ...withOptions((0,connection/* libpqEnvironment */.SQ)(scratch, { connectTimeoutSeconds: inputs.connectTimeoutSeconds }), 
        // the text as pg_dump writes it: its own pins, then the backup's session (attacker a51
        // F2: a scratch database's DateStyle made equal rows differ)
        [...PG_DUMP_PINS, ...sessionOptions]),
        ...(head.encoding ? { PGCLIENTENCODING: head.encoding } : {})
    };
    await (0,compare/* compareOnBackupColumns */.Y_)(comparison, backup, restored, (table, columns) => (0,process/* checkedOutput */.RZ)((0,process/* startChild */.v0)((0,clients/* programPath */.kx)(install, 'psql'), [
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `COPY (SELECT ${columns.join(', ')} FROM ONLY ${table}) TO STDOUT`
    ], { env })));
    if (backupServer !== undefined && backupServer !== server.major) {
        // another server writes some definitions differently; the data must still be equal
        for (const d of comparison.differences) {
            if (!d.expectedBecause &&
                / definition: /.test(` ${d.what}`) &&
                !d.object.startsWith('TABLE DATA')) {
                d.expectedBecause = `the scratch server is PostgreSQL ${server.major}, the backed-up one ${backupServer}: its pg_dump output differs`;
            }
        }
    }
    if (newerDump !== undefined) {
        // what pg_dump newerDump writes otherwise: an entry's text, and the entries it shapes anew
        // (large objects: BLOB METADATA groups from 17; the planner's statistics from 18); never
        // the data (table rows, sequence values, large objects), and never an object missing from
        // the restored database or there only (attacker a50: a lost index or policy passed as
        // "writes some entries otherwise")
        for (const d of comparison.differences) {
            if (d.expectedBecause ||
                /^(?:TABLE DATA|SEQUENCE SET|MATERIALIZED VIEW DATA) /.test(d.object) ||
                d.object === 'large objects')
                continue;
            const presence = /^is (?:missing from the restored database|in the restored database only)/;
            if (presence.test(d.what) && !RESHAPED_ENTRIES.test(d.object))
                continue;
            d.expectedBecause = `the backup was made by pg_dump ${backupMajor}, the scratch database dumped by pg_dump ${newerDump}, which writes some entries otherwise`;
        }
    }
    (0,compare/* recountObjectsExpected */.LD)(comparison);
    logComparison(comparison);
    return dumpedApart
        ? { comparison, splitTables: split.map(t => `${t.schema}.${t.name}`) }
        : { comparison };
}
/**
 * Before the load: the object entries of the scratch database, by the pg_dump the comparison
 * will use (the backup's major; custom format, uncompressed, without table data or large
 * objects: definitions, owners, ACLs, comments, settings \u2014 what the comparison looks at, at a
 * fraction of its cost). The comparison then tells what the database had before the restore,
 * unchanged, from what the restore made. Undefined where no exact comparison will be made, or
 * the dump failed (said: such objects then count as the restore's).
 */
/**
 * The database holds anything besides what CREATE DATABASE gives (an extension but plpgsql, a
 * schema but public, a public schema given another owner, comment or privileges \u2014 an app
 * owner's scratch database, as Neon's and RDS's guides make it \u2014, a relation, function or type
 * in public, default privileges, a large object, a publication): what verify must record
 * before the restore to tell it apart. (A change it cannot see costs a difference said, never
 * a pass: the record only explains.)
 */
async function holdsObjects(client) {
    const { rows } = await client.query(`SELECT
    EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname <> 'plpgsql')
    OR EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname NOT IN ('public', 'information_schema') AND nspname !~ '^pg_')
    OR EXISTS (SELECT FROM pg_catalog.pg_namespace n WHERE n.nspname = 'public' AND (
      n.nspowner NOT IN (10, 6171)
      OR pg_catalog.obj_description(n.oid, 'pg_namespace') IS DISTINCT FROM 'standard public schema'
      OR n.nspacl IS DISTINCT FROM ARRAY[
        pg_catalog.format('%1$s=UC/%1$s', n.nspowner::regrole)::aclitem,
        pg_catalog.format('=%s/%s', CASE WHEN n.nspowner = 10 THEN 'UC' ELSE 'U' END, n.nspowner::regrole)::aclitem]))
    OR EXISTS (SELECT FROM pg_catalog.pg_class WHERE relnamespace = 'public'::regnamespace)
    OR EXISTS (SELECT FROM pg_catalog.pg_proc WHERE pronamespace = 'public'::regnamespace)
    OR EXISTS (SELECT FROM pg_catalog.pg_type WHERE typnamespace = 'public'::regnamespace)
    OR EXISTS (SELECT FROM pg_catalog.pg_default_acl)
    OR EXISTS (SELECT FROM pg_catalog.pg_largeobject_metadata)
    OR EXISTS (SELECT FROM pg_catalog.pg_publication)
    OR EXISTS (SELECT FROM pg_catalog.pg_foreign_data_wrapper)
    OR EXISTS (SELECT FROM pg_catalog.pg_event_trigger) AS holds`);
    return rows[0]?.holds !== false;
}
async function recordBefore(inputs, scratch, plan, tempRoot) {
    if (plan.format !== 'custom' || inputs.tables.length > 0 || inputs.schemas.length > 0)
        return;
    const head = plan.tocRead?.toc;
    if (!head || head.header.compression.algorithm !== 'none')
        return;
    const backupMajor = (0,archive/* majorOfVersion */.RI)(head.header.pgDumpVersion ?? '');
    if (backupMajor === undefined)
        return;
    try {
        const client = await (0,postgres_session.connect)(scratch, inputs.connectTimeoutSeconds);
        let server;
        try {
            const { rows } = await client.query("SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n");
            server = { version: rows[0].v, major: Math.floor(Number(rows[0].n) / 10000) };
        }
        finally {
            await client.end().catch(() => undefined);
        }
        if (backupMajor < server.major)
            return;
        const install = await (0,clients/* chooseDumpClient */.N8)(server.major, server.version, {
            pgBinDir: inputs.pgBinDir,
            postgresVersion: backupMajor,
            installClient: inputs.installClient,
            warn: () => undefined // said by the comparison, which chooses it again
        });
        const args = ['--no-password', '--format=custom', '--compress=0'];
        if (head.encoding)
            args.push(`--encoding=${head.encoding}`);
        // the data of the tables the backup fills is not read (a scratch database verified again
        // holds the last copy): only that of the database's own tables
        for (const e of head.entries) {
            if (e.desc === 'TABLE DATA' && e.namespace) {
                args.push(`--exclude-table-data=${tablePattern({ schema: e.namespace, name: e.tag })}`);
            }
        }
        args.push('-B');
        const digest = await digestScratch((0,clients/* programPath */.kx)(install, 'pg_dump'), args, scratch, inputs, 'rows', { tempRoot, signal: new AbortController().signal });
        const objects = digest.toc.entries.filter(e => !['ENCODING', 'STDSTRINGS', 'SEARCHPATH', 'DATABASE', 'DATABASE PROPERTIES'].includes(e.desc)).length;
        log/* log */.Rm.info(`The scratch database holds ${(0,log/* plural */.LS)(objects, 'schema entry', 'schema entries')} and ${(0,log/* plural */.LS)(digest.blocks.size, 'table', 'tables')} with data of its own before the restore (pg_dump ${backupMajor}; the data of the backup's tables not read): what the restore leaves as it is counts as the database's own, not the backup's.`);
        return digest;
    }
    catch (error) {
        log/* log */.Rm.warning(`What the scratch database holds before the restore could not be recorded (${error.message}): the comparison counts everything in it as restored.`);
        return undefined;
    }
}
/**
 * A pg_dump of the scratch database (custom format, uncompressed, `args`), digested as it
 * streams. It is read into one buffer, reused (its stdout stream would allocate a Buffer per
 * read: tens of MB of garbage at a time); where no named pipe can be made, from its stdout.
 */
/**
 * The settings pg_dump sets in its own session (pg_backup_db.c, servers 12+), so that text it
 * writes reads the same whatever the role's or database's: for psql reading rows to compare
 * with a dump's.
 */
const PG_DUMP_PINS = [
    '-c DateStyle=ISO',
    '-c IntervalStyle=postgres',
    '-c extra_float_digits=3',
    // pg_dump's is empty: every name a regclass or regtype prints is qualified but pg_catalog's
    // (attacker a52 F5: 'p' read for the backup's 'public.p')
    '-c search_path=pg_catalog'
];
/** `env` with `options` (PGOPTIONS words) after its own: a setting the URL makes comes first. */
function withOptions(env, options) {
    if (options.length === 0)
        return env;
    return { ...env, PGOPTIONS: [env.PGOPTIONS ?? '', ...options].join(' ').trim() };
}
async function digestScratch(pgDumpPath, args, scratch, inputs, by, options) {
    const pipe = await (0,fifo/* reusedBufferPipe */.vW)(options.tempRoot);
    let pgDump;
    try {
        pgDump = (0,dump/* startPgDump */.Yt)(pgDumpPath, args, withOptions((0,connection/* libpqEnvironment */.SQ)(scratch, { connectTimeoutSeconds: inputs.connectTimeoutSeconds }), options.sessionOptions ?? []), line => log/* log */.Rm.debug(`pg_dump: ${line}`), pipe?.writer);
    }
    catch (error) {
        pipe?.close();
        throw error;
    }
    pipe?.closeWriter();
    // the other side failed: this one is not waited for
    const stop = () => pgDump.kill();
    if (options.signal.aborted)
        stop();
    options.signal.addEventListener('abort', stop);
    try {
        const [digest] = await Promise.all([
            (pipe ? (0,compare/* digestArchiveChunks */.Z9)((0,compare/* scavenging */.Qp)(pipe), by) : (0,compare/* digestArchive */.bz)(pgDump.stdout, by)).catch(async (error) => {
                // a pg_dump that failed on its own (an error from the server: row-level security the
                // verifying role is under) cut its archive short: its error is the cause, not "the
                // archive ends inside a data block" (attacker a50 F5)
                const cause = await Promise.race([
                    pgDump.done.then(() => undefined, (failed) => failed),
                    new Promise(resolve => setTimeout(() => resolve(undefined), 1000).unref())
                ]);
                pgDump.kill();
                throw cause ?? error;
            }),
            pgDump.done
        ]);
        return digest;
    }
    catch (error) {
        throw error instanceof dump/* DumpError */.tR ? scratchDumpError(error) : error;
    }
    finally {
        options.signal.removeEventListener('abort', stop);
        pipe?.close();
    }
}
/**
 * The entries a newer pg_dump writes in another shape than an older one (the same objects):
 * large objects (BLOB entries up to 16, BLOB METADATA groups from 17), the planner's statistics
 * (STATISTICS DATA, 18).
 */
const RESHAPED_ENTRIES = /^(?:BLOB|BLOB METADATA|BLOBS|STATISTICS DATA) /;
/**
 * pg_dump's failure on the scratch database, said as verify's (its advice is a backup's: "the
 * role in database-url").
 */
function scratchDumpError(cause) {
    const stderr = cause.stderr || cause.message;
    const rls = /row-level security policy for table "((?:[^"]|"")*)"/.exec(stderr);
    if (rls)
        return new errors/* EngineError */.NJ(`pg_dump refuses to dump the scratch database to compare it with the backup: row-level security policies apply to the verifying role (verify-database-url's) on table ${rls[1]} (it does not own the table, or the table has FORCE ROW LEVEL SECURITY), and pg_dump would not see all its rows. The restore itself passed. Verify as a superuser (a postgres service container's own user) or a role with BYPASSRLS.`, 'failure', undefined, { cause });
    return new errors/* EngineError */.NJ(`pg_dump failed on the scratch database, which verify dumps to compare it with the backup: ${cause.message}`, 'failure', undefined, { cause });
}
function notCompared(why) {
    log/* log */.Rm.warning(`Not compared exactly: ${why}.`);
    return { notCompared: why };
}
/** The differences the restore's own settings and skip list explain. */
function expectations(inputs, loaded) {
    const expect = { skippedStatements: loaded.skippedStatements };
    // a managed platform's own migration bookkeeping whose rows the restore kept (the scratch
    // project's, not the backup's): their data differs as a restore into this project would make
    // it. Only those: a table the restore kept for another reason \u2014 one of a schema a superuser
    // made for the app, one the role may not write (re-attack a46 F1: verify passed with a user
    // table's backup rows never loaded) \u2014 still fails the comparison
    const bookkeeping = loaded.kept.filter(compare/* providerBookkeeping */._u);
    if (bookkeeping.length > 0)
        expect.keptTables = bookkeeping;
    if (inputs.noOwner === true)
        expect.ownersNotRestored = 'no-owner: true (owners not restored)';
    else if (loaded.skipped.some(g => restore/* OWNER_REASON */.ls.test(g.reason))) {
        expect.ownersNotRestored = 'the restore left out ALTER \u2026 OWNER statements (see its skip list)';
    }
    // a GRANT or REVOKE the restore left out explains only the privileges of its own object (its
    // statement is in that entry: skippedStatements), never another object's: a table whose
    // privileges differ for another reason (the target's default privileges granting a role what
    // the backup revoked) is a difference
    if (inputs.noPrivileges === true) {
        expect.privilegesNotRestored = 'no-privileges: true (GRANT/REVOKE not restored)';
    }
    return expect;
}
function logComparison(c) {
    log/* log */.Rm.info((0,compare/* comparisonHeadline */.Se)(c));
    logDifferences(c.differences);
}
function logDifferences(differences) {
    for (const line of (0,compare/* differenceLines */.Ze)(differences)) {
        if (line.warning)
            log/* log */.Rm.warning(line.text);
        else
            log/* log */.Rm.info(line.text);
    }
}


/***/ })

};
