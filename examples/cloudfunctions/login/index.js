// login: who is calling. CloudBase fills the context from the caller's session; the
// mini-program calls wx.cloud.callFunction({ name: 'login' }) right after start-up.
const cloud = require('wx-server-sdk')

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })

exports.main = async (event, context) => {
  const { OPENID, APPID, UNIONID, ENV } = cloud.getWXContext()
  return {
    openid: OPENID,
    appid: APPID,
    unionid: UNIONID || null,
    env: ENV,
  }
}
