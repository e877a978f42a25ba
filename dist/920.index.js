export const id = 920;
export const ids = [920];
export const modules = {

/***/ 85920:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  EZ: () => (/* binding */ NoBackupArtifactError),
  artifactClient: () => (/* binding */ artifactClient),
  Ql: () => (/* binding */ artifactNamesFor),
  lW: () => (/* binding */ artifactZipName),
  g4: () => (/* binding */ checkNameIsFree),
  z$: () => (/* binding */ checkPrivacy),
  P2: () => (/* binding */ deleteArtifactQuietly),
  describeOrigin: () => (/* binding */ describeOrigin),
  downloadArtifactZip: () => (/* binding */ downloadArtifactZip),
  findBackupArtifact: () => (/* binding */ findBackupArtifact),
  C1: () => (/* binding */ missingArtifactEnvironment),
  kI: () => (/* binding */ uploadBackup)
});

// UNUSED EXPORTS: ArtifactStorageError, artifactUrl, replacementName, repositoryVisibility, sameWorkflow

// EXTERNAL MODULE: ./node_modules/@actions/artifact/lib/artifact.js + 28 modules
var artifact = __webpack_require__(76799);
// EXTERNAL MODULE: ./src/log.ts
var log = __webpack_require__(25625);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js
var github = __webpack_require__(61351);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
var external_node_fs_default = /*#__PURE__*/__webpack_require__.n(external_node_fs_);
// EXTERNAL MODULE: external "node:module"
var external_node_module_ = __webpack_require__(98995);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
// EXTERNAL MODULE: ./src/pipeline/digest.ts
var digest = __webpack_require__(29912);
// EXTERNAL MODULE: ./node_modules/@azure/storage-blob/dist/esm/index.js + 274 modules
var esm = __webpack_require__(69095);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
;// CONCATENATED MODULE: ./src/storage/block-upload.ts
/**
 * The artifact's blocks, uploaded from buffers of this module's own. The artifact client
 * (@actions/artifact 6.2.1, blob-upload.js) uploads with BlockBlobClient.uploadStream
 * (@azure/storage-blob 12): its BufferScheduler gathers the stream's chunks until 8 MiB are
 * there, then copies them into a block buffer \u2014 so every chunk of the zip stays referenced until
 * its block is full, and lives through collections (the tee's scavenges, V8's own) into the old
 * generation, where only a full collection frees it; and the last, partial block gets a new 8 MiB
 * buffer of its own. Over a long backup that garbage, and the malloc heap it fragments, set the
 * peak RSS: it grew with the dump's size.
 *
 * Here each chunk is copied into the block being filled as it arrives (the same one copy the
 * scheduler makes) and is garbage at once; the blocks \u2014 4 MiB (SMALL_BLOCK), at most
 * `maxConcurrency` uploading and one filling \u2014 are reused, the last one too. Blocks are staged and committed as the client
 * does (stageBlock, commitBlockList with the client's options: its progress callback and abort
 * signal), with block IDs of the same form. Installed only while an upload runs (uploadOnce).
 */


/** The client's block size, when it passes none (it passes 8 MiB). */
const DEFAULT_BLOCK = 8 * 1024 * 1024;
/**
 * The blocks this module fills, whatever the client asks: 4 MiB. With 3 uploading and one
 * filling that is 16 MiB of the action's memory instead of 32 (measured on the 500 MB bench
 * database: the backup's peak RSS 133\u2013134 \u2192 120\u2013121 MB, its time unchanged); 4 MiB blocks still
 * keep 12 MiB in flight, more than a runner's link to Azure carries in a round trip.
 */
const SMALL_BLOCK = 4 * 1024 * 1024;
/**
 * Blocks of SMALL_BLOCK for the first SMALL_BLOCKS of a blob, then of the client's size: a block
 * blob holds at most 50,000 blocks, so a backup past ~98 GiB (25,000 \u00d7 4 MiB) goes on in the
 * client's larger blocks (up to ~293 GiB with 8 MiB).
 */
const SMALL_BLOCKS = 25_000;
/** The size of block `index` (0-based) of a blob whose client asked for `requested` bytes. */
function blockSize(index, requested) {
    return index < SMALL_BLOCKS ? Math.min(SMALL_BLOCK, requested) : requested;
}
/**
 * A block ID as the storage client makes them (generateBlockID): a prefix and the block's index
 * padded to 48 characters, base64 \u2014 every ID of a blob of the same length, as the service asks.
 */
function blockId(prefix, index) {
    const head = prefix.slice(0, 42);
    return Buffer.from(head + String(index).padStart(48 - head.length, '0')).toString('base64');
}
/** BlockBlobClient.uploadStream, with blocks of its own that are reused (see above). */
async function uploadStreamInBlocks(stream, bufferSize = DEFAULT_BLOCK, maxConcurrency = 5, options = {}) {
    const prefix = (0,external_node_crypto_.randomUUID)();
    const ids = [];
    const spare = [];
    const uploading = new Set();
    let failure;
    let loaded = 0;
    const stage = async (block, length) => {
        // one slot per block in flight: wait for one to come free (or for a failure)
        while (uploading.size >= Math.max(1, maxConcurrency) && !failure) {
            await Promise.race(uploading);
        }
        if (failure)
            throw failure.error;
        const id = blockId(prefix, ids.length);
        ids.push(id);
        const upload = this.stageBlock(id, block.subarray(0, length), length, {
            abortSignal: options.abortSignal,
            conditions: options.conditions,
            customerProvidedKey: options.customerProvidedKey,
            encryptionScope: options.encryptionScope,
            tracingOptions: options.tracingOptions
        }).then(() => {
            uploading.delete(upload);
            loaded += length;
            options.onProgress?.({ loadedBytes: loaded });
            spare.push(block);
        }, (error) => {
            uploading.delete(upload);
            failure ??= { error };
        });
        uploading.add(upload);
    };
    let block;
    let size = 0;
    let filled = 0;
    for await (const chunk of stream) {
        const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        let offset = 0;
        while (offset < data.length) {
            if (!block) {
                // the size of the block after those staged (ids) and the one being staged, if any
                size = blockSize(ids.length, bufferSize);
                const reused = spare.pop();
                block = reused?.length === size ? reused : Buffer.allocUnsafeSlow(size);
            }
            const copied = data.copy(block, filled, offset);
            filled += copied;
            offset += copied;
            if (filled === size) {
                await stage(block, filled);
                block = undefined;
                filled = 0;
            }
        }
        if (failure)
            throw failure.error;
    }
    if (block && filled > 0)
        await stage(block, filled);
    await Promise.all(uploading);
    if (failure)
        throw failure.error;
    return this.commitBlockList(ids, options);
}
/**
 * Runs `upload` with BlockBlobClient.uploadStream replaced by uploadStreamInBlocks; the
 * original is put back when it settles.
 */
