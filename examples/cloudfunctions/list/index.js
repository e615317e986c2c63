// list: one page of the caller's todos, newest first, with the total for the pager.
// event: { page = 1, pageSize = 20, done?: boolean, keyword?: string }
const cloud = require('wx-server-sdk')

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })
const db = cloud.database()
const _ = db.command

const MAX_PAGE_SIZE = 100

exports.main = async (event, context) => {
  const { OPENID } = cloud.getWXContext()
  const page = Math.max(1, parseInt(event.page, 10) || 1)
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, parseInt(event.pageSize, 10) || 20))

  const conditions = [{ _openid: OPENID }]
  if (typeof event.done === 'boolean') {
    conditions.push({ done: event.done })
  }
  if (event.keyword) {
    conditions.push({ title: db.RegExp({ regexp: escapeRegExp(event.keyword), options: 'i' }) })
  }
  if (event.since) {
    conditions.push({ createdAt: _.gte(new Date(event.since)) })
  }
  const query = db.collection('todos').where(_.and(conditions))

  const [{ total }, { data }] = await Promise.all([
    query.count(),
    query
      .orderBy('createdAt', 'desc')
      .skip((page - 1) * pageSize)
      .limit(pageSize)
      .get(),
  ])
  return { data, total, page, pageSize, pages: Math.ceil(total / pageSize) }
}

function escapeRegExp(s) {
  return String(s).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
