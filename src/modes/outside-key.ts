/**
 * A load that failed as it added a foreign key of the backup's whose referenced table the restore
 * does not create (trial u53 F1, F2): the key was checked against the target's own table of that
 * name, which lacks the rows the backup's refer to — the backup was made of some schemas or
 * tables only (schemas: public, pg_dump --schema=public), or this restore's schemas / tables
 * selection left the table out. One message for the kind: which table the target keeps, the key
 * its rows lack, why the backup's rows of it do not load, and the ways out that work for the
 * restoring role (a provider's table it does not own cannot be cleaned: adding its schema to the
 * selection only leads to clean's refusal).
 */
import type { Manifest } from '../manifest.js'
import type { ArchiveForeignKey } from '../postgres/toc.js'
import {
  type ProviderSchema,
  type TargetFacts,
  isProviderBookkeeping
} from '../postgres/target-policy.js'
import { plural } from '../log.js'
import { quoteQualified, restoreNamesValue } from '../sql-names.js'
import type { QualifiedName, RestoreOptions } from '../types.js'
import type { RestorePlan } from './restore-plan.js'

/** What the hint reads of the restore. */
export interface OutsideKeyContext {
  plan: Pick<RestorePlan, 'foreignKeys' | 'plain' | 'references' | 'dataTables'>
  inputs: Pick<RestoreOptions, 'schemas' | 'tables' | 'clean' | 'dataOnly'>
  facts: Pick<TargetFacts, 'providerSchemas'>
  manifest?: Pick<Manifest, 'filters' | 'rowCounts'>
}

const same = (a: QualifiedName, b: QualifiedName): boolean =>
  a.schema === b.schema && a.name === b.name

/** The failed foreign key as the error names it, or undefined for another error. */
function failedKey(
  message: string
): { constraint: string; table: string; columns?: string; referenced: string } | undefined {
  const key = /violates foreign key constraint "((?:[^"]|"")+)"/.exec(message)
  const referenced = /is not present in table "((?:[^"]|"")+)"/.exec(message)
  if (!key || !referenced) return undefined
  return {
    constraint: key[1],
    table: /on table "((?:[^"]|"")+)" violates foreign key/.exec(message)?.[1] ?? '',
    columns: /\bKey \(([^)]*)\)=/.exec(message)?.[1],
    referenced: referenced[1]
  }
}

/**
 * The backup's foreign key the error is about: by its name, its table and the referenced
 * table's name (the error names them without schemas); of several, the one whose table the
 * message names qualified (the archive's entry, the failed statement).
 */
function backupKey(
  message: string,
  failed: NonNullable<ReturnType<typeof failedKey>>,
  keys: readonly ArchiveForeignKey[]
): ArchiveForeignKey | undefined {
  const found = keys.filter(
    k =>
      k.name === failed.constraint &&
      (failed.table === '' || k.table === failed.table) &&
      k.references.name === failed.referenced
  )
  if (found.length <= 1) return found[0]
  return found.find(k => message.includes(quoteQualified({ schema: k.schema, name: k.table })))
}

/**
 * The provider's tables that hold rows in the target and that the whole backup fills (not a
 * platform's bookkeeping, whose rows the restore keeps): to empty before a whole restore over
 * the project, those that refer to others first.
 */
function tablesToEmpty(
  ctx: OutsideKeyContext,
  holds: (t: QualifiedName) => boolean
): QualifiedName[] {
  const found: QualifiedName[] = []
  for (const p of ctx.facts.providerSchemas)
    for (const t of p.tables) {
      const table = { schema: p.name, name: t.name }
      if (t.rows > 0 && !isProviderBookkeeping(p, t) && holds(table)) found.push(table)
    }
  const keys = ctx.plan.foreignKeys ?? ctx.plan.plain?.foreignKeys ?? []
  const ordered: QualifiedName[] = []
  let left = found
  while (left.length > 0) {
    // a table no other one left refers to goes first
    const next =
      left.find(
        t =>
          !keys.some(
            k =>
              same(k.references, t) &&
              !same({ schema: k.schema, name: k.table }, t) &&
              left.some(o => same(o, { schema: k.schema, name: k.table }))
          )
      ) ?? left[0]
    ordered.push(next)
    left = left.filter(t => t !== next)
  }
  return ordered
}

/** At most this many tables and functions are named in the DROP statements a hint gives. */
const DROPS_SHOWN = 10

/**
 * The DROP statements for the restore's own tables and functions (those of the provider's
 * schemas aside, which the load leaves as they are).
 */
function drops(ctx: OutsideKeyContext, created: readonly QualifiedName[]): string {
  const providers = new Set(ctx.facts.providerSchemas.map(p => p.name))
  const own = (t: QualifiedName): boolean => t.schema !== '' && !providers.has(t.schema)
  const tables = created.filter(own)
  const functions = (ctx.plan.plain ?? ctx.plan.references)?.replacingObjects.filter(
    o => o.kind === 'function' && own(o)
  )
  const list = (names: readonly QualifiedName[]): string =>
    `${names.slice(0, DROPS_SHOWN).map(quoteQualified).join(', ')}${names.length > DROPS_SHOWN ? `, … (${names.length - DROPS_SHOWN} more)` : ''}`
  const statements = [
    tables.length > 0 ? `DROP TABLE ${list(tables)} CASCADE;` : 'DROP TABLE … CASCADE;',
    functions && functions.length > 0
      ? `DROP FUNCTION ${list(functions)} CASCADE;`
      : 'DROP FUNCTION … CASCADE;'
  ]
  return statements.join(' ')
}

/**
 * The hint for a foreign key of the backup's that failed on a referenced table the restore does
 * not create; '' for any other error (the backup's own table, a data-only load, the target's own
 * key that clean-drop-dependents created again).
 */