async function withBlockUpload(upload) {
    const prototype = esm/* BlockBlobClient */.wG.prototype;
    const original = prototype.uploadStream;
    prototype.uploadStream = uploadStreamInBlocks;
    try {
        return await upload();
    }
    finally {
        prototype.uploadStream = original;
    }
}

// EXTERNAL MODULE: ./src/storage/unzip.ts
var unzip = __webpack_require__(78483);
// EXTERNAL MODULE: ./src/memory.ts + 2 modules
var memory = __webpack_require__(58547);
// EXTERNAL MODULE: ./src/types.ts
var types = __webpack_require__(16141);
;// CONCATENATED MODULE: ./src/storage/artifact.ts
/**
 * The workflow artifact, with @actions/artifact: for a backup, the zip of the dump and its
 * manifest uploaded as it is (no re-compression: the dump is compressed already), kept
 * `retention-days`; for a restore, the artifact asked for (this run's, another run's, the newest
 * of its name, by id) found and downloaded as its zip, checked against the digest recorded at
 * upload. On a public repository an unencrypted backup is refused.
 */













class ArtifactStorageError extends errors/* EngineError */.NJ {
    name = 'ArtifactStorageError';
}
/**
 * No backup artifact where one was looked for: none of that name (in the run asked for), or only
 * expired ones. check fails on it as on a stale backup (exit 3): backups stopped or never ran.
 */
class NoBackupArtifactError extends ArtifactStorageError {
    name = 'NoBackupArtifactError';
}
/** The artifact's name: the zip's file name (`.zip` is added unless the name has it). */
function artifactZipName(artifactName) {
    return /\.zip$/i.test(artifactName) ? artifactName : `${artifactName}.zip`;
}
/**
 * The names a restore looks for, given artifact-name: the zip this version uploads
 * (`<name>.zip`), then the artifact earlier versions let the client zip (`<name>`).
 */
function artifactNamesFor(artifactName) {
    const zipName = artifactZipName(artifactName);
    return zipName === artifactName ? [artifactName] : [zipName, artifactName];
}
function artifactClient() {
    return new artifact/* DefaultArtifactClient */.t9();
}
/**
 * What a run outside GitHub is told: where artifacts work, and the command line that keeps a
 * backup in a directory instead (trial u58 F3).
 */
const OUTSIDE_GITHUB = 'Artifacts can be used only inside a GitHub Actions job (the runner provides ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL). To back up or restore outside GitHub, use the command line with files: DATABASE_URL=... node dist/cli/index.js backup --output-dir backups, and restore --backup-file backups/ (README: Command line).';
/**
 * The runner's variables the artifact client needs that are not set (none inside a GitHub
 * Actions job): checked before the backup connects, so that a run outside GitHub fails at once.
 */
function missingArtifactEnvironment(env = process.env) {
    const missing = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'].filter(name => !env[name]);
    if (missing.length === 0)
        return undefined;
    return new ArtifactStorageError(`cannot upload the backup as an artifact: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set. ${OUTSIDE_GITHUB} Nothing was done.`);
}
function explainClientError(action, error) {
    const message = error?.message ?? String(error);
    if (/ACTIONS_RUNTIME_TOKEN|ACTIONS_RESULTS_URL/.test(message)) {
        return new ArtifactStorageError(`cannot ${action}: ${message}. ${OUTSIDE_GITHUB}`);
    }
    if (/quota/i.test(message)) {
        return new ArtifactStorageError(`cannot ${action}: the account's artifact storage quota is used up. Delete old artifacts, lower retention-days, or raise the storage limit in the billing settings. (${message})`);
    }
    return new ArtifactStorageError(`cannot ${action}: ${describeClientFailure(error)}`);
}
/** Tries the storage client (Azure's StorageRetryPolicy) makes before it gives up. */
const STORAGE_TRIES = 4;
/**
 * What the artifact client's error says, completed: the service that failed, the HTTP status
 * and the attempts made, when the client's own message leaves them out (the storage answers a
 * 503 with no body, and its error then has no message at all), and what to do.
 */
function describeClientFailure(error) {
    const e = error;
    const message = (e?.message ?? String(error)).trim();
    const again = "Nothing usable was uploaded. GitHub's artifact service is failing: run the backup again later (https://www.githubstatus.com shows outages).";
    if (typeof e?.statusCode === 'number') {
        // the blob storage client's RestError: its message is the body of the answer, often empty
        // (its first line: the rest is the storage's request id and time)
        const first = message.split('\n')[0].trim();
        const detail = [typeof e.code === 'string' ? e.code : '', first].filter(Boolean).join(': ');
        return `GitHub's artifact storage (Azure Blob Storage) answered HTTP ${e.statusCode}${detail ? ` (${detail})` : ''} to each of ${STORAGE_TRIES} tries. ${e.statusCode >= 500 || e.statusCode === 429 ? again : 'Nothing usable was uploaded.'}`;
    }
    const twirp = /^Failed to (\w+): Failed to make request after (\d+) attempts: (.*)$/s.exec(message);
    if (twirp) {
        const [, method, attempts, cause] = twirp;
        const answer = /JSON/.test(cause)
            ? `answers that were not JSON (${cause}: an outage, or a proxy between the runner and GitHub)`
            : cause;
        return `GitHub's artifact service (${method}) failed ${attempts} attempts: ${answer}. ${again}`;
    }
    if (message === '') {
        return `the artifact client failed without saying why (${e?.name ?? 'an error'} with no message). ${again}`;
    }
    return message;
}
/**
 * Before anything is dumped: an artifact of this name in this run is an error unless
 * `overwrite` is set (then it is replaced only once the new backup is ready).
 */
