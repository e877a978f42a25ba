export const id = 63;
export const ids = [63];
export const modules = {

/***/ 47043:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   h: () => (/* binding */ BackupError),
/* harmony export */   p: () => (/* binding */ streamBackup)
/* harmony export */ });
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(46466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(83916);
/* harmony import */ var _compress_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(89472);
/* harmony import */ var _digest_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(29912);
/* harmony import */ var _encrypt_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(73647);
/* harmony import */ var _progress_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(62171);
/* harmony import */ var _memory_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(58547);
/**
 * The backup's stream: source → count (→ inspect) → compress → encrypt → sha256 → gate → sinks.
 * Written once and teed to every sink (a local file, the artifact's zip, an S3 upload), paced by
 * the slowest; the gate holds the end back until the dump is known to be whole, so no sink
 * completes (no upload finishes, no file is final) for a dump that is not.
 */








class BackupError extends _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .EngineError */ .NJ {
    name = 'BackupError';
}
/** Streams `source` (counted by `raw`) into every sink; resolves once each one holds it all. */
async function streamBackup(source, raw, sinks, options) {
    const digest = new _digest_js__WEBPACK_IMPORTED_MODULE_4__/* .DigestStage */ .jb();
    const stages = raw instanceof _progress_js__WEBPACK_IMPORTED_MODULE_6__/* .CountingStage */ .Cp ? [raw] : [];
    // the sinks begin with pg_dump's first bytes: a dump that fails at once uploads nothing (nor
    // the empty frame, 9 to 13 bytes, a compressor writes for no input)
    if (sinks.some(sink => sink.begin)) {
        const first = options.precompressed ? EMPTY_FRAME_MAX + 1 : 1;
        stages.push(onFirstBytes(first, () => sinks.forEach(sink => sink.begin?.())));
    }
    if (options.inspector)
        stages.push(options.inspector);
    const compressor = options.precompressed
        ? undefined
        : (0,_compress_js__WEBPACK_IMPORTED_MODULE_3__/* .createCompressor */ ._S)(options.compression, options.compressionLevel);
    if (compressor)
        stages.push(compressor);
    if (options.encryption)
        stages.push((0,_encrypt_js__WEBPACK_IMPORTED_MODULE_5__/* .createEncryptor */ .Dm)(options.encryption));
    stages.push(digest);
    if (options.beforeEnd)
        stages.push(gate(options.beforeEnd));
    const tee = new Tee(sinks);
    const [streamed, ...stored] = await Promise.allSettled([
        (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_1__.pipeline)([source, ...stages, tee]),
        ...sinks.map(sink => sink.stored)
    ]);
    if (tee.failed) {
        // a sink gave up (an upload refused, a disk full): its own error says why
        const index = sinks.indexOf(tee.failed.sink);
        const own = stored[index];
        throw explainWriteError(own.status === 'rejected' ? own.reason : tee.failed.error, sinks);
    }
    // the dump's own failure explains more than the aborts of the sinks it caused
    if (streamed.status === 'rejected')
        throw explainWriteError(streamed.reason, sinks);
    for (const [index, result] of stored.entries()) {
        if (result.status === 'rejected')
            throw result.reason;
        const held = result.value;
        if (held !== undefined && held !== digest.bytes) {
            throw new BackupError(sinks[index].mismatch?.(held, digest.bytes) ??
                `a destination holds ${held} bytes but ${digest.bytes} were written.`);
        }
    }
    return { rawBytes: raw.bytes, fileBytes: digest.bytes, sha256: digest.digest() };
}
/**
 * How often the tee collects the young generation: less often than memory.ts's 4 MiB, because
 * the sinks keep chunks longer than that — the artifact client gathers 8 MiB of them for a block
 * before it copies them (and S3's upload its parts). A chunk that lives through two collections
 * is moved to the old generation, where it is freed only by a full collection: with a collection
 * every 4 MiB, half the chunks were, and the Buffers grew with the backup's size. Measured on a
 * 300 MB live upload (loopback backend, 40 MB/s): every 4 MiB, Buffers' peak 68–77 MB and the
 * process 1.9 CPU s; every 12 MiB, 45–46 MB and 1.1–1.2 CPU s; every 16 MiB, 43–45 MB.
 */
const BACKUP_SCAVENGE_BYTES = 12 * 1024 * 1024;
/** Writes every chunk to every sink, waiting for the slowest; fails when one of them fails. */
class Tee extends node_stream__WEBPACK_IMPORTED_MODULE_0__.Writable {
    sinks;
    failed;
    // the compressed chunks are garbage once every sink took them (see memory.ts)
    scavenge = (0,_memory_js__WEBPACK_IMPORTED_MODULE_7__/* .scavengeEvery */ .AW)(BACKUP_SCAVENGE_BYTES);
    constructor(sinks) {
        super();
        this.sinks = sinks;
        for (const sink of sinks) {
            sink.writable.on('error', (error) => {
                if (this.destroyed)
                    return; // destroyed by the tee itself, after a failure upstream
                this.failed ??= { sink, error };
                this.destroy(error);
            });
        }
    }
    _write(chunk, _encoding, callback) {
        this.scavenge(chunk.length);
        let waiting = 1;
        const drained = () => {
            if (--waiting === 0)
                callback();
        };
        for (const sink of this.sinks) {
            if (!sink.writable.write(chunk)) {
                waiting++;
                sink.writable.once('drain', drained);
            }
        }
        drained();
    }
    _final(callback) {
        for (const sink of this.sinks)
            sink.writable.end();
        Promise.all(this.sinks.map(sink => (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_1__.finished)(sink.writable, { readable: false }))).then(() => callback(), callback);
    }
    _destroy(error, callback) {
        if (error)
            for (const sink of this.sinks)
                sink.writable.destroy(error);
        callback(error);
    }
}
/** A pass-through stage that holds the end of the stream until `check` passes (else fails it). */
function gate(check) {
    return new node_stream__WEBPACK_IMPORTED_MODULE_0__.Transform({
        transform: (chunk, _encoding, callback) => callback(null, chunk),
        flush: callback => {
            check().then(() => callback(), error => callback(error));
        }
    });
}
/** More than a compressor's output for no input: a zstd or gzip frame of nothing. */
const EMPTY_FRAME_MAX = 64;
/** A pass-through stage that calls `callback` once, when `count` bytes have passed. */
function onFirstBytes(count, callback) {
    let seen = 0;
    return new node_stream__WEBPACK_IMPORTED_MODULE_0__.Transform({
        transform: (chunk, _encoding, done) => {
            if (seen < count) {
                seen += chunk.length;
                if (seen >= count)
                    callback();
            }
            done(null, chunk);
        }
    });
}
function explainWriteError(error, sinks) {
    const err = error;
    const directory = sinks.find(sink => sink.directory)?.directory;
    if ((err?.code === 'ENOSPC' || err?.code === 'EDQUOT') && directory) {
        return new BackupError(`the disk is full: no space left while writing the dump to ${directory}. Free space on the runner (a GitHub-hosted runner has ~14 GB free), exclude large tables' data (exclude-table-data), or use a larger runner. Nothing was uploaded.`);
    }
    return err instanceof Error ? err : new Error(String(error));
}


/***/ }),

/***/ 62171:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Cp: () => (/* binding */ CountingStage),
/* harmony export */   ot: () => (/* binding */ startProgress),
/* harmony export */   sz: () => (/* binding */ restoreProgressLine)
/* harmony export */ });
/* unused harmony exports progressLine, progressBar */
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _log_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(25625);
/**
 * Counting the bytes that pg_dump produced and reporting progress in the log's style (a line
 * every ~10 s, or a bar on a terminal): bytes, MB/s, elapsed time, and the share of the
 * database size as an estimate.
 */


/** Counts bytes and keeps the last `tailSize` bytes (plain dumps end with a trailer). */
class CountingStage extends node_stream__WEBPACK_IMPORTED_MODULE_0__.Transform {
    tailSize;
    bytes = 0;
    tailBuffer = Buffer.alloc(0);
    constructor(tailSize = 4096) {
        super();
        this.tailSize = tailSize;
    }
    _transform(chunk, _encoding, callback) {
        this.bytes += chunk.length;
        if (chunk.length >= this.tailSize) {
            this.tailBuffer = Buffer.from(chunk.subarray(chunk.length - this.tailSize));
        }
        else {
            const joined = Buffer.concat([this.tailBuffer, chunk]);
            this.tailBuffer = joined.subarray(Math.max(0, joined.length - this.tailSize));
        }
        callback(null, chunk);
    }
    get tail() {
        return this.tailBuffer;
    }
}
function progressLine(bytes, elapsedSeconds, estimateBytes) {
    const rate = elapsedSeconds > 0 ? bytes / 1024 / 1024 / elapsedSeconds : 0;
    const share = estimateBytes && estimateBytes > 0
        ? `, ~${Math.min(99, Math.round((bytes / estimateBytes) * 100))}% of the database size`
        : '';
    return `${(0,_log_js__WEBPACK_IMPORTED_MODULE_1__/* .formatBytes */ .z3)(bytes)} dumped in ${(0,_log_js__WEBPACK_IMPORTED_MODULE_1__/* .formatDuration */ .a3)(elapsedSeconds)} (${rate.toFixed(1)} MB/s${share})`;
}
function progressBar(bytes, elapsedSeconds, estimateBytes) {
    return `${bar(bytes, estimateBytes)}${progressLine(bytes, elapsedSeconds, estimateBytes)}`;
}
/** `[####....] ` for the share of `estimateBytes` done; '' without an estimate. */
function bar(bytes, estimateBytes) {
    const width = 24;
    const share = estimateBytes && estimateBytes > 0 ? Math.min(1, bytes / estimateBytes) : 0;
    const filled = Math.round(share * width);
    return estimateBytes ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
}
/**
 * A restore's progress: the bytes of the backup read of its size, elapsed, what remains at this
 * pace, and the table being loaded (when the server tells it: pg_stat_progress_copy, 14+).
 */
function restoreProgressLine(bytes, totalBytes, elapsedSeconds, loading) {
    const share = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 0;
    const left = share > 0.01 && share < 1
        ? `, about ${(0,_log_js__WEBPACK_IMPORTED_MODULE_1__/* .formatDuration */ .a3)((elapsedSeconds * (1 - share)) / share)} left`
        : '';
    return `${(0,_log_js__WEBPACK_IMPORTED_MODULE_1__/* .formatBytes */ .z3)(bytes)} of ${(0,_log_js__WEBPACK_IMPORTED_MODULE_1__/* .formatBytes */ .z3)(totalBytes)} of the backup read (${Math.round(share * 100)}%) in ${(0,_log_js__WEBPACK_IMPORTED_MODULE_1__/* .formatDuration */ .a3)(elapsedSeconds)}${left}${loading ? `; loading ${loading}` : ''}`;
}
/**
 * Reports progress until stopped, in the log's style: a line every `intervalMs`, or a bar
 * redrawn four times a second on a terminal.
 */
function startProgress(read, options = {}) {
    const started = Date.now();
    const elapsed = () => (Date.now() - started) / 1000;
    const line = options.line ?? ((bytes, s) => progressLine(bytes, s, options.estimateBytes));
    if (_log_js__WEBPACK_IMPORTED_MODULE_1__/* .log */ .Rm.progressStyle === 'bar') {
        const draw = (done = false) => _log_js__WEBPACK_IMPORTED_MODULE_1__/* .log */ .Rm.progress(`${bar(read(), options.estimateBytes)}${line(read(), elapsed())}`, done);
        const timer = setInterval(draw, 250);
        timer.unref();
        return {
            stop: () => {
                clearInterval(timer);
                draw(true);
            }
        };
    }
    const timer = setInterval(() => _log_js__WEBPACK_IMPORTED_MODULE_1__/* .log */ .Rm.progress(line(read(), elapsed())), options.intervalMs ?? 10_000);
    timer.unref();
    return { stop: () => clearInterval(timer) };
}


/***/ }),

/***/ 24999:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GV: () => (/* binding */ connectionSlotsAdvice),
/* harmony export */   Kw: () => (/* binding */ connectionLimit),
/* harmony export */   di: () => (/* binding */ diagnoseConnection),
/* harmony export */   e$: () => (/* binding */ connectionLimitFailure),
/* harmony export */   gF: () => (/* binding */ RUN_NEEDS)
/* harmony export */ });
/* harmony import */ var node_dns_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(71553);
/* harmony import */ var node_dns_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_dns_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(83916);
/* harmony import */ var _connection_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(58824);
/**
 * Connection diagnostics before pg_dump runs: transaction-mode poolers that break pg_dump,
 * hosts that resolve only to IPv6 (GitHub's runners have none), TLS left to chance.
 */



const MANAGED_HOSTS = /\.(supabase\.co|supabase\.com|neon\.tech|rds\.amazonaws\.com|render\.com|railway\.app|rlwy\.net|aivencloud\.com|timescale\.com)$/i;
/** Throws for setups that cannot work; returns warnings for the doubtful ones. */
async function diagnoseConnection(connection, resolve = node_dns_promises__WEBPACK_IMPORTED_MODULE_0__.lookup) {
    const warnings = [];
    const host = connection.host.toLowerCase();
    if (connection.dropped.pgbouncer !== undefined && connection.dropped.pgbouncer !== 'false') {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .SettingError */ .L_('databaseUrl', "has pgbouncer=true (Prisma's flag for a PgBouncer pool in transaction mode), which breaks pg_dump: it needs one session for the whole dump. Use the direct URL (Prisma's directUrl, often DIRECT_URL: the database's own host and port, usually 5432) or a session-mode pool.");
    }
    if ((0,_connection_js__WEBPACK_IMPORTED_MODULE_2__/* .isUnixSocket */ .Y_)(connection))
        return { warnings, addresses: [] };
    if (/pooler\.supabase\.com$/.test(host) && connection.port === 6543) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .SettingError */ .L_('databaseUrl', "points at Supabase's transaction pooler (port 6543), which breaks pg_dump (it needs one session for the whole dump). Use the session pooler: the same host with port 5432 (Supabase → Connect → Session pooler).");
    }
    if (/-pooler\./.test(host) && /neon\.tech$/.test(host)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .SettingError */ .L_('databaseUrl', "points at Neon's pooled endpoint (a '-pooler' host, PgBouncer in transaction mode), which breaks pg_dump. Use the direct endpoint: the same host without '-pooler'.");
    }
    if (connection.port === 6432) {
        warnings.push('Port 6432 is usually PgBouncer. pg_dump needs a session-mode pool or a direct connection; in transaction mode it fails part-way. If the dump fails, connect to PostgreSQL directly (usually port 5432).');
    }
    if (connection.params.sslmode === undefined && MANAGED_HOSTS.test(host)) {
        warnings.push(`${connection.host} is a managed service that expects TLS, but the URL has no sslmode: TLS is tried first and plain text allowed. Add ?sslmode=require (or verify-full with sslrootcert) to insist on encryption.`);
    }
    let addresses = [];
    if (!/^[\d.]+$/.test(host) && !host.includes(':')) {
        try {
            addresses = await resolve(connection.host, { all: true });
        }
        catch {
            return { warnings, addresses }; // the connection attempt explains DNS failures
        }
        if (addresses.length > 0 && addresses.every(a => a.family === 6)) {
            warnings.push(`${connection.host} resolves only to IPv6 (${addresses[0].address}), and GitHub-hosted runners have no IPv6: the connection will likely fail. ${/supabase\.co$/.test(host) ? "Supabase's direct host is IPv6-only: use the session pooler URL (Supabase → Connect → Session pooler, port 5432), which has IPv4." : "Use an IPv4 address or the provider's IPv4 endpoint or pooler in session mode."}`);
        }
    }
    return { warnings, addresses };
}
/**
 * The server or a pooler in front of it had no connection left for another session, found in
 * `text` (an error message or a client's stderr): the server's SQLSTATE 53300 ("sorry, too many
 * clients already" — max_connections, "remaining connection slots are reserved for …", "too many
 * connections for role|database …" — CONNECTION LIMIT), PgBouncer's "no more connections allowed
 * (max_client_conn)", "query_wait_timeout" (the login waited in the pool's queue for a server
 * connection: default_pool_size, max_db_connections, max_user_connections), "server login has
 * been failing", Supavisor's "max clients reached". Undefined for any other failure.
 */
function connectionLimit(text) {
    const said = (re) => (text.split('\n').find(l => re.test(l)) ?? '').replace(/^.*?\b(FATAL|ERROR):\s+/, '$1: ').trim();
    const owned = /too many connections for (role|database) "([^"]+)"/.exec(text);
    if (owned) {
        return {
            which: `the ${owned[1]} "${owned[2]}" may open no more sessions (its CONNECTION LIMIT)`,
            raise: `ALTER ${owned[1].toUpperCase()} … CONNECTION LIMIT`,
            pool: false,
            said: said(/too many connections for/)
        };
    }
    if (/too many clients already|remaining connection slots are reserved/.test(text)) {
        return {
            which: 'the server has no connection slot left (max_connections, less the slots reserved for superusers and roles with pg_use_reserved_connections)',
            raise: 'max_connections on the server',
            pool: false,
            said: said(/too many clients already|remaining connection slots are reserved/)
        };
    }
    if (/no more connections allowed|max clients reached|max client connections reached|max_client_conn/i.test(text)) {
        return {
            which: 'the connection pooler admits no more clients (PgBouncer\'s max_client_conn; Supavisor\'s "max clients reached": its pool size)',
            raise: "the pooler's client limit (max_client_conn; Supavisor: the pool size)",
            pool: true,
            said: said(/no more connections allowed|max clients reached|max client connections reached|max_client_conn/i)
        };
    }
    if (/query_wait_timeout/.test(text)) {
        return {
            which: "the pool had no server connection free for it: the login waited in the pooler's queue until query_wait_timeout (PgBouncer: every connection of the pool — default_pool_size, max_db_connections, max_user_connections — was held by other sessions)",
            raise: "the pool's size (default_pool_size, max_db_connections; a provider's pool size)",
            pool: true,
            said: said(/query_wait_timeout/)
        };
    }
    if (/server login has been failing/.test(text)) {
        return {
            which: "the pooler could not log in to the server itself (PgBouncer's \"server login has been failing\": the server's own connection limit, or the pooler's credentials for it)",
            raise: "the server's max_connections, or the pooler's login to it",
            pool: true,
            said: said(/server login has been failing/)
        };
    }
    return undefined;
}
/** The sessions a run holds at once on its database, for a session of the action's own that failed. */
const RUN_NEEDS = "a backup needs 2 server connections at once (the session that exports the snapshot, and pg_dump's), a restore 3 (its own two, and the loader's; one more per job beyond the first)";
/** The advice after a limit: the sessions the action held, the limit the run needs, the fix. */
function limitAdvice(limit, own) {
    const program = own?.program ?? 'pg_dump or pg_restore';
    const held = own === undefined
        ? ' pg_dump and pg_restore open one session per job (input jobs) and one more, and the action holds one or two of its own'
        : own.need !== undefined && own.sessions === 0
            ? ` ${own.need[0].toUpperCase()}${own.need.slice(1)}`
            : own.need !== undefined
                ? ` The action had ${own.sessions} session${own.sessions === 1 ? '' : 's'} of its own open to that server then, and opened one more: ${own.need}`
                : own.sessions > 0
                    ? ` The action had ${own.sessions} session${own.sessions === 1 ? '' : 's'} of its own open to that server then${own.holding ? ` (${own.holding})` : ''}, and ${program} needs one more: the run needs a ${limit.pool ? 'pool' : 'connection limit'} of at least ${own.sessions + 1} connections for this role and database (with jobs > 1, ${own.sessions + 1} and one per job)`
                    : ` ${program} needs one session (one per job with jobs > 1)`;
    const fix = limit.pool
        ? `raise ${limit.raise}, close other clients of the pool, or use the direct URL (the database's own host and port, not the pooler's)`
        : `lower jobs, close idle sessions (an app's connection pool, another backup or restore), or raise the limit (${limit.raise})`;
    return `${held}: ${fix}.`;
}
/**
 * The advice for a connection limit found in `text` (connectionLimit), as sentences with a
 * leading space; '' when it is not that. `own`: the action's own sessions open to that server
 * when the client failed (session.ts ownSessionCount), said with the limit the run needs.
 */
function connectionSlotsAdvice(text, own) {
    const limit = connectionLimit(text);
    if (!limit)
        return '';
    return ` No session could be opened: ${limit.which}.${limitAdvice(limit, own)}`;
}
/**
 * A client (pg_dump, pg_restore, psql) that failed because no session could be opened for it,
 * its cause first: "pg_restore could not open its session: the connection pooler admits no more
 * clients … (FATAL: no more connections allowed (max_client_conn)). The action had 2 sessions …".
 * Undefined when `stderr` shows no connection limit.
 */
function connectionLimitFailure(program, stderr, own) {
    const limit = connectionLimit(stderr);
    if (!limit)
        return undefined;
    return `${program} could not open its session: ${limit.which}${limit.said ? ` (${limit.said})` : ''}.${limitAdvice(limit, { ...own, program })}`;
}


/***/ }),

/***/ 8677:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Yt: () => (/* binding */ startPgDump),
/* harmony export */   m3: () => (/* binding */ dumpDatabase),
/* harmony export */   nN: () => (/* binding */ buildPgDumpArgs),
/* harmony export */   re: () => (/* binding */ qualifiedNames),
/* harmony export */   tR: () => (/* binding */ DumpError),
/* harmony export */   yO: () => (/* binding */ patternRegexes)
/* harmony export */ });
/* unused harmony export explainDumpFailure */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(46466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(83916);
/* harmony import */ var _log_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(25625);
/* harmony import */ var _pipeline_backup_stream_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(47043);
/* harmony import */ var _pipeline_compress_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(89472);
/* harmony import */ var _pipeline_progress_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(62171);
/* harmony import */ var _process_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(34006);
/* harmony import */ var _archive_js__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(29477);
/* harmony import */ var _diagnostics_js__WEBPACK_IMPORTED_MODULE_11__ = __webpack_require__(24999);
/* harmony import */ var _session_js__WEBPACK_IMPORTED_MODULE_12__ = __webpack_require__(92515);
/* harmony import */ var _plain_sql_js__WEBPACK_IMPORTED_MODULE_13__ = __webpack_require__(20942);
/* harmony import */ var _sql_names_js__WEBPACK_IMPORTED_MODULE_14__ = __webpack_require__(17370);
/**
 * pg_dump: its arguments, the running process, and the dump itself — pg_dump's output streamed
 * into the backup's sinks (pipeline/backup-stream.ts), checked on its way: a plain dump's COPY
 * blocks and trailer, a custom archive's table of contents (pg_restore --list as a tee), a
 * directory archive listed before it is packed into one tar stream. Credentials reach pg_dump
 * only through the environment (PGPASSWORD), never argv.
 */















/** pg_dump's arguments. Data is never compressed by pg_dump: the pipeline does it. */
function buildPgDumpArgs(options) {
    const args = ['--no-password'];
    switch (options.format) {
        case 'custom':
            args.push('--format=custom', '--compress=0');
            break;
        case 'plain':
            args.push('--format=plain');
            break;
        case 'tar':
            args.push('--format=tar');
            break;
        case 'directory':
            if (!options.directory)
                throw new Error('directory format needs an output directory');
            args.push('--format=directory', '--compress=0', `--file=${options.directory}`);
            if (options.jobs && options.jobs > 1)
                args.push(`--jobs=${options.jobs}`);
            break;
    }
    const { filters } = options;
    for (const t of filters.tables)
        args.push(`--table=${t}`);
    for (const t of filters.excludeTables)
        args.push(`--exclude-table=${t}`);
    for (const t of filters.excludeTableData)
        args.push(`--exclude-table-data=${t}`);
    for (const s of filters.schemas)
        args.push(`--schema=${s}`);
    for (const s of filters.excludeSchemas)
        args.push(`--exclude-schema=${s}`);
    // a pattern that matches nothing is an error, not a silently smaller backup
    if (filters.tables.length > 0 || filters.schemas.length > 0)
        args.push('--strict-names');
    if (options.snapshotId)
        args.push(`--snapshot=${options.snapshotId}`);
    args.push(...options.extraArgs);
    return args;
}
class DumpError extends _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .EngineError */ .NJ {
    stderr;
    constructor(message, stderr, options) {
        super(message, 'failure', undefined, options);
        this.stderr = stderr;
        this.name = 'DumpError';
    }
}
/** Starts pg_dump; `env` is the child's whole environment (libpqEnvironment). */
function startPgDump(pgDumpPath, args, env, onStderrLine = () => undefined, 
/** Where pg_dump writes (another child's stdin); default a pipe read as `stdout`. */
stdout) {
    const child = (0,_process_js__WEBPACK_IMPORTED_MODULE_9__/* .startChild */ .v0)(pgDumpPath, args, { env, onStderrLine, stdout });
    const done = child.done.catch((error) => {
        if (!(error instanceof _process_js__WEBPACK_IMPORTED_MODULE_9__/* .ChildProcessError */ .Al))
            throw error;
        if (error.startError) {
            throw new DumpError(`could not start pg_dump (${pgDumpPath}): ${error.startError.message}`, '', {
                cause: error
            });
        }
        throw explainDumpFailure(error.code, error.signal, error.stderr);
    });
    done.catch(() => undefined); // awaited by the caller
    return { stdout: child.stdout, done, kill: child.kill, pid: child.pid };
}
/** pg_dump's failure as one message, with the option to fix where pg_dump says which. */
function explainDumpFailure(code, signal, stderr) {
    const noTables = /no matching tables were found for pattern "([^"]*)"/.exec(stderr);
    if (noTables) {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .SettingError */ .L_('tables', `the pattern '${noTables[1]}' matches no table in the database; nothing was backed up. Check the name (schema.table; quote mixed-case names as "MyTable").`);
    }
    const noSchemas = /no matching schemas were found for pattern "([^"]*)"/.exec(stderr);
    if (noSchemas) {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .SettingError */ .L_('schemas', `the pattern '${noSchemas[1]}' matches no schema in the database; nothing was backed up.`);
    }
    if (/server version mismatch/.test(stderr)) {
        return new DumpError(`pg_dump refused the server: ${lastLines(stderr, 3)}. Use a pg_dump at least as new as the server (input pg-bin-dir).`, stderr);
    }
    // no session for pg_dump (a pool of one server connection, held by the action's own session
    // that exports the snapshot): that cause first, with the sessions the action held (trial u26 F1)
    const sessions = (0,_session_js__WEBPACK_IMPORTED_MODULE_12__.ownSessionCount)();
    const limited = (0,_diagnostics_js__WEBPACK_IMPORTED_MODULE_11__/* .connectionLimitFailure */ .e$)('pg_dump', stderr, {
        sessions,
        holding: sessions > 0
            ? 'the snapshot pg_dump reads is exported by one of them, which stays open until pg_dump ends'
            : undefined
    });
    if (limited)
        return new DumpError(limited, stderr);
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const tail = lastLines(stderr, 8);
    const advice = `${permissionAdvice(stderr)}${rowSecurityAdvice(stderr)}${largeObjectAdvice(stderr)}`;
    const said = tail && advice && !/[.!?]$/.test(tail) ? `${tail}.` : tail;
    return new DumpError(`pg_dump ${how}${said ? `: ${said}` : ''}${advice}`, stderr);
}
/** The last part of `schema.name` as pg_dump quotes it, unquoted ("we""ird" → we"ird). */
function unquotedLast(qualified) {
    const last = new RegExp(String.raw `${QUERY_IDENT}$`).exec(qualified)?.[0] ?? qualified;
    return last.startsWith('"') ? last.slice(1, -1).replaceAll('""', '"') : last;
}
/** An identifier as pg_dump writes it in a query (fmtId): bare, or double-quoted. */
const QUERY_IDENT = String.raw `(?:"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*)`;
/**
 * "permission denied for table|sequence|view|schema x" (the connected role may not read what
 * pg_dump dumps; by hand it fails the same): how to leave it out — the exclude-tables /
 * exclude-schemas inputs — or let the role read it. The qualified name from the failed query
 * ("Query was: LOCK TABLE vault.secrets …"), else the bare name the error gives.
 */
function permissionAdvice(stderr) {
    // the name as the server printed it, to the line's end (unquoted: it may hold spaces)
    const denied = /permission denied for (table|sequence|view|materialized view|schema) (.+?)\s*$/m.exec(stderr);
    if (!denied)
        return '';
    const [, kind, bare] = denied;
    if (kind === 'schema') {
        return ` The role in database-url may not use schema ${bare}, which the backup includes. Leave it out with 'exclude-schemas: ${(0,_sql_names_js__WEBPACK_IMPORTED_MODULE_14__/* .quoteIdent */ .v4)(bare)}' (or back up only the schemas you need with 'schemas'), or let the role use it: GRANT USAGE ON SCHEMA ${(0,_sql_names_js__WEBPACK_IMPORTED_MODULE_14__/* .quoteIdent */ .v4)(bare)} TO <role> (and SELECT on its tables), as the schema's owner.`;
    }
    const query = new RegExp(String.raw `Query was: .*?\b(?:LOCK TABLE|FROM|COPY)\s+(?:ONLY\s+)?(${QUERY_IDENT}\.${QUERY_IDENT})`).exec(stderr);
    // the query's name is as pg_dump writes it (quoted where SQL needs it); the error's is bare
    const qualified = query && unquotedLast(query[1]) === bare ? query[1] : undefined;
    const named = qualified ?? (0,_sql_names_js__WEBPACK_IMPORTED_MODULE_14__/* .quoteIdent */ .v4)(bare);
    const schema = qualified?.slice(0, qualified.indexOf('.'));
    return ` The role in database-url may not read ${kind} ${named}, which the backup includes. Leave it out with 'exclude-tables: ${named}'${schema ? ` (or its whole schema with 'exclude-schemas: ${schema}')` : ''}, or let the role read it: GRANT SELECT ON ${named} TO <role>, as its owner.`;
}
/**
 * "query would be affected by row-level security policy for table x": policies apply to the
 * role on a table whose rows pg_dump dumps (row_security off, so that no row is left out
 * unseen). The ways past it, and what the one pg_dump offers (--enable-row-security) costs.
 */
function rowSecurityAdvice(stderr) {
    const policy = /query would be affected by row-level security policy for table "([^"]+)"/.exec(stderr);
    if (!policy)
        return '';
    const query = new RegExp(String.raw `(?:Command|Query) was: COPY\s+(${QUERY_IDENT}\.${QUERY_IDENT})`).exec(stderr);
    const named = query && query[1].split('.').at(-1)?.replace(/^"|"$/g, '') === policy[1] ? query[1] : policy[1];
    return ` Row-level security policies apply to the role in database-url on table ${named}, and pg_dump refuses to dump rows they would filter. Back up with a role that has BYPASSRLS (or a superuser), or as the table's owner with the table NO FORCE ROW LEVEL SECURITY; or leave its rows out with 'exclude-table-data: ${named}'; or add --enable-row-security to pg-dump-args knowing that the backup then holds only the rows the role can see (the log, job summary and manifest name the tables so filtered).`;
}
/** "permission denied for large object N": leave the large objects out, or grant the role. */
function largeObjectAdvice(stderr) {
    const denied = /permission denied for large object (\d+)/.exec(stderr);
    if (!denied)
        return '';
    return ` The role in database-url may not read large object ${denied[1]}, which the backup includes (pg_dump dumps every large object). Leave the large objects out with --no-large-objects in pg-dump-args (--no-blobs before pg_dump 16), or let the role read it: GRANT SELECT ON LARGE OBJECT ${denied[1]} TO <role>, as its owner (or a superuser).`;
}
function lastLines(text, n) {
    return text.trim().split('\n').slice(-n).join(' | ');
}
/** Tells `onDataTables` the list's tables (warned of entries matching none at the end). */
function noteDataTables(run, lines) {
    run.onDataTables?.((0,_archive_js__WEBPACK_IMPORTED_MODULE_10__/* .dataTablesInList */ .bS)(lines, run.knownTables));
}
/**
 * The warning for TABLE DATA entries of tables the catalog read before the dump did not list:
 * created between that read and pg_dump's snapshot (a partition a scheduler adds at night).
 */
function warnUnlisted(entries) {
    _log_js__WEBPACK_IMPORTED_MODULE_5__/* .log */ .Rm.warning(`The dump holds data for ${(0,_log_js__WEBPACK_IMPORTED_MODULE_5__/* .plural */ .LS)(entries.length, 'table')} the catalog read at the backup's start did not list (created since?): ${entries
        .slice(0, 5)
        .map(e => JSON.stringify(e))
        .join(', ')}${entries.length > 5 ? ` and ${entries.length - 5} more` : ''} (as pg_restore --list prints them: schema, name, owner). Their rows are in the backup but not in the manifest's row counts; a restore counts them as tables the manifest does not list.`);
}
/** A custom archive that streamed whole: the tables it holds data for, from its --list. */
function listedArchive(written, lines, knownTables) {
    const dataTables = (0,_archive_js__WEBPACK_IMPORTED_MODULE_10__/* .dataTablesInList */ .bS)(lines, knownTables, warnUnlisted);
    return {
        ...written,
        dataTables,
        checked: `pg_restore --list accepts the archive: ${(0,_log_js__WEBPACK_IMPORTED_MODULE_5__/* .plural */ .LS)(lines.filter(l => !l.startsWith(';')).length, 'entry', 'entries')}, data for ${(0,_log_js__WEBPACK_IMPORTED_MODULE_5__/* .plural */ .LS)(dataTables.length, 'table')}.`
    };
}
/**
 * Runs pg_dump into the sinks. Fails closed: the last bytes reach the sinks only once the dump
 * is known to be whole (pg_dump exited 0, some output, a plain dump's trailer, pg_restore
 * accepted the archive's table of contents), so an upload is completed only then.
 */
async function dumpDatabase(run) {
    _log_js__WEBPACK_IMPORTED_MODULE_5__/* .log */ .Rm.info(`${run.pgDumpPath} ${run.args.join(' ')}`);
    // (secrets are masked by the front door: the runner's log, or the terminal's redaction)
    const zstd = run.format === 'custom' ? await directZstd(run) : undefined;
    if (zstd)
        return dumpThroughZstd(run, zstd);
    const dump = startPgDump(run.pgDumpPath, run.args, run.env, line => _log_js__WEBPACK_IMPORTED_MODULE_5__/* .log */ .Rm.info(pgDumpLine(line)));
    const raw = new _pipeline_progress_js__WEBPACK_IMPORTED_MODULE_8__/* .CountingStage */ .Cp();
    let tarred;
    const progress = (0,_pipeline_progress_js__WEBPACK_IMPORTED_MODULE_8__/* .startProgress */ .ot)(() => tarred?.() ?? raw.bytes, {
        estimateBytes: run.estimateBytes
    });
    try {
        if (run.directory) {
            // pg_dump writes the directory (in parallel with jobs); then it is packed as one tar stream
            await dump.done;
            const lines = await (0,_archive_js__WEBPACK_IMPORTED_MODULE_10__/* .listArchive */ .d0)(run.pgRestorePath, { directory: run.directory });
            const dataTables = (0,_archive_js__WEBPACK_IMPORTED_MODULE_10__/* .dataTablesInList */ .bS)(lines, run.knownTables, warnUnlisted);
            run.onDataTables?.(dataTables);
            const zstdPath = await directZstd(run);
            const written = zstdPath
                ? await tarThroughZstd(run, run.directory, zstdPath, count => (tarred = count))
                : await (0,_pipeline_backup_stream_js__WEBPACK_IMPORTED_MODULE_6__/* .streamBackup */ .p)(tarDirectory(run.directory), raw, run.sinks, run);
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(run.directory, { recursive: true, force: true });
            return {
                ...written,
                dataTables,
                checked: `pg_restore --list accepts the directory archive: ${(0,_log_js__WEBPACK_IMPORTED_MODULE_5__/* .plural */ .LS)(lines.filter(l => !l.startsWith(';')).length, 'entry', 'entries')}, data for ${(0,_log_js__WEBPACK_IMPORTED_MODULE_5__/* .plural */ .LS)(dataTables.length, 'table')}.`
            };
        }
        // plain: note the COPY statements; custom: pg_restore --list reads the archive as it passes
        const scanner = run.format === 'plain' ? new _plain_sql_js__WEBPACK_IMPORTED_MODULE_13__/* .CopyScanner */ .E() : undefined;
        const tee = scanner ? undefined : (0,_archive_js__WEBPACK_IMPORTED_MODULE_10__/* .archiveListTee */ .R0)(run.pgRestorePath);
        tee?.listed.then(lines => noteDataTables(run, lines), () => undefined // the stream fails with it
        );
        const whole = async () => {
            await dump.done;
            await tee?.listed;
            assertWholeDump(run.format, raw);
        };
        const streamed = (0,_pipeline_backup_stream_js__WEBPACK_IMPORTED_MODULE_6__/* .streamBackup */ .p)(dump.stdout, raw, run.sinks, {
            ...run,
            inspector: scanner ?? tee?.stage,
            beforeEnd: whole
        });
        try {
            await Promise.all([streamed, dump.done]);
        }
        catch (error) {
            dump.kill('SIGKILL');
            // pg_restore --list too: it would wait for the rest of an archive that never comes
            await Promise.allSettled([streamed, dump.done, tee?.stop()]);
            throw error;
        }
        const written = await streamed;
        if (scanner) {
            run.onDataTables?.(scanner.tables);
            return {
                ...written,
                dataTables: scanner.tables,
                checked: `Plain dump is complete; it holds data for ${(0,_log_js__WEBPACK_IMPORTED_MODULE_5__/* .plural */ .LS)(scanner.tables.length, 'table')}.`
            };
        }
        return listedArchive(written, await tee.listed, run.knownTables);
    }
    finally {
        progress.stop();
    }
}
/**
 * The zstd command that a custom archive can be written into straight from pg_dump (`pg_dump |
 * zstd`, as by hand: the dump's raw bytes never pass through this process): zstd 1.4 or newer,
 * which reports the bytes it read, and Node's own zstd decoder for the table-of-contents check.
 * Undefined when the dump goes through this process instead.
 */
async function directZstd(run) {
    if (run.compression !== 'zstd' || !(0,_pipeline_compress_js__WEBPACK_IMPORTED_MODULE_7__/* .hasNativeZstd */ .P6)())
        return undefined;
    const cli = (0,_pipeline_compress_js__WEBPACK_IMPORTED_MODULE_7__/* .findZstdCommand */ .GB)();
    if (!cli)
        return undefined;
    zstdVersion ??= (0,_process_js__WEBPACK_IMPORTED_MODULE_9__/* .runChild */ .w$)(cli, ['--version']).then(text => /v(\d+)\.(\d+)\./.exec(text)?.slice(1, 3).map(Number), () => undefined);
    const version = await zstdVersion;
    return version && (version[0] > 1 || version[1] >= 4) ? cli : undefined;
}
let zstdVersion;
/** zstd's last line at -vv: `(524288000 B => 141557112 B, …)` (1.5), `(… => … bytes, …)` (1.4). */
const ZSTD_REPORT = /\(\s*(\d+)\s*B?\s*=>\s*(\d+)\s*(?:B|bytes)\s*,/;
/**
 * `zstd -c -<level> -T0` reading its stdin ('pipe': another child writes into it) as the
 * compressor of a dump written as by hand; `raw` is its own count of the bytes it read (while it
 * runs: what it read so far), and `check(passed, producer)`, once it exited, that it reported its
 * counts, read something, and wrote exactly the `passed` bytes that reached the backup.
 */
function startZstdCompressor(run, zstdPath) {
    const report = {};
    const zstd = (0,_process_js__WEBPACK_IMPORTED_MODULE_9__/* .startChild */ .v0)(zstdPath, ['-c', `-${run.compressionLevel}`, '-T0', '-vv', '--no-progress'], {
        stdin: 'pipe',
        onStderrLine: line => {
            const counts = ZSTD_REPORT.exec(line);
            if (counts)
                [report.raw, report.compressed] = [Number(counts[1]), Number(counts[2])];
        }
    });
    return {
        zstd,
        raw: {
            get bytes() {
                return report.raw ?? bytesRead(zstd.pid);
            }
        },
        check(passed, producer) {
            if (report.raw === undefined || report.compressed === undefined) {
                throw new _archive_js__WEBPACK_IMPORTED_MODULE_10__/* .ArchiveError */ .di(`zstd did not report the bytes it compressed (${zstd.stderr().trim().split('\n').pop() ?? 'no output'}); nothing was uploaded.`);
            }
            if (report.raw === 0)
                throw new _archive_js__WEBPACK_IMPORTED_MODULE_10__/* .ArchiveError */ .di(`${producer} produced no output; nothing was uploaded.`);
            if (report.compressed !== passed) {
                throw new _archive_js__WEBPACK_IMPORTED_MODULE_10__/* .ArchiveError */ .di(`zstd wrote ${report.compressed} bytes but ${passed} reached the backup; nothing was uploaded.`);
            }
        }
    };
}
/**
 * A custom archive written as by hand, `pg_dump -Fc -Z0 | zstd -T0`: pg_dump's stdout is zstd's
 * stdin (an OS pipe), and only the compressed bytes pass through this process (encrypt, sha256,
 * sinks). The checks stay: pg_dump and zstd exit 0, zstd's own count of the bytes it read (the
 * dump's size; none is an empty dump) and wrote (all of which reached the sinks), and
 * pg_restore --list reads the archive's table of contents from the stream's decompressed head.
 */
async function dumpThroughZstd(run, zstdPath) {
    const { zstd, raw, check } = startZstdCompressor(run, zstdPath);
    const dump = startPgDump(run.pgDumpPath, run.args, run.env, line => _log_js__WEBPACK_IMPORTED_MODULE_5__/* .log */ .Rm.info(pgDumpLine(line)), zstd.stdin);
    // pg_dump holds the pipe's writing end now: zstd's input ends when pg_dump's output does
    zstd.stdin.destroy();
    const progress = (0,_pipeline_progress_js__WEBPACK_IMPORTED_MODULE_8__/* .startProgress */ .ot)(() => raw.bytes, { estimateBytes: run.estimateBytes });
    const compressed = (0,_process_js__WEBPACK_IMPORTED_MODULE_9__/* .checkedOutput */ .RZ)(zstd);
    const tee = compressedArchiveListTee(run.pgRestorePath);
    tee.listed.then(lines => noteDataTables(run, lines), () => undefined // the stream fails with it
    );
    const whole = async () => {
        await Promise.all([dump.done, zstd.done]);
        await tee.listed;
        check(tee.bytes(), 'pg_dump');
    };
    try {
        const streamed = (0,_pipeline_backup_stream_js__WEBPACK_IMPORTED_MODULE_6__/* .streamBackup */ .p)(compressed, raw, run.sinks, {
            ...run,
            precompressed: true,
            inspector: tee.stage,
            beforeEnd: whole
        });
        try {
            await Promise.all([streamed, dump.done, zstd.done]);
        }
        catch (error) {
            dump.kill('SIGKILL');
            zstd.kill('SIGKILL');
            // the stream ends with this failure too, whatever stage still waits (a backup once waited
            // here forever after pg_dump failed at its first large object, every child gone)
            compressed.destroy(error);
            await Promise.allSettled([streamed, dump.done, zstd.done, tee.stop()]);
            throw error;
        }
        const written = await streamed;
        return listedArchive(written, await tee.listed, run.knownTables);
    }
    finally {
        progress.stop();
    }
}
/**
 * A directory archive packed as by hand, `tar -cf - -C <dir> . | zstd -T0`: tar's stdout is
 * zstd's stdin (an OS pipe), and only the compressed bytes pass through this process (encrypt,
 * sha256, sinks). The checks stay: tar and zstd exit 0, zstd's own count of the bytes it read (the
 * tar's size; none is an empty archive) and wrote (all of which reached the sinks). `progress`
 * gets the count of the tar's bytes read so far.
 */
async function tarThroughZstd(run, directory, zstdPath, progress) {
    const { zstd, raw, check } = startZstdCompressor(run, zstdPath);
    const tar = (0,_process_js__WEBPACK_IMPORTED_MODULE_9__/* .startChild */ .v0)('tar', ['-cf', '-', '-C', directory, '.'], { stdout: zstd.stdin });
    // tar holds the pipe's writing end now: zstd's input ends when tar's output does
    zstd.stdin.destroy();
    progress(() => raw.bytes);
    const compressed = (0,_process_js__WEBPACK_IMPORTED_MODULE_9__/* .checkedOutput */ .RZ)(zstd);
    const passed = new _pipeline_progress_js__WEBPACK_IMPORTED_MODULE_8__/* .CountingStage */ .Cp(0);
    const whole = async () => {
        await Promise.all([tar.done, zstd.done]);
        check(passed.bytes, 'tar');
    };
    const streamed = (0,_pipeline_backup_stream_js__WEBPACK_IMPORTED_MODULE_6__/* .streamBackup */ .p)(compressed, raw, run.sinks, {
        ...run,
        precompressed: true,
        inspector: passed,
        beforeEnd: whole
    });
    try {
        await Promise.all([streamed, tar.done, zstd.done]);
    }
    catch (error) {
        tar.kill('SIGKILL');
        zstd.kill('SIGKILL');
        compressed.destroy(error);
        await Promise.allSettled([streamed, tar.done, zstd.done]);
        throw error;
    }
    return streamed;
}
/** The bytes a process has read so far (Linux: /proc/<pid>/io), for the progress line. */
function bytesRead(pid) {
    try {
        return Number(/^rchar:\s*(\d+)/m.exec((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
    }
    catch {
        return 0;
    }
}
/**
 * archiveListTee on a zstd-compressed stream: its head is decompressed (by Node's zstd, in the
 * thread pool) into pg_restore --list only until pg_restore has read the table of contents —
 * the first blocks of the stream; the rest passes undecoded. Counts the bytes that passed.
 */
function compressedArchiveListTee(pgRestorePath) {
    const list = (0,_archive_js__WEBPACK_IMPORTED_MODULE_10__/* .archiveListTee */ .R0)(pgRestorePath);
    const decoder = (0,_pipeline_compress_js__WEBPACK_IMPORTED_MODULE_7__/* .createDecompressor */ .Li)('zstd');
    const discard = new node_stream__WEBPACK_IMPORTED_MODULE_2__.Writable({ write: (_chunk, _encoding, callback) => callback() });
    (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_3__.pipeline)(decoder, list.stage, discard).catch(() => undefined); // a failure fails `listed`
    let reading = true;
    let ended = false;
    let bytes = 0;
    const settled = list.listed.then(() => undefined, () => undefined);
    void settled.then(() => {
        reading = false;
        decoder.destroy();
    });
    const stage = new node_stream__WEBPACK_IMPORTED_MODULE_2__.Transform({
        transform(chunk, _encoding, callback) {
            bytes += chunk.length;
            if (!reading)
                return callback(null, chunk);
            if (decoder.write(chunk))
                return callback(null, chunk);
            let resumed = false;
            const resume = () => {
                if (resumed)
                    return;
                resumed = true;
                decoder.off('drain', resume);
                callback(null, chunk);
            };
            decoder.once('drain', resume);
            void settled.then(resume);
        },
        flush(callback) {
            ended = true;
            if (reading)
                decoder.end();
            callback();
        },
        destroy(error, callback) {
            // given up before its end (a failure elsewhere); after its end the decoder finishes
            // feeding pg_restore what it holds
            if (!ended) {
                decoder.destroy();
                void list.stop();
            }
            callback(error);
        }
    });
    // an archive pg_restore rejects fails the stream at once, not after the whole dump
    list.listed.catch((error) => stage.destroy(error));
    return { stage, listed: list.listed, stop: list.stop, bytes: () => bytes };
}
/** The directory as one tar stream, which ends only once tar exited 0. */
function tarDirectory(directory) {
    return (0,_process_js__WEBPACK_IMPORTED_MODULE_9__/* .checkedOutput */ .RZ)((0,_process_js__WEBPACK_IMPORTED_MODULE_9__/* .startChild */ .v0)('tar', ['-cf', '-', '-C', directory, '.']));
}
/**
 * Fails closed: some output, and for plain dumps the trailer pg_dump writes last. Runs as the
 * stream's last step, so a file or upload is never completed for a dump that is not whole.
 */
function assertWholeDump(format, raw) {
    if (raw.bytes === 0)
        throw new _archive_js__WEBPACK_IMPORTED_MODULE_10__/* .ArchiveError */ .di('pg_dump produced no output; nothing was uploaded.');
    if (format === 'plain' && !raw.tail.toString('utf8').includes(_plain_sql_js__WEBPACK_IMPORTED_MODULE_13__/* .PLAIN_TRAILER */ .Nl)) {
        throw new _archive_js__WEBPACK_IMPORTED_MODULE_10__/* .ArchiveError */ .di(`the plain dump does not end with '${_plain_sql_js__WEBPACK_IMPORTED_MODULE_13__/* .PLAIN_TRAILER */ .Nl}': it is truncated; nothing was uploaded.`);
    }
    // a tar-format archive ends with its restore.sql (the same trailer) and the tar's two zero blocks
    if (format === 'tar' &&
        !(raw.tail.toString('latin1').includes(_plain_sql_js__WEBPACK_IMPORTED_MODULE_13__/* .PLAIN_TRAILER */ .Nl) &&
            raw.tail.length >= 1024 &&
            raw.tail.subarray(raw.tail.length - 1024).every(b => b === 0))) {
        throw new _archive_js__WEBPACK_IMPORTED_MODULE_10__/* .ArchiveError */ .di(`the tar-format archive does not end with its restore.sql ('${_plain_sql_js__WEBPACK_IMPORTED_MODULE_13__/* .PLAIN_TRAILER */ .Nl}') and the tar's end blocks: it is truncated; nothing was uploaded.`);
    }
}
/**
 * A pg_dump name pattern (`schema.table`, `*`, `?`, double quotes) as the anchored POSIX
 * regular expressions pg_dump matches against the catalog — PostgreSQL's patternToSQLRegex
 * (src/fe_utils/string_utils.c): outside quotes letters are folded to lower case, `*` is `.*`,
 * `?` is `.`, `.` separates the parts and other regex characters pass through (except `[]`);
 * inside quotes everything is literal and `""` is one `"`; `$` is always literal. With three
 * parts the first names the database. A part that is absent or empty is undefined (any name).
 */
function patternRegexes(pattern) {
    const parts = [''];
    let quoted = false;
    const chars = [...pattern];
    for (let i = 0; i < chars.length; i++) {
        const ch = chars[i];
        let out;
        if (ch === '"') {
            if (quoted && chars[i + 1] === '"') {
                out = '"';
                i++;
            }
            else {
                quoted = !quoted;
                continue;
            }
        }
        else if (!quoted && ch >= 'A' && ch <= 'Z')
            out = ch.toLowerCase();
        else if (!quoted && ch === '*')
            out = '.*';
        else if (!quoted && ch === '?')
            out = '.';
        else if (!quoted && ch === '.') {
            parts.push('');
            continue;
        }
        else if (ch === '$')
            out = '\\$';
        else if (quoted && '|*+?()[]{}.^$\\'.includes(ch))
            out = `\\${ch}`;
        else if (ch === '[' && chars[i + 1] === ']')
            out = '\\[';
        else
            out = ch;
        parts[parts.length - 1] += out;
    }
    // an empty part (`app.`) constrains nothing, as in pg_dump
    const anchored = (part) => part ? `^(${part})$` : undefined;
    return {
        schema: anchored(parts.length >= 2 ? parts[parts.length - 2] : undefined),
        name: anchored(parts[parts.length - 1])
    };
}
/**
 * A list of qualified names as pg_dump prints them in its queries (`public.a, "My, Schema"."T"`,
 * e.g. in `LOCK TABLE … IN ACCESS SHARE MODE`) as schemas and names; unqualified ones are left out.
 */
function qualifiedNames(list) {
    const names = [];
    let parts = [''];
    let quoted = false;
    for (let i = 0; i < list.length; i++) {
        const ch = list[i];
        if (ch === '"') {
            if (quoted && list[i + 1] === '"') {
                parts[parts.length - 1] += '"';
                i++;
            }
            else
                quoted = !quoted;
        }
        else if (!quoted && ch === '.')
            parts.push('');
        else if (!quoted && ch === ',') {
            if (parts.length === 2)
                names.push({ schema: parts[0], name: parts[1] });
            parts = [''];
        }
        else if (quoted || ch !== ' ')
            parts[parts.length - 1] += ch;
    }
    if (parts.length === 2)
        names.push({ schema: parts[0], name: parts[1] });
    return names;
}
/** A line of pg_dump's stderr for the log, named once ("pg_dump: detail: …" as it writes it). */
function pgDumpLine(line) {
    return line.startsWith('pg_dump: ') ? line : `pg_dump: ${line}`;
}


/***/ }),

/***/ 60975:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Du: () => (/* binding */ formatWait),
/* harmony export */   Gj: () => (/* binding */ describeBlocker),
/* harmony export */   Td: () => (/* binding */ isLockTimeout),
/* harmony export */   XB: () => (/* binding */ LockTimeoutError),
/* harmony export */   Zx: () => (/* binding */ watchLockWaits)
/* harmony export */ });
/* unused harmony exports blockersOf, isoSeconds, describeBlockers */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(83916);
/* harmony import */ var _log_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(25625);


/** The sessions blocking the waiter now (none when it does not wait). */
async function blockersOf(monitor, waiter) {
    const result = await monitor.query(`WITH waiting AS (
       SELECT unnest(pg_catalog.pg_blocking_pids(a.pid)) AS pid
         FROM pg_catalog.pg_stat_activity a
        WHERE ($1::int IS NOT NULL AND a.pid = $1) OR ($2::text IS NOT NULL AND a.application_name = $2))
     SELECT DISTINCT b.pid, b.application_name, b.usename::text AS usename, b.state,
            coalesce(b.xact_start, b.backend_start) AS since, left(b.query, 100) AS query
       FROM waiting w JOIN pg_catalog.pg_stat_activity b ON b.pid = w.pid
      ORDER BY b.pid`, [
        'pid' in waiter ? waiter.pid : null,
        'applicationName' in waiter ? waiter.applicationName : null
    ]);
    return result.rows.map(r => ({
        pid: r.pid,
        applicationName: r.application_name,
        user: r.usename ?? '',
        state: r.state,
        since: r.since ? isoSeconds(r.since) : null,
        query: r.query ?? ''
    }));
}
/**
 * A time waited, one way in every message: seconds with one decimal ("waited 5.0 s", "0.2 s",
 * "30.0 s").
 */
function formatWait(ms) {
    return `${(ms / 1000).toFixed(1)} s`;
}
/** A moment to the second, as the server-side queries write it: 2026-12-01T07:51:02Z. */
function isoSeconds(date) {
    return date.toISOString().replace(/\.\d+Z$/, 'Z');
}
/** "pid 123 (application_name 'psql', user app, idle in transaction since 2026-12-01T07:51:02Z), …". */
function describeBlockers(blockers) {
    if (blockers.length === 0)
        return 'no blocking session was seen (it may have ended)';
    return blockers.map(describeBlocker).join(', ');
}
/**
 * One blocker: "pid 123 (application_name 'psql', user app, idle in transaction since
 * 2026-12-01T07:51:02Z, holds AccessExclusiveLock)"; "no application_name" for a session
 * without one; what was not read is left out.
 */
function describeBlocker(b) {
    const details = [
        b.applicationName ? `application_name '${b.applicationName}'` : 'no application_name',
        b.user !== undefined ? `user ${b.user || 'unknown'}` : undefined,
        b.state ? `${b.state}${b.since ? ` since ${b.since}` : ''}` : undefined,
        b.lock
            ? b.lock.granted
                ? `holds ${b.lock.mode}`
                : `queued for ${b.lock.mode} (ahead of us)`
            : undefined
    ].filter(Boolean);
    return `pid ${b.pid} (${details.join(', ')})`;
}
/** A lock the action waited for was not granted within lock-timeout. */
class LockTimeoutError extends _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .CheckError */ .tl {
    blockers;
    name = 'LockTimeoutError';
    constructor(what, blockers, lockTimeoutMs) {
        super(`${what} waited ${formatWait(lockTimeoutMs)} (lock-timeout) for a lock held by ${describeBlockers(blockers)}. Nothing was changed. Run it when the application does not hold that lock (or stop that session), or raise lock-timeout (0 waits forever).`);
        this.blockers = blockers;
    }
}
/**
 * Watches `waiter` from `monitor` while `work` runs: logs the blocking sessions once when a wait
 * begins, and returns with the result of `work` the blockers last seen (for the error when
 * lock_timeout ends the wait). The first look is after `firstMs`, then every `everyMs`.
 *
 * With `cancelAfterMs` (> 0), a wait seen for that long is cancelled (pg_cancel_backend of the
 * waiting session, `cancelled` in the result): the bound for a client whose script sets its own
 * lock_timeout (pg_restore -d sends pg_dump's header, `SET lock_timeout = 0;`, to the server).
 */
async function watchLockWaits(monitor, waiter, work, options = {}) {
    let blockers = [];
    let logged = false;
    let stopped = false;
    let cancelled = false;
    let waitingSince;
    let timer;
    let looking = Promise.resolve();
    const cancelAfter = options.cancelAfterMs ?? 0;
    const look = () => {
        const seen = Date.now();
        looking = blockersOf(monitor, waiter)
            .then(async (now) => {
            if (now.length === 0) {
                waitingSince = undefined;
                return;
            }
            blockers = now;
            waitingSince ??= seen;
            if (!logged) {
                _log_js__WEBPACK_IMPORTED_MODULE_1__/* .log */ .Rm.info(`Waiting for a lock held by ${describeBlockers(now)} …`);
                logged = true;
            }
            if (cancelAfter > 0 && !stopped && Date.now() - waitingSince >= cancelAfter) {
                await cancelWaits(monitor, waiter);
                cancelled = true;
            }
        })
            .catch(() => undefined)
            .finally(() => {
            if (!stopped)
                timer = setTimeout(look, options.everyMs ?? 1000);
        });
    };
    timer = setTimeout(look, options.firstMs ?? 500);
    const [result] = await Promise.allSettled([work]);
    stopped = true;
    clearTimeout(timer);
    await looking;
    return { result, blockers, cancelled };
}
/** Cancels the statement of each session of `waiter` that waits for a lock now. */
async function cancelWaits(monitor, waiter) {
    await monitor.query(`SELECT pg_catalog.pg_cancel_backend(a.pid)
       FROM pg_catalog.pg_stat_activity a
      WHERE (($1::int IS NOT NULL AND a.pid = $1) OR ($2::text IS NOT NULL AND a.application_name = $2))
        AND pg_catalog.cardinality(pg_catalog.pg_blocking_pids(a.pid)) > 0`, [
        'pid' in waiter ? waiter.pid : null,
        'applicationName' in waiter ? waiter.applicationName : null
    ]);
}
/** Whether an error is PostgreSQL's lock_timeout (SQLSTATE 55P03, "canceling statement due to lock timeout"). */
function isLockTimeout(error) {
    const e = error;
    return e?.code === '55P03' || /lock timeout/.test(e?.message ?? '');
}


/***/ }),

/***/ 20942:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Dl: () => (/* binding */ sqlTokens),
/* harmony export */   E: () => (/* binding */ CopyScanner),
/* harmony export */   Nl: () => (/* binding */ PLAIN_TRAILER),
/* harmony export */   j: () => (/* binding */ parsePlainDumpVersions),
/* harmony export */   jH: () => (/* binding */ writtenTables),
/* harmony export */   sU: () => (/* binding */ parseCopyStatement),
/* harmony export */   tl: () => (/* binding */ PlainDumpObjects),
/* harmony export */   tw: () => (/* binding */ RELATION_KINDS)
/* harmony export */ });
/* unused harmony exports createdKind, withoutComments, scriptHazards, literalStatement */
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _psql_lexer_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7340);
/* harmony import */ var _script_gate_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(65478);
/* harmony import */ var _sql_redact_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(68273);
/**
 * Plain-format dumps (SQL scripts), read the way psql reads them (psql-lexer.ts, so CRLF line
 * ends, COPY data and quoting are psql's): the tables a script's COPY statements fill (while a
 * backup streams by), what a script creates (for clean's drops, from the statements the restore's
 * gate passes: script-gate.ts), and the versions in its header.
 */




/**
 * The relkinds (pg_class.relkind) each CREATE (or archive entry kind) makes: a view replaces a
 * view of that name, never a table (the net: unchanged.ts).
 */
const RELATION_KINDS = {
    TABLE: 'rp',
    VIEW: 'v',
    'MATERIALIZED VIEW': 'm',
    'FOREIGN TABLE': 'f',
    SEQUENCE: 'S'
};
/** The comment pg_dump writes last: a plain dump without it is truncated. */
const PLAIN_TRAILER = '-- PostgreSQL database dump complete';
/**
 * A pass-through stage over a plain dump (pg_dump's output as it is written) that records the
 * table of every COPY … FROM stdin statement, as psql would read the script.
 */
class CopyScanner extends node_stream__WEBPACK_IMPORTED_MODULE_0__.Transform {
    tables = [];
    lexer = new _psql_lexer_js__WEBPACK_IMPORTED_MODULE_1__/* .PsqlLexer */ .$p();
    failed = false;
    /**
     * The tables listed (each once: pg_dump --inserts writes a statement per row, and
     * --load-via-partition-root a COPY into the root per partition).
     */
    inserted = new Set();
    _transform(chunk, _encoding, callback) {
        this.see(() => this.lexer.write(chunk));
        callback(null, chunk);
    }
    _flush(callback) {
        this.see(() => this.lexer.end());
        callback();
    }
    see(events) {
        if (this.failed)
            return;
        try {
            for (const e of events()) {
                if (e.kind !== 'statement')
                    continue;
                // the statement's whole text: a quoted name may hold a line break (attacker a35 A4)
                if (e.copyIn !== 0 && e.sql[0] === 0x43 /* C */) {
                    const name = parseCopyStatement(e.text);
                    // pg_dump --load-via-partition-root writes one COPY into the root per partition
                    const key = name && JSON.stringify([name.schema, name.name]);
                    if (name && !this.inserted.has(key)) {
                        this.inserted.add(key);
                        this.tables.push(name);
                    }
                }
                else if (e.copyIn === 0 && e.sql[0] === 0x49 /* I */) {
                    // pg_dump --inserts / --column-inserts: INSERT INTO schema.table [(…)] VALUES …
                    // (trial u22 F2: such a backup's manifest counted no table)
                    if (!e.text.startsWith('INSERT INTO '))
                        continue;
                    const name = parseCopyStatement(`COPY ${e.text.slice('INSERT INTO '.length, 4096)}`);
                    const key = name && JSON.stringify([name.schema, name.name]);
                    if (!name || this.inserted.has(key))
                        continue;
                    this.inserted.add(key);
                    this.tables.push(name);
                }
            }
        }
        catch {
            this.failed = true; // the scan is a report, the dump itself is checked elsewhere
        }
    }
}
/** Parses the qualified table name of a plain dump's `COPY schema.table (...) FROM stdin;`. */
function parseCopyStatement(line) {
    if (!line.startsWith('COPY '))
        return undefined;
    let i = 5;
    const names = [];
    for (let part = 0; part < 2; part++) {
        if (line[i] === '"') {
            let name = '';
            i++;
            while (i < line.length) {
                if (line[i] === '"') {
                    if (line[i + 1] === '"') {
                        name += '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                name += line[i++];
            }
            names.push(name);
        }
        else {
            const m = /^[^\s."(]+/.exec(line.slice(i));
            if (!m)
                return undefined;
            names.push(m[0]);
            i += m[0].length;
        }
        if (part === 0) {
            if (line[i] !== '.')
                return names.length === 1 ? { schema: 'public', name: names[0] } : undefined;
            i++;
        }
    }
    return { schema: names[0], name: names[1] };
}
/** What a plain dump creates and fills, read from the statements the restore's gate passes. */
class PlainDumpObjects {
    schemas = [];
    /** `DROP ... IF EXISTS ... CASCADE` statements for the objects the dump creates. */
    drops = [];
    /** The tables the script's COPY … FROM stdin blocks fill, each once, in the script's order. */
    copyTables = [];
    /** Tables the script creates (CREATE TABLE), and those it inserts rows into (INSERT INTO). */
    createdTables = [];
    insertTables = [];
    /**
     * Every table a statement writes rows into (writtenTables: COPY … FROM, INSERT, UPDATE, DELETE,
     * TRUNCATE, MERGE, in a WITH too), whoever wrote the script; schema '' when unqualified.
     */
    writtenTables = [];
    /** Statements that write rows into a table whose name cannot be read: refused with allow-non-empty. */
    unreadableWrites = [];
    /** Tables an unqualified CREATE TABLE creates (search_path decides where), folded. */
    createdUnqualified = new Set();
    /**
     * Tables a plain CREATE TABLE creates (no IF NOT EXISTS) that no statement before it named in a
     * DROP, ALTER or the like (nor its schema): that CREATE fails where the target has a relation
     * of that name, as pg_restore or psql by hand fails there.
     */
    newTables = [];
    /**
     * Tables, views and sequences a plain CREATE creates (no IF NOT EXISTS, no OR REPLACE): where
     * the target has one of that name when the script ends, the script dropped it and made its
     * own (pg_dump --clean) — the net (unchanged.ts) lets it be gone.
     */
    replacingRelations = [];
    /**
     * Functions, procedures (any arguments), types, domains, collations, conversions, text search
     * objects and publications (schema '') a plain CREATE creates (no OR REPLACE): likewise, where
     * the target's of that name is gone, the script dropped it.
     */
    replacingObjects = [];
    /** Sequences the script creates (CREATE SEQUENCE, an identity column's SEQUENCE NAME). */
    createdSequences = [];
    /** The names (without schema) of the domains the script creates: ADD COLUMN of one runs its DEFAULT/CHECK. */
    createdDomains = new Set();
    /** Sequences whose value it sets (pg_dump's SELECT pg_catalog.setval('…', …)). */
    setvalSequences = [];
    /**
     * Every schema the script's statements may reach (folded as PostgreSQL folds names): those of
     * qualified names anywhere in a statement (function bodies and string literals included), of
     * SET search_path / set_config('search_path', …), and those named after SCHEMA. The guard
     * counts the target's tables there.
     */
    referencedSchemas = new Set();
    /**
     * Objects named by statements that change what exists (DROP, CREATE OR REPLACE, ALTER,
     * COMMENT, GRANT, REVOKE, SECURITY LABEL) and the sequences setval() sets: the guard refuses a
     * target that holds one of them.
     */
    namedObjects = [];
    /** Schemas such statements name (DROP SCHEMA app, GRANT … ON SCHEMA app, …). */
    namedSchemas = new Set();
    /**
     * A COPY … FROM stdin whose table is not in copyTables as the server resolves it (unqualified:
     * the session's search_path decides; or not read): copyTables does not list the script's data.
     */
    unlistedCopy = false;
    /** The script reads or writes large objects (lo_open, lowrite, COMMENT ON LARGE OBJECT, …). */
    largeObjects = false;
    /** The OIDs of the large objects the script creates (lo_create('…'), a BLOB METADATA entry's list). */
    largeObjectOids = new Set();
    /**
     * The OIDs of large objects the script unlinks before it creates them (pg_dump --clean): not
     * taken in the target when their lo_create runs.
     */
    unlinkedOids = new Set();
    /** DROP OWNED / REASSIGN OWNED: they reach every schema of the database. */
    wholeDatabase = false;
    /**
     * Statements that can write to relations other than the ones the guard checks (see
     * scriptHazards): with allow-non-empty and a target that holds rows, refused before anything runs.
     */
    get hazards() {
        // deferred statements, in their order, each with the sequences created before it
        for (const d of this.deferred.splice(0))
            this.hazard(d.text, d.keywords, d.written, d.keyedTo, d.standardConformingStrings);
        const unlinks = [...this.unlinks]
            .filter(([oid]) => !this.largeObjectOids.has(oid))
            .map(([, statement]) => ({
            statement,
            why: 'it removes a large object the backup does not create (pg_dump --clean unlinks only its own)'
        }));
        return [...this.found, ...unlinks];
    }
    found = [];
    /**
     * With deferHazards: the statements whose hazards are not read yet, each with the number of
     * createdSequences when it was seen (hazards reads them in order, as see would have).
     */
    deferred = [];
    deferHazards;
    /**
     * `deferHazards`: scriptHazards runs only when `hazards` is read (allow-non-empty into a target
     * with rows), over the statements kept until then, with what it would have found in `see`.
     * For an archive's entries, which are in memory anyway; a streamed script reads them at once.
     */
    constructor(options = {}) {
        this.deferHazards = options.deferHazards === true;
    }
    /** pg_dump --clean's lo_unlink of an OID (before its lo_create): a hazard unless the backup creates it. */
    unlinks = new Map();
    /** createdSequences as sequenceKey keys (the first `keyed` of them). */
    sequenceKeys = new Set();
    keyed = 0;
    /** Views (and materialized views) the script creates, folded: writing into one reaches its base table. */
    createdViews = new Set();
    /** Tables, views and foreign tables the script creates, folded ([schema ('' unqualified), name]). */
    createdRelations = new Set();
    /** The first CREATE TRIGGER seen: a statement writing rows after it fires it. */
    trigger;
    namedKeys = new Set();
    /** Names (JSON [schema, name] or [schema]) a DROP or ALTER named; `new:` keys: newTables. */
    cleared = new Set();
    gate;
    /** An archive's: its entries' statements (comments gone) as read up front (see unseen). */
    known = new Set();
    /** An archive's: the tables of its selected TABLE DATA entries, [namespace, tag] keys. */
    dataTableKeys = new Set();
    /**
     * A statement the load sends that the up-front reading of an archive did not see (the SQL of a
     * data entry, pg_dump --inserts: its data is not in the table of contents): why allow-non-empty
     * into a target with rows refuses it, or undefined. The same checks as for a script's
     * statements (scriptHazards: only literal INSERTs, pg_dump's own calls, …), and it writes rows
     * only into the table of one of the archive's data entries (those the guard checked), never
     * into a view the archive creates.
     */
    unseen(e) {
        const text = withoutComments(e.text).trim();
        if (this.known.has(text))
            return undefined;
        for (const q of this.createdSequences.slice(this.keyed))
            this.sequenceKeys.add(JSON.stringify([q.schema.toLowerCase(), q.name.toLowerCase()]));
        this.keyed = this.createdSequences.length;
        const why = scriptHazards(text, [], this.sequenceKeys, {
            standardConformingStrings: e.standardConformingStrings,
            domains: this.createdDomains
        });
        if (why.length > 0)
            return why.join('; ');
        const written = writtenTables(text);
        if (written.unreadable.length > 0)
            return 'it writes rows into a table whose name the restore cannot read';
        for (const t of written.tables) {
            const key = JSON.stringify([t.schema, t.name]);
            const name = `${t.schema === '' ? '' : `${t.schema}.`}${t.name}`;
            if (this.createdViews.has(key))
                return `it writes rows into ${name}, a view the archive creates: the rows go into its base tables`;
            if (t.schema === '' || !this.dataTableKeys.has(key))
                return `it writes rows into ${name}, which is not the table of one of the archive's data entries (the tables the restore checked)`;
        }
        return undefined;
    }
    /** The "dump complete" trailer was seen (outside statements and data). */
    get complete() {
        return this.gate?.facts.complete ?? false;
    }
    /** Starts like pg_dump's output ("-- PostgreSQL database dump"): then it must end like it. */
    get madeByPgDump() {
        return this.gate?.facts.madeByPgDump ?? false;
    }
    /** A gate (see ScriptGate) that reads the script as it streams by; it refuses as it would load. */
    scanner(options) {
        this.gate = new _script_gate_js__WEBPACK_IMPORTED_MODULE_2__/* .ScriptGate */ .Rg({
            ...options,
            onStatement: e => this.see(e),
            onCopyEnd: e => {
                const open = this.openCopy;
                this.openCopy = undefined;
                if (open && e.end === 'marker')
                    this.copyBlocks.push({
                        ...open,
                        end: e.offset + (e.marker?.length ?? 0),
                        endLine: e.line + 1
                    });
            }
        });
        return this.gate;
    }
    /**
     * The script's COPY … FROM stdin statements with their data, as byte ranges of the decoded
     * script (from the statement's first byte to the line after its "\." line) and the lines they
     * begin and end on: read by the scanner, for a load that puts a table's rows after those of a
     * table its key references (load.ts plainPasses).
     */
    copyBlocks = [];
    openCopy;
    /** The statements seen that are not a COPY … FROM stdin (PlainCopyBlock.statementsBefore). */
    otherStatements = 0;
    /**
     * One statement psql would send. Returns its text as the server reads it, comments gone
     * (withoutComments), which an archive's reading keeps (known) without computing it again.
     */
    see(e) {
        // the statement as the server reads it, its comments gone (psql sends a leading /* … */):
        // every test goes by it, never by the text as written
        const text = withoutComments(e.text);
        this.seeText(e, text);
        return text;
    }
    seeText(e, text) {
        // its leading words, as classifyStatement reads them (without the rest of its classification,
        // which the gate's rules use: a statement is a COPY when its first word is)
        const cls = { keywords: e.parts[0].keywords };
        this.references(text, cls.keywords);
        // pg_dump --clean unlinks each large object before it creates it again: one the script
        // unlinks first is not taken in the target when its lo_create runs
        if (/lo_unlink/i.test(text)) {
            const unlink = /\blo_unlink\s*\(\s*oid\s*\)\s+FROM\s+pg_catalog\.pg_largeobject_metadata\s+WHERE\s+oid\s*=\s*'?(\d+)'?/i.exec(text) ?? /\blo_unlink\s*\(\s*'?(\d+)'?\s*\)/i.exec(text);
            if (unlink && !this.largeObjectOids.has(unlink[1]))
                this.unlinkedOids.add(unlink[1]);
        }
        if (/lo_create/i.test(text))
            for (const m of text.matchAll(/\blo_create\s*\(\s*'?(\d+)'?\s*\)/gi))
                this.largeObjectOids.add(m[1]);
        if (/^\s*create\s+domain\b/i.test(text)) {
            const tokens = sqlTokens(text, false);
            const name = qualifiedAt(tokens, 2);
            if (name)
                this.createdDomains.add(name[1]);
        }
        let written;
        if (WRITES.test(text)) {
            written = writtenTables(text);
            for (const t of written.tables)
                this.writtenTables.push(t);
            for (const s of written.unreadable)
                this.unreadableWrites.push(s);
        }
        if (this.deferHazards)
            this.deferred.push({
                text,
                keywords: cls.keywords,
                written,
                keyedTo: this.createdSequences.length,
                standardConformingStrings: e.standardConformingStrings
            });
        else
            this.hazard(text, cls.keywords, written, this.createdSequences.length, e.standardConformingStrings);
        const bare = /^\s*CREATE\s+(?:(?:UNLOGGED|TEMP|TEMPORARY)\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?("(?:[^"]|"")+"|[A-Za-z_][\w$]*)\s*(?:\(|AS\b|OF\b|PARTITION\b)/i.exec(text);
        if (bare)
            this.createdUnqualified.add(sqlTokens(bare[1], false)[0]?.value ?? '');
        if (cls.keywords[0] !== 'COPY' || e.copyIn === 0)
            this.otherStatements++;
        if (cls.keywords[0] === 'COPY') {
            // the statement's whole text, not its first line: a quoted name may hold a line break
            // (COPY public."a<newline>b" … was read as public.a, and two such tables counted as one)
            const copy = e.copyIn > 0 ? parseCopyStatement(text) : undefined;
            // a table COPYed twice (two blocks) is one table: its rows counted once, from the target
            if (copy && !this.copyTables.some(t => t.schema === copy.schema && t.name === copy.name))
                this.copyTables.push(copy);
            this.openCopy = copy && {
                ...copy,
                start: e.offset,
                line: e.line,
                qualified: /^COPY\s+(?:"(?:[^"]|"")+"|[^\s."(]+)\./.test(text),
                statementsBefore: this.otherStatements
            };
            // a COPY of data whose table the list cannot name as the server will resolve it (an
            // unqualified or lower-case copy, as written by hand): the restore counts what it finds
            if (e.copyIn > 0 && (!copy || !/^COPY\s+(?:"(?:[^"]|"")+"|[^\s."(]+)\./.test(text)))
                this.unlistedCopy = true;
            return;
        }
        const insert = /^INSERT INTO /.exec(text);
        if (insert) {
            const table = parseCopyStatement(`COPY ${text.slice(insert[0].length)}`);
            if (table)
                this.insertTables.push(table);
            return;
        }
        const setval = /^SELECT pg_catalog\.setval\('((?:[^']|'')+)', /.exec(text);
        if (setval) {
            const sequence = parseCopyStatement(`COPY ${setval[1].replace(/''/g, "'")}`);
            if (sequence)
                this.setvalSequences.push(sequence);
            return;
        }
        if (cls.keywords[0] === 'ALTER' && /^ALTER TABLE /.test(text)) {
            const identity = /\bAS IDENTITY \(\s*SEQUENCE NAME ((?:"(?:[^"]|"")+"|[^\s."(]+)\.(?:"(?:[^"]|"")+"|[^\s"(;]+))/.exec(text);
            const sequence = identity ? parseCopyStatement(`COPY ${identity[1]}`) : undefined;
            if (sequence) {
                this.createdSequences.push(sequence);
                // an identity's sequence, made by the ALTER: where the target's of that name is gone, the
                // script dropped it (with its table, pg_dump --clean)
                this.replacingRelations.push({ ...sequence, kinds: 'S' });
            }
            return;
        }
        if (cls.keywords[0] !== 'CREATE')
            return;
        const schema = /^CREATE SCHEMA (?:IF NOT EXISTS )?("(?:[^"]|"")+"|[^\s;]+)/.exec(text);
        if (schema) {
            const name = schema[1].startsWith('"')
                ? schema[1].slice(1, -1).replace(/""/g, '"')
                : schema[1];
            this.schemas.push(name);
            if (name !== 'public')
                this.drops.push(`DROP SCHEMA IF EXISTS ${schema[1]} CASCADE;`);
            return;
        }
        const object = /^CREATE (?:UNLOGGED |FOREIGN )?(TABLE|VIEW|MATERIALIZED VIEW|SEQUENCE|TYPE|DOMAIN) (?:IF NOT EXISTS )?((?:"(?:[^"]|"")+"|[^\s."(]+)\.(?:"(?:[^"]|"")+"|[^\s"(;]+))/.exec(text);
        if (object) {
            if (['TABLE', 'VIEW', 'MATERIALIZED VIEW', 'SEQUENCE'].includes(object[1]) &&
                !/^CREATE (?:UNLOGGED |FOREIGN )?(?:TABLE|VIEW|MATERIALIZED VIEW|SEQUENCE) IF NOT EXISTS /.test(text)) {
                const relation = parseCopyStatement(`COPY ${object[2]}`);
                const kinds = /^CREATE FOREIGN /.test(text) ? 'f' : RELATION_KINDS[object[1]];
                if (relation)
                    this.replacingRelations.push({ ...relation, kinds });
            }
            if (object[1] === 'TABLE') {
                const table = parseCopyStatement(`COPY ${object[2]}`);
                if (table)
                    this.createdTables.push(table);
                // the name as the server folds it (an unquoted Accounts is accounts)
                const [schema, dot, name] = sqlTokens(object[2], false);
                if (dot?.value === '.' && !/^CREATE (?:UNLOGGED |FOREIGN )?TABLE IF NOT EXISTS /.test(text))
                    this.newTable({ schema: schema.value, name: name.value });
            }
            if (object[1] === 'SEQUENCE') {
                const sequence = parseCopyStatement(`COPY ${object[2]}`);
                if (sequence)
                    this.createdSequences.push(sequence);
            }
            if (object[1] === 'TYPE' || object[1] === 'DOMAIN') {
                const type = parseCopyStatement(`COPY ${object[2]}`);
                if (type)
                    this.replacingObjects.push({ ...type, kind: 'type' });
            }
            const kind = object[1] === 'TABLE' && /^CREATE FOREIGN/.test(text) ? 'FOREIGN TABLE' : object[1];
            this.drops.push(`DROP ${kind} IF EXISTS ${object[2]} CASCADE;`);
            return;
        }
        const other = /^CREATE (TEXT SEARCH (?:CONFIGURATION|DICTIONARY|PARSER|TEMPLATE)|COLLATION|CONVERSION|OPERATOR CLASS|OPERATOR FAMILY) ((?:"(?:[^"]|"")+"|[^\s."(]+)\.(?:"(?:[^"]|"")+"|[^\s"(;]+))/.exec(text);
        const created = other ? parseCopyStatement(`COPY ${other[2]}`) : undefined;
        if (other && created) {
            this.replacingObjects.push({ ...created, kind: other[1].toLowerCase() });
            return;
        }
        // outside schemas: by name (an extension: pg_dump writes IF NOT EXISTS, after its DROP)
        const global = /^CREATE (PUBLICATION|SERVER|FOREIGN DATA WRAPPER|EVENT TRIGGER|EXTENSION(?: IF NOT EXISTS)?) ("(?:[^"]|"")+"|[^\s;"]+)/.exec(text);
        if (global) {
            const name = global[2].startsWith('"')
                ? global[2].slice(1, -1).replace(/""/g, '"')
                : global[2].toLowerCase();
            const kind = global[1]
                .replace(/ IF NOT EXISTS$/, '')
                .replace('FOREIGN DATA WRAPPER', 'foreign-data wrapper')
                .toLowerCase();
            this.replacingObjects.push({ schema: '', name, kind });
            return;
        }
        // a cast by its types as pg_dump writes them (format_type, as the net reads them)
        const cast = /^CREATE CAST \((.+?) AS (.+?)\) /.exec(text);
        if (cast) {
            this.replacingObjects.push({ schema: '', name: `(${cast[1]} AS ${cast[2]})`, kind: 'cast' });
            return;
        }
        const fn = /^CREATE (?:OR REPLACE )?(FUNCTION|PROCEDURE) ((?:"(?:[^"]|"")+"|[^\s."(]+)\.(?:"(?:[^"]|"")+"|[^\s"(]+))\(/.exec(text);
        if (fn && !/^CREATE OR REPLACE /.test(text)) {
            const created = parseCopyStatement(`COPY ${fn[2]}`);
            if (created)
                this.replacingObjects.push({ ...created, kind: 'function' });
        }
        const args = fn ? signatureArguments(text, fn[0].length) : undefined;
        if (fn && args !== undefined)
            this.drops.push(`DROP ${fn[1]} IF EXISTS ${fn[2]}(${args}) CASCADE;`);
    }
    /** What a statement reaches: its schemas and the existing objects it may change (see above). */
    references(text, keywords) {
        const first = (keywords[0] ?? '').toUpperCase();
        const changes = ['DROP', 'ALTER', 'COMMENT', 'GRANT', 'REVOKE', 'SECURITY'].includes(first) ||
            (first === 'CREATE' && /^\s*CREATE\s+OR\s+REPLACE\b/i.test(text));
        // an INSERT's string literals are data (pg_dump --inserts): only its names count
        const tokens = sqlTokens(text, first !== 'INSERT');
        // DROP and ALTER (… RENAME, SET SCHEMA) may take a name away before a CREATE TABLE of it
        const clears = first === 'DROP' || first === 'ALTER';
        if (/^\s*(?:DROP|REASSIGN)\s+OWNED\b/i.test(text))
            this.wholeDatabase = true;
        for (let i = 0; i < tokens.length; i++) {
            const t = tokens[i];
            if (t.kind === 'string') {
                const value = t.value.toLowerCase();
                if (/^search_path$/.test(value) && tokens[i + 1]?.kind === 'punct') {
                    const next = tokens[i + 2];
                    if (next?.kind === 'string')
                        for (const s of searchPathList(next.value))
                            this.schema(s);
                }
                continue;
            }
            if (t.kind !== 'ident')
                continue;
            const v0 = t.value;
            if (!t.quoted && (v0.startsWith('lo_') || v0 === 'lowrite' || v0 === 'loread'))
                this.largeObjects = true;
            if (!t.quoted && v0 === 'large' && tokens[i + 1]?.value === 'object')
                this.largeObjects = true;
            if (!t.quoted && v0 === 'search_path' && afterSet(tokens, i)) {
                // SET [SESSION|LOCAL] search_path {=|TO} a, "B", …
                for (let j = i + 1; j < tokens.length; j++) {
                    const v = tokens[j];
                    if (v.kind === 'ident' && !(j === i + 1 && !v.quoted && v.value === 'to'))
                        this.schema(v.value);
                    else if (v.kind === 'string')
                        for (const s of searchPathList(v.value))
                            this.schema(s);
                    else if (v.kind === 'punct' && v.value === ';')
                        break;
                }
            }
            if (!t.quoted && t.value === 'setval' && tokens[i + 1]?.value === '(') {
                const arg = tokens[i + 2];
                if (arg?.kind === 'string') {
                    const name = parseCopyStatement(`COPY ${arg.value}`);
                    if (name) {
                        const folded = {
                            schema: arg.value.startsWith('"') ? name.schema : name.schema.toLowerCase(),
                            name: /\."/.test(arg.value) ? name.name : name.name.toLowerCase()
                        };
                        this.schema(folded.schema);
                        this.named(folded);
                    }
                }
            }
            if (changes && !t.quoted && t.value === 'schema' && tokens[i - 1]?.value !== 'create') {
                // DROP SCHEMA [IF EXISTS] a, b / GRANT … ON SCHEMA a / … IN SCHEMA a
                let j = i + 1;
                if (tokens[j]?.value === 'if' && tokens[j + 1]?.value === 'exists')
                    j += 2;
                for (; j < tokens.length; j += 2) {
                    const v = tokens[j];
                    if (v?.kind !== 'ident')
                        break;
                    this.schema(v.value);
                    if (!RESERVED_SCHEMA.test(v.value))
                        this.namedSchemas.add(v.value);
                    if (clears)
                        this.cleared.add(JSON.stringify([v.value]));
                    if (tokens[j + 1]?.value !== ',')
                        break;
                }
            }
            // a qualified name: a.b or a.b.c
            if (tokens[i + 1]?.value === '.' && tokens[i + 2]?.kind === 'ident') {
                const b = tokens[i + 2].value;
                this.schema(t.value);
                if (changes)
                    this.named({ schema: t.value, name: b });
                if (clears)
                    this.cleared.add(JSON.stringify([t.value, b]));
                if (tokens[i + 3]?.value === '.' && tokens[i + 4]?.kind === 'ident') {
                    this.schema(b);
                    if (changes)
                        this.named({ schema: b, name: tokens[i + 4].value });
                }
            }
        }
    }
    /** Records what scriptHazards finds in one statement (views, triggers: from the statements before). */
    hazard(text, keywords, written, 
    /** createdSequences' length when the statement was seen: those before it count. */
    keyedTo, standardConformingStrings = true) {
        const statement = oneLine(text);
        let entry;
        const add = (why) => {
            if (entry)
                entry.why = `${entry.why}; ${why}`;
            else if (this.found.length < 100)
                this.found.push((entry = { statement, why }));
        };
        for (const q of this.createdSequences.slice(this.keyed, keyedTo))
            this.sequenceKeys.add(JSON.stringify([q.schema.toLowerCase(), q.name.toLowerCase()]));
        this.keyed = Math.max(this.keyed, keyedTo);
        const sequences = this.sequenceKeys;
        const unlink = LO_UNLINK.exec(text.replace(/\s+/g, ' ').trim());
        if (unlink)
            this.unlinks.set(unlink[1], statement);
        for (const why of scriptHazards(text, keywords, sequences, {
            standardConformingStrings,
            domains: this.createdDomains
        }))
            add(why);
        // by the statement's tokens (comments gone, names folded), never by its text as written
        const tokens = sqlTokens(text, false);
        const created = createdKind(tokens);
        // the target's own tables: what attaches to one of them (a child whose rows its reads
        // return, a partition, a trigger, rule, policy, index or statistics on it) changes it
        for (const [name, how] of attachedTables(tokens, created)) {
            if (this.createdRelation(name))
                continue;
            add(`${how} ${name[0] === '' ? '' : `${name[0]}.`}${name[1]}, a table the script does not create: it changes one of the target's own tables (pg_dump attaches only to the tables it creates)`);
        }
        // a RENAME or SET SCHEMA of the target's own relation: the checks go by names (F25)
        const renamed = renamedRelation(tokens);
        if (renamed && !this.createdRelation(renamed))
            add(`it renames or moves ${renamed[0] === '' ? '' : `${renamed[0]}.`}${renamed[1]}, a relation the script does not create: the restore's checks go by the names the target has (pg_dump renames nothing)`);
        if (created) {
            const kind = created.kind;
            const at = kind === 'materialized' ? created.next + 1 : created.next;
            if (kind === 'view' || kind === 'materialized' || kind === 'table' || kind === 'foreign') {
                const skip = word(tokens, at, 'if') && word(tokens, at + 2, 'exists') ? 3 : 0;
                const name = qualifiedAt(tokens, at + (kind === 'foreign' ? 1 : 0) + skip);
                if (name) {
                    this.createdRelations.add(JSON.stringify(name));
                    if (kind !== 'table' && kind !== 'foreign')
                        this.createdViews.add(JSON.stringify(name));
                }
            }
            // an ON SELECT rule turns its table into a view (PostgreSQL 15 and before)
            if (kind === 'rule') {
                const on = tokens.findIndex((_t, k) => word(tokens, k, 'on'));
                const to = tokens.findIndex((_t, k) => k > on && word(tokens, k, 'to'));
                const table = to > 0 ? qualifiedAt(tokens, to + 1) : undefined;
                if (on > 0 && word(tokens, on + 1, 'select') && table)
                    this.createdViews.add(JSON.stringify(table));
            }
            if (kind === 'trigger')
                this.trigger ??= oneLine(text, 80);
            if (kind === 'schema') {
                // CREATE SCHEMA name [AUTHORIZATION role]: pg_dump writes no schema elements
                let k = created.next;
                if (word(tokens, k, 'if') && word(tokens, k + 2, 'exists'))
                    k += 3;
                if (!word(tokens, k, 'authorization'))
                    k++;
                if (word(tokens, k, 'authorization'))
                    k += 2;
                if (k < tokens.length && !(tokens[k].kind === 'punct' && tokens[k].value === ';'))
                    add('CREATE SCHEMA with schema elements (a CREATE TABLE, VIEW, TRIGGER, … inside it) is not what pg_dump writes, and the restore does not read them as statements of their own');
            }
        }
        for (const t of written?.tables ?? []) {
            if (this.createdViews.has(JSON.stringify([t.schema, t.name])) ||
                (t.schema === '' && [...this.createdViews].some(v => JSON.parse(v)[1] === t.name)))
                add(`it writes rows into ${t.schema === '' ? '' : `${t.schema}.`}${t.name}, a view the script creates: the rows go into the view's base tables, which the restore does not check`);
            else if (this.trigger !== undefined)
                add(`it writes rows after the script created a trigger (${this.trigger}), which fires on them and may write anywhere (pg_dump creates triggers after all the data)`);
        }
    }
    /** A table, view or foreign table the script created before: [schema ('' unqualified), name]. */
    createdRelation(name) {
        if (this.createdRelations.has(JSON.stringify(name)))
            return true;
        // an unqualified name on either side: the search_path decides, the name must match
        return [...this.createdRelations].some(key => {
            const [schema, rel] = JSON.parse(key);
            return rel === name[1] && (schema === '' || name[0] === '');
        });
    }
    /** See newTables: unless an earlier DROP or ALTER may have taken the name away. */
    newTable(table) {
        const key = JSON.stringify([table.schema, table.name]);
        if (this.wholeDatabase ||
            this.cleared.has(key) ||
            this.cleared.has(JSON.stringify([table.schema])))
            return;
        if (this.cleared.has(`new:${key}`))
            return;
        this.cleared.add(`new:${key}`);
        this.newTables.push(table);
    }
    schema(name) {
        if (name !== '' && !RESERVED_SCHEMA.test(name))
            this.referencedSchemas.add(name);
    }
    named(object) {
        if (RESERVED_SCHEMA.test(object.schema))
            return;
        const key = JSON.stringify([object.schema, object.name]);
        if (this.namedKeys.has(key))
            return;
        this.namedKeys.add(key);
        this.namedObjects.push(object);
    }
}
/** SET search_path, SET LOCAL search_path, SET SESSION search_path: the token at i follows SET. */
function afterSet(tokens, i) {
    const before = tokens[i - 1]?.value;
    return (before === 'set' ||
        ((before === 'local' || before === 'session') && tokens[i - 2]?.value === 'set'));
}
/** A statement's text on one line, at most `max` characters, its secrets redacted (quoteSql). */
function oneLine(text, max = 160) {
    return (0,_sql_redact_js__WEBPACK_IMPORTED_MODULE_3__/* .quoteSql */ .Xd)(text, max);
}
/** A sequence's name as a key: [schema.]name, folded, public when unqualified. */
function sequenceKey(name) {
    const parts = sqlTokens(name, false).filter(t => t.kind === 'ident');
    const [schema, seq] = parts.length === 1 ? ['public', parts[0]?.value] : [parts[0]?.value, parts[1]?.value];
    return JSON.stringify([(schema ?? '').toLowerCase(), (seq ?? '').toLowerCase()]);
}
/** A [schema.]name at tokens[i]: [schema ('' when unqualified), name]. */
function qualifiedAt(tokens, i) {
    if (tokens[i]?.kind !== 'ident')
        return undefined;
    if (tokens[i + 1]?.value === '.' && tokens[i + 2]?.kind === 'ident')
        return [tokens[i].value, tokens[i + 2].value];
    return ['', tokens[i].value];
}
/** Whether tokens[i] is the unquoted word w. */
function word(tokens, i, w) {
    return tokens[i]?.kind === 'ident' && tokens[i].quoted !== true && tokens[i].value === w;
}
/** Words between CREATE and the kind of object it creates (OR REPLACE, TEMP, UNIQUE, …). */
const CREATE_MODIFIERS = new Set([
    'or',
    'replace',
    'temp',
    'temporary',
    'global',
    'local',
    'unlogged',
    'recursive',
    'constraint',
    'unique',
    'trusted',
    'procedural',
    'default'
]);
/**
 * What a CREATE statement creates, read from its tokens (comments gone, any case or spacing):
 * its kind word ('table', 'view', 'materialized', 'rule', 'trigger', 'index', …) and the index
 * of the token after it; undefined for other statements.
 */
function createdKind(tokens) {
    if (!word(tokens, 0, 'create'))
        return undefined;
    let i = 1;
    while (tokens[i]?.kind === 'ident' && !tokens[i].quoted && CREATE_MODIFIERS.has(tokens[i].value))
        i++;
    return tokens[i]?.kind === 'ident' && !tokens[i].quoted
        ? { kind: tokens[i].value, next: i + 1 }
        : undefined;
}
/**
 * The tables a statement attaches to or changes the shape of, and how: CREATE TABLE … INHERITS
 * (…) / PARTITION OF, CREATE INDEX / TRIGGER / POLICY … ON, CREATE RULE … TO, CREATE STATISTICS
 * … FROM, ALTER TABLE … INHERIT / [ATTACH|DETACH] PARTITION (both tables).
 */
function attachedTables(tokens, created) {
    const out = [];
    const at = (i, how) => {
        const k = word(tokens, i, 'only') ? i + 1 : i;
        const name = qualifiedAt(tokens, k);
        if (name)
            out.push([name, how]);
        else
            out.push([['', tokens[k]?.value ?? '?'], how]);
    };
    const find = (w, from) => tokens.findIndex((_t, k) => k >= from && word(tokens, k, w));
    if (created) {
        const { kind, next } = created;
        if (kind === 'table' || kind === 'foreign') {
            const inherits = tokens.findIndex((_t, k) => k >= next && word(tokens, k, 'inherits') && tokens[k + 1]?.value === '(');
            if (inherits >= 0)
                for (let k = inherits + 2; k < tokens.length;) {
                    at(k, 'it inherits from');
                    while (k < tokens.length && tokens[k].value !== ',' && tokens[k].value !== ')')
                        k++;
                    if (tokens[k]?.value !== ',')
                        break;
                    k++;
                }
            const partition = tokens.findIndex((_t, k) => k >= next && word(tokens, k, 'partition') && word(tokens, k + 1, 'of'));
            if (partition >= 0)
                at(partition + 2, 'it creates a partition of');
        }
        const on = (w, how) => {
            const k = find(w, next);
            if (k >= 0)
                at(k + 1, how);
            else
                out.push([['', '?'], how]);
        };
        if (kind === 'index')
            on('on', 'it creates an index on');
        if (kind === 'trigger')
            on('on', 'it creates a trigger on');
        if (kind === 'policy')
            on('on', 'it creates a policy on');
        if (kind === 'statistics')
            on('from', 'it creates statistics on');
        if (kind === 'rule') {
            const k = find('on', next);
            const to = k >= 0 ? find('to', k) : -1;
            if (to >= 0)
                at(to + 1, 'it creates a rule on');
            else
                out.push([['', '?'], 'it creates a rule on']);
        }
        return out;
    }
    if (word(tokens, 0, 'alter') && word(tokens, 1, 'table')) {
        let k = 2;
        if (word(tokens, k, 'if') && word(tokens, k + 1, 'exists'))
            k += 2;
        const before = out.length;
        for (let i = k; i < tokens.length; i++) {
            if (word(tokens, i, 'inherit') && !word(tokens, i - 1, 'no'))
                at(i + 1, 'it makes a table inherit from');
            else if (word(tokens, i, 'inherit'))
                at(i + 1, 'it detaches a table from');
            else if ((word(tokens, i, 'attach') || word(tokens, i, 'detach')) &&
                word(tokens, i + 1, 'partition'))
                at(i + 2, `it ${tokens[i].value}es a partition`);
        }
        if (out.length > before)
            at(k, 'it changes the partitions or parents of');
    }
    return out;
}
/**
 * The statement's text without its comments (-- … and nested /* … *\/ outside literals and
 * quoted names, each replaced by a space), leading white space gone: what the server reads.
 */
function withoutComments(text) {
    if (!text.includes('--') && !text.includes('/*'))
        return text.trimStart();
    let out = '';
    const n = text.length;
    let i = 0;
    let from = 0;
    while (i < n) {
        const c = text.charCodeAt(i);
        if ((c === 0x45 || c === 0x65) && text.charCodeAt(i + 1) === 0x27 && !identBefore(text, i)) {
            i += 2;
            for (;;) {
                const d = text.charCodeAt(i);
                if (d === 0x5c && i + 1 < n)
                    i += 2;
                else if (d === 0x27 && text.charCodeAt(i + 1) === 0x27)
                    i += 2;
                else if (d === 0x27 || i >= n)
                    break;
                else
                    i++;
            }
            i++;
        }
        else if (isIdentStart(c)) {
            i++;
            while (i < n && isIdentPart(text.charCodeAt(i)))
                i++;
        }
        else if (c === 0x22 || c === 0x27) {
            i = quotedEnd(text, i + 1, c) + 1;
        }
        else if (c === 0x24 && dollarTagEnd(text, i) > 0 && !identBefore(text, i)) {
            const t = text.slice(i, dollarTagEnd(text, i));
            const end = text.indexOf(t, i + t.length);
            i = end < 0 ? n : end + t.length;
        }
        else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
            out += `${text.slice(from, i)} `;
            i = (0,_sql_redact_js__WEBPACK_IMPORTED_MODULE_3__/* .blockCommentEnd */ .iY)(text, i);
            from = i;
        }
        else if (c === 0x2d && text.charCodeAt(i + 1) === 0x2d) {
            out += `${text.slice(from, i)} `;
            const end = text.indexOf('\n', i);
            i = end < 0 ? n : end;
            from = i;
        }
        else
            i++;
    }
    return (out + text.slice(from, n)).trimStart();
}
/** An identifier character just before i (E'…' and $…$ start no literal there). */
function identBefore(text, i) {
    return i > 0 && isIdentPart(text.charCodeAt(i - 1));
}
/** ALTER TABLE / VIEW / MATERIALIZED VIEW / FOREIGN TABLE name … RENAME | SET SCHEMA: the name. */
function renamedRelation(tokens) {
    if (!word(tokens, 0, 'alter'))
        return undefined;
    let k = 1;
    if (word(tokens, k, 'materialized') || word(tokens, k, 'foreign'))
        k++;
    if (!word(tokens, k, 'table') && !word(tokens, k, 'view'))
        return undefined;
    k++;
    if (word(tokens, k, 'if') && word(tokens, k + 1, 'exists'))
        k += 2;
    if (word(tokens, k, 'only'))
        k++;
    const name = qualifiedAt(tokens, k);
    const moves = tokens.some((_t, i) => i > k &&
        (word(tokens, i, 'rename') || (word(tokens, i, 'set') && word(tokens, i + 1, 'schema'))));
    return moves ? (name ?? ['', '?']) : undefined;
}
/** CREATE TABLE … AS (a query, EXECUTE): AS outside parentheses, from `from`. */
function asQuery(tokens, from) {
    let depth = 0;
    for (let i = from; i < tokens.length; i++) {
        const t = tokens[i];
        if (t.kind === 'punct' && t.value === '(')
            depth++;
        else if (t.kind === 'punct' && t.value === ')')
            depth--;
        else if (depth === 0 && word(tokens, i, 'as'))
            return true;
    }
    return false;
}
/** The statement ends with WITH NO DATA (and its ";"). */
function withNoData(tokens) {
    let end = tokens.length;
    while (end > 0 && tokens[end - 1].kind === 'punct' && tokens[end - 1].value === ';')
        end--;
    return (word(tokens, end - 3, 'with') && word(tokens, end - 2, 'no') && word(tokens, end - 1, 'data'));
}
/**
 * ALTER TABLE … ADD [COLUMN] [IF NOT EXISTS] c type (any of its clauses): the type's name when it
 * is one of `domains` (by its name without schema: a domain of the script's whatever the schema
 * the search_path finds first), else undefined.
 */
function addedDomainColumn(tokens, domains) {
    if (!domains || domains.size === 0 || !word(tokens, 0, 'alter') || !word(tokens, 1, 'table'))
        return undefined;
    let depth = 0;
    for (let i = 2; i < tokens.length; i++) {
        const t = tokens[i];
        if (t.kind === 'punct' && t.value === '(')
            depth++;
        else if (t.kind === 'punct' && t.value === ')')
            depth--;
        if (depth !== 0 || !word(tokens, i, 'add'))
            continue;
        let k = i + 1;
        if (word(tokens, k, 'column'))
            k++;
        if (word(tokens, k, 'if') && word(tokens, k + 1, 'not') && word(tokens, k + 2, 'exists'))
            k += 3;
        const type = qualifiedAt(tokens, k + 1);
        if (type && domains.has(type[1]))
            return type[0] === '' ? type[1] : `${type[0]}.${type[1]}`;
    }
    return undefined;
}
/**
 * The one type name of LITERAL_ARGS' casts that is not an SQL keyword (integer, smallint, real and
 * boolean always mean pg_catalog's types): the server resolves it through the search_path.
 */
const SHADOWED_TYPE = 'text';
/** Kinds of CREATE that make a type of their name (a relation's row type included). */
const TYPE_MAKING = new Set([
    'type',
    'domain',
    'table',
    'view',
    'materialized',
    'sequence',
    'foreign'
]);
/**
 * How a statement makes a type named SHADOWED_TYPE in any schema ('creates', 'renames to'), or
 * undefined: CREATE TYPE / DOMAIN / TABLE / VIEW / MATERIALIZED VIEW / SEQUENCE / FOREIGN TABLE of
 * that name, or any … RENAME TO it. A quoted "text" is the same name; "TEXT" is not.
 */
function shadowingType(tokens, created) {
    if (created && TYPE_MAKING.has(created.kind)) {
        let k = created.next;
        if (created.kind === 'materialized' && word(tokens, k, 'view'))
            k++;
        if (created.kind === 'foreign' && !word(tokens, k++, 'table'))
            return undefined;
        if (word(tokens, k, 'if') && word(tokens, k + 1, 'not') && word(tokens, k + 2, 'exists'))
            k += 3;
        if (qualifiedAt(tokens, k)?.[1] === SHADOWED_TYPE)
            return 'creates';
    }
    for (let i = 0; i + 2 < tokens.length; i++)
        if (word(tokens, i, 'rename') &&
            word(tokens, i + 1, 'to') &&
            tokens[i + 2].kind === 'ident' &&
            tokens[i + 2].value === SHADOWED_TYPE)
            return 'renames something to';
    return undefined;
}
/**
 * A literal argument list as pg_dump writes it: 'text', numbers, true/false, NULL, and the casts
 * its statistics calls write (PostgreSQL 18: integer, smallint, real, boolean, text, real[]): no
 * other type, whose input function (a domain's CHECK) would run the script's code.
 */
const LITERAL_ARGS = String.raw `(?:\s*(?:-?[0-9][\w.]*|'(?:[^']|'')*'(?:::(?:integer|smallint|real|boolean|text)(?:\[\])?)?|true|false|NULL)\s*(?:,|(?=\))))*`;
/** pg_dump --clean's removal of a large object (a hazard when the backup does not create it). */
const LO_UNLINK = /^SELECT pg_catalog\.lo_unlink\(oid\) FROM pg_catalog\.pg_largeobject_metadata WHERE oid = '(\d+)';?$/;
/**
 * The top-level function calls pg_dump itself writes (PostgreSQL 9.2 to 18), with literal
 * arguments only: setval of a named sequence, set_config, the large object calls, statistics.
 */
const PG_DUMP_CALLS = [
    new RegExp(String.raw `^SELECT pg_catalog\.(?:setval|set_config|lo_create|lo_open|lowrite|lo_close)\(${LITERAL_ARGS}\);?$`),
    new RegExp(String.raw `^SELECT \* FROM pg_catalog\.pg_(?:restore|clear)_(?:relation|attribute)_stats\(${LITERAL_ARGS}\);?$`),
    LO_UNLINK
];
/** Statement words that run code or queries of the script's choosing. */
const RUNS_CODE = {
    do: 'a DO block runs code that no check reads',
    call: 'CALL runs a procedure, which may write anywhere',
    execute: 'EXECUTE runs a prepared statement the check cannot follow',
    prepare: 'PREPARE hides a statement the check cannot follow',
    with: 'a WITH query may call functions that write anywhere',
    values: 'VALUES may call functions that write anywhere',
    explain: 'EXPLAIN may run a statement that writes anywhere'
};
/**
 * What in one statement can write to relations other than those the guard checks, whatever the
 * target holds: a rule other than ON SELECT (it runs its actions on the rows written into its
 * table), a top-level SELECT that is not one of pg_dump's own calls (PG_DUMP_CALLS), DO, CALL,
 * EXECUTE, WITH, VALUES, EXPLAIN, a COPY of a query, a function call in an INSERT's VALUES (pg_dump
 * --inserts writes literals) or in UPDATE, DELETE, MERGE, a TRUNCATE … CASCADE, and a setval,
 * nextval or ALTER SEQUENCE whose sequence is not a literal name (setval is not transactional).
 * pg_dump --clean's lo_unlink passes here (PlainDumpObjects.hazards checks its OID); `sequences`:
 * the sequences the script creates (sequenceKey), which its defaults' nextval and ALTER SEQUENCE may name.
 */
function scriptHazards(raw, _keywords, sequences, options = {}) {
    const found = [];
    const text = withoutComments(raw);
    const tokens = sqlTokens(text, false);
    // the statement's first word as the server reads it ('' for "(SELECT …" and the like)
    const first = tokens[0]?.kind === 'ident' && !tokens[0].quoted ? tokens[0].value : '';
    const word = (i, w) => tokens[i]?.kind === 'ident' && tokens[i].quoted !== true && tokens[i].value === w;
    const created = createdKind(tokens);
    if (first in RUNS_CODE)
        found.push(RUNS_CODE[first]);
    const domain = addedDomainColumn(tokens, options.domains);
    if (domain)
        found.push(`ALTER TABLE … ADD COLUMN of the domain ${domain}, which the script creates: its DEFAULT (or CHECK) is evaluated for the table's rows, which may call functions that write anywhere (pg_dump defines columns in CREATE TABLE)`);
    const shadow = shadowingType(tokens, created);
    if (shadow)
        found.push(`it ${shadow} a type named ${SHADOWED_TYPE} (a table's, view's or sequence's row type too): pg_dump's own calls cast their arguments to ${SHADOWED_TYPE} ('…'::${SHADOWED_TYPE}), and the server looks that name up in the search_path (the session's temporary schema first, whatever the path says), so the cast would run that type's code (a domain's CHECK) instead of pg_catalog.${SHADOWED_TYPE}'s (pg_dump writes such a type only for a database that has one)`);
    if (first === 'select' || first === 'table') {
        const one = text.replace(/\s+/g, ' ').trim();
        const call = PG_DUMP_CALLS.map(re => re.exec(one)).find(m => m !== null);
        if (!call)
            found.push("it is not one of pg_dump's own calls (setval of a sequence named by a literal, set_config, lo_create, lo_open, lowrite, lo_close with literal arguments): the functions it calls may write anywhere");
    }
    // (… TO PROGRAM: refused by the gate itself, in any restore, with its own message)
    if (first === 'copy' && tokens[1]?.value === '(' && !tokens.some((_t, i) => word(i, 'program')))
        found.push('a COPY of a query may call functions that write anywhere');
    if (created?.kind === 'rule') {
        const on = tokens.findIndex((_t, i) => word(i, 'on') && tokens[i + 1]?.kind === 'ident');
        if (on < 0 || !word(on + 1, 'select'))
            found.push('a rule other than ON SELECT runs its actions on every row written into its table, which may write anywhere (pg_dump writes such rules only for backups that have them)');
    }
    const calls = (from) => {
        for (let i = from; i < tokens.length - 1; i++)
            if (tokens[i].kind === 'ident' &&
                tokens[i + 1].kind === 'punct' &&
                tokens[i + 1].value === '(')
                return true;
        return false;
    };
    const scs = options.standardConformingStrings ?? true;
    if (first === 'insert') {
        if (!literalStatement(text, 'insert', scs))
            found.push('an INSERT of anything but literal VALUES (as pg_dump --inserts writes) may call functions that write anywhere');
    }
    if (['update', 'delete', 'merge'].includes(first) && calls(2))
        found.push(`${first.toUpperCase()} calls a function, which may write anywhere`);
    else if (['update', 'delete', 'merge'].includes(first) && !literalStatement(text, first, scs))
        found.push(`${first.toUpperCase()} with a condition, a sub-query or an expression evaluates code that may write anywhere (pg_dump writes no ${first.toUpperCase()}; only a plain DELETE FROM a table, or UPDATE … SET column = literal, is accepted)`);
    if (first === 'copy' && tokens.some((_t, i) => word(i, 'where')))
        found.push('COPY … WHERE evaluates its condition on every row, and may call functions that write anywhere (pg_dump writes no WHERE)');
    if (first === 'drop' && tokens.some((_t, i) => word(i, 'cascade')))
        found.push("DROP … CASCADE drops whatever depends on it too, the target's tables and their rows included, which the restore does not check (pg_dump writes no CASCADE)");
    if (first === 'truncate' && tokens.some((_t, i) => word(i, 'cascade')))
        found.push('TRUNCATE … CASCADE empties the tables that reference it too, which the restore does not check');
    if ((created?.kind === 'table' && asQuery(tokens, created.next)) ||
        (created?.kind === 'materialized' && !withNoData(tokens)))
        found.push('CREATE TABLE … AS (or a materialized view created with its data) runs a query whose functions may write anywhere (pg_dump writes materialized views WITH NO DATA)');
    // sequences: only a literal name can be checked (setval is not transactional); setval only in
    // pg_dump's own top-level call (read by the guard), nextval only of a sequence the script creates
    const topLevel = first === 'select' && found.length === 0;
    for (let i = 0; i < tokens.length; i++) {
        if (!['setval', 'nextval'].some(f => word(i, f)) || tokens[i + 1]?.value !== '(')
            continue;
        const fn = tokens[i].value;
        const arg = tokens[i + 2];
        const next = tokens[i + 3]?.value;
        const cast = next === ':' && tokens[i + 4]?.value === ':' && word(i + 5, 'regclass');
        if (arg?.kind !== 'string' || !(next === ',' || next === ')' || cast))
            found.push(`${fn}() of a sequence that is not a literal name: the restore cannot check which sequence it sets (its change is not undone by a rollback)`);
        else if (fn === 'setval' && !topLevel)
            found.push("setval() outside pg_dump's own SELECT pg_catalog.setval('…', …): the restore does not check the sequence it sets (its change is not undone by a rollback)");
        else if (fn === 'nextval' && !sequences.has(sequenceKey(arg.value)))
            found.push(`nextval('${arg.value}') of a sequence the script does not create: the restore does not check it (its change is not undone by a rollback)`);
    }
    if (first === 'alter' && word(1, 'sequence')) {
        const name = qualifiedAt(tokens, word(2, 'if') && word(3, 'exists') ? 4 : 2);
        if (!name ||
            !sequences.has(sequenceKey(name[0] === '' ? name[1] : `"${name[0]}"."${name[1]}"`)))
            found.push('ALTER SEQUENCE of a sequence the script does not create: the restore does not check it (its RESTART is not undone by a rollback)');
    }
    // an allow-list: what pg_dump writes and cannot run code (the rest may evaluate expressions)
    if (found.length === 0) {
        const why = notPgDumpStatement(tokens, first, created);
        if (why)
            found.push(why);
    }
    return found;
}
/** Statements pg_dump writes that run no code of the script's (their first word). */
const PG_DUMP_STATEMENTS = new Set([
    'set',
    'reset',
    'create',
    'alter',
    'comment',
    'grant',
    'revoke',
    'security',
    'drop',
    'refresh',
    'begin',
    'commit',
    'truncate',
    'copy',
    'insert',
    'update',
    'delete',
    'select'
]);
/** What pg_dump CREATEs (the word after CREATE and its modifiers): definitions, no query run. */
const PG_DUMP_CREATES = new Set([
    'schema',
    'table',
    'foreign',
    'type',
    'domain',
    'function',
    'procedure',
    'aggregate',
    'operator',
    'cast',
    'collation',
    'conversion',
    'text',
    'view',
    'materialized',
    'trigger',
    'rule',
    'policy',
    'publication',
    'subscription',
    'statistics',
    'sequence',
    'server',
    'access',
    'index',
    'extension',
    'language',
    'event',
    'transform',
    'user',
    'role',
    'group',
    'tablespace',
    'database'
]);
/** The words of a partition bound as pg_dump writes it (FOR VALUES IN / FROM … TO / WITH). */
const BOUND_WORDS = new Set([
    'in',
    'from',
    'to',
    'with',
    'modulus',
    'remainder',
    'minvalue',
    'maxvalue',
    'null',
    'true',
    'false'
]);
/**
 * Why a statement is not one pg_dump writes without running code (undefined when it is): the
 * allow-list behind scriptHazards (DECLARE, FETCH, MOVE, a parenthesized query, LISTEN, LOCK, …,
 * an ALTER TABLE … ADD COLUMN (its DEFAULT is evaluated) or … TYPE … USING are refused).
 */
function notPgDumpStatement(tokens, first, created) {
    if (!PG_DUMP_STATEMENTS.has(first))
        return `${first === '' ? `a statement that starts with "${tokens[0]?.value ?? ''}"` : `a ${first.toUpperCase()} statement`} is not one pg_dump writes, and it may evaluate expressions or call functions that write anywhere`;
    if (first === 'create' && (!created || !PG_DUMP_CREATES.has(created.kind)))
        return `CREATE ${(created?.kind ?? '').toUpperCase()} is not one pg_dump writes, and it may run code that writes anywhere`;
    // a partition's bounds are evaluated when it is created or attached: literals only, as pg_dump writes them
    const bounds = tokens.findIndex((_t, i) => word(tokens, i, 'for') && word(tokens, i + 1, 'values'));
    if (bounds >= 0 && (first === 'create' || first === 'alter'))
        for (let i = bounds + 2; i < tokens.length; i++) {
            const t = tokens[i];
            if (t.kind === 'string')
                continue;
            if (t.kind === 'punct' && /^(?:[0-9(),;-])$/.test(t.value))
                continue;
            if (t.kind === 'ident' && !t.quoted && BOUND_WORDS.has(t.value))
                continue;
            return 'a partition bound that is not literal (FOR VALUES …) is evaluated when the partition is created or attached, and may call functions that write anywhere (pg_dump writes literal bounds)';
        }
    if (first === 'alter' && word(tokens, 1, 'table')) {
        // ALTER [COLUMN] c [SET DATA] TYPE t USING expr (not EXCLUDE USING gist, USING INDEX …)
        let type = false;
        let depth = 0;
        for (let i = 2; i < tokens.length; i++) {
            const t = tokens[i];
            if (t.kind === 'punct' && t.value === '(')
                depth++;
            else if (t.kind === 'punct' && t.value === ')')
                depth--;
            else if (depth === 0 && t.kind === 'punct' && t.value === ',')
                type = false;
            if (depth === 0 && word(tokens, i, 'type') && !word(tokens, i - 1, 'replica'))
                type = true;
            if (type && depth === 0 && word(tokens, i, 'using'))
                return 'ALTER TABLE … USING evaluates an expression on every row, which may call functions that write anywhere (pg_dump writes no USING)';
            if (word(tokens, i, 'add') &&
                !['constraint', 'generated', 'primary', 'unique', 'check', 'foreign', 'exclude'].some(w => word(tokens, i + 1, w))) {
                // ADD [COLUMN] c type: its DEFAULT (or GENERATED expression) is evaluated for the rows
                let d = 0;
                for (let k = i + 1; k < tokens.length; k++) {
                    const v = tokens[k];
                    if (v.kind === 'punct' && v.value === '(')
                        d++;
                    else if (v.kind === 'punct' && v.value === ')')
                        d--;
                    else if (d === 0 && v.kind === 'punct' && (v.value === ',' || v.value === ';'))
                        break;
                    if (word(tokens, k, 'default') || word(tokens, k, 'generated'))
                        return "ALTER TABLE … ADD COLUMN … DEFAULT (or GENERATED) evaluates the expression for the table's rows, which may call functions that write anywhere (pg_dump defines columns in CREATE TABLE)";
                }
            }
        }
    }
    return undefined;
}
/**
 * Whether a statement (comments gone) is, in full, one of the data statements pg_dump writes with
 * nothing but literals: INSERT INTO name [(columns)] [OVERRIDING … VALUE] VALUES (literal, …)[, (…)]
 * [ON CONFLICT DO NOTHING] | DEFAULT VALUES; DELETE FROM [ONLY] name; UPDATE [ONLY] name SET
 * column = literal[, …]. A literal: '…' (E'…', B'…', X'…', U&'…' [UESCAPE '…']), a number with an
 * optional leading minus, NULL, TRUE, FALSE, DEFAULT — no cast, operator, call or sub-query.
 */
function literalStatement(text, kind, standardConformingStrings = true) {
    const n = text.length;
    let i = 0;
    const space = () => {
        while (i < n && /\s/.test(text[i]))
            i++;
    };
    const kw = (w) => {
        space();
        const m = /^[A-Za-z_]+/.exec(text.slice(i, i + w.length + 1));
        if (m?.[0].toLowerCase() !== w)
            return false;
        i += w.length;
        return true;
    };
    const punct = (c) => {
        space();
        if (text[i] !== c)
            return false;
        i++;
        return true;
    };
    const ident = () => {
        space();
        if (text[i] === '"') {
            const end = quotedEnd(text, i + 1, 0x22);
            if (end >= n)
                return false;
            i = end + 1;
            return true;
        }
        const m = /^[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/.exec(text.slice(i, i + 200));
        // U&"…" names are not read here
        if (!m || (/^u$/i.test(m[0]) && text[i + 1] === '&'))
            return false;
        i += m[0].length;
        return true;
    };
    const name = () => {
        if (!ident())
            return false;
        for (let parts = 1; parts < 3 && punct('.'); parts++)
            if (!ident())
                return false;
        return true;
    };
    const quoted = (escapes) => {
        if (text[i] !== "'")
            return false;
        i++;
        for (;;) {
            if (i >= n)
                return false;
            if (escapes && text[i] === '\\')
                i += 2;
            else if (text[i] === "'" && text[i + 1] === "'")
                i += 2;
            else if (text[i] === "'") {
                i++;
                return true;
            }
            else
                i++;
        }
    };
    const literal = () => {
        space();
        const c = text[i];
        if (c === "'")
            return quoted(!standardConformingStrings);
        if (/[EeBbXx]/.test(c) && text[i + 1] === "'") {
            i++;
            return quoted(c === 'E' || c === 'e');
        }
        if (/[Uu]/.test(c) && text[i + 1] === '&' && text[i + 2] === "'") {
            i += 2;
            if (!quoted(false))
                return false;
            const save = i;
            if (kw('uescape')) {
                space();
                return quoted(false);
            }
            i = save;
            return true;
        }
        const num = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?![\w$.])/.exec(text.slice(i, i + 400));
        if (num) {
            i += num[0].length;
            return true;
        }
        const w = /^(?:null|true|false|default)(?![\w$])/i.exec(text.slice(i, i + 8));
        if (w) {
            i += w[0].length;
            return true;
        }
        return false;
    };
    const end = () => {
        punct(';');
        space();
        return i >= n;
    };
    if (kind === 'delete') {
        if (!kw('delete') || !kw('from'))
            return false;
        kw('only');
        return name() && end();
    }
    if (kind === 'update') {
        if (!kw('update'))
            return false;
        kw('only');
        if (!name() || !kw('set'))
            return false;
        do
            if (!ident() || !punct('=') || !literal())
                return false;
        while (punct(','));
        return end();
    }
    if (kind !== 'insert' || !kw('insert') || !kw('into') || !name())
        return false;
    const save = i;
    if (punct('(')) {
        do
            if (!ident())
                return false;
        while (punct(','));
        if (!punct(')'))
            return false;
    }
    else
        i = save;
    if (kw('overriding') && !((kw('system') || kw('user')) && kw('value')))
        return false;
    if (kw('default')) {
        if (!kw('values'))
            return false;
    }
    else {
        if (!kw('values'))
            return false;
        do {
            if (!punct('('))
                return false;
            do
                if (!literal())
                    return false;
            while (punct(','));
            if (!punct(')'))
                return false;
        } while (punct(','));
    }
    const at = i;
    if (!(kw('on') && kw('conflict') && kw('do') && kw('nothing')))
        i = at;
    return end();
}
/** Schemas of the system, never the backup's. */
const RESERVED_SCHEMA = /^(?:pg_catalog|information_schema|pg_toast.*|pg_temp.*)$/;
/**
 * The identifiers, literals and punctuation of a statement, as the server splits them (quoted
 * identifiers kept, unquoted ones folded to lower case; comments skipped). With `inner`, the
 * content of string and dollar-quoted literals (function bodies, EXECUTE '…') is read as SQL too,
 * its tokens following the literal's own.
 */
function sqlTokens(text, inner = true) {
    const out = [];
    const literals = [];
    const n = text.length;
    let i = 0;
    // a scanner by character codes: the tokens TOKEN's alternatives take, tried in its order
    // (sqlTokensByRegex, in the tests, is the reference it is compared with)
    while (i < n) {
        const c = text.charCodeAt(i);
        const start = i;
        if ((c === 0x45 || c === 0x65) /* E e */ && text.charCodeAt(i + 1) === 0x27) {
            // E'…': \ escapes any character, '' is a quote; unterminated: to the end
            i += 2;
            const from = i;
            for (;;) {
                const d = text.charCodeAt(i);
                if (d === 0x5c && i + 1 < n)
                    i += 2;
                else if (d === 0x27 && text.charCodeAt(i + 1) === 0x27)
                    i += 2;
                else if (d === 0x27 || d === 0x5c || i >= n)
                    break;
                else
                    i++;
            }
            const v = text.slice(from, i).replace(/''/g, "'").replace(/\\(.)/gs, '$1');
            if (text.charCodeAt(i) === 0x27)
                i++;
            out.push({ kind: 'string', value: v });
            if (inner)
                literals.push(v);
        }
        else if (isIdentStart(c)) {
            i++;
            while (i < n && isIdentPart(text.charCodeAt(i)))
                i++;
            out.push({ kind: 'ident', value: text.slice(start, i).toLowerCase(), quoted: false });
        }
        else if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
            i = quotedEnd(text, i + 1, c);
            const raw = text.slice(start + 1, i);
            if (text.charCodeAt(i) === c)
                i++;
            if (c === 0x22)
                out.push({ kind: 'ident', value: raw.replace(/""/g, '"'), quoted: true });
            else {
                const v = raw.replace(/''/g, "'");
                out.push({ kind: 'string', value: v });
                if (inner)
                    literals.push(v);
            }
        }
        else if (c === 0x24 /* $ */ && dollarTagEnd(text, i) > 0) {
            const t = text.slice(i, dollarTagEnd(text, i));
            i += t.length;
            const end = text.indexOf(t, i);
            const v = text.slice(i, end < 0 ? n : end);
            i = end < 0 ? n : end + t.length;
            out.push({ kind: 'string', value: v });
            if (inner)
                literals.push(v);
        }
        else if (c === 0x2f /* / */ && text.charCodeAt(i + 1) === 0x2a /* * */) {
            i = (0,_sql_redact_js__WEBPACK_IMPORTED_MODULE_3__/* .blockCommentEnd */ .iY)(text, i);
        }
        else if (c === 0x2d /* - */ && text.charCodeAt(i + 1) === 0x2d) {
            const end = text.indexOf('\n', i);
            i = end < 0 ? n : end;
        }
        else if (c >= 0x30 && c <= 0x39 /* 0-9 */) {
            i++;
            while (i < n && isNumberPart(text.charCodeAt(i)))
                i++;
            out.push({ kind: 'punct', value: i - start === 1 ? text[start] : '0' });
        }
        else if (isAsciiSpace(c)) {
            // white space (\s+: a run that starts with an ASCII one goes on over any)
            i++;
            while (i < n && isSpace(text.charCodeAt(i)))
                i++;
        }
        else {
            i++;
            out.push({ kind: 'punct', value: text[start] });
        }
    }
    for (const v of literals) {
        out.push({ kind: 'punct', value: ';' });
        for (const t of sqlTokens(v, true))
            out.push(t); // no spread: a long body has many tokens
    }
    return out;
}
/** [A-Za-z_\u0080-\uffff] */
function isIdentStart(c) {
    return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 0x80;
}
/** [\w$\u0080-\uffff] */
function isIdentPart(c) {
    return isIdentStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x24;
}
/** [\w.] */
function isNumberPart(c) {
    return ((c >= 0x61 && c <= 0x7a) ||
        (c >= 0x41 && c <= 0x5a) ||
        (c >= 0x30 && c <= 0x39) ||
        c === 0x5f ||
        c === 0x2e);
}
/** \s below U+0080 (those above start an identifier). */
function isAsciiSpace(c) {
    return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
/** \s: JavaScript's white space and line terminators. */
function isSpace(c) {
    if (c < 0x80)
        return isAsciiSpace(c);
    return (c === 0xa0 ||
        c === 0x1680 ||
        (c >= 0x2000 && c <= 0x200a) ||
        c === 0x2028 ||
        c === 0x2029 ||
        c === 0x202f ||
        c === 0x205f ||
        c === 0x3000 ||
        c === 0xfeff);
}
/** Where a "…" or '…' that starts before `i` ends ('' or "" doubled go on): its closing quote, or n. */
function quotedEnd(text, i, quote) {
    for (;;) {
        const q = text.indexOf(quote === 0x22 ? '"' : "'", i);
        if (q < 0)
            return text.length;
        if (text.charCodeAt(q + 1) !== quote)
            return q;
        i = q + 2;
    }
}
/** The end of a dollar quote's tag ($$, $tag$) at `i`, or 0 when none starts there. */
function dollarTagEnd(text, i) {
    let j = i + 1;
    const c = text.charCodeAt(j);
    if (c === 0x24)
        return j + 1;
    if (!isIdentStart(c))
        return 0;
    j++;
    for (;;) {
        const d = text.charCodeAt(j);
        if (d === 0x24)
            return j + 1;
        // [\w\u0080-\uffff]: no $ inside a tag
        if (!(isIdentStart(d) || (d >= 0x30 && d <= 0x39)))
            return 0;
        j++;
    }
}
/** The schemas of a search_path value ('a, "B", $user'), folded. */
function searchPathList(value) {
    return sqlTokens(value, false)
        .filter(t => t.kind === 'ident')
        .map(t => t.value);
}
/**
 * The argument list of a CREATE FUNCTION line from `start` (just after its "(") to the matching
 * ")", without the DEFAULT clauses, which DROP FUNCTION does not accept. Quotes and nested
 * parentheses (numeric(10,2), now()) are skipped; undefined when the list does not end on the line.
 */
function signatureArguments(line, start) {
    const args = [];
    let current = '';
    let depth = 0;
    let inDefault = false;
    const keep = (piece) => {
        if (!inDefault)
            current += piece;
    };
    for (let i = start; i < line.length; i++) {
        const c = line[i];
        // what the server skips or reads whole: comments (-- to the line's end, nested /* */),
        // string literals ('', E'' with its backslashes), quoted names, dollar quotes — a ')' or ','
        // inside one ends nothing (re-attack a45: f(a text DEFAULT $$, b integer)$$) dropped another
        // overload, f(a text, b integer))
        if (c === '-' && line[i + 1] === '-') {
            const eol = line.indexOf('\n', i);
            if (eol < 0)
                return undefined;
            i = eol;
            keep(' ');
            continue;
        }
        if (c === '/' && line[i + 1] === '*') {
            let nesting = 0;
            let j = i;
            for (; j < line.length; j++) {
                if (line.startsWith('/*', j)) {
                    nesting++;
                    j++;
                }
                else if (line.startsWith('*/', j)) {
                    nesting--;
                    j++;
                    if (nesting === 0)
                        break;
                }
            }
            if (nesting !== 0)
                return undefined;
            i = j;
            keep(' ');
            continue;
        }
        if (c === "'" || c === '"') {
            const escapes = c === "'" && /[Ee]$/.test(line.slice(Math.max(start, i - 1), i));
            let j = i + 1;
            for (; j < line.length; j++) {
                if (escapes && line[j] === '\\')
                    j++;
                else if (line[j] === c) {
                    if (line[j + 1] === c)
                        j++;
                    else
                        break;
                }
            }
            if (j >= line.length)
                return undefined;
            keep(line.slice(i, j + 1));
            i = j;
            continue;
        }
        if (c === '$' && !/[\w$]/.test(line[i - 1] ?? '')) {
            const tag = /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(line.slice(i))?.[0];
            if (tag) {
                const close = line.indexOf(tag, i + tag.length);
                if (close < 0)
                    return undefined;
                keep(line.slice(i, close + tag.length));
                i = close + tag.length - 1;
                continue;
            }
        }
        if (c === '(') {
            depth++;
        }
        else if (c === ')' && depth > 0) {
            depth--;
        }
        else if (depth === 0 && (c === ')' || c === ',')) {
            args.push(current.trim());
            if (c === ')')
                return args.filter(a => a !== '').join(', ');
            current = '';
            inDefault = false;
            continue;
        }
        else if (depth === 0 && /^\sDEFAULT\s/i.test(line.slice(i, i + 9))) {
            inDefault = true;
        }
        else if (depth === 0 && c === '=' && current.trim() !== '') {
            // "a integer = 1": the other spelling of DEFAULT
            inDefault = true;
        }
        keep(c);
    }
    return undefined;
}
/** pg_dump's version from the comment at the top of a plain-format dump. */
function parsePlainDumpVersions(text) {
    const head = text.slice(0, 4096);
    return {
        serverVersion: /^-- Dumped from database version (.+)$/m.exec(head)?.[1].trim(),
        pgDumpVersion: /^-- Dumped by pg_dump version (.+)$/m.exec(head)?.[1].trim()
    };
}
/** A statement that may write rows (checked by writtenTables): the words, in any case. */
const WRITES = /\b(?:copy|insert|update|delete|truncate|merge)\b/i;
/** Words after which a data-changing keyword starts a statement of its own (a CTE's, EXPLAIN's). */
const WRITE_LEAD = new Set(['explain', 'analyze', 'analyse', 'verbose']);
/**
 * The tables whose rows a statement's text writes, read from its tokens as the server reads them
 * (quotes, case folding, comments, white space, several statements in one): COPY … FROM (stdin,
 * a file or a program), INSERT INTO, UPDATE, DELETE FROM, TRUNCATE and MERGE INTO, at the start
 * of a statement or of a parenthesized one (WITH … AS (DELETE …), a rule's action), after
 * EXPLAIN [ANALYZE] too. `unreadable` holds the statements whose table cannot be read
 * (U&"…" names, anything unexpected): the caller refuses them (fail-closed).
 */
function writtenTables(text) {
    // none of the words, in any case: no token below can be one (most of a schema's statements)
    if (!WRITES.test(text))
        return { tables: [], unreadable: [] };
    const tokens = sqlTokens(text, false);
    const tables = [];
    const unreadable = [];
    const statement = (0,_sql_redact_js__WEBPACK_IMPORTED_MODULE_3__/* .quoteSql */ .Xd)(text, 161);
    const word = (i, w) => tokens[i]?.kind === 'ident' && tokens[i].quoted !== true && tokens[i].value === w;
    /** A [db.]schema.table name at i: the table and the index after it, or undefined. */
    const nameAt = (i) => {
        const parts = [];
        for (;;) {
            const t = tokens[i];
            if (t?.kind !== 'ident')
                return undefined;
            // U&"…": read by sqlTokens as u, &, "…": not decoded here
            if (t.quoted !== true && t.value === 'u' && tokens[i + 1]?.value === '&')
                return undefined;
            parts.push(t.value);
            i++;
            if (tokens[i]?.kind === 'punct' && tokens[i].value === '.')
                i++;
            else
                break;
        }
        if (parts.length > 3)
            return undefined;
        const table = parts.length === 1
            ? { schema: '', name: parts[0] }
            : { schema: parts[parts.length - 2], name: parts[parts.length - 1] };
        return { table, next: i };
    };
    /** Reads the table at `at`; unreadable where the statement starts there or the name is U&"…". */
    const add = (at, strict) => {
        const i = word(at, 'only') ? at + 1 : at;
        const found = nameAt(i);
        if (!found) {
            if (strict || (word(i, 'u') && tokens[i + 1]?.value === '&'))
                unreadable.push(statement);
            return undefined;
        }
        tables.push({ ...found.table, statement });
        return found.next;
    };
    for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i];
        if (t.kind !== 'ident' || t.quoted === true)
            continue;
        const prev = tokens[i - 1];
        // a statement's start (strict: its table must be read), or a parenthesized one's
        const strict = prev === undefined ||
            (prev.kind === 'punct' && prev.value === ';') ||
            (prev.kind === 'ident' && prev.quoted !== true && WRITE_LEAD.has(prev.value));
        const inner = prev?.kind === 'punct' && (prev.value === '(' || prev.value === ')');
        if (!strict && !inner)
            continue;
        switch (t.value) {
            case 'insert':
            case 'merge':
                if (word(i + 1, 'into'))
                    add(i + 2, true);
                break;
            case 'delete':
                if (word(i + 1, 'from'))
                    add(i + 2, true);
                break;
            case 'update': {
                // in parentheses, only UPDATE name [[AS] alias] SET (not a column named update)
                const found = strict ? undefined : nameAt(word(i + 1, 'only') ? i + 2 : i + 1);
                if (strict || !found || [0, 1, 2].some(d => word(found.next + d, 'set')))
                    add(i + 1, strict);
                break;
            }
            case 'truncate': {
                let at = word(i + 1, 'table') ? i + 2 : i + 1;
                let first = true;
                while (at !== undefined) {
                    at = add(at, strict || !first);
                    first = false;
                    if (at !== undefined && tokens[at]?.value === '*')
                        at++;
                    if (at === undefined || !(tokens[at]?.kind === 'punct' && tokens[at].value === ','))
                        break;
                    at++;
                }
                break;
            }
            case 'copy': {
                if (!strict)
                    break;
                if (tokens[i + 1]?.kind === 'punct' && tokens[i + 1].value === '(')
                    break; // COPY (query) TO
                const found = nameAt(i + 1);
                // the direction: FROM or TO after the name and its column list
                let j = found?.next ?? i + 1;
                if (found && tokens[j]?.value === '(') {
                    let depth = 0;
                    for (; j < tokens.length; j++) {
                        if (tokens[j].kind !== 'punct')
                            continue;
                        if (tokens[j].value === '(')
                            depth++;
                        else if (tokens[j].value === ')' && --depth === 0)
                            break;
                    }
                    j++;
                }
                if (word(j, 'to'))
                    break;
                if (found && word(j, 'from'))
                    tables.push({ ...found.table, statement });
                else
                    unreadable.push(statement);
                break;
            }
        }
    }
    return { tables, unreadable };
}


/***/ }),

/***/ 7340:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $p: () => (/* binding */ PsqlLexer),
/* harmony export */   LI: () => (/* binding */ isByteSafeEncoding),
/* harmony export */   Wq: () => (/* binding */ lexedAlikeByEveryMajor),
/* harmony export */   bj: () => (/* binding */ lexPsqlScript),
/* harmony export */   uY: () => (/* binding */ canonicalEncoding)
/* harmony export */ });
/* unused harmony exports PsqlLexerError, MAX_PART_TOKENS, parsePgBool, psqlScriptEvents */
/**
 * A streaming model of how psql reads a SQL script: which statements it sends to the server (byte
 * for byte), which backslash meta-commands it runs and with which arguments, and which lines are
 * COPY data. The restore feeds plain scripts (and `pg_restore -f -` output) to
 * `psql -X -v ON_ERROR_STOP=1 -f -`; this lexer lets the action see the script exactly as psql
 * will, so that anything pg_dump never writes can be refused before psql gets to it
 * (psql-script-rules.ts) and statements can be classified.
 *
 * Modelled on psql's own code (PostgreSQL 15.18 and 18.6 sources, read, not copied):
 *  - src/bin/psql/input.c gets_fromFile: input is read in lines ending at "\n" only; the "\n" is
 *    dropped and a "\r" before it stays in the line (the SQL lexer treats "\r" as a newline);
 *  - src/bin/psql/mainloop.c MainLoop: a UTF-8 byte-order mark is dropped from line 1 when the
 *    client encoding is UTF8; a first line starting "PGDMP" stops psql; empty lines outside quotes
 *    are skipped; lines are joined by "\n" once the query buffer holds something, and that "\n" is
 *    taken back when a backslash command follows on a line that added nothing else; a statement is
 *    sent at a ";" the lexer reports, at a sending meta-command (\g …), and at end of input;
 *  - src/fe_utils/psqlscan.l: one line at a time, in the state the previous line left (strings,
 *    E'' strings with backslash escapes, B''/X''/N''/U&'' strings, string continuation over a
 *    newline, $tag$ quotes, "" and U&"" identifiers, -- comments ending at "\n" or "\r", nested
 *    slash-star comments, number and identifier token extents, ( ) depth, the CREATE FUNCTION
 *    BEGIN … END depth, "\;" and "\:", :var / :'var' / :"var" / :{?var} references); a ";" ends a
 *    statement only at paren depth 0 outside a BEGIN … END body; leading white space and comments
 *    of a statement are not sent;
 *  - src/bin/psql/psqlscanslash.l and command.c HandleSlashCmds/exec_command: where a
 *    meta-command's name and arguments end (white space, an unquoted backslash, the end of the
 *    line for whole-line commands such as \! and \copy, "|" for \o \w \g), quoting in arguments
 *    ('…' with escapes, "…", `…` backquotes), the "\\" separator, the rest of the line dropped
 *    after an unknown or refused command, \restrict/\unrestrict;
 *  - src/bin/psql/copy.c handleCopyIn: COPY … FROM STDIN data starts on the line after the one
 *    whose ";" sent the COPY and ends at a line that is exactly "\." + "\n" or "\." + "\r\n", or at
 *    end of input; psql then goes on with the rest of the COPY statement's own line.
 *
 * What the server decides psql learns from the server: whether a statement is COPY FROM STDIN
 * (decided here from the text as the server's grammar does: the first FROM or TO at paren depth
 * 0 after COPY, not after a ".", followed by STDIN or STDOUT), standard_conforming_strings and
 * client_encoding (modelled for the plain `SET name = value` forms; any other mention of them is
 * reported as an unknown change), and whether a statement fails. The events are exactly psql's up
 * to and including the first event psql-script-rules.ts refuses, for a psql run with
 * ON_ERROR_STOP=1 against a server that accepts every statement; after a refused event they are
 * the lexer's best effort.
 *
 * COPY data is passed through with Buffer.indexOf (one native search per line), never a byte
 * loop in JavaScript; data events are zero-copy views of the chunks written.
 */
/** Error for invalid options. */
class PsqlLexerError extends Error {
    constructor(message) {
        super(message);
        this.name = 'PsqlLexerError';
    }
}
/** At most this many depth-0 tokens are kept per statement part. */
const MAX_PART_TOKENS = 256;
/** The statement bytes tokens are cut from, known once the statement is sent. */
class TokenSource {
    utf8;
    sql;
    constructor(utf8) {
        this.utf8 = utf8;
    }
    decode(a, b) {
        const sql = this.sql;
        if (!sql)
            return '';
        return this.utf8
            ? sql.toString('utf8', a, Math.min(b, sql.length))
            : sql.toString('latin1', a, Math.min(b, sql.length));
    }
}
class Token {
    type;
    start;
    end;
    source;
    decoded;
    constructor(type, start, end, source) {
        this.type = type;
        this.start = start;
        this.end = end;
        this.source = source;
    }
    get text() {
        return (this.decoded ??= this.source.decode(this.start, this.end));
    }
}
class Statement {
    line;
    offset;
    sql;
    utf8;
    terminator;
    parts;
    copyIn;
    serverCopyIn;
    variables;
    backslashEscapes;
    standardConformingStrings;
    ambiguousLiterals;
    kind = 'statement';
    decoded;
    effects;
    psqlCopyIn;
    end = 0;
    clientEncoding = 'UTF8';
    plainLiteralBackslashes = 0;
    constructor(line, offset, sql, utf8, terminator, parts, copyIn, serverCopyIn, variables, backslashEscapes, standardConformingStrings, ambiguousLiterals) {
        this.line = line;
        this.offset = offset;
        this.sql = sql;
        this.utf8 = utf8;
        this.terminator = terminator;
        this.parts = parts;
        this.copyIn = copyIn;
        this.serverCopyIn = serverCopyIn;
        this.variables = variables;
        this.backslashEscapes = backslashEscapes;
        this.standardConformingStrings = standardConformingStrings;
        this.ambiguousLiterals = ambiguousLiterals;
    }
    get text() {
        return (this.decoded ??= this.sql.toString(this.utf8 ? 'utf8' : 'latin1'));
    }
}
// ---------------------------------------------------------------------------------------------
// encodings
/** PostgreSQL encodings by cleaned alias (src/common/encnames.c): lower-case, letters and digits. */
const ENCODING_ALIASES = {
    abc: 'WIN1258',
    alt: 'WIN866',
    big5: 'BIG5',
    euccn: 'EUC_CN',
    eucjis2004: 'EUC_JIS_2004',
    eucjp: 'EUC_JP',
    euckr: 'EUC_KR',
    euctw: 'EUC_TW',
    gb18030: 'GB18030',
    gbk: 'GBK',
    iso88591: 'LATIN1',
    iso885910: 'LATIN6',
    iso885913: 'LATIN7',
    iso885914: 'LATIN8',
    iso885915: 'LATIN9',
    iso885916: 'LATIN10',
    iso88592: 'LATIN2',
    iso88593: 'LATIN3',
    iso88594: 'LATIN4',
    iso88595: 'ISO_8859_5',
    iso88596: 'ISO_8859_6',
    iso88597: 'ISO_8859_7',
    iso88598: 'ISO_8859_8',
    iso88599: 'LATIN5',
    johab: 'JOHAB',
    koi8: 'KOI8R',
    koi8r: 'KOI8R',
    koi8u: 'KOI8U',
    latin1: 'LATIN1',
    latin10: 'LATIN10',
    latin2: 'LATIN2',
    latin3: 'LATIN3',
    latin4: 'LATIN4',
    latin5: 'LATIN5',
    latin6: 'LATIN6',
    latin7: 'LATIN7',
    latin8: 'LATIN8',
    latin9: 'LATIN9',
    mskanji: 'SJIS',
    muleinternal: 'MULE_INTERNAL',
    shiftjis: 'SJIS',
    shiftjis2004: 'SHIFT_JIS_2004',
    sjis: 'SJIS',
    sqlascii: 'SQL_ASCII',
    tcvn: 'WIN1258',
    tcvn5712: 'WIN1258',
    uhc: 'UHC',
    unicode: 'UTF8',
    utf8: 'UTF8',
    vscii: 'WIN1258',
    win: 'WIN1251',
    win1250: 'WIN1250',
    win1251: 'WIN1251',
    win1252: 'WIN1252',
    win1253: 'WIN1253',
    win1254: 'WIN1254',
    win1255: 'WIN1255',
    win1256: 'WIN1256',
    win1257: 'WIN1257',
    win1258: 'WIN1258',
    win866: 'WIN866',
    win874: 'WIN874',
    win932: 'SJIS',
    win936: 'GBK',
    win949: 'UHC',
    win950: 'BIG5',
    windows1250: 'WIN1250',
    windows1251: 'WIN1251',
    windows1252: 'WIN1252',
    windows1253: 'WIN1253',
    windows1254: 'WIN1254',
    windows1255: 'WIN1255',
    windows1256: 'WIN1256',
    windows1257: 'WIN1257',
    windows1258: 'WIN1258',
    windows866: 'WIN866',
    windows874: 'WIN874',
    windows932: 'SJIS',
    windows936: 'GBK',
    windows949: 'UHC',
    windows950: 'BIG5'
};
/**
 * Client-only encodings: a multi-byte character can contain the bytes of "\" or "'", so psql
 * lexes them character-wise (psqlscan.l psqlscan_prepare_buffer). Not modelled.
 */
const UNSAFE_ENCODINGS = new Set([
    'SJIS',
    'SHIFT_JIS_2004',
    'BIG5',
    'GBK',
    'UHC',
    'GB18030',
    'JOHAB'
]);
/** PostgreSQL's name of an encoding (pg_char_to_encoding's matching), or undefined. */
function canonicalEncoding(name) {
    const cleaned = name.toLowerCase().replace(/[^a-z0-9]/g, '');
    return ENCODING_ALIASES[cleaned];
}
/** Whether psql lexes text in this encoding byte by byte (every server encoding). */
function isByteSafeEncoding(canonical) {
    return !UNSAFE_ENCODINGS.has(canonical);
}
// ---------------------------------------------------------------------------------------------
// character classes
const C_SPACE = 1; // [ \t\n\r\f] (+ \v for 16+, added per dialect)
const C_IDENT_START = 2; // [A-Za-z\200-\377_]
const C_IDENT_CONT = 4; // [A-Za-z\200-\377_0-9$]
const C_DOLQ_CONT = 8; // [A-Za-z\200-\377_0-9]
const C_OP = 16; // [~!@#^&|`?+\-*/%<>=]
const C_DIGIT = 32;
const CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
    const ch = String.fromCharCode(c);
    let k = 0;
    if (' \t\n\r\f'.includes(ch) && c < 128)
        k |= C_SPACE;
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 128 || c === 95;
    const digit = c >= 48 && c <= 57;
    if (letter)
        k |= C_IDENT_START | C_IDENT_CONT | C_DOLQ_CONT;
    if (digit)
        k |= C_IDENT_CONT | C_DOLQ_CONT | C_DIGIT;
    if (c === 36)
        k |= C_IDENT_CONT;
    if ('~!@#^&|`?+-*/%<>='.includes(ch) && c < 128)
        k |= C_OP;
    CLASS[c] = k;
}
const BS = 0x5c; // \
const QUOTE = 0x27; // '
const DQUOTE = 0x22; // "
const DOLLAR = 0x24;
const NL = 0x0a;
const CR = 0x0d;
const VT = 0x0b;
const DOT = 0x2e;
const SEMI = 0x3b;
const COLON = 0x3a;
const NEWLINE_BUF = Buffer.from('\n');
const isDigit = (c) => c >= 48 && c <= 57;
const isHex = (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const lower = (c) => (c >= 65 && c <= 90 ? c + 32 : c);
const COMMON_COMMANDS = [
    'a',
    'C',
    'c',
    'connect',
    'cd',
    'conninfo',
    'copyright',
    'crosstabview',
    'e',
    'edit',
    'ef',
    'ev',
    'echo',
    'qecho',
    'warn',
    'elif',
    'else',
    'endif',
    'encoding',
    'errverbose',
    'f',
    'g',
    'gx',
    'gdesc',
    'getenv',
    'gexec',
    'gset',
    'h',
    'help',
    'H',
    'html',
    'i',
    'include',
    'ir',
    'include_relative',
    'if',
    'l',
    'list',
    'l+',
    'list+',
    'o',
    'out',
    'p',
    'print',
    'password',
    'prompt',
    'pset',
    'q',
    'quit',
    'r',
    'reset',
    'restrict',
    's',
    'set',
    'setenv',
    'sf',
    'sf+',
    'sv',
    'sv+',
    't',
    'T',
    'timing',
    'unrestrict',
    'unset',
    'w',
    'write',
    'watch',
    'x',
    'z',
    '!',
    '?'
];
const COMMANDS_16 = ['bind'];
const COMMANDS_17 = ['lx', 'listx', 'lx+', 'listx+', 'l+x', 'list+x', 'zS', 'zx', 'zSx', 'zxS'];
const COMMANDS_18 = [
    'bind_named',
    'close_prepared',
    'endpipeline',
    'flush',
    'flushrequest',
    'getresults',
    'parse',
    'sendpipeline',
    'startpipeline',
    'syncpipeline'
];
const SEND_COMMANDS = ['g', 'gx', 'gdesc', 'gexec', 'gset', 'crosstabview', 'watch'];
const SEND_COMMANDS_18 = [
    'close_prepared',
    'flush',
    'flushrequest',
    'getresults',
    'parse',
    'sendpipeline',
    'startpipeline',
    'syncpipeline',
    'endpipeline'
];
/** Commands whose (first) argument is the rest of the line (OT_WHOLE_LINE). */
const WHOLE_LINE_COMMANDS = new Set(['!', 'ef', 'ev', 'h', 'help', 'sf', 'sf+', 'sv', 'sv+']);
/** Commands whose first argument is a file or "|command" (OT_FILEPIPE). */
const FILEPIPE_COMMANDS = new Set(['o', 'out', 'w', 'write', 'g', 'gx']);
// words psqlscan.l tracks (pg_strcasecmp: ASCII case-insensitive)
const W_NONE = 0;
const W_CREATE = 1;
const W_FUNCTION = 2;
const W_PROCEDURE = 3;
const W_OR = 4;
const W_REPLACE = 5;
const W_COPY = 6;
const W_FROM = 7;
const W_STDIN = 8;
const W_STDOUT = 9;
const W_BEGIN = 10;
const W_CASE = 11;
const W_END = 12;
const TRACKED = [
    ['create', W_CREATE],
    ['function', W_FUNCTION],
    ['procedure', W_PROCEDURE],
    ['or', W_OR],
    ['replace', W_REPLACE],
    ['copy', W_COPY],
    ['from', W_FROM],
    ['stdin', W_STDIN],
    ['stdout', W_STDOUT],
    ['begin', W_BEGIN],
    ['case', W_CASE],
    ['end', W_END]
];
/** Tracked words by length. */
const TRACKED_BY_LENGTH = [];
for (const [w, id] of TRACKED)
    (TRACKED_BY_LENGTH[w.length] ??= []).push([w, id]);
/** Which tracked word buf[a, b) is (W_NONE for any other), compared byte-wise without allocating. */
function trackedWord(buf, a, b) {
    const candidates = TRACKED_BY_LENGTH[b - a];
    if (!candidates)
        return W_NONE;
    const first = lower(buf[a]);
    for (const [w, id] of candidates) {
        if (w.charCodeAt(0) !== first)
            continue;
        let k = 1;
        while (k < w.length && lower(buf[a + k]) === w.charCodeAt(k))
            k++;
        if (k === w.length)
            return id;
    }
    return W_NONE;
}
/** The previous statement of a lexer that sent none (never written to). */
const NO_BYTES = Buffer.alloc(0);
/** The dialects built so far, by their options: a lexer is made per archive entry (thousands). */
const DIALECTS = new Map();
/** The dialect of options that set none of its settings (an archive's entries: one lexer each). */
let defaultDialect;
function dialectFor(options) {
    if (options.psqlMajor === undefined &&
        options.copyDecision === undefined &&
        options.unrestrictArgument === undefined)
        return (defaultDialect ??= keyedDialect(options));
    return keyedDialect(options);
}
function keyedDialect(options) {
    const key = `${String(options.psqlMajor)}|${String(options.copyDecision)}|${String(options.unrestrictArgument)}`;
    let dialect = DIALECTS.get(key);
    if (!dialect) {
        dialect = Object.freeze(newDialect(options));
        DIALECTS.set(key, dialect);
    }
    return dialect;
}
function newDialect(options) {
    const major = options.psqlMajor ?? 18;
    if (!Number.isInteger(major) || major < 13 || major > 18)
        throw new PsqlLexerError(`psqlMajor must be a PostgreSQL major version from 13 to 18 (psql's lexer of that version is modelled), got ${String(options.psqlMajor)}`);
    const known = new Set(COMMON_COMMANDS);
    if (major >= 16)
        COMMANDS_16.forEach(c => known.add(c));
    if (major >= 17)
        COMMANDS_17.forEach(c => known.add(c));
    if (major >= 18)
        COMMANDS_18.forEach(c => known.add(c));
    const send = new Set(SEND_COMMANDS);
    if (major >= 18)
        SEND_COMMANDS_18.forEach(c => send.add(c));
    return {
        major,
        echoDashComments: major >= 15,
        verticalTab: major >= 16,
        numbers: major >= 16 ? 'v16' : major === 15 ? 'v15' : 'v14',
        identTracking: major >= 17 ? 'v18' : 'v15',
        copyDecision: options.copyDecision ?? (major >= 17 ? 'psql' : 'server'),
        unrestrictWholeLine: (options.unrestrictArgument ?? (major >= 17 ? 'whole-line' : 'normal')) === 'whole-line',
        knownCommands: known,
        sendCommands: send
    };
}
// ---------------------------------------------------------------------------------------------
// lexer states (psqlscan.l start conditions)
var S;
(function (S) {
    S[S["INITIAL"] = 0] = "INITIAL";
    S[S["XB"] = 1] = "XB";
    S[S["XC"] = 2] = "XC";
    S[S["XD"] = 3] = "XD";
    S[S["XH"] = 4] = "XH";
    S[S["XQ"] = 5] = "XQ";
    S[S["XQS"] = 6] = "XQS";
    S[S["XE"] = 7] = "XE";
    S[S["XDOLQ"] = 8] = "XDOLQ";
    S[S["XUI"] = 9] = "XUI";
    S[S["XUS"] = 10] = "XUS";
})(S || (S = {}));
var Scan;
(function (Scan) {
    Scan[Scan["EOL"] = 0] = "EOL";
    Scan[Scan["SEMI"] = 1] = "SEMI";
    Scan[Scan["BACKSLASH"] = 2] = "BACKSLASH";
})(Scan || (Scan = {}));
/** White space of the SQL lexer by byte (read only): without and with \v (psql 16+). */
const SPACE_MASK = spaceMask(false);
const SPACE_MASK_VT = spaceMask(true);
function spaceMask(verticalTab) {
    const mask = new Uint8Array(256);
    for (let c = 0; c < 256; c++)
        mask[c] = CLASS[c] & C_SPACE ? 1 : 0;
    if (verticalTab)
        mask[VT] = 1;
    return mask;
}
/**
 * psql's reading of a script, fed with Buffer chunks cut anywhere. `write` and `end` return the
 * events completed so far, in the order psql would act on them. Not reusable after `end`.
 *
 * Errors: `PsqlLexerError` for invalid options or a write after `end`. Everything about the input
 * is reported as events (an `unsupported` event for input it cannot follow).
 */
class PsqlLexer {
    dialect;
    spaceMask;
    connectionEncoding;
    connectionStd;
    events = [];
    ended = false;
    stopped = false;
    // input cursor
    nextOffset = 0;
    nextLine = 1;
    partial = [];
    partialLen = 0;
    mode = 'line';
    suspended;
    cur;
    // settings psql lexes by (read at each line's start, like psql_scan_setup)
    std;
    encoding;
    pendingStd;
    pendingEncoding;
    // psqlscan.l state
    state = S.INITIAL;
    stateBeforeStrStop = S.INITIAL;
    xcdepth = 0;
    dolqstart;
    parenDepth = 0;
    beginDepth = 0;
    identCount = 0;
    idents = new Uint8Array(8);
    /** psql's copy_stdin_count for the statement being read. */
    psqlCopyCount = 0;
    // query buffer
    qb = [];
    qbLen = 0;
    pendBuf;
    pendStart = 0;
    pendEnd = 0;
    addedNlPos = -1;
    stmtStart;
    stmtStd = true;
    /** The client encoding the statement's first line was lexed with. */
    stmtEncoding = 'UTF8';
    variables = [];
    backslashEscapes = 0;
    ambiguousLiterals = 0;
    plainLiteralBackslashes = 0;
    /** The string being read started with a plain quote (or N''), whose lexing depends on std strings. */
    plainLiteral = false;
    parts = [];
    part = { start: 0, tokens: [], truncated: false };
    /** The token being read (for depth-0 tokens only): its type, or undefined, and start. */
    tokType;
    tokStart = 0;
    tokenSource = new TokenSource(true);
    /** qbLen at a string's closing quote, while the lexer looks for a continuation. */
    tokEnd = -1;
    previous = { sql: NO_BYTES, parts: [] };
    // psql state
    restrictKey;
    // COPY data
    copyQueue = [];
    copySource = 'COPY';
    copyAtLineStart = true;
    copyCarry;
    copyCarryOffset = 0;
    copyBytes = 0;
    copyLines = 0;
    constructor(options = {}) {
        this.dialect = dialectFor(options);
        this.spaceMask = this.dialect.verticalTab ? SPACE_MASK_VT : SPACE_MASK;
        const enc = canonicalEncoding(options.clientEncoding ?? 'UTF8');
        if (!enc)
            throw new PsqlLexerError(`clientEncoding "${options.clientEncoding}" is not a PostgreSQL encoding name`);
        if (!isByteSafeEncoding(enc))
            throw new PsqlLexerError(`clientEncoding ${enc} is not supported: in it a multi-byte character can contain the bytes of "\\" or "'", which psql lexes character-wise; convert the script to UTF8`);
        this.connectionEncoding = enc;
        this.encoding = enc;
        this.tokenSource = new TokenSource(enc === 'UTF8');
        this.connectionStd = options.standardConformingStrings ?? true;
        this.std = this.connectionStd;
        this.stmtStd = this.std;
        this.stmtEncoding = enc;
    }
    /** The psql major version modelled. */
    get psqlMajor() {
        return this.dialect.major;
    }
    /** Feeds the next bytes of the script; returns the events they complete. */
    write(chunk) {
        if (this.ended)
            throw new PsqlLexerError('write after end');
        const buf = Buffer.isBuffer(chunk)
            ? chunk
            : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
        let pos = 0;
        while (pos < buf.length && !this.stopped) {
            if (this.mode === 'copy') {
                pos = this.copyConsume(buf, pos);
                continue;
            }
            const nl = buf.indexOf(NL, pos);
            if (nl < 0) {
                this.partial.push(buf.subarray(pos));
                this.partialLen += buf.length - pos;
                break;
            }
            let line;
            if (this.partialLen > 0) {
                this.partial.push(buf.subarray(pos, nl));
                line = Buffer.concat(this.partial, this.partialLen + nl - pos);
                this.partial = [];
                this.partialLen = 0;
            }
            else
                line = buf.subarray(pos, nl);
            pos = nl + 1;
            const offset = this.nextOffset;
            const lineNo = this.nextLine;
            this.nextOffset += line.length + 1;
            this.nextLine++;
            this.startLine(line, offset, lineNo);
        }
        return this.take();
    }
    /** Ends the input: psql's end-of-file handling; returns the remaining events. */
    end() {
        if (this.ended)
            throw new PsqlLexerError('end called twice');
        this.ended = true;
        while (!this.stopped && this.mode === 'copy')
            this.copyAtEof();
        if (!this.stopped && this.partialLen > 0) {
            const line = Buffer.concat(this.partial, this.partialLen);
            this.partial = [];
            this.partialLen = 0;
            const offset = this.nextOffset;
            const lineNo = this.nextLine;
            this.nextOffset += line.length;
            this.startLine(line, offset, lineNo);
            // the line may have started COPY data that the end of input ends at once
            while (!this.stopped && this.mode === 'copy')
                this.copyAtEof();
        }
        if (!this.stopped && this.qbLen > 0) {
            this.sendStatement('eof');
            while (!this.stopped && this.mode === 'copy')
                this.copyAtEof();
        }
        return this.take();
    }
    take() {
        const out = this.events;
        this.events = [];
        return out;
    }
    emit(event) {
        this.events.push(event);
    }
    unsupported(reason, message, at) {
        this.emit({ kind: 'unsupported', reason, message, ...at });
        this.stopped = true;
    }
    decode(buf) {
        return this.encoding === 'UTF8' ? buf.toString('utf8') : buf.toString('latin1');
    }
    // -------------------------------------------------------------------------------------------
    // lines (MainLoop)
    startLine(raw, offset, lineNo) {
        let buf = raw;
        let start = offset;
        // apply what the previous statements changed (psql reads these at psql_scan_setup)
        if (this.pendingStd !== undefined) {
            this.std = this.pendingStd;
            this.pendingStd = undefined;
        }
        if (this.pendingEncoding !== undefined) {
            this.encoding = this.pendingEncoding;
            this.pendingEncoding = undefined;
            if (!isByteSafeEncoding(this.encoding)) {
                this.unsupported('client-encoding', `line ${lineNo}: the script switched client_encoding to ${this.encoding}, in which psql lexes multi-byte characters that can contain "\\" or "'"; this is not modelled`, { line: lineNo, offset });
                return;
            }
        }
        if (lineNo === 1) {
            if (this.encoding === 'UTF8' &&
                buf.length >= 3 &&
                buf[0] === 0xef &&
                buf[1] === 0xbb &&
                buf[2] === 0xbf) {
                buf = buf.subarray(3);
                start += 3;
            }
            if (buf.length >= 5 && buf.toString('latin1', 0, 5) === 'PGDMP') {
                this.emit({ kind: 'halt', reason: 'custom-format-archive', line: lineNo, offset: start });
                this.stopped = true;
                return;
            }
        }
        const nul = buf.indexOf(0);
        if (nul >= 0) {
            this.unsupported('nul-byte', `line ${lineNo}: a NUL byte (psql drops the rest of the line after one; pg_dump never writes one)`, { line: lineNo, offset: offset + nul });
            return;
        }
        if (buf.length === 0 && !this.inQuote())
            return;
        if (this.qbLen > 0) {
            this.appendRaw(NEWLINE_BUF);
            this.addedNlPos = this.qbLen;
        }
        else
            this.addedNlPos = -1;
        this.cur = { buf, pos: 0, offset: start, line: lineNo, std: this.std };
        this.runLine();
    }
    inQuote() {
        return this.state !== S.INITIAL && this.state !== S.XQS;
    }
    /** Scans the current line until its end or until COPY data interrupts it. */
    runLine() {
        const ln = this.cur;
        while (!this.stopped) {
            const r = this.lexSql(ln);
            if (r === Scan.EOL)
                break;
            if (r === Scan.SEMI) {
                this.sendStatement('semicolon');
                this.addedNlPos = -1;
            }
            else {
                // backslash command
                if (this.qbLen === this.addedNlPos)
                    this.dropLastNewline();
                this.addedNlPos = -1;
                const quit = this.metaCommand(ln);
                if (quit)
                    return;
            }
            if (this.mode === 'copy') {
                this.suspended = ln;
                return;
            }
        }
        this.cur = undefined;
    }
    // -------------------------------------------------------------------------------------------
    // query buffer
    appendRaw(b) {
        this.flushPending();
        this.qb.push(b);
        this.qbLen += b.length;
    }
    flushPending() {
        if (this.pendBuf) {
            this.qb.push(this.pendBuf.subarray(this.pendStart, this.pendEnd));
            this.pendBuf = undefined;
        }
    }
    /** ECHO: appends ln.buf[a, b) to the query buffer. */
    echo(ln, a, b) {
        if (b <= a)
            return;
        if (this.qbLen === 0 && this.stmtStart === undefined) {
            this.stmtStart = { line: ln.line, offset: ln.offset + a };
            this.stmtStd = ln.std;
            this.stmtEncoding = this.encoding;
        }
        if (this.pendBuf === ln.buf && this.pendEnd === a)
            this.pendEnd = b;
        else {
            this.flushPending();
            this.pendBuf = ln.buf;
            this.pendStart = a;
            this.pendEnd = b;
        }
        this.qbLen += b - a;
    }
    /** Appends bytes psql generates itself (";" of "\;", "FALSE" of :{?x}). */
    echoGenerated(ln, at, text) {
        if (this.qbLen === 0 && this.stmtStart === undefined) {
            this.stmtStart = { line: ln.line, offset: ln.offset + at };
            this.stmtStd = ln.std;
            this.stmtEncoding = this.encoding;
        }
        this.appendRaw(Buffer.from(text, 'latin1'));
    }
    dropLastNewline() {
        // the newline was appended with appendRaw as the last piece
        this.flushPending();
        const last = this.qb[this.qb.length - 1];
        if (last === NEWLINE_BUF)
            this.qb.pop();
        else
            this.qb[this.qb.length - 1] = last.subarray(0, last.length - 1);
        this.qbLen--;
    }
    queryBytes() {
        this.flushPending();
        const sql = this.qb.length === 1 ? this.qb[0] : Buffer.concat(this.qb, this.qbLen);
        this.qb = sql.length > 0 ? [sql] : [];
        return sql;
    }
    resetQueryBuffer() {
        this.qb = [];
        this.qbLen = 0;
        this.pendBuf = undefined;
        this.stmtStart = undefined;
        this.variables = [];
        this.backslashEscapes = 0;
        this.ambiguousLiterals = 0;
        this.plainLiteralBackslashes = 0;
        this.parts = [];
        this.part = { start: 0, tokens: [], truncated: false };
        this.tokType = undefined;
        this.tokEnd = -1;
        this.tokenSource = new TokenSource(this.encoding === 'UTF8');
    }
    /** psql_scan_reset. */
    resetScanner() {
        this.state = S.INITIAL;
        this.parenDepth = 0;
        this.xcdepth = 0;
        this.dolqstart = undefined;
        this.beginDepth = 0;
        this.identCount = 0;
        this.psqlCopyCount = 0;
    }
    // -------------------------------------------------------------------------------------------
    // tokens and parts (for classification; psql itself keeps none of this)
    beginToken(type) {
        if (this.parenDepth !== 0)
            return;
        this.tokType = type;
        this.tokStart = this.qbLen;
    }
    endToken() {
        const type = this.tokType;
        if (type === undefined)
            return;
        this.tokType = undefined;
        const end = this.tokEnd >= 0 ? this.tokEnd : this.qbLen;
        this.tokEnd = -1;
        const p = this.part;
        if (p.tokens.length >= MAX_PART_TOKENS) {
            p.truncated = true;
            return;
        }
        p.tokens.push(new Token(type, this.tokStart, end, this.tokenSource));
    }
    /** A ";" at paren depth 0 that does not end the statement (BEGIN … END body, or "\;"). */
    splitPart(semicolonAt) {
        this.parts.push({
            start: this.part.start,
            end: semicolonAt,
            tokens: this.part.tokens,
            truncated: this.part.truncated
        });
        this.part = { start: semicolonAt + 1, tokens: [], truncated: false };
    }
    // -------------------------------------------------------------------------------------------
    // identifier tracking (psqlscan.l psqlscan_track_identifier / the identifier rule of 15)
    trackIdentifier(buf, a, b) {
        const word = trackedWord(buf, a, b);
        if (this.dialect.identTracking === 'v18') {
            if (this.parenDepth !== 0)
                return;
            if (this.identCount === 0)
                this.idents.fill(0);
            if (this.identCount < 8) {
                if (word === W_CREATE ||
                    word === W_FUNCTION ||
                    word === W_PROCEDURE ||
                    word === W_OR ||
                    word === W_REPLACE)
                    this.idents[this.identCount] = lower(buf[a]);
                else if (word === W_COPY || word === W_FROM || word === W_STDIN || word === W_STDOUT)
                    this.idents[this.identCount] = lower(buf[a]) - 32;
                this.identCount++;
            }
        }
        else {
            if (this.identCount === 0)
                this.idents.fill(0);
            if (word === W_CREATE ||
                word === W_FUNCTION ||
                word === W_PROCEDURE ||
                word === W_OR ||
                word === W_REPLACE) {
                if (this.identCount < 4)
                    this.idents[this.identCount] = lower(buf[a]);
            }
            this.identCount++;
            if (this.parenDepth !== 0)
                return;
        }
        if (word < W_BEGIN)
            return;
        const d = this.idents;
        const createRoutine = d[0] === 0x63 /* c */ &&
            (d[1] === 0x66 /* f */ ||
                d[1] === 0x70 /* p */ ||
                (d[1] === 0x6f /* o */ && d[2] === 0x72 /* r */ && (d[3] === 0x66 || d[3] === 0x70)));
        if (!createRoutine)
            return;
        if (word === W_BEGIN)
            this.beginDepth++;
        else if (word === W_CASE) {
            if (this.beginDepth >= 1)
                this.beginDepth++;
        }
        else if (this.beginDepth > 0)
            this.beginDepth--; // W_END
    }
    /**
     * psqlscan_is_copy_from_stdin: COPY, then within the first 8 words FROM followed by STDIN or
     * STDOUT. Like psql, it looks at the words array as it is: a statement with no word outside
     * parentheses (";" alone, "(SELECT 1);") still holds the previous statement's words, so after a
     * COPY … FROM STDIN psql counts it as one more.
     */
    isCopyFromStdin() {
        if (this.dialect.identTracking !== 'v18')
            return false;
        const d = this.idents;
        if (d[0] !== 0x43 /* C */)
            return false;
        for (let k = 1; k < 7; k++) {
            if (d[k] !== 0x46 /* F */)
                continue;
            return d[k + 1] === 0x53; /* S */
        }
        return false;
    }
    // -------------------------------------------------------------------------------------------
    // the SQL lexer (psqlscan.l), one line
    lexSql(ln) {
        const L = ln.buf;
        const n = L.length;
        let i = ln.pos;
        const space = this.spaceMask;
        for (;;) {
            if (i >= n) {
                ln.pos = n;
                return Scan.EOL;
            }
            switch (this.state) {
                case S.INITIAL: {
                    const c = L[i];
                    const k = CLASS[c];
                    if (space[c]) {
                        let j = i + 1;
                        while (j < n && space[L[j]])
                            j++;
                        if (this.qbLen > 0)
                            this.echo(ln, i, j);
                        i = j;
                        continue;
                    }
                    if (c === 0x2d /* - */ && L[i + 1] === 0x2d) {
                        let j = i + 2;
                        while (j < n && L[j] !== NL && L[j] !== CR)
                            j++;
                        if (this.qbLen > 0 && this.dialect.echoDashComments)
                            this.echo(ln, i, j);
                        i = j;
                        continue;
                    }
                    if (c === 0x2f /* / */ && L[i + 1] === 0x2a /* * */) {
                        this.xcdepth = 0;
                        this.state = S.XC;
                        this.echo(ln, i, i + 2);
                        i += 2;
                        continue;
                    }
                    if (c === QUOTE) {
                        this.beginToken('string');
                        this.state = ln.std ? S.XQ : S.XE;
                        this.plainLiteral = true;
                        this.echo(ln, i, i + 1);
                        i++;
                        continue;
                    }
                    if (c === DQUOTE) {
                        this.beginToken('qident');
                        this.state = S.XD;
                        this.echo(ln, i, i + 1);
                        i++;
                        continue;
                    }
                    if (k & C_IDENT_START) {
                        // string prefixes, when the letter starts a token (always, here)
                        const n1 = L[i + 1];
                        if (n1 === QUOTE) {
                            const lc = lower(c);
                            let next;
                            if (lc === 0x62 /* b */)
                                next = S.XB;
                            else if (lc === 0x78 /* x */)
                                next = S.XH;
                            else if (lc === 0x65 /* e */)
                                next = S.XE;
                            else if (lc === 0x6e /* n */)
                                next = ln.std ? S.XQ : S.XE; // yyless(1), then xqstart
                            if (next !== undefined) {
                                this.beginToken('string');
                                this.state = next;
                                this.plainLiteral = lc === 0x6e;
                                this.echo(ln, i, i + 2);
                                i += 2;
                                continue;
                            }
                        }
                        else if (n1 === 0x26 /* & */ && lower(c) === 0x75 /* u */) {
                            const n2 = L[i + 2];
                            if (n2 === QUOTE || n2 === DQUOTE) {
                                this.beginToken(n2 === QUOTE ? 'string' : 'qident');
                                this.state = n2 === QUOTE ? S.XUS : S.XUI;
                                this.echo(ln, i, i + 3);
                                i += 3;
                                continue;
                            }
                            // xufailed: "u&" thrown back to "u", which is not an identifier token
                            this.beginToken('op');
                            this.echo(ln, i, i + 1);
                            this.endToken();
                            i++;
                            continue;
                        }
                        let j = i + 1;
                        while (j < n && CLASS[L[j]] & C_IDENT_CONT)
                            j++;
                        this.beginToken('ident');
                        this.trackIdentifier(L, i, j);
                        this.echo(ln, i, j);
                        this.endToken();
                        i = j;
                        continue;
                    }
                    if (k & C_DIGIT || (c === DOT && isDigit(L[i + 1] ?? 0))) {
                        const j = this.scanNumber(L, i);
                        this.beginToken('number');
                        this.echo(ln, i, j);
                        this.endToken();
                        i = j;
                        continue;
                    }
                    if (c === DOLLAR) {
                        const n1 = L[i + 1] ?? -1;
                        if (isDigit(n1)) {
                            // {param} / {param_junk}
                            let j = i + 2;
                            while (j < n && isDigit(L[j]))
                                j++;
                            if (this.dialect.numbers !== 'v14' && j < n && CLASS[L[j]] & C_IDENT_START) {
                                j++;
                                while (j < n && CLASS[L[j]] & C_IDENT_CONT)
                                    j++;
                            }
                            this.beginToken('param');
                            this.echo(ln, i, j);
                            this.endToken();
                            i = j;
                            continue;
                        }
                        if (n1 === DOLLAR || (n1 >= 0 && CLASS[n1] & C_IDENT_START)) {
                            let j = i + 1;
                            while (j < n && CLASS[L[j]] & C_DOLQ_CONT)
                                j++;
                            if (j < n && L[j] === DOLLAR) {
                                this.beginToken('string');
                                this.dolqstart = L.subarray(i, j + 1);
                                this.state = S.XDOLQ;
                                this.echo(ln, i, j + 1);
                                i = j + 1;
                                continue;
                            }
                            // {dolqfailed}: throw back all but the "$"
                        }
                        this.beginToken('op');
                        this.echo(ln, i, i + 1);
                        this.endToken();
                        i++;
                        continue;
                    }
                    if (c === COLON) {
                        const n1 = L[i + 1] ?? -1;
                        if (n1 === COLON || n1 === 0x3d /* = */) {
                            this.beginToken('op');
                            this.echo(ln, i, i + 2);
                            this.endToken();
                            i += 2;
                            continue;
                        }
                        if (n1 >= 0 && CLASS[n1] & C_DOLQ_CONT) {
                            let j = i + 2;
                            while (j < n && CLASS[L[j]] & C_DOLQ_CONT)
                                j++;
                            this.variable(ln, i, L.toString('latin1', i + 1, j), 'plain');
                            this.beginToken('variable');
                            this.echo(ln, i, j);
                            this.endToken();
                            i = j;
                            continue;
                        }
                        if (n1 === QUOTE || n1 === DQUOTE) {
                            let j = i + 2;
                            while (j < n && CLASS[L[j]] & C_DOLQ_CONT)
                                j++;
                            if (j > i + 2 && L[j] === n1) {
                                this.variable(ln, i, L.toString('latin1', i + 2, j), n1 === QUOTE ? 'literal' : 'identifier');
                                this.beginToken('variable');
                                this.echo(ln, i, j + 1);
                                this.endToken();
                                i = j + 1;
                                continue;
                            }
                        }
                        else if (n1 === 0x7b /* { */ && L[i + 2] === 0x3f /* ? */) {
                            let j = i + 3;
                            while (j < n && CLASS[L[j]] & C_DOLQ_CONT)
                                j++;
                            if (j > i + 3 && L[j] === 0x7d /* } */) {
                                this.variable(ln, i, L.toString('latin1', i + 3, j), 'test');
                                // psqlscan_test_variable: the reference becomes TRUE or FALSE (assumed unset)
                                this.beginToken('variable');
                                this.echoGenerated(ln, i, 'FALSE');
                                this.endToken();
                                i = j + 1;
                                continue;
                            }
                        }
                        this.beginToken('punct');
                        this.echo(ln, i, i + 1);
                        this.endToken();
                        i++;
                        continue;
                    }
                    if (c === 0x28 /* ( */) {
                        if (this.parenDepth === 0) {
                            this.beginToken('punct');
                            this.echo(ln, i, i + 1);
                            this.endToken();
                        }
                        else
                            this.echo(ln, i, i + 1);
                        this.parenDepth++;
                        i++;
                        continue;
                    }
                    if (c === 0x29 /* ) */) {
                        if (this.parenDepth > 0)
                            this.parenDepth--;
                        this.beginToken('punct');
                        this.echo(ln, i, i + 1);
                        this.endToken();
                        i++;
                        continue;
                    }
                    if (c === SEMI) {
                        const at = this.qbLen;
                        this.echo(ln, i, i + 1);
                        i++;
                        if (this.parenDepth === 0 && this.beginDepth === 0) {
                            if (this.isCopyFromStdin())
                                this.psqlCopyCount++;
                            this.identCount = 0;
                            ln.pos = i;
                            this.partEndAt = at;
                            return Scan.SEMI;
                        }
                        if (this.parenDepth === 0)
                            this.splitPart(at);
                        continue;
                    }
                    if (c === BS) {
                        const n1 = L[i + 1];
                        if (n1 === SEMI || n1 === COLON) {
                            // "\;" and "\:" put ";" or ":" into the query buffer
                            const at = this.qbLen;
                            this.backslashEscapes++;
                            this.echoGenerated(ln, i, n1 === SEMI ? ';' : ':');
                            if (n1 === SEMI) {
                                if (this.dialect.identTracking === 'v18') {
                                    if (this.parenDepth === 0 && this.beginDepth === 0) {
                                        if (this.isCopyFromStdin())
                                            this.psqlCopyCount++;
                                        this.identCount = 0;
                                    }
                                }
                                else
                                    this.identCount = 0;
                                if (this.parenDepth === 0)
                                    this.splitPart(at);
                            }
                            i += 2;
                            continue;
                        }
                        ln.pos = i + 1;
                        this.metaAt = i;
                        return Scan.BACKSLASH;
                    }
                    if (k & C_OP) {
                        let j = i + 1;
                        while (j < n && CLASS[L[j]] & C_OP)
                            j++;
                        // {operator}: stop at an embedded comment start, drop trailing + and -
                        let nchars = j - i;
                        for (let p = i; p + 1 < j; p++) {
                            if ((L[p] === 0x2f && L[p + 1] === 0x2a) || (L[p] === 0x2d && L[p + 1] === 0x2d)) {
                                nchars = p - i;
                                break;
                            }
                        }
                        if (nchars > 1 && (L[i + nchars - 1] === 0x2b || L[i + nchars - 1] === 0x2d)) {
                            let ic = nchars - 2;
                            for (; ic >= 0; ic--) {
                                const ch = L[i + ic];
                                if ('~!@#^&|`?%'.includes(String.fromCharCode(ch)))
                                    break;
                            }
                            if (ic < 0) {
                                do
                                    nchars--;
                                while (nchars > 1 && (L[i + nchars - 1] === 0x2b || L[i + nchars - 1] === 0x2d));
                            }
                        }
                        this.beginToken('op');
                        this.echo(ln, i, i + nchars);
                        this.endToken();
                        i += nchars;
                        continue;
                    }
                    // {self} / {other} / "." / ".."
                    const len = c === DOT && L[i + 1] === DOT ? 2 : 1;
                    this.beginToken(c === 0x2c || c === DOT ? 'punct' : 'op');
                    this.echo(ln, i, i + len);
                    this.endToken();
                    i += len;
                    continue;
                }
                case S.XC: {
                    const c = L[i];
                    if (c === 0x2f && L[i + 1] === 0x2a) {
                        this.xcdepth++;
                        this.echo(ln, i, i + 2);
                        i += 2;
                        continue;
                    }
                    if (c === 0x2a) {
                        let j = i + 1;
                        while (j < n && L[j] === 0x2a)
                            j++;
                        if (j < n && L[j] === 0x2f) {
                            if (this.xcdepth <= 0)
                                this.state = S.INITIAL;
                            else
                                this.xcdepth--;
                            j++;
                        }
                        this.echo(ln, i, j);
                        i = j;
                        continue;
                    }
                    let j = i + 1;
                    while (j < n && L[j] !== 0x2a && L[j] !== 0x2f)
                        j++;
                    this.echo(ln, i, j);
                    i = j;
                    continue;
                }
                case S.XQ:
                case S.XUS: {
                    const q = L.indexOf(QUOTE, i);
                    if (this.state === S.XQ && this.plainLiteral) {
                        // a backslash of a plain literal: a different value with the other setting
                        const until = q < 0 ? n : q;
                        for (let k = L.indexOf(BS, i); k >= 0 && k < until; k = L.indexOf(BS, k + 1))
                            this.plainLiteralBackslashes++;
                    }
                    if (q < 0) {
                        this.echo(ln, i, n);
                        i = n;
                        continue;
                    }
                    if (this.state === S.XQ && this.plainLiteral && L[q - 1] === BS) {
                        // with standard_conforming_strings off this quote would be escaped
                        let run = 0;
                        for (let k = q - 1; k >= 0 && L[k] === BS; k--)
                            run++;
                        if (run % 2 === 1)
                            this.ambiguousLiterals++;
                    }
                    if (L[q + 1] === QUOTE) {
                        this.echo(ln, i, q + 2);
                        i = q + 2;
                        continue;
                    }
                    this.echo(ln, i, q + 1);
                    this.stateBeforeStrStop = this.state;
                    this.state = S.XQS;
                    this.tokEnd = this.qbLen;
                    i = q + 1;
                    continue;
                }
                case S.XE: {
                    let j = i;
                    while (j < n && L[j] !== QUOTE && L[j] !== BS)
                        j++;
                    if (j >= n) {
                        this.echo(ln, i, n);
                        i = n;
                        continue;
                    }
                    if (L[j] === BS) {
                        // with standard_conforming_strings on, a plain literal would end at this quote
                        if (this.plainLiteral && L[j + 1] === QUOTE)
                            this.ambiguousLiterals++;
                        if (this.plainLiteral)
                            this.plainLiteralBackslashes++;
                        const e = Math.min(j + 2, n);
                        this.echo(ln, i, e);
                        i = e;
                        continue;
                    }
                    if (L[j + 1] === QUOTE) {
                        this.echo(ln, i, j + 2);
                        i = j + 2;
                        continue;
                    }
                    this.echo(ln, i, j + 1);
                    this.stateBeforeStrStop = S.XE;
                    this.state = S.XQS;
                    this.tokEnd = this.qbLen;
                    i = j + 1;
                    continue;
                }
                case S.XB:
                case S.XH: {
                    const q = L.indexOf(QUOTE, i);
                    if (q < 0) {
                        this.echo(ln, i, n);
                        i = n;
                        continue;
                    }
                    this.echo(ln, i, q + 1);
                    this.stateBeforeStrStop = this.state;
                    this.state = S.XQS;
                    this.tokEnd = this.qbLen;
                    i = q + 1;
                    continue;
                }
                case S.XQS: {
                    const m = this.quoteContinue(L, i);
                    if (m > 0) {
                        this.echo(ln, i, m);
                        this.state = this.stateBeforeStrStop;
                        this.tokEnd = -1;
                        i = m;
                        continue;
                    }
                    this.state = S.INITIAL;
                    this.endToken();
                    continue;
                }
                case S.XD:
                case S.XUI: {
                    const q = L.indexOf(DQUOTE, i);
                    if (q < 0) {
                        this.echo(ln, i, n);
                        i = n;
                        continue;
                    }
                    if (L[q + 1] === DQUOTE) {
                        this.echo(ln, i, q + 2);
                        i = q + 2;
                        continue;
                    }
                    this.echo(ln, i, q + 1);
                    this.state = S.INITIAL;
                    this.endToken();
                    i = q + 1;
                    continue;
                }
                case S.XDOLQ: {
                    const d = L.indexOf(DOLLAR, i);
                    if (d < 0) {
                        this.echo(ln, i, n);
                        i = n;
                        continue;
                    }
                    const n1 = L[d + 1] ?? -1;
                    if (n1 === DOLLAR || (n1 >= 0 && CLASS[n1] & C_IDENT_START)) {
                        let j = d + 1;
                        while (j < n && CLASS[L[j]] & C_DOLQ_CONT)
                            j++;
                        if (j < n && L[j] === DOLLAR) {
                            if (this.dolqstart && L.subarray(d, j + 1).equals(this.dolqstart)) {
                                this.echo(ln, i, j + 1);
                                this.dolqstart = undefined;
                                this.state = S.INITIAL;
                                this.endToken();
                                i = j + 1;
                                continue;
                            }
                            // not our tag: keep the final "$" for rescanning
                            this.echo(ln, i, j);
                            i = j;
                            continue;
                        }
                        this.echo(ln, i, j);
                        i = j;
                        continue;
                    }
                    this.echo(ln, i, d + 1);
                    i = d + 1;
                    continue;
                }
            }
        }
    }
    /** Set at each SEMI / BACKSLASH result. */
    partEndAt = 0;
    metaAt = 0;
    /**
     * {quotecontinue} at L[i]: white space containing a newline (comments allowed), then a quote.
     * Returns the index after the quote, or 0.
     */
    quoteContinue(L, i) {
        const n = L.length;
        const space = this.spaceMask;
        const nonNl = (c) => space[c] === 1 && c !== NL && c !== CR;
        let j = i;
        // {non_newline_whitespace}*
        for (;;) {
            if (j < n && nonNl(L[j])) {
                j++;
                continue;
            }
            if (L[j] === 0x2d && L[j + 1] === 0x2d) {
                j += 2;
                while (j < n && L[j] !== NL && L[j] !== CR)
                    j++;
                continue;
            }
            break;
        }
        if (j >= n || (L[j] !== NL && L[j] !== CR))
            return 0;
        j++;
        // {special_whitespace}*: white space, or a comment followed by a newline
        for (;;) {
            if (j < n && space[L[j]]) {
                j++;
                continue;
            }
            if (L[j] === 0x2d && L[j + 1] === 0x2d) {
                let e = j + 2;
                while (e < n && L[e] !== NL && L[e] !== CR)
                    e++;
                if (e < n) {
                    j = e + 1;
                    continue;
                }
                return 0;
            }
            break;
        }
        return j < n && L[j] === QUOTE ? j + 1 : 0;
    }
    /** End of the number token starting at L[i] (a digit, or "." before a digit). */
    scanNumber(L, i) {
        const n = L.length;
        const mode = this.dialect.numbers;
        const us = mode === 'v16';
        const decint = (p) => {
            // {decinteger}: digit (_? digit)* — or digit+ before 16; returns p when none
            if (!(p < n && isDigit(L[p])))
                return p;
            let q = p + 1;
            for (;;) {
                if (q < n && isDigit(L[q]))
                    q++;
                else if (us && L[q] === 0x5f && q + 1 < n && isDigit(L[q + 1]))
                    q += 2;
                else
                    break;
            }
            return q;
        };
        const identEnd = (p) => {
            if (!(p < n && CLASS[L[p]] & C_IDENT_START))
                return -1;
            let q = p + 1;
            while (q < n && CLASS[L[q]] & C_IDENT_CONT)
                q++;
            return q;
        };
        let best = i;
        const consider = (e) => {
            if (e > best)
                best = e;
        };
        // exponent after a number ending at p: {real}, {realfail} (and 14's realfail1/2)
        const exponent = (p) => {
            if (!(L[p] === 0x45 || L[p] === 0x65))
                return;
            const s = L[p + 1];
            if (s === 0x2b || s === 0x2d) {
                const d = decint(p + 2);
                if (d > p + 2) {
                    consider(d);
                    if (mode !== 'v14')
                        consider(identEnd(d));
                }
                else if (mode !== 'v14')
                    consider(p + 2); // {realfail}
                return;
            }
            const d = decint(p + 1);
            if (d > p + 1) {
                consider(d);
                if (mode !== 'v14')
                    consider(identEnd(d));
            }
        };
        if (L[i] === DOT) {
            const d = decint(i + 1);
            consider(d);
            if (mode !== 'v14')
                consider(identEnd(d));
            exponent(d);
            return best;
        }
        const d = decint(i);
        consider(d);
        if (mode !== 'v14')
            consider(identEnd(d));
        if (us && L[i] === 0x30) {
            const r = lower(L[i + 1] ?? 0);
            const ok = r === 0x78
                ? isHex
                : r === 0x6f
                    ? (c) => c >= 48 && c <= 55
                    : r === 0x62
                        ? (c) => c === 48 || c === 49
                        : undefined;
            if (ok) {
                let q = i + 2;
                for (;;) {
                    if (q < n && ok(L[q]))
                        q++;
                    else if (L[q] === 0x5f && q + 1 < n && ok(L[q + 1]))
                        q += 2;
                    else
                        break;
                }
                consider(q > i + 2 ? q : L[i + 2] === 0x5f ? i + 3 : i + 2);
            }
        }
        if (L[d] === DOT) {
            if (L[d + 1] === DOT) {
                // {numericfail}: "1..": the ".." is thrown back; longer matches cannot start this way
                return best > d + 2 ? best : d;
            }
            const f = decint(d + 1);
            consider(f);
            if (mode !== 'v14')
                consider(identEnd(f));
            exponent(f);
        }
        exponent(d);
        return best;
    }
    variable(ln, at, name, form) {
        this.variables.push({ name, form, line: ln.line, offset: ln.offset + at });
    }
    // -------------------------------------------------------------------------------------------
    // statements
    /**
     * Sends the query buffer (or, for a sending meta-command with an empty buffer, the previous
     * statement again: copy_previous_query).
     */
    sendStatement(terminator, resend) {
        const endAt = terminator === 'semicolon' ? this.partEndAt : this.qbLen;
        if (terminator !== 'semicolon' && this.tokType !== undefined)
            this.endToken();
        this.parts.push({
            start: this.part.start,
            end: endAt,
            tokens: this.part.tokens,
            truncated: this.part.truncated
        });
        const sql = resend ? this.previous.sql : this.queryBytes();
        const at = resend ??
            this.stmtStart ?? {
            line: this.cur?.line ?? this.nextLine,
            offset: this.cur?.offset ?? this.nextOffset
        };
        if (!resend)
            this.tokenSource.sql = sql;
        const parts = resend
            ? this.previous.parts
            : this.parts.map(p => this.finishPart(sql, p));
        let serverCopyIn = 0;
        for (const p of parts)
            if (p.copy &&
                p.copy.direction === 'from' &&
                (p.copy.target === 'stdin' || p.copy.target === 'stdout'))
                serverCopyIn++;
        let psqlCopyIn;
        if (this.dialect.copyDecision === 'psql') {
            if (terminator === 'meta')
                psqlCopyIn = this.copyCountOf(sql);
            else {
                // psql_scan_count_copy_from_stdin: the part after the last ";" counts too
                if (terminator === 'eof' && this.identCount > 0 && this.isCopyFromStdin())
                    this.psqlCopyCount++;
                psqlCopyIn = this.psqlCopyCount;
            }
        }
        const copyIn = psqlCopyIn ?? serverCopyIn;
        const effects = settingEffects(parts, sql, {
            std: this.connectionStd,
            encoding: this.connectionEncoding
        });
        const event = new Statement(at.line, at.offset, sql, this.encoding === 'UTF8', terminator, parts, copyIn, serverCopyIn, this.variables, this.backslashEscapes, this.stmtStd, this.ambiguousLiterals);
        if (psqlCopyIn !== undefined)
            event.psqlCopyIn = psqlCopyIn;
        event.clientEncoding = this.stmtEncoding;
        event.plainLiteralBackslashes = this.plainLiteralBackslashes;
        if (effects)
            event.effects = effects;
        event.end =
            terminator === 'eof'
                ? this.nextOffset
                : this.cur
                    ? this.cur.offset + this.cur.pos
                    : this.nextOffset;
        this.emit(event);
        this.previous = { sql, parts };
        this.resetQueryBuffer();
        if (terminator !== 'semicolon')
            this.resetScanner();
        else
            this.psqlCopyCount = 0;
        if (effects?.standardConformingStrings !== undefined &&
            effects.standardConformingStrings !== 'unknown')
            this.pendingStd = effects.standardConformingStrings;
        if (effects?.clientEncoding !== undefined && effects.clientEncoding !== 'unknown')
            this.pendingEncoding = effects.clientEncoding;
        for (let k = 0; k < copyIn; k++)
            this.copyQueue.push('COPY');
        if (this.copyQueue.length > 0)
            this.startCopy();
    }
    /**
     * SendQuery(query, -1) of psql 17.12+/18.6+ for a query sent by a meta-command: a fresh lexer
     * scans the whole query text as one buffer and counts. Upstream 18.6 scans once, up to the first
     * ";"; Debian's 17.12 and 18.6 (the binaries checked here) carry a patch that goes on over every
     * ";" (v2-0001-psql-count-every-COPY-FROM-STDIN-when-scanning-a-query-string), modelled here. It
     * stops at a backslash either way.
     */
    copyCountOf(sql) {
        const probe = new PsqlLexer({
            psqlMajor: this.dialect.major,
            clientEncoding: this.encoding,
            standardConformingStrings: this.std,
            copyDecision: 'psql'
        });
        const ln = { buf: sql, pos: 0, offset: 0, line: 1, std: this.std };
        while (probe.lexSql(ln) === Scan.SEMI)
            ;
        return probe.psqlCopyCount + (probe.identCount > 0 && probe.isCopyFromStdin() ? 1 : 0);
    }
    finishPart(sql, p) {
        const keywords = [];
        for (const t of p.tokens) {
            if (t.type !== 'ident' || keywords.length >= 6)
                break;
            keywords.push(sql.toString('latin1', t.start, Math.min(t.end, sql.length)).toUpperCase());
        }
        const part = {
            start: p.start,
            end: Math.min(p.end, sql.length),
            tokens: p.tokens,
            tokensTruncated: p.truncated,
            keywords
        };
        if (keywords[0] === 'COPY')
            part.copy = copyTarget(part, sql);
        return part;
    }
    // -------------------------------------------------------------------------------------------
    // meta-commands (psqlscanslash.l, command.c HandleSlashCmds)
    /** Handles the backslash command at this.metaAt; returns true when psql stops (\q). */
    metaCommand(ln) {
        const L = ln.buf;
        const n = L.length;
        const space = this.spaceMask;
        const at = this.metaAt;
        let i = at + 1;
        // xslashcmd: the name ends at white space or a backslash
        let j = i;
        while (j < n && !space[L[j]] && L[j] !== BS)
            j++;
        const name = this.decode(L.subarray(i, j));
        i = j;
        const argsStart = i;
        const d = this.dialect;
        const args = [];
        const vars = [];
        let backquote = false;
        let wholeLine = false;
        let rejected;
        const known = d.knownCommands.has(name) ||
            name.toLowerCase() === 'copy' ||
            name.startsWith('d') ||
            name.startsWith('lo_');
        const scanArg = (type) => {
            const r = this.slashOption(ln, i, type, vars);
            i = r.end;
            if (r.backquote)
                backquote = true;
            if (r.wholeLine)
                wholeLine = true;
            return r.value;
        };
        const restOfLine = () => {
            // xslashwholeline: leading white space dropped
            let p = i;
            while (p < n && space[L[p]])
                p++;
            const value = this.decode(L.subarray(p, n));
            i = n;
            wholeLine = true;
            return value;
        };
        if (this.restrictKey !== undefined && name !== 'unrestrict')
            rejected = 'restricted';
        else if (!known)
            rejected = 'unknown';
        else if (WHOLE_LINE_COMMANDS.has(name) || name.toLowerCase() === 'copy') {
            const v = restOfLine();
            if (v.length > 0)
                args.push(v);
        }
        else if (name === 'unrestrict' && d.unrestrictWholeLine) {
            let v = restOfLine();
            v = v.replace(/[;\s]+$/, ''); // whole-line mode with semicolon = true
            if (v.length > 0)
                args.push(v);
        }
        else {
            let first = true;
            for (;;) {
                const v = scanArg(first && FILEPIPE_COMMANDS.has(name) ? 'filepipe' : 'normal');
                first = false;
                if (v === undefined)
                    break;
                args.push(v);
            }
        }
        let queryBuffer;
        let quit = false;
        let copyFromStdin = false;
        if (!rejected) {
            switch (name) {
                case 'restrict': {
                    const key = args[0] === undefined ? '' : stripSemicolons(args[0]);
                    if (key === '')
                        rejected = 'error';
                    else
                        this.restrictKey = key;
                    break;
                }
                case 'unrestrict': {
                    const key = args[0] === undefined ? '' : d.unrestrictWholeLine ? args[0] : stripSemicolons(args[0]);
                    if (key === '' || this.restrictKey === undefined || key !== this.restrictKey)
                        rejected = 'error';
                    else
                        this.restrictKey = undefined;
                    break;
                }
                case 'c':
                case 'connect':
                    // a new connection: the server's defaults from the next line on
                    this.pendingStd = this.connectionStd;
                    this.pendingEncoding = this.connectionEncoding;
                    break;
                case 'r':
                case 'reset':
                    queryBuffer = 'reset';
                    break;
                case 'q':
                case 'quit':
                    quit = true;
                    break;
                case 'encoding': {
                    const enc = args[0] === undefined ? undefined : canonicalEncoding(args[0]);
                    if (enc)
                        this.pendingEncoding = enc;
                    break;
                }
                default:
                    if (d.sendCommands.has(name))
                        queryBuffer = 'sent';
                    if (name.toLowerCase() === 'copy' && args[0] !== undefined && slashCopyFromStdin(args[0]))
                        copyFromStdin = true;
            }
        }
        if (rejected) {
            // HandleSlashCmds: after an error the rest of the line is thrown away
            if (i < n) {
                restOfLine();
            }
        }
        const argText = this.decode(L.subarray(argsStart, i));
        // xslashend: a trailing "\\" is eaten
        if (i + 1 < n && L[i] === BS && L[i + 1] === BS)
            i += 2;
        ln.pos = i;
        const event = {
            kind: 'metaCommand',
            line: ln.line,
            offset: ln.offset + at,
            name,
            args,
            argText,
            wholeLine,
            backquote,
            variables: vars,
            end: ln.offset + i
        };
        if (rejected)
            event.rejected = rejected;
        if (queryBuffer)
            event.queryBuffer = queryBuffer;
        this.emit(event);
        if (queryBuffer === 'reset') {
            this.resetQueryBuffer();
            this.resetScanner();
        }
        else if (queryBuffer === 'sent') {
            if (this.qbLen === 0) {
                // copy_previous_query: an empty buffer sends the previous statement again
                this.sendStatement('meta', { line: ln.line, offset: ln.offset + at });
            }
            else
                this.sendStatement('meta');
        }
        if (quit) {
            // MainLoop sends what the buffer holds before it exits
            if (this.qbLen > 0)
                this.sendStatement('eof');
            this.emit({ kind: 'halt', reason: 'quit', line: ln.line, offset: ln.offset + at });
            this.stopped = true;
            return true;
        }
        if (copyFromStdin) {
            this.copyQueue.push('\\copy');
            this.startCopy();
        }
        return false;
    }
    /**
     * psql_scan_slash_option for OT_NORMAL / OT_FILEPIPE: one argument from L[i]. value is
     * undefined when there is none (end of line, or a backslash).
     */
    slashOption(ln, start, type, vars) {
        const L = ln.buf;
        const n = L.length;
        const space = this.spaceMask;
        let i = start;
        while (i < n && space[L[i]])
            i++;
        if (i >= n)
            return { value: undefined, end: i, backquote: false, wholeLine: false };
        if (type === 'filepipe' && L[i] === 0x7c /* | */) {
            return { value: this.decode(L.subarray(i, n)), end: n, backquote: false, wholeLine: true };
        }
        const out = [];
        let quoted = false;
        let backquote = false;
        for (;;) {
            if (i >= n)
                break;
            const c = L[i];
            if (space[c] || c === BS)
                break;
            if (c === QUOTE) {
                quoted = true;
                i++;
                let closed = false;
                while (i < n) {
                    const q = L[i];
                    if (q === QUOTE) {
                        if (L[i + 1] === QUOTE) {
                            out.push(QUOTE);
                            i += 2;
                            continue;
                        }
                        i++;
                        closed = true;
                        break;
                    }
                    if (q === BS && i + 1 < n) {
                        const e = L[i + 1];
                        const simple = {
                            0x6e: 10,
                            0x74: 9,
                            0x62: 8,
                            0x72: 13,
                            0x66: 12
                        };
                        if (simple[e] !== undefined) {
                            out.push(simple[e]);
                            i += 2;
                        }
                        else if (e >= 0x30 && e <= 0x37) {
                            let p = i + 1;
                            let v = 0;
                            while (p < n && p < i + 4 && L[p] >= 0x30 && L[p] <= 0x37)
                                v = v * 8 + L[p++] - 0x30;
                            out.push(v & 0xff);
                            i = p;
                        }
                        else if (e === 0x78 && isHex(L[i + 2] ?? 0)) {
                            let p = i + 2;
                            let v = 0;
                            while (p < n && p < i + 4 && isHex(L[p]))
                                v = v * 16 + parseInt(String.fromCharCode(L[p++]), 16);
                            out.push(v);
                            i = p;
                        }
                        else {
                            out.push(e);
                            i += 2;
                        }
                        continue;
                    }
                    out.push(q);
                    i++;
                }
                if (!closed)
                    return { value: undefined, end: n, backquote, wholeLine: false };
                continue;
            }
            if (c === 0x60 /* ` */) {
                quoted = true;
                backquote = true;
                const q = L.indexOf(0x60, i + 1);
                if (q < 0)
                    return { value: undefined, end: n, backquote, wholeLine: false };
                // variables inside backquotes are expanded by psql before the shell runs
                this.collectVariables(ln, i + 1, q, vars);
                for (let p = i; p <= q; p++)
                    out.push(L[p]);
                i = q + 1;
                continue;
            }
            if (c === DQUOTE) {
                quoted = true;
                const q = L.indexOf(DQUOTE, i + 1);
                if (q < 0)
                    return { value: undefined, end: n, backquote, wholeLine: false };
                for (let p = i; p <= q; p++)
                    out.push(L[p]);
                i = q + 1;
                continue;
            }
            if (c === COLON) {
                const n1 = L[i + 1] ?? -1;
                if (n1 >= 0 && CLASS[n1] & C_DOLQ_CONT) {
                    let j = i + 2;
                    while (j < n && CLASS[L[j]] & C_DOLQ_CONT)
                        j++;
                    vars.push({
                        name: L.toString('latin1', i + 1, j),
                        form: 'plain',
                        line: ln.line,
                        offset: ln.offset + i
                    });
                    quoted = true;
                    for (let p = i; p < j; p++)
                        out.push(L[p]);
                    i = j;
                    continue;
                }
                if (n1 === QUOTE || n1 === DQUOTE) {
                    let j = i + 2;
                    while (j < n && CLASS[L[j]] & C_DOLQ_CONT)
                        j++;
                    if (j > i + 2 && L[j] === n1) {
                        vars.push({
                            name: L.toString('latin1', i + 2, j),
                            form: n1 === QUOTE ? 'literal' : 'identifier',
                            line: ln.line,
                            offset: ln.offset + i
                        });
                        quoted = true;
                        for (let p = i; p <= j; p++)
                            out.push(L[p]);
                        i = j + 1;
                        continue;
                    }
                }
                else if (n1 === 0x7b && L[i + 2] === 0x3f) {
                    let j = i + 3;
                    while (j < n && CLASS[L[j]] & C_DOLQ_CONT)
                        j++;
                    if (j > i + 3 && L[j] === 0x7d) {
                        vars.push({
                            name: L.toString('latin1', i + 3, j),
                            form: 'test',
                            line: ln.line,
                            offset: ln.offset + i
                        });
                        for (const ch of Buffer.from('FALSE'))
                            out.push(ch);
                        i = j + 1;
                        continue;
                    }
                }
            }
            out.push(c);
            i++;
        }
        if (out.length === 0 && !quoted)
            return { value: undefined, end: i, backquote, wholeLine: false };
        return { value: this.decode(Buffer.from(out)), end: i, backquote, wholeLine: false };
    }
    collectVariables(ln, a, b, vars) {
        const L = ln.buf;
        for (let p = a; p < b; p++) {
            if (L[p] !== COLON)
                continue;
            const n1 = L[p + 1];
            if (n1 !== undefined && CLASS[n1] & C_DOLQ_CONT) {
                let j = p + 2;
                while (j < b && CLASS[L[j]] & C_DOLQ_CONT)
                    j++;
                vars.push({
                    name: L.toString('latin1', p + 1, j),
                    form: 'plain',
                    line: ln.line,
                    offset: ln.offset + p
                });
                p = j - 1;
            }
            else if (n1 === QUOTE) {
                let j = p + 2;
                while (j < b && CLASS[L[j]] & C_DOLQ_CONT)
                    j++;
                if (j > p + 2 && L[j] === QUOTE) {
                    vars.push({
                        name: L.toString('latin1', p + 2, j),
                        form: 'literal',
                        line: ln.line,
                        offset: ln.offset + p
                    });
                    p = j;
                }
            }
        }
    }
    // -------------------------------------------------------------------------------------------
    // COPY data (copy.c handleCopyIn)
    startCopy() {
        this.copySource = this.copyQueue.shift();
        this.mode = 'copy';
        this.copyAtLineStart = true;
        this.copyBytes = 0;
        this.copyLines = 0;
    }
    /** The end of COPY data: the rest of the interrupted line, or the next COPY of that line. */
    finishCopy(event) {
        this.emit(event);
        this.mode = 'line';
        if (this.copyQueue.length > 0) {
            this.startCopy();
            return;
        }
        const ln = this.suspended;
        this.suspended = undefined;
        if (ln) {
            this.cur = ln;
            this.runLine();
        }
    }
    copyData(data, offset, line) {
        if (data.length === 0)
            return;
        this.copyBytes += data.length;
        this.emit({ kind: 'copyData', data, line, offset });
    }
    /** Consumes COPY data from buf[pos…]; returns where it stopped. */
    copyConsume(buf, pos) {
        const start = pos;
        if (this.copyCarry) {
            // bytes held back because they might begin the end-of-data line
            const carry = this.copyCarry;
            const joined = Buffer.concat([carry, buf.subarray(pos, Math.min(buf.length, pos + 4))]);
            const m = endMarker(joined, 0);
            if (m === 0) {
                // still undecided: only possible when the chunk was tiny
                this.copyCarry = joined;
                this.nextOffset += buf.length - pos;
                return buf.length;
            }
            this.copyCarry = undefined;
            const carryOffset = this.copyCarryOffset;
            if (m > 0) {
                const used = m - carry.length;
                this.nextOffset += used;
                this.nextLine++;
                this.finishCopy({
                    kind: 'copyEnd',
                    end: 'marker',
                    marker: joined.toString('latin1', 0, m),
                    bytes: this.copyBytes,
                    lines: this.copyLines,
                    source: this.copySource,
                    line: this.nextLine - 1,
                    offset: carryOffset
                });
                return pos + used;
            }
            // not a marker: the carried bytes are data
            this.copyData(carry, carryOffset, this.nextLine);
            this.copyAtLineStart = false;
        }
        const n = buf.length;
        let lineStart = this.copyAtLineStart ? start : -1;
        let search = start;
        const base = this.nextOffset - start; // absolute offset of buf[0]
        const firstLine = this.nextLine;
        let lines = 0;
        for (;;) {
            if (lineStart >= 0) {
                const m = endMarker(buf, lineStart);
                if (m > 0) {
                    // data before the marker line, then the end
                    const dataEnd = lineStart;
                    if (buf.indexOf(0, start) >= 0 && buf.indexOf(0, start) < dataEnd)
                        return this.copyNul(buf, start, base);
                    this.copyData(buf.subarray(start, dataEnd), base + start, firstLine);
                    this.copyLines += lines;
                    this.nextLine = firstLine + lines + 1;
                    this.nextOffset = base + lineStart + m;
                    this.finishCopy({
                        kind: 'copyEnd',
                        end: 'marker',
                        marker: buf.toString('latin1', lineStart, lineStart + m),
                        bytes: this.copyBytes,
                        lines: this.copyLines,
                        source: this.copySource,
                        line: firstLine + lines,
                        offset: base + lineStart
                    });
                    return lineStart + m;
                }
                if (m === 0) {
                    // the chunk ends inside what may be the marker line: hold it back
                    const nul = buf.indexOf(0, start);
                    if (nul >= 0 && nul < lineStart)
                        return this.copyNul(buf, start, base);
                    this.copyData(buf.subarray(start, lineStart), base + start, firstLine);
                    this.copyLines += lines;
                    this.nextLine = firstLine + lines;
                    this.copyCarry = Buffer.from(buf.subarray(lineStart));
                    this.copyCarryOffset = base + lineStart;
                    this.nextOffset = base + n;
                    return n;
                }
            }
            const nl = buf.indexOf(NL, search);
            if (nl < 0) {
                const nul = buf.indexOf(0, start);
                if (nul >= 0)
                    return this.copyNul(buf, start, base);
                this.copyData(buf.subarray(start, n), base + start, firstLine);
                this.copyLines += lines;
                this.nextLine = firstLine + lines;
                this.nextOffset = base + n;
                this.copyAtLineStart = false;
                return n;
            }
            lines++;
            lineStart = nl + 1;
            search = nl + 1;
            if (lineStart >= n) {
                const nul = buf.indexOf(0, start);
                if (nul >= 0)
                    return this.copyNul(buf, start, base);
                this.copyData(buf.subarray(start, n), base + start, firstLine);
                this.copyLines += lines;
                this.nextLine = firstLine + lines;
                this.nextOffset = base + n;
                this.copyAtLineStart = true;
                return n;
            }
        }
    }
    copyNul(buf, start, base) {
        const nul = buf.indexOf(0, start);
        let line = this.nextLine;
        for (let p = buf.indexOf(NL, start); p >= 0 && p < nul; p = buf.indexOf(NL, p + 1))
            line++;
        this.unsupported('nul-byte', `line ${line}: a NUL byte in COPY data (psql drops the rest of the line after one; pg_dump never writes one)`, { line, offset: base + nul });
        return buf.length;
    }
    /** End of input while COPY data is being read. */
    copyAtEof() {
        if (this.copyCarry) {
            this.copyData(this.copyCarry, this.copyCarryOffset, this.nextLine);
            this.copyCarry = undefined;
        }
        this.finishCopy({
            kind: 'copyEnd',
            end: 'eof',
            bytes: this.copyBytes,
            lines: this.copyLines,
            source: this.copySource,
            line: this.nextLine,
            offset: this.nextOffset
        });
    }
}
/**
 * Whether buf[p…] is the end-of-data line: the length of "\\.\n" (3) or "\\.\r\n" (4), -1 when
 * it is not, 0 when buf ends before that can be decided.
 */
function endMarker(buf, p) {
    const n = buf.length;
    if (p >= n)
        return 0;
    if (buf[p] !== BS)
        return -1;
    if (p + 1 >= n)
        return 0;
    if (buf[p + 1] !== DOT)
        return -1;
    if (p + 2 >= n)
        return 0;
    if (buf[p + 2] === NL)
        return 3;
    if (buf[p + 2] !== CR)
        return -1;
    if (p + 3 >= n)
        return 0;
    return buf[p + 3] === NL ? 4 : -1;
}
function stripSemicolons(value) {
    return value.replace(/;+$/, '');
}
/** Whether a \copy argument reads from psql's input (FROM STDIN or FROM PSTDIN). */
function slashCopyFromStdin(arg) {
    // copy.c parse_slash_copy: table or (query), then FROM or TO, then the file
    let depth = 0;
    const words = arg.match(/"(?:[^"]|"")*"|'(?:[^']|'')*'|[()]|[^\s()"']+/g) ?? [];
    for (let k = 0; k < words.length; k++) {
        const w = words[k];
        if (w === '(')
            depth++;
        else if (w === ')')
            depth = Math.max(0, depth - 1);
        else if (depth === 0 && k > 0 && /^(from|to)$/i.test(w)) {
            const target = (words[k + 1] ?? '').toLowerCase();
            return w.toLowerCase() === 'from' && (target === 'stdin' || target === 'pstdin');
        }
    }
    return false;
}
/** COPY's direction and target from its depth-0 tokens (gram.y CopyStmt). */
function copyTarget(part, sql) {
    const toks = part.tokens;
    const binaryHint = /binary/i.test(sql.toString('latin1', part.start, part.end));
    for (let k = 1; k < toks.length; k++) {
        const t = toks[k];
        if (t.type !== 'ident')
            continue;
        const w = t.text.toUpperCase();
        if (w !== 'FROM' && w !== 'TO')
            continue;
        const prev = toks[k - 1];
        if (prev.type === 'punct' && prev.text === '.')
            continue; // s.from is a table name
        const direction = w === 'FROM' ? 'from' : 'to';
        const next = toks[k + 1];
        let target = 'unknown';
        if (next) {
            if (next.type === 'ident') {
                const v = next.text.toUpperCase();
                if (v === 'STDIN')
                    target = 'stdin';
                else if (v === 'STDOUT')
                    target = 'stdout';
                else if (v === 'PROGRAM')
                    target = 'program';
            }
            else if (next.type === 'string')
                target = 'file';
        }
        return { direction, target, binaryHint };
    }
    return {
        direction: 'unknown',
        target: 'unknown',
        binaryHint
    };
}
/** guc.c parse_bool: on/off/true/false/yes/no/1/0 and unique prefixes, any case. */
function parsePgBool(value) {
    const v = value.toLowerCase();
    if (v.length === 0)
        return undefined;
    if ('true'.startsWith(v))
        return true;
    if ('false'.startsWith(v))
        return false;
    if ('yes'.startsWith(v))
        return true;
    if ('no'.startsWith(v))
        return false;
    if (v === 'on')
        return true;
    if (v.length >= 2 && 'off'.startsWith(v))
        return false;
    if (v === '1')
        return true;
    if (v === '0')
        return false;
    return undefined;
}
/** The value of a simple string or word token, or undefined. */
function simpleValue(t) {
    if (!t)
        return undefined;
    if (t.type === 'ident' || t.type === 'number')
        return t.text;
    if (t.type === 'string' && /^'(?:[^'\\]|'')*'$/.test(t.text))
        return t.text.slice(1, -1).replace(/''/g, "'");
    return undefined;
}
/**
 * What a statement does to standard_conforming_strings and client_encoding, as far as its text
 * shows: `SET [SESSION] name {=|TO} value` and `SET NAMES value` are modelled; any other SET or
 * RESET of either setting, RESET ALL and DISCARD ALL are 'unknown'. A statement that only names
 * them (current_setting('client_encoding'), a comment, a function's body) changes nothing here:
 * a change at run time that no text shows (set_config() with a built name, EXECUTE, a trigger)
 * is the script gate's to catch (it asserts the settings before each statement they could make
 * psql or the server read otherwise).
 */
function settingEffects(parts, sql, 
/**
 * The session's reset values: what it started with (psql sets neither; the server's
 * configuration, the database's and role's settings and the connection's options decide), which
 * RESET and SET … TO DEFAULT bring back and the server reports (ParameterStatus) for psql to follow.
 */
reset) {
    let interesting = false;
    for (const part of parts) {
        const w = part.keywords[0];
        if (w === 'SET' || w === 'RESET' || w === 'DISCARD')
            interesting = true;
    }
    if (!interesting)
        return undefined;
    const text = sql.toString('latin1');
    let effects;
    const set = (key, value) => {
        effects = { ...effects, [key]: value };
    };
    const lowerText = text.toLowerCase();
    for (const part of parts) {
        const toks = part.tokens;
        const kw = part.keywords;
        const partText = lowerText.slice(part.start, part.end);
        let modelledStd = false;
        let modelledEnc = false;
        if (kw[0] === 'SET' && !part.tokensTruncated) {
            let k = 1;
            let local = false;
            const w1 = toks[1]?.type === 'ident' ? toks[1].text.toUpperCase() : '';
            if (w1 === 'SESSION' &&
                !(toks[2]?.type === 'ident' && toks[2].text.toUpperCase() === 'AUTHORIZATION'))
                k = 2;
            else if (w1 === 'LOCAL') {
                k = 2;
                local = true;
            }
            const nameTok = toks[k];
            const name = nameTok?.type === 'ident'
                ? nameTok.text.toLowerCase()
                : nameTok?.type === 'qident' && /^"[^"]*"$/.test(nameTok.text)
                    ? nameTok.text.slice(1, -1)
                    : '';
            if (name === 'names' && nameTok.type === 'ident' && toks.length === k + 2) {
                const v = simpleValue(toks[k + 1]);
                const enc = v !== undefined && v.toUpperCase() !== 'DEFAULT' ? canonicalEncoding(v) : undefined;
                const value = v?.toUpperCase() === 'DEFAULT' && toks[k + 1]?.type === 'ident' ? reset.encoding : enc;
                set('clientEncoding', local || !value ? 'unknown' : value);
                modelledEnc = true;
            }
            else if (name === 'standard_conforming_strings' || name === 'client_encoding') {
                const op = toks[k + 1];
                const isAssign = op &&
                    ((op.type === 'op' && op.text === '=') ||
                        (op.type === 'ident' && op.text.toUpperCase() === 'TO'));
                const v = isAssign && toks.length === k + 3 ? simpleValue(toks[k + 2]) : undefined;
                // SET … TO DEFAULT (the word, not the string 'default'): the reset value
                const toDefault = v?.toUpperCase() === 'DEFAULT' && toks[k + 2]?.type === 'ident';
                if (name === 'standard_conforming_strings') {
                    const b = toDefault ? reset.std : v !== undefined ? parsePgBool(v) : undefined;
                    set('standardConformingStrings', local || b === undefined ? 'unknown' : b);
                    modelledStd = true;
                }
                else {
                    const enc = toDefault
                        ? reset.encoding
                        : v !== undefined && v.toUpperCase() !== 'DEFAULT'
                            ? canonicalEncoding(v)
                            : undefined;
                    set('clientEncoding', local || !enc ? 'unknown' : enc);
                    modelledEnc = true;
                }
            }
        }
        const resetAll = (kw[0] === 'RESET' && kw[1] === 'ALL') || (kw[0] === 'DISCARD' && kw[1] === 'ALL');
        if (resetAll) {
            // both back to the session's reset values, which the server reports and psql follows
            set('standardConformingStrings', reset.std);
            set('clientEncoding', reset.encoding);
            modelledStd = true;
            modelledEnc = true;
        }
        else if (kw[0] === 'RESET' && !part.tokensTruncated && toks.length === 2) {
            // RESET standard_conforming_strings / RESET client_encoding (the name alone, then ";")
            const nameTok = toks[1];
            const name = nameTok?.type === 'ident'
                ? nameTok.text.toLowerCase()
                : nameTok?.type === 'qident' && /^"[^"]*"$/.test(nameTok.text)
                    ? nameTok.text.slice(1, -1)
                    : '';
            if (name === 'standard_conforming_strings') {
                set('standardConformingStrings', reset.std);
                modelledStd = true;
            }
            else if (name === 'client_encoding') {
                set('clientEncoding', reset.encoding);
                modelledEnc = true;
            }
        }
        // another SET or RESET naming either setting (SET LOCAL, RESET, a value the lexer cannot
        // read): psql follows it, the lexer cannot
        const sets = kw[0] === 'SET' || kw[0] === 'RESET';
        if (sets && !modelledStd && partText.includes('standard_conforming_strings'))
            set('standardConformingStrings', 'unknown');
        if (sets &&
            !modelledEnc &&
            (partText.includes('client_encoding') || (kw[0] === 'SET' && kw.includes('NAMES'))))
            set('clientEncoding', 'unknown');
    }
    return effects;
}
/**
 * Lexes a whole script at once (see PsqlLexer).
 */
function lexPsqlScript(script, options = {}) {
    const lexer = new PsqlLexer(options);
    const buf = typeof script === 'string' ? Buffer.from(script, 'utf8') : script;
    return [...lexer.write(buf), ...lexer.end()];
}
/** Lexes a stream of chunks (e.g. a Readable), yielding events as they complete. */
async function* psqlScriptEvents(source, options = {}) {
    const lexer = new PsqlLexer(options);
    for await (const chunk of source) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        yield* lexer.write(buf);
    }
    yield* lexer.end();
}
/** Whether `sql` holds `lower` (lower-case ASCII letters) at `at`, in any case: /^word/i. */
function wordAt(sql, at, lower) {
    if (at + lower.length > sql.length)
        return false;
    for (let k = 0; k < lower.length; k++)
        if ((sql.charCodeAt(at + k) | 0x20) !== lower.charCodeAt(k))
            return false;
    return true;
}
/**
 * Whether psql of every modelled major (13 to 18) lexes `sql` alike (the same events, but for
 * psqlCopyIn, which 17+ counts and older ones leave unset: 0 against undefined for a text
 * without COPY): then one lex serves the checks that read an archive entry as different majors
 * (restore-plan.ts archiveReferences as 18, the direct load's text checks as the client's).
 * Conservative, by bytes alone: true only for ASCII text without what the majors read
 * otherwise — a backslash (meta-commands and their arguments), a "$" (dollar quotes, $1 and
 * 15's parameter junk), "--" (14 drops such comments from a statement, 15+ sends them), a
 * vertical tab (white space from 16), the words BEGIN and COPY in any case (BEGIN ATOMIC
 * tracking, COPY … FROM STDIN counting: 18's rules differ from 15's), and a number token
 * followed by a letter or "_" or holding ".." (junk rules from 15; underscores, 0x/0o/0b from
 * 16). psql-lexer-majors.test.ts checks it against the lexer itself on random texts.
 */
function lexedAlikeByEveryMajor(sql) {
    const n = sql.length;
    for (let i = 0; i < n; i++) {
        const c = sql.charCodeAt(i);
        if (c > 0x7f || c === 0x0b || c === 0x5c /* \ */ || c === 0x24 /* $ */)
            return false;
        if (c === 0x2d /* - */ && sql.charCodeAt(i + 1) === 0x2d)
            return false;
        if ((c | 0x20) === 0x62 /* b */ && wordAt(sql, i, 'begin'))
            return false;
        if ((c | 0x20) === 0x63 /* c */ && wordAt(sql, i, 'copy'))
            return false;
        if (c >= 0x30 && c <= 0x39 && !(i > 0 && CLASS[sql.charCodeAt(i - 1)] & C_IDENT_CONT)) {
            // a number token starts here (or continues after a "."): its digits and dots
            let j = i;
            while (j < n && ((sql.charCodeAt(j) >= 0x30 && sql.charCodeAt(j) <= 0x39) || sql[j] === '.'))
                j++;
            const next = sql.charCodeAt(j);
            if (j < n && (CLASS[next] & C_IDENT_START || next === 0x24))
                return false;
            if (sql.slice(i, j).includes('..'))
                return false;
            i = j - 1;
        }
    }
    return true;
}


/***/ }),

/***/ 2797:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   JF: () => (/* binding */ metaCommandKind),
/* harmony export */   cp: () => (/* binding */ classifyStatement),
/* harmony export */   x5: () => (/* binding */ refusal)
/* harmony export */ });
/* unused harmony exports fileFunctionCall, transactionControl, classifyPart, refusals */
/* harmony import */ var _psql_lexer_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7340);
/* harmony import */ var _sql_redact_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(68273);


const MAX_SHOWN = 100;
/** The command as written, one line, control characters escaped, at most MAX_SHOWN characters. */
function shown(text) {
    // eslint-disable-next-line no-control-regex -- escaping control characters is the point
    const one = (0,_sql_redact_js__WEBPACK_IMPORTED_MODULE_1__/* .redactSql */ .Mj)(text.slice(0, MAX_SHOWN * 4 + 256)).replace(/[\u0000-\u001f\u007f]/g, c => c === '\n'
        ? '\\n'
        : c === '\r'
            ? '\\r'
            : c === '\t'
                ? '\\t'
                : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    return one.length > MAX_SHOWN ? `${one.slice(0, MAX_SHOWN)}…` : one;
}
function metaText(e) {
    // \set and \setenv: the variable's name, never its value (\setenv PGPASSWORD x, or \set pw x
    // used later as PASSWORD :'pw': attacker a27 A2)
    if (e.name === 'set' || e.name === 'setenv') {
        const name = /^\s*(\S+)/.exec(e.argText)?.[1];
        const valued = name !== undefined && e.argText.trim().length > name.length;
        const command = e.argText.includes('`') ? ' (a shell command in backquotes)' : '';
        return shown(`\\${e.name}${name ? ` ${name}` : ''}${valued ? ` …${command}` : ''}`);
    }
    return shown(`\\${e.name}${e.argText}`);
}
/** How pg_dump writes \restrict / \unrestrict: one key of letters and digits, nothing else. */
const KEY = /^[A-Za-z0-9]+$/;
/** Which of pg_dump's meta-commands this is, or 'other'. */
function metaCommandKind(e) {
    if (e.name === 'c' || e.name === 'connect')
        return 'connect';
    if (e.name !== 'restrict' && e.name !== 'unrestrict')
        return 'other';
    const plain = e.args.length === 1 &&
        KEY.test(e.args[0]) &&
        e.argText.trim() === e.args[0] &&
        !e.backquote &&
        e.variables.length === 0;
    if (!plain)
        return 'other';
    return e.name;
}
/** psql's own variables are upper-case (AUTOCOMMIT, DBNAME, USER, LAST_ERROR_MESSAGE, …). */
const PSQL_VARIABLE = /^[A-Z_][A-Z0-9_]*$/;
/**
 * Why the restore must refuse this event, or undefined when it may pass. Pure; the caller keeps
 * the order (the first refusal wins: the lexer is exact up to it).
 */
function refusal(event, options = {}) {
    const at = { line: event.line, offset: event.offset };
    switch (event.kind) {
        case 'metaCommand': {
            const kind = metaCommandKind(event);
            const command = metaText(event);
            if (kind === 'restrict' || kind === 'unrestrict')
                return undefined;
            if (kind === 'connect')
                return {
                    code: 'connect',
                    ...at,
                    command,
                    message: `line ${event.line}: "${command}" connects psql to another database; a script that does this was made by pg_dump --create or pg_dumpall, and is restored into the database of database-url only if the restore handles it`
                };
            return {
                code: 'meta-command',
                ...at,
                command,
                message: `line ${event.line}: the psql meta-command "${command}" is not something pg_dump writes, and psql would run it on this machine; the script is refused before anything runs. Restore only scripts made by pg_dump (or remove the line if you trust it)`
            };
        }
        case 'statement':
            return statementRefusal(event, options);
        case 'unsupported':
            return {
                code: 'unsupported',
                ...at,
                command: '',
                message: event.message + '; the script is refused before anything runs'
            };
        case 'halt':
            if (event.reason === 'custom-format-archive')
                return {
                    code: 'custom-format',
                    ...at,
                    command: 'PGDMP',
                    message: 'line 1: this is a pg_dump custom-format archive, not an SQL script; restore it as an archive (pg_restore), not with psql'
                };
            return undefined; // \q was refused as a meta-command
        default:
            return undefined;
    }
}
function statementRefusal(e, options) {
    const at = { line: e.line, offset: e.offset };
    const refuse = (code, why, extra = {}) => {
        const command = shown(e.text);
        const outcome = extra.droppable
            ? 'the restore drops it (its own transaction covers what it wrapped)'
            : 'the script is refused before anything runs';
        return {
            code,
            ...at,
            command,
            message: `line ${e.line}: ${why} ("${command}"); ${outcome}`,
            ...extra
        };
    };
    if (/^[\s;]*$/.test(e.text))
        return refuse('empty-statement', 'an empty statement (";" alone), which pg_dump never writes; after COPY data psql can stop reading the script at one');
    const defined = new Set(options.definedVariables ?? []);
    for (const v of e.variables) {
        if (v.form === 'test' || PSQL_VARIABLE.test(v.name) || defined.has(v.name))
            return {
                ...refuse('variable', `psql would replace the variable reference :${v.form === 'literal' ? `'${v.name}'` : v.form === 'identifier' ? `"${v.name}"` : v.form === 'test' ? `{?${v.name}}` : v.name} with its value; pg_dump never writes one`),
                line: v.line,
                offset: v.offset
            };
    }
    if (e.backslashEscapes > 0)
        return refuse('backslash-escape', 'psql turns "\\;" or "\\:" into ";" or ":" and sends several statements as one query; pg_dump never writes that');
    const atomicBody = e.parts.length > 1 && isAtomicBody(e);
    if (e.parts.length > 1 && !atomicBody)
        return refuse('joined-statements', 'psql would send several statements as one query (it does not end a statement inside CREATE FUNCTION … BEGIN … END), so they cannot be checked one by one');
    if (e.psqlCopyIn !== undefined && e.psqlCopyIn !== e.serverCopyIn)
        return refuse('copy-mismatch', `psql would read ${e.psqlCopyIn} COPY data block(s) after this statement but the server would take ${e.serverCopyIn}`);
    for (const part of e.parts) {
        const copy = part.copy;
        if (copy) {
            if (copy.target === 'program')
                return refuse('copy-program', `COPY … ${copy.direction === 'from' ? 'FROM' : 'TO'} PROGRAM runs a program on the database server; pg_dump never writes it`);
            if (copy.target === 'file')
                return refuse('copy-file', `COPY … ${copy.direction === 'from' ? 'FROM' : 'TO'} a file reads or writes a file on the database server; pg_dump never writes it`);
            if (copy.direction === 'unknown' || copy.target === 'unknown')
                return refuse('copy-unclear', 'a COPY statement whose source or destination cannot be told');
            if (copy.binaryHint &&
                copy.direction === 'from' &&
                (copy.target === 'stdin' || copy.target === 'stdout'))
                return refuse('copy-binary', 'COPY … FROM STDIN in binary format; pg_dump writes text COPY data only');
        }
    }
    const fileCall = fileFunctionCall(e);
    if (fileCall)
        return refuse('file-function', fileCall.endsWith('()')
            ? `${fileCall} reads or writes a file (or lists a directory) on the database server; pg_dump never writes a call of it. Restore only scripts made by pg_dump (or remove the statement if you trust it)`
            : `${fileCall} reads the database server's configuration files (postgresql.conf, pg_hba.conf or pg_ident.conf); pg_dump never writes a query of it. Restore only scripts made by pg_dump (or remove the statement if you trust it)`);
    if (options.refuseAmbiguousLiterals && e.ambiguousLiterals > 0)
        return refuse('ambiguous-literal', "a string literal here ends at a different place if standard_conforming_strings is off ('…\\'…': pg_dump --inserts writes it for a value ending in a backslash), which a script can switch without this check seeing it; psql before 17 is refused such a literal (the check's second line of defence, \\restrict, is not safe there), psql 17 and newer read it: restore with 'postgres-version: 17' or newer (with 'install-client: true', the default on a runner) or such a client in 'pg-bin-dir', or make the backup without --inserts / --column-inserts (COPY data needs no quotes)");
    const eff = e.effects;
    if (eff?.standardConformingStrings === 'unknown')
        return refuse('setting', 'this statement changes (or may change) standard_conforming_strings in a way psql follows but this check cannot (RESET ALL, RESET standard_conforming_strings and SET standard_conforming_strings = on, off or DEFAULT it follows). Remove the statement from the script (as the last statement it changes nothing that follows), or write it as SET standard_conforming_strings = on; (or off), then restore again');
    if (eff?.clientEncoding !== undefined) {
        const enc = eff.clientEncoding === 'unknown' ? undefined : (0,_psql_lexer_js__WEBPACK_IMPORTED_MODULE_0__/* .canonicalEncoding */ .uY)(eff.clientEncoding);
        if (!enc)
            return refuse('encoding', "this statement changes (or may change) client_encoding in a way psql follows but this check cannot (RESET ALL, RESET client_encoding and SET client_encoding = 'UTF8' or another name, or DEFAULT, it follows). Remove the statement from the script (as the last statement it changes nothing that follows), or write it as SET client_encoding = 'UTF8'; (or the file's encoding), then restore again");
        if (!(0,_psql_lexer_js__WEBPACK_IMPORTED_MODULE_0__/* .isByteSafeEncoding */ .LI)(enc))
            return refuse('encoding', `client_encoding ${enc} is not supported: in it a character can contain the bytes of "\\" or "'"; convert the dump to UTF8`);
    }
    // a BEGIN ATOMIC body's parts are not statements of their own (its last part is END)
    for (const part of atomicBody ? e.parts.slice(0, 1) : e.parts) {
        const tx = transactionControl(part);
        if (tx?.endsTransaction) {
            const droppable = isPgDumpTransaction(e, tx.statement);
            return refuse('transaction-control', `${tx.statement} would end the transaction the whole restore runs in, so a later error would leave part of the backup committed${droppable ? " (pg_dump's own BEGIN/COMMIT around large objects)" : ''}`, { transaction: tx.statement, ...(droppable ? { droppable: true } : {}) });
        }
    }
    return undefined;
}
/** pg_dump writes "BEGIN;" and "COMMIT;" alone around large objects. */
function isPgDumpTransaction(e, statement) {
    return ((statement === 'BEGIN' || statement === 'COMMIT') &&
        e.parts.length === 1 &&
        e.text === `${statement};`);
}
const BODY_STATEMENTS = new Set([
    'SELECT',
    'INSERT',
    'UPDATE',
    'DELETE',
    'MERGE',
    'WITH',
    'VALUES',
    'TABLE',
    'RETURN'
]);
function startsBodyStatement(tokens, from) {
    const t = tokens[from];
    if (!t)
        return false;
    if (t.type === 'punct' && t.text === '(')
        return true;
    return t.type === 'ident' && BODY_STATEMENTS.has(t.text.toUpperCase());
}
/**
 * The one legitimate way a psql query holds several statements: CREATE [OR REPLACE] FUNCTION or
 * PROCEDURE with a SQL-standard body, as pg_dump writes it:
 * `CREATE FUNCTION … BEGIN ATOMIC stmt; stmt; … END;` — every part but the last a body statement
 * (SELECT, INSERT, UPDATE, DELETE, MERGE, WITH, VALUES, TABLE, RETURN), the last part END alone.
 * Anything else that psql joins (an identifier named begin, case or end in a CREATE FUNCTION
 * statement) is refused: the server would run the joined statements unchecked.
 */
function isAtomicBody(e) {
    const parts = e.parts;
    const kw = parts[0].keywords;
    const routine = kw[0] === 'CREATE' &&
        (kw[1] === 'FUNCTION' ||
            kw[1] === 'PROCEDURE' ||
            (kw[1] === 'OR' && kw[2] === 'REPLACE' && (kw[3] === 'FUNCTION' || kw[3] === 'PROCEDURE')));
    if (!routine || parts.some(p => p.tokensTruncated))
        return false;
    const first = parts[0].tokens;
    let atomicAt = -1;
    for (let k = 0; k + 1 < first.length; k++) {
        if (isWord(first[k], 'BEGIN') && isWord(first[k + 1], 'ATOMIC')) {
            if (atomicAt >= 0)
                return false;
            atomicAt = k + 2;
        }
    }
    if (atomicAt < 0 || !startsBodyStatement(first, atomicAt))
        return false;
    for (let p = 1; p < parts.length - 1; p++)
        if (!startsBodyStatement(parts[p].tokens, 0))
            return false;
    const last = parts[parts.length - 1].tokens;
    return last.length === 1 && isWord(last[0], 'END');
}
function isWord(t, word) {
    return t !== undefined && t.type === 'ident' && t.text.toUpperCase() === word;
}
/**
 * The server's functions that read, write or list files and directories of the database server
 * (core, and adminpack's): a call of one in a script runs as the restoring role, like
 * COPY … TO/FROM a file. pg_dump's own large-object calls (lo_create, lo_open, lowrite, lo_close,
 * lo_unlink) touch no file and are not among them.
 */
const FILE_FUNCTIONS = new Set([
    'lo_import',
    'lo_export',
    'pg_read_file',
    'pg_read_binary_file',
    'pg_stat_file',
    'pg_ls_dir',
    'pg_ls_logdir',
    'pg_ls_waldir',
    'pg_ls_tmpdir',
    'pg_ls_archive_statusdir',
    'pg_ls_replslotdir',
    'pg_ls_summariesdir',
    'pg_ls_logicalmapdir',
    'pg_ls_logicalsnapdir',
    'pg_file_write',
    'pg_file_rename',
    'pg_file_unlink',
    'pg_file_sync',
    'pg_logdir_ls',
    'pg_file_read',
    'pg_file_length',
    // the server's configuration files, read (and the path of its log file)
    'pg_show_all_file_settings',
    'pg_hba_file_rules',
    'pg_ident_file_mappings',
    'pg_current_logfile'
]);
/**
 * The system views over the server's configuration files (postgresql.conf and its includes,
 * pg_hba.conf, pg_ident.conf): a query of one copies their lines wherever the statement puts them.
 */
const FILE_VIEWS = new Set(['pg_file_settings', 'pg_hba_file_rules', 'pg_ident_file_mappings']);
/** Text that may name one of FILE_FUNCTIONS (or a U&"…" that may). */
const FILE_FUNCTION_WORDS = /lo_import|lo_export|pg_read_|pg_stat_file|pg_ls_|pg_file_|pg_logdir_ls|pg_hba_|pg_ident_|pg_show_all_file|pg_current_logfile|u&/i;
/** CREATE … of these defines (a call in it, a default, a check, a body, runs later if ever). */
const DEFINING_CREATE = new Set([
    'FUNCTION',
    'PROCEDURE',
    'AGGREGATE',
    'CAST',
    'OPERATOR',
    'TYPE',
    'TRANSFORM',
    'VIEW',
    'RULE',
    'POLICY',
    'TRIGGER',
    'EVENT',
    'DOMAIN',
    'STATISTICS',
    'CONVERSION',
    'LANGUAGE'
]);
/** ALTER … of these names a routine or changes a definition, and runs none. */
const DEFINING_ALTER = new Set([
    'FUNCTION',
    'PROCEDURE',
    'ROUTINE',
    'AGGREGATE',
    'EXTENSION',
    'OPERATOR',
    'POLICY',
    'VIEW'
]);
/**
 * The statement only defines or names things (GRANT … ON FUNCTION pg_catalog.pg_read_file(text),
 * which pg_dump writes for a system function's changed privileges; a view or a routine whose body
 * calls one, run later if ever, like a function body in a string): a call in it does not run now.
 */
function definesOnly(part) {
    const k = part.keywords;
    const w0 = k[0];
    if (w0 === 'GRANT' || w0 === 'REVOKE' || w0 === 'COMMENT' || w0 === 'SECURITY' || w0 === 'DROP')
        return true;
    if (w0 === 'ALTER' && (k[1] === 'TABLE' || k[1] === 'DOMAIN') && !part.tokensTruncated) {
        // pg_dump's separate column default (ALTER TABLE ONLY s.t ALTER COLUMN c SET DEFAULT …) and
        // its NOT VALID checks (ALTER TABLE|DOMAIN … ADD CONSTRAINT … CHECK (…) NOT VALID) run
        // nothing now; a USING (rows converted), an ADD that validates rows or the like may
        const t = part.tokens;
        const n = t.length;
        if (t.some(x => ['USING', 'VALIDATE', 'ATTACH', 'TYPE', 'SPLIT', 'MERGE'].some(w => isWord(x, w))))
            return false;
        const adds = t.filter(x => isWord(x, 'ADD')).length;
        if (adds > 0)
            return adds === 1 && isWord(t[n - 2], 'NOT') && isWord(t[n - 1], 'VALID');
        return t.some((x, j) => isWord(x, 'SET') && isWord(t[j + 1], 'DEFAULT'));
    }
    if (w0 === 'ALTER')
        return DEFINING_ALTER.has(k[1]);
    if (w0 !== 'CREATE')
        return false;
    let i = 1;
    if (k[1] === 'OR' && k[2] === 'REPLACE')
        i = 3;
    while ([
        'TEMP',
        'TEMPORARY',
        'RECURSIVE',
        'UNLOGGED',
        'GLOBAL',
        'LOCAL',
        'TRUSTED',
        'PROCEDURAL',
        'CONSTRAINT',
        'UNIQUE',
        'DEFAULT'
    ].includes(k[i]))
        i++;
    if (DEFINING_CREATE.has(k[i]))
        return true;
    if (part.tokensTruncated)
        return false;
    const t = part.tokens;
    // CREATE TABLE … AS runs its query, a partition's bound (FOR VALUES) is computed now; a
    // table's defaults and checks run later (like a trigger's)
    if (k[i] === 'TABLE')
        return !t.some((x, j) => isWord(x, 'AS') || (isWord(x, 'FOR') && isWord(t[j + 1], 'VALUES')));
    // pg_dump writes a materialized view WITH NO DATA (REFRESH fills it)
    if (k[i] === 'MATERIALIZED' && k[i + 1] === 'VIEW') {
        const n = t.length;
        return isWord(t[n - 3], 'WITH') && isWord(t[n - 2], 'NO') && isWord(t[n - 1], 'DATA');
    }
    return false;
}
/**
 * The server's tokens of a statement as far as a call needs them: names, string literals (and
 * dollar-quoted bodies) skipped whole, comments dropped. `std`: standard_conforming_strings, by
 * which a plain '…' ends (a backslash escapes the quote when off).
 */
function callTokens(text, std) {
    const out = [];
    const n = text.length;
    let i = 0;
    const isStart = (c) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 0x80;
    const isPart = (c) => isStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x24;
    /** From just after an opening quote: the index past the closing one (n when none). */
    const stringEnd = (from, backslash) => {
        let j = from;
        while (j < n) {
            const c = text.charCodeAt(j);
            if (backslash && c === 0x5c)
                j += 2;
            else if (c === 0x27) {
                if (text.charCodeAt(j + 1) === 0x27)
                    j += 2;
                else
                    return j + 1;
            }
            else
                j++;
        }
        return n;
    };
    const quotedIdent = (from) => {
        let j = from;
        let v = '';
        while (j < n) {
            const q = text.indexOf('"', j);
            if (q < 0)
                return [v + text.slice(j), n];
            v += text.slice(j, q);
            if (text.charCodeAt(q + 1) === 0x22) {
                v += '"';
                j = q + 2;
            }
            else
                return [v, q + 1];
        }
        return [v, n];
    };
    while (i < n) {
        const c = text.charCodeAt(i);
        const c1 = text.charCodeAt(i + 1);
        if (c === 0x2d && c1 === 0x2d) {
            const end = text.indexOf('\n', i);
            i = end < 0 ? n : end + 1;
        }
        else if (c === 0x2f && c1 === 0x2a) {
            i = (0,_sql_redact_js__WEBPACK_IMPORTED_MODULE_1__/* .blockCommentEnd */ .iY)(text, i);
        }
        else if (c === 0x27) {
            const end = stringEnd(i + 1, !std);
            // its content matters only as UESCAPE's character
            out.push({ kind: 'string', value: text.slice(i + 1, end - 1).replace(/''/g, "'") });
            i = end;
        }
        else if ((c === 0x45 || c === 0x65) && c1 === 0x27) {
            i = stringEnd(i + 2, true); // E'…'
            out.push({ kind: 'string', value: '' });
        }
        else if ((c === 0x4e || c === 0x6e) && c1 === 0x27) {
            i = stringEnd(i + 2, !std); // N'…'
            out.push({ kind: 'string', value: '' });
        }
        else if ((c === 0x42 || c === 0x62 || c === 0x58 || c === 0x78) && c1 === 0x27) {
            i = stringEnd(i + 2, false); // B'…', X'…'
            out.push({ kind: 'string', value: '' });
        }
        else if ((c === 0x55 || c === 0x75) && c1 === 0x26 && text.charCodeAt(i + 2) === 0x27) {
            const end = stringEnd(i + 3, false); // U&'…'
            out.push({ kind: 'string', value: text.slice(i + 3, end - 1).replace(/''/g, "'") });
            i = end;
        }
        else if ((c === 0x55 || c === 0x75) && c1 === 0x26 && text.charCodeAt(i + 2) === 0x22) {
            const [raw, end] = quotedIdent(i + 3); // U&"…"
            out.push({ kind: 'qword', value: raw, unicodeRaw: raw });
            i = end;
        }
        else if (c === 0x22) {
            const [v, end] = quotedIdent(i + 1);
            out.push({ kind: 'qword', value: v });
            i = end;
        }
        else if (c === 0x24 && dollarTagAt(text, i) > i) {
            const tagEnd = dollarTagAt(text, i);
            const close = text.indexOf(text.slice(i, tagEnd), tagEnd);
            i = close < 0 ? n : close + (tagEnd - i);
            out.push({ kind: 'string', value: '' });
        }
        else if (isStart(c)) {
            const from = i;
            while (i < n && isPart(text.charCodeAt(i)))
                i++;
            out.push({ kind: 'word', value: text.slice(from, i).toLowerCase() });
        }
        else if (c >= 0x30 && c <= 0x39) {
            // a number (and what the server reads as its trailing junk): no name, no "$" (a tag may follow)
            while (i < n && /[0-9A-Za-z_.]/.test(text[i]))
                i++;
            out.push({ kind: 'punct', value: '0' });
        }
        else if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
            i++;
        }
        else {
            out.push({ kind: 'punct', value: text[i] });
            i++;
        }
    }
    // U&"…" [UESCAPE '…']: decoded with its escape character; the clause is no token of the name
    for (let j = 0; j < out.length; j++) {
        const raw = out[j].unicodeRaw;
        if (raw === undefined)
            continue;
        let escape = '\\';
        if (out[j + 1]?.kind === 'word' &&
            out[j + 1].value === 'uescape' &&
            out[j + 2]?.kind === 'string') {
            escape = out[j + 2].value;
            out.splice(j + 1, 2);
        }
        out[j].value = decodeUnicodeName(raw, escape);
    }
    return out;
}
/** U&"…"'s escapes (\XXXX, \+XXXXXX, \\) decoded with `escape`; unreadable ones kept as written. */
function decodeUnicodeName(raw, escape) {
    if (escape.length !== 1)
        return raw;
    let v = '';
    for (let j = 0; j < raw.length; j++) {
        if (raw[j] !== escape) {
            v += raw[j];
            continue;
        }
        if (raw[j + 1] === escape) {
            v += escape;
            j++;
            continue;
        }
        const long = raw[j + 1] === '+';
        const hex = long ? raw.slice(j + 2, j + 8) : raw.slice(j + 1, j + 5);
        if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== (long ? 6 : 4)) {
            v += raw[j];
            continue;
        }
        const code = parseInt(hex, 16);
        v += code <= 0x10ffff ? String.fromCodePoint(code) : '';
        j += long ? 7 : 4;
    }
    return v;
}
/** The end of a dollar quote's opening tag ($$, $tag$) at `i`, or `i` when none starts there. */
function dollarTagAt(text, i) {
    let j = i + 1;
    const c = text.charCodeAt(j);
    if (c === 0x24)
        return j + 1;
    const start = (d) => (d >= 0x61 && d <= 0x7a) || (d >= 0x41 && d <= 0x5a) || d === 0x5f || d >= 0x80;
    if (!start(c))
        return i;
    for (j++; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (d === 0x24)
            return j + 1;
        if (!(start(d) || (d >= 0x30 && d <= 0x39)))
            return i;
    }
    return i;
}
/** Words after which a name followed by "(" is a table's, with its column list. */
const TABLE_BEFORE = new Set(['into', 'references', 'table', 'copy', 'only']);
/**
 * The first call of a server-side file function in a statement that runs it now, as written
 * (e.g. "pg_catalog.lo_export()"), or a query of a configuration file's view ("pg_hba_file_rules"),
 * or undefined. A name followed by "(" — white space and comments
 * between — outside literals and dollar-quoted bodies is a call, however qualified, quoted or
 * cased; a column or table so named is none (INSERT INTO lo_export (…), REFERENCES lo_export(id)).
 */
function fileFunctionCall(e) {
    // a name is written out but in U&"…" (whose escapes may spell it): most statements end here
    if (!FILE_FUNCTION_WORDS.test(e.text))
        return undefined;
    const bound = bindsRoutine(e.parts[0]);
    if (!bound && definesOnly(e.parts[0]))
        return undefined;
    const t = callTokens(e.text, e.standardConformingStrings);
    // an operator, cast or aggregate made of one, or the function itself altered (IMMUTABLE for an
    // index that calls it on every row: attacker a38): named, not called, it runs when used
    if (bound) {
        // the system's (pg_catalog.x, or x unqualified: pg_catalog comes first), not a function of
        // the backup's own schema that has the name (ALTER FUNCTION public.pg_ls_dir(text) OWNER TO …)
        const named = t.findIndex((x, j) => (x.kind === 'word' || x.kind === 'qword') &&
            FILE_FUNCTIONS.has(x.value.toLowerCase()) &&
            !(t[j - 1]?.kind === 'punct' &&
                t[j - 1].value === '.' &&
                t[j - 2]?.value.toLowerCase() !== 'pg_catalog'));
        // otherwise it only defines (a routine of the backup's own with that name: nothing runs)
        return named >= 0 ? `${t[named].value.toLowerCase()}()` : undefined;
    }
    for (let j = 0; j < t.length; j++) {
        const name = t[j];
        if (name.kind !== 'word' && name.kind !== 'qword')
            continue;
        const view = readsFileView(t, j);
        if (view)
            return view;
        if (j + 1 >= t.length || !FILE_FUNCTIONS.has(name.value.toLowerCase()))
            continue;
        if (!(t[j + 1].kind === 'punct' && t[j + 1].value === '('))
            continue;
        let first = j;
        while (first >= 2 &&
            t[first - 1].kind === 'punct' &&
            t[first - 1].value === '.' &&
            (t[first - 2].kind === 'word' || t[first - 2].kind === 'qword'))
            first -= 2;
        const before = t[first - 1];
        if (before?.kind === 'word' && TABLE_BEFORE.has(before.value))
            continue;
        const written = [];
        for (let k = first; k <= j; k += 2)
            written.push(t[k].value.toLowerCase());
        return `${written.join('.')}()`;
    }
    return undefined;
}
/**
 * The system's view over a configuration file at token `j`, read by the statement (FROM, JOIN or
 * TABLE of it, or of pg_catalog.<view> anywhere), as written; undefined for a name of the
 * backup's own (public.pg_file_settings) or a column so named.
 */
function readsFileView(t, j) {
    const name = t[j];
    if (!FILE_VIEWS.has(name.value.toLowerCase()))
        return undefined;
    if (t[j + 1]?.kind === 'punct' && t[j + 1].value === '(')
        return undefined; // a call: FILE_FUNCTIONS
    const before = t[j - 1];
    if (before?.kind === 'punct' && before.value === '.') {
        const schema = t[j - 2];
        const qualified = (schema?.kind === 'word' || schema?.kind === 'qword') &&
            schema.value.toLowerCase() === 'pg_catalog' &&
            !(t[j - 3]?.kind === 'punct' && t[j - 3].value === '.');
        return qualified ? `pg_catalog.${name.value.toLowerCase()}` : undefined;
    }
    if (before?.kind !== 'word' && !(before?.kind === 'punct' && before.value === ','))
        return undefined;
    if (before.kind === 'word' && !['from', 'join', 'table'].includes(before.value))
        return undefined;
    // after a comma: one of a FROM list (a FROM before it in the statement)
    if (before.kind === 'punct' && !t.slice(0, j).some(x => x.kind === 'word' && x.value === 'from'))
        return undefined;
    return name.value.toLowerCase();
}
/** CREATE of an operator, cast or aggregate (which name a routine to run), or ALTER of a routine. */
function bindsRoutine(part) {
    const k = part.keywords;
    if (k[0] === 'ALTER')
        return ['FUNCTION', 'PROCEDURE', 'ROUTINE', 'AGGREGATE'].includes(k[1]);
    if (k[0] !== 'CREATE')
        return false;
    const i = k[1] === 'OR' && k[2] === 'REPLACE' ? 3 : 1;
    return ['OPERATOR', 'CAST', 'AGGREGATE'].includes(k[i]);
}
/** Transaction control by the leading words of a statement part, or undefined. */
function transactionControl(part) {
    const k = part.keywords;
    const w0 = k[0];
    switch (w0) {
        case 'BEGIN':
            return { statement: 'BEGIN', endsTransaction: true };
        case 'START':
            return k[1] === 'TRANSACTION'
                ? { statement: 'START TRANSACTION', endsTransaction: true }
                : undefined;
        case 'END':
            return { statement: 'END', endsTransaction: true };
        case 'ABORT':
            return { statement: 'ABORT', endsTransaction: true };
        case 'COMMIT':
            return k[1] === 'PREPARED'
                ? { statement: 'COMMIT PREPARED', endsTransaction: true }
                : { statement: 'COMMIT', endsTransaction: true };
        case 'PREPARE':
            return k[1] === 'TRANSACTION'
                ? { statement: 'PREPARE TRANSACTION', endsTransaction: true }
                : undefined;
        case 'SAVEPOINT':
            return { statement: 'SAVEPOINT', endsTransaction: false };
        case 'RELEASE':
            return { statement: 'RELEASE', endsTransaction: false };
        case 'ROLLBACK': {
            if (k[1] === 'PREPARED')
                return { statement: 'ROLLBACK PREPARED', endsTransaction: true };
            // ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name stays inside the transaction
            const rest = k[1] === 'WORK' || k[1] === 'TRANSACTION' ? k[2] : k[1];
            if (rest === 'TO')
                return { statement: 'ROLLBACK TO', endsTransaction: false };
            return { statement: 'ROLLBACK', endsTransaction: true };
        }
        default:
            return undefined;
    }
}
/** The words of the first part, skipping the optional ones of ALTER … OWNER TO. */
function hasOwnerTo(tokens) {
    for (let k = 0; k + 1 < tokens.length; k++)
        if (isWord(tokens[k], 'OWNER') && isWord(tokens[k + 1], 'TO'))
            return true;
    return false;
}
function unquote(t) {
    if (!t)
        return undefined;
    if (t.type === 'ident')
        return t.text.toLowerCase();
    if (t.type === 'qident' && t.text.startsWith('"'))
        return t.text.slice(1, -1).replace(/""/g, '"');
    return undefined;
}
/** The kind of a statement (its first part) for the restore's skip rules. */
function classifyStatement(e) {
    return classifyPart(e.parts[0]);
}
/** The kind of one statement part, by its leading words. */
function classifyPart(part) {
    const k = part.keywords;
    const t = part.tokens;
    const keywords = k.slice();
    if (t.length === 0)
        return { kind: 'empty', keywords };
    const tx = transactionControl(part);
    if (tx)
        return {
            kind: tx.endsTransaction ? 'transaction' : 'savepoint',
            keywords,
            detail: tx.statement
        };
    const [w0, w1, w2] = k;
    if (w0 === 'COPY')
        return { kind: 'copy', keywords };
    if ((w0 === 'CREATE' || w0 === 'ALTER' || w0 === 'DROP') && w1 === 'EXTENSION')
        return { kind: 'extension', keywords, detail: extensionName(t, w2 === 'IF' ? 5 : 2) };
    if (w0 === 'COMMENT' && w1 === 'ON' && w2 === 'EXTENSION')
        return { kind: 'extension', keywords, detail: unquote(t[3]) };
    if (w0 === 'ALTER' && w1 === 'DEFAULT' && w2 === 'PRIVILEGES')
        return { kind: 'default-privileges', keywords };
    if (w0 === 'GRANT' || w0 === 'REVOKE')
        return { kind: 'privileges', keywords };
    if (w0 === 'ALTER' && hasOwnerTo(t)) {
        const type = [];
        for (let i = 1; i < k.length && i < 4; i++) {
            if (['ONLY', 'IF'].includes(k[i]))
                break;
            type.push(k[i]);
            if (![
                'MATERIALIZED',
                'FOREIGN',
                'TEXT',
                'SEARCH',
                'EVENT',
                'LARGE',
                'ACCESS',
                'OPERATOR'
            ].includes(k[i]))
                break;
        }
        return { kind: 'owner', keywords, detail: type.join(' ') };
    }
    if (w0 === 'CREATE' && w1 === 'SCHEMA')
        return { kind: 'schema', keywords };
    if (w0 === 'CREATE' && w1 === 'POLICY')
        return { kind: 'policy', keywords };
    if (w0 === 'CREATE' && w1 === 'EVENT' && w2 === 'TRIGGER')
        return { kind: 'event-trigger', keywords };
    if ((w0 === 'CREATE' || w0 === 'ALTER') && w1 === 'PUBLICATION')
        return { kind: 'publication', keywords };
    if ((w0 === 'CREATE' || w0 === 'ALTER') && w1 === 'DATABASE')
        return { kind: 'database', keywords };
    // (CREATE USER MAPPING is a foreign server's, not a role)
    if ((w0 === 'CREATE' || w0 === 'ALTER') &&
        (w1 === 'ROLE' || (w1 === 'USER' && w2 !== 'MAPPING') || w1 === 'GROUP'))
        return { kind: 'role', keywords };
    if (w0 === 'SET') {
        let i = 1;
        if (w1 === 'SESSION' || w1 === 'LOCAL')
            i = 2;
        if (isWord(t[i], 'SESSION') && isWord(t[i + 1], 'AUTHORIZATION'))
            return { kind: 'set', keywords, detail: 'session_authorization' };
        if (w1 === 'SESSION' && isWord(t[2], 'AUTHORIZATION'))
            return { kind: 'set', keywords, detail: 'session_authorization' };
        if (isWord(t[i], 'TIME') && isWord(t[i + 1], 'ZONE'))
            return { kind: 'set', keywords, detail: 'timezone' };
        if (isWord(t[i], 'NAMES'))
            return { kind: 'set', keywords, detail: 'client_encoding' };
        const name = [];
        for (let j = i; j < t.length; j++) {
            const v = unquote(t[j]);
            if (v === undefined)
                break;
            name.push(v);
            if (!(t[j + 1]?.type === 'punct' && t[j + 1].text === '.'))
                break;
            j++;
        }
        return { kind: 'set', keywords, detail: name.join('.') || undefined };
    }
    if (w0 === 'SELECT') {
        // SELECT pg_catalog.set_config('search_path', '', false) / SELECT pg_catalog.lo_open(…)
        let i = 1;
        if (isWord(t[1], 'PG_CATALOG') && t[2]?.type === 'punct' && t[2].text === '.')
            i = 3;
        const fn = t[i]?.type === 'ident' ? t[i].text.toLowerCase() : '';
        const call = t[i + 1]?.type === 'punct' && t[i + 1].text === '(';
        if (call && (fn.startsWith('lo_') || fn === 'lowrite' || fn === 'loread'))
            return { kind: 'large-object', keywords, detail: fn };
        if (call && fn === 'set_config')
            return { kind: 'set', keywords, detail: 'set_config' };
    }
    if (w0 === 'CREATE') {
        let i = 1;
        while (i < k.length &&
            ['UNLOGGED', 'TEMP', 'TEMPORARY', 'FOREIGN', 'GLOBAL', 'LOCAL'].includes(k[i]))
            i++;
        if (k[i] === 'TABLE') {
            let j = i + 1;
            if (isWord(t[j], 'IF') && isWord(t[j + 1], 'NOT') && isWord(t[j + 2], 'EXISTS'))
                j += 3;
            return { kind: 'table', keywords, detail: qualifiedName(t, j) };
        }
    }
    return { kind: 'other', keywords };
}
function extensionName(t, at) {
    return unquote(t[at]);
}
/** A possibly qualified name starting at tokens[at], as written. */
function qualifiedName(t, at) {
    const parts = [];
    for (let j = at; j < t.length; j += 2) {
        if (t[j].type !== 'ident' && t[j].type !== 'qident')
            break;
        parts.push(t[j].text);
        if (!(t[j + 1]?.type === 'punct' && t[j + 1].text === '.'))
            break;
    }
    return parts.length ? parts.join('.') : undefined;
}
/** Every refusal of a whole script's events (for reports); restores stop at the first. */
function refusals(events, options = {}) {
    const out = [];
    for (const e of events) {
        const r = refusal(e, options);
        if (r)
            out.push(r);
    }
    return out;
}


/***/ }),

/***/ 65478:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Rg: () => (/* binding */ ScriptGate),
/* harmony export */   XV: () => (/* binding */ NOT_RESTORED)
/* harmony export */ });
/* unused harmony exports isAscii, settingsCheck, pgDumpConnectArgs */
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(83916);
/* harmony import */ var _memory_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(58547);
/* harmony import */ var _psql_lexer_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7340);
/* harmony import */ var _psql_script_rules_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(2797);
/* harmony import */ var _log_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(25625);
/* harmony import */ var _sql_redact_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(68273);
/* harmony import */ var _sql_names_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(17370);
/**
 * The restore's one script gate: every SQL script psql runs in a restore (a plain dump, or the
 * script `pg_restore -f -` writes from an archive) passes through it on its way to psql's stdin.
 *
 * It lexes the script exactly as psql will read it (psql-lexer.ts) and, event by event:
 *  - refuses (CheckError naming line, command and what to do) anything pg_dump never writes —
 *    meta-commands but \restrict/\unrestrict, COPY … PROGRAM, "\;", psql variables, transaction
 *    control that would end the restore's transaction (psql-script-rules.ts), and scripts that
 *    address the cluster or another database (pg_dumpall: roles, \connect; a \connect or
 *    CREATE DATABASE other than pg_dump --create's). A refused event's bytes never reach psql:
 *    bytes are passed only once the events they belong to were decided;
 *  - leaves out pg_dump --create's header (CREATE DATABASE x, its owner, \connect x) and the
 *    database's own properties, listed with NOT_RESTORED: the content goes into the target
 *    database, as pg_restore restores a --create archive without --create;
 *  - drops what the target cannot take: pg_dump's own BEGIN;/COMMIT; around large objects (the
 *    restore's own transaction covers them), `SET transaction_timeout` for servers before 17,
 *    \restrict/\unrestrict for a psql that lacks them, owner and privilege statements when asked,
 *    and whatever the restore policy (`policy`) skips — each listed in `skipped`;
 *  - with `lockTimeoutMs`, replaces the script's `SET lock_timeout` (pg_dump's header: `= 0`) by
 *    the action's, so that the load stays bounded by lock-timeout;
 *  - passes the exact bytes of everything else (COPY data as zero-copy views of the chunks);
 *  - with `transaction`, writes `BEGIN;` (after a leading \restrict line) and the statements of
 *    `before` (clean's drops) ahead of the script's first statement, and `COMMIT;` only at the
 *    end of its input — after the whole input was read, decoded and checked by the stages before
 *    it. If anything fails or the input ends early, the stream is destroyed without COMMIT: psql
 *    (run without --single-transaction) reaches the end of its input inside the transaction and
 *    exits, and the server rolls the transaction back.
 *
 * Its statement events also tell what the script holds (the tables its COPY statements fill,
 * whether pg_dump's header and "dump complete" trailer are there): `facts`.
 */








/**
 * The prefix of a skip reason naming what of the backup was not restored and what to do: the
 * restore lists these as a warning and in the `not-restored` output.
 */
const NOT_RESTORED = 'not restored: ';
const TRAILER = Buffer.from('-- PostgreSQL database dump complete');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const HEADER = /^(?:\ufeff)?(?:--\r?\n)?-- PostgreSQL database dump\r?\n/;
const CLUSTER_HEADER = /^(?:\ufeff)?(?:--\r?\n)?-- PostgreSQL database cluster dump\r?\n/;
const MAX_TEXT = 200;
/** pg_dump's comment before an entry: "-- Name: t; Type: TABLE; Schema: public; Owner: app". */
// pg_dump writes "-- Data for Name:" before a table's rows, "-- Statistics for Name:" before
// its statistics (18): a header it did not match named the entry before it in an error
const ENTRY_HEADER = /^-- ([A-Z][a-z]* for )?Name: (.*); Type: (.*?); Schema: (.*?); Owner: .*$/gm;
/** What a STATISTICS DATA entry of pg_dump 18 runs (one statement per relation or column). */
const STATISTICS_CALL = /^\s*SELECT\s+\*\s+FROM\s+pg_catalog\.pg_restore_(?:relation|attribute)_stats\s*\(/i;
/** The first `max` characters of a statement, on one line, its secrets redacted (quoteSql). */
function shortText(text, max = MAX_TEXT) {
    return (0,_sql_redact_js__WEBPACK_IMPORTED_MODULE_7__/* .quoteSql */ .Xd)(text, max);
}
class ScriptGate extends node_stream__WEBPACK_IMPORTED_MODULE_0__.Transform {
    options;
    skipped = [];
    facts = {
        madeByPgDump: false,
        complete: false,
        clusterDump: false,
        statements: 0,
        copyBytes: 0
    };
    lexer;
    /** Chunks not yet released, with the absolute offset and the line of their first byte. */
    held = [];
    /** Lines of the script received so far (1-based: the line the next byte is on). */
    receivedLine = 1;
    /**
     * Where each stretch of the output (what psql reads) comes from: from output line `out` on,
     * the script's line `script` on (undefined: the gate's own BEGIN;, drops, COMMIT;).
     */
    lineMap = [];
    outLine = 1;
    /** The last byte psql was given (undefined: none yet): a line end, or psql is mid-line. */
    lastOut;
    /** Bytes before this offset were passed or dropped. */
    pushedUpTo = 0;
    /** Bytes before this offset are decided (kept, not yet pushed, from pushedUpTo on). */
    decidedUpTo = 0;
    received = 0;
    /** The script's last byte so far (its last line's number: psql does not count a final "\n"). */
    lastByte = -1;
    begun = false;
    /** The last kept statement ended at the end of input without ";". */
    openStatement = false;
    sawStatement = false;
    createdDatabase;
    /**
     * pg_dumpall's globals (roles, tablespaces; or its header) before any content: nothing of them
     * passes, and the refusal waits for what follows to tell the kind of file — a \connect or
     * CREATE DATABASE (a whole cluster), a database's content (roles, then a dump), or the end (a
     * roles-only file: pg_dumpall --roles-only / --globals-only, supabase db dump --role-only).
     */
    globalsPart;
    /**
     * pg_dump --create's header, accepted: the database its CREATE DATABASE created (name as the
     * server reads it), whether a \connect to it came, and whether a statement of the content
     * (not a SET, not one on the database itself) ran since CREATE DATABASE or the last \connect.
     */
    created;
    /** pg_dump --clean --create's DROP DATABASE before its CREATE DATABASE: the name it drops. */
    droppedDatabase;
    /** A statement of the content (not a SET, not the database's) was kept: no --create header now. */
    sawContent = false;
    /** pg_dump's "\encoding SQL_ASCII" before a \connect to a complex name: decided with it. */
    pendingEncoding;
    headChecked = false;
    headBytes = [];
    headLength = 0;
    refuseAmbiguous;
    /** A COPY statement the policy left out: its data and end marker are left out too. */
    skippedCopy;
    /**
     * pg_dump's entry headers ("-- Name: mood; Type: TYPE; Schema: public; Owner: …") in the
     * comments before statements, by the script line of the first statement after them.
     */
    entries = [];
    /** The type of the last entry header seen ("TABLE", "STATISTICS DATA"). */
    entryType;
    /**
     * The settings psql reads the next line with, as far as the script's text shows (the last
     * kept statement's, with its modelled SET applied).
     */
    expected = { std: true, encoding: 'UTF8' };
    /** The checks of the settings the gate wrote (see `guard`). */
    settingChecks = 0;
    constructor(options) {
        super();
        this.options = options;
        this.lexer = new _psql_lexer_js__WEBPACK_IMPORTED_MODULE_3__/* .PsqlLexer */ .$p({ psqlMajor: options.psqlMajor });
        this.refuseAmbiguous = options.refuseAmbiguousLiterals ?? options.psqlMajor < 17;
    }
    // the script's chunks are garbage once psql read them (see memory.ts)
    scavenge = (0,_memory_js__WEBPACK_IMPORTED_MODULE_2__/* .scavengeEvery */ .AW)(_memory_js__WEBPACK_IMPORTED_MODULE_2__/* .SCAVENGE_BYTES */ .XY);
    _transform(chunk, _encoding, callback) {
        this.scavenge(chunk.length);
        try {
            this.held.push({ buf: chunk, start: this.received, line: this.receivedLine, counted: 0 });
            this.received += chunk.length;
            this.receivedLine += newlines(chunk);
            if (chunk.length > 0)
                this.lastByte = chunk[chunk.length - 1];
            this.readHead(chunk);
            const events = this.lexer.write(chunk);
            if (events.length > 0)
                this.readHead(undefined);
            for (const event of events)
                this.decide(event);
            this.pushDecided();
            callback();
        }
        catch (error) {
            callback(error);
        }
    }
    _flush(callback) {
        try {
            this.readHead(undefined);
            for (const event of this.lexer.end())
                this.decide(event);
            const part = this.globalsPart;
            if (part?.header && part.statements === 0)
                throw this.clusterDumpError(1);
            if (part)
                throw this.globalsOnlyError(part);
            if (this.pendingEncoding) {
                const pending = this.pendingEncoding;
                this.pendingEncoding = undefined;
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CheckError */ .tl(`${this.where()}, ${(0,_psql_script_rules_js__WEBPACK_IMPORTED_MODULE_4__/* .refusal */ .x5)(pending).message}.`);
            }
            // what follows the last event: white space and comments (pg_dump's trailer)
            this.guard(this.decidedUpTo, this.received, this.expected.std, this.expected.encoding);
            this.seeGap(this.decidedUpTo, this.received);
            this.decidedUpTo = this.received;
            this.begin();
            this.pushDecided();
            // a last statement without ";" (psql sends it at the end of input) is ended first
            if (this.options.transaction) {
                if (this.openStatement) {
                    // its ";" (on a line of its own: the last line may end in a -- comment) is where psql
                    // reports the statement's error: that line stands for the script's last line (psql
                    // reading the file counts no line after its final line end)
                    const last = this.scriptLine(this.outLine - (this.lastByte === 10 ? 1 : 0));
                    if (last !== undefined) {
                        this.pushOut(Buffer.from('\n'), last);
                        this.pushOut(Buffer.from(';'), last);
                    }
                    else
                        this.pushOut(Buffer.from('\n;'));
                }
                const after = typeof this.options.after === 'function'
                    ? this.options.after()
                    : (this.options.after ?? []);
                if (after.length > 0)
                    this.pushOut(Buffer.from(`\n${after.join('\n')}`));
                this.pushOut(Buffer.from('\nCOMMIT;\n'));
                this.options.onCommit?.();
            }
            callback();
        }
        catch (error) {
            callback(error);
        }
    }
    /** The first bytes: pg_dump's or pg_dumpall's header comment. */
    readHead(chunk) {
        if (this.headChecked)
            return;
        if (chunk) {
            this.headBytes.push(chunk);
            this.headLength += chunk.length;
            if (this.headLength < 256)
                return;
        }
        this.headChecked = true;
        const head = Buffer.concat(this.headBytes).toString('utf8', 0, 256);
        this.headBytes = [];
        this.facts.madeByPgDump = HEADER.test(head);
        this.facts.clusterDump = CLUSTER_HEADER.test(head);
        if (this.facts.clusterDump)
            this.globalsPart = { line: 1, what: 'its header', header: true, statements: 0, lastLine: 1 };
    }
    decide(event) {
        if (this.pendingEncoding &&
            !(event.kind === 'metaCommand' && (0,_psql_script_rules_js__WEBPACK_IMPORTED_MODULE_4__/* .metaCommandKind */ .JF)(event) === 'connect')) {
            const pending = this.pendingEncoding;
            this.pendingEncoding = undefined;
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CheckError */ .tl(`${this.where()}, ${(0,_psql_script_rules_js__WEBPACK_IMPORTED_MODULE_4__/* .refusal */ .x5)(pending).message}.`);
        }
        switch (event.kind) {
            case 'statement':
                return this.statement(event);
            case 'metaCommand':
                return this.metaCommand(event);
            case 'copyData':
                if (this.skippedCopy)
                    return this.leaveOut(event.offset, event.offset + event.data.length);
                this.facts.copyBytes += event.data.length;
                this.decidedUpTo = event.offset + event.data.length;
                return;
            case 'copyEnd':
                if (event.end === 'eof')
                    throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CheckError */ .tl(`${this.where()} ends inside the data of a COPY statement (its "\\." line is missing): it is truncated. Nothing was restored.`);
                if (this.skippedCopy) {
                    this.skippedCopy.rows = event.lines;
                    this.skippedCopy = undefined;
                    return this.leaveOut(event.offset, event.offset + (event.marker?.length ?? 0));
                }
                this.decidedUpTo = event.offset + (event.marker?.length ?? 0);
                this.options.onCopyEnd?.(event);
                return;
            default: {
                const refused = (0,_psql_script_rules_js__WEBPACK_IMPORTED_MODULE_4__/* .refusal */ .x5)(event);
                if (refused)
                    throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CheckError */ .tl(`${this.where()}, ${refused.message}.`);
            }
        }
    }
    statement(e) {
        const from = this.decidedUpTo;
        this.seeGap(this.decidedUpTo, e.offset);
        this.seeDumpHeader(e);
        // what psql sends at the end of the input when only comments are left: a /* … */ after the
        // last ";" keeps the lines after it (the trailer among them) in psql's buffer (attacker a36
        // A2: refused as truncated where psql -f runs it)
        if (e.terminator === 'eof' && e.parts.every(p => p.tokens.length === 0))
            this.seeGap(e.offset, e.end);
        this.seeEntryHeader(this.decidedUpTo, e.offset, e.line);
        const cls = (0,_psql_script_rules_js__WEBPACK_IMPORTED_MODULE_4__/* .classifyStatement */ .cp)(e);
        if (cls.kind === 'copy' && e.parts.some(p => p.copy?.target === 'stdin'))
            this.copyLineRest(e);
        if (this.globalsPart)
            return this.afterGlobals(e, cls, this.globalsPart);
        const header = this.createDatabaseHeader(e, cls);
        if (header) {
            this.skipped.push({ line: e.line, reason: header, text: shortText(e.text) });
            this.leaveOut(e.offset, e.end);
            return;
        }
        if (this.refuseClusterStatements(e, cls)) {
            this.leaveOut(this.decidedUpTo, e.end);
            return;
        }
        if (this.droppedDatabase !== undefined && !this.created && !settingStatement(cls, e))
            throw this.createDatabaseError(e.line);
        if (this.created && !this.created.connected && !settingStatement(cls, e))
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CheckError */ .tl(`${this.where()}, line ${e.line}: "${shortText(e.text, 80)}" comes between CREATE DATABASE ${this.created.name} and its "\\connect", which pg_dump --create never writes (psql would run it in the database it started in, not the new one). Nothing was restored. Remove the CREATE DATABASE, ALTER DATABASE and "\\connect" lines from the top of the script, or dump again with pg_dump -Fc (or plain without --create).`);
        const refused = (0,_psql_script_rules_js__WEBPACK_IMPORTED_MODULE_4__/* .refusal */ .x5)(e, { refuseAmbiguousLiterals: this.refuseAmbiguous });
        let verdict = { keep: true };
        if (refused) {
            if (refused.code === 'transaction-control' && !this.options.transaction) {
                // no transaction of the action's: the script's own control runs as psql would run it
            }
            else if (refused.code === 'transaction-control' && refused.droppable) {
                verdict = {
                    keep: false,
                    reason: `a bare ${refused.transaction}; (pg_dump writes them around large objects; a script's own outer one looks the same): the restore's one transaction covers what it encloses`
                };
            }
            else
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CheckError */ .tl(`${this.where()}, ${refused.message}.`);
        }
        if (verdict.keep)
            verdict = this.builtin(cls, e);
        if (verdict.keep && this.options.policy) {
            const decision = this.options.policy(e, cls);
            if ('refuse' in decision)
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CheckError */ .tl(`${this.where()}, line ${e.line}: ${decision.refuse}`);
            verdict = decision;
        }
        if (verdict.keep) {
            this.guard(from, e.end, e.standardConformingStrings, e.clientEncoding, e);
            this.begin(e.offset);
            const ms = this.options.lockTimeoutMs;
            if (cls.kind === 'set' && cls.detail === 'lock_timeout' && ms !== undefined && ms > 0) {
                // the action's lock-timeout, not the header's 0 (the statement's own lines kept as lines)
                const lines = '\n'.repeat(newlines(this.bytes(e.offset, e.end)));
                this.leaveOut(e.offset, e.end);
                this.pushOut(Buffer.from(`SET lock_timeout = ${Math.trunc(ms)};${lines}`), e.line);
            }
            this.expected = settingsAfter(e);
            this.sawStatement = true;
            if (!settingStatement(cls, e)) {
                this.sawContent = true;
                if (this.created)
                    this.created.content = true;
            }
            this.facts.statements++;
            this.options.onStatement?.(e);
            this.decidedUpTo = e.end;
            this.openStatement = e.terminator === 'eof';
            return;
        }
        const entry = {
            line: e.line,
            reason: verdict.reason,
            text: shortText(e.text)
        };
        if ('table' in verdict && verdict.table !== undefined)
            entry.table = verdict.table;
        this.skipped.push(entry);
        // COPY … FROM stdin: its data follows (pg_dump writes no other COPY)
        if (cls.kind === 'copy' && e.parts[0]?.copy?.target === 'stdin')
            this.skippedCopy = entry;
        // what psql reads of it: the text before it
        this.guard(from, e.offset, e.standardConformingStrings, e.clientEncoding);
        this.leaveOut(e.offset, e.end);
    }
    /**
     * psql reads the rest of a COPY … FROM stdin's line only after the COPY's data, with the
     * settings the line began with, while the rows' triggers may have switched client_encoding or
     * standard_conforming_strings on the server meanwhile: a statement there, or one it begins that
     * goes on after the data (a dollar quote, a block comment), is read by psql and the server
     * otherwise than any check written around it could see (re-attack a43: \! on the runner, a
     * hidden COPY … PROGRAM). pg_dump writes nothing after "FROM stdin;": white space and a --
     * comment pass; anything else is refused before anything runs. (The lexer has the whole line:
     * it reads lines whole, and so the gate holds them when their events come.)
     */
    copyLineRest(e) {
        const after = this.bytes(e.end, this.received);
        const nl = after.indexOf(10);
        const rest = (nl >= 0 ? after.subarray(0, nl) : after).toString('latin1');
        if (/^[ \t\r\f\v]*(--.*)?$/.test(rest))
            return;
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CheckError */ .tl(`${this.where()}, line ${e.line}: text after "COPY … FROM stdin;" on its line (${JSON.stringify(shortText(rest.trim(), 40))}): psql runs it only after the COPY's data, reading it with the settings the line began with, which the rows' triggers can switch on the server before; pg_dump never writes any. The script is refused before anything runs: put it on a line of its own after the data's \\. line`);
    }
    /** The gate's own drops: what the target or the psql cannot take, and what was asked. */
    builtin(cls, e) {
        const o = this.options;
        if (cls.kind === 'set' &&
            cls.detail === 'transaction_timeout' &&
            o.serverMajor !== undefined &&
            o.serverMajor < 17)
            return {
                keep: false,
                reason: `the target server (${o.serverMajor}) has no transaction_timeout setting (PostgreSQL 17+)`
            };
        if (o.leaveOutStatistics &&
            this.entryType === 'STATISTICS DATA' &&
            STATISTICS_CALL.test(e.text))
            return {
                keep: false,
                reason: `the planner's statistics (pg_dump 18's STATISTICS DATA entries, not data): the target server (${o.serverMajor}) has no pg_restore_relation_stats() (PostgreSQL 18+); ANALYZE rebuilds them`
            };
        if (o.noOwner && cls.kind === 'owner')
            return { keep: false, reason: 'owners are not restored (no-owner)' };
        if (o.noPrivileges && (cls.kind === 'privileges' || cls.kind === 'default-privileges'))
            return { keep: false, reason: 'privileges are not restored (no-privileges)' };
        return { keep: true };
    }
    /**
     * pg_dump --create's header and the database's own properties, left out (the reason, with
     * NOT_RESTORED) as pg_restore leaves out the DATABASE entries of an archive made with --create
     * when it runs without --create: the content is restored into the target database. Only
     * pg_dump's shape: one CREATE DATABASE before anything but SET statements, then statements on
     * that database (its owner, comment, privileges, settings; left out wherever they come), and
     * "\connect" to it (connect()). Undefined: not such a statement.
     */
    createDatabaseHeader(e, cls) {
        const t = e.parts[0]?.tokens ?? [];
        const [w0, w1] = cls.keywords;
        // pg_dump --clean --create: DROP DATABASE [IF EXISTS] x, then CREATE DATABASE x
        if (w0 === 'DROP' && w1 === 'DATABASE' && e.parts.length === 1) {
            const at = isWordToken(t[2], 'IF') && isWordToken(t[3], 'EXISTS') ? 4 : 2;
            const name = identifier(t[at]);
            if (this.created || this.droppedDatabase || this.sawContent || name === undefined)
                return undefined;
            if (t.length > at + 1 && !(t.length === at + 2 && t[at + 1].text === ';'))
                return undefined;
            this.droppedDatabase = name;
            return `${NOT_RESTORED}DROP DATABASE ${quoteName(name)} (pg_dump --clean --create): the target database is never dropped; clean: true drops the backup's objects in it instead`;
        }
        if (w0 === 'CREATE' && w1 === 'DATABASE' && e.parts.length === 1) {
            const name = identifier(t[2]);
            if (this.created || this.sawContent || name === undefined)
                return undefined;
            if (this.droppedDatabase !== undefined && this.droppedDatabase !== name)
                return undefined;
            this.created = { name, connected: false, content: false };
            this.createdDatabase = shortText(e.text, 80);
            return `${NOT_RESTORED}DATABASE ${quoteName(name)} itself (CREATE DATABASE and its owner): the script was made by pg_dump --create; its content was restored into the target database${this.options.targetDatabase ? ` ${quoteName(this.options.targetDatabase)}` : ''} (the one database-url names), as pg_restore restores an archive made with --create when run without --create`;
        }
        if (!this.created || e.parts.length !== 1)
            return undefined;
        let at = -1;
        if (w0 === 'ALTER' && w1 === 'DATABASE')
            at = 2;
        else if (w0 === 'COMMENT' || w0 === 'GRANT' || w0 === 'REVOKE' || w0 === 'SECURITY') {
            const on = t.findIndex((x, i) => isWordToken(x, 'ON') && isWordToken(t[i + 1], 'DATABASE'));
            if (on > 0)
                at = on + 2;
        }
        if (at < 0 || identifier(t[at]) !== this.created.name)
            return undefined;
        if (w0 === 'ALTER' && isWordToken(t[at + 1], 'OWNER'))
            return `${NOT_RESTORED}DATABASE ${quoteName(this.created.name)} itself (CREATE DATABASE and its owner): the script was made by pg_dump --create; its content was restored into the target database${this.options.targetDatabase ? ` ${quoteName(this.options.targetDatabase)}` : ''} (the one database-url names), as pg_restore restores an archive made with --create when run without --create`;
        if (w0 === 'ALTER' && (isWordToken(t[at + 1], 'SET') || isWordToken(t[at + 1], 'RESET')))
            return `${NOT_RESTORED}${shortText(e.text, 160)} — a setting of the backed-up database (pg_dump --create), not of its objects; the target database keeps its own: run it there by hand (ALTER DATABASE <target> …) if you need it`;
        return `${NOT_RESTORED}${shortText(e.text, 160)} — a property of the backed-up database itself (pg_dump --create writes it; pg_restore without --create leaves it out too); set it on the target database by hand if you need it`;
    }
    /** pg_dumpall (roles, databases) and pg_dump --create (CREATE DATABASE): refused by content. */
    refuseClusterStatements(e, cls) {
        const [w0, w1, w2] = cls.keywords;
        // GRANT role TO role (no ON): a membership, a role statement as CREATE ROLE is (a10 #5)
        const membership = (w0 === 'GRANT' || w0 === 'REVOKE') &&
            e.parts.length === 1 &&
            !(e.parts[0]?.tokens ?? []).some(x => isWordToken(x, 'ON'));
        if (cls.kind === 'role' ||
            membership ||
            (w0 === 'DROP' && (w1 === 'ROLE' || (w1 === 'USER' && w2 !== 'MAPPING')))) {
            // after a database's content (or pg_dump --create's header): a role statement in a dump
            if (this.sawContent || this.created)
                throw this.roleStatementError(e);
            this.globalsPart = {
                line: e.line,
                what: `"${shortText(e.text, 80)}"`,
                header: false,
                statements: 0,
                lastLine: e.line
            };
            return true;
        }
        if ((w0 === 'CREATE' || w0 === 'DROP') && w1 === 'DATABASE') {
            if (w0 === 'DROP')
                throw this.clusterDumpError(e.line, `"${shortText(e.text, 80)}"`);
            this.createdDatabase = shortText(e.text, 80);
            throw this.createDatabaseError(e.line);
        }
        // pg_dump writes the database's own settings, owner, comment and privileges only with --create
        // (left out above); anywhere else they would change what every later session of the target
        // gets (GRANT … ON DATABASE: who may connect or create schemas in it)
        const onDatabase = (w0 === 'COMMENT' || w0 === 'GRANT' || w0 === 'REVOKE' || w0 === 'SECURITY') &&
            e.parts.some(p => p.tokens.some((x, i) => isWordToken(x, 'ON') && isWordToken(p.tokens[i + 1], 'DATABASE')));
        if ((w0 === 'ALTER' && w1 === 'DATABASE') || onDatabase)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CheckError */ .tl(`${this.where()}, line ${e.line}: "${shortText(e.text, 80)}" changes the target database itself (its settings for every later session, its owner, name, comment or privileges), which pg_dump writes only with --create; a restore writes objects into the database, never the database. Nothing was restored. Remove the statement from the script, or run it by hand with psql if you mean it.`);
        return false;
    }
    /**
     * A statement after pg_dumpall's globals began (see globalsPart): more of them (roles,
     * tablespaces, role memberships, settings) are left out; CREATE DATABASE or DROP DATABASE is
     * a whole cluster's dump, anything else a database's content after the roles.
     */
    afterGlobals(e, cls, part) {
        const [w0, w1, w2] = cls.keywords;
        if ((w0 === 'CREATE' || w0 === 'DROP') && w1 === 'DATABASE')
            throw this.clusterDumpError(part.line, part.what);
        const t = e.parts[0]?.tokens ?? [];
        const onWord = t.findIndex(x => isWordToken(x, 'ON'));
        const globals = e.parts.length === 1 &&
            (cls.kind === 'role' ||
                w0 === 'SET' ||
                w0 === 'RESET' ||
                settingStatement(cls, e) ||
                (w0 === 'DROP' && (w1 === 'ROLE' || (w1 === 'USER' && w2 !== 'MAPPING'))) ||
                ((w0 === 'CREATE' || w0 === 'ALTER' || w0 === 'DROP') && w1 === 'TABLESPACE') ||
                // GRANT role TO role (no ON), GRANT … ON TABLESPACE, COMMENT / SECURITY LABEL ON ROLE
                ((w0 === 'GRANT' || w0 === 'REVOKE') &&
                    (onWord < 0 || isWordToken(t[onWord + 1], 'TABLESPACE'))) ||
                ((w0 === 'COMMENT' || w0 === 'SECURITY') &&
                    onWord > 0 &&
                    (isWordToken(t[onWord + 1], 'ROLE') || isWordToken(t[onWord + 1], 'TABLESPACE'))));
        if (!globals) {
            if (part.header && part.dumpLine === undefined)
                throw this.clusterDumpError(part.line, part.what);
            // the database's part begins with pg_dump's header where there is one (its SET lines and
            // \restrict before its first object), else at this statement
            const split = part.dumpLine ?? e.line;
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CheckError */ .tl(`${this.where()} starts with ${part.header ? `pg_dumpall's roles (its header "-- PostgreSQL database cluster dump"${part.statements > 0 ? `, then ${(0,_log_js__WEBPACK_IMPORTED_MODULE_5__/* .plural */ .LS)(part.statements, 'statement')} on roles up to line ${part.lastLine}` : ''})` : `roles (line ${part.line}: ${part.what}${part.statements > 0 ? `, and ${(0,_log_js__WEBPACK_IMPORTED_MODULE_5__/* .plural */ .LS)(part.statements, 'more statement')} on roles up to line ${part.lastLine}` : ''})`} and then holds a database's objects (line ${e.line}: "${shortText(e.text, 80)}"). Roles belong to the whole server, not to a database: pg_dump never writes them, and a restore writes only into the target database (the one its connection names). Nothing was restored. Split the file at line ${split}: head -n ${split - 1} FILE > roles.sql, and run that by hand with psql as a role with CREATEROLE (psql -v ON_ERROR_STOP=1 -f roles.sql "$DATABASE_URL"); tail -n +${split} FILE > database.sql, and restore that.`);
        }
        if (cls.kind === 'role' || w0 === 'DROP' || w0 === 'GRANT') {
            part.statements++;
            part.lastLine = e.line;
        }
        // the comments before it too: nothing of the globals reaches psql
        this.leaveOut(this.decidedUpTo, e.end);
    }
    /** A role statement in a database's script (after its content): pg_dump never writes one. */
    roleStatementError(e) {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CheckError */ .tl(`${this.where()}, line ${e.line}: "${shortText(e.text, 80)}" creates, changes or drops a role. Roles belong to the whole server, not to a database: pg_dump never writes such a statement (pg_dumpall does), and a restore writes only into the target database (the one its connection names). Nothing was restored. Remove the statement from the script and restore again; run it by hand with psql as a role with CREATEROLE if you mean it.`);
    }
    /** The end of a script that held only pg_dumpall's globals (see globalsPart). */
    globalsOnlyError(part) {
        const what = part.header
            ? `its header: "-- PostgreSQL database cluster dump", then ${(0,_log_js__WEBPACK_IMPORTED_MODULE_5__/* .plural */ .LS)(part.statements, 'statement')} on roles or tablespaces and no database`
            : `line ${part.line}: ${part.what}${part.statements > 0 ? `, and ${(0,_log_js__WEBPACK_IMPORTED_MODULE_5__/* .plural */ .LS)(part.statements, 'more statement')} on roles up to line ${part.lastLine}` : ''}; no database, no table`;
        return new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CheckError */ .tl(`${this.where()} holds only roles (${what}): a roles-only file (supabase db dump --role-only, pg_dumpall --roles-only or --globals-only), not a backup of a database. Roles belong to the whole server, not to the target database, and a restore creates them only from the globals file of a backup the action made (create-roles: true with a backup made with globals: true), never from a script. Nothing was restored. Run the file by hand with psql as a role with CREATEROLE (a superuser for SUPERUSER, REPLICATION or BYPASSRLS roles): psql -v ON_ERROR_STOP=1 -f FILE "$DATABASE_URL"; then restore the database's own dump (its schema and data files) with the action.`);
    }
    clusterDumpError(line, what = 'its header') {
        const name = this.options.targetDatabase ?? 'postgres';
        const awk = `awk '/^-- Database "${name.replace(/'/g, `'\\''`)}" dump$/{f=1} f&&/^-- PostgreSQL database dump$/{p=1} p{print} p&&/^-- PostgreSQL database dump complete$/{exit}'`;
        return new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CheckError */ .tl(`${this.where()} is a pg_dumpall file (line ${line}: ${what}), a dump of a whole cluster (Supabase's dashboard backups db_cluster-….backup.gz are such files): it creates roles and databases and connects to each database in turn, and a restore writes only into the target database (the one its connection names). Nothing was restored. Take one database's section into a file of its own and restore that (pg_dump's own output for the database, made with --create for all but postgres and template1, which the restore takes): ${awk} FILE > ${/^[\w.-]+$/.test(name) ? name : 'database'}.sql (gunzip -c FILE.gz | awk … for a .gz); create the roles of its first part by hand (or run that part with psql as a superuser) if you need them.`);
    }
    createDatabaseError(line) {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CheckError */ .tl(`${this.where()} creates or connects to a database other than as pg_dump --create writes it (line ${line}: ${this.createdDatabase ?? '\\connect'}; the restore takes a script made by pg_dump --create only with its CREATE DATABASE before any content and one "\\connect" to that database): psql would run what follows in another database, and a restore writes only into the target database (the one its connection names). Nothing was restored. Dump again with pg_dump -Fc (or plain, with or without --create), or remove the CREATE DATABASE, ALTER DATABASE and "\\connect" lines.`);
    }
    metaCommand(e) {
        const from = this.decidedUpTo;
        this.seeGap(this.decidedUpTo, e.offset);
        this.seeDumpHeader(e);
        const refused = (0,_psql_script_rules_js__WEBPACK_IMPORTED_MODULE_4__/* .refusal */ .x5)(e);
        if (this.globalsPart) {
            // pg_dumpall's globals, then "\connect" to each database: a whole cluster
            const part = this.globalsPart;
            if (refused?.code === 'connect')
                throw this.clusterDumpError(part.line, part.what);
            // \restrict / \unrestrict around its parts: nothing passes anyway
            if (refused)
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CheckError */ .tl(`${this.where()}, ${refused.message}.`);
            return this.leaveOut(this.decidedUpTo, e.end);
        }
        // pg_dump writes "\encoding SQL_ASCII" just before a \connect to a name with other characters
        if (this.created &&
            !this.pendingEncoding &&
            e.name === 'encoding' &&
            e.argText.trim() === 'SQL_ASCII') {
            this.pendingEncoding = e;
            return;
        }
        if (refused?.code === 'connect' && this.created && this.pgDumpConnect(e)) {
            // psql by hand would connect to the database the script created; the restore stays in the
            // target, where the content goes (the header above was left out and listed)
            const start = this.pendingEncoding?.offset ?? e.offset;
            this.pendingEncoding = undefined;
            this.created.connected = true;
            this.created.content = false;
            this.leaveOut(start, e.end);
            return;
        }
        if (refused?.code === 'connect' && this.created) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CheckError */ .tl(`${this.where()}, line ${e.line}: "${refused.command}" is not the one "\\connect" pg_dump --create writes after CREATE DATABASE ${this.created.name} (to that database, before any of its content). Nothing was restored. Remove the CREATE DATABASE, ALTER DATABASE and "\\connect" lines from the top of the script, or dump again with pg_dump -Fc (or plain without --create).`);
        }
        if (refused?.code === 'connect') {
            throw this.sawStatement && !this.createdDatabase
                ? this.clusterDumpError(e.line, `"${refused.command}"`)
                : this.createDatabaseError(e.line);
        }
        if (refused)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CheckError */ .tl(`${this.where()}, ${refused.message}.`);
        // \restrict / \unrestrict: psql's own guard, kept where psql knows it
        if (this.options.dropRestrict) {
            this.guard(from, e.offset, this.expected.std, this.expected.encoding);
            this.skipped.push({
                line: e.line,
                reason: 'this psql does not know \\restrict / \\unrestrict (added in 13.22, 14.19, 15.14, 16.10, 17.6)',
                text: `\\${e.name}`
            });
            this.leaveOut(e.offset, e.end);
            return;
        }
        // the meta-command's own backslash starts it in any setting: the text before it counts
        this.guard(from, e.offset, this.expected.std, this.expected.encoding);
        this.decidedUpTo = e.end;
    }
    /**
     * Before psql reads the script's bytes [from, to) — the text between the last event and the
     * end of the next one — when they are not neutral (a byte above 127, or a backslash in a plain
     * '…' literal of `statement`, whose end or value depends on standard_conforming_strings;
     * elsewhere — comments, E'…', dollar quotes — a backslash reads the same): writes a
     * statement that fails (ON_ERROR_STOP: psql stops before it reads another line) unless the
     * server's standard_conforming_strings and client_encoding are the ones the gate read those
     * bytes with. psql takes both from the server after every statement and lexes each new line
     * with them, and the server parses each statement with them; the script can change them at
     * run time where no text shows it (set_config() with a built name in a function, EXECUTE, a
     * trigger during COPY, an event trigger on later DDL, ROLLBACK TO undoing a SET). Neutral
     * bytes read the same under either standard_conforming_strings and in every client encoding
     * (all are ASCII supersets); the check itself is such text, written where psql is between
     * statements, so it reads the same whatever the script switched. Ordinary dumps pay one round
     * trip per statement with a backslash or non-ASCII text (and none for the rest).
     */
    guard(from, to, std, encoding, statement) {
        // a UTF-8 byte-order mark psql drops (it stays first)
        if (from === 0 && to >= 3 && this.bytes(0, 3).equals(BOM))
            from = 3;
        if (to <= from)
            return;
        if ((statement?.plainLiteralBackslashes ?? 0) === 0 && isAscii(this.bytes(from, to)))
            return;
        this.decidedUpTo = Math.max(this.decidedUpTo, from);
        this.begin(from);
        this.pushDecided();
        // psql lexes a line with the settings it had when the line began, not those the statements
        // before on the same line left: a check written there would see the latter (re-attack a42 F1:
        // a hidden switch to SJIS on the line before, "SET client_encoding = 'UTF8';" and a literal
        // hiding "\!" on the next). So the bytes checked begin a line of their own, after the check's.
        const midLine = this.lastOut !== undefined && this.lastOut !== 10;
        if (midLine && statement && std !== this.expected.std) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CheckError */ .tl(`${this.where()}, line ${statement.line}: a statement follows, on the same line, one that sets standard_conforming_strings; psql reads the rest of that line with the setting the line began with, which the restore's check of the settings cannot follow there. The script is refused before anything runs: put the statement on a line of its own (pg_dump never writes such a line).`);
        }
        this.pushOut(Buffer.from(`${midLine ? '\n' : ''}${settingsCheck(std, encoding)}\n`));
        this.settingChecks++;
    }
    /**
     * Whether `e` is the "\connect" pg_dump --create writes to the database it created, as
     * appendPsqlMetaConnect writes it ("\connect shop", "\connect \"Shop\"", or
     * "\connect -reuse-previous=on \"dbname='my shop'\""), with nothing of the content since
     * CREATE DATABASE or the last such \connect (pg_dump connects again after the database's
     * settings).
     */
    pgDumpConnect(e) {
        const created = this.created;
        if (!created || e.name !== 'connect' || created.content || e.wholeLine || e.backquote)
            return false;
        if (e.variables.length > 0)
            return false;
        return pgDumpConnectArgs(created.name).includes(e.argText.trim());
    }
    /** The last entry header of pg_dump in the comments before a statement (from its line on). */
    seeEntryHeader(from, to, line) {
        if (to - from > 64 * 1024)
            return;
        const gap = this.bytes(from, to).toString('utf8');
        let last;
        for (const m of gap.matchAll(ENTRY_HEADER))
            last = m;
        if (!last)
            return;
        const [, , name, type, schema] = last;
        this.entryType = type;
        const entry = `${type} ${schema && schema !== '-' ? `${schema}.` : ''}${name}`;
        this.entries.push({ line, entry: shortText(entry, 160) });
    }
    /**
     * The archive entry (pg_dump's header before it: "TYPE public.mood") that the line
     * `outputLine` of the gate's output belongs to; undefined before the first, or on the gate's
     * own lines.
     */
    entryAt(outputLine) {
        const line = this.scriptLine(outputLine);
        if (line === undefined)
            return undefined;
        for (let i = this.entries.length - 1; i >= 0; i--)
            if (this.entries[i].line <= line)
                return this.entries[i].entry;
        return undefined;
    }
    /** White space and comments between events: pg_dump's trailer is one of them. */
    /**
     * After pg_dumpall's globals: where a pg_dump's own output begins (its header comment, in the
     * gap before `e`), for the line to split such a file at (globals, then one database's dump:
     * trial u29 F2 — the pg_dump part's SET lines and \restrict come before its first object).
     */
    seeDumpHeader(e) {
        const part = this.globalsPart;
        if (!part || part.dumpLine !== undefined || e.offset <= this.decidedUpTo)
            return;
        const gap = this.bytes(this.decidedUpTo, e.offset).toString('latin1');
        const at = gap.search(/(?:^|\n)--\r?\n-- PostgreSQL database dump\r?\n/);
        if (at < 0)
            return;
        const start = gap[at] === '\n' ? at + 1 : at;
        let breaks = 0;
        for (let i = start; i < gap.length; i++)
            if (gap.charCodeAt(i) === 10)
                breaks++;
        part.dumpLine = e.line - breaks;
    }
    seeGap(from, to) {
        if (this.facts.complete || to - from < TRAILER.length)
            return;
        if (this.bytes(from, to).includes(TRAILER))
            this.facts.complete = true;
    }
    /** Writes BEGIN; and the statements of `before` once, just ahead of the first statement. */
    begin(at = this.decidedUpTo) {
        if (this.begun)
            return;
        this.begun = true;
        const o = this.options;
        const lines = [...(o.transaction ? ['BEGIN;'] : []), ...(o.before ?? [])];
        if (lines.length === 0)
            return;
        this.decidedUpTo = Math.max(this.decidedUpTo, at);
        this.pushDecided();
        this.pushOut(Buffer.from(`${lines.join('\n')}\n`));
    }
    /**
     * The line of the script that line `outputLine` of the gate's output (psql's "<stdin>" line
     * in its errors) comes from; undefined for the gate's own lines (BEGIN;, drops, COMMIT;).
     */
    scriptLine(outputLine) {
        for (let i = this.lineMap.length - 1; i >= 0; i--) {
            const m = this.lineMap[i];
            if (m.out > outputLine)
                continue;
            return m.script === undefined ? undefined : m.script + (outputLine - m.out);
        }
        return outputLine;
    }
    /** Pushes output, recording which script line (none: the gate's own text) it starts on. */
    pushOut(buf, scriptLine) {
        const last = this.lineMap[this.lineMap.length - 1];
        const continues = last !== undefined &&
            (scriptLine === undefined
                ? last.script === undefined
                : last.script !== undefined && last.script + (this.outLine - last.out) === scriptLine);
        // the gate's own text that begins with a line end ("\nCOMMIT;") ends the script's last line
        const out = this.outLine + (scriptLine === undefined && buf[0] === 10 ? 1 : 0);
        if (!continues && !(last === undefined && scriptLine === 1))
            this.lineMap.push({ out, script: scriptLine });
        this.outLine += newlines(buf);
        if (buf.length > 0)
            this.lastOut = buf[buf.length - 1];
        this.push(buf);
    }
    /** Leaves out the script's bytes [from, to) (after passing what was decided before them). */
    leaveOut(from, to) {
        this.decidedUpTo = Math.max(this.decidedUpTo, from);
        this.pushDecided();
        this.release(to);
        this.pushedUpTo = to;
        this.decidedUpTo = to;
    }
    /** Pushes the decided bytes not pushed yet, as views of the chunks. */
    pushDecided() {
        const to = this.decidedUpTo;
        if (to <= this.pushedUpTo)
            return;
        for (const held of this.held) {
            const { buf, start } = held;
            const end = start + buf.length;
            if (end <= this.pushedUpTo)
                continue;
            if (start >= to)
                break;
            const a = Math.max(this.pushedUpTo, start) - start;
            const b = Math.min(to, end) - start;
            // pieces of a chunk go out in order: its lines are counted once, up to each piece
            held.line += newlines(buf.subarray(held.counted, a));
            held.counted = a;
            this.pushOut(a === 0 && b === buf.length ? buf : buf.subarray(a, b), held.line);
        }
        this.pushedUpTo = to;
        this.release(to);
    }
    /** Forgets the chunks wholly before `to`. */
    release(to) {
        let k = 0;
        while (k < this.held.length && this.held[k].start + this.held[k].buf.length <= to)
            k++;
        if (k > 0)
            this.held = this.held.slice(k);
    }
    /** The script's bytes [from, to) (still held). */
    bytes(from, to) {
        const pieces = [];
        for (const { buf, start } of this.held) {
            const end = start + buf.length;
            if (end <= from)
                continue;
            if (start >= to)
                break;
            pieces.push(buf.subarray(Math.max(from, start) - start, Math.min(to, end) - start));
        }
        return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
    }
    where() {
        return this.options.source ?? 'the SQL script';
    }
}
/** Bytes below 128 only: they read the same in every client encoding (all extend ASCII). */
function isAscii(buf) {
    for (let i = 0; i < buf.length; i++)
        if (buf[i] >= 0x80)
            return false;
    return true;
}
/** The client-only encodings, in which psql lexes multi-byte characters (psql-lexer.ts). */
const CHARACTER_WISE = ['SJIS', 'SHIFT_JIS_2004', 'BIG5', 'GBK', 'UHC', 'GB18030', 'JOHAB'];
/**
 * One statement, ASCII without a backslash, with every name schema-qualified (the script may have
 * set search_path and created look-alike functions or operators), that fails unless the server's
 * standard_conforming_strings is `std` and its client_encoding is one psql and the server read
 * byte by byte (every server encoding: in all of them the text reads as the gate read it, which
 * the gate did with `encoding`; the connection's own encoding — a LATIN1 database's — is one).
 * Not one of the client-only encodings, in which a character can hold the byte of "\" or "'".
 * Its error names both values. Its output is a row psql prints to the stdout nobody reads.
 */
function settingsCheck(std, encoding) {
    if (!/^[A-Za-z0-9_]+$/.test(encoding))
        throw new Error(`unexpected encoding name ${encoding}`);
    const scs = std ? 'on' : 'off';
    const now = (name) => `pg_catalog.current_setting('${name}')`;
    const enc = `pg_catalog.pg_char_to_encoding(${now('client_encoding')})`;
    const characterWise = CHARACTER_WISE.map(name => `pg_catalog.int4eq(${enc}, pg_catalog.pg_char_to_encoding('${name}'))`).join(' OR ');
    const message = `pg_catalog.concat('the restore stopped: the script changed standard_conforming_strings or client_encoding at run time (now ', ${now('standard_conforming_strings')}, ', ', ${now('client_encoding')}, '), not in a statement the check could follow; psql and the server would read the next statement otherwise than the check did (with ${scs}, ${encoding})')`;
    return ` SELECT CASE WHEN pg_catalog.texteq(${now('standard_conforming_strings')}, '${scs}') AND NOT (${characterWise}) THEN 0 ELSE pg_catalog.int4in(pg_catalog.textout(${message})) END;`;
}
/** The settings psql reads the line after a statement with, as far as its text shows. */
function settingsAfter(e) {
    const eff = e.effects;
    const std = typeof eff?.standardConformingStrings === 'boolean'
        ? eff.standardConformingStrings
        : e.standardConformingStrings;
    const named = eff?.clientEncoding !== undefined && eff.clientEncoding !== 'unknown'
        ? (0,_psql_lexer_js__WEBPACK_IMPORTED_MODULE_3__/* .canonicalEncoding */ .uY)(eff.clientEncoding)
        : undefined;
    return { std, encoding: named ?? e.clientEncoding };
}
/** The line ends (\n) in a buffer. */
function newlines(buf) {
    let n = 0;
    for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1))
        n++;
    return n;
}
/** A name as the server reads the token: unquoted folded to lower case, "quoted" as written. */
function identifier(t) {
    if (!t)
        return undefined;
    if (t.type === 'ident')
        return t.text.toLowerCase();
    if (t.type === 'qident' && t.text.startsWith('"') && t.text.endsWith('"') && t.text.length > 1)
        return t.text.slice(1, -1).replace(/""/g, '"');
    return undefined;
}
function isWordToken(t, word) {
    return t?.type === 'ident' && t.text.toUpperCase() === word;
}
/** A name for messages: "quoted" as SQL quotes it when it needs to. */
const quoteName = _sql_names_js__WEBPACK_IMPORTED_MODULE_6__/* .quoteIdent */ .v4;
/** SET …, SELECT pg_catalog.set_config(…): what pg_dump writes at the top of every connection. */
function settingStatement(cls, e) {
    if (cls.keywords[0] === 'SET')
        return true;
    return /^SELECT pg_catalog\.set_config\('[a-z_]+', '[^']*', false\);?$/.test(e.text.trim());
}
/**
 * The argument texts pg_dump writes after "\connect" for the database `name`
 * (appendPsqlMetaConnect, fe_utils/string_utils.c): a name of only ASCII letters, digits, '_'
 * and '.' as an identifier (quoted unless lower case; unquoted lower case too, which fmtId writes
 * for all but keywords), any other as "-reuse-previous=on" and a quoted connection string.
 */
function pgDumpConnectArgs(name) {
    const quoted = `"${name.replace(/"/g, '""')}"`;
    if (/^[A-Za-z0-9_.]+$/.test(name))
        return /^[a-z_][a-z0-9_]*$/.test(name) ? [name, quoted] : [quoted];
    const value = `dbname='${name.replace(/['\\]/g, m => `\\${m}`)}'`;
    return [`-reuse-previous=on "${value.replace(/"/g, '""')}"`];
}


/***/ }),

/***/ 92515:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   OWN_SEARCH_PATH: () => (/* binding */ OWN_SEARCH_PATH),
/* harmony export */   SnapshotSession: () => (/* binding */ SnapshotSession),
/* harmony export */   afterOwnSessionsEnd: () => (/* binding */ afterOwnSessionsEnd),
/* harmony export */   certificateNames: () => (/* binding */ certificateNames),
/* harmony export */   connect: () => (/* binding */ connect),
/* harmony export */   countObjects: () => (/* binding */ countObjects),
/* harmony export */   dumpLockWaits: () => (/* binding */ dumpLockWaits),
/* harmony export */   dumpRowCounts: () => (/* binding */ dumpRowCounts),
/* harmony export */   endOwnSessions: () => (/* binding */ endOwnSessions),
/* harmony export */   explainConnectError: () => (/* binding */ explainConnectError),
/* harmony export */   lockBound: () => (/* binding */ lockBound),
/* harmony export */   ownSessionCount: () => (/* binding */ ownSessionCount),
/* harmony export */   readServerInfo: () => (/* binding */ readServerInfo),
/* harmony export */   rowSecurityTables: () => (/* binding */ rowSecurityTables),
/* harmony export */   tableBlockers: () => (/* binding */ tableBlockers),
/* harmony export */   trackApplicationName: () => (/* binding */ trackApplicationName),
/* harmony export */   unmatchedExcludes: () => (/* binding */ unmatchedExcludes),
/* harmony export */   withSessionSearchPath: () => (/* binding */ withSessionSearchPath)
/* harmony export */ });
/* harmony import */ var node_tls__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(41692);
/* harmony import */ var node_tls__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_tls__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var pg__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(83849);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(83916);
/* harmony import */ var _log_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(25625);
/* harmony import */ var _process_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(34006);
/* harmony import */ var _connection_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(58824);
/* harmony import */ var _commit_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(70858);
/* harmony import */ var _diagnostics_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(24999);
/* harmony import */ var _dump_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(8677);
/* harmony import */ var _locks_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(60975);










/** Milliseconds as the text a lock_timeout setting takes. */
function lockTimeoutSetting(ms) {
    return `${Math.max(1, Math.round(ms))}ms`;
}
/**
 * The lock wait every statement of the action gets: the lock-timeout option, or pg_dump's own
 * `--lock-wait-timeout` from its arguments when that is shorter (the action never waits longer
 * than pg_dump would). The server reads pg_dump's value (its syntax is the setting's).
 */
async function lockBound(client, lockTimeoutMs, pgDumpArgs) {
    let bound = {
        ms: lockTimeoutMs,
        source: lockTimeoutMs === 0
            ? 'lock timeout 0 (wait forever)'
            : `lock timeout ${(0,_locks_js__WEBPACK_IMPORTED_MODULE_8__/* .formatWait */ .Du)(lockTimeoutMs)}`
    };
    const given = pgDumpArgs
        .map(arg => /^--lock-wait-timeout=(.*)$/.exec(arg)?.[1])
        .filter((v) => v !== undefined)
        .pop();
    if (given === undefined)
        return bound;
    // set and read back in a transaction that is rolled back: the session keeps its setting
    await client.query('BEGIN');
    try {
        await client.query("SELECT set_config('lock_timeout', $1, true)", [given]);
        const ms = Number((await client.query("SELECT setting AS ms FROM pg_catalog.pg_settings WHERE name = 'lock_timeout'")).rows[0].ms);
        if (ms > 0 && (bound.ms === 0 || ms < bound.ms)) {
            bound = { ms, source: `pg_dump --lock-wait-timeout=${given}` };
        }
    }
    catch {
        // pg_dump will say what is wrong with its value; the action keeps its own bound
    }
    finally {
        await client.query('ROLLBACK');
    }
    return bound;
}
/**
 * The sessions that hold, or are queued ahead for, an ACCESS EXCLUSIVE lock on a table (the only
 * mode that blocks reading it). Reads pg_locks and pg_stat_activity only: takes no lock.
 */
async function tableBlockers(client, table) {
    // the statistics snapshot of a transaction is taken once: refresh it for current sessions
    await client.query('SELECT pg_catalog.pg_stat_clear_snapshot()');
    const result = await client.query(`SELECT l.pid, a.application_name, a.state, l.mode, l.granted,
            to_char(coalesce(a.xact_start, a.state_change) AT TIME ZONE 'UTC',
                    'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since
       FROM pg_catalog.pg_locks l
       LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock'
        AND l.pid <> pg_catalog.pg_backend_pid()
        AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
        AND l.relation = (SELECT c.oid FROM pg_catalog.pg_class c
                            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                           WHERE n.nspname = $1 AND c.relname = $2)
      ORDER BY l.granted DESC, l.pid`, [table.schema, table.name]);
    return result.rows.map(r => ({
        pid: r.pid,
        applicationName: r.application_name,
        state: r.state,
        since: r.since,
        lock: { mode: r.mode, granted: r.granted }
    }));
}
/**
 * What pg_dump's sessions wait to lock, and for whom (pg_blocking_pids): the sessions of this
 * role and database with this session's application_name (pg_dump gets the same, PGAPPNAME)
 * started after this session (the server's clock). Reads pg_locks and pg_stat_activity only.
 */
async function dumpLockWaits(client) {
    await client.query('SELECT pg_catalog.pg_stat_clear_snapshot()');
    const result = await client.query(`SELECT n.nspname AS schema, c.relname AS name, b.pid, b.application_name, b.state,
            to_char(coalesce(b.xact_start, b.state_change) AT TIME ZONE 'UTC',
                    'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since,
            bl.mode, bl.granted
       FROM pg_catalog.pg_stat_activity w
       JOIN pg_catalog.pg_locks wl ON wl.pid = w.pid AND NOT wl.granted AND wl.locktype = 'relation'
       JOIN pg_catalog.pg_class c ON c.oid = wl.relation
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      CROSS JOIN LATERAL unnest(pg_catalog.pg_blocking_pids(w.pid)) AS bp(pid)
       LEFT JOIN pg_catalog.pg_stat_activity b ON b.pid = bp.pid
       LEFT JOIN LATERAL (SELECT l.mode, l.granted FROM pg_catalog.pg_locks l
                           WHERE l.pid = bp.pid AND l.locktype = 'relation'
                             AND l.relation = wl.relation
                           ORDER BY l.granted DESC LIMIT 1) bl ON true
      WHERE w.application_name = current_setting('application_name')
        AND w.pid <> pg_catalog.pg_backend_pid() AND w.datname = current_database()
        AND w.usename = current_user
        AND w.backend_start >= (SELECT backend_start FROM pg_catalog.pg_stat_activity
                                 WHERE pid = pg_catalog.pg_backend_pid())
      ORDER BY 1, 2, 3`);
    const waits = new Map();
    for (const r of result.rows) {
        const key = JSON.stringify([r.schema, r.name]);
        const wait = waits.get(key) ?? { table: { schema: r.schema, name: r.name }, blockers: [] };
        waits.set(key, wait);
        if (!wait.blockers.some(b => b.pid === r.pid)) {
            wait.blockers.push({
                pid: r.pid,
                applicationName: r.application_name,
                state: r.state,
                since: r.since,
                lock: { mode: r.mode ?? 'a lock', granted: r.granted ?? true }
            });
        }
    }
    return [...waits.values()];
}
/** The hosts a "Connected to" line named (see connect): each once in a run's log. */
const namedHosts = new Set();
async function connect(connection, connectTimeoutSeconds, options = {}) {
    const policy = (0,_connection_js__WEBPACK_IMPORTED_MODULE_5__/* .authPolicy */ .vv)(connection);
    const hosts = (0,_connection_js__WEBPACK_IMPORTED_MODULE_5__/* .connectAttempts */ .zG)(connection);
    const wanted = connection.params.target_session_attrs ?? 'any';
    const passes = wanted === 'prefer-standby' ? ['standby', 'any'] : [wanted];
    const failures = [];
    for (const pass of passes) {
        for (const attempts of hosts) {
            const where = { ...connection, host: attempts[0].name, port: attempts[0].port };
            let client;
            try {
                client = await openHost(connection, attempts, policy, connectTimeoutSeconds, options);
            }
            catch (error) {
                // refused by the URL's own rules, or the server refused the password: libpq stops too
                if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SettingError */ .L_)
                    throw error;
                const explained = explainConnectError(error, where, connectTimeoutSeconds);
                if (error.code === '28P01')
                    throw explained;
                failures.push(explained);
                continue;
            }
            if (pass === 'any' || (await sessionIs(client, pass))) {
                // the group's title named the URL's first host: say which one answered, once
                if (attempts !== hosts[0] && !namedHosts.has((0,_connection_js__WEBPACK_IMPORTED_MODULE_5__/* .describeConnection */ .If)(where))) {
                    namedHosts.add((0,_connection_js__WEBPACK_IMPORTED_MODULE_5__/* .describeConnection */ .If)(where));
                    _log_js__WEBPACK_IMPORTED_MODULE_3__/* .log */ .Rm.info(`Connected to ${(0,_connection_js__WEBPACK_IMPORTED_MODULE_5__/* .describeConnection */ .If)(where)}, host ${hosts.indexOf(attempts) + 1} of the ${hosts.length} in the URL${failures.length > 0 ? ` (before it: ${failures.map(f => f.message.split('. ')[0]).join('; ')})` : ''}.`);
                }
                return client;
            }
            await client.end().catch(() => undefined);
            failures.push(new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SettingError */ .L_('databaseUrl', `${(0,_connection_js__WEBPACK_IMPORTED_MODULE_5__/* .describeConnection */ .If)(where)} is not a ${pass} server (target_session_attrs=${wanted}).`));
        }
    }
    if (failures.length === 1)
        throw failures[0];
    throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SettingError */ .L_('databaseUrl', `no host of the URL could be used: ${failures.map(f => f.message).join(' ')}`);
}
/** target_session_attrs as libpq checks it on a new session. */
async function sessionIs(client, kind) {
    const { rows } = await client.query("SELECT current_setting('transaction_read_only') AS read_only, pg_is_in_recovery() AS recovery");
    const readOnly = rows[0].read_only === 'on';
    switch (kind) {
        case 'read-write':
            return !readOnly;
        case 'read-only':
            return readOnly;
        case 'primary':
            return !rows[0].recovery;
        case 'standby':
            return rows[0].recovery;
        default:
            return true;
    }
}
/**
 * statement_timeout, idle_in_transaction_session_timeout and (17+) transaction_timeout set to 0
 * for the session, whatever the role, database or URL's options set (what the server would
 * restore at RESET stays readable in pg_settings.reset_val: readServerInfo). A plain SET first,
 * as pg_dump's first statement: a timeout of a millisecond cuts the catalog read short (attacker
 * a36 A3: options=-c statement_timeout=1 failed the connect, where pg_dump by hand runs); one
 * simple query, one round trip (each statement of it timed on its own). Then the session's
 * search_path is read (withSessionSearchPath) and OWN_SEARCH_PATH set, in the same round trip.
 */
const TIMEOUTS_OFF = `SET statement_timeout = 0;
SELECT pg_catalog.set_config(name, '0', false) FROM pg_catalog.pg_settings
  WHERE name IN ('statement_timeout', 'idle_in_transaction_session_timeout', 'transaction_timeout');
SELECT pg_catalog.current_setting('search_path') AS path;
SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false)`;
/**
 * The search_path of the action's own SQL in each of its sessions, as pg_dump's '' (its
 * ALWAYS_SECURE_SEARCH_PATH_SQL): only the system's objects resolve an unqualified name, so an
 * operator, function or relation a database's user planted in `public` or in a schema of the
 * role's search_path (`public.!~~(name, name)`, an exact match where pg_catalog's needs a cast)
 * never runs as the backup's or the restore's role (attacker a39 F1/F2). Set as each session
 * begins (TIMEOUTS_OFF), after the session's own search_path is read (withSessionSearchPath).
 */
const OWN_SEARCH_PATH = 'pg_catalog, pg_temp';
/** Each session's own search_path (the role's, database's or URL's), read as it began. */
const sessionSearchPaths = new WeakMap();
/**
 * `run` with the session's own search_path (the one psql or pg_restore would have with the same
 * URL and role), for the few reads that resolve a name as the user or a script wrote it without
 * its schema (`tables: orders`, a plain script's `DROP TABLE items`): run should name nothing but
 * pg_catalog-qualified functions, types (casts: `$1::pg_catalog.text`) and operators, since the
 * role's schemas are visible meanwhile, maybe before pg_catalog (ALTER DATABASE … SET
 * search_path = public, pg_catalog: a domain public.text ran as the action's role, attacker a40 1).
 * OWN_SEARCH_PATH again afterwards (an error setting it back is thrown: the session must not go
 * on with the role's schemas visible).
 */
async function withSessionSearchPath(client, run) {
    const own = sessionSearchPaths.get(client);
    if (own === undefined)
        return run();
    await client.query("SELECT pg_catalog.set_config('search_path', $1, false)", [own]);
    try {
        return await run();
    }
    finally {
        await client.query("SELECT pg_catalog.set_config('search_path', $1, false)", [OWN_SEARCH_PATH]);
    }
}
/**
 * TIMEOUTS_OFF on a new session, again (at most {@link TIMEOUTS_OFF_ATTEMPTS} times) when a
 * timeout of a few milliseconds cut it: a new backend's first statement can outlast one while it
 * loads its catalog caches, and the server reports a timeout that fired during the SET that
 * turned it off as "canceling statement due to user request" (57014 either way); the next try
 * runs warm. Any other error, or the last try's, is thrown.
 */
async function timeoutsOff(client) {
    for (let attempt = 1;; attempt++) {
        try {
            const results = (await client.query(TIMEOUTS_OFF));
            const path = results[2]?.rows[0]?.path;
            if (typeof path === 'string')
                sessionSearchPaths.set(client, path);
            return;
        }
        catch (error) {
            if (error.code !== '57014' || attempt >= TIMEOUTS_OFF_ATTEMPTS)
                throw error;
        }
    }
}
const TIMEOUTS_OFF_ATTEMPTS = 5;
/** One host: its attempts in order, the next one only where libpq would retry. */
async function openHost(connection, attempts, policy, connectTimeoutSeconds, options) {
    for (let i = 0;; i++) {
        const attempt = attempts[i];
        try {
            return await openClient(connection, attempt, policy, connectTimeoutSeconds, options);
        }
        catch (error) {
            if (i + 1 < attempts.length && mayRetry(attempt, error))
                continue;
            throw error;
        }
    }
}
function mayRetry(attempt, error) {
    if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SettingError */ .L_)
        return false;
    const code = String(error?.code ?? '');
    if (attempt.fallBackOn === 'server-refused')
        return code === '28000';
    if (attempt.fallBackOn === 'tls-refused-or-failed') {
        return (code === '28000' ||
            isNoSslError(error) ||
            /SSL|TLS|certificate|CERT|self.signed/i.test(`${code} ${error?.message}`));
    }
    return false;
}
async function openClient(connection, attempt, policy, connectTimeoutSeconds, options) {
    const config = (0,_connection_js__WEBPACK_IMPORTED_MODULE_5__/* .pgClientConfig */ .f3)(connection, { connectTimeoutSeconds, attempt });
    // the server's authentication request, seen before pg answers it (listeners run in order)
    let asked;
    let mechanisms = [];
    let refused;
    const refuse = (why) => {
        refused = new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SettingError */ .L_('databaseUrl', `refused ${(0,_connection_js__WEBPACK_IMPORTED_MODULE_5__/* .describeConnection */ .If)({ ...connection, host: attempt.name, port: attempt.port })}: ${why}`);
        return refused;
    };
    const client = new pg__WEBPACK_IMPORTED_MODULE_1__/* ["default"].Client */ .Ay.Client({
        ...config,
        // called by pg for a cleartext, MD5 or SASL request, before anything of the password is sent
        password: async () => {
            const tlsStream = client.connection.stream;
            const plus = mechanisms.includes('SCRAM-SHA-256-PLUS') &&
                tlsStream instanceof node_tls__WEBPACK_IMPORTED_MODULE_0__.TLSSocket &&
                config.enableChannelBinding === true;
            const why = (0,_connection_js__WEBPACK_IMPORTED_MODULE_5__/* .refuseAuthentication */ .DX)(policy, asked ?? 'none', plus);
            if (why)
                throw refuse(why);
            const password = connection.password ?? (0,_connection_js__WEBPACK_IMPORTED_MODULE_5__/* .passwordFromFile */ .GF)(connection, attempt.name, attempt.port);
            if (password === undefined) {
                throw refuse(`the server asks for a password (${asked}) and the URL has none (nor a matching line of the password file). ${connection.keywordValue ? "Add password='…' to the connection string" : 'Put it in the URL: postgresql://user:password@host/dbname'}.`);
            }
            return password;
        }
    });
    const wire = client.connection;
    wire.on('authenticationCleartextPassword', () => (asked = 'password'));
    wire.on('authenticationMD5Password', () => (asked = 'md5'));
    wire.on('authenticationSASL', (message) => {
        mechanisms = message.mechanisms ?? [];
        asked = mechanisms.some(m => m.startsWith('SCRAM-SHA-256')) ? 'scram-sha-256' : 'oauth';
    });
    wire.on('authenticationOk', () => {
        if (asked !== undefined)
            return;
        const why = (0,_connection_js__WEBPACK_IMPORTED_MODULE_5__/* .refuseAuthentication */ .DX)(policy, 'none', false);
        if (why)
            wire.emit('error', refuse(why));
    });
    // a connection dropped later surfaces through the pending query; do not crash the process
    client.on('error', () => undefined);
    // bound the whole attempt: DNS and TLS can stall longer than pg's own timer covers
    let timer;
    const deadline = new Promise((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'CONNECT_TIMEOUT' })), (connectTimeoutSeconds + 2) * 1000);
    });
    try {
        await Promise.race([client.connect(), deadline]);
        if (refused)
            throw refused;
        // the action's own statements (row counts of large tables after a load, the catalog reads,
        // the snapshot's transaction that lasts the dump) are not cut by a role's timeouts, as
        // pg_dump's and pg_restore's are not: each turns them off in its sessions
        await Promise.race([timeoutsOff(client), deadline]);
        // a cancelled run stops its SQL as it stops its programs: the connection is cut, the
        // statement at hand fails at once (and the run with it), the server rolls back its
        // transaction and ends the session once it notices (a lock wait at its next slice)
        if (options.endingSessions)
            return client;
        const off = (0,_process_js__WEBPACK_IMPORTED_MODULE_4__/* .onCancel */ .Ao)(signal => {
            const stream = client.connection.stream;
            stream.destroy(new Error(`the run was cancelled (${signal})`));
        });
        // its server side may outlive the cut (a statement runs on until it next reads from the
        // client): ended from a session of its own after a cancel (endOwnSessions)
        const untrack = trackBackend({ ...connection, host: attempt.name, port: attempt.port }, connectTimeoutSeconds, client.processID, String(config.application_name ?? ''));
        client.once('end', () => {
            off();
            if (!(0,_process_js__WEBPACK_IMPORTED_MODULE_4__/* .cancelledBy */ .tK)())
                untrack();
        });
        return client;
    }
    catch (error) {
        void client.end().catch(() => undefined);
        throw refused ?? error;
    }
    finally {
        clearTimeout(timer);
    }
}
const ownSessions = new Map();
function ownSessionsOf(connection, connectTimeoutSeconds) {
    const key = JSON.stringify([
        connection.host,
        connection.port,
        connection.database,
        connection.user ?? ''
    ]);
    let own = ownSessions.get(key);
    if (!own) {
        own = {
            connection,
            connectTimeoutSeconds,
            pids: new Map(),
            applicationNames: new Map(),
            afterEnd: new Set()
        };
        ownSessions.set(key, own);
    }
    return own;
}
/**
 * How many sessions of the run's own (the engine's, by backend PID: not the programs') are open
 * now — to `server` (host and port) only, when given: said when a client finds no connection
 * left (a pool of one or two server connections), with the limit the run needs.
 */
function ownSessionCount(server) {
    let n = 0;
    for (const own of ownSessions.values()) {
        if (server && (own.connection.host !== server.host || own.connection.port !== server.port))
            continue;
        n += own.pids.size;
    }
    return n;
}
function trackBackend(connection, connectTimeoutSeconds, pid, applicationName) {
    if (!pid)
        return () => undefined;
    const own = ownSessionsOf(connection, connectTimeoutSeconds);
    own.pids.set(pid, applicationName);
    return () => own.pids.delete(pid);
}
/**
 * The sessions of the programs the run starts on `connection` with this application_name (one
 * of the run's own: the restore's loader), to end after a cancel; the returned function stops
 * tracking them (the programs are done).
 */
function trackApplicationName(connection, connectTimeoutSeconds, applicationName) {
    const own = ownSessionsOf(connection, connectTimeoutSeconds);
    own.applicationNames.set(applicationName, (own.applicationNames.get(applicationName) ?? 0) + 1);
    return () => {
        const n = (own.applicationNames.get(applicationName) ?? 1) - 1;
        if (n > 0)
            own.applicationNames.set(applicationName, n);
        else
            own.applicationNames.delete(applicationName);
    };
}
/**
 * After a cancel, once the run's own sessions on that database ended (their transactions rolled
 * back): `hook` runs on the new session endOwnSessions opened, and what it returns is said with
 * the cancel (a restore sets forward the target's sequences its load moved back). Returns the
 * function that takes it back (the load ended without a cancel).
 */
function afterOwnSessionsEnd(connection, connectTimeoutSeconds, hook) {
    const own = ownSessionsOf(connection, connectTimeoutSeconds);
    own.afterEnd.add(hook);
    return () => {
        own.afterEnd.delete(hook);
    };
}
/**
 * After a cancel (the programs stopped, the engine's connections cut): a killed client's server
 * session runs on until its statement next reads from the client (a COPY's rows, an index build,
 * a lock wait) and only then rolls back. From a new session on each database, the run's own —
 * the engine's by backend PID (and application_name), the programs' by their application_name
 * — are terminated (pg_terminate_backend: a role may end its own sessions), and their end is
 * waited for, at most `waitMs`. With `programsOnly`, only the programs' sessions (a loader that
 * died while its server session ran on: the engine's own sessions are still in use).
 */
/**
 * Sessions endOwnSessions ended ("host:port:pid") not yet reported by a whole (not programsOnly)
 * call: a loader's failure after a cancel may end its session a moment before the cancel's own
 * call looks (which then finds none), and the cancel's message says what the run ended.
 */
const endedUnreported = new Set();
/**
 * The programsOnly calls still running: a whole call waits for them (within its own time) before
 * it counts, so a session one of them is still waiting to see gone is counted too (a loader's
 * failure ended it, and the cancel's call looked a moment after it was gone: CI run of 54df865).
 */
const programsEnding = new Set();
async function endOwnSessions(waitMs = 5000, options = {}) {
    const running = endOwnSessionsNow(waitMs, options);
    if (options.programsOnly) {
        programsEnding.add(running);
        void running.then(() => programsEnding.delete(running), () => programsEnding.delete(running));
    }
    return running;
}
async function endOwnSessionsNow(waitMs, { programsOnly = false }) {
    const result = { notes: [], ended: 0, left: [], unreachable: 0 };
    const deadline = Date.now() + waitMs;
    const groups = [...ownSessions.values()].filter(g => g.pids.size > 0 || g.applicationNames.size > 0 || g.afterEnd.size > 0);
    await Promise.all(groups.map(async (own) => {
        let client;
        try {
            client = await connect(own.connection, Math.max(1, Math.min(own.connectTimeoutSeconds, Math.ceil(waitMs / 1000))), { endingSessions: true });
        }
        catch {
            result.unreachable++;
            return;
        }
        try {
            const sessions = async () => (await client.query(`SELECT a.pid, a.application_name = ANY($2::text[]) AS program,
                      a.backend_xid::text AS xid, a.state,
                      pg_catalog.txid_snapshot_xmax(pg_catalog.txid_current_snapshot())::text AS xmax
                 FROM pg_catalog.pg_stat_activity a
                WHERE a.datname = pg_catalog.current_database()
                  AND a.pid <> pg_catalog.pg_backend_pid()
                  AND (a.application_name = ANY($2::text[])
                       OR (a.pid::text || ':' || a.application_name) = ANY($1::text[]))`, [
                programsOnly ? [] : [...own.pids].map(([pid, name]) => `${pid}:${name}`),
                [...own.applicationNames.keys()]
            ])).rows;
            const find = async () => (await sessions()).map(r => r.pid);
            const first = await sessions();
            let pids = first.map(r => r.pid);
            const found = pids.length;
            for (const pid of pids) {
                await client
                    .query('SELECT pg_catalog.pg_terminate_backend($1)', [pid])
                    .catch(() => undefined);
            }
            while (pids.length > 0 && Date.now() < deadline) {
                await new Promise(resolve => setTimeout(resolve, 50));
                pids = await find();
            }
            for (const pid of first.map(r => r.pid))
                if (!pids.includes(pid))
                    endedUnreported.add(`${own.connection.host}:${own.connection.port}:${pid}`);
            result.ended += found - pids.length;
            result.left.push(...pids);
            // the programs' transactions (psql's, pg_restore's) as the server ended them: a COMMIT
            // written to psql's pipe while it still ran an earlier statement never ran (attacker a30
            // A2: the cancel said the restore may have committed)
            const outcome = pids.length === 0 ? await programsOutcome(client, first) : undefined;
            if (outcome === 'rolled-back')
                (0,_commit_js__WEBPACK_IMPORTED_MODULE_9__/* .markRolledBack */ .du)();
            if (outcome === 'committed')
                (0,_commit_js__WEBPACK_IMPORTED_MODULE_9__/* .markCommitted */ .sk)();
            // what the ended sessions left that a rollback does not undo (sequences): once they are gone
            if (pids.length === 0 && !programsOnly)
                for (const hook of own.afterEnd) {
                    const note = await hook(client).catch(() => undefined);
                    if (note)
                        result.notes.push(note);
                }
        }
        catch {
            result.unreachable++;
        }
        finally {
            await client.end().catch(() => undefined);
        }
    }));
    if (!programsOnly) {
        const left = deadline - Date.now();
        if (programsEnding.size > 0 && left > 0)
            await Promise.race([
                Promise.allSettled([...programsEnding]),
                new Promise(resolve => setTimeout(resolve, left).unref())
            ]);
        result.ended = Math.max(result.ended, endedUnreported.size);
        endedUnreported.clear();
    }
    return result;
}
/**
 * What the program sessions found (before they were ended) came to: 'rolled-back' when none had
 * written (no transaction ID: nothing to commit) or txid_status says 'aborted' of each;
 * 'committed' when it says so of one (the loader's one transaction); undefined when none was
 * found, or a status cannot be read or is still 'in progress'.
 */
async function programsOutcome(client, found) {
    const programs = found.filter(f => f.program);
    if (programs.length === 0)
        return undefined;
    // a session outside a transaction: the loader's one transaction had ended — committed, or
    // ended otherwise; no transaction ID is left to ask about (attacker a37 F2 reading)
    if (programs.some(f => f.state === 'idle'))
        return undefined;
    const xids = programs.flatMap(f => {
        if (f.xid === null)
            return [];
        // the full ID: the snapshot's epoch with the 32-bit xid, one epoch back if that is ahead
        const xmax = BigInt(f.xmax);
        let full = ((xmax >> 32n) << 32n) + BigInt(f.xid);
        if (full > xmax)
            full -= 1n << 32n;
        return [full.toString()];
    });
    if (xids.length === 0)
        return 'rolled-back';
    try {
        const { rows } = await client.query('SELECT pg_catalog.txid_status(x::bigint) AS status FROM pg_catalog.unnest($1::text[]) AS x', [xids]);
        if (rows.some(r => r.status === 'committed'))
            return 'committed';
        return rows.every(r => r.status === 'aborted') ? 'rolled-back' : undefined;
    }
    catch {
        return undefined;
    }
}
function isNoSslError(error) {
    return /does not support SSL/i.test(String(error?.message));
}
/**
 * A connection attempt that got no answer in time. Through a pooler (PgBouncer's port 6432,
 * Supabase's *.pooler.supabase.com, Neon's -pooler hosts), or while a session of the run's own to
 * the same server is open, the host may well have answered: a session-mode pool holds a new
 * login in its queue until one of its server connections is free (a pool of one or two held by
 * the action's own sessions: trial u26 F1), so the firewall is not the only suspect.
 */
function noAnswer(connection, connectTimeoutSeconds) {
    const host = connection.host.toLowerCase();
    const own = ownSessionCount({ host: connection.host, port: connection.port });
    const pooler = connection.port === 6432 ||
        /(^|\.)pooler\.supabase\.com$/.test(host) ||
        (/-pooler\./.test(host) && /neon\.tech$/.test(host));
    const base = `no answer from ${connection.host}:${connection.port} within ${connectTimeoutSeconds} s.`;
    const firewall = "the host and port, and that the server's firewall or IP allow-list admits GitHub's runners.";
    if (!pooler && own === 0)
        return `${base} Check ${firewall}`;
    const need = _diagnostics_js__WEBPACK_IMPORTED_MODULE_6__/* .RUN_NEEDS */ .gF;
    const held = own > 0
        ? ` The action had ${own} session${own === 1 ? '' : 's'} of its own open to it then, which may hold all of a small pool's server connections: ${need}. Give the pool that many for this role and database (default_pool_size, max_db_connections; a provider's pool size), or use the direct URL (the database's own host and port)`
        : ` ${need[0].toUpperCase()}${need.slice(1)}: give the pool that many for this role and database (default_pool_size, max_db_connections; a provider's pool size), close other clients of it, or use the direct URL (the database's own host and port)`;
    return `${base} ${pooler ? 'This looks like a connection pooler, which' : 'If the host is a connection pooler, it'} may be holding the login in its pool's queue until one of its server connections is free (a session-mode pool of few connections), rather than not answering.${held}. Otherwise check ${firewall}`;
}
/** The action's own sessions open to the server a session of its own failed to reach. */
function ownAtConnect(connection) {
    return {
        sessions: ownSessionCount({ host: connection.host, port: connection.port }),
        need: _diagnostics_js__WEBPACK_IMPORTED_MODULE_6__/* .RUN_NEEDS */ .gF
    };
}
/** Turns a driver error into one sentence: what went wrong connecting and what to do. */
function explainConnectError(error, connection, connectTimeoutSeconds) {
    const err = error;
    const where = (0,_connection_js__WEBPACK_IMPORTED_MODULE_5__/* .describeConnection */ .If)(connection);
    const message = String(err?.message ?? error);
    let detail;
    switch (err?.code) {
        case '28P01':
            detail = `password authentication failed for user '${connection.user ?? ''}'. ${connection.fromEnvironment?.includes('PGPASSWORD')
                ? 'The password came from PGPASSWORD: check it and the user name.'
                : connection.keywordValue
                    ? "Check the user name and password in the secret (in the keyword/value form, quote a password with spaces or quotes: password='it''s' is wrong, password='it\\'s' is right; double quotes are part of the value)."
                    : 'Check the user name and password in the secret (percent-encode special characters: @ → %40, : → %3A, / → %2F).'}`;
            break;
        case '28000':
            detail = `the server refused the connection: ${message}. Check the user, the database, and that the server allows connections from GitHub's runners (sslmode, pg_hba, IP allow-list).`;
            break;
        case '53300':
            detail = `${message}.${(0,_diagnostics_js__WEBPACK_IMPORTED_MODULE_6__/* .connectionSlotsAdvice */ .GV)(message, ownAtConnect(connection))}`;
            break;
        case '3D000':
            detail = `the database '${connection.database}' does not exist on the server. Check the database name at the end of the URL.`;
            break;
        case 'ENOTFOUND':
        case 'EAI_AGAIN':
            detail = `the host '${connection.host}' could not be resolved (DNS). Check the host name.`;
            break;
        case 'ECONNREFUSED':
            detail = `nothing accepts connections at ${connection.host}:${connection.port}. Check the host and port, and that the server is running.`;
            break;
        case 'ENETUNREACH':
        case 'EHOSTUNREACH':
            detail = `the network cannot reach ${connection.host} (${err.code}). GitHub-hosted runners have no IPv6: if the host resolves only to IPv6 (e.g. a Supabase direct host), use the provider's IPv4 session pooler URL.`;
            break;
        case 'CONNECT_TIMEOUT':
        case 'ETIMEDOUT':
            detail = noAnswer(connection, connectTimeoutSeconds);
            break;
        case '57014':
            // a statement cut short by a timeout the URL's options, the role or the database set
            // (attacker a36 A3: read as "no answer from the host")
            detail = `the server cancelled a statement: ${message}. A statement_timeout (or lock_timeout) set by the URL's options, the role or the database cut the connection's first statements short: raise it or leave it out of the URL (pg_dump by hand fails on it the same way).`;
            break;
        default:
            // a driver's timeout, not a server's error that speaks of one (a SQLSTATE code)
            if (/timeout/i.test(message) && !/^[0-9A-Z]{5}$/.test(err?.code ?? '')) {
                detail = noAnswer(connection, connectTimeoutSeconds);
            }
            else if ((0,_diagnostics_js__WEBPACK_IMPORTED_MODULE_6__/* .connectionLimit */ .Kw)(message)) {
                // a pooler's refusal (PgBouncer's query_wait_timeout, max_client_conn): no SQLSTATE 53300
                detail = `${message}.${(0,_diagnostics_js__WEBPACK_IMPORTED_MODULE_6__/* .connectionSlotsAdvice */ .GV)(message, ownAtConnect(connection))}`;
            }
            else if (err.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
                // Node lists only the names of the kind checked (an IP address: the certificate's IP
                // entries); psql: 'server certificate for "db.example.com" does not match host name'
                detail = `TLS failed: the server's certificate is for ${certificateNames(err) ?? 'other names'}, not '${connection.host}', the host name sslmode=verify-full checks it against. Put the certificate's name in the URL as the host (with hostaddr=<its IP address> if that name does not resolve from the runner), or use sslmode=verify-ca, which checks the certificate's chain only.`;
            }
            else if (/SSL|TLS|certificate/i.test(message)) {
                const fromEnv = (connection.fromEnvironment ?? []).filter(v => /^PGSSL/.test(v));
                detail = `TLS failed: ${message}. Check sslmode and sslrootcert ${fromEnv.length > 0 ? `(taken from ${fromEnv.join(', ')} in the environment)` : 'in the URL'}.`;
            }
            else {
                detail = message;
            }
    }
    // the command line words it for this machine, not GitHub's runners (inputs.ts: renderForDoor)
    return new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SettingError */ .L_('databaseUrl', `could not connect to ${where}: ${detail}`);
}
/**
 * The names a server certificate is for, from a TLS error that carries it (Node's
 * checkServerIdentity: `cert`): its subjectAltName entries ("DNS:db.example.com", "IP
 * Address:10.0.0.5"), else its subject's CN, quoted; undefined when there is none.
 */
function certificateNames(error) {
    const cert = error.cert;
    if (!cert)
        return undefined;
    const alt = typeof cert.subjectaltname === 'string'
        ? cert.subjectaltname
            .split(',')
            .map(entry => entry.trim().replace(/^(DNS|IP Address):/, ''))
            .filter(name => name !== '')
        : [];
    const cn = cert.subject?.CN;
    const names = alt.length > 0 ? alt : typeof cn === 'string' ? [cn] : [];
    return names.length > 0 ? names.map(name => `'${name}'`).join(', ') : undefined;
}
async function readServerInfo(client) {
    const settings = await client.query(`SELECT current_setting('server_version') AS version,
            current_setting('server_version_num') AS version_num,
            current_database() AS database,
            pg_database_size(current_database())::text AS size,
            pg_is_in_recovery() AS in_recovery,
            -- the role's, database's or URL's values: the session's own are 0 (TIMEOUTS_OFF)
            (SELECT CASE reset_val WHEN '0' THEN '0' ELSE reset_val || coalesce(unit, '') END
               FROM pg_catalog.pg_settings WHERE name = 'statement_timeout') AS statement_timeout,
            (SELECT CASE reset_val WHEN '0' THEN '0' ELSE reset_val || coalesce(unit, '') END
               FROM pg_catalog.pg_settings
              WHERE name = 'idle_in_transaction_session_timeout') AS idle_timeout`);
    const row = settings.rows[0];
    const tables = await client.query(
    // sizes from the catalog's page counts, not pg_table_size(): that opens each table and
    // waits behind any session holding an ACCESS EXCLUSIVE lock on it — with no bound, where
    // pg_dump would give up after its --lock-wait-timeout. Catalog reads take no table lock.
    `SELECT n.nspname AS schema, c.relname AS name, c.reltuples::bigint::text AS estimate,
            ((c.relpages::bigint + coalesce(t.relpages, 0))
              * current_setting('block_size')::bigint)::text AS size,
            c.oid::text AS oid
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
      WHERE c.relkind = 'r'
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
      ORDER BY 1, 2`);
    const versionNum = Number(row.version_num);
    return {
        version: row.version,
        versionNum,
        major: Math.floor(versionNum / 10000),
        database: row.database,
        sizeBytes: Number(row.size),
        inRecovery: row.in_recovery,
        timeouts: { statement: row.statement_timeout, idleInTransaction: row.idle_timeout },
        tables: tables.rows.map(t => ({
            schema: t.schema,
            name: t.name,
            oid: Number(t.oid),
            estimatedRows: Number(t.estimate) >= 0 ? Number(t.estimate) : undefined,
            sizeBytes: Number(t.size)
        }))
    };
}
/**
 * A read-only repeatable-read transaction whose snapshot is exported for `pg_dump --snapshot`.
 * Counting rows inside it gives exactly what the dump holds. Kept open until the dump ends.
 */
class SnapshotSession {
    client;
    snapshotId;
    abandoned = false;
    running = Promise.resolve();
    constructor(client, snapshotId) {
        this.client = client;
        this.snapshotId = snapshotId;
    }
    /** Opens the transaction; the snapshot id is undefined when the server cannot export one. */
    static async open(client) {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        // the transaction idles while pg_dump runs: server timeouts must not end it (lock waits
        // are bounded statement by statement: countRows)
        await client.query("SELECT set_config('statement_timeout', '0', true), set_config('idle_in_transaction_session_timeout', '0', true)");
        try {
            // (not inside a savepoint: snapshots cannot be exported from a subtransaction)
            const result = await client.query('SELECT pg_export_snapshot() AS id');
            return new SnapshotSession(client, result.rows[0].id);
        }
        catch {
            await client.query('ROLLBACK');
            await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
            await client.query("SELECT set_config('statement_timeout', '0', true), set_config('idle_in_transaction_session_timeout', '0', true)");
            return new SnapshotSession(client, undefined);
        }
    }
    /** Runs `fn` on the session once what runs on it has finished (one statement at a time). */
    exclusive(fn) {
        const next = this.running.then(fn, fn);
        this.running = next.catch(() => undefined);
        return next;
    }
    /**
     * Counts the rows of each table in the snapshot. Never fails for one table: a table the role
     * cannot read, or whose lock is not granted within `bound` (the holder logged while it waits),
     * gets rows null and the reason. Each count runs in a savepoint, so one failure leaves the
     * transaction usable; extension configuration tables are counted with the condition pg_dump
     * dumps them with (pg_extension.extcondition).
     */
    countRows(tables, bound = { ms: 0, source: 'no lock timeout' }) {
        return this.exclusive(async () => {
            const conditions = await extensionConditions(this.client);
            const partitioned = await partitionedAmong(this.client, tables);
            const counts = [];
            for (const table of tables) {
                if (this.abandoned)
                    break;
                counts.push(await this.countTable(table, bound, conditions, partitioned.has(JSON.stringify([table.schema, table.name]))));
            }
            return counts;
        });
    }
    async countTable(table, bound, conditions, 
    /** A partitioned table (a plain dump's COPY into the root): its partitions' rows are its own. */
    wholeTree = false) {
        const qualified = `${this.client.escapeIdentifier(table.schema)}.${this.client.escapeIdentifier(table.name)}`;
        const condition = conditions.get(JSON.stringify([table.schema, table.name])) ?? '';
        const started = Date.now();
        let lastLogged = 0;
        // waits in slices, so that the wait is logged with who holds the lock, and can be given up
        const SLICE_MS = 2000;
        for (;;) {
            const left = bound.ms === 0 ? SLICE_MS : bound.ms - (Date.now() - started);
            await this.client.query('SAVEPOINT pg_backup_count');
            try {
                await this.client.query("SELECT set_config('lock_timeout', $1, true)", [
                    lockTimeoutSetting(Math.min(SLICE_MS, Math.max(1, left)))
                ]);
                // its size too, under the lock the count holds (pg_table_size alone would wait for it)
                const result = await this.client.query(`SELECT count(*)::text AS n, pg_catalog.pg_table_size($1::regclass)::text AS size
             FROM ${wholeTree ? '' : 'ONLY '}${qualified} ${condition}`, [qualified]);
                await this.client.query('RELEASE SAVEPOINT pg_backup_count');
                const size = result.rows[0].size;
                return {
                    schema: table.schema,
                    name: table.name,
                    rows: Number(result.rows[0].n),
                    ...(size !== null ? { sizeBytes: Number(size) } : {})
                };
            }
            catch (error) {
                await this.client.query('ROLLBACK TO SAVEPOINT pg_backup_count');
                await this.client.query('RELEASE SAVEPOINT pg_backup_count');
                const err = error;
                const name = `${table.schema}.${table.name}`;
                if (err.code !== '55P03') {
                    const why = err.code === '42501'
                        ? `the role cannot read it (${err.message}); pg_dump dumped its rows with other rights or the grant changed`
                        : String(err.message ?? error);
                    _log_js__WEBPACK_IMPORTED_MODULE_3__/* .log */ .Rm.warning(`The rows of ${name} could not be counted: ${why}. The backup goes on.`);
                    return { ...table, rows: null, uncounted: why };
                }
                const waited = Date.now() - started;
                const blockers = await tableBlockers(this.client, table);
                const who = blockers.length > 0
                    ? blockers.map(_locks_js__WEBPACK_IMPORTED_MODULE_8__/* .describeBlocker */ .Gj).join('; ')
                    : 'a session that has let go since';
                if (this.abandoned || (bound.ms > 0 && waited >= bound.ms)) {
                    const why = `its lock was not granted within ${(0,_locks_js__WEBPACK_IMPORTED_MODULE_8__/* .formatWait */ .Du)(waited)} (${bound.source}); ${who}`;
                    _log_js__WEBPACK_IMPORTED_MODULE_3__/* .log */ .Rm.warning(`The rows of ${name} were not counted: ${why}. The backup goes on.`);
                    return { ...table, rows: null, uncounted: why };
                }
                if (lastLogged === 0 || Date.now() - lastLogged >= 30_000) {
                    lastLogged = Date.now();
                    _log_js__WEBPACK_IMPORTED_MODULE_3__/* .log */ .Rm.info(`Counting ${name} waits for a lock (${(0,_locks_js__WEBPACK_IMPORTED_MODULE_8__/* .formatWait */ .Du)(waited)} so far, ${bound.ms === 0 ? 'no limit' : `gives up after ${(0,_locks_js__WEBPACK_IMPORTED_MODULE_8__/* .formatWait */ .Du)(bound.ms)}`}): ${who}.`);
                }
            }
        }
    }
    /** Object counts in the snapshot (what the dump holds when no filter is set). */
    async countObjects() {
        return this.exclusive(() => countObjects(this.client));
    }
    /** What pg_dump waits for (dumpLockWaits), asked between the session's other statements. */
    dumpLockWaits() {
        return this.exclusive(() => dumpLockWaits(this.client));
    }
    /** Who holds the lock on a table (tableBlockers), asked between the session's statements. */
    tableBlockers(table) {
        return this.exclusive(() => tableBlockers(this.client, table));
    }
    /**
     * The backup failed: counting stops after the table at hand, and close() does not wait for
     * it (the read-only transaction ends with the connection).
     */
    abandon() {
        this.abandoned = true;
    }
    async close() {
        if (this.abandoned)
            return;
        await this.exclusive(() => this.client.query('COMMIT')).catch(() => undefined);
    }
}
/**
 * The WHERE conditions pg_dump dumps extension configuration tables with
 * (pg_extension_config_dump; pg_extension.extcondition), by table.
 */
async function extensionConditions(client) {
    const result = await client.query(`SELECT n.nspname AS schema, c.relname AS name, x.condition
       FROM pg_catalog.pg_extension e
      CROSS JOIN LATERAL unnest(e.extconfig, e.extcondition) AS x(oid, condition)
       JOIN pg_catalog.pg_class c ON c.oid = x.oid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE e.extconfig IS NOT NULL AND coalesce(x.condition, '') <> ''`);
    return new Map(result.rows.map(r => [JSON.stringify([r.schema, r.name]), r.condition]));
}
/**
 * The row counts the manifest records for the tables whose data a dump holds: exact counts in
 * the dump's snapshot (`counting`, when they were taken while pg_dump ran), the planner's
 * estimates, or none; sorted by schema and name.
 */
async function dumpRowCounts(method, session, counting, dataTables, server, bound) {
    const key = (t) => JSON.stringify([t.schema, t.name]);
    const wanted = new Set(dataTables.map(key));
    const known = new Map(server.tables.map(t => [key(t), t]));
    // the catalog's size, when it knows one: a table never vacuumed nor analyzed has 0 pages
    // there whatever it holds (reltuples -1), and is given no size rather than 0
    const catalogSize = (t) => {
        const info = known.get(key(t));
        return info && (info.estimatedRows !== undefined || info.sizeBytes > 0)
            ? { sizeBytes: info.sizeBytes }
            : {};
    };
    let tables;
    if (method === 'none') {
        tables = dataTables.map(t => ({
            schema: t.schema,
            name: t.name,
            ...catalogSize(t),
            rows: null
        }));
    }
    else if (method === 'estimate') {
        tables = dataTables.map(t => ({
            schema: t.schema,
            name: t.name,
            ...catalogSize(t),
            rows: known.get(key(t))?.estimatedRows ?? null
        }));
    }
    else {
        const all = counting ? await counting : await session.countRows(dataTables, bound);
        tables = all
            .filter(t => wanted.has(key(t)))
            .map(t => t.uncounted
            ? {
                schema: t.schema,
                name: t.name,
                ...catalogSize(t),
                rows: null,
                uncounted: t.uncounted
            }
            : {
                schema: t.schema,
                name: t.name,
                ...(t.sizeBytes !== undefined ? { sizeBytes: t.sizeBytes } : catalogSize(t)),
                rows: t.rows
            });
    }
    tables.sort((a, b) => a.schema.localeCompare(b.schema) || a.name.localeCompare(b.name));
    const counted = tables.every(t => t.rows !== null);
    const totalRows = counted ? tables.reduce((sum, t) => sum + (t.rows ?? 0), 0) : null;
    return {
        method,
        sameSnapshot: method === 'exact' && session.snapshotId !== undefined,
        tables,
        totalRows
    };
}
/**
 * The tables whose rows row-level security filters for the connected role (as PostgreSQL's
 * check_enable_rls decides with row_security on): RLS enabled, and the role neither a superuser
 * nor BYPASSRLS, nor the owner (a member with its privileges) of a table without FORCE.
 */
async function rowSecurityTables(client) {
    const { rows } = await client.query(`SELECT current_user AS role, t.schema, t.name
       FROM (SELECT 1) AS one
       LEFT JOIN (
         SELECT n.nspname AS schema, c.relname AS name
           FROM pg_catalog.pg_class c
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p') AND c.relrowsecurity
            AND (c.relforcerowsecurity OR NOT pg_catalog.pg_has_role(c.relowner, 'USAGE'))
            AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                             WHERE r.rolname = current_user AND (r.rolsuper OR r.rolbypassrls))
       ) AS t ON true
      ORDER BY t.schema, t.name`);
    return {
        role: rows[0].role,
        tables: rows.filter(r => r.schema !== null).map(r => ({ schema: r.schema, name: r.name }))
    };
}
/** Counts user objects (not those of extensions), in `schemas` or in every user schema. */
async function countObjects(client, schemas) {
    const userSchema = `n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
        AND ($1::text[] IS NULL OR n.nspname = ANY($1::text[]))`;
    const notExtension = (catalog, alias) => `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${alias}.oid AND d.deptype = 'e')`;
    const relations = await client.query(`SELECT count(*) FILTER (WHERE c.relkind IN ('r', 'p'))::text AS tables,
            count(*) FILTER (WHERE c.relkind = 'v')::text AS views,
            count(*) FILTER (WHERE c.relkind = 'm')::text AS materialized_views,
            count(*) FILTER (WHERE c.relkind = 'S')::text AS sequences,
            count(*) FILTER (WHERE c.relkind IN ('i', 'I'))::text AS indexes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${userSchema} AND ${notExtension('pg_class', 'c')}`, [schemas ?? null]);
    const functions = await client.query(`SELECT count(*)::text AS n FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE ${userSchema} AND ${notExtension('pg_proc', 'p')}`, [schemas ?? null]);
    const r = relations.rows[0];
    return {
        tables: Number(r.tables),
        views: Number(r.views),
        materializedViews: Number(r.materialized_views),
        sequences: Number(r.sequences),
        indexes: Number(r.indexes),
        functions: Number(functions.rows[0].n)
    };
}
/**
 * The exclude patterns (exclude-tables, exclude-table-data, exclude-schemas) that match nothing
 * in the database, matched as pg_dump matches them (patternRegexes; tables: the relation kinds
 * pg_dump's --exclude-table considers, unqualified names by search_path visibility). pg_dump
 * accepts such patterns silently (--strict-names covers include patterns only); the caller
 * warns. Reads only the catalog: takes no lock.
 */
async function unmatchedExcludes(client, filters) {
    const unmatched = [];
    for (const option of ['excludeTables', 'excludeTableData']) {
        for (const pattern of filters[option]) {
            const { schema, name } = (0,_dump_js__WEBPACK_IMPORTED_MODULE_7__/* .patternRegexes */ .yO)(pattern);
            // visible as pg_dump sees it (the session's own search_path), every operator and type
            // qualified (a database's owner may put public before pg_catalog in it: attacker a40 1)
            const result = await withSessionSearchPath(client, () => client.query(`SELECT 1 FROM pg_catalog.pg_class c
           JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
          WHERE c.relkind OPERATOR(pg_catalog.=) ANY (array['r','S','v','m','f','p']::pg_catalog."char"[])
            AND ($1::pg_catalog.text IS NULL OR c.relname OPERATOR(pg_catalog.~) $1::pg_catalog.text COLLATE pg_catalog.default)
            AND CASE WHEN $2::pg_catalog.text IS NULL THEN pg_catalog.pg_table_is_visible(c.oid)
                     ELSE n.nspname OPERATOR(pg_catalog.~) $2::pg_catalog.text COLLATE pg_catalog.default END
          LIMIT 1`, [name ?? null, schema ?? null]));
            if (result.rowCount === 0)
                unmatched.push({ option, pattern });
        }
    }
    for (const pattern of filters.excludeSchemas) {
        // a schema pattern has one part (pg_dump refuses more); its regex is the "name" part
        const { name } = (0,_dump_js__WEBPACK_IMPORTED_MODULE_7__/* .patternRegexes */ .yO)(pattern);
        const result = await client.query(`SELECT 1 FROM pg_catalog.pg_namespace n
        WHERE $1::text IS NULL OR n.nspname OPERATOR(pg_catalog.~) $1::text COLLATE pg_catalog.default
        LIMIT 1`, [name ?? null]);
        if (result.rowCount === 0)
            unmatched.push({ option: 'excludeSchemas', pattern });
    }
    return unmatched;
}
/**
 * The partitioned tables among `tables` (JSON [schema, name] keys): a plain dump made with
 * --load-via-partition-root writes its rows with a COPY into the root, so the count the manifest
 * records for it is of the whole tree (attacker a35 A3: FROM ONLY the root counted 0).
 */
async function partitionedAmong(client, tables) {
    if (tables.length === 0)
        return new Set();
    const { rows } = await client.query(`SELECT n.nspname AS schema, c.relname AS name
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN unnest($1::text[], $2::text[]) AS w(schema, name)
         ON w.schema = n.nspname AND w.name = c.relname
      WHERE c.relkind = 'p'`, [tables.map(t => t.schema), tables.map(t => t.name)]);
    return new Set(rows.map(r => JSON.stringify([r.schema, r.name])));
}


/***/ }),

/***/ 68273:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Mj: () => (/* binding */ redactSql),
/* harmony export */   Xd: () => (/* binding */ quoteSql),
/* harmony export */   iY: () => (/* binding */ blockCommentEnd)
/* harmony export */ });
/**
 * The one way a statement or line of a backup is quoted into a message, a log line, the job
 * summary or an output: its secrets replaced by "…" first. A script can hold a role's password
 * (CREATE ROLE … PASSWORD '…', pg_dumpall's SCRAM verifiers), a foreign server's or user
 * mapping's options (OPTIONS (password '…')), a connection string (CREATE SUBSCRIPTION …
 * CONNECTION '…', dblink_connect('… password=…')) or a setting named like a key; psql by hand
 * prints none of it (it does not echo statements without -e/-a). Everything quoted passes here.
 */
/** Names whose value is a secret: options, settings, parameters (password, sslpassword, api_key…). */
const SECRET_NAME = /pass(?:word|wd|phrase|file)?|pwd|secret|token|credential|keys?$|api_?key|private_?key|access_?key|sslkey/i;
/** Literal contents that are or hold a secret wherever they stand. */
const SECRET_CONTENT = /password|passwd|secret|token|\bpwd\s*=|SCRAM-SHA-256\$|^md5[0-9a-f]{32}$|[a-z][\w+.-]*:\/\/[^\s/@:'"]*:[^\s@]*@|\bbearer\s|authorization:|\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}|sk_(?:live|test)_\w+|AKIA[0-9A-Z]{16}|xox[abprs]-[\w-]+)/i;
/** A literal that is a setting's or option's name: a secret word in it makes the next literal secret. */
const NAME_LITERAL = /^[A-Za-z_][\w.$-]*$/;
/** Types a PL/pgSQL variable is declared with before its := (api_key text := '…'). */
const DECLARED_TYPE = /^(?:text|varchar|character|char|varying|bytea|json|jsonb|name|citext)$/i;
/**
 * A literal that is a schema-qualified name (pg_dump's setval('auth.refresh_tokens_id_seq', …),
 * nextval('…'::regclass)): a secret word inside it is part of a name, not a secret.
 */
const QUALIFIED_NAME = /^(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\.(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*))+'$/;
/** key=value of a connection string, a URI's user:password@, outside literals (a \connect's argument). */
const BARE_SECRETS = [
    [
        /\b((?:ssl)?pass(?:word|wd|phrase)?\s*=\s*)(?:'(?:[^'\\]|\\.|'')*'?|"(?:[^"]|"")*"?|[^\s'",)]+)/gi,
        '$1…'
    ],
    [/(\b[a-z][\w+.-]*:\/\/[^\s/@:'"]*:)[^\s@'"]*@/gi, '$1…@']
];
/**
 * `text` with the value of every secret-bearing literal replaced by "…": a literal after the word
 * PASSWORD (also ENCRYPTED PASSWORD) or after a name like password/secret/token/…key (an
 * OPTIONS (… '…') item, `SET x.api_key = '…'`, `SET encryption_key = '…'`), and any literal
 * holding such a word, a SCRAM or md5 verifier or a URI with a password (connection strings, a DO
 * block's EXECUTE '…'). Plain '…', E'…', U&'…' and $tag$…$tag$ literals; one cut short (a
 * truncated statement, a line) runs to the end; comments nest as the server reads them. A plain
 * '…' is read both ways standard_conforming_strings can make the server read it (a backslash
 * escaping the quote or not: a script may have turned it off), and what either reading finds
 * secret is cut. Outside literals: password=… and user:password@ are cut too.
 */
function redactSql(text) {
    const ranges = mergedRanges([
        ...secretRanges(text, true),
        ...(/\\'/.test(text) ? secretRanges(text, false) : [])
    ]);
    let out = '';
    let at = 0;
    const open = (segment) => {
        for (const [re, to] of BARE_SECRETS)
            segment = segment.replace(re, to);
        return segment;
    };
    for (const [from, to] of ranges) {
        out += `${open(text.slice(at, from))}…`;
        at = to;
    }
    return out + open(text.slice(at));
}
/** Ranges sorted and joined where they overlap or touch. */
function mergedRanges(ranges) {
    const sorted = ranges.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
    const merged = [];
    for (const [a, b] of sorted) {
        const last = merged[merged.length - 1];
        if (last && a <= last[1])
            last[1] = Math.max(last[1], b);
        else
            merged.push([a, b]);
    }
    return merged;
}
/** The end of the comment that starts at `i` (after its last character); nested /* *\/ counted. */
function commentEnd(text, i) {
    if (text[i] === '-') {
        const close = text.indexOf('\n', i);
        return close < 0 ? text.length : close;
    }
    return blockCommentEnd(text, i);
}
/**
 * The index just past the block comment that starts at i (`/*`), nested ones
 * included as PostgreSQL nests them; the text's length when it is not closed.
 */
function blockCommentEnd(text, i) {
    const n = text.length;
    let depth = 1;
    i += 2;
    while (i < n && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') {
            depth++;
            i += 2;
        }
        else if (text[i] === '*' && text[i + 1] === '/') {
            depth--;
            i += 2;
        }
        else
            i++;
    }
    return i;
}
/** `text` without its comments (each replaced by a space). */
function withoutComments(text) {
    let out = '';
    let i = 0;
    while (i < text.length) {
        if ((text[i] === '-' && text[i + 1] === '-') || (text[i] === '/' && text[i + 1] === '*')) {
            i = commentEnd(text, i);
            out += ' ';
        }
        else
            out += text[i++];
    }
    return out;
}
/** Names (dotted ones whole: app.password.hash), and the = / := between a name and its value. */
const DOTTED_WORDS = /(?:[A-Za-z_][\w$]*|"(?:[^"]|"")*")(?:\s*\.\s*(?:[A-Za-z_][\w$]*|"(?:[^"]|"")*"))*|[=:]+/g;
/** The name before a value (past "=", ":=" and TO), and whether one of those stood between. */
function nameBefore(plain) {
    // a dotted name is one name (app.password.hash: attacker a28 A5)
    const words = withoutComments(plain).match(DOTTED_WORDS) ?? [];
    let k = words.length - 1;
    while (k >= 0 && (/^[=:]+$/.test(words[k]) || /^to$/i.test(words[k])))
        k--;
    const assigned = k < words.length - 1;
    // a PL/pgSQL declaration: the variable's name stands before its type (api_key text := '…')
    if (assigned && k > 0 && DECLARED_TYPE.test(words[k]))
        k--;
    return {
        name: k >= 0 ? words[k].replace(/^"|"$/g, '') : '',
        assigned
    };
}
/** `plain` ends with a secret's name, then = or TO: what follows is its value, quoted or not. */
function bareValueOfSecret(plain) {
    const tail = plain.slice(-400);
    if (!/(?:=|\bto)\s*$/i.test(withoutComments(tail)))
        return false;
    const { name, assigned } = nameBefore(tail);
    return assigned && (/^password$/i.test(name) || SECRET_NAME.test(name));
}
/**
 * The ranges [start, end) of `text` to hide: the insides of its secret literals, read with
 * standard_conforming_strings `standard` (off: a backslash escapes in a plain '…' too).
 */
function secretRanges(text, standard) {
    const ranges = [];
    let plain = '';
    const n = text.length;
    let i = 0;
    /** The literal before was redacted: a literal continuing it (only a line break between) is too. */
    let redacted = false;
    /** The literal before was a name with a secret word ('app.api_key'): a value may follow it. */
    let secretNameBefore = false;
    /** The literal before, unless redacted, and where its inside is (for 'pass' || 'word=…'). */
    let previous;
    while (i < n) {
        const c = text[i];
        // a comment: no literal starts in it, and it is no word before one
        if ((c === '-' && text[i + 1] === '-') || (c === '/' && text[i + 1] === '*')) {
            const end = commentEnd(text, i);
            plain += text.slice(i, end);
            i = end;
            continue;
        }
        // a value written without quotes (or as "…") after a secret's name and = or TO: SET
        // api_key = sk_live_x; ALTER ROLE r SET app.secret_token = x — hidden to the statement's end
        // (attacker a27 A3)
        if (c !== "'" &&
            c !== '$' &&
            !/\s/.test(c) &&
            (i === 0 || /[\s=]/.test(text[i - 1])) &&
            bareValueOfSecret(plain)) {
            let j = i;
            while (j < n && text[j] !== ';' && text[j] !== '\n')
                j++;
            ranges.push([i, j]);
            plain = '';
            i = j;
            continue;
        }
        // a name in double quotes ("o'brien", U&"…"): no literal starts in it (attacker a27 A1)
        if (c === '"') {
            let j = i + 1;
            for (;;) {
                if (j >= n)
                    break;
                if (text[j] === '"') {
                    if (text[j + 1] === '"') {
                        j += 2;
                        continue;
                    }
                    break;
                }
                j++;
            }
            const end = Math.min(j + 1, n);
            plain += text.slice(i, end);
            i = end;
            continue;
        }
        // a literal: '…', E'…' / U&'…' / N'…' / B'…' / X'…' (prefix already in `plain`), $tag$…$tag$
        let end = -1;
        let opener = '';
        let closed = false;
        if (c === "'") {
            const prefix = /(?:[EeNnBbXx]|[Uu]&)$/.exec(plain)?.[0] ?? '';
            const word = !/[\w$]$/.test(plain.slice(0, plain.length - prefix.length));
            const escapes = word && (/^[Ee]$/.test(prefix) || (!standard && /^[Nn]?$/.test(prefix)));
            let j = i + 1;
            for (;;) {
                if (j >= n)
                    break;
                if (escapes && text[j] === '\\') {
                    j += 2;
                    continue;
                }
                if (text[j] === "'") {
                    if (text[j + 1] === "'") {
                        j += 2;
                        continue;
                    }
                    closed = true;
                    break;
                }
                j++;
            }
            end = Math.min(j + 1, n);
            opener = "'";
        }
        else if (c === '$' && !/[\w$]$/.test(plain)) {
            const tag = /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 66));
            if (tag) {
                const close = text.indexOf(tag[0], i + tag[0].length);
                closed = close >= 0;
                end = close < 0 ? n : close + tag[0].length;
                opener = tag[0];
            }
        }
        if (end < 0) {
            plain += c;
            i++;
            continue;
        }
        const literal = text.slice(i, end);
        const inner = literal.slice(opener.length);
        // the literal's own prefix (E, U&, N, B, X) is no word before it
        const prefixLength = opener === "'" ? (/(?:\b[EeNnBbXx]|\b[Uu]&)$/.exec(plain)?.[0].length ?? 0) : 0;
        const before = nameBefore(plain.slice(0, plain.length - prefixLength)).name;
        // 'a' followed by 'b' on another line (a -- comment between) is one literal 'ab' to the server
        const continued = redacted && opener === "'" && /^[ \t\f\r]*\n\s*$/.test(plain.replace(/--[^\n]*/g, ''));
        const prefix = opener === "'" ? plain.slice(plain.length - prefixLength) : '';
        // what the server reads: E'\x77', U&'\0061' spell the same words (attacker a29 A3)
        const content = unescaped(closed ? inner.slice(0, -opener.length) : inner, prefix);
        // 'app.api_key', '…' (set_config, a VALUES pair, OPTIONS): the value after a secret's name
        const afterName = secretNameBefore && /^\s*,\s*$/.test(withoutComments(plain));
        // 'host=… pass' || 'word=…': the two read as one
        const joined = previous !== undefined && /^\s*\|\|\s*$/.test(withoutComments(plain))
            ? previous.inner + content
            : undefined;
        const secret = continued ||
            afterName ||
            /^password$/i.test(before) ||
            SECRET_NAME.test(before) ||
            (SECRET_CONTENT.test(content) && !(opener === "'" && QUALIFIED_NAME.test(inner))) ||
            (joined !== undefined && SECRET_CONTENT.test(joined));
        if (secret && joined !== undefined && previous)
            ranges.push([previous.from, previous.to]);
        redacted = secret;
        secretNameBefore = !secret && NAME_LITERAL.test(content) && SECRET_NAME.test(content);
        const from = i + opener.length;
        const to = closed ? end - opener.length : n;
        if (secret)
            ranges.push([from, to]);
        else if (opener.startsWith('$'))
            // a function's or DO block's body: its own statements and literals, read the same way
            for (const [a, b] of secretRanges(text.slice(from, to), standard))
                ranges.push([from + a, from + b]);
        previous = secret ? undefined : { inner: content, from, to };
        plain = '';
        i = end;
    }
    return ranges;
}
/**
 * A literal's inside as the server reads it, for the secret tests: E'…' escapes (\x77, \167,
 * \u0077, \n…) and U&'…' ones (\0077, \+000077) decoded; others as written ('' is ').
 */
function unescaped(inside, prefix) {
    const text = inside.replace(/''/g, "'");
    if (/^[Ee]$/.test(prefix))
        return text.replace(/\\(?:x([0-9a-fA-F]{1,2})|([0-7]{1,3})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))/g, (_m, x, o, u, U, c) => x || o || u || U
            ? safeChar(parseInt(x ?? o ?? u ?? U ?? '0', x ? 16 : o ? 8 : 16))
            : (c ?? ''));
    if (/^[Uu]&$/.test(prefix))
        return text.replace(/\\(?:\+([0-9a-fA-F]{6})|([0-9a-fA-F]{4})|(\\))/g, (_m, six, four) => six || four ? safeChar(parseInt(six ?? four ?? '0', 16)) : '\\');
    return text;
}
function safeChar(code) {
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
}
/** A statement as a message shows it: one line, secrets redacted, at most `max` characters. */
function quoteSql(text, max = 160) {
    // a literal cut by the limit runs to the end: still redacted
    const head = text.length > max * 4 + 256 ? text.slice(0, max * 4 + 256) : text;
    // control characters are shown as spaces
    const one = redactSql(head)
        .replace(/\s+/g, ' ')
        // eslint-disable-next-line no-control-regex -- control characters are the point
        .replace(/[\u0000-\u001f\u007f]/g, ' ')
        .trim();
    return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}


/***/ }),

/***/ 17370:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $s: () => (/* binding */ quoteQualified),
/* harmony export */   A9: () => (/* binding */ restoreNamesValue),
/* harmony export */   X_: () => (/* binding */ sqlQuoted),
/* harmony export */   v4: () => (/* binding */ quoteIdent)
/* harmony export */ });
/**
 * Names as users write them: in SQL (double quotes) and in the list inputs (restore's tables and
 * schemas). Vocabulary: imported by the inputs, the modes and the engine alike.
 */
/**
 * Names as a value of restore's `tables` or `schemas` takes them back (for advice to set it): a
 * name with a comma, a new line, a double quote or spaces at an end is written in double quotes.
 */
function restoreNamesValue(names) {
    return names.map(n => (/[,"\r\n]|^\s|\s$/.test(n) || n === '' ? sqlQuoted(n) : n)).join(',');
}
/** A name in double quotes, its quotes doubled (every name of SQL the action runs itself). */
function sqlQuoted(name) {
    return `"${name.replaceAll('"', '""')}"`;
}
/**
 * PostgreSQL's keywords that are not UNRESERVED_KEYWORD (reserved, type/function-name and
 * column-name keywords), which quote_ident quotes (ruleutils.c quote_identifier): PostgreSQL 15's
 * pg_get_keywords() with catcode <> 'U', and those 16 and 17 add in src/include/parser/kwlist.h
 * (system_user; json, json_array … json_value, merge_action); 18 adds none (the names pg_dump 18
 * quotes of a table with a column named for each of its 494 keywords are these 164). A keyword a
 * later version adds is at worst left unquoted in a hint, where the server would say so.
 */
const QUOTED_KEYWORDS = new Set(('all analyse analyze and any array as asc asymmetric authorization between bigint binary ' +
    'bit boolean both case cast char character check coalesce collate collation column ' +
    'concurrently constraint create cross current_catalog current_date current_role ' +
    'current_schema current_time current_timestamp current_user dec decimal default deferrable ' +
    'desc distinct do else end except exists extract false fetch float for foreign freeze from ' +
    'full grant greatest group grouping having ilike in initially inner inout int integer ' +
    'intersect interval into is isnull join json json_array json_arrayagg json_exists ' +
    'json_object json_objectagg json_query json_scalar json_serialize json_table json_value ' +
    'lateral leading least left like limit localtime localtimestamp merge_action national ' +
    'natural nchar none normalize not notnull null nullif numeric offset on only or order out ' +
    'outer overlaps overlay placing position precision primary real references returning right ' +
    'row select session_user setof similar smallint some substring symmetric system_user table ' +
    'tablesample then time timestamp to trailing treat trim true union unique user using ' +
    'values varchar variadic verbose when where window with xmlattributes xmlconcat xmlelement ' +
    'xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable').split(' '));
/**
 * A name as SQL writes it, as PostgreSQL's quote_ident does: bare when a lower-case word
 * (a-z, 0-9, _; not starting with a digit) that is not a keyword needing quotes, else in double
 * quotes with its quotes doubled: `orders`, `"Orders"`, `"order"`, `"a b"`, `"1st"`, `"we""ird"`.
 * For names in SQL a message gives the user to run; SQL the action runs itself quotes every name
 * (sqlQuoted).
 */
function quoteIdent(name) {
    return /^[a-z_][a-z0-9_]*$/.test(name) && !QUOTED_KEYWORDS.has(name) ? name : sqlQuoted(name);
}
/** `schema.name` as SQL writes it (quoteIdent of each part). */
function quoteQualified(object) {
    return `${quoteIdent(object.schema)}.${quoteIdent(object.name)}`;
}


/***/ })

};
