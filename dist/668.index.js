export const id = 668;
export const ids = [668];
export const modules = {

/***/ 66668:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $: () => (/* binding */ checkable),
/* harmony export */   _: () => (/* binding */ StaleBackupError),
/* harmony export */   check: () => (/* binding */ check)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(83916);
/* harmony import */ var _duration_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(77607);
/* harmony import */ var _log_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(25625);
/* harmony import */ var _manifest_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(12880);
/* harmony import */ var _manifest_changes_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(77166);
/* harmony import */ var _storage_artifact_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(85920);
/* harmony import */ var _storage_artifact_manifest_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(52373);
/* harmony import */ var _storage_signing_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(65934);
/* harmony import */ var _s3_uri_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(78150);
/**
 * Check: is there a recent, whole-looking backup? Finds the newest backup (an artifact through
 * GitHub's API, or the newest manifest under an S3 prefix) and reads its manifest only \u2014 by HTTP
 * range requests for an artifact, never the dump \u2014 then fails when it is older than max-age or
 * its sizes do not add up. Cheap enough to run hours after each scheduled backup, so a backup
 * that silently stopped is noticed while the last good one still exists.
 */









class StaleBackupError extends _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .CheckError */ .tl {
    name = 'StaleBackupError';
}
/** Whether a restore source can be checked without downloading it. */
function checkable(source) {
    return source.kind !== 'file';
}
/** Clock skew allowed between the machine that made a backup and this one (and GitHub's). */
const CLOCK_SKEW_MS = 5 * 60_000;
async function check(options, now = () => new Date()) {
    const found = await _log_js__WEBPACK_IMPORTED_MODULE_2__/* .log */ .Rm.group('Find the newest backup', () => findNewest(options.source, options.signingKey !== undefined));
    const { manifest } = found;
    if (options.signingKey) {
        const key = options.signingKey;
        await _log_js__WEBPACK_IMPORTED_MODULE_2__/* .log */ .Rm.group('Check the signature', async () => {
            // the manifest only: check reads no dump (restore and verify check the dump's sha256)
            (0,_storage_signing_js__WEBPACK_IMPORTED_MODULE_7__/* .checkSignature */ .jC)(key, {
                what: `the newest backup (${found.checked})`,
                manifestBytes: found.manifestBytes,
                manifestSha256: manifest.file.sha256,
                signature: found.signature,
                dumpSha256: manifest.file.sha256
            }, 'check');
            _log_js__WEBPACK_IMPORTED_MODULE_2__/* .log */ .Rm.info(`The manifest is signed with this signing-key (the dump's sha256 it names is checked by restore and verify).`);
        });
    }
    const createdAt = new Date(manifest.createdAt);
    if (Number.isNaN(createdAt.getTime())) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .CheckError */ .tl(`the manifest of ${found.checked} has no valid createdAt ('${manifest.createdAt}').`);
    }
    // a date the backup cannot have been made at: later than now, or than GitHub stored its
    // artifact (beyond a few minutes of clock skew) \u2014 a wrong clock where it was made, or an edited
    // manifest; either way its age cannot be told, and a backup from 2099 is never "fresh" (attacker
    // a41 F1: a negative backup-age-seconds)
    const stored = found.artifact?.createdAt;
    const latest = Math.min(now().getTime(), stored?.getTime() ?? Infinity) + CLOCK_SKEW_MS;
    if (createdAt.getTime() > latest) {
        const late = stored && createdAt.getTime() > stored.getTime() + CLOCK_SKEW_MS;
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .CheckError */ .tl(`the newest backup (${found.checked}) says it was made ${manifest.createdAt}, ${late ? `after GitHub stored it (${stored.toISOString()})` : `${(0,_duration_js__WEBPACK_IMPORTED_MODULE_1__/* .formatAge */ .n)((createdAt.getTime() - now().getTime()) / 1000)} from now`}: its manifest's date is wrong (the clock of the machine that made it, or an edited manifest), so its age cannot be told. Run a backup and look at its log.`);
    }
    // a few seconds of skew: no negative age
    const ageSeconds = Math.max(0, (now().getTime() - createdAt.getTime()) / 1000);
    const result = {
        checked: found.checked,
        runId: found.artifact?.runId,
        manifest,
        createdAt,
        ageSeconds,
        maxAgeSeconds: options.maxAgeSeconds,
        warnings: []
    };
    await _log_js__WEBPACK_IMPORTED_MODULE_2__/* .log */ .Rm.group('Check it', async () => {
        _log_js__WEBPACK_IMPORTED_MODULE_2__/* .log */ .Rm.info(`${found.checked}: ${manifest.file.name}, ${(0,_log_js__WEBPACK_IMPORTED_MODULE_2__/* .formatBytes */ .z3)(manifest.file.sizeBytes)}, made ${manifest.createdAt} (${(0,_duration_js__WEBPACK_IMPORTED_MODULE_1__/* .formatAge */ .n)(ageSeconds)} ago) by ${manifest.tool.name} ${manifest.tool.version}; ${(0,_log_js__WEBPACK_IMPORTED_MODULE_2__/* .plural */ .LS)(manifest.rowCounts.tables.length, 'table')}, ${(0,_log_js__WEBPACK_IMPORTED_MODULE_2__/* .plural */ .LS)(manifest.rowCounts.totalRows ?? 'uncounted', 'row')}.`);
        const problems = [...plausibility(manifest, found.artifact), ...(found.stored ?? [])];
        if (problems.length > 0) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .CheckError */ .tl(`the newest backup (${found.checked}, made ${manifest.createdAt}) does not look whole: ${problems.join('; ')}. Run a backup and look at its log.`);
        }
        if (ageSeconds > options.maxAgeSeconds) {
            throw new StaleBackupError(
            // found.checked names the artifact and its run already
            `the newest backup (${found.checked}) was made ${manifest.createdAt}, ${(0,_duration_js__WEBPACK_IMPORTED_MODULE_1__/* .formatAge */ .n)(ageSeconds)} ago: older than max-age (${(0,_duration_js__WEBPACK_IMPORTED_MODULE_1__/* .formatAge */ .n)(options.maxAgeSeconds)}). Backups have stopped or are failing: look at the backup workflow's runs (GitHub disables schedules of public repositories after 60 days without activity, and delays or drops scheduled runs at busy times).`);
        }
        const loss = (0,_manifest_changes_js__WEBPACK_IMPORTED_MODULE_4__/* .recordedLossWarning */ .Mg)(manifest, `The newest backup (${found.checked})`);
        if (loss) {
            _log_js__WEBPACK_IMPORTED_MODULE_2__/* .log */ .Rm.warning(loss);
            result.warnings.push(loss);
        }
        _log_js__WEBPACK_IMPORTED_MODULE_2__/* .log */ .Rm.info(`Fresh: ${(0,_duration_js__WEBPACK_IMPORTED_MODULE_1__/* .formatAge */ .n)(ageSeconds)} old, within max-age ${(0,_duration_js__WEBPACK_IMPORTED_MODULE_1__/* .formatAge */ .n)(options.maxAgeSeconds)}.`);
    });
    return result;
}
async function findNewest(source, signed) {
    if (source.kind === 's3') {
        // loaded here only: the AWS SDK is large
        const { S3StorageError, createS3Client, findNewestBackup, getObjectText, objectSize } = await Promise.all(/* import() */[__webpack_require__.e(358), __webpack_require__.e(279)]).then(__webpack_require__.bind(__webpack_require__, 69279));
        const { manifestKeyFor } = await Promise.resolve(/* import() */).then(__webpack_require__.bind(__webpack_require__, 78150));
        const s3 = createS3Client(source.settings);
        // no backup there (none under the prefix, none readable, or the one named missing): a
        // failed check, as a stale one (exit 3) \u2014 the same as for an artifact
        const none = (error) => {
            if (error instanceof S3StorageError && ['NoBackup', 'NoSuchKey'].includes(error.code ?? ''))
                throw new StaleBackupError(error.message, { cause: error });
            throw error;
        };
        let found;
        if (source.key) {
            found = { dumpKey: source.key, manifestKey: manifestKeyFor(source.key) };
        }
        else {
            const newest = await findNewestBackup(s3, {
                bucket: source.bucket,
                prefix: source.prefix
            }).catch(none);
            found = {
                dumpKey: newest.dumpKey,
                manifestKey: newest.manifestKey,
                manifest: (0,_manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .parseManifest */ .Ng)(newest.manifest)
            };
        }
        const checked = (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_8__/* .formatS3Uri */ .EO)(source.bucket, found.dumpKey);
        // the stored objects, not only the manifest's word: the dump (and its globals file) must
        // exist and be the size the manifest records \u2014 a HEAD each, no download
        const storedObjects = async (manifest) => {
            const problems = [];
            const expect = async (key, bytes, what) => {
                const uri = (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_8__/* .formatS3Uri */ .EO)(source.bucket, key);
                const size = await objectSize(s3, { bucket: source.bucket, key });
                if (size === undefined) {
                    problems.push(`${what} ${uri} is missing (its manifest is there)`);
                }
                else if (size !== bytes) {
                    problems.push(`${what} ${uri} is ${size === 0 ? 'empty (0 bytes)' : `${size} bytes`}, but its manifest records ${bytes} bytes (${size < bytes ? 'truncated' : 'not the object described'})`);
                }
            };
            await expect(found.dumpKey, manifest.file.sizeBytes, 'the dump');
            const globalsName = manifest.globals?.name;
            if (manifest.globals && globalsName?.startsWith(manifest.file.name)) {
                await expect(`${found.dumpKey}${globalsName.slice(manifest.file.name.length)}`, manifest.globals.sizeBytes, 'the roles (globals) file');
            }
            if (problems.length > 0) {
                problems.push(`a restore of it would fail: delete or replace its objects (and their manifest ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_8__/* .formatS3Uri */ .EO)(source.bucket, found.manifestKey)}) so the backup before it is the newest, or run a backup now`);
            }
            return problems;
        };
        if (!signed && found.manifest) {
            return { checked, manifest: found.manifest, stored: await storedObjects(found.manifest) };
        }
        // the manifest's bytes as stored (a signature covers them exactly)
        const text = await getObjectText(s3, { bucket: source.bucket, key: found.manifestKey }).catch(none);
        const manifest = parseManifestText(text);
        const newest = {
            checked,
            manifest,
            manifestBytes: Buffer.from(text, 'utf8'),
            stored: await storedObjects(manifest)
        };
        if (signed) {
            newest.signature = await getObjectText(s3, {
                bucket: source.bucket,
                key: `${found.manifestKey}.sig`
            }).then(sig => (sig.length <= _storage_signing_js__WEBPACK_IMPORTED_MODULE_7__/* .MAX_SIGNATURE_BYTES */ .my ? Buffer.from(sig, 'utf8') : undefined), error => {
                if (error instanceof S3StorageError && error.code === 'NoSuchKey')
                    return undefined;
                throw error;
            });
        }
        return newest;
    }
    const artifact = await (0,_storage_artifact_js__WEBPACK_IMPORTED_MODULE_5__.findBackupArtifact)((0,_storage_artifact_js__WEBPACK_IMPORTED_MODULE_5__.artifactClient)(), source).catch((error) => {
        // none of that name, or only expired ones: a failed check, as a stale one (exit 3)
        if (error instanceof _storage_artifact_js__WEBPACK_IMPORTED_MODULE_5__/* .NoBackupArtifactError */ .EZ)
            throw new StaleBackupError(error.message, { cause: error });
        throw error;
    });
    _log_js__WEBPACK_IMPORTED_MODULE_2__/* .log */ .Rm.info(`Artifact '${artifact.name}' (id ${artifact.id}${artifact.runId ? `, run ${artifact.runId}` : ''}), ${artifact.size === undefined ? '' : `${(0,_log_js__WEBPACK_IMPORTED_MODULE_2__/* .formatBytes */ .z3)(artifact.size)}, `}uploaded ${artifact.createdAt?.toISOString() ?? '?'}`);
    const remote = await (0,_storage_artifact_manifest_js__WEBPACK_IMPORTED_MODULE_6__/* .readArtifactManifestFile */ .YT)(artifact, source.kind === 'artifact' || source.kind === 'artifact-id' ? source.token : '', { signature: signed });
    return {
        checked: `artifact ${artifact.id}${artifact.runId ? ` (run ${artifact.runId})` : ''}`,
        ...remote,
        artifact
    };
}
function parseManifestText(text) {
    try {
        return (0,_manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .parseManifest */ .Ng)(JSON.parse(text));
    }
    catch (error) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .CheckError */ .tl(`the manifest is not valid: ${error.message}`);
    }
}
/** What does not add up: an empty file, a zip smaller than the file it holds or much larger. */
function plausibility(manifest, artifact) {
    const problems = [];
    if (manifest.file.sizeBytes <= 0)
        problems.push('its file is empty');
    if (manifest.rawSizeBytes <= 0)
        problems.push('pg_dump wrote nothing');
    // the action's own zips store the file as it is: the zip holds its bytes plus a few KB
    if (artifact?.size !== undefined && artifact.name.endsWith('.zip')) {
        const slack = 4 * 1024 * 1024;
        if (artifact.size < manifest.file.sizeBytes) {
            problems.push(`the artifact (${artifact.size} bytes) is smaller than the file its manifest describes (${manifest.file.sizeBytes} bytes)`);
        }
        else if (artifact.size > manifest.file.sizeBytes + slack) {
            problems.push(`the artifact (${artifact.size} bytes) is far larger than the file its manifest describes (${manifest.file.sizeBytes} bytes)`);
        }
    }
    return problems;
}


