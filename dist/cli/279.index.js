export const id = 279;
export const ids = [279];
export const modules = {

/***/ 69279:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   DEFAULT_PART_SIZE_BYTES: () => (/* binding */ DEFAULT_PART_SIZE_BYTES),
/* harmony export */   DEFAULT_QUEUE_SIZE: () => (/* binding */ DEFAULT_QUEUE_SIZE),
/* harmony export */   S3EndpointError: () => (/* binding */ S3EndpointError),
/* harmony export */   S3StorageError: () => (/* binding */ S3StorageError),
/* harmony export */   createS3Client: () => (/* binding */ createS3Client),
/* harmony export */   deleteObjectQuietly: () => (/* binding */ deleteObjectQuietly),
/* harmony export */   downloadObject: () => (/* binding */ downloadObject),
/* harmony export */   explainS3Error: () => (/* binding */ explainS3Error),
/* harmony export */   findNewestBackup: () => (/* binding */ findNewestBackup),
/* harmony export */   getObjectText: () => (/* binding */ getObjectText),
/* harmony export */   objectSize: () => (/* binding */ objectSize),
/* harmony export */   putSmallObject: () => (/* binding */ putSmallObject),
/* harmony export */   uploadSink: () => (/* binding */ uploadSink),
/* harmony export */   uploadStream: () => (/* binding */ uploadStream)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(53711);
/* harmony import */ var _aws_sdk_lib_storage__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(22358);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(46466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var _pipeline_digest_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(29912);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(83916);
/* harmony import */ var _s3_uri_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(78150);
/**
 * Long-term copies in S3-compatible object storage (AWS S3, MinIO, Ceph, R2, B2, \u2026) with the AWS
 * SDK v3. Credentials come only from the SDK's default provider chain (AWS_ACCESS_KEY_ID/\u2026, or
 * OIDC web identity set up by aws-actions/configure-aws-credentials), never from inputs.
 *
 * Uploads stream as multipart (lib-storage) with SHA-256 checksums on every part; memory stays
 * near partSize \u00d7 (queueSize + 1). Fails closed: on any failure (the source stream fails, the
 * caller aborts, the service refuses) the multipart upload is aborted once the parts in flight
 * have settled, so no parts are left behind and nothing appears under the key. Tags are sent with
 * the object (x-amz-tagging), so an object never exists untagged.
 */









const DEFAULT_PART_SIZE_BYTES = 16 * 1024 * 1024;
const DEFAULT_QUEUE_SIZE = 2;
/** S3's limits: parts of 5 MiB to 5 GiB, at most 10 tags on an object. */
const MIN_PART_SIZE_BYTES = 5 * 1024 * 1024;
const MAX_PART_SIZE_BYTES = 5 * 1024 * 1024 * 1024;
const MAX_TAGS = 10;
/** Manifests read at once while looking for the newest backup. */
const MANIFEST_READ_CONCURRENCY = 8;
const REQUIRED_PERMISSIONS = 's3:PutObject, s3:PutObjectTagging and s3:AbortMultipartUpload on the objects (arn:aws:s3:::BUCKET/PREFIX*), s3:ListBucket on the bucket (arn:aws:s3:::BUCKET), and s3:GetObject to restore';
/** An endpoint URL that cannot be used; the caller maps it to its input. */
class S3EndpointError extends _errors_js__WEBPACK_IMPORTED_MODULE_6__/* .ValueError */ .Qp {
    name = 'S3EndpointError';
}
/** A failed request, explained: what failed, why, and what to do. `code` is the service's. */
class S3StorageError extends _errors_js__WEBPACK_IMPORTED_MODULE_6__/* .EngineError */ .NJ {
    code;
    constructor(message, code) {
        super(message);
        this.code = code;
        this.name = 'S3StorageError';
    }
}
/**
 * An S3 client on the default credential chain. Checksums are computed and validated only where
 * an operation requires them or a request asks for them (WHEN_REQUIRED): the SDK's newer default
 * adds CRC32 checksums and aws-chunked bodies to every upload, which many S3-compatible services
 * reject or store verbatim.
 */
function createS3Client(options = {}) {
    const endpoint = options.endpoint?.trim() || undefined;
    if (endpoint)
        checkEndpoint(endpoint);
    const region = options.region?.trim() ||
        process.env.AWS_REGION?.trim() ||
        process.env.AWS_DEFAULT_REGION?.trim() ||
        'us-east-1';
    return new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_8__.S3Client({
        region,
        endpoint,
        forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
        maxAttempts: options.maxAttempts,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED'
    });
}
function checkEndpoint(endpoint) {
    let url;
    try {
        url = new URL(endpoint);
    }
    catch {
        throw new S3EndpointError(`'${endpoint}' is not a URL: give the service's base URL with its scheme, e.g. https://minio.example.com:9000`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new S3EndpointError(`'${endpoint}' must be an http:// or https:// URL (the bucket goes in the S3 URI, not the endpoint).`);
    }
    if (url.username || url.password) {
        throw new S3EndpointError('the endpoint must not contain credentials: they come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or aws-actions/configure-aws-credentials.');
    }
    if (url.search || url.hash) {
        throw new S3EndpointError(`'${endpoint}' must not have a query or fragment.`);
    }
}
/**
 * A sink of the backup's stream (pipeline/backup-stream.ts): a multipart upload to
 * s3://bucket/key of what it is given; the object exists once the stream ended whole.
 */
function uploadSink(client, options) {
    const body = new node_stream__WEBPACK_IMPORTED_MODULE_3__.PassThrough();
    const stored = uploadStream(client, { ...options, body }).then(object => object.sizeBytes);
    stored.catch(() => undefined); // awaited by the stream
    return {
        writable: body,
        stored,
        mismatch: (held, sent) => `object storage received ${held} bytes but ${sent} were sent.`
    };
}
/**
 * Streams `body` to s3://bucket/key. Resolves once the object exists whole; on failure rejects
 * with an S3StorageError after the multipart upload was aborted (or says it could not be), and
 * destroys `body` so that the stages feeding it stop.
 */
async function uploadStream(client, options) {
    const { bucket, key } = options;
    const partSize = options.partSizeBytes ?? DEFAULT_PART_SIZE_BYTES;
    const queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
    let params;
    try {
        if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE_BYTES) {
            throw new RangeError(`partSizeBytes must be at least 5 MiB, not ${partSize}`);
        }
        if (partSize > MAX_PART_SIZE_BYTES) {
            throw new RangeError(`partSizeBytes must be at most 5 GiB, not ${partSize}`);
        }
        if (!Number.isInteger(queueSize) || queueSize < 1) {
            throw new RangeError(`queueSize must be a positive integer, not ${queueSize}`);
        }
        params = writeParams(options, options.tags, options.metadata);
    }
    catch (error) {
        options.body.destroy(); // the stages feeding it stop (premature close); the error is ours
        throw error;
    }
    const target = (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_7__/* .formatS3Uri */ .EO)(bucket, key);
    const counter = new ByteCounter();
    // a failing source destroys the counter, which fails the part being read
    let sourceError;
    options.body.once('error', error => (sourceError ??= error));
    (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_4__.pipeline)(options.body, counter).catch(() => undefined);
    // Once stopped, no further request goes out but the abort of the multipart upload: this also
    // stops a late abort from completing an upload whose source had already ended.
    let stopped;
    const stop = (error) => {
        stopped ??= error;
        counter.destroy(stopped);
    };
    const signal = options.abortSignal;
    const onAbort = () => stop(abortError(target, signal?.reason));
    if (signal?.aborted)
        onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const upload = new _aws_sdk_lib_storage__WEBPACK_IMPORTED_MODULE_0__/* .Upload */ ._({
        client: guardedClient(client, () => stopped),
        params: {
            Bucket: bucket,
            Key: key,
            Body: counter,
            ContentType: options.contentType ?? 'application/octet-stream',
            ...params
        },
        partSize,
        queueSize,
        leavePartsOnError: false
    });
    try {
        // an abort after CompleteMultipartUpload went out comes too late: the object is whole
        const output = await upload.done();
        return {
            key,
            sizeBytes: counter.bytes,
            etag: output.ETag ?? '',
            versionId: output.VersionId
        };
    }
    catch (error) {
        const failure = stopped ?? error;
        stop(failure);
        const leftover = await abortLeftover(client, bucket, key, upload.uploadId);
        // the source's own error (e.g. pg_dump's) as it is: the caller knows how to explain it
        if (failure === sourceError && !leftover)
            throw failure;
        throw explainS3Error(`upload ${target}`, failure, { bucket, key }, leftover);
    }
    finally {
        signal?.removeEventListener('abort', onAbort);
    }
}
/** Tagging or metadata, and the checksum algorithm, for PutObject and CreateMultipartUpload. */
function writeParams(options, tags = {}, metadata = {}) {
    const entries = Object.entries(tags);
    if (entries.length > MAX_TAGS) {
        throw new RangeError(`at most ${MAX_TAGS} tags can be set on an object, not ${entries.length}`);
    }
    for (const [name, value] of entries) {
        if (name.length < 1 || name.length > 128 || value.length > 256) {
            throw new RangeError(`tag '${name}' is invalid: keys have 1\u2013128 characters, values at most 256`);
        }
    }
    const asMetadata = options.tagsAsMetadata ?? false;
    const allMetadata = asMetadata ? { ...metadata, ...tags } : metadata;
    return {
        ChecksumAlgorithm: (options.checksums ?? true) ? 'SHA256' : undefined,
        Tagging: !asMetadata && entries.length
            ? entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')
            : undefined,
        Metadata: Object.keys(allMetadata).length ? allMetadata : undefined
    };
}
/** The client for one upload: refuses every request but AbortMultipartUpload once stopped. */
function guardedClient(client, stopped) {
    const send = client.send.bind(client);
    // everything else (config, middleware) is the real client's, through the prototype
    const guarded = Object.create(client);
    Object.defineProperty(guarded, 'send', {
        value: (command, ...rest) => {
            const error = stopped();
            if (error && !(command instanceof _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_8__.AbortMultipartUploadCommand))
                return Promise.reject(error);
            return send(command, ...rest);
        }
    });
    return guarded;
}
/**
 * lib-storage aborts the multipart upload itself; this makes sure of it (its own abort may have
 * failed) and says so when the parts could not be removed.
 */
async function abortLeftover(client, bucket, key, uploadId) {
    if (!uploadId)
        return undefined;
    try {
        await client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_8__.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    }
    catch (error) {
        const name = error?.name;
        if (name === 'NoSuchUpload' || statusOf(error) === 404)
            return undefined; // aborted already
        return `The incomplete multipart upload ${uploadId} could not be aborted (${error?.message ?? error}); its parts are billed until they are removed: add a lifecycle rule with AbortIncompleteMultipartUpload to the bucket.`;
    }
    return undefined;
}
function abortError(target, reason) {
    const why = reason instanceof Error ? `: ${reason.message}` : reason ? `: ${String(reason)}` : '';
    return new S3StorageError(`the upload to ${target} was aborted${why}`, 'AbortError');
}
/** Counts the bytes passing through. */
class ByteCounter extends node_stream__WEBPACK_IMPORTED_MODULE_3__.Transform {
    bytes = 0;
    _transform(chunk, _encoding, callback) {
        this.bytes += chunk.length;
        callback(null, chunk);
    }
}
/** One PutObject, for the manifest and other small objects. */
async function putSmallObject(client, options) {
    const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
    try {
        const output = await client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_8__.PutObjectCommand({
            Bucket: options.bucket,
            Key: options.key,
            Body: body,
            ContentType: options.contentType,
            ...writeParams(options, options.tags, options.metadata)
        }));
        return {
            key: options.key,
            sizeBytes: body.length,
            etag: output.ETag ?? '',
            versionId: output.VersionId
        };
    }
    catch (error) {
        throw explainS3Error(`upload ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_7__/* .formatS3Uri */ .EO)(options.bucket, options.key)}`, error, options);
    }
}
/** Deletes an object (a dump whose backup failed after it was uploaded); never throws. */
async function deleteObjectQuietly(client, ref) {
    try {
        await client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_8__.DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
        return true;
    }
    catch {
        return false;
    }
}
/** The object's body as UTF-8 text (for manifests). */
async function getObjectText(client, ref) {
    try {
        const output = await client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_8__.GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
        if (!output.Body)
            throw new Error('the response has no body');
        return await output.Body.transformToString('utf8');
    }
    catch (error) {
        throw explainS3Error(`read ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_7__/* .formatS3Uri */ .EO)(ref.bucket, ref.key)}`, error, ref);
    }
}
/**
 * The stored object's size in bytes (a HEAD request), or undefined when there is no such object.
 * Access and network errors are thrown (explained).
 */
async function objectSize(client, ref) {
    try {
        const output = await client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_8__.HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
        return output.ContentLength ?? 0;
    }
    catch (error) {
        const name = error?.name;
        if (name === 'NotFound' || name === 'NoSuchKey')
            return undefined;
        if (statusOf(error) === 404 && name !== 'NoSuchBucket')
            return undefined;
        throw explainS3Error(`look at ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_7__/* .formatS3Uri */ .EO)(ref.bucket, ref.key)}`, error, ref);
    }
}
/**
 * Streams the object to `destinationPath` (mode 0600) and hashes it on the way. A partial file is
 * removed when the download fails or comes up short of the announced length.
 */
async function downloadObject(client, ref, destinationPath, options = {}) {
    const target = (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_7__/* .formatS3Uri */ .EO)(ref.bucket, ref.key);
    const digest = new _pipeline_digest_js__WEBPACK_IMPORTED_MODULE_5__/* .DigestStage */ .jb();
    try {
        const output = await client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_8__.GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }), {
            abortSignal: options.abortSignal
        });
        const expected = options.expectedSize;
        if (expected && output.ContentLength !== undefined && output.ContentLength !== expected.bytes) {
            if (output.Body instanceof node_stream__WEBPACK_IMPORTED_MODULE_3__.Readable)
                output.Body.destroy();
            throw new S3StorageError(`${target} is ${output.ContentLength} bytes, but ${expected.what} records ${expected.bytes}: the object is ${output.ContentLength < expected.bytes ? (output.ContentLength === 0 ? 'empty' : 'truncated') : 'not the one described'}. ${expected.advice}`, 'SizeMismatch');
        }
        if (!(output.Body instanceof node_stream__WEBPACK_IMPORTED_MODULE_3__.Readable))
            throw new Error('the response has no body stream');
        await (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_4__.pipeline)(output.Body, digest, (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.createWriteStream)(destinationPath, { mode: 0o600 }), {
            signal: options.abortSignal
        });
        if (output.ContentLength !== undefined && output.ContentLength !== digest.bytes) {
            throw new S3StorageError(`the download of ${target} ended after ${digest.bytes} of ${output.ContentLength} bytes.`);
        }
        return { sizeBytes: digest.bytes, sha256: digest.digest(), etag: output.ETag ?? '' };
    }
    catch (error) {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rm)(destinationPath, { force: true });
        throw explainS3Error(`download ${target}`, error, ref);
    }
}
/**
 * The newest backup under the prefix, by the manifests' `createdAt` (not by key or upload time).
 * A backup counts once its manifest exists, so write the manifest after the dump.
 */
