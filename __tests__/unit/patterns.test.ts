/** pg_dump's name patterns as the regular expressions pg_dump matches (patternToSQLRegex). */
import { describe, expect, it } from '@jest/globals'
import { patternRegexes, qualifiedNames } from '../../src/postgres/dump.js'

describe('patternRegexes', () => {
  it('folds unquoted names, keeps quoted ones literally, commas included', () => {
    expect(patternRegexes('public."logs, archived"')).toEqual({
      schema: '^(public)$',
      name: '^(logs, archived)$'
    })
    expect(patternRegexes('App.Orders')).toEqual({ schema: '^(app)$', name: '^(orders)$' })
    expect(patternRegexes('"App"."Or.d*rs"')).toEqual({
      schema: '^(App)$',
      name: '^(Or\\.d\\*rs)$'
    })
    expect(patternRegexes('"say ""hi"""')).toEqual({ name: '^(say "hi")$' })
  })

  it('translates * and ? outside quotes; $ is always literal; [] is not a class', () => {
    expect(patternRegexes('audit.log_*')).toEqual({ schema: '^(audit)$', name: '^(log_.*)$' })
    expect(patternRegexes('t?')).toEqual({ name: '^(t.)$' })
    expect(patternRegexes('a$b')).toEqual({ name: '^(a\\$b)$' })
    expect(patternRegexes('int[]')).toEqual({ name: '^(int\\[])$' })
    expect(patternRegexes('t[0-9]')).toEqual({ name: '^(t[0-9])$' })
  })

  it('takes the last two parts of db.schema.table; an empty part matches any name', () => {
    expect(patternRegexes('shop.public.orders')).toEqual({
      schema: '^(public)$',
      name: '^(orders)$'
    })
    expect(patternRegexes('public.')).toEqual({ schema: '^(public)$', name: undefined })
  })
})

describe('qualifiedNames', () => {
  it("reads the names of pg_dump's LOCK TABLE statement, quotes and commas included", () => {
    expect(qualifiedNames('public.orders')).toEqual([{ schema: 'public', name: 'orders' }])
    expect(qualifiedNames('app.a, "My, Schema"."T ""x"""')).toEqual([
      { schema: 'app', name: 'a' },
      { schema: 'My, Schema', name: 'T "x"' }
    ])
    expect(qualifiedNames('unqualified, s.t')).toEqual([{ schema: 's', name: 't' }])
  })
})