async function checkNameIsFree(client, name, overwrite) {
    try {
        await client.getArtifact(name);
    }
    catch (error) {
        if (error instanceof artifact/* ArtifactNotFoundError */.CL || /not found/i.test(String(error))) {
            return { exists: false };
        }
        const message = error?.message ?? String(error);
        if (/ACTIONS_RUNTIME_TOKEN|ACTIONS_RESULTS_URL/.test(message)) {
            throw explainClientError('look up existing artifacts', error);
        }
        // the lookup is a courtesy (fail before a long dump); the upload itself still refuses a taken
        // name, so a backend that cannot list artifacts does not stop the backup (the warning is the
        // caller's to log: the lookup runs beside the connection, its group comes after)
        return {
            exists: undefined,
            warning: `Could not check whether an artifact named '${name}' exists (${message}); going on: the upload will say so if it does.`
        };
    }
    if (!overwrite) {
        throw new errors/* SettingError */.L_('artifactName', `an artifact named '${name}' already exists in this workflow run. Choose another artifact-name, or set 'overwrite: true' to replace it.`);
    }
    return { exists: true };
}
/**
 * The name a replacing backup is uploaded under first: the run's artifact names are unique, so
 * the new backup is held whole under this name before the old one is deleted.
 */
function replacementName(name) {
    return name.replace(/(\.zip)?$/i, '.replacing$1');
}
/**
 * Uploads the backup's zip as it is (skipArchive: the client neither re-zips nor re-compresses
 * it); the artifact is named after the file. `zipPath` may be a named pipe still being written.
 *
 * Replacing an artifact of this run (a file, never a pipe): GitHub keeps one artifact per name
 * and run, so the zip is uploaded twice \u2014 first as `<name>.replacing.zip`; only once that is
 * finalized is the old artifact deleted, the zip uploaded under its own name, and the temporary
 * one deleted. When an upload fails the run keeps a whole backup: the old one (first upload),
 * or the temporary one (second upload; the error names it).
 */
async function uploadBackup(client, options) {
    const name = external_node_path_default().basename(options.zipPath);
    if (options.replaceExisting === false)
        return uploadOnce(client, options);
    let exists = options.replaceExisting;
    if (exists === undefined) {
        // not known: look again (a backend that cannot say takes the safe way)
        exists = await client.getArtifact(name).then(() => true, error => !(error instanceof artifact/* ArtifactNotFoundError */.CL || /not found/i.test(String(error))));
    }
    if (!exists)
        return uploadOnce(client, options);
    const temporary = replacementName(name);
    const temporaryPath = external_node_path_default().join(external_node_path_default().dirname(options.zipPath), temporary);
    await (0,promises_.link)(options.zipPath, temporaryPath).catch(() => (0,promises_.copyFile)(options.zipPath, temporaryPath));
    let held;
    try {
        held = await uploadOnce(client, { ...options, zipPath: temporaryPath });
    }
    catch (error) {
        // a failed upload may have left a pending or partial artifact under the temporary name
        await deleteArtifactQuietly(client, temporary);
        throw explainClientError(`upload the new backup (as '${temporary}', before replacing '${name}'); the artifact '${name}' it was to replace is kept, unchanged`, error);
    }
    finally {
        await (0,promises_.rm)(temporaryPath, { force: true });
    }
    log/* log */.Rm.info(`The new backup is held as artifact '${temporary}' (id ${held.id}); replacing '${name}'.`);
    try {
        await client.deleteArtifact(name);
    }
    catch (error) {
        const notFound = error instanceof artifact/* ArtifactNotFoundError */.CL || /not found/i.test(String(error));
        if (!notFound) {
            throw explainClientError(`delete the artifact '${name}' to replace it; it is kept, and the new backup is artifact '${temporary}' (id ${held.id})`, error);
        }
    }
    let uploaded;
    try {
        uploaded = await uploadOnce(client, options);
    }
    catch (error) {
        throw explainClientError(`upload the artifact '${name}' after the old one was deleted; the new backup is kept as artifact '${temporary}' (id ${held.id}) \u2014 restore it with artifact-id: ${held.id}`, error);
    }
    if (!(await deleteArtifactQuietly(client, temporary))) {
        log/* log */.Rm.warning(`Could not delete the temporary artifact '${temporary}' (id ${held.id}), a copy of '${name}'; delete it in the run's Artifacts.`);
    }
    return uploaded;
}
/**
 * The zip the client will read is a file that can be read (or the live upload's named pipe).
 * The client reads it through a stream whose read error is never handled: an unreadable zip
 * (a folder, an I/O error) would end the process with an uncaught exception and no summary, or
 * leave the upload waiting for bytes that never come.
 */
