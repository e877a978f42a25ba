/**
 * The engine's vocabulary: what a backup or a restore is asked to do (the typed options each mode
 * takes), where a backup comes from, and the names of the things it deals in. Types and constant
 * lists only; inputs.ts (the action) and cli.ts (the terminal) fill these from what users give.
 */
import type { RetentionSchedule } from './retention.js'

export type Mode = 'backup' | 'restore' | 'verify' | 'check'
export type DumpFormat = 'custom' | 'plain' | 'directory' | 'tar'
export type Compression = 'zstd' | 'gzip' | 'none'
export type RowCountMethod = 'exact' | 'estimate' | 'none'

export const MODES: readonly Mode[] = ['backup', 'restore', 'verify', 'check']

/** The restore's phase (log group) that writes into the target: once it ended, the load was committed. */
export const LOAD_PHASE = 'Restore'
export const FORMATS: readonly DumpFormat[] = ['custom', 'plain', 'directory', 'tar']
/** pg_dump's one-letter names of its formats (--format=c|p|d|t), taken as the full names. */
export const FORMAT_LETTERS: Readonly<Record<string, DumpFormat>> = {
  c: 'custom',
  p: 'plain',
  d: 'directory',
  t: 'tar'
}
export const COMPRESSIONS: readonly Compression[] = ['zstd', 'gzip', 'none']
export const ROW_COUNT_METHODS: readonly RowCountMethod[] = ['exact', 'estimate', 'none']

/** Levels each compressor accepts, and the one used when no level is given. */
export const COMPRESSION_LEVELS: Record<
  Compression,
  { min: number; max: number; default: number }
> = {
  zstd: { min: 1, max: 19, default: 3 },
  gzip: { min: 1, max: 9, default: 6 },
  none: { min: 0, max: 0, default: 0 }
}

/** A table or other relation, by schema and name (unquoted, as PostgreSQL stores them). */
export interface QualifiedName {
  schema: string
  name: string
}

/**
 * A relation the backup replaces (clean, or a plain script's own DROP before its CREATE), with
 * the relkinds (pg_class.relkind) of what it creates there; none given: any kind.
 */
export interface ReplacedRelation extends QualifiedName {
  kinds?: string
}

/** pg_dump's selection switches, as patterns (pg_dump's own syntax). */
export interface DumpFilters {
  tables: string[]
  excludeTables: string[]
  excludeTableData: string[]
  schemas: string[]
  excludeSchemas: string[]
}

/** age encryption to public keys (recommended) or with a passphrase. */
export type EncryptionKeys =
  { kind: 'recipients'; recipients: string[] } | { kind: 'passphrase'; passphrase: string }

/** What may decrypt a backup: age identities (AGE-SECRET-KEY-1…) and/or passphrases. */
export type DecryptionKeys = { identities: string[]; passphrases: string[] }

export interface S3Settings {
  endpoint?: string
  forcePathStyle?: boolean
  region?: string
}

export interface S3Destination extends S3Settings {
  bucket: string
  prefix: string
}

/** What the backup mode is asked to do. */
export interface BackupOptions {
  mode: 'backup'
  databaseUrl: string
  artifactName: string
  retentionDays: number
  format: DumpFormat
  compression: Compression
  compressionLevel: number
  filters: DumpFilters
  pgDumpArgs: string[]
  overwrite: boolean
  rowCounts: RowCountMethod
  jobs: number
  pgBinDir?: string
  /** Client major to use; undefined = auto (the lowest installed major ≥ the server's). */
  postgresVersion?: number
  installClient: boolean
  connectTimeoutSeconds: number
  /**
   * lock_timeout for the action's sessions and the clients it runs, in milliseconds (0 = wait
   * forever): a lock another session holds fails the statement after this long.
   */
  lockTimeoutMs: number
  /** age encryption before upload; undefined = not encrypted. */
  encryption?: EncryptionKeys
  allowUnencryptedPublic?: boolean
  /** Long-term copy in S3-compatible object storage; undefined = none. */
  s3?: S3Destination
  /** false: S3 only, no workflow artifact (and no temporary file for custom/plain dumps). */
  artifact?: boolean
  retentionSchedule?: RetentionSchedule
  /** signing-key: HMAC key the manifest is signed with (storage/signing.ts). */
  signingKey?: string
  /**
   * globals: also store the cluster's roles (pg_dumpall --globals-only --no-role-passwords)
   * beside the dump; a server that does not let the role read them warns, never fails.
   */
  globals?: boolean
  /**
   * Compare with the previous backup of the same artifact name (found through GitHub's REST
   * API); undefined = no comparison.
   */
  changes?: {
    repository: string
    token: string
    /** A table that lost more than this share of its rows is flagged, in percent (0–100). */
    rowLossPercent: number
    /** Fail the step (after the upload) when a table vanished or lost rows. */
    failOnRowLoss: boolean
  }
}

