/**
 * S3 URIs and object keys, without the AWS SDK (parsing inputs must not load it): the SDK is
 * loaded only when a backup actually goes to, or comes from, object storage.
 */
import { ValueError } from './errors.js'

export const MANIFEST_SUFFIX = '.manifest.json'

/** An s3:// URI that cannot be used; the caller maps it to its input. */
export class S3UriError extends ValueError {
  override name = 'S3UriError'
}

export interface S3Location {
  bucket: string
  /** '' or ending with '/'. */
  prefix: string
}

export interface S3ObjectRef {
  bucket: string
  key: string
}

/** `s3://bucket/some/prefix/` → { bucket, prefix: 'some/prefix/' }. */
export function parseS3Uri(uri: string): S3Location {
  const text = uri.trim()
  const example = 's3://my-bucket/backups/'
  if (/^arn:aws[\w-]*:s3:::/i.test(text)) {
    throw new S3UriError(
      `'${text}' is a bucket ARN; give an S3 URI instead, e.g. s3://${text.replace(/^arn:[^:]*:s3:::/i, '')}`
    )
  }
  if (/^https?:\/\//i.test(text)) {
    throw new S3UriError(
      `'${text}' is an HTTP URL; give an S3 URI (s3://bucket/prefix/, e.g. ${example}) and, for a service other than AWS, its base URL as the endpoint.`
    )
  }
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(text)
  if (!match) {
    throw new S3UriError(`'${text}' is not an S3 URI: write s3://bucket/prefix/, e.g. ${example}`)
  }
  const bucket = match[1]
  if (!bucket) {
    throw new S3UriError(`'${text}' names no bucket: write s3://bucket/prefix/, e.g. ${example}`)
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$/.test(bucket) || bucket.includes('..')) {
    throw new S3UriError(
      `'${bucket}' is not a valid bucket name: 3–63 characters, letters, digits, dots and hyphens, starting and ending with a letter or digit.`
    )
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(match[2] ?? '')) {
    throw new S3UriError(`the prefix in '${text}' contains control characters.`)
  }
  const segments = (match[2] ?? '').split('/').filter(segment => segment !== '')
  if (segments.some(segment => segment === '.' || segment === '..')) {
    throw new S3UriError(`the prefix in '${text}' must not contain '.' or '..' segments.`)
  }
  return { bucket, prefix: segments.length ? segments.join('/') + '/' : '' }
}

export function formatS3Uri(bucket: string, key = ''): string {
  return `s3://${bucket}/${key}`
}

/** The manifest beside a dump: `<dumpKey>.manifest.json`. */
export function manifestKeyFor(dumpKey: string): string {
  return dumpKey + MANIFEST_SUFFIX
}
