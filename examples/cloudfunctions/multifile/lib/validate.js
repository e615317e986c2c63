// Checks an article event; returns a list of problems (empty when it is fine).
exports.validateArticle = function validateArticle(event, settings) {
  const problems = []
  if (typeof event.title !== 'string' || event.title.trim() === '') {
    problems.push('title is required')
  } else if (event.title.length > settings.titleMaxLength) {
    problems.push(`title is longer than ${settings.titleMaxLength} characters`)
  }
  if (typeof event.body !== 'string' || event.body.trim() === '') {
    problems.push('body is required')
  } else if (event.body.length > settings.bodyMaxLength) {
    problems.push(`body is longer than ${settings.bodyMaxLength} characters`)
  }
  if (event.tags != null && !Array.isArray(event.tags)) {
    problems.push('tags must be a list')
  } else if (event.tags && event.tags.length > settings.maxTags) {
    problems.push(`at most ${settings.maxTags} tags`)
  }
  return problems
}
