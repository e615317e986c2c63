// counter: increments a named counter atomically and returns the new value.
// event: { id = 'visits', by = 1 }
const cloud = require('wx-server-sdk')

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })
const db = cloud.database()
const _ = db.command

exports.main = async (event, context) => {
  const id = String(event.id || 'visits')
  const by = Number(event.by) || 1
  const counters = db.collection('counters')

  const res = await counters.doc(id).update({
    data: { n: _.inc(by), updatedAt: db.serverDate() },
  })
  if (res.stats.updated === 0) {
    // First use: create it. Another call may have created it meanwhile, so fall back
    // to the increment once more if the insert collides.
    try {
      await counters.add({ data: { _id: id, n: by, updatedAt: db.serverDate() } })
    } catch (err) {
      await counters.doc(id).update({ data: { n: _.inc(by), updatedAt: db.serverDate() } })
    }
  }
  const { data } = await counters.doc(id).get()
  return { id, n: data.n }
}