async function checkReadable(zipPath) {
    let reason;
    try {
        const info = await (0,promises_.stat)(zipPath);
        if (info.isFIFO())
            return;
        if (!info.isFile())
            reason = 'it is not a file';
        else {
            const handle = await (0,promises_.open)(zipPath, 'r');
            try {
                await handle.read(Buffer.alloc(1), 0, 1, 0);
            }
            finally {
                await handle.close();
            }
        }
    }
    catch (error) {
        reason = error?.message ?? String(error);
    }
    if (reason !== undefined) {
        throw new ArtifactStorageError(`cannot upload the artifact: the backup's zip ${zipPath} cannot be read (${reason}); nothing was uploaded. Check the runner's disk under RUNNER_TEMP and run the backup again.`);
    }
}
async function uploadOnce(client, options) {
    const name = external_node_path_default().basename(options.zipPath);
    await checkReadable(options.zipPath);
    let response;
    // a block (4 MiB, block-upload.ts) is buffered per concurrent upload: 3 at once (instead of the
    // client's 5) keep the action's memory bounded; ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY set by the
    // user still wins
    const concurrency = process.env.ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY;
    if (!concurrency) {
        process.env.ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY = String(options.concurrency ?? 3);
    }
    try {
        // its blocks from buffers that are reused, not gathered from the zip's chunks (block-upload.ts)
        response = await withBlockUpload(() => client.uploadArtifact(name, [options.zipPath], external_node_path_default().dirname(options.zipPath), {
            retentionDays: options.retentionDays,
            skipArchive: true
        }));
    }
    catch (error) {
        if (/already exists/i.test(String(error?.message))) {
            throw new errors/* SettingError */.L_('artifactName', `an artifact named '${name}' already exists in this workflow run. Choose another artifact-name, or set 'overwrite: true' to replace it.`);
        }
        throw explainClientError('upload the artifact', error);
    }
    finally {
        if (!concurrency)
            delete process.env.ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY;
    }
    if (!response.id) {
        throw new ArtifactStorageError('the artifact backend did not return an artifact id');
    }
    return {
        id: response.id,
        name,
        size: response.size ?? 0,
        digest: response.digest ?? '',
        url: artifactUrl(response.id)
    };
}
/** Deletes this run's artifact of that name; false when it could not. */
async function deleteArtifactQuietly(client, name) {
    try {
        await client.deleteArtifact(name);
        return true;
    }
    catch {
        return false;
    }
}
/** The page users download from: Actions \u2192 run \u2192 Artifacts. */
function artifactUrl(id, env = process.env) {
    const server = env.GITHUB_SERVER_URL;
    const repository = env.GITHUB_REPOSITORY;
    const runId = env.GITHUB_RUN_ID;
    if (!server || !repository || !runId)
        return undefined;
    return `${server}/${repository}/actions/runs/${runId}/artifacts/${id}`;
}
/** "push on main, .github/workflows/backup.yml" (", code from owner/fork" for a fork's run) */
function describeOrigin(origin) {
    const what = [origin.event, origin.branch && `on ${origin.branch}`].filter(Boolean).join(' ');
    return [
        what,
        origin.workflow,
        origin.foreign && `code from ${origin.headRepository ?? 'another repository'}`
    ]
        .filter(Boolean)
        .join(', ');
}
/**
 * Where an artifact chosen explicitly (artifact-id, a run-id, or artifact-from: any) came from:
 * its run's event, branch, workflow and head repository, said in the log and the summary as for
 * the default choice; a run of another repository's code (a fork's pull request, which can
 * upload any file under any name) is warned of \u2014 the choice stands, it was asked for (attacker
 * a41 F2: a run id handed to an operator). GitHub not answering about the run is said, not fatal.
 */
