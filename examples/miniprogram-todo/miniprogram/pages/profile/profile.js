// Me: who the cloud functions see (the "login" function, in callback style) and a
// summary computed by the "summary" function with wx-server-sdk.
Page({
  data: { openid: '', appid: '', summary: null, error: '' },

  onLoad() {
    return Promise.all([this.whoami(), this.loadSummary()])
  },

  onPullDownRefresh() {
    return this.loadSummary().then(() => wx.stopPullDownRefresh())
  },

  whoami() {
    return new Promise((resolve) => {
      wx.cloud.callFunction({
        name: 'login',
        success: (res) => this.setData({ openid: res.result.openid, appid: res.result.appid }),
        fail: (err) => this.setData({ error: err.errMsg }),
        complete: resolve,
      })
    })
  },

  async loadSummary() {
    try {
      const res = await wx.cloud.callFunction({ name: 'summary', data: { days: 7 } })
      this.setData({ summary: res.result })
      return res
    } catch (err) {
      this.setData({ error: err.errMsg })
      return err
    }
  },

  onSummary() {
    return this.loadSummary()
  },
})
