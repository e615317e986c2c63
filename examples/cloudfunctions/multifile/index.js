// multifile: saves an article after validating it, with helpers in lib/, settings in a
// JSON file and a small npm package (tiny-slug) from node_modules/.
// event: { title, body, tags?: string[] }
const cloud = require('wx-server-sdk')
const slugify = require('tiny-slug')
const settings = require('./settings.json')
const { validateArticle } = require('./lib/validate')
const { summarize, normalizeTags } = require('./lib/format')

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })
const db = cloud.database()

exports.main = async (event, context) => {
  const problems = validateArticle(event, settings)
  if (problems.length > 0) {
    return { ok: false, problems }
  }
  const { OPENID } = cloud.getWXContext()
  const article = {
    title: event.title.trim(),
    slug: slugify(event.title, { maxLength: settings.slugMaxLength }),
    summary: summarize(event.body, settings.summaryLength),
    body: event.body,
    tags: normalizeTags(event.tags),
    author: OPENID,
    createdAt: db.serverDate(),
  }
  const { _id } = await db.collection(settings.collection).add({ data: article })
  return { ok: true, id: _id, slug: article.slug, summary: article.summary, tags: article.tags }
}
