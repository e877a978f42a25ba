/**
 * A transparent TCP proxy in front of a PostgreSQL server that records what clients send: the
 * database of each connection (startup message), every simple Query and Parse message, and COPY
 * data, byte for byte and in order, plus the server's answers that change what psql reads next
 * (CopyInResponse, ErrorResponse, ParameterStatus). Used to prove that the psql lexer's statements and COPY data
 * are exactly what a real psql sends. Clients must connect without SSL/GSS encryption
 * (sslmode=disable, gssencmode=disable): the proxy reads the plaintext protocol.
 */
import net from 'node:net'

export type WireEntry =
  | { type: 'connect'; connection: number; database: string; user: string }
  | { type: 'query'; connection: number; sql: Buffer }
  | { type: 'parse'; connection: number; sql: Buffer }
  | { type: 'copyData'; connection: number; data: Buffer }
  | { type: 'copyDone'; connection: number }
  | { type: 'copyFail'; connection: number; message: string }
  | { type: 'copyIn'; connection: number }
  | { type: 'error'; connection: number; message: string }
  | { type: 'parameter'; connection: number; name: string; value: string }

export interface WireRecorder {
  port: number
  /** Entries so far, in arrival order; consecutive COPY data of a connection merged. */
  entries(): WireEntry[]
  /** Forgets the entries recorded so far. */
  clear(): void
  close(): Promise<void>
}

const PROTOCOL_3 = 196608
const SSL_REQUEST = 80877103
const GSSENC_REQUEST = 80877104
const CANCEL_REQUEST = 80877102

/** Starts a recorder on a free loopback port forwarding to `target`. */
export async function startWireRecorder(target: {
  host: string
  port: number
}): Promise<WireRecorder> {
  let entries: WireEntry[] = []
  let connections = 0
  const sockets = new Set<net.Socket>()
  const record = (e: WireEntry): void => {
    const last = entries[entries.length - 1]
    if (e.type === 'copyData' && last?.type === 'copyData' && last.connection === e.connection)
      last.data = Buffer.concat([last.data, e.data])
    else entries.push(e)
  }
  const server = net.createServer(client => {
    const connection = ++connections
    const upstream = net.connect(target.port, target.host)
    sockets.add(client)
    sockets.add(upstream)
    let buffered: Buffer = Buffer.alloc(0)
    let startup = true
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk)
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk
      for (;;) {
        if (startup) {
          if (buffered.length < 8) break
          const len = buffered.readInt32BE(0)
          if (buffered.length < len) break
          const code = buffered.readInt32BE(4)
          if (code === PROTOCOL_3) {
            const params = buffered.subarray(8, len).toString('utf8').split('\0')
            const map: Record<string, string> = {}
            for (let k = 0; k + 1 < params.length; k += 2)
              if (params[k]) map[params[k]] = params[k + 1]
            record({
              type: 'connect',
              connection,
              database: map.database ?? map.user ?? '',
              user: map.user ?? ''
            })
            startup = false
          } else if (code !== SSL_REQUEST && code !== GSSENC_REQUEST && code !== CANCEL_REQUEST) {
            startup = false
          }
          buffered = buffered.subarray(len)
          continue
        }
        if (buffered.length < 5) break
        const type = String.fromCharCode(buffered[0])
        const len = buffered.readInt32BE(1)
        if (buffered.length < len + 1) break
        const body = buffered.subarray(5, len + 1)
        if (type === 'Q')
          record({ type: 'query', connection, sql: Buffer.from(body.subarray(0, body.length - 1)) })
        else if (type === 'P') {
          const nameEnd = body.indexOf(0)
          const sqlEnd = body.indexOf(0, nameEnd + 1)
          record({
            type: 'parse',
            connection,
            sql: Buffer.from(body.subarray(nameEnd + 1, sqlEnd))
          })
        } else if (type === 'd') record({ type: 'copyData', connection, data: Buffer.from(body) })
        else if (type === 'c') record({ type: 'copyDone', connection })
        else if (type === 'f')
          record({ type: 'copyFail', connection, message: body.toString('utf8') })
        buffered = buffered.subarray(len + 1)
      }
    })
    let fromServer: Buffer = Buffer.alloc(0)
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk)
      fromServer = fromServer.length ? Buffer.concat([fromServer, chunk]) : chunk
      while (fromServer.length >= 5) {
        const type = String.fromCharCode(fromServer[0])
        const len = fromServer.readInt32BE(1)
        if (fromServer.length < len + 1) break
        const body = fromServer.subarray(5, len + 1)
        if (type === 'G') record({ type: 'copyIn', connection })
        else if (type === 'E') {
          const fields = body.toString('utf8').split('\0')
          const m = fields.find(f => f.startsWith('M'))
          record({ type: 'error', connection, message: m ? m.slice(1) : '' })
        } else if (type === 'S') {
          const [name, value] = body.toString('utf8').split('\0')
          record({ type: 'parameter', connection, name, value })
        }
        fromServer = fromServer.subarray(len + 1)
      }
    })
    const close = (): void => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('close', close)
    upstream.on('close', close)
    client.on('error', close)
    upstream.on('error', close)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    entries: () => entries.slice(),
    clear: () => {
      entries = []
    },
    close: () =>
      new Promise<void>(resolve => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
}