/***/ }),

/***/ 52373:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   MN: () => (/* binding */ artifactStorage),
/* harmony export */   Pw: () => (/* binding */ previousBackupManifest),
/* harmony export */   YT: () => (/* binding */ readArtifactManifestFile)
/* harmony export */ });
/* unused harmony exports RemoteManifestError, readArtifactManifest, previousUnreadable */
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(38522);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_zlib__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(83916);
/* harmony import */ var _log_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(25625);
/* harmony import */ var _manifest_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(12880);
/* harmony import */ var _artifact_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(85920);
/* harmony import */ var _signing_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(65934);






/** A manifest larger than this is refused (ours are a few KB; a hostile one is not read). */
const MANIFEST_LIMIT = 4 * 1024 * 1024;
/** The end of central directory record, and the most a zip comment can add to it. */
const EOCD_SIZE = 22;
const TAIL_BYTES = EOCD_SIZE + 0xffff + 20;
/** Each request's time limit, in milliseconds. */
const REQUEST_TIMEOUT_MS = 30_000;
class RemoteManifestError extends _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .EngineError */ .NJ {
    constructor(message) {
        super(message);
        this.name = 'RemoteManifestError';
    }
}
/** Reads manifest.json out of the artifact's zip by range requests; never the dump. */
async function readArtifactManifest(found, token, apiUrl = process.env.GITHUB_API_URL || 'https://api.github.com') {
    return (await readArtifactManifestFile(found, token, { apiUrl })).manifest;
}
/**
 * manifest.json \u2014 and with `signature`, manifest.json.sig (at most MAX_SIGNATURE_BYTES) \u2014 out of
 * the artifact's zip by range requests; never the dump.
 */
