// Text helpers shared by the function.
function summarize(text, length) {
  const flat = String(text).replace(/\s+/g, ' ').trim()
  if (flat.length <= length) return flat
  return flat.slice(0, length - 1).trimEnd() + '…'
}

function normalizeTags(tags) {
  if (!Array.isArray(tags)) return []
  const seen = new Set()
  for (const t of tags) {
    const tag = String(t).trim().toLowerCase()
    if (tag) seen.add(tag)
  }
  return [...seen].sort()
}

module.exports = { summarize, normalizeTags }
