// summary: counts of the caller's todos: all, done, and added in the last `days` days.
// event: { days = 7 } (1–365; anything else is refused with an error)
// Functions run with admin rights, so the query names the owner itself.
const cloud = require('wx-server-sdk')

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })
const db = cloud.database()
const _ = db.command

exports.main = async (event, context) => {
  const days = event.days === undefined ? 7 : event.days
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 365) {
    throw new Error('days must be a whole number from 1 to 365, got ' + JSON.stringify(days))
  }
  const { OPENID } = cloud.getWXContext()
  const todos = db.collection('todos')
  const since = new Date(Date.now() - days * 24 * 3600 * 1000)
  const [all, done, recent] = await Promise.all([
    todos.where({ _openid: OPENID }).count(),
    todos.where({ _openid: OPENID, done: true }).count(),
    todos.where({ _openid: OPENID, createdAt: _.gte(since) }).count(),
  ])
  return { total: all.total, done: done.total, recent: recent.total, days }
}