async function readArtifactManifestFile(found, token, options = {}) {
    const apiUrl = options.apiUrl ?? (process.env.GITHUB_API_URL || 'https://api.github.com');
    const blob = await blobUrl(found, token, apiUrl);
    const size = found.size ?? (await blobSize(blob));
    const tailStart = Math.max(0, size - TAIL_BYTES);
    const tail = await readRange(blob, tailStart, size - tailStart);
    const { cdOffset, cdSize } = await findCentralDirectory(blob, tail, tailStart);
    const cd = cdOffset >= tailStart
        ? tail.subarray(cdOffset - tailStart, cdOffset - tailStart + cdSize)
        : await readRange(blob, cdOffset, cdSize);
    const entry = findEntry(cd, _manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .MANIFEST_FILE */ .h1);
    if (!entry) {
        throw new RemoteManifestError(`artifact ${found.id} has no ${_manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .MANIFEST_FILE */ .h1}`);
    }
    const content = await readEntry(blob, found, _manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .MANIFEST_FILE */ .h1, entry, MANIFEST_LIMIT);
    let json;
    try {
        json = JSON.parse(content.toString('utf8'));
    }
    catch (error) {
        throw new RemoteManifestError(`the ${_manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .MANIFEST_FILE */ .h1} of artifact ${found.id} is not JSON: ${error.message}`);
    }
    const result = { manifest: (0,_manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .parseManifest */ .Ng)(json), manifestBytes: content };
    const signatureEntry = options.signature ? findEntry(cd, _signing_js__WEBPACK_IMPORTED_MODULE_5__/* .SIGNATURE_FILE */ .I9) : undefined;
    if (signatureEntry) {
        result.signature = await readEntry(blob, found, _signing_js__WEBPACK_IMPORTED_MODULE_5__/* .SIGNATURE_FILE */ .I9, signatureEntry, _signing_js__WEBPACK_IMPORTED_MODULE_5__/* .MAX_SIGNATURE_BYTES */ .my);
    }
    return result;
}
/** One entry's content (stored or deflated), refused when larger than `limit` bytes. */
async function readEntry(blob, found, name, entry, limit) {
    if (entry.compressedSize > limit || entry.size > limit) {
        throw new RemoteManifestError(`the ${name} of artifact ${found.id} is ${entry.size} bytes: not a ${name} of this action`);
    }
    // the local header's name and extra field may differ in length from the central directory's
    const head = await readRange(blob, entry.localOffset, 30 + 0xffff * 2 + entry.compressedSize);
    if (head.readUInt32LE(0) !== 0x04034b50) {
        throw new RemoteManifestError(`artifact ${found.id}: ${name} has no local header`);
    }
    const start = 30 + head.readUInt16LE(26) + head.readUInt16LE(28);
    const data = head.subarray(start, start + entry.compressedSize);
    if (entry.method === 0)
        return data;
    if (entry.method === 8)
        return (0,node_zlib__WEBPACK_IMPORTED_MODULE_0__.inflateRawSync)(data, { maxOutputLength: limit });
    throw new RemoteManifestError(`artifact ${found.id}: ${name} uses zip method ${entry.method}`);
}
/** The signed blob URL the REST API redirects the zip's download to. */
async function blobUrl(found, token, apiUrl) {
    const url = `${apiUrl.replace(/\/+$/, '')}/repos/${found.repository}/actions/artifacts/${found.id}/zip`;
    const response = await fetch(url, {
        redirect: 'manual',
        headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/vnd.github+json',
            'x-github-api-version': '2022-11-28'
        },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    });
    await response.body?.cancel().catch(() => undefined);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) {
        throw new RemoteManifestError(`GitHub's API answered ${response.status} for the download of artifact ${found.id}${response.status === 403 || response.status === 404 ? " (the token needs 'actions: read')" : ''}`);
    }
    return new URL(location, url).href;
}
async function blobSize(url) {
    const response = await fetch(url, {
        headers: { range: 'bytes=0-0' },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    });
    await response.body?.cancel().catch(() => undefined);
    const total = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
    if (!total)
        throw new RemoteManifestError('the artifact store does not tell its size');
    return Number(total[1]);
}
/** `length` bytes from `offset` (fewer at the blob's end). */
async function readRange(url, offset, length) {
    const response = await fetch(url, {
        headers: { range: `bytes=${offset}-${offset + length - 1}` },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    });
    if (response.status !== 206 && !(response.status === 200 && offset === 0)) {
        await response.body?.cancel().catch(() => undefined);
        throw new RemoteManifestError(`the artifact store answered ${response.status} to a range request`);
    }
    const body = Buffer.from(await response.arrayBuffer());
    return body.subarray(0, length);
}
/** The central directory's place, from the end record (ZIP64's when the zip needs it). */
async function findCentralDirectory(url, tail, tailStart) {
    let eocd = -1;
    for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
        if (tail.readUInt32LE(i) === 0x06054b50) {
            eocd = i;
            break;
        }
    }
    if (eocd < 0)
        throw new RemoteManifestError('the artifact is not a zip (no end record)');
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (cdOffset === 0xffffffff || cdSize === 0xffffffff) {
        const locator = eocd - 20;
        if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50) {
            throw new RemoteManifestError('the artifact zip lacks its ZIP64 locator');
        }
        const recordOffset = Number(tail.readBigUInt64LE(locator + 8));
        const record = recordOffset >= tailStart
            ? tail.subarray(recordOffset - tailStart)
            : await readRange(url, recordOffset, 56);
        if (record.readUInt32LE(0) !== 0x06064b50) {
            throw new RemoteManifestError('the artifact zip lacks its ZIP64 end record');
        }
        cdSize = Number(record.readBigUInt64LE(40));
        cdOffset = Number(record.readBigUInt64LE(48));
    }
    return { cdOffset, cdSize };
}
function findEntry(cd, name) {
    let p = 0;
    while (p + 46 <= cd.length && cd.readUInt32LE(p) === 0x02014b50) {
        const nameLength = cd.readUInt16LE(p + 28);
        const extraLength = cd.readUInt16LE(p + 30);
        const commentLength = cd.readUInt16LE(p + 32);
        const entryName = cd.toString('utf8', p + 46, p + 46 + nameLength);
        if (entryName === name) {
            const entry = {
                method: cd.readUInt16LE(p + 10),
                compressedSize: cd.readUInt32LE(p + 20),
                size: cd.readUInt32LE(p + 24),
                localOffset: cd.readUInt32LE(p + 42)
            };
            readZip64Extra(cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength), entry);
            return entry;
        }
        p += 46 + nameLength + extraLength + commentLength;
    }
    return undefined;
}
/** ZIP64's extra field (id 1) holds, in this order, each value the entry marks 0xffffffff. */
function readZip64Extra(extra, entry) {
    for (let q = 0; q + 4 <= extra.length;) {
        const id = extra.readUInt16LE(q);
        const length = extra.readUInt16LE(q + 2);
        if (id === 1) {
            let r = q + 4;
            const next = () => {
                const value = Number(extra.readBigUInt64LE(r));
                r += 8;
                return value;
            };
            if (entry.size === 0xffffffff)
                entry.size = next();
            if (entry.compressedSize === 0xffffffff)
                entry.compressedSize = next();
            if (entry.localOffset === 0xffffffff)
                entry.localOffset = next();
            return;
        }
        q += 4 + length;
    }
}
/**
 * The manifest of the newest backup of `name` in the repository made by another run than this
 * one, or undefined (with the reason logged) when there is none or it cannot be read. Never
 * rejects: the comparison it feeds is advice, not a condition of the backup.
 */