async function explicitOrigin(octokit, repository, a) {
    const runId = a.workflow_run?.id;
    if (!runId)
        return a;
    const [owner, repo] = repository.split('/');
    let run;
    try {
        run = (await octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: runId }))
            .data;
    }
    catch (error) {
        log/* log */.Rm.info(`Could not read run ${runId} of ${repository} to say where artifact ${a.id} came from (${error?.status ?? error?.message ?? error}).`);
        // the artifact's own record still names the repositories (re-attack a42 F3)
        const w = a.workflow_run;
        if (w?.repository_id !== undefined && w.head_repository_id !== w.repository_id) {
            const origin = { branch: w.head_branch ?? undefined, foreign: true };
            log/* log */.Rm.warning(`Artifact ${a.id} was made by run ${runId}, which ran code from another repository than ${repository} (a fork's${w.head_repository_id === undefined || w.head_repository_id === null ? ', deleted or unknown' : ''}): a pull request from a fork can upload any file under any artifact name. It is restored because it was named explicitly; restore it only if you trust that run.`);
            return Object.assign(a, { origin });
        }
        return a;
    }
    // a fork's run: its head repository another (or gone: a deleted fork's run names none)
    const w = a.workflow_run;
    const foreign = run.head_repository
        ? run.repository
            ? run.head_repository.id !== run.repository.id
            : run.head_repository.full_name.toLowerCase() !== repository.toLowerCase()
        : w?.repository_id !== undefined && w.head_repository_id !== w.repository_id;
    const origin = {
        branch: run.head_branch ?? a.workflow_run?.head_branch ?? undefined,
        event: run.event,
        workflow: run.path,
        headRepository: run.head_repository?.full_name ?? (foreign ? 'a deleted or unknown repository' : repository),
        ...(foreign ? { foreign } : {})
    };
    log/* log */.Rm.info(`Artifact ${a.id} of run ${runId}: ${describeOrigin(origin)}.`);
    if (foreign)
        log/* log */.Rm.warning(`Artifact ${a.id} was made by run ${runId} (${describeOrigin(origin)}), which ran code from ${origin.headRepository}, not ${repository}'s own: a pull request from a fork can upload any file under any artifact name. It is restored because it was named explicitly; restore it only if you trust that run.`);
    return Object.assign(a, { origin });
}
function restClient(token) {
    if (!token) {
        throw new errors/* SettingError */.L_('githubToken', "is empty. Backups of other runs are looked up through GitHub's API: pass a token (the default is the workflow's own token, ${{ github.token }}) and give the workflow 'permissions: actions: read'.");
    }
    return (0,github/* getOctokit */.Q)(token, { baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com' });
}
function explainApiError(error, what, repository) {
    const status = error?.status;
    if (status === 401) {
        return new errors/* SettingError */.L_('githubToken', `was refused by GitHub's API (401 Bad credentials) while looking up ${what}.`);
    }
    if (status === 403) {
        return new errors/* SettingError */.L_('githubToken', `may not read the artifacts of ${repository} (403) while looking up ${what}. Add 'permissions: { actions: read, contents: read }' to the workflow, or for another repository pass a token with actions: read on it.`);
    }
    if (status === 404) {
        return new ArtifactStorageError(`${what} was not found in ${repository} (404). Check the repository, run-id or artifact-id; a token without 'actions: read' also sees 404 \u2014 add 'permissions: { actions: read }' to the workflow.`);
    }
    return new ArtifactStorageError(`cannot look up ${what}: ${error?.message ?? error}`);
}
function stripDigest(digest) {
    if (!digest)
        return undefined;
    return digest.replace(/^sha256:/, '');
}
function fromRest(a, repository) {
    return {
        origin: a.origin,
        id: a.id,
        name: a.name,
        repository,
        runId: a.workflow_run?.id ?? undefined,
        digest: stripDigest(a.digest),
        createdAt: a.created_at ? new Date(a.created_at) : undefined,
        size: a.size_in_bytes
    };
}
function expiredError(a, repository) {
    return new NoBackupArtifactError(`the artifact '${a.name}' (id ${a.id}) in ${repository} expired${a.expires_at ? ` on ${a.expires_at}` : ''}; GitHub no longer keeps its files. Restore a newer backup, or keep backups longer with retention-days.`);
}
/** Finds the backup artifact a restore asks for: by id, in a given run, in this run, or the newest. */
async function findBackupArtifact(client, source) {
    const [owner, repo] = source.repository.split('/');
    const names = source.kind === 'artifact' ? artifactNamesFor(source.name) : [];
    if (source.kind === 'artifact' && source.runId === 'current') {
        for (const name of names) {
            try {
                const { artifact } = await client.getArtifact(name);
                return {
                    id: artifact.id,
                    name: artifact.name,
                    repository: source.repository,
                    runId: Number(process.env.GITHUB_RUN_ID) || undefined,
                    digest: stripDigest(artifact.digest),
                    createdAt: artifact.createdAt,
                    size: artifact.size
                };
            }
            catch (error) {
                if (error instanceof artifact/* ArtifactNotFoundError */.CL || /not found/i.test(String(error)))
                    continue;
                throw explainClientError('look up the artifact in this run', error);
            }
        }
        throw new NoBackupArtifactError(`no artifact named '${names.join("' or '")}' exists in this workflow run (run-id: current). Run the backup step earlier in this run, or leave run-id empty for the latest backup.`);
    }
    const octokit = restClient(source.token);
    if (source.kind === 'artifact-id') {
        let a;
        try {
            a = (await octokit.rest.actions.getArtifact({ owner, repo, artifact_id: source.id }))
                .data;
        }
        catch (error) {
            throw explainApiError(error, `artifact ${source.id}`, source.repository);
        }
        if (a.expired)
            throw expiredError(a, source.repository);
        return fromRest(await explicitOrigin(octokit, source.repository, a), source.repository);
    }
    const artifacts = [];
    const what = source.runId === 'latest'
        ? `artifacts named '${names.join("' or '")}'`
        : `artifacts named '${names.join("' or '")}' of run ${source.runId}`;
    try {
        for (const name of names) {
            if (source.runId === 'latest') {
                artifacts.push(...(await octokit.paginate(octokit.rest.actions.listArtifactsForRepo, {
                    owner,
                    repo,
                    name,
                    per_page: 100
                })));
            }
            else {
                artifacts.push(...(await octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, {
                    owner,
                    repo,
                    run_id: source.runId,
                    name,
                    per_page: 100
                })));
            }
        }
    }
    catch (error) {
        throw explainApiError(error, what, source.repository);
    }
    const named = artifacts.filter(a => names.includes(a.name));
    const newestFirst = named.sort((a, b) => Date.parse(b.created_at ?? '') - Date.parse(a.created_at ?? ''));
    const live = source.runId === 'latest' && ((source.from ?? 'default-branch') !== 'any' || source.workflow)
        ? await newestTrusted(octokit, source, newestFirst, names)
        : newestOf(newestFirst, source);
    if (!live) {
        if (newestFirst.length > 0)
            throw expiredError(newestFirst[0], source.repository);
        throw new NoBackupArtifactError(source.runId === 'latest'
            ? `no artifact named '${names.join("' or '")}' exists in ${source.repository}. Check artifact-name (the backup step's artifact-name), and that a backup has run.`
            : `run ${source.runId} of ${source.repository} has no artifact named '${names.join("' or '")}'. Check run-id and artifact-name.`);
    }
    // the default choice said where its artifact came from (newestTrusted); an explicit one too
    return fromRest(live.origin
        ? live
        : await explicitOrigin(octokit, source.repository, live), source.repository);
}
/**
 * The newest live one of `newestFirst`; when it is one of several of the name (one run that
 * uploaded twice, 'db' beside 'db.zip'), which was taken and which not is said (attacker a58 F4:
 * the newer of two was restored without a word).
 */
function newestOf(newestFirst, source) {
    const live = newestFirst.filter(a => !a.expired);
    const chosen = live[0];
    if (chosen && live.length > 1)
        log/* log */.Rm.info(`${source.runId === 'latest' ? source.repository : `Run ${source.runId}`} holds ${live.length} artifacts named as asked: took the newest, ${describeArtifact(chosen)}; not ${live
            .slice(1, 6)
            .map(describeArtifact)
            .join(', ')}${live.length > 6 ? `, and ${live.length - 6} more` : ''}. Choose another by artifact-id.`);
    return chosen;
}
function describeArtifact(a) {
    return `'${a.name}' (artifact ${a.id}, ${a.created_at ?? 'of unknown date'})`;
}
/**
 * Among artifacts (newest first), the newest live one a run of this repository's own code made
 * (workflow_run.head_repository_id is the repository's id: a pull request from a fork has its
 * fork's) on the default branch unless `from` is 'any-branch', started by push, schedule or
 * workflow_dispatch (GET \u2026/actions/runs/{id}). On the default branch means its head_branch is the
 * branch's name AND its commit is in the branch's history (onDefaultBranch): a run on a tag
 * named like the branch reports the tag's name as head_branch. Every newer artifact passed over
 * is logged with why. Undefined when none is live at all; an ArtifactStorageError when only
 * others' are; a SettingError('artifactFrom') when GitHub cannot say whether the commit of the
 * candidate is on the default branch (fails closed).
 */
async function newestTrusted(octokit, source, newestFirst, names) {
    const from = source.from ?? 'default-branch';
    const [owner, repo] = source.repository.split('/');
    const live = newestFirst.filter(a => !a.expired);
    if (live.length === 0)
        return undefined;
    let repository;
    try {
        repository = (await octokit.rest.repos.get({ owner, repo })).data;
    }
    catch (error) {
        throw explainApiError(error, `the repository ${source.repository}`, source.repository);
    }
    const runs = new Map();
    const runOf = async (runId) => {
        let run = runs.get(runId);
        if (!run) {
            try {
                run = (await octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: runId }))
                    .data;
            }
            catch (error) {
                throw explainApiError(error, `run ${runId}`, source.repository);
            }
            runs.set(runId, run);
        }
        return run;
    };
    const onMain = new Map();
    const passedOver = [];
    const trusted = types/* TRUSTED_RUN_EVENTS */.uP;
    const any = from === 'any';
    /** Why an artifact is not one the default choice takes, by what the list says of its run. */
    const listedReason = (a) => {
        if (!a.workflow_run?.id)
            return 'GitHub names no run for it';
        if (any)
            return undefined;
        if (a.workflow_run.head_repository_id !== repository.id)
            return "made by code from another repository (a fork's pull request)";
        if (from === 'default-branch' && a.workflow_run.head_branch !== repository.default_branch)
            return `ran on branch '${a.workflow_run.head_branch ?? '?'}', not the default branch '${repository.default_branch}'`;
        return undefined;
    };
    /** \u2026and by its run's own record. */
    const runReason = (run) => {
        if (!any && run.head_repository && run.head_repository.id !== repository.id)
            return `its run ran code from ${run.head_repository.full_name}`;
        if (!any && !trusted.includes(run.event))
            return `started by ${run.event}, not by ${types/* TRUSTED_RUN_EVENTS */.uP.join(', ')}`;
        if (source.workflow && !sameWorkflow(run.path, source.workflow))
            return `made by the workflow ${run.path ?? '(unnamed)'}, not ${source.workflow} (artifact-workflow)`;
        return undefined;
    };
    /**
     * The workflows besides `chosen` whose runs made one of `older` that the choice would take
     * but for its age (the commit's place on the branch aside): their path, newest first. Each run
     * read once (a few at a time).
     */
    const otherWorkflows = async (older, chosen) => {
        const candidates = older.filter(a => listedReason(a) === undefined);
        const ids = [...new Set(candidates.map(a => a.workflow_run.id))];
        for (let i = 0; i < ids.length; i += 5)
            await Promise.all(ids.slice(i, i + 5).map(runOf));
        const found = new Map();
        for (const a of candidates) {
            const run = runs.get(a.workflow_run.id);
            if (runReason(run) !== undefined || run.path === chosen)
                continue;
            const path = run.path ?? '(unnamed)';
            if (!found.has(path))
                found.set(path, { path, artifact: a.id, run: run.id, created: a.created_at });
        }
        return [...found.values()];
    };
    for (const a of live) {
        const runId = a.workflow_run?.id;
        const label = `artifact ${a.id}${runId ? ` of run ${runId}` : ''}`;
        const listed = listedReason(a);
        if (listed || !runId) {
            passedOver.push(`${label}: ${listed ?? 'GitHub names no run for it'}`);
            continue;
        }
        const run = await runOf(runId);
        const reason = runReason(run);
        if (reason) {
            passedOver.push(`${label}: ${reason}`);
            continue;
        }
        if (from === 'default-branch') {
            const sha = run.head_sha ?? a.workflow_run?.head_sha ?? undefined;
            if (!sha) {
                passedOver.push(`${label}: GitHub names no commit for its run`);
                continue;
            }
            let reachable = onMain.get(sha);
            if (reachable === undefined) {
                reachable = await onDefaultBranch(octokit, source.repository, repository.default_branch, {
                    runId,
                    sha
                });
                onMain.set(sha, reachable);
            }
            if (!reachable) {
                passedOver.push(`${label}: its commit ${sha.slice(0, 12)} is not in the history of the default branch '${repository.default_branch}' (a run on a tag named '${repository.default_branch}' reports that name as its branch)`);
                continue;
            }
        }
        const origin = {
            branch: run.head_branch ?? a.workflow_run?.head_branch ?? undefined,
            event: run.event,
            workflow: run.path,
            headRepository: run.head_repository?.full_name ?? source.repository
        };
        for (const line of passedOver.slice(0, 20))
            log/* log */.Rm.info(`Passed over ${line}.`);
        if (passedOver.length > 20)
            log/* log */.Rm.info(`Passed over ${passedOver.length - 20} more.`);
        // the name uploaded by several workflows (a CI job backing up its service container on
        // every push, beside the nightly backup): which database is meant cannot be told (trial a58)
        if (!source.workflow && !any) {
            const others = await otherWorkflows(live.slice(live.indexOf(a) + 1), run.path);
            if (others.length > 0)
                throw new errors/* SettingError */.L_('artifactWorkflow', `the artifact name '${source.name}' is uploaded by more than one workflow of ${source.repository}: the newest, artifact ${a.id} of run ${runId} (${a.created_at ?? '?'}), by ${run.path ?? '(unnamed)'}; and ${others.map(o => `${o.path} (its newest: artifact ${o.artifact} of run ${o.run}, ${o.created ?? '?'})`).join('; ')}. They may hold different databases (a CI job's test database beside the nightly backup); nothing was restored. Set artifact-workflow to the workflow whose backups to restore (e.g. artifact-workflow: ${external_node_path_default().posix.basename(run.path ?? 'backup.yml')}), choose one artifact by run-id or artifact-id, or give each workflow's backups a name of their own (artifact-name).`);
        }
        log/* log */.Rm.info(`Chose artifact ${a.id} of run ${runId}: ${describeOrigin(origin)}.`);
        return Object.assign(a, { origin });
    }
    const scope = from === 'default-branch'
        ? `on its default branch '${repository.default_branch}'`
        : 'on any of its branches';
    throw new errors/* SettingError */.L_('artifactFrom', `none of the ${(0,log/* plural */.LS)(live.length, 'artifact')} named '${names.join("' or '")}' in ${source.repository} was made by a run of the repository's own code ${scope} started by ${types/* TRUSTED_RUN_EVENTS */.uP.join(', ')}; artifacts of other runs are not restored unasked (a pull request from a fork can upload any artifact name). Passed over: ${passedOver.slice(0, 5).join('; ')}${passedOver.length > 5 ? `; and ${passedOver.length - 5} more` : ''}. Choose one by run-id or artifact-id, or widen the runs considered ('any-branch', or 'any' if you trust every run).`);
}
/**
 * Whether a run's workflow `path` (.github/workflows/backup.yml) is the one artifact-workflow
 * names: the same path, or the same file name when it gives only a name.
 */
