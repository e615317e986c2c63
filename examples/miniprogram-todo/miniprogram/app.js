// app.js of a CloudBase mini-program moved to Minicloud. The one line that changed is
// the wx.cloud.init call: install() sets wx.cloud to Minicloud's client, and every
// page keeps calling wx.cloud.* as before.
const config = require('./config.js')

// wx.cloud.init({ env: config.env, traceUser: true })
require('minicloud-wx').install({ endpoint: config.endpoint, env: config.env })

App({
  globalData: { openid: '' },

  onLaunch() {
    // who am I: the usual first call of a CloudBase mini-program (the "login" function)
    return wx.cloud
      .callFunction({ name: 'login' })
      .then((res) => {
        this.globalData.openid = res.result.openid
        return res
      })
      .catch((err) => {
        // pages still work: the SDK signs in again on their first call
        console.error('login failed', err.errMsg)
        return null
      })
  },
})