async function previousBackupManifest(client, options, currentRunId, timeoutMs = 60_000) {
    let timer;
    const late = new Promise(resolve => {
        timer = setTimeout(() => {
            resolve({
                skipped: `GitHub did not answer within ${timeoutMs / 1000} s when asked for the previous backup, so this backup was not compared with it (no row-loss warning)`
            });
        }, timeoutMs);
        timer.unref();
    });
    // its lines (the artifact chosen, those passed over) are shown when the backup compares
    const lookUp = (0,_log_js__WEBPACK_IMPORTED_MODULE_2__/* .holdingLines */ .hp)(() => lookUpPrevious(client, options, currentRunId)).then(({ result, lines }) => ({ ...result, lines }));
    try {
        return await Promise.race([late, lookUp]);
    }
    finally {
        clearTimeout(timer);
    }
}
async function lookUpPrevious(client, options, currentRunId) {
    try {
        const artifact = await (0,_artifact_js__WEBPACK_IMPORTED_MODULE_4__.findBackupArtifact)(client, {
            kind: 'artifact',
            name: options.name,
            runId: 'latest',
            repository: options.repository,
            token: options.token
        });
        if (currentRunId !== undefined && artifact.runId === currentRunId)
            return { none: 'The newest backup of this name is of this run: nothing to compare with.' };
        return { artifact, manifest: await readArtifactManifest(artifact, options.token) };
    }
    catch (error) {
        const message = error.message.split('\n')[0];
        // the first backup of this name: nothing to compare with, as expected (not the restore's
        // "Check artifact-name \u2026", which read as a misconfiguration on the first night: trial u30 F6)
        if (error instanceof _artifact_js__WEBPACK_IMPORTED_MODULE_4__/* .NoBackupArtifactError */ .EZ)
            return {
                none: `No comparison with the previous backup: this is the first backup named '${options.name}' in ${options.repository} (no earlier one was found). If earlier backups were uploaded under another artifact-name, set this one to theirs to compare with them.`
            };
        return { skipped: previousUnreadable(message) };
    }
}
/** Why the previous backup could not be read, and what to do (the permission, for a 403). */
function previousUnreadable(message) {
    const forbidden = /\b403\b|forbidden|not accessible by integration|resource not accessible/i.test(message);
    return forbidden
        ? `the token may not read this repository's artifacts (HTTP 403), so this backup was not compared with the previous one (no row-loss warning). Add 'actions: read' to the workflow's (or the job's) permissions: \u2014 with 'permissions:' set, every permission not listed is none`
        : `the previous backup could not be read (${message}), so this backup was not compared with it (no row-loss warning). If the token lacks it, add 'actions: read' to the workflow's (or the job's) permissions:`;
}
/**
 * Adds up the live artifacts of `name` in the repository through the REST API
 * (GET /repos/{owner}/{repo}/actions/artifacts?name=\u2026), at most 1,000 of them; undefined when
 * the API cannot be asked (no token, no actions: read), never an error.
 */
async function artifactStorage(options, apiUrl = process.env.GITHUB_API_URL || 'https://api.github.com') {
    const total = { count: 0, bytes: 0 };
    try {
        for (const name of (0,_artifact_js__WEBPACK_IMPORTED_MODULE_4__/* .artifactNamesFor */ .Ql)(options.name)) {
            for (let page = 1; page <= 10; page++) {
                const url = `${apiUrl.replace(/\/+$/, '')}/repos/${options.repository}/actions/artifacts?name=${encodeURIComponent(name)}&per_page=100&page=${page}`;
                const response = await fetch(url, {
                    headers: {
                        authorization: `Bearer ${options.token}`,
                        accept: 'application/vnd.github+json',
                        'x-github-api-version': '2022-11-28'
                    },
                    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
                });
                if (!response.ok) {
                    await response.body?.cancel().catch(() => undefined);
                    return undefined;
                }
                const body = (await response.json());
                const artifacts = body.artifacts ?? [];
                for (const a of artifacts) {
                    if (a.name === name && !a.expired) {
                        total.count++;
                        total.bytes += a.size_in_bytes;
                    }
                }
                if (artifacts.length < 100)
                    break;
            }
        }
    }
    catch {
        return undefined;
    }
    return total;
}


/***/ })

};
