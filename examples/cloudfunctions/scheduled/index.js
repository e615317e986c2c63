// scheduled: runs every minute from its timer trigger (config.json) and removes expired
// sessions. A timer run's return value is discarded; it shows in the invocation log.
const cloud = require('wx-server-sdk')

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })
const db = cloud.database()
const _ = db.command

const TTL_MINUTES = Number(process.env.SESSION_TTL_MINUTES || 30)
const COLLECTION = process.env.SESSIONS_COLLECTION || 'sessions'

exports.main = async (event, context) => {
  // Timer runs get { Type: 'Timer', TriggerName, Time }.
  const cutoff = new Date(Date.now() - TTL_MINUTES * 60 * 1000)
  const res = await db.collection(COLLECTION).where({ lastSeen: _.lt(cutoff) }).remove()
  console.log(`trigger ${event.TriggerName || 'manual'}: removed ${res.stats.removed} sessions older than ${cutoff.toISOString()}`)
  return { removed: res.stats.removed, cutoff }
}