/**
 * Which runs' artifacts a restore that asks for the newest backup considers:
 *  - 'default-branch': runs of this repository's own code (the run's head repository is the
 *    repository) on its default branch, started by push, schedule or workflow_dispatch;
 *  - 'any-branch': the same on any branch;
 *  - 'any': every run, pull requests from forks included (which can upload any artifact name).
 */
export const ARTIFACT_FROM = ['default-branch', 'any-branch', 'any'] as const
export type ArtifactFrom = (typeof ARTIFACT_FROM)[number]

/** The events whose runs run the repository's own workflow code as a maintainer merged it. */
export const TRUSTED_RUN_EVENTS = ['push', 'schedule', 'workflow_dispatch'] as const

/** Where a restore takes its backup from: exactly one of these. */
export type BackupSource =
  | { kind: 'file'; path: string }
  | {
      kind: 'artifact'
      name: string
      /** 'latest' = the newest non-expired artifact of that name in the repository. */
      runId: 'latest' | 'current' | number
      repository: string
      token: string
      /** Which runs 'latest' considers (default 'default-branch'); see ARTIFACT_FROM. */
      from?: ArtifactFrom
      /**
       * The workflow whose runs 'latest' considers (artifact-workflow): its file name
       * (backup.yml) or path (.github/workflows/backup.yml). Undefined: any, unless the name is
       * uploaded by several (then the choice fails, naming them).
       */
      workflow?: string
    }
  | { kind: 'artifact-id'; id: number; repository: string; token: string }
  /** An object in S3 (key of the dump), or the newest backup under a prefix (key undefined). */
  | { kind: 's3'; bucket: string; key?: string; prefix: string; settings: S3Settings }

export type ArtifactSource = Extract<BackupSource, { kind: 'artifact' | 'artifact-id' }>
export type S3Source = Extract<BackupSource, { kind: 's3' }>

/**
 * What the check mode is asked to do: find the newest backup (or the given one), read its
 * manifest without downloading the dump, and fail when it is older than maxAgeSeconds or does
 * not look like a whole backup.
 */
export interface CheckOptions {
  mode: 'check'
  source: ArtifactSource | S3Source
  maxAgeSeconds: number
  /**
   * signing-key: the newest backup's manifest must be signed with this key (storage/signing.ts);
   * check reads no dump, so the dump's sha256 is checked by restore and verify only.
   */
  signingKey?: string
}

/** What the restore and verify modes are asked to do. */
export interface RestoreOptions {
  /** verify: restore into a scratch database (verify-database-url) and compare with the manifest. */
  mode: 'restore' | 'verify'
  databaseUrl: string
  source: BackupSource
  clean: boolean
  /**
   * With clean: also drop (CASCADE) objects outside the backup that depend on the backup's
   * objects; without it such objects make clean refuse before anything is dropped.
   */
  cleanDropDependents: boolean
  /**
   * Restore next to the target's objects. Refuses (before anything runs) only a backup's rows
   * for tables, and values for sequences, it does not create where the target has them; the
   * backup's other statements run as written, on the target's objects too.
   */
  allowNonEmpty: boolean
  /**
   * Load only the backup's rows (pg_restore --data-only: its TABLE DATA, large objects, and the
   * SEQUENCE SET of the tables it loads) into the target's existing tables, each of which must
   * exist, take the backup's columns and hold no rows (refused before anything runs otherwise).
   * Archives only. Absent: false.
   */
  dataOnly?: boolean
  /**
   * true: never set owners (pg_restore --no-owner); false and 'auto': set those the target can
   * take (roles that exist and the restoring role may act as), skip and list the rest — with
   * false each skip is a warning.
   */
  noOwner: boolean | 'auto'
  /** As noOwner, for GRANT, REVOKE and ALTER DEFAULT PRIVILEGES. */
  noPrivileges: boolean | 'auto'
  singleTransaction: boolean
  jobs: number
  tables: string[]
  schemas: string[]
  pgBinDir?: string
  postgresVersion?: number
  installClient: boolean
  connectTimeoutSeconds: number
  lockTimeoutMs: number
  /** Keys for an encrypted backup (empty lists when none were given). */
  decryption?: DecryptionKeys
  /** verify: fail first when the backup is older than this, in seconds (max-age). */
  maxAgeSeconds?: number
  /**
   * verify: the database that was backed up (database-url). Verify refuses, before writing
   * anything, a scratch database the servers say is that one, however its URL is spelled.
   */
  backedUpDatabaseUrl?: string
  /** signing-key: only a backup signed with this key is restored (storage/signing.ts). */
  signingKey?: string
  /**
   * create-roles: create the roles of the backup's globals file that the target lacks (never
   * altering an existing role, never setting a password), in the restore's transaction.
   */
  createRoles?: boolean
}

/** The client choice every mode shares: which PostgreSQL client to use, and how long to wait. */
export type ClientOptions = Pick<
  BackupOptions,
  'pgBinDir' | 'postgresVersion' | 'installClient' | 'connectTimeoutSeconds' | 'lockTimeoutMs'
>
