/**
 * digestArchive on a synthetic custom archive (support/archive-writer.ts, with data blocks as
 * pg_backup_custom.c writes them): the same digests however the stream cuts the archive into
 * chunks — a row, a data chunk's length, a block's type or dumpId, a large object's OID split
 * across two chunks — and the digests the reader gave before it stopped copying chunks together
 * (pinned below: a change in how bytes are read must not change a digest).
 */
import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { ArchiveCompareError, type DigestBy, digestArchive } from '../../src/postgres/compare.js'
import { ArchiveWriter, writeArchive } from '../support/archive-writer.js'

/** A data block: its type byte, dumpId, and the chunks pg_dump -Z0 writes (one per row). */
function dataBlock(dumpId: number, rows: string[]): Buffer {
  const w = new ArchiveWriter().byte(1).int(dumpId)
  for (const row of rows) w.str(row)
  return w.int(0).toBuffer()
}

/** A BLOBS block: per large object its OID and its bytes in chunks, ending with OID 0. */
function blobsBlock(dumpId: number, objects: Array<[number, Buffer[]]>): Buffer {
  const w = new ArchiveWriter().byte(3).int(dumpId)
  for (const [oid, chunks] of objects) {
    w.int(oid)
    for (const c of chunks) w.int(c.length).raw(c)
    w.int(0)
  }
  return w.int(0).toBuffer()
}

const rowsOf = (n: number, width: (i: number) => number): string[] =>
  Array.from({ length: n }, (_, i) => `${i + 1}\t${'é'.repeat(width(i))}\n`)

const ARCHIVE = writeArchive({
  minor: 14,
  entries: [
    {
      dumpId: 1,
      tag: 'ENCODING',
      desc: 'ENCODING',
      section: 1,
      defn: "SET client_encoding = 'UTF8';\n"
    },
    { dumpId: 2, tag: 't', desc: 'TABLE DATA', section: 3, namespace: 'public', dataState: 1 },
    { dumpId: 3, tag: 'wide', desc: 'TABLE DATA', section: 3, namespace: 'public', dataState: 1 },
    { dumpId: 4, tag: 'empty', desc: 'TABLE DATA', section: 3, namespace: 'public', dataState: 1 },
    { dumpId: 5, tag: 'BLOBS', desc: 'BLOBS', section: 3, dataState: 1 }
  ],
  trailing: Buffer.concat([
    // 70 rows of 0 to 12 characters, and pg_dump's end-of-data marker
    dataBlock(2, [...rowsOf(70, i => i % 13), '\\.\n\n\n']),
    // rows longer than any chunk below, one of them split into several data chunks
    dataBlock(3, [
      ...rowsOf(5, i => 40 + i * 7),
      'a\tb',
      'c\td\n',
      ...rowsOf(3, () => 90),
      // rows of 20 kB and 100 kB, among short ones
      ...rowsOf(2, i => 10_000 + i * 40_000),
      ...rowsOf(40, i => i),
      ...rowsOf(1, () => 50_000)
    ]),
    dataBlock(4, []),
    blobsBlock(5, [
      [16400, [Buffer.from('first '), Buffer.from('object')]],
      [16401, []],
      [4294967295, [Buffer.alloc(100, 7)]]
    ])
  ])
})

/** The digests, as the reader gave them before (whole archive in one chunk). */
const PINNED = {
  2: {
    sha256: 'b917cfd837ef76697a32d17ed8e609c510fbdeb06310f88200a7f39409f9e25f',
    count: 70,
    segments: 5
  },
  3: {
    sha256: '030e2ef848346adcb83be5ce94868418785197adc1263e904f46afbfb652bcb4',
    count: 52,
    segments: 4
  },
  4: {
    sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    count: 0,
    segments: 0
  },
  5: {
    sha256: '8776a92f07af38dd862a72e9d69440ed1ad9bbd2b385d02cf6f100ad4a61fe29',
    count: 3,
    segments: 0
  }
}

const summary = async (
  chunks: Buffer[],
  by: DigestBy = 'rows'
): Promise<Record<number, unknown>> => {
  const digest = await digestArchive(Readable.from(chunks), by)
  return Object.fromEntries(
    [...digest.blocks].map(([id, b]) => [
      id,
      { sha256: b.sha256, count: b.count, segments: b.segments, segmentRows: b.segmentRows }
    ])
  )
}

const cut = (bytes: Buffer, sizes: (i: number) => number): Buffer[] => {
  const out: Buffer[] = []
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = Math.max(1, sizes(i))
    out.push(Buffer.from(bytes.subarray(at, at + n)))
    at += n
  }
  return out
}

describe('digestArchive on a stream cut anywhere', () => {
  it('gives the pinned digests for the archive in one chunk', async () => {
    const whole = await summary([ARCHIVE])
    for (const [id, pinned] of Object.entries(PINNED)) {
      const got = whole[Number(id)] as { sha256: string; count: number; segments: string[] }
      expect({ sha256: got.sha256, count: got.count, segments: got.segments.length }).toEqual(
        pinned
      )
    }
  })

  it('by blocks: a sha256 of each TABLE DATA block as written (after its type and dumpId), rows not counted', async () => {
    const whole = await summary([ARCHIVE], 'blocks')
    const table = (bytes: Buffer): unknown => ({
      sha256: createHash('sha256')
        .update(bytes.subarray(1 + 5))
        .digest('hex'),
      count: -1,
      segments: [],
      segmentRows: 0
    })
    expect(whole[2]).toEqual(table(dataBlock(2, [...rowsOf(70, i => i % 13), '\\.\n\n\n'])))
    expect(whole[4]).toEqual(table(dataBlock(4, [])))
    // large objects as by rows
    expect(whole[5]).toEqual((await summary([ARCHIVE]))[5])
  })

  it('gives the same digests for chunks of every size from 1 to 40 bytes, and uneven ones', async () => {
    for (const by of ['rows', 'blocks'] as const) {
      const whole = await summary([ARCHIVE], by)
      for (let size = 1; size <= 40; size++) {
        expect(
          await summary(
            cut(ARCHIVE, () => size),
            by
          )
        ).toEqual(whole)
      }
      // uneven: 1, 2, 3, … 17, 1, 2, … and the reverse; chunks of a stream (kB) and uneven ones
      expect(
        await summary(
          cut(ARCHIVE, i => (i % 17) + 1),
          by
        )
      ).toEqual(whole)
      expect(
        await summary(
          cut(ARCHIVE, i => 17 - (i % 17)),
          by
        )
      ).toEqual(whole)
      for (const size of [1000, 16_384, 65_536]) {
        expect(
          await summary(
            cut(ARCHIVE, () => size),
            by
          )
        ).toEqual(whole)
        expect(
          await summary(
            cut(ARCHIVE, i => (i % 2 === 0 ? size : 7)),
            by
          )
        ).toEqual(whole)
      }
    }
  })

  it('refuses an archive cut short inside a data block, wherever the last chunk ends', async () => {
    const dataStart = ARCHIVE.length - 600
    for (let end = ARCHIVE.length - 1; end > dataStart; end -= 37) {
      const short = ARCHIVE.subarray(0, end)
      for (const by of ['rows', 'blocks'] as const) {
        await expect(digestArchive(Readable.from(cut(short, () => 5)), by)).rejects.toThrow(
          ArchiveCompareError
        )
      }
    }
  })
})
