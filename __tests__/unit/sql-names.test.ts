import { describe, expect, it } from '@jest/globals'
import { quoteIdent, quoteQualified, sqlQuoted } from '../../src/sql-names.js'

describe('quoteIdent: a name as PostgreSQL quote_ident writes it', () => {
  it.each([
    ['orders', 'orders'],
    ['_tmp', '_tmp'],
    ['a1_b2', 'a1_b2'],
    // keywords that are not unreserved: reserved, type/function-name and column-name ones
    ['select', '"select"'],
    ['user', '"user"'],
    ['order', '"order"'],
    ['table', '"table"'],
    ['authorization', '"authorization"'],
    ['left', '"left"'],
    ['int', '"int"'],
    ['values', '"values"'],
    ['system_user', '"system_user"'],
    ['json_table', '"json_table"'],
    // unreserved keywords stay bare, as quote_ident leaves them
    ['name', 'name'],
    ['data', 'data'],
    ['schema', 'schema'],
    ['text', 'text'],
    // capitals, spaces, quotes, line breaks, digits first, $, other letters, empty
    ['Orders', '"Orders"'],
    ['My Table', '"My Table"'],
    ['we"ird', '"we""ird"'],
    ['a\nb', '"a\nb"'],
    ['1st', '"1st"'],
    ['a$b', '"a$b"'],
    ['café', '"café"'],
    ['x, public.important', '"x, public.important"'],
    ['', '""']
  ])('%j → %s', (name, sql) => {
    expect(quoteIdent(name)).toBe(sql)
  })

  it('qualifies each part; sqlQuoted (SQL the action runs) always quotes', () => {
    expect(quoteQualified({ schema: 'public', name: 'order' })).toBe('public."order"')
    expect(quoteQualified({ schema: 'My Schema', name: 'a\nb' })).toBe('"My Schema"."a\nb"')
    expect(sqlQuoted('orders')).toBe('"orders"')
    expect(sqlQuoted('we"ird')).toBe('"we""ird"')
  })
})
