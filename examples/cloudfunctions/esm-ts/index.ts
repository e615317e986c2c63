// esm-ts: a function written as a TypeScript ES module. Minicloud transforms it to
// CommonJS at deploy time (esbuild) and keeps a source map, so errors point here.
import cloud from 'wx-server-sdk'
import { greet, type Greeting } from './lib/greeting'

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })

interface Event {
  name?: string
  lang?: 'en' | 'zh'
}

export const main = async (event: Event, context: unknown): Promise<Greeting & { openid: string }> => {
  const { OPENID } = cloud.getWXContext()
  const greeting = greet(event.name ?? 'friend', event.lang ?? 'en')
  return { ...greeting, openid: OPENID }
}