function sameWorkflow(runPath, wanted) {
    if (!runPath)
        return false;
    const clean = (p) => p.replace(/^\.\//, '');
    return wanted.includes('/')
        ? clean(runPath) === clean(wanted)
        : external_node_path_default().posix.basename(runPath) === wanted;
}
/**
 * Whether `run.sha` is in the history of `branch` (the default branch): GitHub's compare API
 * (GET /repos/{owner}/{repo}/compare/{branch}...{sha}, needs contents: read) answers status
 * 'identical' or 'behind' exactly when the commit is reachable from the branch ('ahead' or
 * 'diverged' otherwise). Any other answer (403 without contents: read, 404 for an unknown commit
 * or a token that may not see the repository, 422) is a SettingError('artifactFrom') naming the
 * run and how to choose an artifact explicitly: the default choice is never made unchecked.
 */
async function onDefaultBranch(octokit, repository, branch, run) {
    const [owner, repo] = repository.split('/');
    let status;
    try {
        const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
            owner,
            repo,
            basehead: `${branch}...${run.sha}`,
            per_page: 1
        });
        status = data.status;
    }
    catch (error) {
        const code = error?.status;
        const because = code === 403
            ? "403: the token may not read the repository's contents \u2014 add 'contents: read' to the workflow's permissions"
            : code === 404
                ? "404: the commit is unknown to GitHub, or the token may not read the repository's contents \u2014 add 'contents: read' to the workflow's permissions"
                : `${code ?? 'no answer'}: ${error?.message ?? error}`;
        throw new errors/* SettingError */.L_('artifactFrom', `cannot check that run ${run.runId} (commit ${run.sha.slice(0, 12)}) ran on the default branch '${branch}' of ${repository}: GitHub's compare API answered ${because}. A tag named '${branch}' reports that name as its branch, so its artifact is not taken unchecked; nothing was restored. Choose the artifact explicitly with run-id or artifact-id, or fix the token.`, { cause: error });
    }
    return status === 'identical' || status === 'behind';
}
/**
 * Downloads the artifact's zip as it is (not extracted) into `directory`, and checks its sha256
 * against the digest the backend recorded at upload. Returns the zip's path and digest.
 */