async function findNewestBackup(client, location) {
    const { bucket, prefix } = location;
    const where = (0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_7__/* .formatS3Uri */ .EO)(bucket, prefix);
    const manifestKeys = [];
    try {
        const pages = (0,_aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_8__.paginateListObjectsV2)({ client, pageSize: location.pageSize }, { Bucket: bucket, Prefix: prefix });
        for await (const page of pages) {
            for (const item of page.Contents ?? []) {
                if (item.Key?.endsWith(_s3_uri_js__WEBPACK_IMPORTED_MODULE_7__/* .MANIFEST_SUFFIX */ .OK) && item.Key.length > _s3_uri_js__WEBPACK_IMPORTED_MODULE_7__/* .MANIFEST_SUFFIX */ .OK.length) {
                    manifestKeys.push(item.Key);
                }
            }
        }
    }
    catch (error) {
        throw explainS3Error(`list ${where}`, error, { bucket });
    }
    if (manifestKeys.length === 0) {
        throw new S3StorageError(`no backup found under ${where}: there is no *${_s3_uri_js__WEBPACK_IMPORTED_MODULE_7__/* .MANIFEST_SUFFIX */ .OK} object there. Check the bucket and prefix the backups were written to.`, 'NoBackup');
    }
    let newest;
    const unreadable = [];
    for (let start = 0; start < manifestKeys.length; start += MANIFEST_READ_CONCURRENCY) {
        const batch = manifestKeys.slice(start, start + MANIFEST_READ_CONCURRENCY);
        const read = await Promise.all(batch.map(key => readManifestAt(client, bucket, key)));
        for (const [index, entry] of read.entries()) {
            if (typeof entry === 'string') {
                unreadable.push(`${batch[index]}: ${entry}`);
                continue;
            }
            if (!newest ||
                entry.createdAt.getTime() > newest.createdAt.getTime() ||
                (entry.createdAt.getTime() === newest.createdAt.getTime() &&
                    entry.manifestKey > newest.manifestKey)) {
                newest = entry;
            }
        }
    }
    if (!newest) {
        throw new S3StorageError(`no usable backup under ${where}: ${unreadable.length} manifest(s), none readable (${unreadable.slice(0, 3).join('; ')}).`, 'NoBackup');
    }
    return newest;
}
/** The manifest at `key`, or why it cannot be used. Access errors are thrown. */
async function readManifestAt(client, bucket, key) {
    let text;
    try {
        text = await getObjectText(client, { bucket, key });
    }
    catch (error) {
        if (error.code === 'NoSuchKey')
            return 'deleted while listing';
        throw error;
    }
    let manifest;
    try {
        manifest = JSON.parse(text);
    }
    catch {
        return 'not valid JSON';
    }
    const createdAt = manifest?.createdAt;
    const time = typeof createdAt === 'string' ? Date.parse(createdAt) : NaN;
    if (Number.isNaN(time))
        return 'no valid createdAt';
    return {
        dumpKey: key.slice(0, -_s3_uri_js__WEBPACK_IMPORTED_MODULE_7__/* .MANIFEST_SUFFIX */ .OK.length),
        manifestKey: key,
        manifest,
        createdAt: new Date(time)
    };
}
function statusOf(error) {
    return error?.$metadata?.httpStatusCode;
}
const NETWORK_CODES = new Set([
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'EPIPE',
    'ENOTFOUND',
    'EAI_AGAIN'
]);
function networkCode(error) {
    const err = error;
    if (err?.code && (NETWORK_CODES.has(err.code) || /CERT|SSL|TLS/.test(err.code)))
        return err.code;
    const inner = err?.errors?.find(e => e?.code)?.code;
    if (inner && NETWORK_CODES.has(inner))
        return inner;
    if (err?.cause && err.cause !== error)
        return networkCode(err.cause);
    // the SDK wraps what is not an Error of its realm: "AWS SDK error wrapper for Error: connect \u2026"
    const named = /\b(E[A-Z_]{4,})\b/.exec(error?.message ?? '')?.[1];
    return named && NETWORK_CODES.has(named) ? named : undefined;
}
/**
 * A failed S3 call as an S3StorageError that says what to do. `action` reads "cannot <action>";
 * `note` is appended (e.g. a multipart upload that could not be aborted).
 */
