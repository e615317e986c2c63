// The todo list. Every wx.cloud call below is CloudBase mini-program code, unchanged
// by the move to Minicloud. The collection "todos" keeps CloudBase's default
// permission (creator only), so each user sees and changes only their own todos.
const db = wx.cloud.database()
const _ = db.command
const $ = db.command.aggregate
const todos = db.collection('todos')

Page({
  data: {
    todos: [],
    count: 0,
    newTitle: '',
    loading: false,
    uploading: -1, // progress of an image upload, -1 when none
    stats: null,
    error: '',
  },

  onLoad() {
    return this.refresh()
  },

  onShow() {
    // back from the detail page: show its changes
    if (this.loaded) return this.refresh()
    this.loaded = true
  },

  onPullDownRefresh() {
    return this.refresh().then(
      () => wx.stopPullDownRefresh(),
      () => wx.stopPullDownRefresh()
    )
  },

  // ---- loading

  // my todos, oldest first, with temporary URLs for their images
  async refresh() {
    this.setData({ loading: true })
    try {
      const res = await todos.where({ _openid: '{openid}' }).orderBy('createdAt', 'asc').get()
      const { total } = await todos.where({ _openid: '{openid}' }).count()
      const list = await this.withImageURLs(res.data)
      this.setData({ todos: list, count: total, error: '' })
      return res
    } catch (err) {
      this.setData({ error: err.errMsg || String(err) })
      throw err
    } finally {
      this.setData({ loading: false })
    }
  },

  // <image> needs an http(s) URL: file IDs become temporary URLs
  async withImageURLs(list) {
    const ids = list.filter((t) => t.image).map((t) => t.image)
    if (ids.length === 0) return list
    const { fileList } = await wx.cloud.getTempFileURL({ fileList: ids })
    const urls = {}
    fileList.forEach((f) => {
      if (f.status === 0) urls[f.fileID] = f.tempFileURL
    })
    return list.map((t) => (t.image ? Object.assign({}, t, { imageURL: urls[t.image] || '' }) : t))
  },

  // ---- what the buttons do (wxml bindings)

  onInput(e) {
    this.setData({ newTitle: e.detail.value })
  },

  async onAdd() {
    const title = this.data.newTitle.trim()
    if (!title) {
      wx.showToast({ title: 'Type a title first', icon: 'none' })
      return null
    }
    const res = await this.addTodo(title)
    this.setData({ newTitle: '' })
    return res
  },

  onToggle(e) {
    const { id, done } = e.currentTarget.dataset
    return this.toggle(id, !done).then(() => this.refresh())
  },

  onStar(e) {
    return this.star(e.currentTarget.dataset.id)
  },

  async onRemove(e) {
    const { id } = e.currentTarget.dataset
    const { confirm } = await wx.showModal({ title: 'Delete this todo?', content: 'Its image is deleted too.' })
    if (!confirm) return null
    return this.remove(id)
  },

  onAttach(e) {
    return this.attachImage(e.currentTarget.dataset.id).catch((err) => {
      if (/cancel/.test(err.errMsg || '')) return null // the user closed the picker
      wx.showToast({ title: 'Upload failed', icon: 'none' })
      this.setData({ error: err.errMsg || String(err) })
      throw err
    })
  },

  onPreview(e) {
    const { url } = e.currentTarget.dataset
    wx.previewImage({ urls: [url], current: url })
  },

  onOpen(e) {
    wx.navigateTo({ url: `/pages/detail/detail?id=${e.currentTarget.dataset.id}` })
  },

  onClearDone() {
    return this.clearDone().then(() => this.refresh())
  },

  async onStats() {
    const res = await this.stats()
    this.setData({ stats: res.list })
    return res
  },

  // ---- the database and storage calls

  async addTodo(title) {
    const res = await todos.add({
      data: { title, done: false, stars: 0, tags: [], createdAt: db.serverDate() },
    })
    await this.refresh()
    return res
  },

  toggle(id, done) {
    return todos.doc(id).update({ data: { done } })
  },

  async star(id) {
    const res = await todos.doc(id).update({ data: { stars: _.inc(1), tags: _.addToSet('starred') } })
    await this.refresh()
    return res
  },

  async remove(id) {
    const { data } = await todos.doc(id).get()
    const res = await todos.doc(id).remove()
    if (data.image) await wx.cloud.deleteFile({ fileList: [data.image] })
    await this.refresh()
    return res
  },

  clearDone() {
    return todos.where({ _openid: '{openid}', done: true }).remove()
  },

  // an image for a todo: choose one, upload it with progress, keep its file ID
  async attachImage(id) {
    const chosen = await wx.chooseMedia({ count: 1, mediaType: ['image'], sourceType: ['album', 'camera'] })
    const filePath = chosen.tempFiles[0].tempFilePath
    const ext = (/\.\w+$/.exec(filePath) || ['.jpg'])[0]
    const cloudPath = `todo-images/${id}-${Date.now()}${ext}`
    const up = await new Promise((resolve, reject) => {
      const task = wx.cloud.uploadFile({ cloudPath, filePath, success: resolve, fail: reject })
      task.onProgressUpdate((p) => this.setData({ uploading: p.progress }))
    }).finally(() => this.setData({ uploading: -1 }))
    const { data: old } = await todos.doc(id).get()
    await todos.doc(id).update({ data: { image: up.fileID } })
    if (old.image) await wx.cloud.deleteFile({ fileList: [old.image] })
    await this.refresh()
    return up
  },

  stats() {
    return todos
      .aggregate()
      .match({ _openid: '{openid}' })
      .group({ _id: '$done', n: $.sum(1), stars: $.sum('$stars') })
      .sort({ _id: 1 })
      .end()
  },
})