async function downloadArtifactZip(client, found, source, directory, 
/** Filled in as the download begins: stops taking the dump's hashes on the way (live-zip.ts does). */
watch = {}) {
    await (0,promises_.mkdir)(directory, { recursive: true });
    // the zip is written whole before anything is read: it must fit
    const free = await freeBytes(directory);
    if (found.size !== undefined && free !== undefined && found.size > free) {
        throw new ArtifactStorageError(`artifact ${found.id} is ${(0,log/* formatBytes */.z3)(found.size)}, more than the ${(0,log/* formatBytes */.z3)(free)} free in ${directory} (RUNNER_TEMP); nothing was downloaded or restored. Free disk space on the runner, point RUNNER_TEMP at a larger disk, or use a larger runner.`);
    }
    const currentRun = source.kind === 'artifact' && source.runId === 'current';
    const [owner, repo] = found.repository.split('/');
    let digestMismatch;
    const observing = observeWritesInto(directory);
    watch.stopObserving = observing.stop;
    try {
        // the client hashes the bytes as they arrive and compares them with the recorded digest
        // (and the dump's own sha256 and CRC-32 are taken on the way: observeWritesInto)
        const response = await client.downloadArtifact(found.id, {
            path: directory,
            skipDecompress: true,
            expectedHash: found.digest ? `sha256:${found.digest}` : undefined,
            ...(currentRun
                ? {}
                : {
                    findBy: {
                        token: source.token,
                        workflowRunId: found.runId ?? 0,
                        repositoryOwner: owner,
                        repositoryName: repo
                    }
                })
        });
        digestMismatch = response.digestMismatch;
    }
    catch (error) {
        await (0,promises_.rm)(directory, { recursive: true, force: true });
        const code = error?.code;
        if (code === 'ENOSPC' || code === 'EDQUOT' || /ENOSPC|no space left/i.test(String(error))) {
            throw new ArtifactStorageError(`the disk is full: no space left while downloading artifact ${found.id}${found.size ? ` (${(0,log/* formatBytes */.z3)(found.size)})` : ''} into ${directory} (RUNNER_TEMP); nothing was restored and the partial download was removed. Free disk space on the runner, point RUNNER_TEMP at a larger disk, or use a larger runner.`);
        }
        throw explainClientError(`download artifact ${found.id}`, error);
    }
    finally {
        observing.restore();
    }
    const files = await (0,promises_.readdir)(directory);
    if (files.length !== 1) {
        throw new ArtifactStorageError(`the download of artifact ${found.id} produced ${(0,log/* plural */.LS)(files.length, 'file')}, expected one zip`);
    }
    const zipPath = external_node_path_default().join(directory, files[0]);
    if (digestMismatch) {
        const sha256 = await (0,digest/* sha256Of */.Bj)({ path: zipPath });
        throw new ArtifactStorageError(`the downloaded artifact ${found.id} does not match the digest GitHub recorded at upload (sha256 ${sha256} \u2260 ${found.digest}); it is corrupted. Nothing was restored.`);
    }
    const sha256 = found.digest ?? (await (0,digest/* sha256Of */.Bj)({ path: zipPath }));
    // what was seen is what the file holds (every byte of it), or it is read again
    const observer = observing.observed(zipPath);
    if (observer && observer.seen === (await (0,promises_.stat)(zipPath)).size)
        (0,unzip/* zipSeen */.xB)(zipPath, observer);
    return { zipPath, sha256 };
}
/**
 * The artifact client (@actions/artifact 6.2.1, download-artifact.js) writes the zip it
 * downloads with fs.createWriteStream(path) and pipes the response into it: while the download
 * runs, a file created in `directory` that way is watched, and its bytes are shown to a
 * ZipHeadObserver as they are piped in, which takes the sha256 and CRC-32 of the dump (the zip's
 * first entry) on the way. The restore then need not read the dump a second time to check it
 * (hashEntry): on a runner that pass ran after the download (at the 4 GB bench size, 1.28 GB of
 * reading, CRC-32 and sha256 after the last byte arrived); here it overlaps the download. Where
 * node:fs cannot be patched for the client (under jest) or it writes otherwise, nothing is seen
 * and the dump is read again, as before. fs.createWriteStream is put back when the download
 * settles.
 */