function explainS3Error(action, error, context = {}, note) {
    const err = error;
    const name = err?.name ?? '';
    const message = err?.message ?? String(error);
    const status = statusOf(error);
    const bucket = context.bucket ? `'${context.bucket}'` : 'the bucket';
    const say = (code, text) => new S3StorageError(`cannot ${action}: ${text}${note ? ` ${note}` : ''}`, code);
    if (error instanceof S3StorageError) {
        return note ? new S3StorageError(`${error.message} ${note}`, error.code) : error;
    }
    if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
        return say('CredentialsMissing', `no AWS credentials were found (${message}). Credentials come only from the environment: add aws-actions/configure-aws-credentials before this step (with OIDC: 'permissions: id-token: write' and role-to-assume, no stored keys), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) from secrets in env.`);
    }
    const network = networkCode(error);
    if (network) {
        const host = network === 'ENOTFOUND' || network === 'EAI_AGAIN';
        return say('EndpointUnreachable', host
            ? `the S3 endpoint's host name does not resolve (${network}: ${message}). Check the endpoint URL (and the bucket name, which is part of the host name unless path-style addressing is used).`
            : `the S3 endpoint cannot be reached (${network}: ${message}). Check the endpoint URL, its port and scheme, and that the runner can reach it.`);
    }
    switch (name) {
        case 'NoSuchBucket':
            return say(name, `the bucket ${bucket} does not exist. Create it, or correct the bucket in the S3 URI (and the endpoint, for a service other than AWS).`);
        case 'AccessDenied':
        case 'AllAccessDisabled':
        case 'Forbidden':
            return say('AccessDenied', `access denied (${message}). The credentials need ${REQUIRED_PERMISSIONS.replace(/BUCKET/g, context.bucket ?? 'BUCKET')}; with SSE-KMS also kms:GenerateDataKey and kms:Decrypt on the key.`);
        case 'InvalidAccessKeyId':
        case 'SignatureDoesNotMatch':
        case 'ExpiredToken':
        case 'InvalidToken':
        case 'TokenRefreshRequired':
            return say(name, `the service rejected the credentials (${name}: ${message}). Check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or the role configured by aws-actions/configure-aws-credentials, and that they belong to this service.`);
        case 'NoSuchKey':
            return say(name, `there is no object ${(0,_s3_uri_js__WEBPACK_IMPORTED_MODULE_7__/* .formatS3Uri */ .EO)(context.bucket ?? '', context.key ?? '')}.`);
        case 'PermanentRedirect':
        case 'AuthorizationHeaderMalformed':
        case 'IllegalLocationConstraintException':
            return say('WrongRegion', `${bucket} is in another region (${name}: ${message}). Set AWS_REGION (or aws-region of aws-actions/configure-aws-credentials) to the bucket's region.`);
        case 'NotImplemented':
            return say(name, `the service does not implement a feature this request uses (${message}). For a service without object tagging, store the tags as metadata; for one that rejects checksums, turn SHA-256 checksums off.`);
        case 'BadDigest':
        case 'InvalidDigest':
            return say(name, `the service reports a checksum mismatch: the data changed in transit (${message}).`);
        case 'EntityTooLarge':
            return say(name, `the object is larger than the service accepts (${message}).`);
    }
    if (name === 'InvalidRequest' && /checksum/i.test(message)) {
        return say(name, `the service rejects SHA-256 checksums (${message}); turn checksums off for this service.`);
    }
    if (name === 'InvalidEndpointError' || /invalid url|endpoint/i.test(name)) {
        return say('InvalidEndpoint', `the endpoint is not usable (${message}).`);
    }
    if (status === 403) {
        return say('AccessDenied', `access denied (HTTP 403). The credentials need ${REQUIRED_PERMISSIONS.replace(/BUCKET/g, context.bucket ?? 'BUCKET')}.`);
    }
    if (status === 404 && !context.key) {
        return say('NoSuchBucket', `the bucket ${bucket} was not found (HTTP 404).`);
    }
    const detail = name && name !== 'Error' && !message.includes(name) ? `${name}: ${message}` : message;
    return say(name || 'Unknown', `${detail}${status ? ` (HTTP ${status})` : ''}`);
}


/***/ })

};