export function outsideKeyHint(message: string, ctx: OutsideKeyContext): string {
  if (ctx.inputs.dataOnly === true) return ''
  if (message.includes("(the target's own part, created again")) return ''
  const failed = failedKey(message)
  if (!failed) return ''
  const created = (ctx.plan.plain ?? ctx.plan.references)?.createdTables
  const key = backupKey(
    message,
    failed,
    ctx.plan.foreignKeys ?? ctx.plan.plain?.foreignKeys ?? ctx.plan.references?.foreignKeys ?? []
  )
  if (!key || !created) return ''
  const ref = key.references
  if (created.some(t => same(t, ref))) return ''
  const from = { schema: key.schema, name: key.table }
  const refName = quoteQualified(ref)
  const fromName = quoteQualified(from)
  // the whole backup's tables: its manifest's, else those its archive or script holds rows of
  const counted = ctx.manifest?.rowCounts.tables
  const holds = (t: QualifiedName): boolean =>
    counted ? counted.some(m => same(m, t)) : (ctx.plan.dataTables ?? []).some(m => same(m, t))
  const backupRows = counted?.find(m => same(m, ref))?.rows
  const selection =
    ctx.inputs.tables.length > 0
      ? `tables: ${restoreNamesValue(ctx.inputs.tables)}`
      : ctx.inputs.schemas.length > 0
        ? `schemas: ${restoreNamesValue(ctx.inputs.schemas)}`
        : undefined
  const madeWith = ctx.manifest?.filters
  const backupSelection =
    madeWith && madeWith.tables.length > 0
      ? `tables: ${madeWith.tables.join(',')}`
      : madeWith && madeWith.schemas.length > 0
        ? `schemas: ${madeWith.schemas.join(',')}`
        : madeWith && madeWith.excludeSchemas.length + madeWith.excludeTables.length > 0
          ? 'exclude patterns'
          : undefined
  const inBackup = holds(ref)
  if (inBackup && !selection) return ''
  const provider: ProviderSchema | undefined = ctx.facts.providerSchemas.find(
    p => p.name === ref.schema
  )
  const targetRows = provider?.tables.find(t => t.name === ref.name)?.rows
  const why = inBackup
    ? `the backup holds it${typeof backupRows === 'number' ? ` (${plural(backupRows, 'row')})` : ''}, but this restore's selection (${selection}) leaves it out`
    : backupSelection
      ? `the backup does not hold it: it was made with ${backupSelection}`
      : `the backup does not hold it (a backup of some schemas or tables only, as pg_dump --schema=public writes)`
  const lacks = `so the key was checked against the target's own ${refName}${typeof targetRows === 'number' ? ` (${plural(targetRows, 'row')})` : ''}, which lacks ${failed.columns ? `keys (${failed.columns}) that` : 'what'} rows of ${fromName} refer to (pg_restore and psql by hand fail the same way; psql without ON_ERROR_STOP goes on and leaves ${fromName} without its key)`
  const head = ` The foreign key ${key.name} of ${fromName} references ${refName}, which this restore does not create: ${why}; ${lacks}.`
  // a provider's table (the restoring role does not own it) takes the backup's rows only where
  // it is empty and no clean is to drop it (clean's DROP is refused before anything: trial u53
  // F1 step 5)
  if (inBackup && (!provider || (!ctx.inputs.clean && targetRows === 0))) {
    const add =
      ctx.inputs.tables.length > 0
        ? `add it to the selection (tables: ${restoreNamesValue([...ctx.inputs.tables, refName])})`
        : `add its schema to the selection (schemas: ${restoreNamesValue([...ctx.inputs.schemas, ref.schema])})`
    return `${head} Ways out: ${add}${provider ? `: the target's ${refName} is empty, so the backup's rows load into it` : ''}, or restore the whole backup (no schemas or tables).`
  }
  const wholeBackup = inBackup
    ? 'restore the whole backup (no schemas or tables)'
    : `back up the whole database (no schemas, tables or exclude patterns: the backup then holds ${refName}'s rows) and restore that`
  if (provider) {
    // the restoring role does not own the provider's table: clean cannot drop it (with clean
    // the schema added to the selection is refused before anything: trial u53 F1 step 5)
    const empty = tablesToEmpty(ctx, inBackup ? holds : () => true)
    const deletes = empty.map(t => `DELETE FROM ${quoteQualified(t)};`).join(' ')
    const notSchema = !inBackup
      ? ''
      : ctx.inputs.clean
        ? ` Adding ${ref.schema} to the selection does not serve: the restoring role does not own ${refName} (${provider.owner} does), so clean cannot drop it, and the restore is refused before anything.`
        : ` Adding ${ref.schema} to the selection does not serve: the backup's rows of ${refName} load only into an empty one${typeof targetRows === 'number' ? `, and the target's holds ${plural(targetRows, 'row')}` : ''}.`
    const over =
      empty.length > 0
        ? ` To keep this project instead: drop your own objects that the backup creates, as their owner (${drops(ctx, created)} The whole restore names any other left in its way.), empty the provider's tables the backup fills (${deletes} — the target's own rows there are lost, users who signed up since included), then ${inBackup ? 'restore the whole backup without clean' : 'restore that whole backup without clean'}.`
        : ''
    return `${head}${notSchema} Ways out: ${wholeBackup} into a fresh project (nobody signed up yet)${inBackup ? '' : `, or load the rows of ${refName} the backup's refer to into the target first`}.${over}`
  }
  return `${head} Ways out: ${wholeBackup}, or load the rows of ${refName} that ${fromName}'s rows refer to into the target first, then restore again.`
}