/** How many downloaded bytes between two minor collections (see memory.ts). */
const DOWNLOAD_SCAVENGE_BYTES = 4 * 1024 * 1024;
function observeWritesInto(directory) {
    const original = (external_node_fs_default()).createWriteStream;
    const folder = external_node_path_default().resolve(directory);
    const observers = new Map();
    let stopped = false;
    const patched = function (file, options) {
        const stream = original.call(this, file, options);
        if (typeof file === 'string' && external_node_path_default().dirname(external_node_path_default().resolve(file)) === folder) {
            const observer = new unzip/* ZipHeadObserver */.OG();
            if (stopped)
                observer.stop();
            observers.set(external_node_path_default().resolve(file), observer);
            // pipe() says so synchronously, before the first byte flows
            // the client's chunks are garbage once written: collected every few MiB (memory.ts); and
            // what the load's feed holds meanwhile, promoted by these collections, before it piles up
            const scavenge = (0,memory/* scavengeEvery */.AW)(DOWNLOAD_SCAVENGE_BYTES, { promoted: true });
            stream.once('pipe', (source) => source.on('data', (chunk) => {
                observer.push(chunk);
                scavenge(chunk.length);
            }));
        }
        return stream;
    };
    const restore = () => {
        if ((external_node_fs_default()).createWriteStream !== patched)
            return;
        (external_node_fs_default()).createWriteStream = original;
        (0,external_node_module_.syncBuiltinESMExports)();
    };
    (external_node_fs_default()).createWriteStream = patched;
    (0,external_node_module_.syncBuiltinESMExports)();
    const stop = () => {
        stopped = true;
        for (const observer of observers.values())
            observer.stop();
    };
    return { observed: file => observers.get(external_node_path_default().resolve(file)), restore, stop };
}
/** Bytes free for this user in `directory`'s file system; undefined when it cannot be told. */
async function freeBytes(directory) {
    try {
        const fs = await (0,promises_.statfs)(directory);
        return fs.bavail * fs.bsize;
    }
    catch {
        return undefined;
    }
}
/** The repository's visibility, from the event payload the runner provides. */
function repositoryVisibility(env = process.env) {
    const file = env.GITHUB_EVENT_PATH;
    if (!file || !(0,external_node_fs_.existsSync)(file))
        return 'unknown';
    try {
        const event = JSON.parse((0,external_node_fs_.readFileSync)(file, 'utf8'));
        const repo = event.repository;
        if (!repo)
            return 'unknown';
        if (repo.private === false || repo.visibility === 'public')
            return 'public';
        if (repo.private === true)
            return 'private';
        return 'unknown';
    }
    catch {
        return 'unknown';
    }
}
/** On a public repository an unencrypted artifact is readable by anyone signed in to GitHub. */
function checkPrivacy(encrypted, allowUnencryptedPublic) {
    if (encrypted || allowUnencryptedPublic)
        return;
    if (repositoryVisibility() !== 'public')
        return;
    throw new errors/* SettingError */.L_('encryptionRecipients', "is empty, and this repository is public: anyone signed in to GitHub can download its artifacts, so an unencrypted backup would publish the database. Set encryption-recipients (age public keys; recommended) or encryption-passphrase \u2014 or, only if the data is public anyway, 'allow-unencrypted-public: true'.");
}


/***/ })

};
