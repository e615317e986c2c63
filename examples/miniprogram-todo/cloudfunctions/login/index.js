// login: who is calling. The mini-program calls it at start-up; the caller's openid
// comes from the session (wx.login sign-in), never from the event.
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
